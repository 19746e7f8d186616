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
            crate::tables::AAD_PROVISIONING_LOGS,
            crate::tables::aad_provisioning_logs(),
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
    KqlToRel::new(&schemas.catalog, PlannerOptions { now })
        .query_to_plan(query)
        .map(|_| ())
}
