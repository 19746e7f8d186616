//! Kusto's values on Arrow: how each type is held ([`types`]), table schemas with their Kusto
//! types ([`schema`]), and the Kusto functions whose semantics differ from DataFusion's built-ins,
//! as scalar UDFs. Each is a plain kernel function named by a [`Udf`] handle (`udf.rs`, one
//! table); the planner calls them through [`call`]. The loaders use the types, schemas and the
//! JSON kernels; nothing here plans or parses a query.
//!
//! Files: `json.rs` (the dynamic-value text scanner), `dynamic.rs` (property access, `gettype`,
//! conversions), `strings.rs` (`has`, `contains`, ... with Kusto's case and term rules),
//! `datetime.rs` (tick arithmetic, `bin`, parts, formatting), `convert.rs` (`tostring`, `tolong`, ...),
//! `arith.rs` (`+`, `-`, `*` on longs, timespans and datetimes: null where Int64 or the datetime
//! range would overflow), `decimal.rs` (the same for decimals), `power.rs` (`pow` as .NET's `Math.Pow`), `range.rs` (the count and values
//! of `range`).

mod args;
pub mod arith;
pub mod convert;
pub mod datetime;
pub mod decimal;
pub mod dynamic;
pub mod json;
pub mod power;
pub mod range;
pub mod schema;
pub mod strings;
pub mod types;
mod udf;
pub mod value;

pub use schema::{KqlField, KqlSchema};
pub use types::KqlType;

pub use udf::{Kernel, Udf, all, call};
