//! Expanding `--data` over folders that hold links, FIFOs and files of other kinds: every walk
//! ends, every file is listed once, and nothing is passed over without a word.

#![cfg(unix)]
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use kql_ingest::load::walk::expand;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
mod common;

fn scratch(name: &str) -> PathBuf {
    common::scratch("walk", name)
}

fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

/// `logs/` with `a.json`, `sub/b.json`, and links back to itself: two to the folder, one to
/// its parent, one hard link to a file.
fn folder_with_links(name: &str) -> PathBuf {
    let dir = scratch(name);
    let logs = dir.join("logs");
    std::fs::create_dir_all(logs.join("sub")).unwrap();
    std::fs::write(logs.join("a.json"), "[]").unwrap();
    std::fs::write(logs.join("sub/b.json"), "[]").unwrap();
    symlink(&logs, logs.join("sub/again")).unwrap();
    symlink(&logs, logs.join("sub/and-again")).unwrap();
    symlink("..", logs.join("up")).unwrap();
    std::fs::hard_link(logs.join("a.json"), logs.join("sub/hard.json")).unwrap();
    dir
}

#[test]
fn links_to_folders_and_files_list_each_file_once() {
    let dir = folder_with_links("links");
    let found = expand(&[dir.join("logs")]).unwrap();
    assert_eq!(
        found.files,
        vec![dir.join("logs/a.json"), dir.join("logs/sub/b.json")]
    );
    // The hard link is the same file: read once, and said so.
    assert_eq!(
        found.warnings(),
        vec![format!(
            "read once: 1 file reached a second time: {} (as {})",
            dir.join("logs/sub/hard.json").display(),
            dir.join("logs/a.json").display()
        )]
    );
}

#[test]
fn a_file_named_twice_is_listed_once_and_said() {
    let dir = folder_with_links("named-twice");
    let a = dir.join("logs/a.json");
    let found = expand(&[a.clone(), dir.join("logs"), a.clone()]).unwrap();
    assert_eq!(found.files, vec![a.clone(), dir.join("logs/sub/b.json")]);
    assert_eq!(
        found.warnings(),
        vec![format!(
            "read once: 3 files reached a second time: {0} (as {0}), {1} (as {0}), {0} (as {0})",
            a.display(),
            dir.join("logs/sub/hard.json").display()
        )]
    );
}

#[test]
fn a_double_star_glob_over_links_ends_and_lists_each_file_once() {
    let dir = folder_with_links("glob-links");
    let pattern = dir.join("logs/**/*.json");
    let found = expand(&[pattern]).unwrap();
    assert_eq!(
        found.files,
        vec![dir.join("logs/a.json"), dir.join("logs/sub/b.json")]
    );
}

#[test]
fn a_fifo_in_a_folder_is_skipped_with_a_warning() {
    let dir = scratch("fifo-in-folder");
    std::fs::write(dir.join("a.json"), "[]").unwrap();
    mkfifo(&dir.join("x.json"));
    let found = expand(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(found.files, vec![dir.join("a.json")]);
    assert_eq!(
        found.warnings(),
        vec![format!(
            "{}: not a regular file (a FIFO); skipped",
            dir.join("x.json").display()
        )]
    );
}

#[test]
fn a_fifo_or_a_device_given_directly_is_refused() {
    let dir = scratch("fifo-direct");
    let fifo = dir.join("x.json");
    mkfifo(&fifo);
    let err = expand(std::slice::from_ref(&fifo)).unwrap_err();
    assert_eq!(
        err,
        format!("{}: not a regular file (a FIFO)", fifo.display())
    );
    // Only looked at, never opened: `/dev/zero` would be read until memory runs out.
    let err = expand(&[PathBuf::from("/dev/zero")]).unwrap_err();
    assert_eq!(err, "/dev/zero: not a regular file (a character device)");
}

#[test]
fn files_without_a_known_ending_are_named_and_hidden_ones_are_not() {
    let dir = scratch("endings");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    for f in [
        "a.json",
        "b.JSONL",
        "notes.txt",
        "z",
        ".DS_Store",
        ".git/HEAD",
    ] {
        std::fs::write(dir.join(f), "[]").unwrap();
    }
    let found = expand(std::slice::from_ref(&dir)).unwrap();
    assert_eq!(found.files, vec![dir.join("a.json"), dir.join("b.JSONL")]);
    assert_eq!(
        found.unknown_ending,
        vec![dir.join("notes.txt"), dir.join("z")]
    );
    let warnings = found.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("skipped 2 files without a known ending (.json, .ndjson"),
        "{warnings:?}"
    );
    // Named directly or matched by a pattern, a file loads whatever its ending.
    let named = expand(&[dir.join("notes.txt"), dir.join("*.txt")]).unwrap();
    assert_eq!(named.files, vec![dir.join("notes.txt")]);
}

#[test]
fn a_pattern_that_matches_nothing_is_an_error() {
    let dir = scratch("no-match");
    let pattern = dir.join("*.json");
    let err = expand(std::slice::from_ref(&pattern)).unwrap_err();
    assert_eq!(err, format!("{}: no file matches", pattern.display()));
}

#[test]
fn what_is_passed_over_is_said_once_and_not_when_loaded_by_another_path() {
    let dir = folder_with_links("passed-over");
    let logs = dir.join("logs");
    std::fs::write(logs.join("notes.txt"), "notes").unwrap();
    mkfifo(&logs.join("x.json"));
    // `**` reaches notes.txt and x.json through logs/sub/again too, and matches notes.txt.
    let found = expand(&[logs.join("**")]).unwrap();
    assert_eq!(
        found.files,
        vec![
            logs.join("a.json"),
            logs.join("notes.txt"),
            logs.join("sub/b.json")
        ]
    );
    assert!(found.unknown_ending.is_empty(), "{found:?}");
    assert_eq!(found.not_regular.len(), 1, "{found:?}");
    // Through the folder and a link to it: each said once.
    let found = expand(&[logs.join("sub/again"), logs.clone()]).unwrap();
    assert_eq!(found.unknown_ending.len(), 1, "{found:?}");
    assert_eq!(found.not_regular.len(), 1, "{found:?}");
}
