//! `decimal` arithmetic in kqlite's one decimal type, Decimal128(38, 18): products and quotients
//! are computed in 256 bits and rounded (halves away from zero) back to 18 places; a result
//! beyond 38 digits, or a division by 0, is null (as overflowing long arithmetic is). DataFusion's
//! own operators widen the scale of a product past 18 (so `100 * 100` no longer fits) and fail
//! the query on any overflow, even for `decimal(1) / decimal(3)`.
//! <https://learn.microsoft.com/kusto/query/scalar-data-types/decimal>

use super::args::{arg, done};
use datafusion_common::Result;
use datafusion_common::arrow::array::{Array, AsArray, Decimal128Builder};
use datafusion_common::arrow::compute::cast;
use datafusion_common::arrow::datatypes::{DataType, Decimal128Type, i256};
use datafusion_expr::ColumnarValue;

/// Digits after the point.
const SCALE: i8 = 18;
/// 10^18: one, at that scale.
const ONE: i128 = 1_000_000_000_000_000_000;
/// The largest value 38 digits hold.
const MAX: i128 = 99_999_999_999_999_999_999_999_999_999_999_999_999;

fn fits(v: i256) -> Option<i128> {
    v.to_i128().filter(|v| v.abs() <= MAX)
}

/// `n / d` rounded, halves away from zero; `None` for `d` = 0.
fn div_round(n: i256, d: i256) -> Option<i256> {
    let (q, r) = (n.checked_div(d)?, n.checked_rem(d)?);
    let two_r = r.checked_abs()?.checked_mul(i256::from_i128(2))?;
    Some(if two_r >= d.checked_abs()? {
        q.checked_add(n.signum().checked_mul(d.signum())?)?
    } else {
        q
    })
}

/// `a + b` (both scaled by 10^18).
pub fn add(a: i128, b: i128) -> Option<i128> {
    a.checked_add(b).filter(|v| v.abs() <= MAX)
}

/// `a - b`.
pub fn sub(a: i128, b: i128) -> Option<i128> {
    a.checked_sub(b).filter(|v| v.abs() <= MAX)
}

/// `a * b`, rounded to 18 places.
pub fn mul(a: i128, b: i128) -> Option<i128> {
    let p = i256::from_i128(a).checked_mul(i256::from_i128(b))?;
    fits(div_round(p, i256::from_i128(ONE))?)
}

/// `a / b`, rounded to 18 places; `None` for `b` = 0.
pub fn div(a: i128, b: i128) -> Option<i128> {
    let n = i256::from_i128(a).checked_mul(i256::from_i128(ONE))?;
    fits(div_round(n, i256::from_i128(b))?)
}

fn binary(
    args: &[ColumnarValue],
    n: usize,
    name: &str,
    f: fn(i128, i128) -> Option<i128>,
) -> Result<ColumnarValue> {
    let ty = DataType::Decimal128(38, SCALE);
    let a = cast(&arg(args, 0, name)?.to_array(n)?, &ty)?;
    let b = cast(&arg(args, 1, name)?.to_array(n)?, &ty)?;
    let (a, b) = (
        a.as_primitive::<Decimal128Type>(),
        b.as_primitive::<Decimal128Type>(),
    );
    let mut out = Decimal128Builder::with_capacity(n);
    for i in 0..n {
        let v = (a.is_valid(i) && b.is_valid(i))
            .then(|| f(a.value(i), b.value(i)))
            .flatten();
        out.append_option(v);
    }
    done(out.finish().with_precision_and_scale(38, SCALE)?)
}

/// `kql_decimal_add(a, b)`.
pub fn add_kernel(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "+", add)
}

/// `kql_decimal_sub(a, b)`.
pub fn sub_kernel(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "-", sub)
}

/// `kql_decimal_mul(a, b)`.
pub fn mul_kernel(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "*", mul)
}

/// `kql_decimal_div(a, b)`.
pub fn div_kernel(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    binary(args, n, "/", div)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f64) -> i128 {
        (x * 1e6).round() as i128 * 1_000_000_000_000
    }

    #[test]
    fn products_and_quotients_keep_18_places() {
        assert_eq!(mul(d(1.5), d(2.5)), Some(d(3.75)));
        assert_eq!(mul(d(100.0), d(100.0)), Some(d(10000.0)));
        assert_eq!(mul(d(-1.5), d(2.0)), Some(d(-3.0)));
        assert_eq!(div(d(1.0), d(3.0)), Some(333_333_333_333_333_333));
        assert_eq!(div(d(2.0), d(3.0)), Some(666_666_666_666_666_667));
        assert_eq!(div(d(-2.0), d(3.0)), Some(-666_666_666_666_666_667));
        assert_eq!(div(d(1.0), 0), None);
    }

    #[test]
    fn results_beyond_38_digits_are_none() {
        let big = MAX / 2 + 1;
        assert_eq!(add(big, big), None);
        assert_eq!(add(big, 1), Some(big + 1));
        assert_eq!(sub(-big, big), None);
        assert_eq!(mul(d(1e19), d(1e19)), None);
        assert_eq!(div(d(1e19), 1), None);
        assert_eq!(add(MAX, 0), Some(MAX));
    }
}
