//! Timespan text: the units of timespan literals (`2d`, `15 seconds`) and the text that
//! `timespan(...)`, `totimespan()` and exports hold (`[-][d.]hh:mm[:ss[.fffffff]]`). The parser,
//! the conversion functions and the loaders read timespans the same way.

/// Ticks (100 ns) per timespan unit. <https://learn.microsoft.com/kusto/query/scalar-data-types/timespan>
const UNITS: &[(&str, f64)] = &[
    ("d", 864e9),
    ("day", 864e9),
    ("days", 864e9),
    ("h", 36e9),
    ("hr", 36e9),
    ("hrs", 36e9),
    ("hour", 36e9),
    ("hours", 36e9),
    ("m", 6e8),
    ("min", 6e8),
    ("minute", 6e8),
    ("minutes", 6e8),
    ("s", 1e7),
    ("sec", 1e7),
    ("second", 1e7),
    ("seconds", 1e7),
    ("ms", 1e4),
    ("milli", 1e4),
    ("millis", 1e4),
    ("millisec", 1e4),
    ("millisecond", 1e4),
    ("milliseconds", 1e4),
    ("micro", 10.0),
    ("micros", 10.0),
    ("microsec", 10.0),
    ("microsecond", 10.0),
    ("microseconds", 10.0),
    ("nano", 0.01),
    ("nanos", 0.01),
    ("nanosec", 0.01),
    ("nanosecond", 0.01),
    ("nanoseconds", 0.01),
    ("tick", 1.0),
    ("ticks", 1.0),
];

/// Ticks in one `unit` (`d`, `hours`, `ms`, ...), case-sensitively.
pub fn unit_ticks(unit: &str) -> Option<f64> {
    UNITS.iter().find(|(u, _)| *u == unit).map(|(_, t)| *t)
}

/// `amount` units of `per` ticks, rounded; `None` past Int64 ticks (never a saturated value).
pub fn ticks_of(amount: f64, per: f64) -> Option<i64> {
    // -2^63 is a tick count, 2^63 is not; both are exact as f64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let t = (amount * per).round();
    (-LIMIT..LIMIT).contains(&t).then_some(t as i64)
}

/// Parses timespan text as accepted inside `timespan(...)`: `[-][d.]hh:mm[:ss[.fffffff]]`,
/// a number with a unit (`2d`, `15 seconds`, `1.5h`), or a bare number of days.
pub fn parse_text(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b.trim_start()),
        None => (false, s),
    };
    // In i128, signed before narrowing: the smallest timespan's magnitude is past i64::MAX.
    let ticks: i128 = if body.contains(':') {
        clock_ticks(body)?
    } else {
        let num_len = body
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(body.len());
        let amount: f64 = body.get(..num_len)?.parse().ok()?;
        let unit = body.get(num_len..)?.trim();
        let per = if unit.is_empty() {
            864e9
        } else {
            unit_ticks(unit)?
        };
        i128::from(ticks_of(amount, per)?)
    };
    i64::try_from(if neg { -ticks } else { ticks }).ok()
}

/// `[d.]hh:mm[:ss[.fffffff]]` to ticks (unsigned magnitude; the caller narrows to Int64).
fn clock_ticks(s: &str) -> Option<i128> {
    let mut parts = s.split(':');
    let head = parts.next()?;
    let (days, hours) = match head.split_once('.') {
        Some((d, h)) => (d.parse::<i64>().ok()?, h.parse::<i64>().ok()?),
        None => (0, head.parse::<i64>().ok()?),
    };
    let minutes: i64 = parts.next()?.parse().ok()?;
    let (secs, frac) = match parts.next() {
        Some(sec) => match sec.split_once('.') {
            Some((s, f)) => (s.parse::<i64>().ok()?, f),
            None => (sec.parse::<i64>().ok()?, ""),
        },
        None => (0, ""),
    };
    // Without a day part the hours may exceed 23 (`72:00:00` is three days).
    let hours_ok = hours <= 23 || !head.contains('.');
    let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit() || c == '.');
    if !s.split(':').all(digits) {
        return None;
    }
    if parts.next().is_some() || !hours_ok || minutes > 59 || secs > 59 || frac.len() > 7 {
        return None;
    }
    if !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let frac_ticks: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<7}").parse().ok()?
    };
    // Checked: the parts are each below 2^63, so only absurd day counts overflow even i128.
    i128::from(days)
        .checked_mul(24)?
        .checked_add(i128::from(hours))?
        .checked_mul(60)?
        .checked_add(i128::from(minutes))?
        .checked_mul(60)?
        .checked_add(i128::from(secs))?
        .checked_mul(10_000_000)?
        .checked_add(i128::from(frac_ticks))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespan_text_forms() {
        assert_eq!(
            parse_text("1.02:03:04"),
            Some(((26 * 60 + 3) * 60 + 4) * 10_000_000)
        );
        assert_eq!(parse_text("00:01:00"), Some(600_000_000));
        assert_eq!(parse_text("2"), Some(2 * 864_000_000_000));
        assert_eq!(parse_text("15 seconds"), Some(150_000_000));
        assert_eq!(parse_text("0.5h"), Some(18_000_000_000));
        assert_eq!(parse_text("-1d"), Some(-864_000_000_000));
        assert_eq!(parse_text("00:00:00.1"), Some(1_000_000));
        // Past Int64 ticks: no timespan, never a wrapped or saturated one.
        assert_eq!(parse_text("99999999.00:00:00"), None);
        assert_eq!(parse_text("10675199.02:48:05.4775807"), Some(i64::MAX));
        assert_eq!(parse_text("-10675199.02:48:05.4775807"), Some(-i64::MAX));
        // The smallest timespan: its magnitude alone is past Int64.
        assert_eq!(parse_text("-10675199.02:48:05.4775808"), Some(i64::MIN));
        assert_eq!(parse_text("10675199.02:48:05.4775808"), None);
        assert_eq!(parse_text("1e300d"), None);
        assert_eq!(parse_text("20000000d"), None);
        assert_eq!(parse_text("1w"), None);
        assert_eq!(parse_text("72:00:00"), Some(72 * 36_000_000_000));
        assert_eq!(parse_text("1.25:00:00"), None);
        assert_eq!(parse_text("1:-5"), None);
    }
}
