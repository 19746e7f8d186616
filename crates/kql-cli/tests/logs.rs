//! `kqlite logs`: the portal's log list is exactly the rows of the KQL it prints.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

fn kqlite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(args)
        .output()
        .expect("kqlite runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn the_list_is_the_rows_of_the_query_it_prints() {
    let listed = kqlite(&[
        "logs",
        "--status",
        "failure",
        "--identity",
        "Kowalski",
        "--format",
        "csv",
        "--kql",
    ]);
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed.stderr));
    let stderr = text(&listed.stderr);
    let kql = stderr
        .split("\n\n")
        .next()
        .expect("the query, then a blank line");
    assert!(
        kql.starts_with("AADProvisioningLogs\n| where ResultType =~ \"failure\""),
        "{kql}"
    );
    let rows = text(&listed.stdout);
    assert!(
        rows.starts_with("Date,Identity,Action,SourceSystem,TargetSystem,Status,ErrorCode,Id\n")
    );
    let again = kqlite(&["query", "--format", "csv", kql]);
    assert_eq!(
        text(&again.stdout),
        rows,
        "the printed query gives the same rows"
    );

    // The same entries as a query written by hand: failures whose identities name Kowalski.
    let by_hand = kqlite(&[
        "query",
        "--format",
        "csv",
        "AADProvisioningLogs | where ResultType == 'Failure' \
         | where SourceIdentity contains 'Kowalski' or TargetIdentity contains 'Kowalski' | count",
    ]);
    let count: usize = text(&by_hand.stdout)
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .expect("a count");
    assert!(count > 0);
    assert_eq!(rows.lines().count() - 1, count);
    assert!(rows.lines().skip(1).all(|l| l.contains(",Failure,")));
}

#[test]
fn time_filters_and_bad_values_are_checked() {
    let o = kqlite(&["logs", "--since", "soon"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--since: `soon` is not a positive timespan"));
    let o = kqlite(&[
        "logs",
        "--from",
        "2026-11-24T00:00:00Z",
        "--to",
        "2026-11-24T01:00:00Z",
        "--action",
        "update",
        "--format",
        "csv",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let rows = text(&o.stdout);
    assert!(rows.lines().count() > 1);
    for row in rows.lines().skip(1) {
        assert!(row.starts_with("2026-11-24T00:"), "{row}");
        assert!(row.contains(",update,"), "{row}");
    }
}

#[test]
fn show_prints_a_failed_entry_s_steps_with_the_export_error() {
    // A failure whose export step failed, and its error code, found by a query.
    let found = kqlite(&[
        "query",
        "--format",
        "csv",
        "AADProvisioningLogs | where ResultType == 'Failure' \
         and ProvisioningSteps contains '\"provisioningStepType\":5,\"status\":1' \
         | sort by TimeGenerated asc | take 1 | project Id, ResultSignature",
    ]);
    let out = text(&found.stdout);
    let row = out.lines().nth(1).expect("a failed export");
    let (id, code) = row.split_once(',').expect("two columns");
    let shown = kqlite(&["show", id]);
    assert_eq!(shown.status.code(), Some(0), "{}", text(&shown.stderr));
    let pane = text(&shown.stdout);
    assert!(pane.contains("Status          Failure"), "{pane}");
    assert!(pane.contains(&format!("Error code      {code}")), "{pane}");
    assert!(pane.contains("\nSteps\n  1. Import"), "{pane}");
    assert!(
        pane.lines()
            .any(|l| l.contains("Export") && l.contains("failure")),
        "{pane}"
    );
    assert!(pane.contains(&format!("entry {id}")));

    let missing = kqlite(&["show", "no-such-entry"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("no entry or identity matches"));
}

#[test]
fn review_fixes_identity_values_since_forms_and_ids_in_any_case() {
    // `user` is a JSON key and an identity type in every identity: it must not match them all.
    let all = kqlite(&["query", "--format", "csv", "AADProvisioningLogs | count"]);
    let total: usize = text(&all.stdout).lines().nth(1).unwrap().parse().unwrap();
    let users = kqlite(&["logs", "--identity", "user", "--format", "csv"]);
    assert_eq!(users.status.code(), Some(0), "{}", text(&users.stderr));
    assert!(text(&users.stdout).lines().count() - 1 < total / 10);
    // A timespan in Kusto's own form works as --since.
    let o = kqlite(&["logs", "--since", "0.01:00:00", "--kql", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("ago(timespan(01:00:00))"),
        "{}",
        text(&o.stderr)
    );
    // An entry id pasted in upper case is the entry.
    let found = kqlite(&[
        "query",
        "--format",
        "csv",
        "AADProvisioningLogs | take 1 | project Id",
    ]);
    let id = text(&found.stdout).lines().nth(1).unwrap().to_uppercase();
    let shown = kqlite(&["show", &id]);
    assert_eq!(shown.status.code(), Some(0));
    assert!(
        text(&shown.stdout)
            .to_uppercase()
            .contains(&format!("ENTRY {id}"))
    );
    assert_eq!(kqlite(&["show", " "]).status.code(), Some(2));
}
