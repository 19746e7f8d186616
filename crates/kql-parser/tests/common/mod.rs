//! Helpers shared by the parser test files (sqlparser-rs's `verified_stmt` idea).
#![allow(dead_code)]

use kql_parser::ast::{Expr, Query, Statement};

/// Parses `src`, asserts it prints back exactly as written, and that the printed text parses to
/// the same tree. Returns the query.
#[track_caller]
pub fn verified(src: &str) -> Query {
    let q = kql_parser::parse_query(src).unwrap_or_else(|e| panic!("{src}\n{e}"));
    assert_eq!(q.to_string(), src, "canonical print differs");
    let again =
        kql_parser::parse_query(&q.to_string()).unwrap_or_else(|e| panic!("reparse of {q}\n{e}"));
    assert_eq!(again, q, "round-trip changed the tree");
    q
}

/// Parses `src` and asserts its canonical print is `canonical` (which must round-trip).
#[track_caller]
pub fn parses_to(src: &str, canonical: &str) -> Query {
    let q = kql_parser::parse_query(src).unwrap_or_else(|e| panic!("{src}\n{e}"));
    assert_eq!(q.to_string(), canonical);
    verified(canonical);
    q
}

/// The single expression statement of `src`.
#[track_caller]
pub fn expr(src: &str) -> Expr {
    kql_parser::parse_expr(src).unwrap_or_else(|e| panic!("{src}\n{e}"))
}

/// The first statement's expression.
#[track_caller]
pub fn first_expr(q: &Query) -> &Expr {
    match q.statements.first() {
        Some(Statement::Expr(e)) => e,
        other => panic!("not an expression statement: {other:?}"),
    }
}

/// Asserts `src` fails with diagnostic `code`, returning the first diagnostic.
#[track_caller]
pub fn fails(src: &str, code: &str) -> kql_parser::Diagnostic {
    match kql_parser::parse_query(src) {
        Ok(q) => panic!("expected {code} but parsed: {q}"),
        Err(d) => {
            let first = d.0.into_iter().next().expect("a diagnostic");
            assert_eq!(first.code.id, code, "{src}: {}", first.message);
            first
        }
    }
}
