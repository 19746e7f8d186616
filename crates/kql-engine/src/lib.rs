//! Runs KQL on Apache DataFusion. [`KqlContext`] holds the tables (loaded from exports) and runs
//! queries: parse (`kql-parser`), plan (`kql-planner`), execute (DataFusion). This is the only
//! crate that touches `SessionContext`, files and async.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let ctx = kql_engine::KqlContext::new();
//! let result = ctx.execute("print x = 1 + 1").await.unwrap();
//! assert_eq!(result.schema.fields[0].name, "x");
//! # });
//! ```

pub mod check;
mod context;
pub mod generate;
pub mod live;
pub mod load;
pub mod output_file;
pub mod physical;
pub mod tables;
pub mod value;

pub use context::{
    KqlBatches, KqlContext, KqlResult, QUERY_STACK_SIZE, default_memory_limit,
    now_ticks as context_now,
};
pub use datafusion::arrow::record_batch::RecordBatch;
pub use datafusion::catalog::TableProvider;
pub use datafusion::error::DataFusionError;
pub use kql_planner::{KqlSchema, KqlType, RenderSpec};
