//! KQL to DataFusion: Kusto's types on Arrow, the planner from the KQL AST to `LogicalPlan`s,
//! semantic checks with spans, and Kusto's functions.

pub mod functions;
pub mod schema;
pub mod types;

pub use schema::{KqlField, KqlSchema};
pub use types::KqlType;
