//! Operators that run sub-queries or carry state: facet, fork, partition, scan, reduce.

use super::common::{column_decl, comma_list, named_expr, option_value, options};
use crate::ast::*;
use crate::parser::error::PError;
use crate::parser::expr::{expr, pipe_expr, subquery};
use crate::parser::lexical::{
    expect, expect_ident, expect_keyword, expect_punct, ident, is_keyword, is_punct, off,
    opt_keyword, opt_punct, span_from, ws,
};
use crate::parser::{Input, PResult};
use nom::Input as _;

/// A column name as an expression.
fn column_name(i: Input) -> PResult<Expr> {
    let (r, n) = ident(i)?;
    Ok((r, Expr::Name(n)))
}

/// `facet_op = "facet" "by" name { "," name } [ "with" "(" subquery ")" ]`
/// <https://learn.microsoft.com/kusto/query/facet-operator>
pub(crate) fn facet_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, _) = expect_keyword(i, "by", "`by` and the faceted columns")?;
    let (i, by) = comma_list(i, "a column", column_name)?;
    let (i, with) = if let (r, true) = opt_keyword(i, "with") {
        let (r, _) = expect_punct(r, "(", "`(` before the sub-query")?;
        let (r, q) = expect("a sub-query", subquery)(r)?;
        let (r, _) = expect_punct(r, ")", "`)` after the sub-query")?;
        (r, Some(q))
    } else {
        (i, None)
    };
    Ok((
        i,
        Operator::Facet(Facet {
            by,
            with,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `fork_op = "fork" fork_branch { fork_branch }`; `fork_branch = [ name "=" ] "(" subquery ")"`
/// <https://learn.microsoft.com/kusto/query/fork-operator>
pub(crate) fn fork_op(i: Input, kw: Span) -> PResult<Operator> {
    let mut branches = Vec::new();
    let mut i = i;
    loop {
        let j = ws(i);
        let (r, name) = match ident(j) {
            Ok((r, n)) if is_punct(&r, "=") => (ws(r).take_from(1), Some(n)),
            _ => (j, None),
        };
        if !is_punct(&r, "(") {
            if name.is_some() || branches.is_empty() {
                return Err(nom::Err::Failure(PError::expected(
                    &ws(r),
                    "`(` and a sub-query",
                )));
            }
            break;
        }
        let (r, _) = expect_punct(r, "(", "`(`")?;
        let (r, q) = expect("a sub-query", subquery)(r)?;
        let (r, _) = expect_punct(r, ")", "`)` after the sub-query")?;
        branches.push((name, q));
        i = r;
    }
    Ok((
        i,
        Operator::Fork(Fork {
            branches,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `partition_op = "partition" options "by" name ( "(" subquery ")" | "{" pipe_expr "}" )`
/// <https://learn.microsoft.com/kusto/query/partition-operator>
pub(crate) fn partition_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["hint.*"])?;
    let (i, _) = expect_keyword(i, "by", "`by` and the partition column")?;
    let (i, by) = expect("the partition column", column_name)(i)?;
    let j = ws(i);
    let (i, body) = if is_punct(&j, "{") {
        let (r, e) = expect("a query inside `{ }`", pipe_expr)(j.take_from(1))?;
        let (r, _) = expect_punct(r, "}", "`}` after the query")?;
        (r, PartitionBody::Braced(e))
    } else {
        let (r, _) = expect_punct(j, "(", "`(` or `{` and the per-partition query")?;
        let (r, q) = expect("a sub-query", subquery)(r)?;
        let (r, _) = expect_punct(r, ")", "`)` after the sub-query")?;
        (r, PartitionBody::Subquery(q))
    };
    Ok((
        i,
        Operator::Partition(Partition {
            options,
            by,
            body,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `scan_op = "scan" options [ "declare" "(" scan_decl { "," scan_decl } ")" ] "with" "(" scan_step { scan_step } ")"`
/// `scan_step = "step" name [ "optional" ] [ "output" "=" name ] ":" expr [ "=>" named_expr { "," named_expr } ] ";"`
/// <https://learn.microsoft.com/kusto/query/scan-operator>
pub(crate) fn scan_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["with_match_id", "hint.*"])?;
    let (i, declare) = if let (r, true) = opt_keyword(i, "declare") {
        let (r, _) = expect_punct(r, "(", "`(` after `declare`")?;
        let (r, d) = comma_list(r, "a column declaration", |i| {
            let (i, c) = column_decl(i)?;
            if let (r, true) = opt_punct(i, "=") {
                let (r, v) = expect("a default value", expr)(r)?;
                return Ok((r, (c, Some(v))));
            }
            Ok((i, (c, None)))
        })?;
        let (r, _) = expect_punct(r, ")", "`)` after the declarations")?;
        (r, d)
    } else {
        (i, Vec::new())
    };
    let (i, _) = expect_keyword(i, "with", "`with` and the scan steps")?;
    let (mut i, _) = expect_punct(i, "(", "`(` before the steps")?;
    let mut steps = Vec::new();
    while is_keyword(&i, "step") {
        let (r, _) = expect_keyword(i, "step", "`step`")?;
        let (r, name) = expect_ident(r, "the step name")?;
        let (r, optional) = opt_keyword(r, "optional");
        let (r, output) = if let (r2, true) = opt_keyword(r, "output") {
            let (r2, _) = expect_punct(r2, "=", "`=` after `output`")?;
            let (r2, o) = expect_ident(r2, "`all`, `last` or `none`")?;
            (r2, Some(o))
        } else {
            (r, None)
        };
        let (r, _) = expect_punct(r, ":", "`:` and the step condition")?;
        let (r, condition) = expect("the step condition", expr)(r)?;
        let (r, assignments) = if let (r2, true) = opt_punct(r, "=>") {
            comma_list(r2, "an assignment `Column = value`", named_expr)?
        } else {
            (r, Vec::new())
        };
        let (r, _) = expect_punct(r, ";", "`;` after the step")?;
        steps.push(ScanStep {
            name,
            optional,
            output,
            condition,
            assignments,
        });
        i = r;
    }
    if steps.is_empty() {
        return Err(nom::Err::Failure(PError::expected(&ws(i), "`step`")));
    }
    let (i, _) = expect_punct(i, ")", "`)` or another `step`")?;
    Ok((
        i,
        Operator::Scan(Scan {
            options,
            declare,
            steps,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `reduce_op = "reduce" options "by" expr [ "with" property { "," property } ]`
/// <https://learn.microsoft.com/kusto/query/reduce-operator>
pub(crate) fn reduce_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["kind", "hint.*"])?;
    let (i, _) = expect_keyword(i, "by", "`by` and an expression")?;
    let (i, by) = expect("the expression to reduce", expr)(i)?;
    let (i, with) = if let (r, true) = opt_keyword(i, "with") {
        comma_list(r, "`threshold=` or `characters=`", |i| {
            let i = ws(i);
            let start = off(&i);
            let (r, name) = ident(i)?;
            let (r, _) = expect_punct(r, "=", "`=`")?;
            let (r, value) = expect("a value", option_value)(r)?;
            Ok((
                r,
                OptionArg {
                    name,
                    value: OptionValue::Value(value),
                    span: span_from(start, &r),
                },
            ))
        })?
    } else {
        (i, Vec::new())
    };
    Ok((
        i,
        Operator::Reduce(Reduce {
            options,
            by,
            with,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}
