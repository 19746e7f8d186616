//! The library every kqlite front end uses (the CLI today; the REPL, alert replay and the Kusto
//! endpoint next). A [`Workspace`] holds tables and where they come from:
//!
//! * [`Workspace::attach`] opens exports (in any shape `kql-ingest` reads) or the demo week as a
//!   table, reporting what it finds and what it rejects to an [`Observer`] as [`Event`]s;
//!   [`Workspace::attach_file`] loads one file with inferred types; [`Workspace::attach_live`]
//!   follows a growing stream.
//! * [`Workspace::prepare`] parses and plans a query once and knows which columns of which table
//!   it reads; [`Workspace::run`] (or [`Workspace::start`], batch by batch) converts just those
//!   columns of the exports, the first time they are needed, and runs it at a given `now()`.
//!
//! Tables stay attached, what was converted stays converted, and definitions typed on their own
//! ([`Workspace::prepare_input`]) are kept, across queries. The policies
//! live here, not in the front ends: snapshots are scanned in place, other exports are converted
//! lazily and only in the columns queries read, the demo week is built on demand.
//!
//! ```
//! use kql_workspace::{Silent, Source, Workspace};
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let ws = Workspace::new();
//! ws.attach("AADProvisioningLogs", Source::Demo, Default::default(), Silent::shared())
//!     .unwrap();
//! let q = ws.prepare("AADProvisioningLogs | count", kql_workspace::DEMO_END).unwrap();
//! assert_eq!(q.reads()[0].1, Vec::<String>::new());
//! let result = ws.run(&q, kql_workspace::DEMO_END).await.unwrap();
//! assert_eq!(result.row_count(), 1);
//! # });
//! ```

mod attach;
pub mod check;
mod complete;
mod definitions;
mod error;
mod export_table;
mod live;
mod observer;
mod progress;
mod query;
mod workspace;

pub use attach::{AttachOptions, Attached, Source};
pub use complete::Completion;
pub use definitions::Input;
pub use error::Error;
/// The rows an alert rule's evaluation sees ([`Workspace::run_windowed`]).
pub use kql_planner::TimeWindow;
pub use live::{LiveHandle, LiveSource};
pub use observer::{Collected, Event, Observer, Silent};
pub use query::Prepared;
pub use workspace::Workspace;

pub use kql_engine::{
    KqlBatches, KqlResult, KqlSchema, KqlType, QUERY_STACK_SIZE, RecordBatch, RenderSpec,
    context_now, default_memory_limit,
};
/// Demo data in every export shape, for `kqlite generate`.
pub use kql_ingest::generate;
pub use kql_ingest::generate::{DEMO_END, DEMO_START};
pub use kql_ingest::load::{LoadReport, Rejection};
/// Output files that appear whole or not at all.
pub use kql_ingest::output_file;
pub use kql_ingest::tables::{AAD_PROVISIONING_LOGS, aad_provisioning_logs};
