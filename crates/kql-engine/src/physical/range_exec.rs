//! `range` as a stream: [`RangeExec`] makes the rows of a [`RangeNode`] a batch at a time as they
//! are pulled, so a range of any length runs in one batch of memory and `| take 5` stops after
//! the first batch. [`KqlQueryPlanner`] is the session's physical planner: DataFusion's, with
//! [`RangePlanner`] for range nodes.

use async_trait::async_trait;
use datafusion::arrow::array::{RecordBatch, RecordBatchOptions};
use datafusion::arrow::compute::SortOptions;
use datafusion::arrow::datatypes::{DataType, Schema, SchemaRef};
use datafusion::catalog::Session;
use datafusion::common::tree_node::{TreeNodeIterator, TreeNodeRecursion};
use datafusion::common::{DFSchema, Result, ScalarValue, internal_err};
use datafusion::execution::TaskContext;
use datafusion::execution::context::QueryPlanner;
use datafusion::logical_expr::physical_planning_context::PhysicalPlanningContext;
use datafusion::logical_expr::{LogicalPlan, UserDefinedLogicalNode};
use datafusion::physical_expr::expressions::{Column, Literal};
use datafusion::physical_expr::{
    EquivalenceProperties, Partitioning, PhysicalExpr, PhysicalSortExpr,
};
use datafusion::physical_plan::coop::cooperative;
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType, SchedulingType};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, ReplaceChildrenOptions,
    SendableRecordBatchStream,
};
use datafusion::physical_planner::{DefaultPhysicalPlanner, ExtensionPlanner, PhysicalPlanner};
use kql_planner::RangeNode;
use kql_planner::functions::range::{RangeBounds, RangeValues};
use std::fmt;
use std::sync::Arc;

/// The session's query planner: DataFusion's, which plans kqlite's range nodes with
/// [`RangePlanner`].
#[derive(Debug)]
pub struct KqlQueryPlanner;

#[async_trait]
impl QueryPlanner for KqlQueryPlanner {
    async fn create_physical_plan(
        &self,
        plan: &LogicalPlan,
        session: &dyn Session,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        DefaultPhysicalPlanner::with_extension_planners(vec![Arc::new(RangePlanner)])
            .create_physical_plan(plan, session)
            .await
    }
}

/// Plans a [`RangeNode`] as a [`RangeExec`].
#[derive(Debug)]
pub struct RangePlanner;

#[async_trait]
impl ExtensionPlanner for RangePlanner {
    async fn plan_extension(
        &self,
        planner: &dyn PhysicalPlanner,
        node: &dyn UserDefinedLogicalNode,
        _logical_inputs: &[&LogicalPlan],
        _physical_inputs: &[Arc<dyn ExecutionPlan>],
        session: &dyn Session,
        planning_ctx: &PhysicalPlanningContext,
    ) -> Result<Option<Arc<dyn ExecutionPlan>>> {
        let Some(range) = node.as_any().downcast_ref::<RangeNode>() else {
            return Ok(None);
        };
        let no_columns = DFSchema::empty();
        let physical = |e| planner.create_physical_expr(e, &no_columns, session, planning_ctx);
        let bounds = [
            physical(&range.from)?,
            physical(&range.to)?,
            physical(&range.step)?,
        ];
        let schema = Arc::new(node.schema().as_arrow().clone());
        Ok(Some(Arc::new(RangeExec::new(schema, bounds))))
    }
}

/// Makes the values of a range, in order, in one partition, a batch (the session's batch size)
/// at a time. The bounds are evaluated when the stream starts.
#[derive(Debug)]
pub struct RangeExec {
    /// start, stop, step: constants (or expressions of constants).
    bounds: [Arc<dyn PhysicalExpr>; 3],
    properties: Arc<PlanProperties>,
}

impl RangeExec {
    /// The range of the one column of `schema` (Int64 or Float64) with `bounds` of that type.
    pub fn new(schema: SchemaRef, bounds: [Arc<dyn PhysicalExpr>; 3]) -> RangeExec {
        // The values are sorted by the step's direction. When the step is a constant (as the
        // optimizer leaves a literal step or one folded from constants), saying so lets
        // DataFusion drop the sort the planner put above the range.
        let mut equivalences = EquivalenceProperties::new(schema.clone());
        if let Some(descending) = direction(&bounds[2]) {
            let options = SortOptions {
                descending,
                nulls_first: false,
            };
            let column = Arc::new(Column::new(schema.field(0).name(), 0));
            equivalences = EquivalenceProperties::new_with_orderings(
                schema,
                [[PhysicalSortExpr::new(column, options)]],
            );
        }
        let properties = PlanProperties::new(
            equivalences,
            Partitioning::UnknownPartitioning(1),
            EmissionType::Incremental,
            Boundedness::Bounded,
        )
        .with_scheduling_type(SchedulingType::Cooperative);
        RangeExec {
            bounds,
            properties: Arc::new(properties),
        }
    }

    /// The bounds' values, each evaluated once.
    fn evaluate_bounds(&self) -> Result<RangeBounds> {
        let one_row = RecordBatch::try_new_with_options(
            Arc::new(Schema::empty()),
            vec![],
            &RecordBatchOptions::new().with_row_count(Some(1)),
        )?;
        let real = self.schema().field(0).data_type() == &DataType::Float64;
        let ty = if real {
            DataType::Float64
        } else {
            DataType::Int64
        };
        let mut values = Vec::with_capacity(3);
        for bound in &self.bounds {
            let v = bound.evaluate(&one_row)?.to_array(1)?;
            values.push(ScalarValue::try_from_array(&v, 0)?.cast_to(&ty)?);
        }
        Ok(match values.as_slice() {
            [
                ScalarValue::Int64(a),
                ScalarValue::Int64(b),
                ScalarValue::Int64(s),
            ] => RangeBounds::Long(*a, *b, *s),
            [
                ScalarValue::Float64(a),
                ScalarValue::Float64(b),
                ScalarValue::Float64(s),
            ] => RangeBounds::Real(*a, *b, *s),
            _ => return internal_err!("range bounds of unexpected types: {values:?}"),
        })
    }
}

/// Whether a constant step makes the values descend (`Some(true)`) or ascend; `None` when the
/// step is known only when the query runs, or makes no rows or an error (0, NaN, null).
fn direction(step: &Arc<dyn PhysicalExpr>) -> Option<bool> {
    match step.downcast_ref::<Literal>()?.value() {
        ScalarValue::Int64(Some(s)) if *s != 0 => Some(*s < 0),
        ScalarValue::Float64(Some(s)) if *s != 0.0 && !s.is_nan() => Some(*s < 0.0),
        _ => None,
    }
}

impl DisplayAs for RangeExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter) -> fmt::Result {
        let [from, to, step] = &self.bounds;
        write!(
            f,
            "RangeExec: {} from {from} to {to} step {step}",
            self.schema().field(0).name()
        )
    }
}

impl ExecutionPlan for RangeExec {
    fn name(&self) -> &'static str {
        "RangeExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![]
    }

    fn apply_expressions(
        &self,
        f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        self.bounds.iter().apply_until_stop(f)
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if !children.is_empty() {
            return internal_err!("RangeExec has no children");
        }
        Ok(self)
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(
                datafusion::physical_plan::ChildrenPropertiesMode::Recompute,
            ),
        )
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        if partition != 0 {
            return internal_err!("RangeExec has one partition, not {partition}");
        }
        let mut values = RangeValues::new(self.evaluate_bounds()?)?;
        let batch_size = context.session_config().batch_size();
        let schema = self.schema();
        // Each batch is made when the consumer pulls it; dropping the stream stops the range.
        let batches = std::iter::from_fn(move || {
            let column = values.next_array(batch_size)?;
            Some(RecordBatch::try_new(schema.clone(), vec![column]).map_err(Into::into))
        });
        // Cooperative: a long range yields to the runtime between batches, as a scan does.
        Ok(Box::pin(cooperative(RecordBatchStreamAdapter::new(
            self.schema(),
            futures::stream::iter(batches),
        ))))
    }
}

#[cfg(test)]
#[allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]
mod tests {
    use super::*;
    use crate::KqlContext;

    fn physical_plan(kql: &str) -> String {
        let ctx = KqlContext::new();
        let planned = ctx.plan(kql, 0).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(ctx.physical_plan_text(&planned)).unwrap()
    }

    #[test]
    fn a_constant_step_needs_no_sort() {
        for q in [
            "range x from 1 to 1000000000 step 1 | take 5",
            "range x from 1000000000 to 1 step -1 | take 5",
            "range x from 1 to 3000000000 step 1 | summarize count()",
            "let s = 2; range x from 1 to 3000000000 step s * 3 | where x % 7 == 0 | take 5",
            "range t from datetime(2024-01-01) to datetime(2025-01-01) step 1s | take 5",
            "range r from 0.0 to 1e300 step 1e-300 | take 5",
        ] {
            let plan = physical_plan(q);
            assert!(plan.contains("RangeExec"), "{q}\n{plan}");
            assert!(!plan.contains("SortExec"), "{q}\n{plan}");
        }
    }

    #[test]
    fn take_stops_after_the_first_batch() {
        insta::assert_snapshot!(physical_plan(
            "range x from 1 to 1000000000 step 1 | where x % 2 == 0 | take 5"
        ));
    }

    #[test]
    fn a_step_known_only_at_run_time_declares_no_order() {
        let one = Arc::new(Literal::new(ScalarValue::Int64(Some(1))));
        let column: Arc<dyn PhysicalExpr> = Arc::new(Column::new("s", 0));
        assert_eq!(direction(&(one as Arc<dyn PhysicalExpr>)), Some(false));
        assert_eq!(direction(&column), None);
        let down: Arc<dyn PhysicalExpr> = Arc::new(Literal::new(ScalarValue::Float64(Some(-0.5))));
        assert_eq!(direction(&down), Some(true));
        let zero: Arc<dyn PhysicalExpr> = Arc::new(Literal::new(ScalarValue::Int64(Some(0))));
        assert_eq!(direction(&zero), None);
    }
}
