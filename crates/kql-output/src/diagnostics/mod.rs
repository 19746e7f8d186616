//! Reports of diagnostics over files (what `kqlite check` prints): human snippets with a
//! summary line, one line each (`concise`), a JSON array, GitHub workflow commands, Azure
//! Pipelines logging commands (`ci.rs`), SARIF 2.1.0 for code scanning (`sarif.rs`) and JUnit
//! XML (`junit.rs`).

pub mod ci;
mod junit;
mod sarif;

use kql_common::position::LineIndex;
use kql_common::snippet::{self, Style};
use kql_common::{Diagnostic, Severity};
use std::io::{self, Write};

/// How a report of diagnostics is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// Source snippets with carets, then `checked N files: ...`.
    Human,
    /// `file:line:column: severity[CODE] message`, one line each, then the summary.
    Concise,
    /// A JSON array of {file, line, column, end_line, end_column, severity, code, message}.
    Json,
    /// GitHub Actions workflow commands (`::error file=...::message`): annotations on the diff.
    Github,
    /// Azure Pipelines logging commands (`##vso[task.logissue ...]message`).
    Azure,
    /// A SARIF 2.1.0 log, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML: one test case per file checked, failing with its errors.
    Junit,
}

/// Where a diagnostic is: 1-based lines and columns (in characters) of its start and end.
pub(crate) struct Placed<'a> {
    pub r: &'a FileDiagnostic,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl<'a> Placed<'a> {
    pub(crate) fn of(r: &'a FileDiagnostic) -> Placed<'a> {
        let ix = LineIndex::new(&r.source);
        let start = ix.line_col(r.diagnostic.span.start as usize);
        let end = ix.line_col(r.diagnostic.span.end as usize);
        Placed {
            r,
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

/// A diagnostic with the file and text it belongs to.
#[derive(Clone, Debug)]
pub struct FileDiagnostic {
    /// The file, as named to the user.
    pub file: String,
    /// Its text (empty when it could not be read).
    pub source: String,
    /// What is wrong.
    pub diagnostic: Diagnostic,
}

/// Writes the diagnostics found in `files` (every file checked, as named to the user) to
/// `out`; `style` colours the human form.
pub fn write_report(
    mut out: impl Write,
    results: &[FileDiagnostic],
    format: ReportFormat,
    style: Style,
    files: &[String],
) -> io::Result<()> {
    let placed: Vec<Placed> = results.iter().map(Placed::of).collect();
    match format {
        ReportFormat::Json => {
            let rows: Vec<serde_json::Value> = placed.iter().map(json_row).collect();
            writeln!(out, "{}", serde_json::Value::Array(rows))?;
        }
        ReportFormat::Human => {
            for r in results {
                writeln!(
                    out,
                    "{}",
                    snippet::styled(&r.diagnostic, &r.file, &r.source, style)
                )?;
            }
            writeln!(out, "{}", summary(results, files.len()))?;
        }
        ReportFormat::Concise => {
            ci::concise(&mut out, &placed)?;
            writeln!(out, "{}", summary(results, files.len()))?;
        }
        ReportFormat::Github => ci::github(&mut out, &placed)?,
        ReportFormat::Azure => ci::azure(&mut out, &placed)?,
        ReportFormat::Sarif => sarif::write(&mut out, &placed)?,
        ReportFormat::Junit => junit::write(&mut out, &placed, files)?,
    }
    out.flush()
}

/// `checked 3 files: 2 errors in 1 file`, or `checked 3 files: no errors`; warnings, when
/// there are some, after them (`..., 4 warnings`).
fn summary(results: &[FileDiagnostic], files: usize) -> String {
    let count = |severity: Severity| {
        results
            .iter()
            .filter(|r| r.diagnostic.severity == severity)
            .count()
    };
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let mut bad: Vec<&str> = results
        .iter()
        .filter(|r| r.diagnostic.severity == Severity::Error)
        .map(|r| r.file.as_str())
        .collect();
    bad.dedup();
    let plural = |n: usize, w: &str| {
        if n == 1 {
            format!("{n} {w}")
        } else {
            format!("{n} {w}s")
        }
    };
    let mut line = if errors == 0 {
        format!("checked {}: no errors", plural(files, "file"))
    } else {
        format!(
            "checked {}: {} in {}",
            plural(files, "file"),
            plural(errors, "error"),
            plural(bad.len(), "file")
        )
    };
    if warnings > 0 {
        line.push_str(&format!(", {}", plural(warnings, "warning")));
    }
    line
}

fn json_row(p: &Placed) -> serde_json::Value {
    let d = &p.r.diagnostic;
    serde_json::json!({
        "file": p.r.file,
        "line": p.line,
        "column": p.column,
        "end_line": p.end_line,
        "end_column": p.end_column,
        "severity": d.severity.as_str(),
        "code": d.code.id,
        "message": d.message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_common::{Span, codes};

    fn report(format: ReportFormat, results: &[FileDiagnostic]) -> String {
        let mut out = Vec::new();
        let files = ["a.kql".to_owned(), "b.kql".to_owned()];
        write_report(&mut out, results, format, Style::plain(), &files).expect("written");
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn both_forms_place_the_diagnostic_at_its_line_and_column() {
        let found = [FileDiagnostic {
            file: "a.kql".to_owned(),
            source: "T\n| wher x".to_owned(),
            diagnostic: Diagnostic::error(codes::SYNTAX, "unknown operator", Span::new(4, 8)),
        }];
        let json: serde_json::Value =
            serde_json::from_str(&report(ReportFormat::Json, &found)).expect("JSON");
        assert_eq!(json[0]["line"], 2);
        assert_eq!(json[0]["column"], 3);
        let human = report(ReportFormat::Human, &found);
        assert!(human.contains("a.kql:2:3"), "{human}");
        assert!(
            human.ends_with("checked 2 files: 1 error in 1 file\n"),
            "{human}"
        );
        assert_eq!(
            report(ReportFormat::Human, &[]),
            "checked 2 files: no errors\n"
        );
    }
}
