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
    let lower = name.to_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = if c.to_lowercase() == lower {
            0
        } else {
            levenshtein(&lower, &c.to_lowercase()) + 1
        };
        let limit = (name.chars().count() / 3).max(2);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_owned())
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
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
