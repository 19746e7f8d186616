//! `kqlite check`: parse query files and report diagnostics.

use crate::output::{FileDiagnostic, OutputFormat, print_diagnostics};
use crate::{ColorChoice, EXIT_USAGE, files};
use clap::Args;
use kql_common::{Diagnostic, Severity, Span, codes};

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// Only check syntax (no schema or type checks).
    #[arg(long)]
    syntax_only: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Files or folders to check.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<std::path::PathBuf>,
}

/// Runs the check and returns the exit code.
pub(crate) fn run(args: &CheckArgs, color: ColorChoice) -> u8 {
    let files = match files::query_files(&args.paths) {
        Ok(f) => f,
        Err(msg) => {
            eprintln!("error: {msg}");
            return EXIT_USAGE;
        }
    };
    let _ = args.syntax_only; // Semantic checks join here once the analyzer exists.
    let mut results = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let diags = check_text(&text);
                    results.extend(diags.into_iter().map(|d| FileDiagnostic {
                        file: name.clone(),
                        source: text.clone(),
                        diagnostic: d,
                    }));
                }
                Err(e) => results.push(unreadable(
                    &name,
                    &format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
                )),
            },
            Err(e) => results.push(unreadable(&name, &files::describe(&e))),
        }
    }
    let errors = results
        .iter()
        .filter(|r| r.diagnostic.severity == Severity::Error)
        .count();
    print_diagnostics(&results, args.format, color, files.len());
    u8::from(errors > 0)
}

fn unreadable(file: &str, why: &str) -> FileDiagnostic {
    FileDiagnostic {
        file: file.to_owned(),
        source: String::new(),
        diagnostic: Diagnostic::error(
            codes::UNREADABLE_FILE,
            format!("cannot read the file: {why}"),
            Span::at(0),
        ),
    }
}

/// Parses `text` on a thread with a generous stack, so pathological nesting in debug builds
/// still ends in a diagnostic.
fn check_text(text: &str) -> Vec<Diagnostic> {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(s, || kql_parser::parse_script(text));
        match handle.map(|h| h.join()) {
            Ok(Ok(Ok(_))) => Vec::new(),
            Ok(Ok(Err(d))) => d.0,
            _ => vec![Diagnostic::error(
                codes::SYNTAX,
                "internal error while parsing this file",
                Span::at(0),
            )],
        }
    })
}
