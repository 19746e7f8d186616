//! Datetime and timespan functions over 100 ns ticks.
//! <https://learn.microsoft.com/kusto/query/datetime-part-function>

use super::args::{arg, done, longs, reals, strs};
use datafusion_common::Result;
use datafusion_common::arrow::array::{Int64Builder, StringBuilder};
use datafusion_expr::ColumnarValue;
use kql_common::time::{self, TICKS_PER_DAY, TICKS_PER_SEC};

const TICKS_PER_HOUR: i64 = 3600 * TICKS_PER_SEC;
const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SEC;

/// Splits a format string into runs of the same letter and literal text.
fn tokens(fmt: &str) -> Vec<(char, usize)> {
    let mut out: Vec<(char, usize)> = Vec::new();
    for c in fmt.chars() {
        match out.last_mut() {
            Some((p, n)) if *p == c && c.is_ascii_alphabetic() => *n += 1,
            _ => out.push((c, 1)),
        }
    }
    out
}

fn fraction(ticks_in_sec: u64, n: usize, trim: bool) -> String {
    let digits = format!("{ticks_in_sec:07}");
    let f = &digits[..n.min(7)];
    if trim {
        f.trim_end_matches('0').to_owned()
    } else {
        f.to_owned()
    }
}

/// Formats with .NET-style specifiers: `yyyy yy MM M dd d HH H hh h mm m ss s f… F… tt`.
pub fn format_datetime_with(ticks: i64, fmt: &str) -> String {
    let (y, mo, d, h, mi, s, frac) = time::to_parts(ticks);
    let mut out = String::new();
    for (c, n) in tokens(fmt) {
        let piece = match (c, n) {
            ('y', 4..) => format!("{y:04}"),
            ('y', 2) => format!("{:02}", y % 100),
            ('y', _) => format!("{}", y % 100),
            ('M', 2..) => format!("{mo:02}"),
            ('M', _) => mo.to_string(),
            ('d', 2..) => format!("{d:02}"),
            ('d', _) => d.to_string(),
            ('H', 2..) => format!("{h:02}"),
            ('H', _) => h.to_string(),
            ('h', k) => {
                let h12 = if h % 12 == 0 { 12 } else { h % 12 };
                if k >= 2 {
                    format!("{h12:02}")
                } else {
                    h12.to_string()
                }
            }
            ('m', 2..) => format!("{mi:02}"),
            ('m', _) => mi.to_string(),
            ('s', 2..) => format!("{s:02}"),
            ('s', _) => s.to_string(),
            ('f', k) => fraction(frac.unsigned_abs(), k, false),
            ('F', k) => {
                let f = fraction(frac.unsigned_abs(), k, true);
                // .NET drops the separator before an all-zero `F` fraction ("09", not "09.").
                if f.is_empty() && out.ends_with('.') {
                    out.pop();
                }
                f
            }
            ('t', k) => {
                let ampm = if h < 12 { "AM" } else { "PM" };
                ampm[..k.min(2)].to_owned()
            }
            (c, k) => c.to_string().repeat(k),
        };
        out.push_str(&piece);
    }
    out
}

/// Formats a timespan with `d… h hh H HH m mm s ss f… F…`.
pub fn format_timespan_with(ticks: i64, fmt: &str) -> String {
    let neg = ticks < 0;
    // Unsigned: the magnitude of i64::MIN ticks is no i64.
    let t = ticks.unsigned_abs();
    let per = |unit: i64| unit.unsigned_abs();
    let (days, h, mi, s, frac) = (
        t / per(TICKS_PER_DAY),
        t / per(TICKS_PER_HOUR) % 24,
        t / per(TICKS_PER_MINUTE) % 60,
        t / per(TICKS_PER_SEC) % 60,
        t % per(TICKS_PER_SEC),
    );
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    for (c, n) in tokens(fmt) {
        let piece = match (c, n) {
            ('d', k) => format!("{days:0k$}"),
            ('h' | 'H', 2..) => format!("{h:02}"),
            ('h' | 'H', _) => h.to_string(),
            ('m', 2..) => format!("{mi:02}"),
            ('m', _) => mi.to_string(),
            ('s', 2..) => format!("{s:02}"),
            ('s', _) => s.to_string(),
            ('f', k) => fraction(frac, k, false),
            ('F', k) => fraction(frac, k, true),
            (c, k) => c.to_string().repeat(k),
        };
        out.push_str(&piece);
    }
    out
}

/// `format_datetime(datetime, format)`.
pub fn format_datetime(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let t = longs(arg(args, 0, "format_datetime")?)?;
    let f = strs(arg(args, 1, "format_datetime")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 20);
    for i in 0..n {
        out.append_value(
            t.get(i)
                .zip(f.get(i))
                .map(|(t, f)| format_datetime_with(t, f))
                .unwrap_or_default(),
        );
    }
    done(out.finish())
}

/// `format_timespan(timespan, format)`.
pub fn format_timespan(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let t = longs(arg(args, 0, "format_timespan")?)?;
    let f = strs(arg(args, 1, "format_timespan")?)?;
    let mut out = StringBuilder::with_capacity(n, n * 12);
    for i in 0..n {
        out.append_value(
            t.get(i)
                .zip(f.get(i))
                .map(|(t, f)| format_timespan_with(t, f))
                .unwrap_or_default(),
        );
    }
    done(out.finish())
}

/// ISO 8601 week number (weeks start on Monday; week 1 holds the year's first Thursday).
fn iso_week(ticks: i64) -> i64 {
    let days = ticks.div_euclid(TICKS_PER_DAY);
    let weekday_mon0 = days.rem_euclid(7); // 0001-01-01 was a Monday
    let thursday = days - weekday_mon0 + 3;
    let (y, _, _, _, _, _, _) = time::to_parts(thursday * TICKS_PER_DAY);
    let jan1 = time::from_parts(y, 1, 1, 0, 0, 0, 0).unwrap_or(0) / TICKS_PER_DAY;
    (thursday - jan1) / 7 + 1
}

/// The value of datetime part `part` (case-insensitive) of `ticks`.
pub fn part_of(part: &str, ticks: i64) -> Option<i64> {
    let (y, mo, d, h, mi, s, frac) = time::to_parts(ticks);
    Some(match part.to_ascii_lowercase().as_str() {
        "year" => y,
        "quarter" => i64::from((mo - 1) / 3 + 1),
        "month" => i64::from(mo),
        "week_of_year" | "weekofyear" | "week" => iso_week(ticks),
        "day" => i64::from(d),
        "dayofyear" => {
            let jan1 = time::from_parts(y, 1, 1, 0, 0, 0, 0)?;
            (ticks - jan1) / TICKS_PER_DAY + 1
        }
        "hour" => i64::from(h),
        "minute" => i64::from(mi),
        "second" => i64::from(s),
        "millisecond" => frac / 10_000,
        "microsecond" => frac / 10,
        "nanosecond" => frac * 100,
        _ => return None,
    })
}

/// `datetime_part(part, datetime)`.
pub fn datetime_part(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let p = strs(arg(args, 0, "datetime_part")?)?;
    let t = longs(arg(args, 1, "datetime_part")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(p.get(i).zip(t.get(i)).and_then(|(p, t)| part_of(p, t)));
    }
    done(out.finish())
}

fn add_months(ticks: i64, months: i64) -> Option<i64> {
    let (y, mo, d, h, mi, s, frac) = time::to_parts(ticks);
    let total = y
        .checked_mul(12)?
        .checked_add(i64::from(mo) - 1)?
        .checked_add(months)?;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let mut day = d;
    loop {
        if let Some(t) = time::from_parts(ny, nm, day, h, mi, s, 0) {
            return Some(t + frac);
        }
        day = day.checked_sub(1).filter(|d| *d >= 28)?;
    }
}

/// Ticks in one unit of a fixed-length part, or `None` for calendar parts.
fn unit_ticks(part: &str) -> Option<i64> {
    Some(match part {
        "week" => 7 * TICKS_PER_DAY,
        "day" => TICKS_PER_DAY,
        "hour" => TICKS_PER_HOUR,
        "minute" => TICKS_PER_MINUTE,
        "second" => TICKS_PER_SEC,
        "millisecond" => 10_000,
        "microsecond" => 10,
        "nanosecond" => 1,
        _ => return None,
    })
}

/// `datetime_add(part, amount, datetime)`.
pub fn datetime_add(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let p = strs(arg(args, 0, "datetime_add")?)?;
    let amount = longs(arg(args, 1, "datetime_add")?)?;
    let t = longs(arg(args, 2, "datetime_add")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let v = (|| {
            let part = p.get(i)?.to_ascii_lowercase();
            let (a, t) = (amount.get(i)?, t.get(i)?);
            let r = match part.as_str() {
                "year" => add_months(t, a.checked_mul(12)?),
                "quarter" => add_months(t, a.checked_mul(3)?),
                "month" => add_months(t, a),
                other => {
                    let per = unit_ticks(other)?;
                    let ticks = if other == "nanosecond" {
                        a / 100
                    } else {
                        a.checked_mul(per)?
                    };
                    t.checked_add(ticks)
                }
            }?;
            time::in_range(r).then_some(r)
        })();
        out.append_option(v);
    }
    done(out.finish())
}

/// `datetime_diff(part, t1, t2)`: how many `part` boundaries lie between t2 and t1.
pub fn datetime_diff(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let p = strs(arg(args, 0, "datetime_diff")?)?;
    let a = longs(arg(args, 1, "datetime_diff")?)?;
    let b = longs(arg(args, 2, "datetime_diff")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let v = (|| {
            let part = p.get(i)?.to_ascii_lowercase();
            let (t1, t2) = (a.get(i)?, b.get(i)?);
            let (y1, m1, ..) = time::to_parts(t1);
            let (y2, m2, ..) = time::to_parts(t2);
            Some(match part.as_str() {
                "year" => y1 - y2,
                "quarter" => {
                    (y1 * 4 + i64::from((m1 - 1) / 3)) - (y2 * 4 + i64::from((m2 - 1) / 3))
                }
                "month" => (y1 * 12 + i64::from(m1)) - (y2 * 12 + i64::from(m2)),
                "week" => (start_of_week(t1) - start_of_week(t2)) / (7 * TICKS_PER_DAY),
                "nanosecond" => (t1 - t2).checked_mul(100)?,
                other => {
                    let per = unit_ticks(other)?;
                    t1.div_euclid(per) - t2.div_euclid(per)
                }
            })
        })();
        out.append_option(v);
    }
    done(out.finish())
}

/// Start of the week (Sunday 00:00) containing `ticks`.
fn start_of_week(ticks: i64) -> i64 {
    let days = ticks.div_euclid(TICKS_PER_DAY);
    let since_sunday = (days + 1).rem_euclid(7); // 0001-01-01 was a Monday
    (days - since_sunday) * TICKS_PER_DAY
}

fn start_of(unit: &str, ticks: i64, offset: i64) -> Option<i64> {
    let r = match unit {
        "day" => ticks
            .div_euclid(TICKS_PER_DAY)
            .checked_add(offset)?
            .checked_mul(TICKS_PER_DAY)?,
        "week" => start_of_week(ticks).checked_add(offset.checked_mul(7 * TICKS_PER_DAY)?)?,
        "month" => {
            let (y, mo, ..) = time::to_parts(ticks);
            add_months(time::from_parts(y, mo, 1, 0, 0, 0, 0)?, offset)?
        }
        "year" => {
            let (y, ..) = time::to_parts(ticks);
            time::from_parts(y.checked_add(offset)?, 1, 1, 0, 0, 0, 0)?
        }
        _ => return None,
    };
    time::in_range(r).then_some(r)
}

/// `startofday/week/month/year(datetime[, offset])`: `kql_startof(unit, datetime, offset)`.
pub fn startof(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    period(args, n, start_of)
}

/// `endofday/week/month/year(datetime[, offset])`: the last tick of the period.
pub fn endof(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    period(args, n, |u, t, o| match start_of(u, t, o.checked_add(1)?) {
        Some(s) => Some(s - 1),
        // The period after the last one of year 9999 does not exist: its end is the maximum.
        None => start_of(u, t, o).map(|_| time::MAX_TICKS),
    })
}

fn period(
    args: &[ColumnarValue],
    n: usize,
    f: impl Fn(&str, i64, i64) -> Option<i64>,
) -> Result<ColumnarValue> {
    let unit = strs(arg(args, 0, "startof")?)?;
    let t = longs(arg(args, 1, "startof")?)?;
    let off = match args.get(2) {
        Some(o) => Some(longs(o)?),
        None => None,
    };
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let o = off.as_ref().map_or(Some(0), |o| o.get(i));
        out.append_option(
            unit.get(i)
                .zip(t.get(i))
                .zip(o)
                .and_then(|((u, t), o)| f(u, t, o)),
        );
    }
    done(out.finish())
}

/// `dayofweek(datetime)`: days since the preceding Sunday, as a timespan.
pub fn dayofweek(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let t = longs(arg(args, 0, "dayofweek")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(
            t.get(i)
                .map(|t| (t.div_euclid(TICKS_PER_DAY) + 1).rem_euclid(7) * TICKS_PER_DAY),
        );
    }
    done(out.finish())
}

/// `kql_unixtime_todatetime(value, unit)` with unit `s`, `ms`, `us` or `ns`.
pub fn unixtime_todatetime(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let value = arg(args, 0, "unixtime_todatetime")?;
    let integer = value.data_type().is_integer();
    let v = reals(value)?;
    let l = longs(value)?;
    let unit = strs(arg(args, 1, "unixtime_todatetime")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let r = unit.get(i).and_then(|u| {
            let (per_unit, divisor): (i64, i64) = match u {
                "s" => (TICKS_PER_SEC, 1),
                "ms" => (10_000, 1),
                "us" => (10, 1),
                "ns" => (1, 100),
                _ => return None,
            };
            // Integers are converted exactly; reals are rounded to whole ticks first, then added
            // to the epoch in integers (a float sum would lose the low digits).
            let ticks = if integer {
                l.get(i)?.checked_mul(per_unit)? / divisor
            } else {
                let x = v.get(i)?;
                let t = (x * per_unit as f64 / divisor as f64).round();
                if !t.is_finite() || t.abs() > 4e18 {
                    return None;
                }
                t as i64
            };
            let t = time::UNIX_EPOCH_TICKS.checked_add(ticks)?;
            time::in_range(t).then_some(t)
        });
        out.append_option(r);
    }
    done(out.finish())
}

/// `make_datetime(year, month, day[, hour, minute, second])`: null when the parts are invalid.
pub fn make_datetime(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let parts: Vec<_> = args.iter().map(reals).collect::<Result<_>>()?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let v: Option<Vec<f64>> = parts.iter().map(|p| p.get(i)).collect();
        let r = v.and_then(|v| {
            let part = |k: usize| v.get(k).copied().unwrap_or(0.0);
            let whole = |x: f64| (x.fract() == 0.0 && x >= 0.0).then_some(x as u32);
            let secs = part(5);
            let (s, frac) = (secs.trunc(), secs.fract());
            let base = time::from_parts(
                part(0) as i64,
                whole(part(1))?,
                whole(part(2))?,
                whole(part(3))?,
                whole(part(4))?,
                whole(s)?,
                0,
            )?;
            Some(base + (frac * TICKS_PER_SEC as f64).round() as i64)
        });
        out.append_option(r);
    }
    done(out.finish())
}

/// `make_timespan(hour, minute[, second])` or `make_timespan(day, hour, minute, second)`.
pub fn make_timespan(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let parts: Vec<_> = args.iter().map(reals).collect::<Result<_>>()?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let v: Option<Vec<f64>> = parts.iter().map(|p| p.get(i)).collect();
        let r = v.and_then(|v| {
            let (d, h, m, s) = match v.as_slice() {
                [h, m] => (0.0, *h, *m, 0.0),
                [h, m, s] => (0.0, *h, *m, *s),
                [d, h, m, s, ..] => (*d, *h, *m, *s),
                _ => (0.0, 0.0, 0.0, 0.0),
            };
            let secs = ((d * 24.0 + h) * 60.0 + m) * 60.0 + s;
            // Beyond Int64 ticks is null, not a saturated timespan.
            super::convert::real_to_long((secs * TICKS_PER_SEC as f64).round())
        });
        out.append_option(r);
    }
    done(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> i64 {
        time::parse_datetime(s).unwrap_or(-1)
    }

    #[test]
    fn formats_and_parts() {
        let x = t("2024-03-05T07:08:09.1234567Z");
        assert_eq!(
            format_datetime_with(x, "yyyy-MM-dd HH:mm:ss.fff"),
            "2024-03-05 07:08:09.123"
        );
        assert_eq!(format_datetime_with(x, "M/d/yy h:mm tt"), "3/5/24 7:08 AM");
        assert_eq!(
            format_timespan_with(TICKS_PER_DAY + 2 * TICKS_PER_HOUR, "d.hh:mm"),
            "1.02:00"
        );
        assert_eq!(part_of("Year", x), Some(2024));
        assert_eq!(part_of("dayOfYear", x), Some(65));
        assert_eq!(part_of("week_of_year", t("2021-01-03")), Some(53));
        assert_eq!(part_of("millisecond", x), Some(123));
        assert_eq!(
            start_of("week", x, 0).map(time::format_datetime),
            Some("2024-03-03T00:00:00Z".into())
        );
        assert_eq!(
            start_of("month", x, 1).map(time::format_datetime),
            Some("2024-04-01T00:00:00Z".into())
        );
        assert_eq!(
            add_months(t("2024-01-31"), 1).map(time::format_datetime),
            Some("2024-02-29T00:00:00Z".into())
        );
    }
}
