//! Pieces shared by every kqlite stage: byte-offset [`Span`]s, the [`Diagnostic`] type with its
//! stable [`codes`], and the one human form of a diagnostic ([`snippet`]): a source snippet with line, column and
//! caret.
//!
//! ```
//! use kql_common::{codes, snippet, Diagnostic, Span};
//! let src = "T | wher x";
//! let d = Diagnostic::error(codes::UNKNOWN_OPERATOR, "unknown tabular operator `wher`", Span::new(4, 8));
//! let text = snippet::plain(&d, "query.kql", src);
//! assert!(text.contains("query.kql:1:5"));
//! ```

pub mod codes;
mod diagnostic;
pub mod io_text;
pub mod position;
pub mod snippet;
mod span;
pub mod suggest;
pub mod time;
pub mod timespan;
mod types;

pub use diagnostic::{Diagnostic, Diagnostics, Label, Severity};
pub use span::Span;
pub use types::KqlType;
