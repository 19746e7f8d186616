//! [`Workspace`]: a query engine and the tables attached to it.

use crate::export_table::ExportTable;
use kql_engine::KqlContext;
use kql_ingest::load::local_files::LocalFiles;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Tables attached from exports and other sources, and the engine that runs queries over them.
/// Tables stay attached, and what is converted stays converted, until replaced.
pub struct Workspace {
    ctx: KqlContext,
    /// The tables converted lazily, by name: a query converts what it reads before it runs.
    exports: Mutex<BTreeMap<String, Arc<ExportTable>>>,
    /// Definitions kept from earlier inputs ([`Workspace::prepare_input`]).
    pub(crate) definitions: Mutex<Vec<kql_parser::ast::Statement>>,
}

impl Default for Workspace {
    fn default() -> Self {
        Workspace::new()
    }
}

impl Workspace {
    /// An empty workspace whose queries may use [`kql_engine::default_memory_limit`].
    pub fn new() -> Workspace {
        Workspace::with_memory_limit(kql_engine::default_memory_limit())
    }

    /// An empty workspace whose queries may use `bytes` for their sorts, groups and other
    /// working state (attached tables are not counted); a query that needs more fails with
    /// KE003.
    pub fn with_memory_limit(bytes: usize) -> Workspace {
        let ctx = KqlContext::with_memory_limit(bytes);
        // Snapshots are read through a store that checks each column chunk it reads.
        if let Ok(local) = url::Url::parse("file://") {
            ctx.register_object_store(&local, Arc::new(LocalFiles::default()));
        }
        Workspace {
            ctx,
            exports: Mutex::new(BTreeMap::new()),
            definitions: Mutex::new(Vec::new()),
        }
    }

    /// The engine, for what the workspace does not wrap (registering batches made elsewhere,
    /// physical plans).
    pub fn context(&self) -> &KqlContext {
        &self.ctx
    }

    /// Names of the attached tables.
    pub fn table_names(&self) -> Vec<String> {
        self.ctx.table_names()
    }

    /// Declares table `name` with `schema` and no rows: enough to check and plan queries.
    pub fn declare(&self, name: &str, schema: kql_engine::KqlSchema) {
        self.forget_export(name);
        // An empty in-memory table cannot fail to build.
        let _ = self.ctx.register_batches(name, schema, Vec::new());
    }

    pub(crate) fn add_export(&self, name: &str, table: ExportTable) {
        let table = Arc::new(table);
        self.ctx
            .register_provider(name, table.schema().clone(), table.clone());
        if let Ok(mut e) = self.exports.lock() {
            e.insert(name.to_owned(), table);
        }
    }

    pub(crate) fn forget_export(&self, name: &str) {
        if let Ok(mut e) = self.exports.lock() {
            e.remove(name);
        }
    }

    pub(crate) fn exports(&self) -> Vec<(String, Arc<ExportTable>)> {
        self.exports
            .lock()
            .map(|e| e.iter().map(|(n, t)| (n.clone(), t.clone())).collect())
            .unwrap_or_default()
    }
}
