//! Engines for tests that drive `kql-engine` and `kql-ingest` directly, set up as a
//! [`kql_workspace::Workspace`] sets its own up.

#![allow(dead_code)]

use datafusion::datasource::MemTable;
use kql_engine::KqlContext;
use kql_ingest::live::LiveTable;
use kql_ingest::tables::{AAD_PROVISIONING_LOGS, aad_provisioning_logs};
use std::sync::Arc;

/// An empty engine that reads local files (snapshots) through kqlite's checked store.
pub fn new() -> KqlContext {
    let ctx = KqlContext::new();
    let local = url::Url::parse("file://").expect("a URL");
    ctx.register_object_store(
        &local,
        Arc::new(kql_ingest::load::local_files::LocalFiles::default()),
    );
    ctx
}

/// An empty live `AADProvisioningLogs` in `ctx`, keeping `retain` ticks of rows.
pub fn live(ctx: &KqlContext, retain: Option<i64>) -> LiveTable {
    let schema = aad_provisioning_logs();
    let provider = MemTable::try_new(schema.to_arrow(), vec![vec![]]).expect("a table");
    let table = LiveTable::new(schema.clone(), provider.batches[0].clone(), retain);
    ctx.register_provider(AAD_PROVISIONING_LOGS, schema, Arc::new(provider));
    table
}
