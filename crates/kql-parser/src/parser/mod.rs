//! The nom parser. One function per grammar production, named as in `grammar/kql.ebnf`.
//!
//! Trivia policy: every token parser skips leading whitespace and comments ([`lexical::ws`]).
//! Error policy: the first error wins; once an operator keyword or a binary operator has been
//! read, errors are committed ([`lexical::expect`]) so the message names what was expected there.

pub(crate) mod dynamic;
pub(crate) mod error;
pub(crate) mod expr;
pub(crate) mod lexical;
pub(crate) mod literal;
pub(crate) mod operators;
pub(crate) mod statement;

use crate::ast::{Expr, Query};
use error::PError;
use kql_common::{Diagnostic, Diagnostics};
use std::cell::Cell;

/// Per-parse state threaded through the input.
pub(crate) struct State {
    pub depth: Cell<u32>,
    /// Inside `search`/`find` predicates, where `Column:"term"` is allowed.
    pub colon_terms: Cell<bool>,
}

/// The parser input: text with its byte offset and the parse state.
pub(crate) type Input<'a> = nom_locate::LocatedSpan<&'a str, &'a State>;

/// The result of every parser function.
pub(crate) type PResult<'a, T> = nom::IResult<Input<'a>, T, PError>;

fn run<T>(src: &str, p: impl FnOnce(Input) -> PResult<T>) -> Result<T, Diagnostics> {
    let state = State {
        depth: Cell::new(0),
        colon_terms: Cell::new(false),
    };
    let input = Input::new_extra(src, &state);
    match p(input) {
        Ok((rest, value)) => {
            let rest = lexical::ws(rest);
            if lexical::at_end(&rest) {
                Ok(value)
            } else {
                Err(trailing(src, lexical::off(&rest)).into())
            }
        }
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(to_diagnostic(src, e).into()),
        Err(nom::Err::Incomplete(_)) => Err(error::unexpected(src, src.len(), None).into()),
    }
}

fn to_diagnostic(src: &str, e: PError) -> Diagnostic {
    if let Some(d) = lexical::invalid_character(src.get(e.offset..).unwrap_or(""), e.offset) {
        return d;
    }
    e.into_diagnostic(src)
}

/// Text left over after a complete query.
fn trailing(src: &str, offset: usize) -> Diagnostic {
    if let Some(d) = lexical::invalid_character(src.get(offset..).unwrap_or(""), offset) {
        return d;
    }
    statement::trailing_diagnostic(src, offset)
}

/// Parses a whole query text (statements separated by `;`).
pub fn parse_query(src: &str) -> Result<Query, Diagnostics> {
    run(src, statement::query)
}

/// Parses a file of queries separated by blank lines (see `grammar/kql.ebnf`, `script`).
pub fn parse_script(src: &str) -> Result<Vec<Query>, Diagnostics> {
    run(src, statement::script)
}

/// Parses a single expression (scalar or tabular).
pub fn parse_expr(src: &str) -> Result<Expr, Diagnostics> {
    run(src, expr::pipe_expr)
}
