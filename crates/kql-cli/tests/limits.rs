//! Queries at the edges of what kqlite runs (very long operator chains, huge counts, failing
//! output): each gives rows or a clear error, never an abort. The real binary, as users run it.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use std::process::{Command, Output};

fn kqlite(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kqlite")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `print x=1` followed by `n` copies of `op`, one per line.
fn chain(op: &str, n: usize) -> String {
    let mut q = String::from("print x=1\n");
    for _ in 0..n {
        q.push_str(op);
        q.push('\n');
    }
    q
}

fn query_csv(q: &str) -> Output {
    kqlite(&["query", "--format", "csv", q])
}

#[test]
fn a_chain_of_1200_wheres_runs() {
    // It used to overflow a worker's stack (DataFusion hashes the merged 1,200-deep predicate).
    let o = query_csv(&chain("| where true", 1200));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "x\n1\n");
}

#[test]
fn a_chain_of_1200_extends_runs() {
    let o = query_csv(&chain("| extend a = x + 1", 1200));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "x,a\n1,2\n");
}

#[test]
fn three_thousand_extends_that_each_add_a_column_are_a_diagnostic() {
    // Planning them never finished: each projection passes every column on, and DataFusion's
    // work per projection grows faster than its width.
    let mut q = String::from("print x0 = 0\n");
    for i in 1..=3000 {
        q.push_str(&format!("| extend x{i} = x{} + 1\n", i - 1));
    }
    let o = query_csv(&q);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    insta::assert_snapshot!(text(&o.stderr), @r"
    error[KS013]: the query's plan computes more than 50000 columns in all
       --> query:316:10
        |
    316 | | extend x315 = x314 + 1
        |          ^^^^^^^^^^^^^^^
        |
        = help: `project` away the columns no longer needed, so that each step carries fewer
    ");
}

#[test]
fn a_chain_deeper_than_the_limit_is_a_diagnostic() {
    let q = chain("| where true", 2001);
    let o = query_csv(&q);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    insta::assert_snapshot!(text(&o.stderr), @r"
    error[KS013]: the query's plan is more than 2000 operators deep
        --> query:2000:3
         |
    2000 | | where true
         |   ^^^^^^^^^^
         |
         = help: combine consecutive `where`s into one (`where A and B`)
    ");
}

#[test]
fn top_of_groups_with_a_huge_count_gives_every_group() {
    // DataFusion's grouped top-K reserved 10 * N groups: 19 GB (abort) for N = 100,000,000,
    // an overflow panic for N near i64::MAX.
    for n in ["100000000", "9223372036854775807"] {
        let q = format!("range x from 1 to 20 step 1 | distinct x | top {n} by x asc");
        let o = query_csv(&q);
        assert_eq!(o.status.code(), Some(0), "{q}: {}", text(&o.stderr));
        let want: String = (1..=20).map(|i| format!("{i}\n")).collect();
        assert_eq!(text(&o.stdout), format!("x\n{want}"), "{q}");
        let q = format!(
            "range x from 1 to 20 step 1 | summarize m = max(x) by k = x % 3 | top {n} by m"
        );
        let o = query_csv(&q);
        assert_eq!(o.status.code(), Some(0), "{q}: {}", text(&o.stderr));
        assert_eq!(text(&o.stdout), "k,m\n2,20\n1,19\n0,18\n", "{q}");
    }
}

/// `kqlite query` with its standard output sent to `out`.
fn query_to(out: std::process::Stdio, q: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(["query", "--format", "csv", q])
        .env("NO_COLOR", "1")
        .stdout(out)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run kqlite")
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_error_not_a_truncated_result() {
    for q in ["range x from 1 to 100000 step 1", "print x = 1"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = query_to(full.into(), q).wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{q}");
        assert_eq!(
            text(&o.stderr),
            "error: writing the result: No space left on device\n",
            "{q}"
        );
    }
}

#[test]
fn a_reader_that_goes_away_ends_the_query_quietly() {
    use std::io::BufRead;
    let mut child = query_to(
        std::process::Stdio::piped(),
        "range x from 1 to 200000 step 1",
    );
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    lines.read_line(&mut first).unwrap();
    assert_eq!(first, "x\n");
    drop(lines);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(text(&o.stderr), "");
}

#[cfg(target_os = "linux")]
#[test]
fn check_reports_a_full_disk_too() {
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let queries = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/queries");
    let o = Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(["check", queries])
        .stdout(full)
        .output()
        .expect("run kqlite");
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        text(&o.stderr),
        "error: writing the result: No space left on device\n"
    );
}

#[test]
fn twenty_thousand_lets_plan_in_linear_time() {
    // Each function `let` used to copy the whole scope: O(n²) time and memory, an abort at
    // about 20,000.
    let mut q = String::new();
    for i in 0..20_000 {
        q.push_str(&format!("let f{i} = () {{ {i} }};\nlet a{i} = f{i}();\n"));
    }
    q.push_str("print a19999, f0()\n");
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("lets.kql");
    std::fs::write(&file, q).unwrap();
    let o = kqlite(&["query", "--format", "csv", "-f", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), "print_0,print_1\n19999,0\n");
}

#[test]
fn a_query_over_its_memory_limit_is_ke003() {
    let q = "range x from 1 to 300000 step 1 | summarize count() by x | count";
    let o = kqlite(&["query", "--memory-limit", "1MB", "--format", "csv", q]);
    assert_eq!(o.status.code(), Some(1));
    // Rows stream out, but the header waits for the first of them: a failure prints nothing.
    assert_eq!(text(&o.stdout), "");
    let err = text(&o.stderr);
    assert!(
        err.starts_with("error[KE003]: the query needs more memory than its limit\n"),
        "{err}"
    );
    assert!(
        err.contains("help: raise the limit with --memory-limit"),
        "{err}"
    );
    let o = kqlite(&["query", "--memory-limit", "1GB", "--format", "csv", q]);
    assert_eq!(text(&o.stdout), "Count\n300000\n", "{}", text(&o.stderr));
}

#[test]
fn a_let_chain_nesting_one_value_too_deep_is_a_diagnostic() {
    // Each let's value is inlined into the next: 5,000 of them overflowed the stack.
    let mut q = String::from("let a0 = 1;\n");
    for i in 1..5000 {
        q.push_str(&format!("let a{i} = a{} + 1;\n", i - 1));
    }
    q.push_str("print a4999\n");
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("deep_lets.kql");
    std::fs::write(&file, q).unwrap();
    let o = kqlite(&["query", "-f", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("error[KS013]: the value of `a1000` nests more than 1000 levels deep\n"),
        "{err}"
    );
    assert!(err.contains("deep_lets.kql:1001:13"), "{err}");
}
