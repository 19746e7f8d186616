//! Operators that produce or describe tables: datatable, range, externaldata, search, find,
//! evaluate, invoke.

use super::common::{column_pattern, comma_list, options, property_list, schema, typed_options};
use super::option_values::keyword_value;
use crate::ast::*;
use crate::parser::expr::{expr, postfix_expr, search_predicate};
use crate::parser::lexical::{
    expect, expect_ident, expect_keyword, expect_punct, is_punct, opt_keyword, opt_punct,
    span_from, ws,
};
use crate::parser::{Input, PResult};

/// `datatable_op = "datatable" options schema "[" [ expr { "," expr } [ "," ] ] "]"`
/// <https://learn.microsoft.com/kusto/query/datatable-operator>
pub(crate) fn datatable_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["hint.*"])?;
    let (i, schema) = schema(i)?;
    let (i, values) = bracket_list(i, "`[` and the values")?;
    Ok((
        i,
        Operator::Datatable(Datatable {
            options,
            schema,
            values,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `"[" [ expr { "," expr } [ "," ] ] "]"`
fn bracket_list<'a>(i: Input<'a>, what: &'static str) -> PResult<'a, Vec<Expr>> {
    let (mut i, _) = expect_punct(i, "[", what)?;
    let mut values = Vec::new();
    loop {
        let j = ws(i);
        if is_punct(&j, "]") {
            break;
        }
        let (r, v) = expect("a value", expr)(j)?;
        values.push(v);
        let (r, more) = opt_punct(r, ",");
        i = r;
        if !more {
            break;
        }
    }
    let (i, _) = expect_punct(i, "]", "`,` or `]` after the value")?;
    Ok((i, values))
}

/// `range_op = "range" name "from" expr "to" expr "step" expr`
/// <https://learn.microsoft.com/kusto/query/range-operator>
pub(crate) fn range_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, column) = expect_ident(i, "the column name after `range`")?;
    let (i, _) = expect_keyword(i, "from", "`from` and the first value")?;
    let (i, from) = expect("the first value", expr)(i)?;
    let (i, _) = expect_keyword(i, "to", "`to` and the last value")?;
    let (i, to) = expect("the last value", expr)(i)?;
    let (i, _) = expect_keyword(i, "step", "`step` and the increment")?;
    let (i, step) = expect("the increment", expr)(i)?;
    Ok((
        i,
        Operator::Range(Range {
            column,
            from,
            to,
            step,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `invoke_op = "invoke" postfix_expr`
/// <https://learn.microsoft.com/kusto/query/invoke-operator>
pub(crate) fn invoke_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, call) = expect("a function call after `invoke`", postfix_expr)(i)?;
    Ok((
        i,
        Operator::Invoke(Invoke {
            call,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `evaluate_op = "evaluate" options postfix_expr [ ":" schema ]`
/// <https://learn.microsoft.com/kusto/query/evaluate-operator>
pub(crate) fn evaluate_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["hint.*"])?;
    let (i, call) = expect("a plugin call after `evaluate`", postfix_expr)(i)?;
    let (i, schema) = if let (r, true) = opt_punct(i, ":") {
        let (r, s) = schema(r)?;
        (r, Some(s))
    } else {
        (i, None)
    };
    Ok((
        i,
        Operator::Evaluate(Evaluate {
            options,
            call,
            schema,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `externaldata_op = ("externaldata" | "external_data") options schema "[" expr { "," expr } "]" [ "with" property_list ]`
/// <https://learn.microsoft.com/kusto/query/externaldata-operator>
pub(crate) fn externaldata_op(i: Input, kw: Span) -> PResult<Operator> {
    let underscore_keyword = kw.end - kw.start == 13;
    let (i, options) = options(i, &["hint.*"])?;
    let (i, schema) = schema(i)?;
    let (i, uris) = bracket_list(i, "`[` and the storage URIs")?;
    let (i, with) = if let (r, true) = opt_keyword(i, "with") {
        property_list(r)?
    } else {
        (i, Vec::new())
    };
    Ok((
        i,
        Operator::Externaldata(Externaldata {
            underscore_keyword,
            options,
            schema,
            uris,
            with,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `"in" "(" union_leg { "," union_leg } ")"`
fn in_tables(i: Input) -> PResult<Option<Vec<Expr>>> {
    let (r, found) = opt_keyword(i, "in");
    if !found {
        return Ok((i, None));
    }
    let (r, _) = expect_punct(r, "(", "`(` and the tables to search")?;
    let (r, tables) = comma_list(r, "a table name", super::join::union_leg)?;
    let (r, _) = expect_punct(r, ")", "`,` or `)` after the table")?;
    Ok((r, Some(tables)))
}

/// `search_op = "search" options [ "in" "(" tables ")" ] search_predicate`
/// <https://learn.microsoft.com/kusto/query/search-operator>
pub(crate) fn search_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = typed_options(
        i,
        &["kind", "withsource", "hint.*"],
        &[("kind", |i| keyword_value(i, OptionValue::SearchKind))],
    )?;
    let (i, tables) = in_tables(i)?;
    let (i, predicate) = expect("a search predicate", search_predicate)(i)?;
    Ok((
        i,
        Operator::Search(Search {
            options,
            tables,
            predicate,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `find_op = "find" options [ "in" "(" tables ")" ] "where" search_predicate [ find_project ]`
/// <https://learn.microsoft.com/kusto/query/find-operator>
pub(crate) fn find_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["withsource", "datascope", "hint.*"])?;
    let (i, tables) = in_tables(i)?;
    let (i, _) = expect_keyword(i, "where", "`where` and a predicate")?;
    let (i, predicate) = expect("a predicate", search_predicate)(i)?;
    let (i, project) = if let (r, true) = opt_keyword(i, "project-smart") {
        (r, Some(FindProject::Smart))
    } else if let (r, true) = opt_keyword(i, "project-away") {
        let (r, c) = comma_list(r, "a column", column_pattern)?;
        (r, Some(FindProject::Away(c)))
    } else if let (r, true) = opt_keyword(i, "project") {
        let (r, c) = comma_list(r, "a column", expr)?;
        (r, Some(FindProject::Columns(c)))
    } else {
        (i, None)
    };
    Ok((
        i,
        Operator::Find(Find {
            options,
            tables,
            predicate,
            project,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}
