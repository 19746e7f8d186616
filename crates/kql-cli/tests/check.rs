//! `kqlite check` as users run it: the real binary, real files, exit codes and output formats.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh folder under the target directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("check")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn write(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&p, text).expect("write fixture");
    p
}

fn kqlite(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kqlite"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run kqlite")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn clean_files_exit_zero() {
    let dir = scratch("clean");
    write(&dir, "a.kql", b"AADProvisioningLogs\n| where ResultType == 'Failure'\n| summarize count() by bin(TimeGenerated, 1h)\n");
    write(&dir, "sub/b.csl", b"print 1");
    write(&dir, "sub/c.kusto", b"let x = 1;\nprint x");
    write(&dir, "notes.txt", b"not kql at all |||");
    let o = kqlite(&["check", "--syntax-only", "."], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(stdout(&o), "checked 3 files: no errors\n");
}

#[test]
fn errors_exit_one_with_a_snippet() {
    let dir = scratch("errors");
    write(
        &dir,
        "bad.kql",
        b"AADProvisioningLogs\n| wher ResultType == 'Failure'\n",
    );
    let o = kqlite(&["check", "--syntax-only", "bad.kql"], &dir);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&o), @r"
    error[KP003]: unknown tabular operator `wher`
     --> bad.kql:2:3
      |
    2 | | wher ResultType == 'Failure'
      |   ^^^^ not a KQL operator
      |
      = help: did you mean `where`?

    checked 1 file: 1 error in 1 file
    ");
}

#[test]
fn json_format_lists_positions() {
    let dir = scratch("json");
    write(&dir, "a.kql", b"T\n| where x ==\n");
    write(&dir, "b.kql", b"T | count");
    let o = kqlite(&["check", "--syntax-only", "--format", "json", "."], &dir);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    let rows = v.as_array().expect("array");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r["file"], "./a.kql");
    assert_eq!(
        (r["line"].as_u64(), r["column"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(r["severity"], "error");
    assert_eq!(r["code"], "KP002");
    let keys: Vec<&str> = r
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "severity",
            "code",
            "message"
        ]
    );
}

#[test]
fn json_for_clean_input_is_an_empty_array() {
    let dir = scratch("json-clean");
    write(&dir, "a.kql", b"print 1");
    let o = kqlite(
        &["check", "--syntax-only", "--format", "json", "a.kql"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).trim(), "[]");
}

#[test]
fn several_queries_separated_by_blank_lines() {
    let dir = scratch("blocks");
    write(
        &dir,
        "hunt.kql",
        b"// first\nT | count\n\n// second\nU\n| where a == 1\n\nV | wher b\n",
    );
    let o = kqlite(
        &["check", "--syntax-only", "--format", "json", "hunt.kql"],
        &dir,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    assert_eq!(v[0]["line"], 8, "{v}");
    assert_eq!(v[0]["code"], "KP003");
}

#[test]
fn unreadable_files_are_reported_not_skipped() {
    let dir = scratch("binary");
    write(&dir, "bin.kql", &[0xff, 0xfe, 0x00, 0x41]);
    let o = kqlite(
        &["check", "--syntax-only", "--format", "json", "bin.kql"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    assert_eq!(v[0]["code"], "KF001");
    assert!(
        v[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("UTF-8")),
        "{v}"
    );
}

#[test]
fn usage_errors_exit_two() {
    let dir = scratch("usage");
    let missing = kqlite(&["check", "--syntax-only", "nope.kql"], &dir);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("nope.kql: no such file or directory")
    );
    let no_args = kqlite(&["check"], &dir);
    assert_eq!(no_args.status.code(), Some(2));
    let bad_format = kqlite(&["check", "--format", "xml", "."], &dir);
    assert_eq!(bad_format.status.code(), Some(2));
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    let dir = scratch("deep");
    let q = format!("print {}1{}", "(".repeat(5000), ")".repeat(5000));
    write(&dir, "deep.kql", q.as_bytes());
    let o = kqlite(
        &["check", "--syntax-only", "--format", "json", "deep.kql"],
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    assert_eq!(v[0]["code"], "KP006");
}

#[test]
fn semantic_errors_without_syntax_only() {
    let dir = scratch("semantic");
    write(
        &dir,
        "rule.kql",
        b"AADProvisioningLogs\n| where tostring(SourceIdentity.Id) == \"x\"\n",
    );
    let o = kqlite(&["check", "--format", "json", "rule.kql"], &dir);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON output");
    assert_eq!(v[0]["code"], "KS007", "{v}");
    assert_eq!(
        (v[0]["line"].as_u64(), v[0]["column"].as_u64()),
        (Some(2), Some(18))
    );
    let syntax_only = kqlite(&["check", "--syntax-only", "rule.kql"], &dir);
    assert_eq!(syntax_only.status.code(), Some(0), "syntax is fine");
}

#[test]
fn schema_files_add_tables() {
    let dir = scratch("schema");
    write(
        &dir,
        "tables.json",
        br#"[{"Name": "SigninLogs", "Properties": [{"Name": "TimeGenerated", "Type": "DateTime"}, {"Name": "UserPrincipalName", "Type": "String"}, {"Name": "ResultType", "Type": "string"}]}]"#,
    );
    write(
        &dir,
        "good.kql",
        b"SigninLogs | where ResultType != '0' | summarize count() by UserPrincipalName",
    );
    write(&dir, "bad.kql", b"SigninLogs | project UserPrincipal");
    let good = kqlite(&["check", "--schema", "tables.json", "good.kql"], &dir);
    assert_eq!(good.status.code(), Some(0), "{}", stdout(&good));
    let without = kqlite(&["check", "good.kql"], &dir);
    assert_eq!(
        without.status.code(),
        Some(1),
        "SigninLogs is unknown without the schema"
    );
    let bad = kqlite(
        &[
            "check",
            "--schema",
            "tables.json",
            "--format",
            "json",
            "bad.kql",
        ],
        &dir,
    );
    let v: serde_json::Value = serde_json::from_slice(&bad.stdout).expect("JSON output");
    assert_eq!(v[0]["code"], "KS002");
    let broken = kqlite(&["check", "--schema", "nope.json", "good.kql"], &dir);
    assert_eq!(broken.status.code(), Some(2));
}

#[test]
fn a_value_outside_an_options_closed_set_is_a_diagnostic_at_the_value() {
    let dir = scratch("option_values");
    write(
        &dir,
        "join.kql",
        b"AADProvisioningLogs\n| join kind=innr (AADProvisioningLogs) on Id\n",
    );
    write(
        &dir,
        "render.kql",
        b"AADProvisioningLogs\n| render timechrt\n",
    );
    let o = kqlite(&["check", "join.kql", "render.kql"], &dir);
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&o), @r"
    error[KP011]: `innr` is not a join kind
     --> join.kql:2:13
      |
    2 | | join kind=innr (AADProvisioningLogs) on Id
      |             ^^^^ expected a join kind
      |
      = help: did you mean `inner`?

    error[KP011]: `timechrt` is not a visualization
     --> render.kql:2:10
      |
    2 | | render timechrt
      |          ^^^^^^^^ expected a visualization
      |
      = help: did you mean `timechart`?

    checked 2 files: 2 errors in 2 files
    ");
}

#[test]
fn unknown_tables_can_be_allowed_and_unsupported_constructs_are_warnings() {
    let dir = scratch("allow_unknown_tables");
    write(
        &dir,
        "sentinel.kql",
        b"SigninLogs\n| where ResultType != 0\n\n_GetWatchlist('vips') | project UPN\n",
    );
    write(
        &dir,
        "union.kql",
        b"AADProvisioningLogs\n| union (AADProvisioningLogs | take 1)\n",
    );
    let strict = kqlite(&["check", "--format", "concise", "."], &dir);
    assert_eq!(strict.status.code(), Some(1));
    let out = stdout(&strict);
    assert!(out.contains("./sentinel.kql:1:1: error[KS001]"), "{out}");
    // kqlite's own limits are not the query's errors.
    assert!(out.contains("./union.kql:2:3: warning[KS008]"), "{out}");

    let lenient = kqlite(
        &[
            "check",
            "--allow-unknown-tables",
            "--format",
            "concise",
            ".",
        ],
        &dir,
    );
    let out = stdout(&lenient);
    assert_eq!(lenient.status.code(), Some(0), "{out}");
    assert!(out.contains("./sentinel.kql:1:1: warning[KS001]"), "{out}");
    assert!(out.contains("./sentinel.kql:4:1: warning[KS001] failed to resolve the tabular function `_GetWatchlist`"), "{out}");
    assert!(
        out.ends_with("checked 2 files: no errors, 3 warnings\n"),
        "{out}"
    );
    let failing = kqlite(
        &[
            "check",
            "--allow-unknown-tables",
            "--warnings-as-errors",
            ".",
        ],
        &dir,
    );
    assert_eq!(failing.status.code(), Some(1));
}

#[test]
fn getschema_output_saved_as_csv_or_json_is_a_schema() {
    let dir = scratch("getschema_schemas");
    // What `T | getschema` gives, saved as Log Analytics exports it.
    write(
        &dir,
        "SigninLogs.csv",
        b"ColumnName,ColumnOrdinal,DataType,ColumnType\nTimeGenerated,0,System.DateTime,datetime\nUserPrincipalName,1,System.String,string\nResultType,2,System.String,string\n",
    );
    write(
        &dir,
        "audit.json",
        br#"[{"ColumnName": "ActivityDisplayName", "ColumnOrdinal": 0, "DataType": "System.String", "ColumnType": "string"}]"#,
    );
    write(
        &dir,
        "q.kql",
        b"SigninLogs | where ResultType == '0' | project UserPrincipalName\n\nAuditLogs | where ActivityDisplayName == 'Quarantine'\n\nSigninLogs | project Nope\n",
    );
    let o = kqlite(
        &[
            "check",
            "--format",
            "concise",
            "--schema",
            "SigninLogs.csv",
            "--schema",
            "AuditLogs=audit.json",
            "q.kql",
        ],
        &dir,
    );
    let out = stdout(&o);
    // Only the unknown column is an error: both tables are known with their columns.
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("q.kql:5:22: error[KS002]"), "{out}");
    assert!(
        out.ends_with("checked 1 file: 1 error in 1 file\n"),
        "{out}"
    );
}
