//! What the planner knows about tables: their Kusto schema and a DataFusion table source.

use crate::schema::KqlSchema;
use datafusion_expr::TableSource;
use std::sync::Arc;

/// A table the planner can scan.
#[derive(Clone)]
pub struct TableEntry {
    /// Kusto columns and types.
    pub schema: KqlSchema,
    /// The source DataFusion scans (its Arrow schema matches `schema.to_arrow()`).
    pub source: Arc<dyn TableSource>,
}

/// Tables in scope. Implemented by the engine (real data) and by `check` (schemas only).
pub trait Catalog {
    /// The table called `name` (case-sensitive).
    fn table(&self, name: &str) -> Option<TableEntry>;
    /// Every table name, for "did you mean" hints.
    fn table_names(&self) -> Vec<String>;
}

/// A catalog of schemas only (no data): enough to plan and so to check queries.
#[derive(Clone, Debug, Default)]
pub struct SchemaCatalog {
    tables: std::collections::BTreeMap<String, KqlSchema>,
}

impl SchemaCatalog {
    /// An empty catalog.
    pub fn new() -> SchemaCatalog {
        SchemaCatalog::default()
    }

    /// Adds (or replaces) a table.
    pub fn add(&mut self, name: &str, schema: KqlSchema) {
        self.tables.insert(name.to_owned(), schema);
    }
}

impl Catalog for SchemaCatalog {
    fn table(&self, name: &str) -> Option<TableEntry> {
        let schema = self.tables.get(name)?;
        let source = Arc::new(
            datafusion_expr::logical_plan::builder::LogicalTableSource::new(schema.to_arrow()),
        );
        Some(TableEntry {
            schema: schema.clone(),
            source,
        })
    }

    fn table_names(&self) -> Vec<String> {
        self.tables.keys().cloned().collect()
    }
}
