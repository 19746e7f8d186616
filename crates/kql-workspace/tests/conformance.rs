//! Runs the conformance files under `tests/conformance/` (repository root): KQL queries with
//! their expected columns and rows, written from the Kusto reference. Format:
//!
//! ```text
//! # Free-text comment. Each case names the doc page it follows:
//! # doc: print-operator
//! query
//! print x = 1, y = 'a'
//! ----
//! x:long | y:string
//! 1 | "a"
//! ```
//!
//! * Header: `name:type` cells separated by ` | `. Rows: one per line, cells as JSON (strings
//!   quoted; datetimes and timespans as their API strings; dynamic values as JSON; `null`).
//! * `query rowsort` compares rows after sorting them (for operators without a defined order).
//! * `query error KS002` expects the query to fail with that diagnostic code (no `----` block).
//! * `table NAME` followed by a KQL query and a blank line defines table `NAME` for the rest of
//!   the file; `now 2026-11-25T10:00:00Z` fixes `now()` (default 2026-01-01T00:00:00Z).
//! * A case ends at a blank line after its rows.
//!
//! `KQL_CONFORMANCE_FILTER=substring` runs only files whose path contains it.
//!
//! Bless mode, `KQL_CONFORMANCE_BLESS=1`: a `query` whose result differs (or has none yet: a
//! `----` with nothing under it) gets the engine's columns and rows written in its file, so that
//! adding a case is writing the query and reviewing the diff (`git diff tests/conformance`).
//! Expected errors are never rewritten, and the run over snapshots is skipped.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use kql_engine::KqlContext;
use kql_functions::value::json_value;
use kql_ingest::load::parquet::{snapshot_table, write_snapshot};
use std::path::{Path, PathBuf};
#[path = "../../kql-ingest/tests/common/mod.rs"]
mod common;
mod engine;

struct Case {
    line: usize,
    mode: Mode,
    query: String,
    header: Vec<String>,
    rows: Vec<String>,
    /// The lines (0-based, end excluded) holding the expected header and rows, under `----`.
    result: std::ops::Range<usize>,
}

enum Mode {
    Rows { sort: bool },
    Error(String),
    Table(String),
    Now(String),
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "test") {
            out.push(p);
        }
    }
}

fn parse_cases(text: &str) -> Result<Vec<Case>, String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    let mut cases = Vec::new();
    while i < lines.len() {
        let line = lines[i].trim_end();
        if line.trim().is_empty() || line.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mode = if let Some(rest) = line.strip_prefix("query") {
            let rest = rest.trim();
            if let Some(code) = rest.strip_prefix("error") {
                Mode::Error(code.trim().to_owned())
            } else if rest.is_empty() || rest == "rowsort" {
                Mode::Rows {
                    sort: rest == "rowsort",
                }
            } else {
                return Err(format!("line {start}: unknown query option `{rest}`"));
            }
        } else if let Some(name) = line.strip_prefix("table ") {
            Mode::Table(name.trim().to_owned())
        } else if let Some(now) = line.strip_prefix("now ") {
            cases.push(Case {
                line: start,
                mode: Mode::Now(now.trim().to_owned()),
                query: String::new(),
                header: vec![],
                rows: vec![],
                result: i..i,
            });
            i += 1;
            continue;
        } else {
            return Err(format!(
                "line {start}: expected `query`, `table` or `now`, found `{line}`"
            ));
        };
        i += 1;
        let mut query = Vec::new();
        while i < lines.len() && lines[i].trim() != "----" && !lines[i].trim().is_empty() {
            query.push(lines[i]);
            i += 1;
        }
        let mut header = Vec::new();
        let mut rows = Vec::new();
        let mut result = i..i;
        if matches!(mode, Mode::Rows { .. }) {
            if i >= lines.len() || lines[i].trim() != "----" {
                return Err(format!(
                    "line {start}: a `query` needs `----` and the expected result"
                ));
            }
            i += 1;
            if i < lines.len() && !lines[i].trim().is_empty() {
                header = lines[i].split(" | ").map(|c| c.trim().to_owned()).collect();
                i += 1;
            }
            while i < lines.len() && !lines[i].trim().is_empty() {
                rows.push(lines[i].trim().to_owned());
                i += 1;
            }
            result = result.start + 1..i;
        }
        cases.push(Case {
            line: start,
            mode,
            query: query.join("\n"),
            header,
            rows,
            result,
        });
    }
    Ok(cases)
}

/// Normalises one expected row: JSON cells re-serialised so spacing does not matter.
fn normalise_row(row: &str) -> String {
    row.split(" | ")
        .map(|c| {
            serde_json::from_str::<serde_json::Value>(c.trim())
                .map_or_else(|_| format!("<{}>", c.trim()), |v| v.to_string())
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Where a file's `table`s live: in memory, or in Parquet snapshots under a folder, scanned in
/// place (as `kqlite query --data snapshot.parquet` does).
#[derive(Clone, Copy)]
enum Tables<'a> {
    InMemory,
    Snapshots(&'a Path),
}

fn register(
    ctx: &KqlContext,
    tables: Tables<'_>,
    file: &Path,
    table: &str,
    r: kql_engine::KqlResult,
) -> Result<(), String> {
    match tables {
        Tables::InMemory => ctx
            .register_batches(table, r.schema, r.batches)
            .map_err(|e| e.to_string()),
        Tables::Snapshots(dir) => {
            let stem = file
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
            let path = dir.join(format!("{stem}-{table}.parquet"));
            write_snapshot(&path, &r.schema, &r.batches).map_err(|e| e.to_string())?;
            let (provider, _) = snapshot_table(&[path], &r.schema, &ctx.metadata_cache())
                .map_err(|e| e.to_string())?;
            ctx.register_provider(table, r.schema, provider);
            Ok(())
        }
    }
}

/// Runs the cases of one file; in bless mode, writes the actual result of each `query` that
/// differs into the file.
async fn run_file(path: &Path, tables: Tables<'_>, bless: bool) -> (usize, Vec<String>) {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return (0, vec![format!("{name}: {e}")]),
    };
    let cases = match parse_cases(&text) {
        Ok(c) => c,
        Err(e) => return (0, vec![format!("{name}: {e}")]),
    };
    let ctx = engine::new();
    let mut now = kql_common::time::parse_datetime("2026-01-01T00:00:00Z").unwrap_or(0);
    let mut failures = Vec::new();
    let mut blessed: Vec<(std::ops::Range<usize>, Vec<String>)> = Vec::new();
    let mut ran = 0;
    for case in cases {
        let at = format!("{name}:{}", case.line);
        match &case.mode {
            Mode::Now(t) => match kql_common::time::parse_datetime(t) {
                Some(v) => now = v,
                None => failures.push(format!("{at}: bad `now` {t}")),
            },
            Mode::Table(table) => match ctx.execute_at(&case.query, now).await {
                Ok(r) => {
                    if let Err(e) = register(&ctx, tables, path, table, r) {
                        failures.push(format!("{at}: registering {table}: {e}"));
                    }
                }
                Err(d) => failures.push(format!("{at}: table {table} failed: {d}")),
            },
            Mode::Error(code) => {
                ran += 1;
                match ctx.execute_at(&case.query, now).await {
                    Ok(_) => failures.push(format!(
                        "{at}: expected error {code}, but the query ran\n  {}",
                        case.query
                    )),
                    Err(d) => {
                        let got: Vec<&str> = d.0.iter().map(|x| x.code.id).collect();
                        if !got.contains(&code.as_str()) {
                            failures.push(format!(
                                "{at}: expected error {code}, got {d}\n  {}",
                                case.query
                            ));
                        }
                    }
                }
            }
            Mode::Rows { sort } => {
                ran += 1;
                match ctx.execute_at(&case.query, now).await {
                    Err(d) => failures.push(format!("{at}: query failed: {d}\n  {}", case.query)),
                    Ok(r) => {
                        let header: Vec<String> = r
                            .schema
                            .fields
                            .iter()
                            .map(|f| format!("{}:{}", f.name, f.ty))
                            .collect();
                        let mut got: Vec<String> = Vec::new();
                        for b in &r.batches {
                            for row in 0..b.num_rows() {
                                let cells: Vec<String> = r
                                    .schema
                                    .fields
                                    .iter()
                                    .enumerate()
                                    .map(|(i, f)| json_value(b.column(i), row, f.ty).to_string())
                                    .collect();
                                got.push(cells.join(" | "));
                            }
                        }
                        let mut want: Vec<String> =
                            case.rows.iter().map(|r| normalise_row(r)).collect();
                        if *sort {
                            got.sort();
                            want.sort();
                        }
                        if (header != case.header || got != want) && bless {
                            let mut lines = vec![header.join(" | ")];
                            lines.extend(got);
                            blessed.push((case.result.clone(), lines));
                        } else if header != case.header || got != want {
                            failures.push(format!(
                                "{at}: result differs\n  query:    {}\n  expected: {}\n            {}\n  actual:   {}\n            {}",
                                case.query.replace('\n', "\n            "),
                                case.header.join(" | "),
                                want.join("\n            "),
                                header.join(" | "),
                                got.join("\n            "),
                            ));
                        }
                    }
                }
            }
        }
    }
    if !blessed.is_empty() {
        match bless_file(&text, &blessed).and_then(|t| std::fs::write(path, t).ok()) {
            Some(()) => println!("{name}: blessed {} cases", blessed.len()),
            None => failures.push(format!("{name}: could not write the blessed results")),
        }
    }
    (ran, failures)
}

/// `text` with each range of lines replaced by its new lines (ranges in file order).
fn bless_file(text: &str, blessed: &[(std::ops::Range<usize>, Vec<String>)]) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<&str> = Vec::with_capacity(lines.len());
    let mut at = 0;
    for (range, new) in blessed {
        out.extend(lines.get(at..range.start)?);
        out.extend(new.iter().map(String::as_str));
        at = range.end;
    }
    out.extend(lines.get(at..)?);
    Some(out.join("\n") + "\n")
}

fn blessing() -> bool {
    std::env::var("KQL_CONFORMANCE_BLESS").is_ok_and(|v| !v.is_empty() && v != "0")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance() {
    run_all(Tables::InMemory, blessing()).await;
}

/// The same files with every `table` they define written to a snapshot and scanned in place: the
/// Parquet scan (string views, pushed filters, pruning) must answer exactly as the in-memory
/// tables do. (Cases that use no `table` just run again.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_over_snapshots() {
    if blessing() {
        // The files are being rewritten by the run in memory.
        return;
    }
    let dir = common::scratch("conformance", "snapshots");
    run_all(Tables::Snapshots(&dir), false).await;
}

async fn run_all(tables: Tables<'_>, bless: bool) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance");
    let mut paths = Vec::new();
    files(&root, &mut paths);
    let filter = std::env::var("KQL_CONFORMANCE_FILTER").unwrap_or_default();
    paths.retain(|p| p.display().to_string().contains(&filter));
    assert!(
        !paths.is_empty(),
        "no conformance files under {}",
        root.display()
    );
    let mut total = 0;
    let mut failures = Vec::new();
    for p in &paths {
        let (ran, f) = run_file(p, tables, bless).await;
        total += ran;
        failures.extend(f);
    }
    println!(
        "conformance: {total} cases in {} files, {} failed",
        paths.len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} conformance cases failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Bless mode writes the result under the right `----`, whether the case had rows or none.
#[test]
fn blessing_replaces_only_the_results_of_the_blessed_cases() {
    let text = "# a\nquery\nprint x = 1\n----\nx:long\n7\n\nquery\nprint y = 2\n----\n\nquery error KS002\nnope\n";
    let cases = parse_cases(text).unwrap();
    let blessed = vec![
        (
            cases[0].result.clone(),
            vec!["x:long".to_owned(), "1".to_owned()],
        ),
        (
            cases[1].result.clone(),
            vec!["y:long".to_owned(), "2".to_owned()],
        ),
    ];
    assert_eq!(
        bless_file(text, &blessed).unwrap(),
        "# a\nquery\nprint x = 1\n----\nx:long\n1\n\nquery\nprint y = 2\n----\ny:long\n2\n\nquery error KS002\nnope\n"
    );
}
