//! What `convert --out` and `generate --out` write, through the real binary: a file appears whole
//! or not at all, a link planted at a predictable name is never followed, a FIFO is refused
//! rather than replaced, devices are written through, and Ctrl-C leaves nothing behind.

#![cfg(unix)]
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use std::os::unix::fs::FileTypeExt;
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

fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    n.sort();
    n
}

/// Three records as Log Analytics rows, in `dir/rows.ndjson`.
fn rows(dir: &Path) -> PathBuf {
    let data = dir.join("rows.ndjson");
    let text: String = (0..3)
        .map(|i| format!("{{\"TimeGenerated\": \"2026-11-25T00:00:0{i}Z\"}}\n"))
        .collect();
    std::fs::write(&data, text).unwrap();
    data
}

fn convert(data: &Path, out: &Path) -> Output {
    kqlite(&[
        "convert",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

fn generate(format: &str, out: &Path) -> Output {
    kqlite(&[
        "generate",
        "--rows",
        "100",
        "--format",
        format,
        "--out",
        out.to_str().unwrap(),
    ])
}

fn mkfifo(path: &Path) {
    assert!(Command::new("mkfifo").arg(path).status().unwrap().success());
}

#[test]
fn a_link_planted_at_the_old_partial_name_is_not_followed() {
    let dir = scratch("out-planted-link");
    let data = rows(&dir);
    let victim = dir.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let out = dir.join("snap.parquet");
    std::os::unix::fs::symlink(&victim, dir.join("snap.parquet.partial")).unwrap();
    let o = convert(&data, &out);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(
        names(&dir),
        [
            "rows.ndjson",
            "snap.parquet",
            "snap.parquet.partial",
            "victim.txt"
        ]
    );
    let o = kqlite(&[
        "query",
        "--format",
        "csv",
        "--data",
        out.to_str().unwrap(),
        "AADProvisioningLogs | count",
    ]);
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Count\n3\n");
}

#[test]
fn a_fifo_named_as_out_is_refused_and_left_alone() {
    let dir = scratch("out-fifo");
    let data = rows(&dir);
    let out = dir.join("out.parquet");
    mkfifo(&out);
    let expected = format!(
        "error: --out {}: not a regular file (a FIFO); give a file name, or a device such as /dev/null\n",
        out.display()
    );
    for o in [convert(&data, &out), generate("ndjson", &out)] {
        assert_eq!(o.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&o.stderr), expected);
        assert!(std::fs::metadata(&out).unwrap().file_type().is_fifo());
    }
    assert_eq!(names(&dir), ["out.parquet", "rows.ndjson"]);
}

#[test]
fn out_dev_null_is_written_through() {
    let dir = scratch("out-dev-null");
    let data = rows(&dir);
    let null = Path::new("/dev/null");
    let o = convert(&data, null);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("wrote 3 records to /dev/null"), "{err}");
    for format in ["ndjson", "parquet", "csv"] {
        let o = generate(format, null);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{format}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(
        std::fs::metadata(null)
            .unwrap()
            .file_type()
            .is_char_device()
    );
}

#[test]
fn a_full_disk_is_an_error_for_convert_and_generate() {
    let dir = scratch("out-dev-full");
    let data = rows(&dir);
    let full = Path::new("/dev/full");
    let mut outcomes = vec![("convert", convert(&data, full))];
    for format in ["ndjson", "parquet", "graph"] {
        outcomes.push((format, generate(format, full)));
    }
    for (what, o) in outcomes {
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{what}: {err}");
        assert!(err.contains("/dev/full"), "{what}: {err}");
        assert!(
            err.to_lowercase().contains("no space left"),
            "{what}: {err}"
        );
    }
    assert!(
        std::fs::metadata(full)
            .unwrap()
            .file_type()
            .is_char_device()
    );
    assert_eq!(names(&dir), ["rows.ndjson"]);
}

#[test]
fn ctrl_c_while_generating_removes_the_unfinished_file() {
    let dir = scratch("out-interrupted");
    let out = dir.join("big.ndjson");
    let mut child = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args([
            "generate",
            "--rows",
            "1000000",
            "--out",
            out.to_str().unwrap(),
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the temporary file is there (the handler is installed before it is made).
    let mut polls = 0;
    while names(&dir).is_empty() {
        polls += 1;
        assert!(polls < 60_000, "no temporary file appeared");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let temp = names(&dir);
    assert!(
        temp[0].starts_with(".big.ndjson.") && temp[0].ends_with(".partial"),
        "{temp:?}"
    );
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(names(&dir).is_empty(), "{:?}", names(&dir));
}
