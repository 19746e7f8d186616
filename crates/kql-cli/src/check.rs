//! `kqlite check`: parse query files and report diagnostics.

use crate::output::{FileDiagnostic, OutputFormat, print_diagnostics};
use crate::{ColorChoice, EXIT_USAGE, files};
use clap::Args;
use kql_common::{Diagnostic, Severity, Span, codes};
use kql_workspace::check::{CheckOptions, Schemas, check_script_with};

#[derive(Args)]
pub(crate) struct CheckArgs {
    /// Only check syntax (no schema or type checks).
    #[arg(long)]
    syntax_only: bool,
    /// Table schemas besides the built-in AADProvisioningLogs: Sentinel CustomTables JSON, or
    /// `T | getschema` saved as CSV or JSON (the table named by NAME= or the file's name).
    #[arg(long, value_name = "[NAME=]FILE")]
    schema: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// A value for an ARM template parameter of a rule file (`[parameters('NAME')]`).
    /// Repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// Tables and tabular functions without a schema (Sentinel's tables, workspace functions)
    /// are one warning each instead of an error; such queries are checked for syntax only.
    #[arg(long)]
    allow_unknown_tables: bool,
    /// Exit 1 on warnings too (alert-rule restrictions, say), not only on errors.
    #[arg(long)]
    warnings_as_errors: bool,
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
    let mut schemas = Schemas::with_builtin();
    for path in &args.schema {
        match crate::schema_file::read_spec(path) {
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
    let mut params = kql_alerts::Params::new();
    for p in &args.params {
        let Some((k, v)) = p.split_once('=') else {
            eprintln!("error: --param `{p}`: expected NAME=VALUE");
            return EXIT_USAGE;
        };
        params.insert(k.to_owned(), v.to_owned());
    }
    let schemas = (!args.syntax_only).then_some(schemas);
    let options = CheckOptions {
        allow_unknown_tables: args.allow_unknown_tables,
    };
    let mut results = Vec::new();
    let mut checked: Vec<String> = Vec::new();
    for found in &files {
        let path = &found.path;
        let name = path.display().to_string();
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) if files::is_query_file(path) => {
                    checked.push(name.clone());
                    let diags = check_script_with(&text, schemas.as_ref(), options);
                    results.extend(diags.into_iter().map(|d| FileDiagnostic {
                        file: name.clone(),
                        source: text.clone(),
                        diagnostic: d,
                    }));
                }
                Ok(text) => {
                    // A rule file: its query checked, diagnostics pointing into the file. JSON
                    // and YAML found in a folder that hold no rule, and `kqlite test` files, are
                    // passed over.
                    let test_file = name.ends_with(".test.toml");
                    if !found.named
                        && (test_file || !kql_alerts::formats::looks_like_rule(path, &text))
                    {
                        continue;
                    }
                    checked.push(name.clone());
                    results.extend(check_rules(
                        &name,
                        path,
                        &text,
                        schemas.as_ref(),
                        &params,
                        options,
                    ));
                }
                Err(e) => {
                    checked.push(name.clone());
                    results.push(unreadable(
                        &name,
                        &format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()),
                    ));
                }
            },
            Err(e) => {
                checked.push(name.clone());
                results.push(unreadable(&name, &files::describe(&e)));
            }
        }
    }
    let errors = results
        .iter()
        .filter(|r| {
            r.diagnostic.severity == Severity::Error
                || (args.warnings_as_errors && r.diagnostic.severity == Severity::Warning)
        })
        .count();
    match print_diagnostics(&results, args.format, color, &checked) {
        Ok(()) => u8::from(errors > 0),
        // A reader that went away (`| head`) is a quiet end, as for `kqlite query`.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => u8::from(errors > 0),
        Err(e) => {
            eprintln!("error: writing the result: {}", files::describe(&e));
            1
        }
    }
}

/// The diagnostics of the rules in rule file `path` (text `text`): the file's own problems, and
/// each rule's query checked with its spans moved into the file.
fn check_rules(
    name: &str,
    path: &std::path::Path,
    text: &str,
    schemas: Option<&Schemas>,
    params: &kql_alerts::Params,
    options: CheckOptions,
) -> Vec<FileDiagnostic> {
    let at = |diagnostic: Diagnostic| FileDiagnostic {
        file: name.to_owned(),
        source: text.to_owned(),
        diagnostic,
    };
    let rules = match kql_alerts::formats::parse(path, text, params) {
        Ok(rules) => rules,
        Err(e) => {
            let offset = e.position.map_or(0, |(line, column)| {
                kql_alerts::rule::QueryText::at("", line, column).file_offset(text, 0)
            });
            return vec![at(Diagnostic::error(
                codes::INVALID_RULE,
                e.message,
                Span::at(offset),
            ))];
        }
    };
    let mut out = Vec::new();
    for rule in rules {
        let mut found = check_script_with(&rule.query.text, schemas, options);
        // The documented restrictions of log alert queries, once the query itself is sound.
        if !found.iter().any(|d| d.severity == Severity::Error)
            && let Ok(parsed) = kql_parser::parse_query(&rule.query.text)
        {
            found = kql_alerts::lint::lint(&rule, &parsed, None);
        }
        for mut d in found {
            let moved = |s: Span| {
                let start = rule.query.file_offset(text, s.start as usize);
                let end = rule.query.file_offset(text, s.end as usize).max(start);
                Span::new(start, end)
            };
            d.span = moved(d.span);
            for label in &mut d.secondary {
                label.span = moved(label.span);
            }
            out.push(at(d));
        }
    }
    out
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
