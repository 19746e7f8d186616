//! String-extraction operators: parse, parse-where, parse-kv.

use super::common::{column_decl, property_list, schema, typed_options};
use super::option_values::keyword_value;
use crate::ast::*;
use crate::parser::error::PError;
use crate::parser::expr::expr;
use crate::parser::lexical::{at_end, expect, expect_keyword, is_punct, off, span_from, ws};
use crate::parser::literal::{starts_string, string_lit};
use crate::parser::{Input, PResult};
use nom::Input as _;

/// `parse_op = ("parse" | "parse-where") options expr "with" parse_part { parse_part }`
/// `parse_part = string | "*" | column_decl`
/// <https://learn.microsoft.com/kusto/query/parse-operator>
pub(crate) fn parse_op(i: Input, kw: Span) -> PResult<Operator> {
    let where_ = kw.end - kw.start == 11;
    let (i, options) = typed_options(
        i,
        &["kind", "flags", "hint.*"],
        &[("kind", |i| keyword_value(i, OptionValue::ParseKind))],
    )?;
    let (i, source) = expect("the expression to parse", expr)(i)?;
    let (mut i, _) = expect_keyword(i, "with", "`with` and a pattern")?;
    let mut pattern = Vec::new();
    loop {
        let j = ws(i);
        let rest = *j.fragment();
        if at_end(&j)
            || is_punct(&j, "|")
            || is_punct(&j, ";")
            || is_punct(&j, ")")
            || is_punct(&j, "}")
        {
            break;
        }
        if starts_string(rest) {
            let (r, l) = string_lit(j)?;
            pattern.push(ParsePart::Text(Expr::Literal(l)));
            i = r;
        } else if is_punct(&j, "*") {
            let start = off(&j);
            pattern.push(ParsePart::Star(Span::new(start, start + 1)));
            i = j.take_from(1);
        } else if let Ok((r, c)) = column_decl(j) {
            pattern.push(ParsePart::Column(c));
            i = r;
        } else {
            return Err(nom::Err::Failure(PError::expected(
                &j,
                "a string, `*` or a column name in the parse pattern",
            )));
        }
    }
    if pattern.is_empty() {
        return Err(nom::Err::Failure(PError::expected(
            &ws(i),
            "a pattern after `with`",
        )));
    }
    Ok((
        i,
        Operator::Parse(Parse {
            where_,
            options,
            source,
            pattern,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `parse_kv_op = "parse-kv" expr "as" schema [ "with" property_list ]`
/// <https://learn.microsoft.com/kusto/query/parse-kv-operator>
pub(crate) fn parse_kv_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, source) = expect("the expression to parse", expr)(i)?;
    let (i, _) = expect_keyword(i, "as", "`as` and the extracted columns")?;
    let (i, schema) = schema(i)?;
    let (i, with) = if let (r, true) = crate::parser::lexical::opt_keyword(i, "with") {
        property_list(r)?
    } else {
        (i, Vec::new())
    };
    Ok((
        i,
        Operator::ParseKv(ParseKv {
            source,
            schema,
            with,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}
