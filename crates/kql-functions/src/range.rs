//! The values of `range x from start to stop step s`: start, start + s, ... up to and including
//! stop, made a batch at a time by [`RangeValues`]. Integer ranges (long, datetime and timespan
//! ticks) are counted and stepped in i128, so a range near the ends of Int64 neither wraps nor
//! loses values to f64 rounding.
//! <https://learn.microsoft.com/kusto/query/range-operator>

use datafusion_common::arrow::array::{ArrayRef, Float64Array, Int64Array};
use datafusion_common::{Result, exec_err};
use std::sync::Arc;

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

/// How many values a real range has, as a real (it may exceed every integer type, or be
/// infinite); 0 when a bound is NaN (no value compares within it); `None` for a step of 0.
pub fn real_range_len(start: f64, stop: f64, step: f64) -> Option<f64> {
    if step == 0.0 {
        return None;
    }
    let steps = ((stop - start) / step).floor();
    Some(if steps.is_nan() || steps < 0.0 {
        0.0
    } else {
        steps + 1.0
    })
}

/// The evaluated bounds of a range: integers (long, datetime and timespan ticks) or reals. A
/// null bound makes no rows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RangeBounds {
    /// start, stop, step of an integer range.
    Long(Option<i64>, Option<i64>, Option<i64>),
    /// start, stop, step of a real range: value i is start + i × step.
    Real(Option<f64>, Option<f64>, Option<f64>),
}

/// The values of a range, in order, at most `max` at a time: only one batch is ever held, so a
/// range of any length runs in bounded memory.
#[derive(Debug)]
pub struct RangeValues {
    bounds: RangeBounds,
    /// The index of the next value.
    next: u128,
    /// How many values there are (integer ranges).
    len: u128,
    /// How many values there are (real ranges; may be infinite).
    real_len: f64,
}

impl RangeValues {
    /// The values of `bounds`; an error for a step of 0, which has no end.
    pub fn new(bounds: RangeBounds) -> Result<RangeValues> {
        let (len, real_len) = match bounds {
            RangeBounds::Long(Some(a), Some(b), Some(s)) => match long_range_len(a, b, s) {
                Some(len) => (len, 0.0),
                None => return zero_step(),
            },
            RangeBounds::Real(Some(a), Some(b), Some(s)) => match real_range_len(a, b, s) {
                Some(len) => (0, len),
                None => return zero_step(),
            },
            _ => (0, 0.0),
        };
        Ok(RangeValues {
            bounds,
            next: 0,
            len,
            real_len,
        })
    }

    /// The next values, at most `max` (at least 1) of them; `None` after the last.
    pub fn next_array(&mut self, max: usize) -> Option<ArrayRef> {
        let max = max.max(1);
        match self.bounds {
            RangeBounds::Long(Some(start), _, Some(step)) => {
                let n = usize::try_from(self.len.saturating_sub(self.next))
                    .map_or(max, |left| left.min(max));
                if n == 0 {
                    return None;
                }
                // start + index × step in i128, then stepped: every value below len fits Int64.
                let first = i128::try_from(self.next).ok()? * i128::from(step) + i128::from(start);
                self.next += n as u128;
                let values = (0..n as i128).map(|k| first + k * i128::from(step));
                let values: Option<Vec<i64>> = values.map(|v| i64::try_from(v).ok()).collect();
                Some(Arc::new(Int64Array::from(values?)))
            }
            RangeBounds::Real(Some(start), _, Some(step)) => {
                let left = self.real_len - self.next as f64;
                if left < 1.0 {
                    return None;
                }
                // `as` saturates: an infinite or huge remainder is `max`.
                let n = (left as usize).min(max);
                let first = self.next;
                self.next += n as u128;
                let values = (0..n).map(|k| start + (first + k as u128) as f64 * step);
                Some(Arc::new(Float64Array::from_iter_values(values)))
            }
            _ => None,
        }
    }
}

fn zero_step() -> Result<RangeValues> {
    exec_err!("the step of `range` is 0, so the range has no end")
}

#[cfg(test)]
#[allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]
mod tests {
    use super::*;
    use datafusion_common::arrow::array::AsArray;
    use datafusion_common::arrow::datatypes::{Float64Type, Int64Type};

    /// Every value of an integer range, drawn `batch` at a time.
    fn drawn(bounds: RangeBounds, batch: usize) -> Vec<i64> {
        let mut values = RangeValues::new(bounds).unwrap();
        let mut out = Vec::new();
        while let Some(a) = values.next_array(batch) {
            assert!(a.len() <= batch && !a.is_empty());
            out.extend(a.as_primitive::<Int64Type>().values().iter().copied());
        }
        out
    }

    fn values(start: i64, stop: i64, step: i64) -> Vec<i64> {
        let bounds = RangeBounds::Long(Some(start), Some(stop), Some(step));
        let out = drawn(bounds, 2);
        assert_eq!(out, drawn(bounds, 8192));
        out
    }

    fn reals(start: f64, stop: f64, step: f64, batch: usize) -> Vec<f64> {
        let mut values =
            RangeValues::new(RangeBounds::Real(Some(start), Some(stop), Some(step))).unwrap();
        let mut out = Vec::new();
        while let Some(a) = values.next_array(batch) {
            out.extend(a.as_primitive::<Float64Type>().values().iter().copied());
        }
        out
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
        assert_eq!(
            values(i64::MIN + 2, i64::MIN, -1),
            vec![i64::MIN + 2, i64::MIN + 1, i64::MIN]
        );
        // Steps whose multiples pass Int64 while the values do not.
        assert_eq!(values(-max, max, max), vec![-max, 0, max]);
        assert_eq!(values(max, i64::MIN, i64::MIN), vec![max, -1]);
    }

    #[test]
    fn counts_ordinary_and_empty_ranges() {
        assert_eq!(values(1, 8, 3), vec![1, 4, 7]);
        assert_eq!(values(5, 5, 1), vec![5]);
        assert_eq!(values(5, 1, 1), Vec::<i64>::new());
        assert_eq!(values(1, 5, -1), Vec::<i64>::new());
        assert_eq!(values(10, 1, -4), vec![10, 6, 2]);
        assert_eq!(long_range_len(i64::MIN, i64::MAX, 1), Some(1u128 << 64));
    }

    #[test]
    fn a_step_of_zero_is_an_error_and_a_null_bound_makes_no_rows() {
        assert!(RangeValues::new(RangeBounds::Long(Some(1), Some(3), Some(0))).is_err());
        assert!(RangeValues::new(RangeBounds::Real(Some(1.0), Some(3.0), Some(0.0))).is_err());
        assert_eq!(
            drawn(RangeBounds::Long(None, Some(3), Some(1)), 4),
            Vec::<i64>::new()
        );
        assert_eq!(
            drawn(RangeBounds::Long(Some(1), Some(3), None), 4),
            Vec::<i64>::new()
        );
    }

    #[test]
    fn the_longest_range_is_drawn_a_batch_at_a_time() {
        // 2^64 values: only the batches asked for are ever made.
        let mut all =
            RangeValues::new(RangeBounds::Long(Some(i64::MIN), Some(i64::MAX), Some(1))).unwrap();
        let first = all.next_array(3).unwrap();
        assert_eq!(
            first.as_primitive::<Int64Type>().values().to_vec(),
            vec![i64::MIN, i64::MIN + 1, i64::MIN + 2]
        );
        assert_eq!(all.next_array(2).unwrap().len(), 2);
    }

    #[test]
    fn real_ranges() {
        assert_eq!(reals(0.0, 1.0, 0.25, 2), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(reals(1.0, 0.0, -0.5, 2), vec![1.0, 0.5, 0.0]);
        assert_eq!(reals(1.0, 0.0, 0.25, 2), Vec::<f64>::new());
        assert_eq!(reals(0.0, f64::NAN, 1.0, 2), Vec::<f64>::new());
        assert_eq!(real_range_len(1.0, 0.0, 0.0), None);
        assert_eq!(real_range_len(0.0, 1e300, 1e-300), Some(f64::INFINITY));
        // Endless, but each batch is made when asked for: value i is start + i × step.
        let mut endless =
            RangeValues::new(RangeBounds::Real(Some(0.0), Some(1e300), Some(1e-300))).unwrap();
        let first = endless.next_array(3).unwrap();
        assert_eq!(
            first.as_primitive::<Float64Type>().values().to_vec(),
            vec![0.0, 1e-300, 2e-300]
        );
    }
}
