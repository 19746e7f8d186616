//! [`CountRows`]: `count()` (a count of a non-null constant) for [`super::ViewGroupExec`], in
//! four interleaved tallies per group.
//!
//! DataFusion's count adds one to the row's group tally, row after row. With a handful of groups,
//! consecutive rows mostly hit the same tally, and each addition waits for the previous one to
//! be stored: about five cycles a row, as much as grouping the row. Rows `i`, `i+1`, `i+2` and
//! `i+3` here go to four different tallies of their groups, which proceed at once and are summed
//! when the groups are emitted. The state and the value are DataFusion's count's: one Int64 per
//! group, never null.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanArray, Int64Array};
use datafusion::arrow::datatypes::Int64Type;
use datafusion::common::Result;
use datafusion::logical_expr::{EmitTo, GroupsAccumulator};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::aggregate::AggregateFunctionExpr;
use datafusion::physical_expr::expressions::Literal;
use std::sync::Arc;

/// Tallies of each group, one per lane (row number modulo 4).
#[derive(Debug, Default)]
pub struct CountRows {
    tallies: Vec<[i64; 4]>,
}

/// Whether `aggregate` (with `filter`) counts every row: `count` of one non-null constant, not
/// distinct and unfiltered, as KQL's `count()` is planned.
pub fn counts_every_row(
    aggregate: &AggregateFunctionExpr,
    filter: Option<&Arc<dyn PhysicalExpr>>,
) -> bool {
    let arguments = aggregate.expressions();
    let [argument] = arguments.as_slice() else {
        return false;
    };
    aggregate.fun().name() == "count"
        && !aggregate.is_distinct()
        && filter.is_none()
        && argument
            .downcast_ref::<Literal>()
            .is_some_and(|l| !l.value().is_null())
}

impl CountRows {
    fn grow(&mut self, total_num_groups: usize) {
        if self.tallies.len() < total_num_groups {
            self.tallies.resize(total_num_groups, [0; 4]);
        }
    }

    /// The counts of the groups `emit_to` takes, which leave the tallies.
    fn take(&mut self, emit_to: EmitTo) -> ArrayRef {
        let counts = emit_to.take_needed(&mut self.tallies);
        Arc::new(Int64Array::from_iter_values(
            counts.iter().map(|lanes| lanes.iter().sum::<i64>()),
        ))
    }
}

impl GroupsAccumulator for CountRows {
    fn update_batch(
        &mut self,
        _values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        self.grow(total_num_groups);
        let tallies = &mut self.tallies;
        if let Some(filter) = opt_filter {
            // Not used so (see `counts_every_row`), but correct: rows the filter passes.
            for (i, &g) in group_indices.iter().enumerate() {
                if filter.is_valid(i) && filter.value(i) {
                    tallies[g][0] += 1;
                }
            }
            return Ok(());
        }
        let mut quads = group_indices.chunks_exact(4);
        for q in &mut quads {
            tallies[q[0]][0] += 1;
            tallies[q[1]][1] += 1;
            tallies[q[2]][2] += 1;
            tallies[q[3]][3] += 1;
        }
        for (lane, &g) in quads.remainder().iter().enumerate() {
            tallies[g][lane] += 1;
        }
        Ok(())
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        self.grow(total_num_groups);
        let Some(counts) = values
            .first()
            .and_then(|v| v.as_primitive_opt::<Int64Type>())
        else {
            return datafusion::common::internal_err!("CountRows: a count state is not Int64");
        };
        for (i, &g) in group_indices.iter().enumerate() {
            if counts.is_valid(i) {
                self.tallies[g][0] += counts.value(i);
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        Ok(self.take(emit_to))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.take(emit_to)])
    }

    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let rows = values.first().map_or(0, |v| v.len());
        let counts =
            (0..rows).map(|i| i64::from(opt_filter.is_none_or(|f| f.is_valid(i) && f.value(i))));
        Ok(vec![Arc::new(Int64Array::from_iter_values(counts))])
    }

    fn size(&self) -> usize {
        self.tallies.capacity() * std::mem::size_of::<[i64; 4]>()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn counts(array: &ArrayRef) -> Vec<i64> {
        array.as_primitive::<Int64Type>().values().to_vec()
    }

    #[test]
    fn rows_in_every_lane_and_the_remainder_are_counted_once() {
        let mut c = CountRows::default();
        let values: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(vec![1; 7]))];
        c.update_batch(&values, &[0, 0, 1, 0, 2, 0, 0], None, 3)
            .unwrap();
        c.update_batch(&values[..], &[2, 2, 2, 2, 2, 2, 1], None, 3)
            .unwrap();
        assert_eq!(counts(&c.evaluate(EmitTo::First(2)).unwrap()), [5, 2]);
        // The groups not emitted move up.
        assert_eq!(counts(&c.evaluate(EmitTo::All).unwrap()), [7]);
    }

    #[test]
    fn states_merge_and_filters_hold() {
        let mut c = CountRows::default();
        let states: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(vec![3, 4, 5]))];
        c.merge_batch(&states, &[1, 1, 0], 2).unwrap();
        assert_eq!(counts(&c.state(EmitTo::All).unwrap()[0]), [5, 7]);
        let filter = BooleanArray::from(vec![Some(true), None, Some(true)]);
        let rows: Vec<ArrayRef> = vec![Arc::new(Int64Array::from(vec![1; 3]))];
        let as_states = c.convert_to_state(&rows, Some(&filter)).unwrap();
        assert_eq!(counts(&as_states[0]), [1, 0, 1]);
    }
}
