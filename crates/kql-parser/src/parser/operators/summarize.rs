//! Aggregating operators: summarize, distinct, top-nested, top-hitters, make-series.

use super::common::{by_list, comma_list, count_expr, named_expr, options, typed_options};
use super::option_values::keyword_value;
use crate::ast::*;
use crate::parser::expr::{expr, unary_expr};
use crate::parser::lexical::{
    expect, expect_keyword, is_keyword, is_punct, keyword, off, opt_keyword, span_from, ws,
};
use crate::parser::{Input, PResult};
use nom::Input as _;

/// `summarize_op = "summarize" options ( named_expr { "," named_expr } [ by_list ] | by_list )`
/// <https://learn.microsoft.com/kusto/query/summarize-operator>
pub(crate) fn summarize_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["hint.*"])?;
    let (i, aggregates) = if is_keyword(&i, "by") {
        (i, Vec::new())
    } else {
        comma_list(i, "an aggregation or `by` after `summarize`", named_expr)?
    };
    let (i, by) = by_list(i)?;
    Ok((
        i,
        Operator::Summarize(Summarize {
            options,
            aggregates,
            by,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `distinct_op = "distinct" options named_expr { "," named_expr }` (`*` for all columns)
/// <https://learn.microsoft.com/kusto/query/distinct-operator>
pub(crate) fn distinct_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["hint.*"])?;
    let (i, columns) = comma_list(i, "a column or `*` after `distinct`", named_expr)?;
    Ok((
        i,
        Operator::Distinct(Distinct {
            options,
            columns,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `top_nested_op = "top-nested" top_nested_level { "," "top-nested" top_nested_level }`
/// `top_nested_level = [ expr ] "of" named_expr [ "with" "others" "=" expr ] "by" named_expr [ "asc" | "desc" ]`
/// <https://learn.microsoft.com/kusto/query/top-nested-operator>
pub(crate) fn top_nested_op(i: Input, kw: Span) -> PResult<Operator> {
    let mut levels = Vec::new();
    let mut i = i;
    loop {
        let j = ws(i);
        let start = off(&j);
        let (r, count) = if is_keyword(&j, "of") {
            (j, None)
        } else {
            expect("a count or `of`", count_expr)(j).map(|(r, c)| (r, Some(c)))?
        };
        let (r, _) = expect_keyword(r, "of", "`of` and the grouping expression")?;
        let (r, of) = expect("the grouping expression after `of`", named_expr)(r)?;
        let (r, others) = if let (r, true) = opt_keyword(r, "with") {
            let (r, _) = expect_keyword(r, "others", "`others` after `with`")?;
            let (r, _) = crate::parser::lexical::expect_punct(r, "=", "`=` after `others`")?;
            let (r, e) = expect("the value for other rows", expr)(r)?;
            (r, Some(e))
        } else {
            (r, None)
        };
        let (r, _) = expect_keyword(r, "by", "`by` and an aggregation")?;
        let (r, by) = expect("an aggregation after `by`", named_expr)(r)?;
        let (r, order) = if let (r, true) = opt_keyword(r, "asc") {
            (r, Some(SortOrder::Asc))
        } else if let (r, true) = opt_keyword(r, "desc") {
            (r, Some(SortOrder::Desc))
        } else {
            (r, None)
        };
        levels.push(TopNestedLevel {
            count,
            of,
            others,
            by,
            order,
            span: span_from(start, &r),
        });
        i = r;
        let j = ws(i);
        if is_punct(&j, ",") && is_keyword(&j.take_from(1), "top-nested") {
            let (r, _) = keyword("top-nested")(j.take_from(1))?;
            i = r;
        } else {
            break;
        }
    }
    Ok((
        i,
        Operator::TopNested(TopNested {
            levels,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `top_hitters_op = "top-hitters" expr "of" expr [ "by" expr ]`
pub(crate) fn top_hitters_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, count) = expect("a count after `top-hitters`", count_expr)(i)?;
    let (i, _) = expect_keyword(i, "of", "`of` and a column")?;
    let (i, of) = expect("a column after `of`", expr)(i)?;
    let (i, by) = if let (r, true) = opt_keyword(i, "by") {
        let (r, e) = expect("an expression after `by`", expr)(r)?;
        (r, Some(e))
    } else {
        (i, None)
    };
    Ok((
        i,
        Operator::TopHitters(TopHitters {
            count,
            of,
            by,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `make_series_op = "make-series" options series_agg { "," series_agg } "on" axis series_range [ "by" ... ]`
/// `series_agg = named_expr [ "default" "=" expr ]`
/// `series_range = "in" "range" "(" ... ")" | [ "from" expr ] [ "to" expr ] "step" expr`
/// <https://learn.microsoft.com/kusto/query/make-series-operator>
pub(crate) fn make_series_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = typed_options(
        i,
        &["kind", "hint.*"],
        &[("kind", |i| keyword_value(i, OptionValue::MakeSeriesKind))],
    )?;
    let (i, aggregates) = comma_list(i, "an aggregation after `make-series`", |i| {
        let (i, e) = named_expr(i)?;
        if let (r, true) = opt_keyword(i, "default") {
            let (r, _) = crate::parser::lexical::expect_punct(r, "=", "`=` after `default`")?;
            let (r, d) = expect("a default value", expr)(r)?;
            return Ok((
                r,
                SeriesAggregate {
                    expr: e,
                    default: Some(d),
                },
            ));
        }
        Ok((
            i,
            SeriesAggregate {
                expr: e,
                default: None,
            },
        ))
    })?;
    let (i, _) = expect_keyword(i, "on", "`on` and the axis column")?;
    let (i, on) = expect("the axis column after `on`", unary_expr)(i)?;
    let (i, range) = if let (r, true) = opt_keyword(i, "in") {
        let (r, e) = expect("`range(start, stop, step)` after `in`", unary_expr)(r)?;
        (r, SeriesRange::InRange(e))
    } else {
        let (i, from) = optional_clause(i, "from")?;
        let (i, to) = optional_clause(i, "to")?;
        let (i, _) = expect_keyword(i, "step", "`step` and the bin size")?;
        let (i, step) = expect("the bin size after `step`", expr)(i)?;
        (i, SeriesRange::FromTo { from, to, step })
    };
    let (i, by) = by_list(i)?;
    Ok((
        i,
        Operator::MakeSeries(MakeSeries {
            options,
            aggregates,
            on,
            range,
            by,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

fn optional_clause<'a>(i: Input<'a>, kw: &'static str) -> PResult<'a, Option<Expr>> {
    if let (r, true) = opt_keyword(i, kw) {
        let (r, e) = expect("an expression", expr)(r)?;
        return Ok((r, Some(e)));
    }
    Ok((i, None))
}
