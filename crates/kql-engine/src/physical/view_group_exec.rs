//! [`ViewGroupExec`]: a `summarize ... by` one text column scanned as string views, grouping
//! through a [`ViewInterner`].
//!
//! It stands in for DataFusion's `AggregateExec` in its raw-input modes and emits exactly what
//! that would: the group values, then each aggregate's state columns (the partial step, which a
//! final step above merges) or values (a single step). The aggregates are DataFusion's own group
//! accumulators, but for `count()`. Like DataFusion, a partial step stops grouping and passes rows on as states when
//! grouping does not reduce them (nearly one group per row). `count()` is counted by
//! [`CountRows`], faster with few groups.

use super::count_rows::{CountRows, counts_every_row};
use super::view_interner::ViewInterner;
use datafusion::arrow::array::{ArrayRef, AsArray, BooleanArray, RecordBatch};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{Result, internal_err};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{EmitTo, GroupsAccumulator};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr::aggregate::AggregateFunctionExpr;
use datafusion::physical_plan::aggregates::AggregateExec;
use datafusion::physical_plan::distribution_requirements::InputDistributionRequirements;
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties,
    ReplaceChildrenOptions, SendableRecordBatchStream,
};
use futures::StreamExt;
use std::sync::Arc;

/// What a step emits for each group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupOutput {
    /// Accumulator states, for a final step to merge (DataFusion's `Partial` mode).
    States,
    /// Aggregate values, all of a group's rows being in this partition (`Single` and
    /// `SinglePartitioned`).
    Values,
}

/// One text group key and aggregates with group accumulators: what an `AggregateExec` computes.
#[derive(Debug, Clone)]
pub struct ViewGroupExec {
    /// The `AggregateExec` replaced: its input, aggregates, filters, input requirements and
    /// output properties (partitioning, constants, keys) are this operator's too.
    aggregate: Arc<AggregateExec>,
    /// The group key, evaluated on input rows (a string-view column).
    key: Arc<dyn PhysicalExpr>,
    output: GroupOutput,
}

impl ViewGroupExec {
    /// `aggregate` run by grouping on `key`, emitting `output`. The caller checks that it can
    /// be (see `view_group_rule.rs`).
    pub fn new(
        aggregate: Arc<AggregateExec>,
        key: Arc<dyn PhysicalExpr>,
        output: GroupOutput,
    ) -> ViewGroupExec {
        ViewGroupExec {
            aggregate,
            key,
            output,
        }
    }

    fn aggregates(&self) -> &[Arc<AggregateFunctionExpr>] {
        self.aggregate.aggr_expr()
    }

    fn filters(&self) -> &[Option<Arc<dyn PhysicalExpr>>] {
        self.aggregate.filter_expr()
    }
}

impl DisplayAs for ViewGroupExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let aggregates: Vec<&str> = self.aggregates().iter().map(|a| a.name()).collect();
        write!(
            f,
            "ViewGroupExec: output={:?}, gby=[{}], aggr=[{}]",
            self.output,
            self.key,
            aggregates.join(", ")
        )
    }
}

impl ExecutionPlan for ViewGroupExec {
    fn name(&self) -> &'static str {
        "ViewGroupExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.aggregate.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![self.aggregate.input()]
    }

    fn input_distribution_requirements(&self) -> InputDistributionRequirements {
        self.aggregate.input_distribution_requirements()
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        let arguments = self.aggregates().iter().flat_map(|a| a.expressions());
        let filters = self.filters().iter().flatten().cloned();
        for e in std::iter::once(self.key.clone())
            .chain(arguments)
            .chain(filters)
        {
            if f(&e)? == TreeNodeRecursion::Stop {
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let aggregate = Arc::clone(&self.aggregate).replace_children(children, options)?;
        let Some(aggregate) = aggregate.downcast_ref::<AggregateExec>() else {
            return internal_err!("ViewGroupExec: the aggregate is no longer an AggregateExec");
        };
        Ok(Arc::new(ViewGroupExec::new(
            Arc::new(aggregate.clone()),
            self.key.clone(),
            self.output,
        )))
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute),
        )
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let input = self.aggregate.input().execute(partition, context.clone())?;
        let options = &context.session_config().options().execution;
        let state = PartialGroups {
            accumulators: self
                .aggregates()
                .iter()
                .zip(self.filters())
                .map(|(a, filter)| {
                    if counts_every_row(a, filter.as_ref()) {
                        Ok(Box::new(CountRows::default()) as Box<dyn GroupsAccumulator>)
                    } else {
                        a.create_groups_accumulator()
                    }
                })
                .collect::<Result<_>>()?,
            exec: self.clone(),
            input: Some(input),
            interner: ViewInterner::new(),
            groups: Vec::new(),
            rows: 0,
            probe_rows: options.skip_partial_aggregation_probe_rows_threshold,
            probe_ratio: options.skip_partial_aggregation_probe_ratio_threshold,
            passing_through: false,
        };
        let stream = futures::stream::unfold(state, |mut state| async move {
            let batch = state.next_batch().await?;
            Some((batch, state))
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(
            self.schema(),
            stream,
        )))
    }
}

/// One partition's groups while its input is read.
struct PartialGroups {
    exec: ViewGroupExec,
    /// `None` once the input is exhausted or failed.
    input: Option<SendableRecordBatchStream>,
    accumulators: Vec<Box<dyn GroupsAccumulator>>,
    interner: ViewInterner,
    /// Group number of each row of the current batch.
    groups: Vec<usize>,
    /// Rows grouped so far.
    rows: usize,
    /// After this many rows, grouping that keeps more than `probe_ratio` groups per row stops
    /// (DataFusion's rule and settings).
    probe_rows: usize,
    probe_ratio: f64,
    /// Rows are passed on as states, ungrouped.
    passing_through: bool,
}

impl PartialGroups {
    /// The next output batch: the groups once the input ends, or (passing through) each batch's
    /// rows as states; `None` at the end.
    async fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        loop {
            let input = self.input.as_mut()?;
            let Some(batch) = input.next().await else {
                self.input = None;
                return self.emit_groups().transpose();
            };
            let step = batch.and_then(|batch| {
                if self.passing_through {
                    return self.as_states(&batch).map(Some);
                }
                self.group(&batch)?;
                if self.should_pass_through() {
                    self.passing_through = true;
                    return self.emit_groups();
                }
                Ok(None)
            });
            match step {
                Ok(None) => {}
                Ok(Some(out)) => return Some(Ok(out)),
                Err(e) => {
                    self.input = None;
                    return Some(Err(e));
                }
            }
        }
    }

    fn arguments(&self, batch: &RecordBatch) -> Result<Vec<(Vec<ArrayRef>, Option<BooleanArray>)>> {
        self.exec
            .aggregates()
            .iter()
            .zip(self.exec.filters())
            .map(|(a, filter)| {
                let values = a
                    .expressions()
                    .iter()
                    .map(|e| e.evaluate(batch)?.into_array(batch.num_rows()))
                    .collect::<Result<Vec<_>>>()?;
                let filter = match filter {
                    Some(f) => Some(
                        f.evaluate(batch)?
                            .into_array(batch.num_rows())?
                            .as_boolean()
                            .clone(),
                    ),
                    None => None,
                };
                Ok((values, filter))
            })
            .collect()
    }

    fn key(&self, batch: &RecordBatch) -> Result<ArrayRef> {
        self.exec.key.evaluate(batch)?.into_array(batch.num_rows())
    }

    fn group(&mut self, batch: &RecordBatch) -> Result<()> {
        let key = self.key(batch)?;
        let Some(views) = key.as_string_view_opt() else {
            return internal_err!("ViewGroupExec: the group key is {}", key.data_type());
        };
        self.interner.intern(views, &mut self.groups);
        let total = self.interner.len();
        let arguments = self.arguments(batch)?;
        for (acc, (values, filter)) in self.accumulators.iter_mut().zip(&arguments) {
            acc.update_batch(values, &self.groups, filter.as_ref(), total)?;
        }
        self.rows += batch.num_rows();
        Ok(())
    }

    fn should_pass_through(&self) -> bool {
        self.exec.output == GroupOutput::States
            && self.probe_ratio < 1.0
            && self.rows >= self.probe_rows
            && self.interner.len() as f64 > self.probe_ratio * self.rows as f64
    }

    /// The groups so far as one batch (none when there are none); the groups are then empty.
    fn emit_groups(&mut self) -> Result<Option<RecordBatch>> {
        if self.interner.is_empty() {
            return Ok(None);
        }
        let mut columns = vec![self.interner.take_values()];
        for acc in &mut self.accumulators {
            match self.exec.output {
                GroupOutput::States => columns.extend(acc.state(EmitTo::All)?),
                GroupOutput::Values => columns.push(acc.evaluate(EmitTo::All)?),
            }
        }
        Ok(Some(RecordBatch::try_new(self.exec.schema(), columns)?))
    }

    /// `batch`'s rows as one group each, as DataFusion passes them on when grouping does not pay.
    fn as_states(&self, batch: &RecordBatch) -> Result<RecordBatch> {
        let mut columns = vec![self.key(batch)?];
        for (acc, (values, filter)) in self.accumulators.iter().zip(self.arguments(batch)?) {
            columns.extend(acc.convert_to_state(&values, filter.as_ref())?);
        }
        Ok(RecordBatch::try_new(self.exec.schema(), columns)?)
    }
}
