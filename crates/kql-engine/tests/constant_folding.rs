//! Arithmetic on constants is folded before a query runs, even where kqlite's own overflow-checked
//! kernels (functions/arith.rs) replace DataFusion's operators: a time filter must stay a
//! comparison of the column with one literal, which is what prunes a snapshot's row groups.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use datafusion::prelude::SessionContext;
use kql_engine::KqlContext;
use kql_planner::{KqlSchema, KqlType};

fn optimized(kql: &str) -> String {
    let ctx = KqlContext::new();
    let schema = KqlSchema::new([
        ("TimeGenerated".to_owned(), KqlType::DateTime),
        ("DurationMs".to_owned(), KqlType::Long),
    ]);
    ctx.register_batches("T", schema, vec![]).unwrap();
    let planned = ctx.plan(kql, 638_000_000_000_000_000).unwrap();
    let plan = SessionContext::new()
        .state()
        .optimize(&planned.plan)
        .unwrap();
    plan.display_indent().to_string()
}

#[test]
fn time_filters_fold_to_a_literal() {
    for q in [
        "T | where TimeGenerated > ago(1d)",
        "T | where TimeGenerated > now(-1h) and TimeGenerated < datetime(2024-01-01) + 2 * 1d",
        "T | where TimeGenerated between (datetime(2024-01-01) .. 1d)",
    ] {
        let plan = optimized(q);
        assert!(
            !plan.contains("kql_"),
            "{q}: a kernel call is left in\n{plan}"
        );
        assert!(plan.contains("TimeGenerated >"), "{q}\n{plan}");
    }
}

#[test]
fn column_arithmetic_keeps_its_kernel() {
    let plan = optimized("T | extend x = DurationMs + 1");
    assert!(plan.contains("kql_add_long"), "{plan}");
}
