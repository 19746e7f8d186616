//! kqlite's own physical operators and the optimizer rules that put them into DataFusion's plans.
//!
//! Each rule runs after DataFusion's own rules and swaps one operator for another that computes
//! the same output faster for a case kqlite meets often.

mod bounded_limits;
mod count_rows;
mod range_exec;
mod view_group_exec;
mod view_group_rule;
mod view_interner;

pub use bounded_limits::{BoundedLimits, MAX_AGGREGATE_LIMIT};
pub use range_exec::{KqlQueryPlanner, RangeExec, RangePlanner};
pub use view_group_exec::ViewGroupExec;
pub use view_group_rule::ViewGroupRule;

use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_optimizer::optimizer::PhysicalOptimizer;
use std::sync::Arc;

/// DataFusion's physical optimizer rules with kqlite's inserted before the final sanity check
/// (which then checks the plans they make too).
pub fn physical_optimizer_rules() -> Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> {
    let mut rules = PhysicalOptimizer::new().rules;
    // DataFusion's aggregate_statistics (55.2) looks past a final aggregate whose partial one has
    // a FILTER (countif, dcountif, ...) down to an aggregate below it, and answers the outer one
    // with the inner one's statistics: `datatable(a:long)[1,2,3] | summarize n=count() |
    // summarize countif(n > 5)` gave 3, and other shapes an internal error. The session
    // collects no table statistics, so the rule saved little.
    rules.retain(|r| r.name() != "aggregate_statistics");
    let at = rules
        .iter()
        .position(|r| r.name() == "SanityCheckPlan")
        .unwrap_or(rules.len());
    rules.insert(at, Arc::new(ViewGroupRule));
    rules.insert(at, Arc::new(BoundedLimits));
    rules
}

#[cfg(test)]
mod tests;
