//! [`ViewGroupRule`]: puts [`ViewGroupExec`] where DataFusion planned an `AggregateExec` over
//! raw rows grouping by one string-view column.

use super::view_group_exec::{GroupOutput, ViewGroupExec};
use datafusion::arrow::datatypes::DataType;
use datafusion::common::Result;
use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::aggregates::{AggregateExec, AggregateMode};
use std::sync::Arc;

/// Replaces each aggregate that [`ViewGroupExec`] can run.
#[derive(Debug, Default)]
pub struct ViewGroupRule;

impl PhysicalOptimizerRule for ViewGroupRule {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            Ok(match replacement(&node)? {
                Some(new) => Transformed::yes(new),
                None => Transformed::no(node),
            })
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "ViewGroupRule"
    }

    fn schema_check(&self) -> bool {
        true
    }
}

/// The replacement for `node` when it is an aggregate of raw rows grouping by one string-view
/// expression, unordered, whose aggregates all have group accumulators and no ordering.
fn replacement(node: &Arc<dyn ExecutionPlan>) -> Result<Option<Arc<dyn ExecutionPlan>>> {
    let Some(agg) = node.downcast_ref::<AggregateExec>() else {
        return Ok(None);
    };
    let group_by = agg.group_expr();
    let Some(key) = group_by.expr().first().map(|(e, _)| e.clone()) else {
        return Ok(None);
    };
    let output = match agg.mode() {
        AggregateMode::Partial => GroupOutput::States,
        AggregateMode::Single | AggregateMode::SinglePartitioned => GroupOutput::Values,
        _ => return Ok(None),
    };
    let simple = !group_by.has_grouping_set()
        && group_by.expr().len() == 1
        && agg.limit_options().is_none()
        && agg.properties().output_ordering().is_none()
        && agg.dynamic_expressions_produced().is_empty()
        && agg
            .aggr_expr()
            .iter()
            .all(|a| a.order_bys().is_empty() && a.groups_accumulator_supported());
    if !simple {
        return Ok(None);
    }
    if key.data_type(&agg.input_schema())? != DataType::Utf8View {
        return Ok(None);
    }
    Ok(Some(Arc::new(ViewGroupExec::new(
        Arc::new(agg.clone()),
        key,
        output,
    ))))
}
