//! `kqlite query --follow FILE` through the real binary: a file rotated under it (moved away and
//! made anew, as logrotate's create mode does) is followed by name, every record counted once.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `n` Log Analytics rows with ids from `first` on.
fn records(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("{{\"TimeGenerated\": \"2026-11-25T00:00:00Z\", \"Id\": \"r{i}\"}}\n"))
        .collect()
}

/// Lines of a stream, as they come, on a channel.
fn lines_of(stream: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Reads lines until one equals `want`; all lines read are kept in `seen`. The timeout only
/// keeps a lost record from hanging the test.
fn wait_for_line(lines: &Receiver<String>, want: &str, seen: &mut Vec<String>) {
    while !seen.iter().any(|l| l == want) {
        match lines.recv_timeout(Duration::from_secs(120)) {
            Ok(l) => seen.push(l),
            Err(e) => panic!("no line {want:?} ({e}); saw {seen:?}"),
        }
    }
}

#[test]
fn a_followed_file_rotated_by_rename_and_create_is_read_on() {
    let dir = scratch("follow-rotate");
    let path = dir.join("app.log");
    std::fs::write(&path, records(0, 3)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args([
            "query",
            "--follow",
            path.to_str().unwrap(),
            "--format",
            "csv",
            "AADProvisioningLogs | summarize n = count(), ids = dcount(Id)",
        ])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = lines_of(child.stdout.take().unwrap());
    let err = lines_of(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    wait_for_line(&out, "3,3", &mut seen);

    std::fs::rename(&path, dir.join("app.log.1")).unwrap();
    let mut new = std::fs::File::create(&path).unwrap();
    new.write_all(records(3, 2).as_bytes()).unwrap();
    wait_for_line(&out, "5,5", &mut seen);
    let mut notices = Vec::new();
    wait_for_line(
        &err,
        &format!(
            "--follow: {} was replaced; reading the new file",
            path.display()
        ),
        &mut notices,
    );
    child.kill().unwrap();
    child.wait().unwrap();
    // Counts only grow, and never past the records written.
    let counts: Vec<&String> = seen.iter().filter(|l| l.contains(',')).collect();
    assert!(
        counts
            .iter()
            .all(|l| ["n,ids", "3,3", "5,5"].contains(&l.as_str())),
        "{seen:?}"
    );
}

#[test]
fn a_full_disk_under_follow_is_an_error_not_a_silent_loss() {
    // Each re-run's result went to a full disk without a word; now the run ends with exit 1.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(["query", "--follow", "-", "AADProvisioningLogs | count"])
        .stdin(Stdio::piped())
        .stdout(Stdio::from(full))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(records(0, 3).as_bytes()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error: writing the result: "), "{stderr}");
}
