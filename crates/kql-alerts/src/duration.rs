//! Durations as rule files write them, in 100 ns ticks: ISO 8601 (`PT15M`, `P1D`: ARM, Bicep,
//! Sentinel ARM), KQL timespans (`5m`, `1h`, `14d`: Sentinel YAML, kqlite's TOML), .NET
//! `[d.]hh:mm:ss` (Sentinel's validator, AMBA), and Defender's periods (`0`, `1H`, `24H`).

use kql_common::time::TICKS_PER_SEC;

/// Parses any of the forms above; `None` for text that is none of them.
pub fn parse(text: &str) -> Option<i64> {
    let t = text.trim();
    if t.starts_with(['P', 'p']) {
        return iso(t);
    }
    // Defender writes hours as `1H`, `24H`; `0` is its continuous (near-real-time) schedule.
    if let Some(hours) = t.strip_suffix('H')
        && let Ok(h) = hours.parse::<i64>()
    {
        return h.checked_mul(3600 * TICKS_PER_SEC);
    }
    kql_common::timespan::parse_text(t)
}

/// Integer minutes (the legacy 2018-04-16 API's `frequencyInMinutes`).
pub fn minutes(n: i64) -> Option<i64> {
    n.checked_mul(60 * TICKS_PER_SEC)
}

fn iso(text: &str) -> Option<i64> {
    let d = iso8601::duration(&text.to_ascii_uppercase()).ok()?;
    let secs: f64 = match d {
        iso8601::Duration::Weeks(w) => f64::from(w) * 7.0 * 86_400.0,
        iso8601::Duration::YMDHMS {
            year,
            month,
            day,
            hour,
            minute,
            second,
            millisecond,
        } => {
            // Rules never use years or months; Azure reads them as 365 and 30 days.
            f64::from(year) * 365.0 * 86_400.0
                + f64::from(month) * 30.0 * 86_400.0
                + f64::from(day) * 86_400.0
                + f64::from(hour) * 3_600.0
                + f64::from(minute) * 60.0
                + f64::from(second)
                + f64::from(millisecond) / 1_000.0
        }
    };
    let ticks = (secs * TICKS_PER_SEC as f64).round();
    (ticks.is_finite() && ticks.abs() < i64::MAX as f64).then_some(ticks as i64)
}

/// `ticks` as ISO 8601 (`PT1H`, `P1DT30M`), the form rules are printed in.
pub fn format_iso(ticks: i64) -> String {
    let secs = ticks / TICKS_PER_SEC;
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    let mut out = String::from("P");
    if d > 0 {
        out.push_str(&format!("{d}D"));
    }
    if h > 0 || m > 0 || s > 0 || d == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || (h == 0 && m == 0) {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60 * TICKS_PER_SEC;

    #[test]
    fn every_form_rules_use() {
        assert_eq!(parse("PT15M"), Some(15 * MIN));
        assert_eq!(parse("P1D"), Some(1440 * MIN));
        assert_eq!(parse("P2DT1H30M"), Some((2 * 1440 + 90) * MIN));
        assert_eq!(parse("5m"), Some(5 * MIN));
        assert_eq!(parse("14d"), Some(14 * 1440 * MIN));
        assert_eq!(parse("01:00:00"), Some(60 * MIN));
        assert_eq!(parse("0:10:00"), Some(10 * MIN));
        assert_eq!(parse("24H"), Some(1440 * MIN));
        assert_eq!(parse("0"), Some(0));
        assert_eq!(parse("soon"), None);
        assert_eq!(minutes(15), Some(15 * MIN));
    }

    #[test]
    fn printed_as_iso() {
        assert_eq!(format_iso(15 * MIN), "PT15M");
        assert_eq!(format_iso(60 * MIN), "PT1H");
        assert_eq!(format_iso(1440 * MIN), "P1D");
        assert_eq!(format_iso(1530 * MIN), "P1DT1H30M");
    }
}
