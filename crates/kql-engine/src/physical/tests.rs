//! [`super::ViewGroupRule`] against DataFusion's own aggregation: same rows for every aggregate
//! kind, with nulls, short and long strings, several batches and partitions, and the
//! pass-through that high-cardinality grouping switches to.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, StringViewArray};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::util::pretty::pretty_format_batches;
use datafusion::common::ScalarValue;
use datafusion::datasource::MemTable;
use datafusion::execution::SessionStateBuilder;
use datafusion::functions_aggregate::expr_fn::{avg, count, max, min, sum};
use datafusion::logical_expr::ExprFunctionExt;
use datafusion::physical_plan::displayable;
use datafusion::prelude::{SessionConfig, SessionContext, col, lit};
use std::sync::Arc;

/// Four batches in `partitions` (1 or 2); keys cycle through `keys`, values are the row number with
/// every seventh null.
fn table(keys: &[Option<String>], partitions: usize) -> MemTable {
    let schema = Arc::new(Schema::new(vec![
        Field::new("k", DataType::Utf8View, true),
        Field::new("v", DataType::Int64, true),
    ]));
    let batch = |part: usize| {
        let rows = 0..499usize;
        let k: StringViewArray = rows
            .clone()
            .map(|r| keys[(r * 7 + part) % keys.len()].clone())
            .collect();
        let v: Int64Array = rows
            .map(|r| (r % 7 != 0).then_some((r + part) as i64))
            .collect();
        let columns: Vec<ArrayRef> = vec![Arc::new(k), Arc::new(v)];
        RecordBatch::try_new(schema.clone(), columns).unwrap()
    };
    let partitions = if partitions == 1 {
        vec![vec![batch(0), batch(1), batch(2), batch(3)]]
    } else {
        vec![vec![batch(0), batch(1)], vec![batch(2), batch(3)]]
    };
    MemTable::try_new(schema.clone(), partitions).unwrap()
}

/// How the aggregation is run: in how many partitions, and whether a partial step passes rows
/// through after the first.
#[derive(Clone, Copy)]
struct Run {
    partitions: usize,
    pass_through: bool,
}

const PARTIAL_AND_FINAL: Run = Run {
    partitions: 2,
    pass_through: false,
};

fn session(
    with_rule: bool,
    Run {
        partitions,
        pass_through,
    }: Run,
) -> SessionContext {
    let mut config = SessionConfig::new().with_target_partitions(partitions);
    if pass_through {
        let exec = &mut config.options_mut().execution;
        exec.skip_partial_aggregation_probe_rows_threshold = 1;
        exec.skip_partial_aggregation_probe_ratio_threshold = 0.0;
    }
    let mut state = SessionStateBuilder::new().with_config(config);
    if with_rule {
        state = state.with_physical_optimizer_rules(super::physical_optimizer_rules());
    }
    SessionContext::new_with_state(state.build())
}

/// The sorted rows and the physical plan of every aggregate kind by `k`.
async fn run(keys: &[Option<String>], with_rule: bool, how: Run) -> (String, String) {
    let ctx = session(with_rule, how);
    let df = ctx
        .read_table(Arc::new(table(keys, how.partitions)))
        .unwrap()
        .aggregate(
            vec![col("k")],
            vec![
                count(lit(1)).alias("n"),
                // A null constant counts nothing: not the row count.
                count(lit(ScalarValue::Int64(None))).alias("nothing"),
                count(col("v")).alias("values"),
                sum(col("v")).alias("sum"),
                min(col("v")).alias("min"),
                max(col("v")).alias("max"),
                avg(col("v")).alias("avg"),
                count(lit(1))
                    .filter(col("v").gt(lit(100)))
                    .build()
                    .unwrap()
                    .alias("over_100"),
            ],
        )
        .unwrap()
        .sort(vec![col("k").sort(true, true)])
        .unwrap();
    let plan = df.clone().create_physical_plan().await.unwrap();
    let plan = displayable(plan.as_ref()).indent(false).to_string();
    let batches = df.collect().await.unwrap();
    (pretty_format_batches(&batches).unwrap().to_string(), plan)
}

/// Runs with and without the rule; returns the plan with it.
fn same_rows_as_datafusion(keys: &[Option<String>], how: Run) -> String {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let (ours, plan) = rt.block_on(run(keys, true, how));
    let (theirs, their_plan) = rt.block_on(run(keys, false, how));
    assert!(plan.contains("ViewGroupExec"), "{plan}");
    assert!(!their_plan.contains("ViewGroupExec"), "{their_plan}");
    assert_eq!(ours, theirs);
    plan
}

fn few_keys() -> Vec<Option<String>> {
    let long = "AzureActiveDirectoryDuplicateUserPrincipalName".to_owned();
    vec![
        Some("None".into()),
        Some(long),
        None,
        Some(String::new()),
        Some("x".into()),
    ]
}

#[test]
fn few_groups_with_nulls_short_and_long_strings() {
    let plan = same_rows_as_datafusion(&few_keys(), PARTIAL_AND_FINAL);
    assert!(plan.contains("output=States"), "{plan}");
}

#[test]
fn one_partition_groups_in_a_single_step() {
    let one = Run {
        partitions: 1,
        pass_through: false,
    };
    let plan = same_rows_as_datafusion(&few_keys(), one);
    assert!(plan.contains("output=Values"), "{plan}");
}

#[test]
fn one_group_per_row_passes_rows_through() {
    let ids: Vec<Option<String>> = (0..2000)
        .map(|k| Some(format!("00000000-0000-0000-0000-{k:012}")))
        .collect();
    let pass_through = Run {
        partitions: 2,
        pass_through: true,
    };
    same_rows_as_datafusion(&ids, PARTIAL_AND_FINAL);
    same_rows_as_datafusion(&ids, pass_through);
    same_rows_as_datafusion(&few_keys(), pass_through);
}

#[test]
fn other_key_types_keep_datafusions_aggregate() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let ctx = session(true, PARTIAL_AND_FINAL);
    let plan = rt.block_on(async {
        let df = ctx
            .read_table(Arc::new(table(&few_keys(), 2)))
            .unwrap()
            .aggregate(vec![col("v")], vec![count(lit(1))])
            .unwrap();
        df.create_physical_plan().await.unwrap()
    });
    let plan = displayable(plan.as_ref()).indent(false).to_string();
    assert!(!plan.contains("ViewGroupExec"), "{plan}");
    assert!(plan.contains("AggregateExec: mode=Partial"), "{plan}");
}
