//! Combining operators: join, lookup, union.

use super::common::{comma_list, typed_options};
use super::option_values::{ValueParser, keyword_value};
use crate::ast::*;
use crate::parser::expr::{expr, unary_expr};
use crate::parser::lexical::{expect, expect_keyword, off, opt_keyword, peek, span_from, ws};
use crate::parser::{Input, PResult};
use nom::Input as _;

const JOIN_OPTIONS: &[&str] = &["kind", "hint.*", "withsource"];

/// `join`'s closed sets: its kind and the `hint.strategy`/`hint.remote` hints.
/// <https://learn.microsoft.com/kusto/query/join-operator>
const JOIN_VALUES: &[(&str, ValueParser)] = &[
    ("kind", |i| keyword_value(i, OptionValue::JoinKind)),
    ("hint.strategy", |i| {
        keyword_value(i, OptionValue::JoinStrategy)
    }),
    ("hint.remote", |i| keyword_value(i, OptionValue::JoinRemote)),
];

/// `lookup`'s closed set: its kind. <https://learn.microsoft.com/kusto/query/lookup-operator>
const LOOKUP_VALUES: &[(&str, ValueParser)] =
    &[("kind", |i| keyword_value(i, OptionValue::LookupKind))];

/// `join_op = "join" options join_right "on" expr { "," expr }`
/// <https://learn.microsoft.com/kusto/query/join-operator>
pub(crate) fn join_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, j) = join_body(i, kw, JOIN_VALUES)?;
    Ok((i, Operator::Join(j)))
}

/// `lookup_op = "lookup" options join_right "on" expr { "," expr }`
/// <https://learn.microsoft.com/kusto/query/lookup-operator>
pub(crate) fn lookup_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, j) = join_body(i, kw, LOOKUP_VALUES)?;
    Ok((i, Operator::Lookup(j)))
}

fn join_body<'a>(i: Input<'a>, kw: Span, values: &[(&str, ValueParser)]) -> PResult<'a, Join> {
    let (i, options) = typed_options(i, JOIN_OPTIONS, values)?;
    let (i, right) = expect("the right side: a table or `( query )`", unary_expr)(i)?;
    let (i, on, where_) = if let (r, true) = opt_keyword(i, "on") {
        let (r, on) = comma_list(r, "a join condition after `on`", expr)?;
        (r, on, None)
    } else if let (r, true) = opt_keyword(i, "where") {
        let (r, w) = expect("a join condition after `where`", expr)(r)?;
        (r, Vec::new(), Some(w))
    } else {
        let (r, _) = expect_keyword(i, "on", "`on` and the join keys")?;
        (r, Vec::new(), None)
    };
    Ok((
        i,
        Join {
            options,
            right,
            on,
            where_,
            span: span_from(kw.start as usize, &i),
        },
    ))
}

/// `union_op = "union" options union_leg { "," union_leg }`; `union_leg = wildcard_name | unary_expr`
/// <https://learn.microsoft.com/kusto/query/union-operator>
pub(crate) fn union_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = typed_options(
        i,
        &["kind", "withsource", "isfuzzy", "hint.*"],
        &[("kind", |i| keyword_value(i, OptionValue::UnionKind))],
    )?;
    let (i, tables) = comma_list(i, "a table after `union`", union_leg)?;
    Ok((
        i,
        Operator::Union(Union {
            options,
            tables,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

pub(crate) fn union_leg(i: Input) -> PResult<Expr> {
    let i = ws(i);
    let rest = peek(&i);
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '*'))
        .unwrap_or(rest.len());
    let text = rest.get(..len).unwrap_or("");
    if text.contains('*')
        && !rest
            .get(len..)
            .is_some_and(|r| r.trim_start().starts_with('('))
    {
        let start = off(&i);
        return Ok((
            i.take_from(len),
            Expr::Name(Ident::new(text, Span::new(start, start + len))),
        ));
    }
    unary_expr(i)
}
