//! Operator precedence and every binary, list and range operator form.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

mod common;
use common::{expr, verified};
use kql_parser::ast::{BinaryOp, Expr, ListOp, StringOpKind};

/// Fully parenthesised rendering, to see the tree's shape.
fn shape(e: &Expr) -> String {
    match e {
        Expr::Binary {
            op, left, right, ..
        } => format!("({} {op} {})", shape(left), shape(right)),
        Expr::Unary { expr, .. } => format!("(-{})", shape(expr)),
        Expr::InList { left, op, list, .. } => format!("({} {op} [{}])", shape(left), list.len()),
        Expr::Between {
            expr, low, high, ..
        } => format!("({} between {}..{})", shape(expr), shape(low), shape(high)),
        other => other.to_string(),
    }
}

#[test]
fn precedence_follows_kusto() {
    assert_eq!(shape(&expr("a or b and c")), "(a or (b and c))");
    assert_eq!(shape(&expr("a and b == 1")), "(a and (b == 1))");
    assert_eq!(shape(&expr("a == b < c")), "(a == (b < c))");
    assert_eq!(shape(&expr("a < b + c")), "(a < (b + c))");
    assert_eq!(shape(&expr("a + b * c - d")), "((a + (b * c)) - d)");
    assert_eq!(shape(&expr("a * -b % c")), "((a * (-b)) % c)");
    assert_eq!(
        shape(&expr("a has 'x' and b in (1, 2)")),
        "((a has 'x') and (b in [2]))"
    );
    assert_eq!(
        shape(&expr("t between (ago(1d) .. now()) or x")),
        "((t between ago(1d)..now()) or x)"
    );
    assert_eq!(shape(&expr("(a or b) and c")), "((a or b) and c)");
}

#[test]
fn every_string_operator_round_trips() {
    for op in [
        "==",
        "!=",
        "=~",
        "!~",
        "has",
        "!has",
        "has_cs",
        "!has_cs",
        "hasprefix",
        "!hasprefix",
        "hasprefix_cs",
        "!hasprefix_cs",
        "hassuffix",
        "!hassuffix",
        "hassuffix_cs",
        "!hassuffix_cs",
        "contains",
        "!contains",
        "contains_cs",
        "!contains_cs",
        "startswith",
        "!startswith",
        "startswith_cs",
        "!startswith_cs",
        "endswith",
        "!endswith",
        "endswith_cs",
        "!endswith_cs",
        "matches regex",
        "like",
    ] {
        verified(&format!("T | where a {op} 'x'"));
    }
    for op in ["in", "!in", "in~", "!in~", "has_any", "has_all"] {
        verified(&format!("T | where a {op} ('x', 'y')"));
    }
    verified("T | where a between (1 .. 10) and b !between (2 .. 3)");
    verified("T | where a in (U | project b)");
    verified("T | where a has_any (dynamic(['a', 'b']))");
}

#[test]
fn legacy_spellings_are_canonicalised() {
    let canon = |src: &str| expr(src).to_string();
    assert_eq!(canon("a <> b"), "a != b");
    assert_eq!(canon("a notcontains 'x'"), "a !contains 'x'");
    assert_eq!(canon("a containscs 'x'"), "a contains_cs 'x'");
    assert_eq!(canon("a notbetween (1 .. 2)"), "a !between (1 .. 2)");
    assert_eq!(canon("a  matches   regex 'x'"), "a matches regex 'x'");
}

#[test]
fn operator_kinds_are_typed() {
    match expr("a !has_cs 'x'") {
        Expr::Binary {
            op: BinaryOp::Str(s),
            ..
        } => {
            assert_eq!(s.kind, StringOpKind::Has);
            assert!(s.negated && s.case_sensitive);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        expr("a !in~ (1)"),
        Expr::InList {
            op: ListOp::NotInCi,
            ..
        }
    ));
    assert!(matches!(
        expr("a has_all (1)"),
        Expr::InList {
            op: ListOp::HasAll,
            ..
        }
    ));
}

#[test]
fn comments_and_whitespace_anywhere() {
    let q = kql_parser::parse_query("T // the table\n| where a == 1 // filter\n\t| count // done")
        .unwrap();
    assert_eq!(q.to_string(), "T | where a == 1 | count");
    let q = kql_parser::parse_query("T\u{00A0}|\u{202F}where a == 1").unwrap();
    assert_eq!(q.to_string(), "T | where a == 1");
}

#[test]
fn spans_point_at_source_text() {
    let src = "T | where Name == 'x'";
    let q = kql_parser::parse_query(src).unwrap();
    let Expr::Pipeline(p) = common::first_expr(&q) else {
        panic!()
    };
    let op = &p.operators[0];
    assert_eq!(&src[op.span().range()], "where Name == 'x'");
    let kql_parser::ast::Operator::Where(w) = op else {
        panic!()
    };
    let Expr::Binary { left, right, .. } = &w.predicate else {
        panic!()
    };
    assert_eq!(&src[left.span().range()], "Name");
    assert_eq!(&src[right.span().range()], "'x'");
}

#[test]
fn scripts_split_on_blank_lines_between_complete_queries() {
    let queries = kql_parser::parse_script("T | count\n\n// second\nU | take 1\n").unwrap();
    assert_eq!(queries.len(), 2);
    let one = kql_parser::parse_script("let x = 1;\n\nT\n\n| where a == x").unwrap();
    assert_eq!(
        one.len(),
        1,
        "a blank line before `|` or after `;` does not split"
    );
    assert!(
        kql_parser::parse_query("T | count\n\nU").is_err(),
        "a single query may not hold two"
    );
}
