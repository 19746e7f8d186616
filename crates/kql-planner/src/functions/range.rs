//! The values of `range x from start to stop step s`: start, start + s, ... up to and including
//! stop. Integer ranges (long, datetime and timespan ticks) are counted and stepped in i128, so
//! a range near the ends of Int64 neither wraps nor loses values to f64 rounding.
//! <https://learn.microsoft.com/kusto/query/range-operator>

use super::args::{arg, done, longs, reals};
use datafusion_common::arrow::array::Int64Builder;
use datafusion_common::arrow::datatypes::DataType;
use datafusion_common::{Result, exec_err};
use datafusion_expr::ColumnarValue;

/// How many values an integer range has: ⌊(stop − start) / step⌋ + 1, or 0 when the step moves
/// away from stop. `None` for a step of 0 (no end). At most 2^64, so it fits a `u128`.
pub fn long_range_len(start: i64, stop: i64, step: i64) -> Option<u128> {
    if step == 0 {
        return None;
    }
    let span = i128::from(stop) - i128::from(start);
    let steps = span / i128::from(step);
    // Same sign (or zero) span: the range is not empty. Truncating division is the floor here.
    Some(if span == 0 || (span > 0) == (step > 0) {
        steps.unsigned_abs() + 1
    } else {
        0
    })
}

/// Value `index` of an integer range: start + index × step, `None` past Int64 (never the case
/// for an index below [`long_range_len`]).
pub fn long_range_value(start: i64, step: i64, index: u128) -> Option<i64> {
    let index = i128::try_from(index).ok()?;
    let v = index.checked_mul(i128::from(step))? + i128::from(start);
    i64::try_from(v).ok()
}

/// How many values a real range has, as a real (it may exceed every integer type); `None` for
/// a step of 0 or a NaN anywhere.
pub fn real_range_len(start: f64, stop: f64, step: f64) -> Option<f64> {
    let steps = ((stop - start) / step).floor();
    if step == 0.0 || steps.is_nan() {
        return None;
    }
    Some(if steps < 0.0 { 0.0 } else { steps + 1.0 })
}

/// `kql_range_last_index(start, stop, step)`: the index of the last value (−1 when there is
/// none), held at `i64::MAX - 1` for ranges longer than any list (so that the length fits);
/// an error for a step of 0, which the planner rejects when it is a constant.
pub fn range_last_index(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let real = args
        .iter()
        .any(|a| matches!(a.data_type(), DataType::Float64 | DataType::Float32));
    let mut out = Int64Builder::with_capacity(n);
    if real {
        let (a, b, s) = (
            reals(arg(args, 0, "range")?)?,
            reals(arg(args, 1, "range")?)?,
            reals(arg(args, 2, "range")?)?,
        );
        for i in 0..n {
            let len = a.get(i).zip(b.get(i)).zip(s.get(i));
            // `as` saturates: a real count past i64 is i64::MAX.
            match len.map(|((a, b), s)| real_range_len(a, b, s)) {
                Some(None) => return zero_step(),
                Some(Some(l)) => out.append_value(bounded(((l - 1.0) as i64).min(i64::MAX - 1))?),
                None => out.append_null(),
            }
        }
    } else {
        let (a, b, s) = (
            longs(arg(args, 0, "range")?)?,
            longs(arg(args, 1, "range")?)?,
            longs(arg(args, 2, "range")?)?,
        );
        for i in 0..n {
            let len = a.get(i).zip(b.get(i)).zip(s.get(i));
            match len.map(|((a, b), s)| long_range_len(a, b, s)) {
                Some(None) => return zero_step(),
                Some(Some(l)) => {
                    out.append_value(bounded(i64::try_from(l).map_or(i64::MAX - 1, |l| l - 1))?)
                }
                None => out.append_null(),
            }
        }
    }
    done(out.finish())
}

/// The most values a `range` makes: its values are made as one list when the query starts (not
/// streamed yet), about 12 bytes each, so a billion-row range would take the machine's memory.
pub const MAX_RANGE_ROWS: i64 = 100_000_000;

/// The last index, refused past [`MAX_RANGE_ROWS`] values.
fn bounded(last: i64) -> Result<i64> {
    if last >= MAX_RANGE_ROWS {
        let rows = if last >= i64::MAX - 1 {
            "more than 9223372036854775807".to_owned()
        } else {
            (i128::from(last) + 1).to_string()
        };
        return exec_err!(
            "`range` would make {rows} rows; kqlite makes at most {MAX_RANGE_ROWS} (a larger step or a narrower range makes fewer)"
        );
    }
    Ok(last)
}

fn zero_step() -> Result<ColumnarValue> {
    exec_err!("the step of `range` is 0, so the range has no end")
}

/// `kql_range_value(start, index, step)` for integer ranges (see [`long_range_value`]).
pub fn range_value(args: &[ColumnarValue], n: usize) -> Result<ColumnarValue> {
    let (a, i_, s) = (
        longs(arg(args, 0, "range")?)?,
        longs(arg(args, 1, "range")?)?,
        longs(arg(args, 2, "range")?)?,
    );
    let mut out = Int64Builder::with_capacity(n);
    for i in 0..n {
        let v = a
            .get(i)
            .zip(i_.get(i))
            .zip(s.get(i))
            .and_then(|((a, idx), s)| long_range_value(a, s, u128::try_from(idx).ok()?));
        out.append_option(v);
    }
    done(out.finish())
}

#[cfg(test)]
#[allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]
mod tests {
    use super::*;

    fn values(start: i64, stop: i64, step: i64) -> Vec<i64> {
        let len = long_range_len(start, stop, step).unwrap_or(0);
        (0..len)
            .map(|i| long_range_value(start, step, i).unwrap())
            .collect()
    }

    #[test]
    fn counts_at_the_top_of_int64() {
        let max = i64::MAX;
        assert_eq!(values(max - 7, max, 3), vec![max - 7, max - 4, max - 1]);
        assert_eq!(values(max - 2, max, 1), vec![max - 2, max - 1, max]);
        assert_eq!(values(max, max - 2, -1), vec![max, max - 1, max - 2]);
        assert_eq!(
            values(i64::MIN, i64::MIN + 2, 2),
            vec![i64::MIN, i64::MIN + 2]
        );
        // Steps whose multiples pass Int64 while the values do not.
        assert_eq!(values(-max, max, max), vec![-max, 0, max]);
    }

    #[test]
    fn counts_ordinary_and_empty_ranges() {
        assert_eq!(values(1, 8, 3), vec![1, 4, 7]);
        assert_eq!(values(5, 5, 1), vec![5]);
        assert_eq!(values(5, 1, 1), Vec::<i64>::new());
        assert_eq!(values(1, 5, -1), Vec::<i64>::new());
        assert_eq!(values(10, 1, -4), vec![10, 6, 2]);
        assert_eq!(long_range_len(1, 3, 0), None);
        assert_eq!(long_range_len(i64::MIN, i64::MAX, 1), Some(1u128 << 64));
    }

    #[test]
    fn real_ranges() {
        assert_eq!(real_range_len(0.0, 1.0, 0.25), Some(5.0));
        assert_eq!(real_range_len(1.0, 0.0, 0.25), Some(0.0));
        assert_eq!(real_range_len(1.0, 0.0, 0.0), None);
        assert_eq!(real_range_len(0.0, f64::NAN, 1.0), None);
        assert_eq!(real_range_len(0.0, 1e300, 1e-300), Some(f64::INFINITY));
    }
}
