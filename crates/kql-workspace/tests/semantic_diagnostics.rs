//! Semantic diagnostics as `kqlite check` renders them: each case is a query against the
//! built-in `AADProvisioningLogs` schema, and the snapshot shows code, message, span and help.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use kql_common::snippet::plain as render_plain;
use kql_workspace::check::{Schemas, check_query};

fn rendered(src: &str) -> String {
    let q = kql_parser::parse_query(src).expect("the query parses");
    let d = check_query(&q, &Schemas::with_builtin()).expect_err("the query has a semantic error");
    d.0.iter()
        .map(|d| render_plain(d, "rule.kql", src))
        .collect::<Vec<_>>()
        .join("\n")
}

fn passes(src: &str) {
    let q = kql_parser::parse_query(src).expect("the query parses");
    if let Err(d) = check_query(&q, &Schemas::with_builtin()) {
        panic!("{src}\n{}", render_plain(&d.0[0], "rule.kql", src));
    }
}

#[test]
fn member_access_on_a_string_column() {
    insta::assert_snapshot!(rendered(
        "AADProvisioningLogs\n| where tostring(SourceIdentity.Id) == \"x\""
    ));
    passes("AADProvisioningLogs\n| where tostring(parse_json(SourceIdentity).Id) == \"x\"");
}

#[test]
fn unknown_column_suggests_a_name() {
    insta::assert_snapshot!(rendered(
        "AADProvisioningLogs | where ResultTyp == 'Failure'"
    ));
}

#[test]
fn unknown_table_suggests_a_name() {
    insta::assert_snapshot!(rendered("AADProvisioningLog | take 1"));
}

#[test]
fn column_names_are_case_sensitive() {
    insta::assert_snapshot!(rendered("AADProvisioningLogs | project resulttype"));
}

#[test]
fn unknown_function_suggests_a_name() {
    insta::assert_snapshot!(rendered("AADProvisioningLogs | extend a = tolowr(Action)"));
}

#[test]
fn wrong_argument_count() {
    insta::assert_snapshot!(rendered(
        "AADProvisioningLogs | extend a = strlen(Action, 2)"
    ));
}

#[test]
fn wrong_argument_type() {
    insta::assert_snapshot!(rendered(
        "AADProvisioningLogs | extend a = tolower(DurationMs)"
    ));
}

#[test]
fn comparing_incompatible_types() {
    insta::assert_snapshot!(rendered(
        "AADProvisioningLogs | where TimeGenerated > 'yesterday'"
    ));
}

#[test]
fn aggregate_outside_summarize() {
    insta::assert_snapshot!(rendered("AADProvisioningLogs | extend n = count()"));
}

#[test]
fn summarize_needs_an_aggregate() {
    insta::assert_snapshot!(rendered("AADProvisioningLogs | summarize ResultType"));
}

#[test]
fn unsupported_operator_is_named() {
    insta::assert_snapshot!(rendered(
        "AADProvisioningLogs | join (AADProvisioningLogs) on Id"
    ));
}

#[test]
fn render_must_be_last() {
    insta::assert_snapshot!(rendered("AADProvisioningLogs | render timechart | take 1"));
}

#[test]
fn invalid_datetime_literal() {
    insta::assert_snapshot!(rendered(
        "AADProvisioningLogs | where TimeGenerated > datetime(2024-02-30)"
    ));
}

#[test]
fn let_names_resolve() {
    passes(
        "let threshold = 50;\nlet failures = AADProvisioningLogs | where ResultType == 'Failure';\nfailures | summarize FailureCount = count() by bin(TimeGenerated, 1h) | where FailureCount > threshold",
    );
    insta::assert_snapshot!(rendered(
        "let threshold = 50;\nAADProvisioningLogs | where DurationMs > treshold"
    ));
}

#[test]
fn the_six_monitoring_queries_check_clean() {
    for f in [
        "01-error-summary",
        "02-daily-actions",
        "03-one-user",
        "04-hourly-failures",
        "05-alert-failure-spike",
        "06-alert-no-activity",
    ] {
        let path = format!(
            "{}/../../examples/queries/{f}.kql",
            env!("CARGO_MANIFEST_DIR")
        );
        passes(&std::fs::read_to_string(path).expect("example query"));
    }
}

#[test]
fn row_number_after_its_sort_column_was_removed() {
    insta::assert_snapshot!(rendered(
        "AADProvisioningLogs\n| sort by TimeGenerated asc\n| project Id\n| extend n = row_number()"
    ));
    passes(
        "AADProvisioningLogs\n| sort by TimeGenerated asc\n| project Id, TimeGenerated\n| extend n = row_number()\n| project-away TimeGenerated",
    );
}
