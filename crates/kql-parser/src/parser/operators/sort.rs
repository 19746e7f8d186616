//! Ordering operators: sort/order, top.

use super::common::{comma_list, count_expr, options, sort_key};
use crate::ast::*;
use crate::parser::lexical::{expect, expect_keyword, span_from};
use crate::parser::{Input, PResult};

/// `sort_op = ("sort" | "order") options "by" sort_key { "," sort_key }`
/// <https://learn.microsoft.com/kusto/query/sort-operator>
pub(crate) fn sort_op(i: Input, kw: Span) -> PResult<Operator> {
    let order_keyword = kw.end - kw.start == 5;
    let (i, options) = options(i, &["hint.*"])?;
    let (i, _) = expect_keyword(i, "by", "`by` after `sort`")?;
    let (i, keys) = comma_list(i, "a sort expression after `by`", sort_key)?;
    Ok((
        i,
        Operator::Sort(Sort {
            order_keyword,
            options,
            keys,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `top_op = "top" options expr "by" sort_key { "," sort_key }`
/// <https://learn.microsoft.com/kusto/query/top-operator>
pub(crate) fn top_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["hint.*"])?;
    let (i, count) = expect("a row count after `top`", count_expr)(i)?;
    let (i, _) = expect_keyword(i, "by", "`by` after the row count")?;
    let (i, keys) = comma_list(i, "a sort expression after `by`", sort_key)?;
    Ok((
        i,
        Operator::Top(Top {
            options,
            count,
            keys,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}
