//! Conversions (`tostring`, `tolong`, ...) and integer arithmetic with Kusto's rules: failed
//! conversions give null, never an error; `%` is never negative.
//! <https://learn.microsoft.com/kusto/query/tostring-function>

use super::args::{arg, done, longs, reals, strs};
use datafusion_common::arrow::array::{
    Array, ArrayRef, AsArray, BooleanBuilder, Float64Builder, Int32Builder, Int64Builder,
    StringBuilder,
};
use datafusion_common::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use datafusion_common::{Result, ScalarValue};
use datafusion_expr::ColumnarValue;
use kql_common::time;

/// Parses a long as `tolong()` does: integer text, or real text truncated; null out of range.
pub fn parse_long(t: &str) -> Option<i64> {
    let t = t.trim();
    t.parse::<i64>()
        .ok()
        .or_else(|| parse_real(t).and_then(real_to_long))
}

/// A real truncated to a long, or `None` when it is NaN, infinite or outside Int64 (a failed
/// conversion is null: tolong-function page), never a saturated or wrapped value.
pub fn real_to_long(x: f64) -> Option<i64> {
    // -2^63 is a long, 2^63 is not; both are exact as f64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (x.is_finite() && (-LIMIT..LIMIT).contains(&x.trunc())).then(|| x.trunc() as i64)
}

/// Parses a real as `toreal()` does (`nan`, `inf`, `-inf` accepted).
pub fn parse_real(t: &str) -> Option<f64> {
    match t.trim() {
        "NaN" | "nan" => Some(f64::NAN),
        "Infinity" | "inf" | "+inf" => Some(f64::INFINITY),
        "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
        s if s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.')) => {
            s.parse().ok()
        }
        _ => None,
    }
}

/// Parses a bool as `tobool()` does: `true`/`false` in any case, or a number (non-zero is true).
pub fn parse_bool(t: &str) -> Option<bool> {
    let t = t.trim();
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        parse_long(t).map(|v| v != 0)
    }
}

/// Formats a real as Kusto prints it (`1` for 1.0, `0.5`, `NaN`, `Infinity`).
pub fn format_real(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_owned()
    } else if x.is_infinite() {
        if x > 0.0 {
            "Infinity".to_owned()
        } else {
            "-Infinity".to_owned()
        }
    } else {
        format!("{x}")
    }
}

fn type_arg(args: &[ColumnarValue], i: usize) -> String {
    match args.get(i) {
        Some(ColumnarValue::Scalar(ScalarValue::Utf8(Some(t)))) => t.clone(),
        _ => String::new(),
    }
}

/// `kql_tostring(value, type_name)`: any non-dynamic value as text; null becomes `""`.
pub fn tostring(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let ty = type_arg(args, 1);
    let a: ArrayRef = arg(args, 0, "tostring")?.to_array(n)?;
    let mut out = StringBuilder::with_capacity(n, n * 8);
    for i in 0..n {
        if a.is_null(i) {
            out.append_value("");
            continue;
        }
        let s = match (ty.as_str(), a.data_type()) {
            ("datetime", DataType::Int64) => {
                time::format_datetime(a.as_primitive::<Int64Type>().value(i))
            }
            ("timespan", DataType::Int64) => {
                time::format_timespan(a.as_primitive::<Int64Type>().value(i))
            }
            (_, DataType::Float64) => format_real(a.as_primitive::<Float64Type>().value(i)),
            (_, DataType::Boolean) => a.as_boolean().value(i).to_string(),
            (_, DataType::Int64) => a.as_primitive::<Int64Type>().value(i).to_string(),
            (_, DataType::Int32) => a.as_primitive::<Int32Type>().value(i).to_string(),
            _ => ScalarValue::try_from_array(&a, i)
                .map(|s| s.to_string())
                .unwrap_or_default(),
        };
        out.append_value(s);
    }
    done(out.finish())
}

/// Reads each row as text (numbers as their text) and converts it.
fn from_text<B, T>(
    args: &[ColumnarValue],
    n: usize,
    mut b: B,
    conv: impl Fn(&str) -> Option<T>,
    push: impl Fn(&mut B, Option<T>),
) -> Result<B> {
    let v = strs(arg(args, 0, "conversion")?)?;
    for i in 0..n {
        push(&mut b, v.get(i).and_then(&conv));
    }
    Ok(b)
}

fn numeric_input(args: &[ColumnarValue]) -> bool {
    args.first().is_some_and(|a| a.data_type().is_numeric())
}

fn bool_input(args: &[ColumnarValue]) -> bool {
    args.first()
        .is_some_and(|a| a.data_type() == DataType::Boolean)
}

/// `tolong(x)`.
pub fn tolong(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    if numeric_input(args) {
        let float = args
            .first()
            .is_some_and(|a| matches!(a.data_type(), DataType::Float64 | DataType::Float32));
        let mut out = Int64Builder::with_capacity(n);
        if float {
            let r = reals(arg(args, 0, "tolong")?)?;
            for i in 0..n {
                out.append_option(r.get(i).and_then(real_to_long));
            }
        } else {
            // Integers and decimals: a decimal out of range is null (a safe cast).
            let l = longs(arg(args, 0, "tolong")?)?;
            for i in 0..n {
                out.append_option(l.get(i));
            }
        }
        return done(out.finish());
    }
    if bool_input(args) {
        let b = super::args::bools(arg(args, 0, "tolong")?)?;
        let mut out = Int64Builder::with_capacity(n);
        for i in 0..n {
            out.append_option(b.get(i).map(i64::from));
        }
        return done(out.finish());
    }
    let b = from_text(
        args,
        n,
        Int64Builder::with_capacity(n),
        parse_long,
        |b, v| b.append_option(v),
    )?;
    let mut b = b;
    done(b.finish())
}

/// `toint(x)`: like `tolong`, null when out of the 32-bit range.
pub fn toint(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let ColumnarValue::Array(longs_arr) = tolong(args, n)? else {
        return done(Int32Builder::new().finish());
    };
    let l = longs_arr.as_primitive::<Int64Type>();
    let mut out = Int32Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(
            l.is_valid(i)
                .then(|| l.value(i))
                .and_then(|v| i32::try_from(v).ok()),
        );
    }
    done(out.finish())
}

/// `toreal(x)` / `todouble(x)`.
pub fn toreal(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    if numeric_input(args) {
        let r = reals(arg(args, 0, "toreal")?)?;
        let mut out = Float64Builder::with_capacity(n);
        for i in 0..n {
            out.append_option(r.get(i));
        }
        return done(out.finish());
    }
    // Kusto: toreal(true) is 1.0 (a bool is not text to parse).
    if bool_input(args) {
        let b = super::args::bools(arg(args, 0, "toreal")?)?;
        let mut out = Float64Builder::with_capacity(n);
        for i in 0..n {
            out.append_option(b.get(i).map(|v| f64::from(u8::from(v))));
        }
        return done(out.finish());
    }
    let mut b = from_text(
        args,
        n,
        Float64Builder::with_capacity(n),
        parse_real,
        |b, v| b.append_option(v),
    )?;
    done(b.finish())
}

/// `tobool(x)`.
pub fn tobool(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    if numeric_input(args) {
        let r = reals(arg(args, 0, "tobool")?)?;
        let mut out = BooleanBuilder::with_capacity(n);
        for i in 0..n {
            out.append_option(r.get(i).map(|x| x != 0.0));
        }
        return done(out.finish());
    }
    if bool_input(args) {
        let b = super::args::bools(arg(args, 0, "tobool")?)?;
        let mut out = BooleanBuilder::with_capacity(n);
        for i in 0..n {
            out.append_option(b.get(i));
        }
        return done(out.finish());
    }
    let mut b = from_text(
        args,
        n,
        BooleanBuilder::with_capacity(n),
        parse_bool,
        |b, v| b.append_option(v),
    )?;
    done(b.finish())
}

/// `todatetime(text)`.
pub fn todatetime(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let mut b = from_text(
        args,
        n,
        Int64Builder::with_capacity(n),
        time::parse_datetime,
        |b, v| b.append_option(v),
    )?;
    done(b.finish())
}

/// `totimespan(text)`.
pub fn totimespan(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let mut b = from_text(
        args,
        n,
        Int64Builder::with_capacity(n),
        kql_common::timespan::parse_text,
        |b, v| b.append_option(v),
    )?;
    done(b.finish())
}

/// Canonical guid text (lower-case, hyphenated) or `None`.
pub fn parse_guid(t: &str) -> Option<String> {
    let hex: String = t
        .trim()
        .trim_matches(|c| c == '{' || c == '}')
        .chars()
        .filter(|c| *c != '-')
        .collect();
    if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let h = hex.to_ascii_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// `toguid(text)`.
pub fn toguid(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let mut b = from_text(
        args,
        n,
        StringBuilder::with_capacity(n, n * 36),
        parse_guid,
        |b, v| b.append_option(v),
    )?;
    done(b.finish())
}

fn binary_longs(
    args: &[ColumnarValue],
    n: usize,
    f: impl Fn(i64, i64) -> Option<i64>,
) -> Result<ColumnarValue> {
    let a = longs(arg(args, 0, "arithmetic")?)?;
    let b = longs(arg(args, 1, "arithmetic")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(a.get(i).zip(b.get(i)).and_then(|(x, y)| f(x, y)));
    }
    done(out.finish())
}

/// `a % b` for integers: `0 <= result < abs(b)`; null when `b` is 0.
pub fn euclid_mod(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    // checked_rem_euclid is None for i64::MIN % -1 too, whose remainder is 0.
    binary_longs(args, n, |x, y| match y {
        -1 => Some(0),
        _ => x.checked_rem_euclid(y),
    })
}

/// `a / b` for integers: truncates; null when `b` is 0.
pub fn int_div(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary_longs(args, n, |x, y| x.checked_div(y))
}

/// `bin(x, size)` for longs (also datetime and timespan ticks): rounds down to a multiple.
pub fn bin_long(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary_longs(args, n, |x, size| {
        // The bin of a value near i64::MIN may start below it: null, not a wrapped bin.
        (size > 0)
            .then(|| x.div_euclid(size).checked_mul(size))
            .flatten()
    })
}

/// `bin_at(x, size, at)` for longs, datetimes and timespans: the bin of `x` among bins of `size`
/// that start at `at`, in i128 (`x - at` may pass Int64); `None` when that bin does not fit.
pub fn bin_at_ticks(x: i64, size: i64, at: i64) -> Option<i64> {
    if size <= 0 {
        return None;
    }
    let (x, size, at) = (i128::from(x), i128::from(size), i128::from(at));
    i64::try_from((x - at).div_euclid(size) * size + at).ok()
}

fn ternary_longs(
    args: &[ColumnarValue],
    n: usize,
    f: impl Fn(i64, i64, i64) -> Option<i64>,
) -> Result<ColumnarValue> {
    let a = longs(arg(args, 0, "bin_at")?)?;
    let b = longs(arg(args, 1, "bin_at")?)?;
    let c = longs(arg(args, 2, "bin_at")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let v = a.get(i).zip(b.get(i)).zip(c.get(i));
        out.append_option(v.and_then(|((x, size), at)| f(x, size, at)));
    }
    done(out.finish())
}

/// `kql_bin_at(x, size, at)` for longs and timespans.
pub fn bin_at(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    ternary_longs(args, n, bin_at_ticks)
}

/// `kql_bin_at_datetime(x, size, at)`: a bin that starts before 0001-01-01 is null.
pub fn bin_at_datetime(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    ternary_longs(args, n, |x, size, at| {
        bin_at_ticks(x, size, at).filter(|t| time::in_range(*t))
    })
}

/// `bin(x, size)` for reals.
pub fn bin_real(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let a = reals(arg(args, 0, "bin")?)?;
    let b = reals(arg(args, 1, "bin")?)?;
    let mut out = Float64Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(
            a.get(i)
                .zip(b.get(i))
                .and_then(|(x, s)| (s > 0.0).then(|| (x / s).floor() * s)),
        );
    }
    done(out.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_outside_int64_are_not_longs() {
        assert_eq!(real_to_long(2.9), Some(2));
        assert_eq!(real_to_long(-2.9), Some(-2));
        assert_eq!(real_to_long(-9_223_372_036_854_775_808.0), Some(i64::MIN));
        assert_eq!(real_to_long(9_223_372_036_854_775_808.0), None);
        assert_eq!(real_to_long(1e308), None);
        assert_eq!(real_to_long(-1e308), None);
        assert_eq!(real_to_long(f64::NAN), None);
        assert_eq!(real_to_long(f64::INFINITY), None);
    }

    #[test]
    fn bins_at_an_anchor_past_int64() {
        assert_eq!(bin_at_ticks(5, 3, i64::MAX), Some(4));
        // i64::MAX - i64::MIN is 2^64 - 1, whose bin of 10 ends 5 below it.
        assert_eq!(bin_at_ticks(i64::MAX, 10, i64::MIN), Some(i64::MAX - 5));
        // i64::MAX is a multiple of 7, so the bins are too.
        assert_eq!(bin_at_ticks(-1, 7, i64::MAX), Some(-7));
        assert_eq!(bin_at_ticks(i64::MIN, 10, 5), None);
        assert_eq!(bin_at_ticks(7, 0, 0), None);
    }

    #[test]
    fn long_text_out_of_range_is_null() {
        assert_eq!(parse_long("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_long("99999999999999999999"), None);
        assert_eq!(parse_long("1e308"), None);
        assert_eq!(parse_long(" 12.7 "), Some(12));
    }
}
