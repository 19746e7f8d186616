//! Checking queries without data: parse, then plan against table schemas. This is what
//! `kqlite check` runs for each query of a file.

use kql_common::{Diagnostics, time};
use kql_parser::ast::Query;
use kql_planner::{KqlSchema, KqlToRel, PlannerOptions, SchemaCatalog};

/// Schemas of the tables a check may reference (the built-in `AADProvisioningLogs` included by
/// [`Schemas::with_builtin`]).
#[derive(Clone, Debug, Default)]
pub struct Schemas {
    catalog: SchemaCatalog,
}

impl Schemas {
    /// No tables.
    pub fn new() -> Schemas {
        Schemas::default()
    }

    /// The built-in tables: `AADProvisioningLogs`.
    pub fn with_builtin() -> Schemas {
        let mut s = Schemas::new();
        s.add(
            kql_ingest::tables::AAD_PROVISIONING_LOGS,
            kql_ingest::tables::aad_provisioning_logs(),
        );
        s
    }

    /// Adds (or replaces) a table schema.
    pub fn add(&mut self, name: &str, schema: KqlSchema) {
        self.catalog.add(name, schema);
    }
}

/// Plans `query` against `schemas`, reporting semantic errors (unknown names, wrong arguments,
/// type mismatches, unsupported constructs) with their spans.
pub fn check_query(query: &Query, schemas: &Schemas) -> Result<(), Diagnostics> {
    let now = time::parse_datetime("2026-01-01").unwrap_or(0);
    KqlToRel::new(&schemas.catalog, PlannerOptions::at(now))
        .query_to_plan(query)
        .map(|_| ())
}

/// Checks every query of a script `text`: syntax, and with `schemas` names and types too. Parses
/// on a thread with a generous stack, so pathological nesting in a debug build still ends in a
/// diagnostic.
pub fn check_script(text: &str, schemas: Option<&Schemas>) -> Vec<kql_common::Diagnostic> {
    check_script_with(text, schemas, CheckOptions::default())
}

/// How lenient a check is.
#[derive(Clone, Copy, Debug, Default)]
pub struct CheckOptions {
    /// Tables and tabular functions without a schema (Sentinel's tables, workspace functions
    /// such as `_GetWatchlist`) are a warning, not an error; the query is then checked for its
    /// syntax only.
    pub allow_unknown_tables: bool,
}

/// [`check_script`] with `options`. A construct kqlite cannot run yet (`KS008`) is a warning:
/// the query is valid KQL as far as kqlite can tell, but unchecked past that point.
pub fn check_script_with(
    text: &str,
    schemas: Option<&Schemas>,
    options: CheckOptions,
) -> Vec<kql_common::Diagnostic> {
    use kql_common::{Diagnostic, Severity, Span, codes};
    let lenient = |mut d: Diagnostic| {
        if d.code == codes::NOT_SUPPORTED {
            d.severity = Severity::Warning;
            d.notes
                .push("kqlite does not check the rest of this query".to_owned());
        } else if options.allow_unknown_tables
            && (d.code == codes::UNKNOWN_TABLE
                // Workspace functions (Sentinel's `_GetWatchlist`, the `_ASim` parsers) are
                // named with a leading underscore: tables in all but name.
                || (d.code == codes::UNKNOWN_FUNCTION && d.message.contains("`_")))
        {
            d.severity = Severity::Warning;
            d.notes.push(
                "--allow-unknown-tables: no schema for it, so the query is checked for syntax only"
                    .to_owned(),
            );
        }
        d
    };
    std::thread::scope(|s| {
        let handle = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(s, || {
                let queries = kql_parser::parse_script(text)?;
                let mut found = Vec::new();
                if let Some(schemas) = schemas {
                    for q in &queries {
                        if let Err(d) = check_query(q, schemas) {
                            found.extend(d.0.into_iter().map(lenient));
                        }
                    }
                }
                Ok::<_, Diagnostics>(found)
            });
        match handle.map(|h| h.join()) {
            Ok(Ok(Ok(found))) => found,
            Ok(Ok(Err(d))) => d.0,
            _ => vec![Diagnostic::error(
                codes::SYNTAX,
                "internal error while checking this file (a kqlite bug: please report it)",
                Span::at(0),
            )],
        }
    })
}
