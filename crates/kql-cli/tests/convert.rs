//! `kqlite generate` in every shape and `kqlite convert` to a snapshot, through the real binary:
//! whatever the shape, a query sees the same rows (to the millisecond: the portal's CSV export
//! keeps no more).

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

const SUMMARY: &str = "AADProvisioningLogs \
    | summarize n = count(), failures = countif(ResultType == 'Failure'), \
      users = dcount(tostring(parse_json(SourceIdentity).Id)), last = max(TimeGenerated) by ProvisioningAction \
    | extend last = bin(last, 1ms) \
    | sort by ProvisioningAction asc";

fn query(data: &Path) -> String {
    let o = kqlite(&[
        "query",
        "--strict",
        "--format",
        "csv",
        "--data",
        data.to_str().unwrap(),
        SUMMARY,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}: {}",
        data.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn every_generated_shape_and_its_snapshot_give_the_same_answer() {
    let dir = scratch("convert-shapes");
    let formats = [
        ("ndjson", "rows.ndjson"),
        ("graph", "graph.json"),
        ("portal-json", "portal.json"),
        ("resource-log", "PT1H.json"),
        ("eventhub", "eventhub.json"),
        ("query-api", "query.json"),
        ("csv", "export.csv"),
        ("parquet", "rows.parquet"),
    ];
    let mut answers = Vec::new();
    for (format, file) in formats {
        let out = dir.join(file);
        let o = kqlite(&[
            "generate",
            "--rows",
            "500",
            "--seed",
            "5",
            "--format",
            format,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{format}");
        answers.push((format, query(&out)));
    }
    // The portal's CSV download is three files; the folder holding them is one --data.
    let download = dir.join("download");
    std::fs::create_dir_all(&download).unwrap();
    let o = kqlite(&[
        "generate",
        "--rows",
        "500",
        "--seed",
        "5",
        "--format",
        "portal-csv",
        "--out",
        download.join("ProvisioningLogs.csv").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(std::fs::read_dir(&download).unwrap().count(), 3);
    answers.push(("portal-csv", query(&download)));
    let (_, expected) = &answers[0];
    assert!(expected.lines().count() > 2, "{expected}");
    for (format, got) in &answers {
        assert_eq!(got, expected, "{format}");
    }

    // Two shapes of the same 500 records: de-duplication is by resource-log record id only, so a
    // Graph page of the same changes adds 500 more (they are different deliveries to the user).
    let snapshot = dir.join("all.snapshot");
    let o = kqlite(&[
        "convert",
        "--data",
        dir.join("PT1H.json").to_str().unwrap(),
        "--data",
        dir.join("graph.json").to_str().unwrap(),
        "--out",
        snapshot.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("wrote 1000 records"), "{err}");
    let count = |data: &Path| {
        let o = kqlite(&[
            "query",
            "--format",
            "csv",
            "--data",
            data.to_str().unwrap(),
            "AADProvisioningLogs | count",
        ]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        (String::from_utf8_lossy(&o.stdout).trim().to_owned(), err)
    };
    assert_eq!(count(&snapshot).0, "Count\n1000");
    // A path through `..` names the same file (the scan's object paths may not hold `..`).
    let dotted = dir
        .join("..")
        .join(dir.file_name().unwrap())
        .join("all.snapshot");
    let (rows, err) = count(&dotted);
    assert_eq!(rows, "Count\n1000", "{err}");

    // Several snapshots are one table, scanned in place, with a count per file; a time filter
    // that skips row groups still counts every matching row.
    let copy = dir.join("copy.snapshot");
    std::fs::copy(&snapshot, &copy).unwrap();
    let o = kqlite(&[
        "query",
        "--format",
        "csv",
        "--data",
        snapshot.to_str().unwrap(),
        "--data",
        copy.to_str().unwrap(),
        "AADProvisioningLogs | summarize n = count(), recent = countif(TimeGenerated > datetime(2026-11-21))",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("total: 2 files, loaded 2000"), "{err}");
    let once = kqlite(&[
        "query",
        "--format",
        "csv",
        "--data",
        dir.join("graph.json").to_str().unwrap(),
        "AADProvisioningLogs | summarize n = count(), recent = countif(TimeGenerated > datetime(2026-11-21))",
    ]);
    let once = String::from_utf8_lossy(&once.stdout).to_string();
    let row: Vec<i64> = once
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(|x| x.parse().unwrap())
        .collect();
    let twice = format!("n,recent\n{},{}", row[0] * 4, row[1] * 4);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), twice);

    // A damaged snapshot (cut short: the footer is gone) is refused by name before any query.
    let cut = dir.join("cut.parquet");
    let bytes = std::fs::read(&snapshot).unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = kqlite(&[
        "query",
        "--data",
        cut.to_str().unwrap(),
        "AADProvisioningLogs | count",
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("cut.parquet: not a readable Parquet file"),
        "{err}"
    );
}

#[test]
fn convert_reports_rejections_and_strict_writes_nothing() {
    let dir = scratch("convert-strict");
    let data = dir.join("bad.ndjson");
    std::fs::write(
        &data,
        "{\"TimeGenerated\": \"2026-11-25T00:00:00Z\"}\n{oops\n{\"TimeGenerated\": \"2026-11-25T01:00:00Z\"}\n",
    )
    .unwrap();
    let out = dir.join("snap.parquet");
    let run = |strict: bool| {
        let mut args = vec![
            "convert",
            "--data",
            data.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        if strict {
            args.push("--strict");
        }
        kqlite(&args)
    };
    let o = run(true);
    assert_eq!(o.status.code(), Some(1));
    assert!(!out.exists());
    let o = run(false);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("bad.ndjson:2: record rejected"), "{err}");
    assert!(err.contains("wrote 2 records"), "{err}");
}

#[test]
fn generate_to_a_reader_that_stops_early_is_not_an_error() {
    use std::io::Read;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args([
            "generate", "--rows", "20000", "--format", "ndjson", "--out", "-",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // The read end is closed here (as `| head -c 100` does).
    let o = child.wait_with_output().unwrap();
    assert!(head.starts_with(b"{\"TenantId\""));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_damaged_snapshot_is_an_error_not_other_answers() {
    // Zeroed bytes inside the column chunks (a damaged disk block) changed answers without a
    // word before snapshots carried checksums; now every read of the chunks checks them.
    let dir = scratch("damaged_snapshot");
    let snapshot = dir.join("s.parquet");
    let o = kqlite(&[
        "generate",
        "--rows",
        "3000",
        "--format",
        "parquet",
        "--out",
        snapshot.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let intact = query(&snapshot);
    let mut bytes = std::fs::read(&snapshot).unwrap();
    // Every 4 KiB, 64 bytes zeroed between the magic number and the footer: some of every
    // column's chunk, whichever the query reads.
    let end = bytes.len() * 9 / 10;
    for at in (4..end).step_by(4096) {
        bytes[at..(at + 64).min(end)].fill(0);
    }
    std::fs::write(&snapshot, &bytes).unwrap();
    let other = dir.join("other.ndjson");
    std::fs::write(&other, "").unwrap();
    // In place (a snapshot alone) and loaded into memory (beside another export).
    for data in [
        vec!["--data", snapshot.to_str().unwrap()],
        vec![
            "--data",
            snapshot.to_str().unwrap(),
            "--data",
            other.to_str().unwrap(),
        ],
    ] {
        let mut args = vec!["query", "--format", "csv"];
        args.extend(&data);
        args.push(SUMMARY);
        let o = kqlite(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(
            o.status.code(),
            Some(1),
            "{data:?}: {stderr}\n{}",
            String::from_utf8_lossy(&o.stdout)
        );
        assert!(
            stderr.contains("s.parquet") && stderr.contains("damaged"),
            "{data:?}: {stderr}"
        );
        assert!(!String::from_utf8_lossy(&o.stdout).contains(&intact[..20]) || o.stdout.is_empty());
    }
}
