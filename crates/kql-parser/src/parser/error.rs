//! The parser's private error type. nom's own error kinds never leave this module: at the
//! boundary every error becomes a [`Diagnostic`] that says what was expected and what was found.

use super::Input;
use kql_common::{Diagnostic, Span, codes};
use nom::error::{ErrorKind, ParseError};

/// What went wrong, at a byte offset.
#[derive(Debug, Clone)]
pub(crate) struct PError {
    pub offset: usize,
    pub kind: PErrorKind,
}

#[derive(Debug, Clone)]
pub(crate) enum PErrorKind {
    /// A combinator did not match; says nothing useful by itself.
    NoMatch,
    /// "expected {0}".
    Expected(&'static str),
    /// A fully formed diagnostic (bad literal, unknown operator, nesting too deep...).
    Diagnostic(Box<Diagnostic>),
}

impl PError {
    pub fn expected(i: &Input, what: &'static str) -> PError {
        PError {
            offset: i.location_offset(),
            kind: PErrorKind::Expected(what),
        }
    }

    pub fn diagnostic(d: Diagnostic) -> PError {
        PError {
            offset: d.span.start as usize,
            kind: PErrorKind::Diagnostic(Box::new(d)),
        }
    }

    fn rank(&self) -> u8 {
        match self.kind {
            PErrorKind::NoMatch => 0,
            PErrorKind::Expected(_) => 1,
            PErrorKind::Diagnostic(_) => 2,
        }
    }

    /// Turns the error into a diagnostic against `src`.
    pub fn into_diagnostic(self, src: &str) -> Diagnostic {
        match self.kind {
            PErrorKind::Diagnostic(d) => *d,
            PErrorKind::Expected(what) => unexpected(src, self.offset, Some(what)),
            PErrorKind::NoMatch => unexpected(src, self.offset, None),
        }
    }
}

/// "expected X, found `Y`" (or "unexpected `Y`") at `offset`.
pub(crate) fn unexpected(src: &str, offset: usize, expected: Option<&str>) -> Diagnostic {
    let (found, span) = found_token(src, offset);
    let at_end = span.start as usize >= src.len();
    let code = if at_end {
        codes::UNEXPECTED_END
    } else {
        codes::SYNTAX
    };
    match expected {
        Some(what) => Diagnostic::error(code, format!("expected {what}, found {found}"), span)
            .with_label(format!("expected {what}")),
        None if at_end => Diagnostic::error(code, "unexpected end of query", span),
        None if found == "`|`" => Diagnostic::error(code, "unexpected `|`: a query starts with a table or a source operator", span)
            .with_help("a query such as `AADProvisioningLogs | where ...` needs its input before the first `|`"),
        None => Diagnostic::error(code, format!("unexpected {found}"), span),
    }
}

/// "expected `)` ..., found X" with a secondary label on the opening delimiter.
pub(crate) fn unclosed(src_rest: &Input, open: Span, close: &str, what: &str) -> PError {
    let (found, span) = found_token(src_rest.fragment(), 0);
    let base = src_rest.location_offset() as u32;
    let span = Span {
        start: span.start + base,
        end: span.end + base,
    };
    let code = if found == "end of query" {
        codes::UNEXPECTED_END
    } else {
        codes::SYNTAX
    };
    PError::diagnostic(
        Diagnostic::error(
            code,
            format!("expected `{close}` to close the {what}, found {found}"),
            span,
        )
        .with_label(format!("expected `{close}`"))
        .with_secondary(open, "opened here"),
    )
}

/// Describes the token at `offset` (after trivia) for messages: "`foo`" or "end of query".
pub(crate) fn found_token(src: &str, offset: usize) -> (String, Span) {
    let start = super::lexical::skip_trivia(src, offset);
    let rest = src.get(start..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        return ("end of query".to_owned(), Span::at(src.len()));
    };
    let len = if first.is_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len())
    } else {
        first.len_utf8()
    };
    let text = rest.get(..len).unwrap_or("");
    (format!("`{text}`"), Span::new(start, start + len))
}

impl<'a> ParseError<Input<'a>> for PError {
    fn from_error_kind(input: Input<'a>, _: ErrorKind) -> PError {
        PError {
            offset: input.location_offset(),
            kind: PErrorKind::NoMatch,
        }
    }

    fn append(_: Input<'a>, _: ErrorKind, other: PError) -> PError {
        other
    }

    fn or(self, other: PError) -> PError {
        // Keep the error that got furthest; at the same place, the more informative one.
        if (other.offset, other.rank()) >= (self.offset, self.rank()) {
            other
        } else {
            self
        }
    }
}
