//! Runs KQL on Apache DataFusion. [`KqlContext`] holds tables (batches or any DataFusion table
//! provider, whatever they were read from) and runs queries: parse (`kql-parser`), plan
//! (`kql-planner`), execute (DataFusion). It knows no table and no file format: those are
//! `kql-ingest`'s, and `kql-workspace` puts the two together.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let ctx = kql_engine::KqlContext::new();
//! let result = ctx.execute("print x = 1 + 1").await.unwrap();
//! assert_eq!(result.schema.fields[0].name, "x");
//! # });
//! ```

mod context;
pub mod physical;

pub use context::{
    KqlBatches, KqlContext, KqlResult, QUERY_STACK_SIZE, columns_read, default_memory_limit,
    now_ticks as context_now,
};
pub use datafusion::arrow::record_batch::RecordBatch;
pub use datafusion::catalog::TableProvider;
pub use datafusion::error::DataFusionError;
pub use kql_planner::{KqlSchema, KqlType, PlannedQuery, RenderSpec};
