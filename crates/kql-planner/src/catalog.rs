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
