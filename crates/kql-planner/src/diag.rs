//! Helpers for semantic diagnostics.

use kql_common::codes::{self, Code};
use kql_common::{Diagnostic, Span};

/// Planner result type.
pub(crate) type R<T> = Result<T, Diagnostic>;

/// An error diagnostic.
pub(crate) fn err<T>(code: Code, message: impl Into<String>, span: Span) -> R<T> {
    Err(Diagnostic::error(code, message, span))
}

/// A named construct kqlite does not run.
pub(crate) fn not_supported<T>(what: &str, span: Span) -> R<T> {
    err(
        codes::NOT_SUPPORTED,
        format!("{what} is not supported"),
        span,
    )
}

/// The closest candidate by edit distance, for "did you mean" notes.
pub(crate) fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    kql_common::suggest::closest(name, candidates).map(str::to_owned)
}

/// Wraps a DataFusion planning error (a broken invariant of ours) as a diagnostic.
pub(crate) fn internal(e: impl std::fmt::Display, span: Span) -> Diagnostic {
    Diagnostic::error(
        codes::INTERNAL,
        format!("internal planning error: {e}"),
        span,
    )
    .with_note("this is a bug in kqlite; please report the query")
}
