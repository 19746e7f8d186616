//! `kqlite test PATH...`: query and rule tests, so detections get positive and negative tests in
//! CI. A test file (`*.test.toml`) holds `[[test]]` tables, each pairing a rule (`rule`, a file
//! or `builtin:NAME`) or a query (`query`) with data (`data`, files in any export shape, relative
//! to the test file; the demo week without it) and what must come out: `expect = "fire"` or
//! `"no-fire"` for a rule evaluated `at` a time, `expect_rows` (as a multiset, or in order with
//! `ordered = true`) or `expect_count` for a query run with `now`.

use crate::EXIT_USAGE;
use crate::output::out;
use clap::{Args, ValueEnum};
use kql_alerts::evaluate::evaluate;
use kql_common::time::parse_datetime;
use kql_workspace::{AAD_PROVISIONING_LOGS, AttachOptions, Silent, Source, Workspace};
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum TestFormat {
    /// A line per test, then a summary.
    Human,
    /// JUnit XML, a test case per test.
    Junit,
    /// GitHub Actions annotations for the failures, then the summary.
    Github,
}

#[derive(Args)]
pub(crate) struct TestArgs {
    /// Test files (`*.test.toml`) or folders searched for them.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    format: TestFormat,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    test: Vec<TestCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TestCase {
    name: Option<String>,
    rule: Option<String>,
    query: Option<String>,
    #[serde(default)]
    data: Vec<String>,
    at: Option<String>,
    now: Option<String>,
    expect: Option<String>,
    expect_rows: Option<Vec<toml::Table>>,
    expect_count: Option<usize>,
    #[serde(default)]
    ordered: bool,
}

/// How one test ended.
struct Outcome {
    file: String,
    name: String,
    /// `None`: passed; otherwise why not.
    failure: Option<String>,
    /// The test could not run (a bad test file, rule or data): exit 2, not 1.
    error: bool,
}

pub(crate) fn run(args: &TestArgs) -> u8 {
    let files = match test_files(&args.paths) {
        Ok(f) if !f.is_empty() => f,
        Ok(_) => {
            eprintln!("error: no *.test.toml files under the given paths");
            return EXIT_USAGE;
        }
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_USAGE;
        }
    };
    let Some(runtime) = crate::runtime() else {
        return 2;
    };
    let mut outcomes = Vec::new();
    for file in &files {
        let shown = file.display().to_string();
        // A file that cannot be read is one failed outcome; the other files still run.
        let parsed = std::fs::read_to_string(file)
            .map_err(|e| crate::files::describe(&e))
            .and_then(|text| toml::from_str::<TestFile>(&text).map_err(|e| e.message().to_owned()));
        let parsed = match parsed {
            Ok(p) => p,
            Err(why) => {
                outcomes.push(Outcome {
                    file: shown,
                    name: "(the test file)".to_owned(),
                    failure: Some(format!("error: {why}")),
                    error: true,
                });
                continue;
            }
        };
        let dir = file.parent().unwrap_or(Path::new("."));
        for (i, case) in parsed.test.iter().enumerate() {
            let name = case
                .name
                .clone()
                .unwrap_or_else(|| format!("test {}", i + 1));
            let (failure, error) = match runtime.block_on(run_case(case, dir)) {
                Ok(f) => (f, false),
                Err(e) => (Some(format!("error: {e}")), true),
            };
            outcomes.push(Outcome {
                file: shown.clone(),
                name,
                failure,
                error,
            });
        }
    }
    report(&outcomes, args.format)
}

fn report(outcomes: &[Outcome], format: TestFormat) -> u8 {
    let failed = outcomes.iter().filter(|o| o.failure.is_some()).count();
    let code = if outcomes.iter().any(|o| o.error) {
        2
    } else {
        u8::from(failed > 0)
    };
    match format {
        TestFormat::Human | TestFormat::Github => {
            for o in outcomes {
                match &o.failure {
                    None if matches!(format, TestFormat::Human) => {
                        out!("ok    {} :: {}", o.file, o.name);
                    }
                    None => {}
                    Some(why) if matches!(format, TestFormat::Human) => {
                        out!("FAIL  {} :: {}\n      {why}", o.file, o.name);
                    }
                    Some(why) => {
                        use kql_output::diagnostics::ci::{github_data, github_property};
                        out!(
                            "::error file={},title={}::{}",
                            github_property(&o.file),
                            github_property(&o.name),
                            github_data(why)
                        );
                    }
                }
            }
            out!(
                "{} tests: {} passed, {failed} failed",
                outcomes.len(),
                outcomes.len() - failed
            );
        }
        TestFormat::Junit => {
            use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
            let mut suite = TestSuite::new("kqlite test");
            for o in outcomes {
                let status = match &o.failure {
                    None => TestCaseStatus::success(),
                    Some(why) => {
                        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                        s.set_message(why.clone());
                        s
                    }
                };
                let mut case = TestCase::new(o.name.as_str(), status);
                case.set_classname(o.file.as_str());
                suite.add_test_case(case);
            }
            let mut report = Report::new("kqlite");
            report.add_test_suite(suite);
            match report.to_string() {
                Ok(xml) => out!("{xml}"),
                Err(e) => {
                    eprintln!("error: {e}");
                    return 2;
                }
            }
        }
    }
    code
}

/// Test files: named ones, and `*.test.toml` under folders (sorted).
fn test_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let found = crate::files::query_files(paths)?;
    Ok(found
        .into_iter()
        .filter(|f| {
            f.named
                || f.path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(".test.toml"))
        })
        .map(|f| f.path)
        .collect())
}

fn datetime(key: &str, text: &Option<String>) -> Result<Option<i64>, String> {
    text.as_ref()
        .map(|t| parse_datetime(t).ok_or_else(|| format!("`{key}`: `{t}` is not a datetime")))
        .transpose()
}

/// Runs one test; `Ok(None)` when it passes, `Ok(Some(why))` when it fails.
async fn run_case(case: &TestCase, dir: &Path) -> Result<Option<String>, String> {
    let ws = Workspace::new();
    let source = if case.data.is_empty() {
        Source::Demo
    } else {
        Source::Exports(case.data.iter().map(|d| dir.join(d)).collect())
    };
    ws.attach(
        AAD_PROVISIONING_LOGS,
        source,
        AttachOptions {
            strict: true,
            ..AttachOptions::default()
        },
        Arc::new(Silent),
    )
    .map_err(|e| e.to_string())?;
    // Without a time, a test runs at the end of its data, never at the wall clock: a fixture
    // test must mean the same every day.
    let default_now = if case.data.is_empty() {
        kql_workspace::DEMO_END
    } else {
        last_record(&ws).await?
    };
    let rule_keys = case.at.is_some() || case.expect.is_some();
    let query_keys = case.now.is_some()
        || case.expect_rows.is_some()
        || case.expect_count.is_some()
        || case.ordered;
    match (&case.rule, &case.query) {
        (Some(_), None) if query_keys => Err(
            "a rule test takes `at` and `expect`, not `now`, `expect_rows`, `expect_count` or `ordered`"
                .to_owned(),
        ),
        (None, Some(_)) if rule_keys => Err(
            "a query test takes `now` and `expect_rows` or `expect_count`, not `at` or `expect`"
                .to_owned(),
        ),
        (Some(rule), None) => {
            let spec = if rule.starts_with("builtin:") {
                rule.clone()
            } else {
                dir.join(rule).display().to_string()
            };
            let rules =
                kql_alerts::load(&spec, &kql_alerts::Params::new()).map_err(|e| e.to_string())?;
            let [rule] = rules.as_slice() else {
                return Err(format!(
                    "`{spec}` holds {} rules: name a file with one",
                    rules.len()
                ));
            };
            let want_fire = match case.expect.as_deref() {
                Some("fire") => true,
                Some("no-fire") => false,
                other => {
                    return Err(format!(
                        "`expect` must be \"fire\" or \"no-fire\", not {other:?}"
                    ));
                }
            };
            let at = datetime("at", &case.at)?.unwrap_or(default_now);
            let prepared = ws
                .prepare(&rule.query.text, at)
                .map_err(|e| e.to_string())?;
            let evaluation = evaluate(&ws, rule, &prepared, at, 0)
                .await
                .map_err(|e| e.to_string())?;
            let fired = evaluation.series.iter().any(|m| m.met);
            Ok((fired != want_fire).then(|| {
                let measures: Vec<String> = evaluation
                    .series
                    .iter()
                    .map(|m| m.value.map_or("no rows".to_owned(), |v| v.to_string()))
                    .collect();
                format!(
                    "expected {} at {}, but it {} (measures: {})",
                    if want_fire { "it to fire" } else { "no fire" },
                    kql_common::time::format_datetime(at),
                    if fired { "fired" } else { "did not fire" },
                    if measures.is_empty() {
                        "none".to_owned()
                    } else {
                        measures.join(", ")
                    }
                )
            }))
        }
        (None, Some(query)) => {
            let now = datetime("now", &case.now)?.unwrap_or(default_now);
            let result = ws.query(query, now).await.map_err(|e| e.to_string())?;
            let rows = crate::json_rows::rows(&result)?;
            if let Some(n) = case.expect_count
                && rows.len() != n
            {
                return Ok(Some(format!("expected {n} rows, got {}", rows.len())));
            }
            match &case.expect_rows {
                Some(expected) => Ok(compare_rows(&rows, expected, case.ordered)),
                None if case.expect_count.is_none() => {
                    Err("a query test needs `expect_rows` or `expect_count`".to_owned())
                }
                None => Ok(None),
            }
        }
        _ => Err("a test names exactly one of `rule` and `query`".to_owned()),
    }
}

/// The latest `TimeGenerated` of the attached data.
async fn last_record(ws: &Workspace) -> Result<i64, String> {
    let result = ws
        .query(
            "AADProvisioningLogs | summarize Last = max(TimeGenerated)",
            0,
        )
        .await
        .map_err(|e| e.to_string())?;
    let rows = crate::json_rows::rows(&result)?;
    rows.first()
        .and_then(|r| r["Last"].as_str())
        .and_then(parse_datetime)
        .ok_or_else(|| "the data has no records with a TimeGenerated".to_owned())
}

/// Whether a result value equals an expected TOML value: numbers by value (`3` and `3.0`),
/// datetimes as the text the query API writes, everything else as JSON.
fn same(got: &Value, want: &toml::Value) -> bool {
    match (got, want) {
        (Value::Number(g), toml::Value::Integer(w)) => g.as_f64() == Some(*w as f64),
        (Value::Number(g), toml::Value::Float(w)) => g.as_f64() == Some(*w),
        (Value::String(g), toml::Value::Datetime(w)) => {
            parse_datetime(g).is_some_and(|g| Some(g) == parse_datetime(&w.to_string()))
        }
        (Value::String(g), toml::Value::String(w)) => {
            g == w || parse_datetime(g).is_some_and(|t| Some(t) == parse_datetime(w))
        }
        (Value::Bool(g), toml::Value::Boolean(w)) => g == w,
        (g, w) => serde_json::to_value(w).is_ok_and(|w| *g == w),
    }
}

fn row_matches(got: &Value, want: &toml::Table) -> bool {
    want.iter()
        .all(|(k, w)| got.get(k).is_some_and(|g| same(g, w)))
}

/// `None` when `rows` are the expected ones (each expected row names the columns it checks).
fn compare_rows(rows: &[Value], expected: &[toml::Table], ordered: bool) -> Option<String> {
    if rows.len() != expected.len() {
        return Some(format!(
            "expected {} rows, got {}: {}",
            expected.len(),
            rows.len(),
            serde_json::to_string(rows).unwrap_or_default()
        ));
    }
    let unmatched = if ordered {
        (0..expected.len()).find(|&i| !row_matches(&rows[i], &expected[i]))
    } else {
        unmatched_in_multiset(rows, expected)
    };
    unmatched.map(|i| {
        format!(
            "no row {}matches {}; the rows: {}",
            if ordered {
                format!("at {} ", i + 1)
            } else {
                String::new()
            },
            serde_json::to_string(&expected[i]).unwrap_or_default(),
            serde_json::to_string(rows).unwrap_or_default()
        )
    })
}

/// The first expected row that no assignment of rows to expected rows can match (expected rows
/// name only some columns, so a first-come match could take a row another one needs): Kuhn's
/// augmenting paths over the match graph.
fn unmatched_in_multiset(rows: &[Value], expected: &[toml::Table]) -> Option<usize> {
    fn augment(
        e: usize,
        fits: &[Vec<usize>],
        owner: &mut [Option<usize>],
        seen: &mut [bool],
    ) -> bool {
        for &r in &fits[e] {
            if !seen[r] {
                seen[r] = true;
                if owner[r].is_none_or(|other| augment(other, fits, owner, seen)) {
                    owner[r] = Some(e);
                    return true;
                }
            }
        }
        false
    }
    let fits: Vec<Vec<usize>> = expected
        .iter()
        .map(|want| {
            (0..rows.len())
                .filter(|&r| row_matches(&rows[r], want))
                .collect()
        })
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; rows.len()];
    (0..expected.len()).find(|&e| {
        let mut seen = vec![false; rows.len()];
        !augment(e, &fits, &mut owner, &mut seen)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        toml::from_str(text).expect("a table")
    }

    #[test]
    fn rows_compare_as_a_multiset_or_in_order() {
        let rows = vec![
            serde_json::json!({"App": "A", "n": 3, "t": "2026-11-01T00:00:00Z"}),
            serde_json::json!({"App": "B", "n": 1.0, "t": "2026-11-01T01:00:00Z"}),
        ];
        let want = vec![
            table("App = 'B'\nn = 1"),
            table("App = 'A'\nn = 3.0\nt = 2026-11-01T00:00:00Z"),
        ];
        assert_eq!(compare_rows(&rows, &want, false), None);
        assert!(compare_rows(&rows, &want, true).is_some());
        let wrong = vec![table("App = 'B'\nn = 2"), table("App = 'A'")];
        assert!(
            compare_rows(&rows, &wrong, false)
                .expect("fails")
                .contains("no row matches")
        );
        assert!(
            compare_rows(&rows, &want[..1], false)
                .expect("fails")
                .contains("expected 1 rows, got 2")
        );
        // A partial expectation must not take the row a fuller one needs.
        let rows = vec![
            serde_json::json!({"A": 1, "B": 1}),
            serde_json::json!({"A": 1, "B": 2}),
        ];
        let want = vec![table("A = 1"), table("A = 1\nB = 1")];
        assert_eq!(compare_rows(&rows, &want, false), None);
        // A local time is no datetime: it matches nothing.
        let local: toml::Value = toml::Value::Datetime("07:30:00".parse().expect("a time"));
        assert!(!same(&serde_json::json!("x"), &local));
    }
}
