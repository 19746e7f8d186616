//! kqlite's own physical operators and the optimizer rules that put them into DataFusion's plans.
//!
//! Each rule runs after DataFusion's own rules and swaps one operator for another that computes
//! the same output faster for a case kqlite meets often.

mod count_rows;
mod view_group_exec;
mod view_group_rule;
mod view_interner;

pub use view_group_exec::ViewGroupExec;
pub use view_group_rule::ViewGroupRule;

use datafusion::physical_optimizer::PhysicalOptimizerRule;
use datafusion::physical_optimizer::optimizer::PhysicalOptimizer;
use std::sync::Arc;

/// DataFusion's physical optimizer rules with kqlite's inserted before the final sanity check
/// (which then checks the plans they make too).
pub fn physical_optimizer_rules() -> Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> {
    let mut rules = PhysicalOptimizer::new().rules;
    let at = rules
        .iter()
        .position(|r| r.name() == "SanityCheckPlan")
        .unwrap_or(rules.len());
    rules.insert(at, Arc::new(ViewGroupRule));
    rules
}

#[cfg(test)]
mod tests;
