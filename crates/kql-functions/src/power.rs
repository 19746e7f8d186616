//! `pow(base, exponent)` as .NET's `Math.Pow`, which Kusto's real arithmetic follows: IEEE 754
//! `pow`, so `pow(0.0, -1.0)` is +inf and `pow(-8.0, 1.0/3)` is NaN. DataFusion's `power` fails the
//! query for a zero base with a negative exponent.
//! <https://learn.microsoft.com/kusto/query/pow-function>

use super::args::{arg, done, reals};
use datafusion_common::Result;
use datafusion_common::arrow::array::Float64Builder;
use datafusion_expr::ColumnarValue;

/// `kql_pow(base, exponent)` over reals; null when either is null.
pub fn pow(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let base = reals(arg(args, 0, "pow")?)?;
    let exponent = reals(arg(args, 1, "pow")?)?;
    let mut out = Float64Builder::with_capacity(n);
    for i in 0..n {
        out.append_option(base.get(i).zip(exponent.get(i)).map(|(b, e)| b.powf(e)));
    }
    done(out.finish())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;
    use datafusion_common::ScalarValue;
    use datafusion_common::arrow::array::{Array, AsArray};
    use datafusion_common::arrow::datatypes::Float64Type;

    fn pow_of(b: Option<f64>, e: Option<f64>) -> Option<f64> {
        let args = [
            ColumnarValue::Scalar(ScalarValue::Float64(b)),
            ColumnarValue::Scalar(ScalarValue::Float64(e)),
        ];
        let ColumnarValue::Array(a) = pow(&args, 1).unwrap() else {
            unreachable!("pow returns an array")
        };
        let a = a.as_primitive::<Float64Type>();
        a.is_valid(0).then(|| a.value(0))
    }

    #[test]
    fn pow_follows_math_pow() {
        assert_eq!(pow_of(Some(0.0), Some(-1.0)), Some(f64::INFINITY));
        assert_eq!(pow_of(Some(-0.0), Some(-1.0)), Some(f64::NEG_INFINITY));
        assert_eq!(pow_of(Some(2.0), Some(10.0)), Some(1024.0));
        assert!(pow_of(Some(-8.0), Some(1.0 / 3.0)).is_some_and(f64::is_nan));
        assert_eq!(pow_of(None, Some(1.0)), None);
    }
}
