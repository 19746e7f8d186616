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
    /// Table schemas (Sentinel CustomTables JSON) in addition to the built-in AADProvisioningLogs.
    #[arg(long, value_name = "FILE")]
    schema: Vec<std::path::PathBuf>,
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
    let mut schemas = kql_engine::check::Schemas::with_builtin();
    for path in &args.schema {
        match crate::schema_file::read(path) {
            Ok(tables) => {
                for (name, schema) in tables {
                    schemas.add(&name, schema);
                }
            }
            Err(msg) => {
                eprintln!("error: --schema {msg}");
                return EXIT_USAGE;
            }
        }
    }
    let schemas = (!args.syntax_only).then_some(schemas);
    let mut results = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => {
                    let diags = check_text(&text, schemas.as_ref());
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
    match print_diagnostics(&results, args.format, color, files.len()) {
        Ok(()) => u8::from(errors > 0),
        // A reader that went away (`| head`) is a quiet end, as for `kqlite query`.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => u8::from(errors > 0),
        Err(e) => {
            eprintln!("error: writing the result: {}", files::describe(&e));
            1
        }
    }
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
fn check_text(text: &str, schemas: Option<&kql_engine::check::Schemas>) -> Vec<Diagnostic> {
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(s, || {
                let queries = kql_parser::parse_script(text)?;
                let mut found = Vec::new();
                if let Some(schemas) = schemas {
                    for q in &queries {
                        if let Err(d) = kql_engine::check::check_query(q, schemas) {
                            found.extend(d.0);
                        }
                    }
                }
                Ok::<_, kql_common::Diagnostics>(found)
            });
        match handle.map(|h| h.join()) {
            Ok(Ok(Ok(found))) => found,
            Ok(Ok(Err(d))) => d.0,
            _ => vec![Diagnostic::error(
                codes::SYNTAX,
                "internal error while parsing this file",
                Span::at(0),
            )],
        }
    })
}
