//! Integer and tick arithmetic that never wraps: a `long` or `timespan` result outside Int64, or
//! a `datetime` outside 0001-01-01 .. 9999-12-31 23:59:59.9999999, is null. The Kusto docs say
//! nothing of overflow in scalar arithmetic; null is their answer for out-of-range values
//! elsewhere (conversions), and a wrapped number would be a silent wrong answer.
//! <https://learn.microsoft.com/kusto/query/datetime-timespan-arithmetic>

use super::args::{arg, done, longs};
use datafusion_common::Result;
use datafusion_common::arrow::array::{Array, AsArray, Int32Builder, Int64Builder};
use datafusion_common::arrow::datatypes::{DataType, Int32Type};
use datafusion_expr::ColumnarValue;
use kql_common::time;

/// `t` if it is a datetime Kusto can hold.
pub fn datetime_in_range(t: i64) -> Option<i64> {
    time::in_range(t).then_some(t)
}

/// `datetime + timespan`, null outside the datetime range.
pub fn add_to_datetime(t: i64, span: i64) -> Option<i64> {
    t.checked_add(span).and_then(datetime_in_range)
}

/// `datetime - timespan`, null outside the datetime range.
pub fn sub_from_datetime(t: i64, span: i64) -> Option<i64> {
    t.checked_sub(span).and_then(datetime_in_range)
}

fn binary(
    args: &[ColumnarValue],
    n: usize,
    name: &str,
    f: impl Fn(i64, i64) -> Option<i64>,
) -> Result<ColumnarValue> {
    let a = longs(arg(args, 0, name)?)?;
    let b = longs(arg(args, 1, name)?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(a.get(i).zip(b.get(i)).and_then(|(x, y)| f(x, y)));
    }
    done(out.finish())
}

/// `a + b` for longs and timespans.
pub fn add_long(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "+", i64::checked_add)
}

/// `a - b` for longs, timespans and `datetime - datetime`.
pub fn sub_long(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "-", i64::checked_sub)
}

/// `a * b` for longs and `timespan * long`.
pub fn mul_long(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "*", i64::checked_mul)
}

/// `datetime + timespan`.
pub fn add_datetime(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "+", add_to_datetime)
}

/// `datetime - timespan`.
pub fn sub_datetime(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "-", sub_from_datetime)
}

/// `a + b` held at the ends of Int64: the upper bound of `t between (start .. span)`, where a
/// bound past every datetime still bounds them all (a null bound would match nothing).
pub fn add_saturating(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "between", |x, y| Some(x.saturating_add(y)))
}

/// `-x` for longs and timespans.
pub fn neg_long(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let a = longs(arg(args, 0, "-")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(a.get(i).and_then(i64::checked_neg));
    }
    done(out.finish())
}

/// `-x` for ints (`-(-2147483648)` does not fit an int).
pub fn neg_int(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let a = arg(args, 0, "-")?.to_array(n)?;
    let a = datafusion_common::arrow::compute::cast(&a, &DataType::Int32)?;
    let a = a.as_primitive::<Int32Type>();
    let mut out = Int32Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(a.is_valid(i).then(|| a.value(i)).and_then(i32::checked_neg));
    }
    done(out.finish())
}

/// `abs(x)` for longs (`abs` of the smallest long does not fit).
pub fn abs_long(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let a = longs(arg(args, 0, "abs")?)?;
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(a.get(i).and_then(i64::checked_abs));
    }
    done(out.finish())
}

/// `abs(x)` for ints.
pub fn abs_int(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let a = arg(args, 0, "abs")?.to_array(n)?;
    let a = datafusion_common::arrow::compute::cast(&a, &DataType::Int32)?;
    let a = a.as_primitive::<Int32Type>();
    let mut out = Int32Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(a.is_valid(i).then(|| a.value(i)).and_then(i32::checked_abs));
    }
    done(out.finish())
}

/// A long rounded to `digits` decimal places, halves away from zero: itself for `digits >= 0`,
/// a multiple of 10^-digits otherwise; `None` when that multiple passes Int64. Exact where a
/// round trip through a real would lose the low digits of large longs.
pub fn round_long(x: i64, digits: i64) -> Option<i64> {
    if digits >= 0 {
        return Some(x);
    }
    // |x| < 10^19, so 10^20 and beyond round every long to 0.
    let Ok(places @ 1..=20) = u32::try_from(digits.unsigned_abs()) else {
        return Some(0);
    };
    let p = 10i128.pow(places);
    let (q, r) = (i128::from(x) / p, i128::from(x) % p);
    let q = if 2 * r.abs() >= p { q + r.signum() } else { q };
    i64::try_from(q * p).ok()
}

/// `round(x, digits)` for longs (see [`round_long`]).
pub fn round_long_kernel(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "round", round_long)
}

#[cfg(test)]
#[allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]
mod tests {
    use super::*;
    use datafusion_common::ScalarValue;
    use datafusion_common::arrow::array::Int64Array;
    use datafusion_common::arrow::datatypes::Int64Type;

    fn run(f: fn(&[ColumnarValue], usize) -> Result<ColumnarValue>, a: i64, b: i64) -> Option<i64> {
        let args = [
            ColumnarValue::Scalar(ScalarValue::Int64(Some(a))),
            ColumnarValue::Array(std::sync::Arc::new(Int64Array::from(vec![b]))),
        ];
        let ColumnarValue::Array(r) = f(&args, 1).unwrap() else {
            panic!("kernels return arrays")
        };
        let r = r.as_primitive::<Int64Type>();
        r.is_valid(0).then(|| r.value(0))
    }

    #[test]
    fn long_overflow_is_null_not_wrapped() {
        assert_eq!(run(add_long, i64::MAX, 1), None);
        assert_eq!(run(add_long, i64::MAX - 1, 1), Some(i64::MAX));
        assert_eq!(run(sub_long, i64::MIN, 1), None);
        assert_eq!(run(mul_long, 10000 * time::TICKS_PER_DAY, 100_000), None);
        assert_eq!(run(mul_long, -3, 4), Some(-12));
    }

    #[test]
    fn datetimes_stay_in_kusto_range() {
        let day = time::TICKS_PER_DAY;
        assert_eq!(run(add_datetime, time::MAX_TICKS, 1), None);
        assert_eq!(
            run(add_datetime, time::MAX_TICKS - day, day),
            Some(time::MAX_TICKS)
        );
        assert_eq!(run(sub_datetime, 0, 1), None);
        assert_eq!(run(sub_datetime, day, day), Some(0));
        assert_eq!(run(add_datetime, 5, i64::MAX), None);
    }

    #[test]
    fn rounding_longs_is_exact() {
        assert_eq!(round_long(i64::MAX, 0), Some(i64::MAX));
        assert_eq!(round_long(i64::MAX, 2), Some(i64::MAX));
        assert_eq!(round_long(1249, -2), Some(1200));
        assert_eq!(round_long(1250, -2), Some(1300));
        assert_eq!(round_long(-1250, -2), Some(-1300));
        assert_eq!(round_long(-1249, -2), Some(-1200));
        assert_eq!(
            round_long(9223372036854775807, -2),
            Some(9223372036854775800)
        );
        assert_eq!(round_long(9223372036854775807, -1), None);
        assert_eq!(
            round_long(9223372036854775749, -2),
            Some(9223372036854775700)
        );
        assert_eq!(round_long(5, -19), Some(0));
        assert_eq!(round_long(i64::MAX, -19), None);
        assert_eq!(round_long(i64::MAX, -20), Some(0));
        assert_eq!(round_long(i64::MIN, i64::MIN), Some(0));
    }

    #[test]
    fn negation_of_the_smallest_value_is_null() {
        let one = |v: i64| [ColumnarValue::Scalar(ScalarValue::Int64(Some(v)))];
        let ColumnarValue::Array(r) = neg_long(&one(i64::MIN), 1).unwrap() else {
            panic!("kernels return arrays")
        };
        assert!(r.is_null(0));
        let ColumnarValue::Array(r) = neg_long(&one(5), 1).unwrap() else {
            panic!("kernels return arrays")
        };
        assert_eq!(r.as_primitive::<Int64Type>().value(0), -5);
        let min = [ColumnarValue::Scalar(ScalarValue::Int32(Some(i32::MIN)))];
        let ColumnarValue::Array(r) = neg_int(&min, 1).unwrap() else {
            panic!("kernels return arrays")
        };
        assert!(r.is_null(0));
    }
}
