//! Logical plans for representative queries, as snapshots: they show which DataFusion operators
//! and expressions each KQL operator becomes, and that every output column carries its Kusto name.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use kql_planner::{KqlSchema, KqlToRel, KqlType, PlannerOptions, SchemaCatalog};

fn catalog() -> SchemaCatalog {
    let mut c = SchemaCatalog::new();
    c.add(
        "Logs",
        KqlSchema::new([
            ("TimeGenerated".to_owned(), KqlType::DateTime),
            ("ResultType".to_owned(), KqlType::String),
            ("SourceIdentity".to_owned(), KqlType::String),
            ("DurationMs".to_owned(), KqlType::Long),
        ]),
    );
    c
}

fn plan(kql: &str) -> String {
    let q = kql_parser::parse_query(kql).expect("parses");
    let cat = catalog();
    let p = KqlToRel::new(&cat, PlannerOptions::at(0))
        .query_to_plan(&q)
        .expect("plans");
    let cols: Vec<String> = p
        .schema
        .fields
        .iter()
        .map(|f| format!("{}:{}", f.name, f.ty))
        .collect();
    format!("columns: {}\n{}", cols.join(", "), p.plan.display_indent())
}

#[test]
fn where_and_summarize_by_bin() {
    insta::assert_snapshot!(plan(
        "Logs | where ResultType == 'Failure' | summarize count() by bin(TimeGenerated, 1h)"
    ));
}

#[test]
fn dynamic_property_access_reads_the_text() {
    insta::assert_snapshot!(plan(
        "Logs | where tostring(parse_json(SourceIdentity).Id) == 'x' | project DurationMs"
    ));
}

#[test]
fn extend_replaces_in_place_and_names_columns() {
    insta::assert_snapshot!(plan(
        "Logs | extend DurationMs = DurationMs * 2, DurationMs + 1 | project-away SourceIdentity"
    ));
}

#[test]
fn sort_defaults_to_descending_nulls_last() {
    insta::assert_snapshot!(plan("Logs | sort by DurationMs | take 5"));
}

#[test]
fn arg_max_takes_the_row() {
    insta::assert_snapshot!(plan(
        "Logs | summarize arg_max(TimeGenerated, *) by ResultType"
    ));
}
