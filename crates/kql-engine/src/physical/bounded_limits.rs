//! [`BoundedLimits`]: no aggregate preallocates by a row count the query asks for.
//!
//! DataFusion passes a `top N` or `take N` over an aggregate down into the aggregate as a limit
//! hint; its grouped top-K then reserves room for `10 * N` groups up front (`top 100000000`
//! asked for 19 GB and aborted) and overflows computing that for `N` near `i64::MAX`. A hint is
//! only a hint: the sort or limit above still cuts the rows, so a large one is dropped.

use datafusion::common::config::ConfigOptions;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::error::Result;
use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::physical_plan::aggregates::AggregateExec;
use std::sync::Arc;

/// The largest limit hint an aggregate keeps (its grouped top-K then reserves ~1M groups).
pub const MAX_AGGREGATE_LIMIT: usize = 100_000;

/// Drops aggregates' limit hints above [`MAX_AGGREGATE_LIMIT`].
#[derive(Debug, Default)]
pub struct BoundedLimits;

impl PhysicalOptimizerRule for BoundedLimits {
    fn optimize(
        &self,
        plan: Arc<dyn ExecutionPlan>,
        _config: &ConfigOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        plan.transform_up(|node| {
            let Some(agg) = node.downcast_ref::<AggregateExec>() else {
                return Ok(Transformed::no(node));
            };
            match agg.limit_options() {
                Some(l) if l.limit() > MAX_AGGREGATE_LIMIT => {
                    Ok(Transformed::yes(Arc::new(agg.with_new_limit_options(None))))
                }
                _ => Ok(Transformed::no(node)),
            }
        })
        .map(|t| t.data)
    }

    fn name(&self) -> &str {
        "BoundedLimits"
    }

    fn schema_check(&self) -> bool {
        true
    }
}
