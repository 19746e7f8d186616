//! kqlite's KQL front end: text in, a typed and spanned AST or [`Diagnostics`] out.
//!
//! This crate knows nothing of Arrow, DataFusion, files or async, and never panics on any input:
//! nesting is bounded ([`MAX_DEPTH`]) and every error becomes a diagnostic with a stable code.
//!
//! ```
//! let q = kql_parser::parse_query("AADProvisioningLogs | where ResultType == 'Failure' | count").unwrap();
//! assert_eq!(q.to_string(), "AADProvisioningLogs | where ResultType == 'Failure' | count");
//! let err = kql_parser::parse_query("T | wher x").unwrap_err();
//! assert_eq!(err.0[0].code.id, "KP003");
//! ```

pub mod ast;
mod parser;
pub mod syntax;

pub use kql_common::{Diagnostic, Diagnostics, Span};
pub use parser::lexical::MAX_DEPTH;
pub use parser::{parse_expr, parse_query, parse_script};
