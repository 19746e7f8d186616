//! KQL to DataFusion: Kusto's types on Arrow ([`types`]), the planner from the KQL AST to
//! `LogicalPlan`s ([`KqlToRel`]), semantic checks with spans, and Kusto's functions
//! ([`functions`]). Pure and synchronous: no execution, no I/O; tables come from a [`Catalog`].
//!
//! Where things are: `planner.rs` (entry, statements, the pipeline fold), `operators/*.rs` (one
//! file per operator family), `expr/*.rs` (scalar expressions, functions, aggregates),
//! `naming.rs` (Kusto's output column names).

// Planning errors are rare and carry a whole diagnostic; boxing them would buy nothing.
#![allow(clippy::result_large_err)]

mod catalog;
mod diag;
mod expr;
mod naming;
mod operators;
mod planner;
mod range_node;
pub mod render;

pub use catalog::{Catalog, SchemaCatalog, TableEntry};
pub use expr::registry;
pub use kql_functions as functions;
pub use kql_functions::schema::{KqlField, KqlSchema};
pub use kql_functions::types::KqlType;
pub use kql_functions::{schema, types};
pub use planner::{
    KqlToRel, MAX_PLAN_DEPTH, PlannedQuery, PlannerOptions, TimeWindow, WINDOW_COLUMN,
};
pub use range_node::RangeNode;
pub use render::RenderSpec;
