//! Printing diagnostics (in `kql-output`'s formats) with the colours the terminal allows.

use crate::ColorChoice;
use clap::ValueEnum;
use kql_common::snippet::Style;
pub(crate) use kql_output::diagnostics::FileDiagnostic;
use kql_output::diagnostics::{ReportFormat, write_report};
use std::io::IsTerminal;

/// How `check` prints its findings.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Source snippets with carets.
    Human,
    /// One line each: file:line:column: severity[CODE] message.
    Concise,
    /// A JSON array of {file, line, column, end_line, end_column, severity, code, message}.
    Json,
    /// GitHub Actions workflow commands (annotations on the pull request's diff).
    Github,
    /// Azure Pipelines logging commands.
    Azure,
    /// A SARIF 2.1.0 log (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// JUnit XML: a test case per file checked.
    Junit,
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
    files: &[String],
) -> std::io::Result<()> {
    let style = if use_color(color, std::io::stdout().is_terminal()) {
        COLOR
    } else {
        Style::plain()
    };
    let format = match format {
        OutputFormat::Human => ReportFormat::Human,
        OutputFormat::Concise => ReportFormat::Concise,
        OutputFormat::Json => ReportFormat::Json,
        OutputFormat::Github => ReportFormat::Github,
        OutputFormat::Azure => ReportFormat::Azure,
        OutputFormat::Sarif => ReportFormat::Sarif,
        OutputFormat::Junit => ReportFormat::Junit,
    };
    write_report(std::io::stdout().lock(), results, format, style, files)
}

/// Writes `text` and a newline to standard output. The error is the exit code to leave with: 0
/// when the reader went away (a closed pipe, as `| head` makes: a quiet end, as other tools
/// have), 1 when the write failed (its reason printed).
pub(crate) fn print_line(text: &str) -> Result<(), u8> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}") {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(0),
        Err(e) => {
            eprintln!("error: writing the result: {}", crate::files::describe(&e));
            Err(1)
        }
    }
}

/// `println!` that leaves the function with [`print_line`]'s exit code when standard output is
/// gone.
macro_rules! out {
    ($($arg:tt)*) => {
        if let Err(code) = $crate::output::print_line(&format!($($arg)*)) {
            return code;
        }
    };
}
pub(crate) use out;
