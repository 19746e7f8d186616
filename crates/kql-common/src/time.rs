//! Kusto `datetime` and `timespan` values and text. Both are 100 ns *ticks*, as in Kusto (and
//! .NET): a datetime counts ticks since 0001-01-01T00:00:00Z, so Kusto's whole range
//! (0001-01-01 to 9999-12-31) and precision fit an `i64`; a timespan is a signed tick count.
//! Parses the accepted literal formats and prints the forms the Log Analytics query API returns.
//! <https://learn.microsoft.com/kusto/query/scalar-data-types/datetime>

/// Ticks per second.
pub const TICKS_PER_SEC: i64 = 10_000_000;
/// Ticks per day.
pub const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SEC;
/// Days from 0001-01-01 to 1970-01-01.
const EPOCH_DAYS: i64 = 719_162;
/// Ticks of 1970-01-01T00:00:00Z.
pub const UNIX_EPOCH_TICKS: i64 = EPOCH_DAYS * TICKS_PER_DAY;
/// Ticks of 9999-12-31T23:59:59.9999999Z, the largest datetime.
pub const MAX_TICKS: i64 = 3_155_378_975_999_999_999;

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: (year, month 1-12, day 1-31).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_from_name(s: &str) -> Option<u32> {
    let lower = s.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| lower.starts_with(m))
        .map(|p| p as u32 + 1)
}

/// Ticks from date and time parts (`nanos` is rounded down to whole ticks); `None` when the
/// date is invalid or outside 0001-01-01..9999-12-31.
pub fn from_parts(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32, nanos: u32) -> Option<i64> {
    if !(1..=9999).contains(&y) || !(1..=12).contains(&mo) || d == 0 || d > days_in_month(y, mo) {
        return None;
    }
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let days = days_from_civil(y, mo, d) + EPOCH_DAYS;
    let secs = i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s);
    Some(days * TICKS_PER_DAY + secs * TICKS_PER_SEC + i64::from(nanos / 100))
}

/// (year, month, day, hour, minute, second, ticks within the second) of a datetime.
pub fn to_parts(ticks: i64) -> (i64, u32, u32, u32, u32, u32, i64) {
    let days = ticks.div_euclid(TICKS_PER_DAY);
    let rem = ticks.rem_euclid(TICKS_PER_DAY);
    let (y, mo, d) = civil_from_days(days - EPOCH_DAYS);
    let secs = rem / TICKS_PER_SEC;
    (
        (y),
        mo,
        d,
        (secs / 3600) as u32,
        (secs / 60 % 60) as u32,
        (secs % 60) as u32,
        rem % TICKS_PER_SEC,
    )
}

/// Whether `ticks` is a valid datetime (0001-01-01 to 9999-12-31).
pub fn in_range(ticks: i64) -> bool {
    (0..=MAX_TICKS).contains(&ticks)
}

/// Parses `hh:mm[:ss[.fffffff]]`, returning (h, m, s, nanos).
fn parse_clock(t: &str) -> Option<(u32, u32, u32, u32)> {
    let mut parts = t.split(':');
    let h: u32 = parts.next()?.trim().parse().ok()?;
    let m: u32 = parts.next()?.trim().parse().ok()?;
    let (s, nanos) = match parts.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let s: u32 = whole.trim().parse().ok()?;
            if !frac.chars().all(|c| c.is_ascii_digit()) || frac.len() > 9 {
                return None;
            }
            let nanos = if frac.is_empty() {
                0
            } else {
                format!("{frac:0<9}").parse().ok()?
            };
            (s, nanos)
        }
    };
    if parts.next().is_some() {
        return None;
    }
    Some((h, m, s, nanos))
}

/// Applies a trailing zone designator (`Z`, `+hh:mm`, `-hhmm`, `GMT`, `UTC`) and returns
/// (rest, offset in seconds east of UTC).
fn split_zone(s: &str) -> Option<(&str, i64)> {
    let t = s.trim_end();
    for z in ["Z", "z", " GMT", " UTC", "GMT", "UTC"] {
        if let Some(rest) = t.strip_suffix(z) {
            return Some((rest.trim_end(), 0));
        }
    }
    // +hh:mm / -hh:mm / +hhmm after a time.
    if let Some(pos) = t.rfind(['+', '-']) {
        let (head, zone) = t.split_at(pos);
        let digits: String = zone
            .get(1..)
            .unwrap_or("")
            .chars()
            .filter(|c| *c != ':')
            .collect();
        if head.contains(':')
            && (digits.len() == 4 || digits.len() == 2)
            && digits.chars().all(|c| c.is_ascii_digit())
        {
            let hh: i64 = digits.get(..2)?.parse().ok()?;
            let mm: i64 = digits.get(2..).unwrap_or("0").parse().unwrap_or(0);
            let sign = if zone.starts_with('-') { -1 } else { 1 };
            return Some((head, sign * (hh * 3600 + mm * 60)));
        }
    }
    Some((t, 0))
}

/// Fast path for the ISO 8601 UTC form exports use: `2024-01-31T10:20:30[.fffffff]Z` (also with a
/// space instead of `T`, or no `Z`). `None` for anything else (use [`parse_datetime`]).
pub fn parse_iso_utc(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let mut v = 0u32;
        for c in b.get(from..from + len)? {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    if b.len() < 19
        || b.get(4) != Some(&b'-')
        || b.get(7) != Some(&b'-')
        || !matches!(b.get(10), Some(b'T' | b' '))
    {
        return None;
    }
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return None;
    }
    let (y, mo, d, h, mi, sec) = (
        num(0, 4)?,
        num(5, 2)?,
        num(8, 2)?,
        num(11, 2)?,
        num(14, 2)?,
        num(17, 2)?,
    );
    let mut i = 19;
    let mut frac = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            if i - start < 7 {
                frac = frac * 10 + i64::from(b[i] - b'0');
            }
            i += 1;
        }
        let digits = (i - start).min(7);
        if digits == 0 {
            return None;
        }
        frac *= 10i64.pow(7 - digits as u32);
    }
    match b.get(i..) {
        Some(b"Z") | Some(b"") => {}
        _ => return None,
    }
    Some(from_parts(i64::from(y), mo, d, h, mi, sec, 0)? + frac)
}

/// Parses the datetime formats Kusto accepts in `datetime(...)` and `todatetime()`:
/// ISO 8601 (`2024-01-31`, `2024-01-31T10:20:30.1234567Z`, `2024-01-31 10:20`, offsets),
/// `2024/01/31 10:20:30`, US `1/31/2024 10:20:30 AM`, RFC 822/1123 (`Wed, 31 Jan 2024 10:20:30 GMT`)
/// and RFC 850 (`Wednesday, 31-Jan-24 10:20:30 GMT`). Returns ticks.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let s = text.trim().trim_matches(|c| c == '"' || c == '\'');
    if s.is_empty() {
        return None;
    }
    let (s, offset) = split_zone(s)?;
    // `8 Nov 14 15:05` (RFC 822) and `08-Nov-14 ...` (RFC 850) start with a digit but name the month.
    let mut words = s.split_whitespace();
    let first = words.next().unwrap_or("");
    let names_month = first
        .split('-')
        .nth(1)
        .is_some_and(|m| month_from_name(m).is_some())
        || words.next().is_some_and(|w| {
            month_from_name(w).is_some() && w.chars().all(|c| c.is_ascii_alphabetic())
        });
    let value = if s.as_bytes().first().is_some_and(u8::is_ascii_digit) && !names_month {
        parse_numeric_date(s)?
    } else {
        parse_rfc_date(s)?
    };
    let ticks = value.checked_sub(offset * TICKS_PER_SEC)?;
    in_range(ticks).then_some(ticks)
}

fn parse_numeric_date(s: &str) -> Option<i64> {
    let (date, time) = match s.find(['T', ' ']) {
        Some(p) => (s.get(..p)?, s.get(p + 1..)?.trim()),
        None => (s, ""),
    };
    let (y, mo, d) = if date.contains('-')
        || (date.contains('/') && date.len() >= 8 && date.find('/') == Some(4))
    {
        let mut p = date.split(['-', '/']);
        let y: i64 = p.next()?.parse().ok()?;
        let mo: u32 = p.next()?.parse().ok()?;
        let d: u32 = p.next().map_or(Some(1), |x| x.parse().ok())?;
        if p.next().is_some() {
            return None;
        }
        (y, mo, d)
    } else if date.contains('/') {
        // US month/day/year.
        let mut p = date.split('/');
        let mo: u32 = p.next()?.parse().ok()?;
        let d: u32 = p.next()?.parse().ok()?;
        let y: i64 = p.next()?.trim_end_matches(',').parse().ok()?;
        (y, mo, d)
    } else if date.len() == 8 && date.chars().all(|c| c.is_ascii_digit()) {
        (
            date.get(..4)?.parse().ok()?,
            date.get(4..6)?.parse().ok()?,
            date.get(6..)?.parse().ok()?,
        )
    } else {
        return None;
    };
    let (h, mi, sec, nanos) = parse_time_with_ampm(time)?;
    from_parts(y, mo, d, h, mi, sec, nanos)
}

/// `10:20:30`, `10:20:30.5 PM`, or empty (midnight).
fn parse_time_with_ampm(time: &str) -> Option<(u32, u32, u32, u32)> {
    let time = time.trim().trim_start_matches(',').trim();
    if time.is_empty() {
        return Some((0, 0, 0, 0));
    }
    let upper = time.to_ascii_uppercase();
    let (clock, pm) = if let Some(c) = upper.strip_suffix("PM") {
        (c.trim().to_owned(), Some(true))
    } else if let Some(c) = upper.strip_suffix("AM") {
        (c.trim().to_owned(), Some(false))
    } else {
        (upper, None)
    };
    let (mut h, m, s, n) = parse_clock(&clock)?;
    match pm {
        Some(true) if h < 12 => h += 12,
        Some(false) if h == 12 => h = 0,
        Some(_) if h > 12 => return None,
        _ => {}
    }
    Some((h, m, s, n))
}

/// `Wed, 31 Jan 2024 10:20:30`, `Wednesday, 31-Jan-24 10:20:30`, `31 Jan 2024`.
fn parse_rfc_date(s: &str) -> Option<i64> {
    let s = match s.find(',') {
        Some(p) => s.get(p + 1..)?.trim(),
        None => s,
    };
    let mut words = s.split_whitespace();
    let date = words.next()?;
    let (d, mo, y) = if date.contains('-') {
        let mut p = date.split('-');
        (
            p.next()?.parse::<u32>().ok()?,
            month_from_name(p.next()?)?,
            p.next()?.parse::<i64>().ok()?,
        )
    } else {
        let d: u32 = date.parse().ok()?;
        let mo = month_from_name(words.next()?)?;
        let y: i64 = words.next()?.parse().ok()?;
        (d, mo, y)
    };
    let y = if y < 100 {
        if y < 50 { 2000 + y } else { 1900 + y }
    } else {
        y
    };
    let time: Vec<&str> = words.collect();
    let (h, mi, sec, nanos) = parse_time_with_ampm(&time.join(" "))?;
    from_parts(y, mo, d, h, mi, sec, nanos)
}

/// ISO 8601 UTC with `Z`; the fraction only when non-zero, up to 7 digits (100 ns ticks), as the
/// Log Analytics query API prints datetimes: `2026-11-25T10:00:00Z`, `2026-11-25T10:00:00.1234567Z`.
pub fn format_datetime(ticks: i64) -> String {
    let (y, mo, d, h, mi, s, frac) = to_parts(ticks);
    let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if frac != 0 {
        let f = format!("{frac:07}");
        out.push('.');
        out.push_str(f.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Kusto's timespan text `[-][d.]hh:mm:ss[.fffffff]`: `05:00:00`, `4.00:00:00`, `-12:00:00`,
/// `00:00:00.1000000` (a 7-digit fraction when non-zero).
pub fn format_timespan(ticks: i64) -> String {
    let neg = ticks < 0;
    let ticks = ticks.unsigned_abs();
    let total_secs = ticks / 10_000_000;
    let frac = ticks % 10_000_000;
    let days = total_secs / 86_400;
    let (h, m, s) = (
        total_secs / 3600 % 24,
        total_secs / 60 % 60,
        total_secs % 60,
    );
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if days > 0 {
        out.push_str(&format!("{days}."));
    }
    out.push_str(&format!("{h:02}:{m:02}:{s:02}"));
    if frac != 0 {
        out.push_str(&format!(".{frac:07}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> String {
        parse_datetime(text)
            .map(format_datetime)
            .unwrap_or_else(|| format!("<{text}: invalid>"))
    }

    #[test]
    fn parses_the_accepted_formats() {
        assert_eq!(iso("2024-01-31"), "2024-01-31T00:00:00Z");
        assert_eq!(iso("2024-01-31 10:20"), "2024-01-31T10:20:00Z");
        assert_eq!(
            iso("2024-01-31T10:20:30.1234567Z"),
            "2024-01-31T10:20:30.1234567Z"
        );
        assert_eq!(iso("2024-01-31T10:20:30+02:00"), "2024-01-31T08:20:30Z");
        assert_eq!(iso("2024/01/31 10:20:30"), "2024-01-31T10:20:30Z");
        assert_eq!(iso("3/14/2025, 9:12:44.123 AM"), "2025-03-14T09:12:44.123Z");
        assert_eq!(iso("3/14/2025 9:12:44 PM"), "2025-03-14T21:12:44Z");
        assert_eq!(iso("Sat, 8 Nov 2014 15:05:02 GMT"), "2014-11-08T15:05:02Z");
        assert_eq!(
            iso("Saturday, 08-Nov-14 15:05:02 GMT"),
            "2014-11-08T15:05:02Z"
        );
        assert_eq!(iso("20240131"), "2024-01-31T00:00:00Z");
        assert_eq!(iso("9 Jul 19 08:15"), "2019-07-09T08:15:00Z");
        assert_eq!(iso("09-Jul-19 08:15:30 GMT"), "2019-07-09T08:15:30Z");
        assert_eq!(iso("1601-01-01"), "1601-01-01T00:00:00Z");
        assert_eq!(parse_datetime("2024-02-30"), None);
        assert_eq!(parse_datetime("0001-01-01"), Some(0));
        assert_eq!(parse_datetime("10000-01-01"), None);
        assert_eq!(parse_datetime("yesterday"), None);
        assert_eq!(parse_datetime(""), None);
    }

    #[test]
    fn fast_iso_agrees_with_the_general_parser() {
        for t in [
            "2024-01-31T10:20:30Z",
            "2024-01-31T10:20:30.1234567Z",
            "2024-01-31 10:20:30.5",
            "2024-01-31T10:20:30.123456789Z",
        ] {
            assert_eq!(parse_iso_utc(t), parse_datetime(t), "{t}");
        }
        assert_eq!(parse_iso_utc("2024-01-31"), None);
        assert_eq!(parse_iso_utc("2024-02-30T00:00:00Z"), None);
    }

    #[test]
    fn formats_like_the_query_api() {
        assert_eq!(format_datetime(UNIX_EPOCH_TICKS), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_datetime(UNIX_EPOCH_TICKS - 1),
            "1969-12-31T23:59:59.9999999Z"
        );
        assert_eq!(format_datetime(0), "0001-01-01T00:00:00Z");
        assert_eq!(format_datetime(MAX_TICKS), "9999-12-31T23:59:59.9999999Z");
        assert_eq!(format_timespan(5 * 3600 * TICKS_PER_SEC), "05:00:00");
        assert_eq!(format_timespan(4 * TICKS_PER_DAY), "4.00:00:00");
        assert_eq!(format_timespan(-12 * 3600 * TICKS_PER_SEC), "-12:00:00");
        assert_eq!(format_timespan(1_000_000), "00:00:00.1000000");
        assert_eq!(format_timespan(15), "00:00:00.0000015");
        assert_eq!(format_timespan(i64::MIN), "-10675199.02:48:05.4775808");
    }
}
