//! Rendered diagnostics, as users see them. Each case names its stable code; the snapshot shows
//! the message, line, column and caret.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

mod common;
use common::fails;
use kql_common::snippet::plain as render_plain;

#[track_caller]
fn rendered(src: &str, code: &str) -> String {
    let d = fails(src, code);
    let text = render_plain(&d, "query.kql", src);
    for internal in ["ErrorKind", "Nom(", "Tag", "nom::"] {
        assert!(!text.contains(internal), "parser internals leaked: {text}");
    }
    text
}

#[test]
fn unknown_operator_suggests_the_closest() {
    insta::assert_snapshot!(rendered(
        "AADProvisioningLogs\n| wher ResultType == 'Failure'",
        "KP003"
    ));
}

#[test]
fn foreign_operator_names_get_the_kql_spelling() {
    insta::assert_snapshot!(rendered("T | fields a, b", "KP003"));
}

#[test]
fn missing_predicate_at_end_is_unexpected_end() {
    insta::assert_snapshot!(rendered("T | where", "KP002"));
}

#[test]
fn missing_operand_after_operator() {
    insta::assert_snapshot!(rendered("T | where a == ", "KP002"));
}

#[test]
fn missing_by_after_sort() {
    insta::assert_snapshot!(rendered("T | sort TimeGenerated desc", "KP001"));
}

#[test]
fn summarize_missing_group_after_by() {
    insta::assert_snapshot!(rendered("T | summarize count() by", "KP002"));
}

#[test]
fn unclosed_parenthesis() {
    insta::assert_snapshot!(rendered("T | where (a == 1", "KP002"));
}

#[test]
fn unterminated_string() {
    insta::assert_snapshot!(rendered("T | where a == 'abc\n| count", "KP004"));
}

#[test]
fn typographic_quotes_are_explained() {
    insta::assert_snapshot!(rendered("T | where a == \u{201C}x\u{201D}", "KP008"));
}

#[test]
fn single_equals_in_predicate() {
    insta::assert_snapshot!(rendered("T | where a = 1", "KP001"));
}

#[test]
fn query_starting_with_pipe() {
    insta::assert_snapshot!(rendered("| where a == 1", "KP001"));
}

#[test]
fn bad_typed_literal() {
    insta::assert_snapshot!(rendered("print timespan(1 week)", "KP005"));
}

#[test]
fn bad_type_name() {
    insta::assert_snapshot!(rendered("datatable(a:text) ['x']", "KP001"));
}

#[test]
fn workbook_placeholder() {
    insta::assert_snapshot!(rendered("T | where TimeGenerated {TimeRange}", "KP001"));
}

#[test]
fn too_deep() {
    let src = format!("print {}1{}", "(".repeat(200), ")".repeat(200));
    let d = fails(&src, "KP006");
    assert!(d.message.contains("levels deep"), "{}", d.message);
}

#[test]
fn multi_line_position() {
    let src = "let x = 1;\nT\n| where a > x\n| extend b = \n| count";
    let d = fails(src, "KP001");
    insta::assert_snapshot!(render_plain(&d, "rules/alert.kql", src));
}

#[test]
fn two_queries_in_one_statement() {
    insta::assert_snapshot!(rendered("T | count\nU | count", "KP001"));
}
