//! Array operators: mv-expand (and legacy mvexpand), mv-apply.

use super::common::{comma_list, named_expr, options, type_name, typed_options};
use super::option_values::{ValueParser, keyword_value};
use crate::ast::*;
use crate::parser::expr::{expr, subquery};
use crate::parser::lexical::{expect, expect_keyword, expect_punct, opt_keyword, span_from};
use crate::parser::{Input, PResult};

/// `mv_item = named_expr [ "to" "typeof" "(" type_name ")" ]`
fn mv_item(i: Input) -> PResult<MvItem> {
    let (i, e) = named_expr(i)?;
    if let (r, true) = opt_keyword(i, "to") {
        let (r, _) = expect_keyword(r, "typeof", "`typeof(type)` after `to`")?;
        let (r, _) = expect_punct(r, "(", "`(` after `typeof`")?;
        let (r, t) = expect("a type name", type_name)(r)?;
        let (r, _) = expect_punct(r, ")", "`)` after the type")?;
        return Ok((
            r,
            MvItem {
                expr: e,
                to: Some(t),
            },
        ));
    }
    Ok((i, MvItem { expr: e, to: None }))
}

fn limit(i: Input) -> PResult<Option<Expr>> {
    if let (r, true) = opt_keyword(i, "limit") {
        let (r, e) = expect("a row limit after `limit`", expr)(r)?;
        return Ok((r, Some(e)));
    }
    Ok((i, None))
}

/// `kind=` and its older name `bagexpansion=`: `bag` or `array`.
const MV_EXPAND_VALUES: &[(&str, ValueParser)] = &[
    ("kind", |i| keyword_value(i, OptionValue::MvExpandKind)),
    ("bagexpansion", |i| {
        keyword_value(i, OptionValue::MvExpandKind)
    }),
];

/// `mv_expand_op = ("mv-expand" | "mvexpand") options mv_item { "," mv_item } [ "limit" expr ]`
/// <https://learn.microsoft.com/kusto/query/mv-expand-operator>
pub(crate) fn mv_expand_op(i: Input, kw: Span) -> PResult<Operator> {
    let legacy_keyword = kw.end - kw.start == 8;
    let (i, options) = typed_options(
        i,
        &["bagexpansion", "with_itemindex", "kind", "hint.*"],
        MV_EXPAND_VALUES,
    )?;
    let (i, items) = comma_list(i, "a column or expression to expand", mv_item)?;
    let (i, limit) = limit(i)?;
    Ok((
        i,
        Operator::MvExpand(MvExpand {
            legacy_keyword,
            options,
            items,
            limit,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `mv_apply_op = "mv-apply" options mv_item { "," mv_item } [ "limit" expr ] "on" "(" subquery ")"`
/// <https://learn.microsoft.com/kusto/query/mv-apply-operator>
pub(crate) fn mv_apply_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, options) = options(i, &["with_itemindex", "kind", "hint.*"])?;
    let (i, items) = comma_list(i, "a column or expression to apply over", mv_item)?;
    let (i, limit) = limit(i)?;
    let (i, _) = expect_keyword(i, "on", "`on (subquery)`")?;
    let (i, _) = expect_punct(i, "(", "`(` before the sub-query")?;
    let (i, on) = expect("a sub-query", subquery)(i)?;
    let (i, _) = expect_punct(i, ")", "`)` after the sub-query")?;
    Ok((
        i,
        Operator::MvApply(MvApply {
            options,
            items,
            limit,
            on,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}
