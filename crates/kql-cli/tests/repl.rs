//! The REPL, driven in a pseudo-terminal as a person types: a multi-line query run by an empty
//! line, tables fitted to the terminal and paged when tall, `#schema`, `#load`, Tab completion
//! of a column an `extend` made, Ctrl-C cancelling a long query (the prompt comes back, the
//! session goes on), Ctrl-D leaving.

#![cfg(unix)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use expectrl::process::Healthcheck;
use expectrl::{ControlCode, Expect, Session};
use std::process::Command;
use std::time::Duration;

#[test]
fn a_session_types_queries_commands_completion_and_ctrl_c() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("repl-session");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let apps = dir.join("apps.json");
    std::fs::write(
        &apps,
        "{\"App\": \"Workday\", \"Users\": 12}\n{\"App\": \"ServiceNow\", \"Users\": 30}\n",
    )
    .unwrap();

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kqlite"));
    cmd.args(["--color", "never", "repl"])
        .env("KQLITE_HISTORY", dir.join("history"))
        .env("TERM", "xterm")
        .env("NO_COLOR", "1")
        // A pager that marks what went through it and needs no keys.
        .env("PAGER", "sed 's/^/PAGED:/'");
    let mut p = Session::spawn(cmd).expect("the REPL starts");
    p.get_process_mut().set_window_size(100, 40).unwrap();
    // Generous: a debug build builds the demo week on the first query.
    p.set_expect_timeout(Some(Duration::from_secs(120)));
    p.expect("kql> ").unwrap();

    // Enter continues the query; an empty line runs it.
    p.send_line("AADProvisioningLogs").unwrap();
    p.send_line("| where ResultType == 'Failure'").unwrap();
    p.send_line("| summarize Failures = count()").unwrap();
    p.send_line("").unwrap();
    p.expect("Failures").unwrap();
    p.expect("1 row").unwrap();
    p.expect("kql> ").unwrap();

    // A table taller than the terminal goes through the pager, with its footer; one wider than
    // the terminal keeps the columns that fit and names the others.
    p.send_line("AADProvisioningLogs | take 60 | project TimeGenerated, ResultType")
        .unwrap();
    p.send_line("").unwrap();
    p.expect("PAGED:TimeGenerated").unwrap();
    p.expect("PAGED:40 of 60 rows, ").unwrap();
    p.expect("kql> ").unwrap();
    p.send_line("AADProvisioningLogs | take 2").unwrap();
    p.send_line("").unwrap();
    p.expect("2 rows, ").unwrap();
    p.expect("more columns not shown for the terminal's width: ")
        .unwrap();
    p.expect("kql> ").unwrap();

    // Kusto's control command, with Kusto's columns.
    p.send_line(".show tables").unwrap();
    p.expect("TableName").unwrap();
    p.expect("DatabaseName").unwrap();
    p.expect("AADProvisioningLogs").unwrap();
    p.expect("kql> ").unwrap();

    p.send_line("#schema").unwrap();
    p.expect("TimeGenerated").unwrap();
    p.expect("datetime").unwrap();
    p.expect("kql> ").unwrap();

    // Tab completes a column made earlier in the pipeline: the projected column must exist.
    p.send("AADProvisioningLogs | extend Zebra42 = 1 | project Zeb")
        .unwrap();
    p.send("\t").unwrap();
    std::thread::sleep(Duration::from_millis(500));
    p.send_line(" | take 1").unwrap();
    p.send_line("").unwrap();
    p.expect("Zebra42").unwrap();
    p.expect("1 row").unwrap();
    p.expect("kql> ").unwrap();

    // A render is drawn under its table.
    p.send_line(
        "AADProvisioningLogs | summarize Records = count() by ResultType | render barchart",
    )
    .unwrap();
    p.send_line("").unwrap();
    p.expect("4 rows").unwrap();
    p.expect("│█").unwrap();
    p.expect("kql> ").unwrap();
    // The last result, saved and drawn to files.
    let saved = dir.join("by-result.csv");
    let drawn = dir.join("by-result.svg");
    p.send_line(format!("#save {}", saved.display())).unwrap();
    p.expect("wrote 4 rows").unwrap();
    p.send_line(format!("#chart {}", drawn.display())).unwrap();
    p.expect("wrote").unwrap();
    p.expect("kql> ").unwrap();

    p.send_line(format!("#load {} as Apps", apps.display()))
        .unwrap();
    p.expect("Apps: 1 files, 2 rows").unwrap();
    p.send_line("Apps | summarize Users = sum(Users)").unwrap();
    p.send_line("").unwrap();
    p.expect("42").unwrap();
    p.expect("kql> ").unwrap();

    // #follow: a live table that grows while the session goes on.
    let live = dir.join("live.ndjson");
    let record = |t: &str| format!("{{\"TimeGenerated\": \"{t}\", \"ResultType\": \"Success\"}}\n");
    std::fs::write(&live, record("2026-11-24T00:00:00Z").repeat(3)).unwrap();
    p.send_line(format!("#follow {} as Live", live.display()))
        .unwrap();
    p.expect("Live: following").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    p.send_line("Live | summarize Landed = count()").unwrap();
    p.send_line("").unwrap();
    p.expect("Landed").unwrap();
    p.expect("3").unwrap();
    p.expect("kql> ").unwrap();
    let mut more = std::fs::OpenOptions::new()
        .append(true)
        .open(&live)
        .unwrap();
    std::io::Write::write_all(
        &mut more,
        record("2026-11-24T01:00:00Z").repeat(2).as_bytes(),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    p.send_line("Live | summarize Landed = count()").unwrap();
    p.send_line("").unwrap();
    p.expect("5").unwrap();
    p.expect("kql> ").unwrap();

    // Ctrl-C cancels a query that would run for hours, and the session goes on.
    p.send_line("range x from 1 to 1000000000000 step 1 | summarize count()")
        .unwrap();
    p.send_line("").unwrap();
    std::thread::sleep(Duration::from_secs(1));
    p.send(ControlCode::EndOfText).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(20)));
    p.expect("cancelled").unwrap();
    p.expect("kql> ").unwrap();
    p.send_line("print state = 'alive'").unwrap();
    p.send_line("").unwrap();
    // The result, not the echo of the query.
    p.expect("1 row").unwrap();
    p.expect("kql> ").unwrap();

    // Ctrl-D leaves.
    p.send(ControlCode::EndOfTransmission).unwrap();
    let left = (0..200).any(|_| {
        std::thread::sleep(Duration::from_millis(100));
        !p.is_alive().unwrap_or(false)
    });
    assert!(left, "the REPL is still running after Ctrl-D");
    let csv = std::fs::read_to_string(&saved).unwrap();
    assert!(csv.starts_with("ResultType,Records\n"), "{csv}");
    assert_eq!(csv.lines().count(), 5);
    assert!(std::fs::read_to_string(&drawn).unwrap().starts_with("<svg"));
    let history = std::fs::read_to_string(dir.join("history")).unwrap();
    assert!(history.contains("#schema"), "{history}");
}

/// `kqlite query` on a terminal shows its table as the REPL does: timed, fitted, paged when tall.
#[test]
fn query_on_a_terminal_pages_a_tall_table() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kqlite"));
    cmd.args([
        "--color",
        "never",
        "query",
        "AADProvisioningLogs | take 60 | project TimeGenerated, ResultType",
    ])
    .env("TERM", "xterm")
    .env("PAGER", "sed 's/^/PAGED:/'");
    let mut p = Session::spawn(cmd).expect("kqlite starts");
    p.get_process_mut().set_window_size(100, 30).unwrap();
    p.set_expect_timeout(Some(Duration::from_secs(120)));
    p.expect("PAGED:TimeGenerated").unwrap();
    p.expect("PAGED:40 of 60 rows, ").unwrap();
    p.expect(" s (use --max-rows or another --format for all)")
        .unwrap();
}
