//! `kqlite query --data FOLDER` over folders with links, FIFOs and other files, through the real
//! binary: the walk ends, each record is counted once, and what is not loaded is said.

#![cfg(unix)]
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kqlite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kqlite")
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_folder_with_link_loops_a_fifo_and_notes_loads_each_record_once() {
    let dir = scratch("data-walk-folder");
    let logs = dir.join("logs");
    std::fs::create_dir_all(logs.join("sub")).unwrap();
    let rows = |n: usize| -> String {
        (0..n)
            .map(|i| format!("{{\"TimeGenerated\": \"2026-11-25T00:00:0{i}Z\"}}\n"))
            .collect()
    };
    std::fs::write(logs.join("a.ndjson"), rows(3)).unwrap();
    std::fs::write(logs.join("sub/b.ndjson"), rows(2)).unwrap();
    std::fs::write(logs.join("notes.txt"), "not an export").unwrap();
    std::os::unix::fs::symlink(&logs, logs.join("sub/l1")).unwrap();
    std::os::unix::fs::symlink(&logs, logs.join("sub/l2")).unwrap();
    let fifo = logs.join("x.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let o = kqlite(&[
        "query",
        "--format",
        "csv",
        "--data",
        logs.to_str().unwrap(),
        "AADProvisioningLogs | count",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Count\n5\n");
    assert!(
        err.contains(&format!(
            "warning: --data: {}: not a regular file (a FIFO); skipped",
            fifo.display()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "warning: --data: skipped 1 file without a known ending (.json, .ndjson, .jsonl, .csv, .gz, .parquet): {}; name a file to load it",
            logs.join("notes.txt").display()
        )),
        "{err}"
    );
    // Said once, though the command looks at the files twice (snapshots or not).
    assert_eq!(err.matches("notes.txt").count(), 1, "{err}");
}

#[test]
fn a_device_given_as_data_is_refused_without_reading_it() {
    let o = kqlite(&[
        "query",
        "--data",
        "/dev/zero",
        "AADProvisioningLogs | count",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: --data /dev/zero: not a regular file (a character device)\n"
    );
}

#[test]
fn a_device_given_as_a_table_is_refused_and_a_fifo_is_read() {
    let o = kqlite(&["query", "--table", "T=/dev/zero", "T | count"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "error: --table T: /dev/zero: not a regular file (a character device)\n"
    );
    // `--table T=<(command)`: a pipe is read once, to its end.
    let dir = scratch("table-fifo");
    let fifo = dir.join("t.json");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, "{\"a\": 1}\n{\"a\": 2}\n").unwrap())
    };
    let o = kqlite(&[
        "query",
        "--format",
        "csv",
        "--table",
        &format!("T={}", fifo.display()),
        "T | summarize s = sum(a)",
    ]);
    writer.join().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "s\n3\n",
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_file_named_twice_is_counted_once_and_said() {
    let dir = scratch("data-walk-twice");
    let file = dir.join("a.ndjson");
    std::fs::write(&file, "{\"TimeGenerated\": \"2026-11-25T00:00:00Z\"}\n").unwrap();
    let name = file.to_str().unwrap();
    let o = kqlite(&[
        "query",
        "--format",
        "csv",
        "--data",
        name,
        "--data",
        name,
        "AADProvisioningLogs | count",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Count\n1\n");
    assert_eq!(
        err,
        format!("warning: --data: read once: 1 file reached a second time: {name} (as {name})\n")
    );
}

/// A damaged page in another writer's Parquet file: one line naming the file and what the
/// decoder said, not a panic and its backtrace on stderr.
#[test]
fn a_damaged_parquet_page_given_as_a_table_is_one_error_line() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../kql-ingest/tests/fixtures/damaged-snapshots/foreign-page.parquet"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(["query", "--table", &format!("T={file}"), "T | count"])
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("run kqlite");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        format!(
            "error: --table T: {file}: a damaged Parquet file (the Parquet reader failed: \
             assertion failed: num_bits <= size_of::<T>() * 8)\n"
        )
    );
}
