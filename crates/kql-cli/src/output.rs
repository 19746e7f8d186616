//! Printing diagnostics: human snippets or a JSON array.

use crate::ColorChoice;
use clap::ValueEnum;
use kql_common::position::LineIndex;
use kql_common::snippet::{self, Style};
use kql_common::{Diagnostic, Severity};
use std::io::{IsTerminal, Write};

/// How `check` prints its findings.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Source snippets with carets.
    Human,
    /// A JSON array of {file, line, column, end_line, end_column, severity, code, message}.
    Json,
}

/// A diagnostic with the file and text it belongs to.
pub(crate) struct FileDiagnostic {
    pub file: String,
    pub source: String,
    pub diagnostic: Diagnostic,
}

pub(crate) const COLOR: Style = Style {
    severity: "\x1b[1;31m",
    gutter: "\x1b[1;34m",
    caret: "\x1b[1;31m",
    reset: "\x1b[0m",
};

pub(crate) fn use_color(choice: ColorChoice, tty: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

/// Prints the diagnostics of a check on standard output; the error is a failed write.
pub(crate) fn print_diagnostics(
    results: &[FileDiagnostic],
    format: OutputFormat,
    color: ColorChoice,
    files: usize,
) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match format {
        OutputFormat::Json => {
            let rows: Vec<serde_json::Value> = results.iter().map(json_row).collect();
            writeln!(out, "{}", serde_json::Value::Array(rows))?;
        }
        OutputFormat::Human => {
            let style = if use_color(color, std::io::stdout().is_terminal()) {
                COLOR
            } else {
                Style::plain()
            };
            for r in results {
                writeln!(
                    out,
                    "{}",
                    snippet::styled(&r.diagnostic, &r.file, &r.source, style)
                )?;
            }
            let errors = results
                .iter()
                .filter(|r| r.diagnostic.severity == Severity::Error)
                .count();
            let mut bad: Vec<&str> = results.iter().map(|r| r.file.as_str()).collect();
            bad.dedup();
            let plural = |n: usize, w: &str| {
                if n == 1 {
                    format!("{n} {w}")
                } else {
                    format!("{n} {w}s")
                }
            };
            if errors == 0 {
                writeln!(out, "checked {}: no errors", plural(files, "file"))?;
            } else {
                writeln!(
                    out,
                    "checked {}: {} in {}",
                    plural(files, "file"),
                    plural(errors, "error"),
                    plural(bad.len(), "file")
                )?;
            }
        }
    }
    out.flush()
}

fn json_row(r: &FileDiagnostic) -> serde_json::Value {
    let ix = LineIndex::new(&r.source);
    let d = &r.diagnostic;
    let start = ix.line_col(d.span.start as usize);
    let end = ix.line_col(d.span.end as usize);
    serde_json::json!({
        "file": r.file,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "severity": d.severity.as_str(),
        "code": d.code.id,
        "message": d.message,
    })
}
