//! The workspace API as a front end uses it: attach, prepare, run, with the events an observer
//! collects.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../kql-ingest/tests/common/mod.rs"]
mod common;

use kql_workspace::generate::{DEMO_START, GenOptions, Shape, rows, write};
use kql_workspace::{
    AAD_PROVISIONING_LOGS as LOGS, AttachOptions, Collected, Error, Event, Input, Silent, Source,
    Workspace,
};
use std::path::PathBuf;
use std::sync::Arc;

/// An NDJSON export of `n` generated rows plus one line that is not a record.
fn export(name: &str, n: usize) -> PathBuf {
    let dir = common::scratch("workspace-api", name);
    let rows = rows(&GenOptions {
        rows: n,
        seed: 7,
        start: DEMO_START,
        days: 1,
    });
    let path = dir.join("rows.json");
    let text = write(&rows, Shape::Ndjson) + "{not a record\n";
    std::fs::write(&path, text).unwrap();
    path
}

fn files_reported(events: &[Event]) -> Vec<(usize, usize)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::File { report, .. } => Some((report.loaded, report.rejected.len())),
            _ => None,
        })
        .collect()
}

fn count(result: &kql_workspace::KqlResult) -> i64 {
    use datafusion::arrow::array::AsArray;
    use datafusion::arrow::datatypes::Int64Type;
    result.batches[0]
        .column(0)
        .as_primitive::<Int64Type>()
        .value(0)
}

#[tokio::test]
async fn exports_convert_when_a_query_reads_them_and_only_what_it_reads() {
    let path = export("lazy", 50);
    let ws = Workspace::new();
    let seen = Arc::new(Collected::default());
    let options = AttachOptions::default();
    let attached = ws
        .attach(LOGS, Source::Exports(vec![path]), options, seen.clone())
        .unwrap();
    assert_eq!((attached.files, attached.rows), (1, None));
    assert!(seen.events().is_empty(), "nothing is read on attach");

    let q = ws
        .prepare(
            "AADProvisioningLogs | where ResultType == 'Failure' | count",
            0,
        )
        .unwrap();
    assert_eq!(
        q.reads(),
        [(LOGS.to_owned(), vec!["ResultType".to_owned()])]
    );
    ws.run(&q, 0).await.unwrap();
    // The record that is not one is reported with its line: 50 + 1 = 51 lines.
    assert_eq!(files_reported(&seen.events()), [(50, 1)]);

    // What is converted stays converted: a query of the same column reads nothing again...
    let again = ws.prepare("AADProvisioningLogs | count", 0).unwrap();
    let total = ws.run(&again, 0).await.unwrap();
    assert_eq!(count(&total), 50);
    assert_eq!(files_reported(&seen.events()).len(), 1);
    // ...and one that needs more columns converts the file again.
    let wider = ws
        .prepare("AADProvisioningLogs | summarize dcount(Id)", 0)
        .unwrap();
    ws.run(&wider, 0).await.unwrap();
    assert_eq!(files_reported(&seen.events()), [(50, 1), (50, 1)]);
}

#[tokio::test]
async fn a_strict_attach_fails_the_query_that_converts_a_rejected_record() {
    let path = export("strict", 3);
    let ws = Workspace::new();
    let options = AttachOptions {
        strict: true,
        ..AttachOptions::default()
    };
    let seen = Arc::new(Collected::default());
    ws.attach(LOGS, Source::Exports(vec![path]), options, seen.clone())
        .unwrap();
    let q = ws.prepare("AADProvisioningLogs | count", 0).unwrap();
    match ws.run(&q, 0).await {
        Err(Error::Rejected(1)) => {}
        other => panic!("expected one rejection, got {other:?}"),
    }
    // The rejection itself was reported before the failure.
    assert_eq!(files_reported(&seen.events()), [(3, 1)]);
}

#[tokio::test]
async fn a_prepared_query_runs_at_other_times_without_parsing_again() {
    let ws = Workspace::new();
    ws.attach(
        LOGS,
        Source::Demo,
        AttachOptions::default(),
        Silent::shared(),
    )
    .unwrap();
    let q = ws
        .prepare(
            "AADProvisioningLogs | where TimeGenerated > ago(1d) | count",
            kql_workspace::DEMO_END,
        )
        .unwrap();
    let last_day = count(&ws.run(&q, kql_workspace::DEMO_END).await.unwrap());
    let day = 864_000_000_000;
    let week_later = count(&ws.run(&q, kql_workspace::DEMO_END + 7 * day).await.unwrap());
    let all = count(&ws.run(&q, DEMO_START + day / 2).await.unwrap());
    assert!(last_day > 0 && last_day < 20_000, "{last_day}");
    assert_eq!(week_later, 0);
    assert!(all > 0 && all < last_day * 10, "{all}");
}

#[tokio::test]
async fn snapshots_are_scanned_in_place_with_their_counts_known_on_attach() {
    let dir = common::scratch("workspace-api", "snapshot");
    let ws = Workspace::new();
    let seen = Arc::new(Collected::default());
    let source = Source::Exports(vec![export("for-snapshot", 20)]);
    ws.attach(LOGS, source, AttachOptions::default(), seen.clone())
        .unwrap();
    let snapshot = dir.join("logs.parquet");
    assert_eq!(ws.write_snapshot(LOGS, &snapshot).unwrap(), 20);

    let read = Workspace::new();
    let seen = Arc::new(Collected::default());
    let attached = read
        .attach(
            LOGS,
            Source::Exports(vec![snapshot]),
            AttachOptions::default(),
            seen.clone(),
        )
        .unwrap();
    assert_eq!(attached.rows, Some(20));
    assert_eq!(files_reported(&seen.events()), [(20, 0)]);
    let q = read.prepare("AADProvisioningLogs | count", 0).unwrap();
    assert!(q.reads().is_empty(), "a snapshot needs no conversion");
    assert_eq!(count(&read.run(&q, 0).await.unwrap()), 20);
}

#[test]
fn bad_paths_and_names_are_usage_errors() {
    let ws = Workspace::new();
    let missing = Source::Exports(vec![PathBuf::from("/no/such/export.json")]);
    let e = ws
        .attach(LOGS, missing, AttachOptions::default(), Silent::shared())
        .unwrap_err();
    assert!(matches!(e, Error::Path(_)) && e.is_usage(), "{e:?}");
    let e = ws
        .attach_file(
            "1st",
            &export("name", 1),
            AttachOptions::default(),
            Silent::shared(),
        )
        .unwrap_err();
    assert!(matches!(e, Error::Name(_)) && e.is_usage(), "{e:?}");
}

fn first_long(result: &kql_workspace::KqlResult) -> i64 {
    count(result)
}

#[tokio::test]
async fn definitions_typed_on_their_own_are_kept_for_later_queries() {
    let ws = Workspace::new();
    ws.attach(
        LOGS,
        Source::Demo,
        AttachOptions::default(),
        Silent::shared(),
    )
    .unwrap();
    let defined = ws.prepare_input("let threshold = 3;", 0).unwrap();
    assert!(
        matches!(&defined, Input::Defined(names) if names == &["threshold"]),
        "{defined:?}"
    );
    let q = ws.prepare("print t = threshold * 2", 0).unwrap();
    assert_eq!(first_long(&ws.run(&q, 0).await.unwrap()), 6);

    // A new definition of a name replaces the old one; functions and tables are kept too.
    ws.prepare_input("let threshold = 4; let twice = (x: long) { x * 2 };", 0)
        .unwrap();
    ws.prepare_input(
        "let failures = AADProvisioningLogs | where ResultType == 'Failure';",
        0,
    )
    .unwrap();
    let q = match ws.prepare_input("print t = twice(threshold)", 0).unwrap() {
        Input::Query(q) => q,
        other => panic!("a query, not {other:?}"),
    };
    assert_eq!(first_long(&ws.run(&q, 0).await.unwrap()), 8);
    let q = ws.prepare("failures | count", 0).unwrap();
    assert_eq!(
        q.reads(),
        [(LOGS.to_owned(), vec!["ResultType".to_owned()])]
    );
    assert!(first_long(&ws.run(&q, 0).await.unwrap()) > 0);

    // A definition that does not plan is an error, and is not kept.
    let e = ws
        .prepare_input("let broken = nosuchfunction(1);", 0)
        .unwrap_err();
    assert!(matches!(e, Error::Query(_)), "{e:?}");
    assert!(ws.prepare("print broken", 0).is_err());
    ws.clear_definitions();
    assert!(ws.prepare("print threshold", 0).is_err());
}

#[tokio::test]
async fn a_prepared_query_reads_the_tables_it_was_planned_against() {
    let (before, after) = (export("planned-a", 5), export("planned-b", 7));
    let ws = Workspace::new();
    let options = AttachOptions::default();
    let first = Arc::new(Collected::default());
    ws.attach(LOGS, Source::Exports(vec![before]), options, first.clone())
        .unwrap();
    let q = ws.prepare("AADProvisioningLogs | count", 0).unwrap();
    let second = Arc::new(Collected::default());
    ws.attach(LOGS, Source::Exports(vec![after]), options, second.clone())
        .unwrap();
    assert_eq!(count(&ws.run(&q, 0).await.unwrap()), 5);
    assert_eq!(files_reported(&first.events()), [(5, 1)]);
    assert!(
        second.events().is_empty(),
        "nothing of the new table is read for it"
    );
    let again = ws.prepare("AADProvisioningLogs | count", 0).unwrap();
    assert_eq!(count(&ws.run(&again, 0).await.unwrap()), 7);
}
