//! `kqlite query` as users run it: the real binary over the example export.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use std::path::Path;
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn kqlite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run kqlite")
}

fn example(query: &str) -> serde_json::Value {
    let o = kqlite(&[
        "query",
        "--data",
        "examples/data/aadprovisioninglogs.ndjson",
        "--now",
        "2026-11-25T00:00:00Z",
        "--format",
        "json",
        "-f",
        &format!("examples/queries/{query}.kql"),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON rows")
}

#[test]
fn failure_spike_alert_fires_in_the_burst_hour() {
    let rows = example("05-alert-failure-spike");
    assert_eq!(
        rows,
        serde_json::json!([{"TimeGenerated": "2026-11-22T16:00:00Z", "FailureCount": 60}])
    );
}

#[test]
fn no_activity_alert_counts_the_last_two_hours() {
    assert_eq!(
        example("06-alert-no-activity"),
        serde_json::json!([{"count_": 11}])
    );
}

#[test]
fn error_summary_is_sorted_by_count() {
    let rows = example("01-error-summary");
    let first = &rows[0];
    assert_eq!(
        first["ErrorCode"],
        "SystemForCrossDomainIdentityManagementServiceIncompatible"
    );
    assert_eq!(first["Failures"], 86);
    let counts: Vec<i64> = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["Failures"].as_i64())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
}

#[test]
fn daily_actions_cover_the_last_week() {
    let rows = example("02-daily-actions");
    let total: i64 = rows
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["Operations"].as_i64())
        .sum();
    assert!(total > 1500 && total <= 2000, "{total}");
    assert_eq!(rows[0]["TimeGenerated"], "2026-11-18T00:00:00Z");
}

#[test]
fn one_user_via_parse_json() {
    let rows = example("03-one-user");
    let rows = rows.as_array().expect("rows");
    assert!(!rows.is_empty());
    let keys: Vec<&str> = rows[0]
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "TimeGenerated",
            "Action",
            "ResultType",
            "ResultSignature",
            "ResultDescription",
            "Target"
        ]
    );
}

#[test]
fn hourly_failures_render_a_timechart_and_keep_rows() {
    let o = kqlite(&[
        "query",
        "--data",
        "examples/data/aadprovisioninglogs.ndjson",
        "--now",
        "2026-11-25T00:00:00Z",
        "-f",
        "examples/queries/04-hourly-failures.kql",
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("render: timechart with (title=Provisioning failures per hour)"),
        "{out}"
    );
    assert!(out.contains("2026-11-24T16:00:00Z"), "{out}");
}

#[test]
fn json_values_follow_the_query_api() {
    let o = kqlite(&[
        "query",
        "--format",
        "json",
        "print d = datetime(2026-11-25 10:00:00.1234567), s = 1d + 2h, j = dynamic({\"a\": [1, 2]}), n = long(null), b = true, r = 2.5, e = \"\"",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(
        v,
        serde_json::json!([{"d": "2026-11-25T10:00:00.1234567Z", "s": "1.02:00:00", "j": {"a": [1, 2]}, "n": null, "b": true, "r": 2.5, "e": ""}])
    );
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.find("\"d\"") < text.find("\"s\"") && text.find("\"s\"") < text.find("\"j\""),
        "keys in column order: {text}"
    );
}

#[test]
fn other_formats() {
    let q = "datatable(a:string, b:long)['x,y', 1, 'z', 2]";
    let csv = kqlite(&["query", "--format", "csv", q]);
    assert_eq!(
        String::from_utf8_lossy(&csv.stdout),
        "a,b\n\"x,y\",1\nz,2\n"
    );
    let nd = kqlite(&["query", "--format", "ndjson", q]);
    assert_eq!(
        String::from_utf8_lossy(&nd.stdout),
        "{\"a\":\"x,y\",\"b\":1}\n{\"a\":\"z\",\"b\":2}\n"
    );
    let md = kqlite(&["query", "--format", "markdown", q]);
    assert!(String::from_utf8_lossy(&md.stdout).starts_with("| a | b |\n|---|---|\n| x,y | 1 |"));
}

#[test]
fn timing_goes_to_stderr_phase_by_phase_and_leaves_the_rows_alone() {
    let q = "datatable(a:string, b:long)['x,y', 1, 'z', 2] | where b > 1";
    let plain = kqlite(&["query", "--format", "csv", q]);
    let timed = kqlite(&["query", "--format", "csv", "--timing", q]);
    assert_eq!(timed.status.code(), Some(0));
    assert_eq!(timed.stdout, plain.stdout);
    let err = String::from_utf8_lossy(&timed.stderr);
    let phases: Vec<&str> = err
        .trim_start_matches("time: ")
        .split(", ")
        .map(|p| p.split(' ').next().unwrap_or(""))
        .collect();
    assert_eq!(
        phases,
        ["start", "load", "plan", "run", "print", "total"],
        "{err}"
    );
    assert!(err.trim_end().ends_with(" ms"), "{err}");
}

#[test]
fn repeat_runs_the_whole_query_again_with_the_data_loaded_again() {
    let q = "AADProvisioningLogs | summarize n = count() by ResultType | sort by ResultType asc";
    let data = "examples/data/aadprovisioninglogs.ndjson";
    let once = kqlite(&["query", "--data", data, "--format", "csv", q]);
    let thrice = kqlite(&[
        "query", "--data", data, "--format", "csv", "--timing", "--repeat", "3", q,
    ]);
    assert_eq!(thrice.status.code(), Some(0));
    assert_eq!(thrice.stdout, once.stdout.repeat(3));
    let err = String::from_utf8_lossy(&thrice.stderr);
    assert_eq!(
        err.lines().filter(|l| l.starts_with("time: start")).count(),
        3,
        "{err}"
    );
    // A failing query stops at the first run.
    let bad = kqlite(&["query", "--repeat", "3", "print x = 1 | where y == 2"]);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(err.matches("error[").count(), 1, "{err}");
    let zero = kqlite(&["query", "--repeat", "0", "print 1"]);
    assert_eq!(zero.status.code(), Some(2));
}

#[test]
fn query_errors_exit_one_with_a_snippet_on_stderr() {
    let o = kqlite(&[
        "query",
        "--data",
        "examples/data/aadprovisioninglogs.ndjson",
        "AADProvisioningLogs | where ResultTyp == 'x'",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("error[KS002]")
            && err.contains("did you mean `ResultType`?")
            && err.contains("query:1:29"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
}

#[test]
fn usage_errors_exit_two() {
    assert_eq!(
        kqlite(&["query", "--now", "tuesday", "print 1"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        kqlite(&["query", "--data", "nope.ndjson", "print 1"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(kqlite(&["query"]).status.code(), Some(2));
}

#[test]
fn rejected_records_are_reported_with_their_line() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("query-rejects");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("bad.ndjson");
    std::fs::write(&file, "{\"TimeGenerated\": \"2026-11-25T00:00:00Z\", \"ResultType\": \"Success\"}\n{\"TimeGenerated\": \"later\"}\n{oops\n")
        .expect("write");
    let o = kqlite(&[
        "query",
        "--data",
        file.to_str().expect("utf-8 path"),
        "--format",
        "json",
        "AADProvisioningLogs | project TimeGenerated, ResultType",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.ndjson:2: record rejected")
            && err.contains("bad.ndjson:3: record rejected"),
        "{err}"
    );
    assert!(err.contains("loaded 1, rejected 2"), "{err}");
}

#[test]
fn without_data_queries_run_on_the_built_in_demo_week() {
    let o = kqlite(&[
        "query",
        "--format",
        "json",
        "AADProvisioningLogs | summarize n = count(), last = max(TimeGenerated), late = countif(TimeGenerated > ago(1d))",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v[0]["n"], 20000);
    assert!(
        v[0]["last"]
            .as_str()
            .is_some_and(|t| t.starts_with("2026-11-24T")),
        "{v}"
    );
    assert!(
        v[0]["late"].as_i64().is_some_and(|n| n > 1000),
        "now() is the end of the demo week: {v}"
    );
}

#[test]
fn strict_fails_when_any_record_is_rejected() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("query-strict");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("one-bad.ndjson");
    std::fs::write(
        &file,
        "{\"TimeGenerated\": \"2026-11-25T00:00:00Z\"}\n{oops\n",
    )
    .expect("write");
    let path = file.to_str().expect("utf-8 path");
    let run = |strict: bool| {
        let mut args = vec!["query", "--data", path, "AADProvisioningLogs | count"];
        if strict {
            args.push("--strict");
        }
        kqlite(&args)
    };
    assert_eq!(run(false).status.code(), Some(0));
    let o = run(true);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("--strict: 1 records were rejected"), "{err}");
}

/// A query that reads no column (`| count`) still converts the time column, so a record whose
/// time is not a datetime is rejected and reported as for any other query (the workspace once
/// converted the first column, a string, and counted it silently).
#[test]
fn a_count_rejects_a_record_whose_time_does_not_convert() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("query-count-bad-time");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("bad-time.ndjson");
    std::fs::write(
        &file,
        "{\"TimeGenerated\": \"2026-11-25T00:00:00Z\"}\n{\"TimeGenerated\": \"not a date\"}\n",
    )
    .expect("write");
    let path = file.to_str().expect("utf-8 path");
    let o = kqlite(&[
        "query",
        "--data",
        path,
        "--format",
        "csv",
        "AADProvisioningLogs | count",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Count\n1\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad-time.ndjson:2: record rejected"), "{err}");
    let o = kqlite(&[
        "query",
        "--strict",
        "--data",
        path,
        "AADProvisioningLogs | count",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn table_loads_any_file_with_inferred_types() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("query-table");
    std::fs::create_dir_all(&dir).expect("dir");
    let csv = dir.join("apps.csv");
    std::fs::write(
        &csv,
        "AppName,Owner,Critical,Seats\nServiceNow,alice,true,120\nSalesforce,bob,false,80\n",
    )
    .expect("write");
    let jsonl = dir.join("events.jsonl");
    std::fs::write(
        &jsonl,
        "{\"at\": \"2026-11-20T10:00:00Z\", \"n\": 1}\n{oops\n{\"at\": \"2026-11-21T10:00:00Z\", \"n\": 2.5}\n",
    )
    .expect("write");
    let apps = format!("Apps={}", csv.display());
    let events = format!("Events={}", jsonl.display());
    let run = |q: &str| {
        kqlite(&[
            "query", "--format", "csv", "--table", &apps, "--table", &events, q,
        ])
    };
    let o = run("Apps | where Critical and Seats > 100 | project AppName, Owner");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "AppName,Owner\nServiceNow,alice\n"
    );
    assert!(err.contains("events.jsonl:2: record rejected"), "{err}");
    let o = run("Events | summarize last = max(at), total = sum(n)");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "last,total\n2026-11-21T10:00:00Z,3.5\n"
    );
    let bad = kqlite(&["query", "--table", "no-equals-sign", "print 1"]);
    assert_eq!(bad.status.code(), Some(2));
    let bad = kqlite(&["query", "--table", "1x=apps.csv", "print 1"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn follow_reads_a_pipe_to_its_end() {
    let generated = kqlite(&[
        "generate",
        "--rows",
        "400",
        "--format",
        "resource-log",
        "--out",
        "-",
    ]);
    assert_eq!(generated.status.code(), Some(0));
    let mut input = generated.stdout;
    input.extend_from_slice(b"{broken\n");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args([
            "query",
            "--follow",
            "-",
            "--format",
            "csv",
            "AADProvisioningLogs | summarize n = count(), ids = dcount(Id)",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run kqlite");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        for piece in input.chunks(7_777) {
            stdin.write_all(piece).expect("write");
        }
    });
    let o = child.wait_with_output().expect("wait");
    writer.join().expect("writer");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    // The query re-runs as records land; the last answer counts every record once.
    assert_eq!(out.lines().last(), Some("400,400"), "{out}");
    assert!(err.contains("stdin:401: record rejected"), "{err}");
}

#[test]
fn chart_draws_the_render_of_the_demo_week_s_hourly_failures() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("query-chart");
    std::fs::create_dir_all(&dir).expect("dir");
    let svg = dir.join("failures.svg");
    let _ = std::fs::remove_file(&svg);
    let q = "AADProvisioningLogs | where ResultType == 'Failure' \
             | extend App = tostring(parse_json(ServicePrincipal).Name) \
             | summarize Failures = count() by bin(TimeGenerated, 1h), App \
             | render timechart with (title='Failures per hour')";
    let path = svg.to_str().expect("utf-8 path");
    let o = kqlite(&["query", "--chart", path, "--format", "csv", q]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The rows are printed as ever; the chart goes to the file.
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("TimeGenerated,App,Failures"));
    let drawn = std::fs::read_to_string(&svg).expect("the chart is written");
    assert!(drawn.starts_with("<svg"), "{}", &drawn[..80]);
    for text in ["Failures per hour", "TimeGenerated", "ServiceNow", "Nov 22"] {
        assert!(drawn.contains(text), "no {text} in the chart");
    }
    let html = dir.join("failures.html");
    let o = kqlite(&["query", "--chart", html.to_str().expect("utf-8"), q]);
    assert_eq!(o.status.code(), Some(0));
    let page = std::fs::read_to_string(&html).expect("the page is written");
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<svg"));
    let png = dir.join("failures.png");
    let o = kqlite(&["query", "--chart", png.to_str().expect("utf-8"), q]);
    assert_eq!(o.status.code(), Some(0));
    let image = std::fs::read(&png).expect("the image is written");
    assert_eq!(&image[..8], b"\x89PNG\r\n\x1a\n");
    // A file name that says no image kind is refused before anything runs.
    let odd = dir.join("failures.gif");
    let o = kqlite(&["query", "--chart", odd.to_str().expect("utf-8"), q]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("name an .svg, .png or .html file"));
    // A query without render has no chart to draw: a usage error, and no file.
    let none = dir.join("none.svg");
    let o = kqlite(&[
        "query",
        "--chart",
        none.to_str().expect("utf-8"),
        "print x = 1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("the query has no `render`"));
    assert!(!none.exists());
}
