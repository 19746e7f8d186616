//! The body of `dynamic(...)`: JSON plus KQL's extensions (single-quoted strings, unquoted keys,
//! typed scalar literals such as `datetime(...)` and `1h` as values).
//! <https://learn.microsoft.com/kusto/query/scalar-data-types/dynamic>

use super::error::PError;
use super::lexical::{
    enter, fail, is_punct, no_match, off, opt_punct, peek, peek_word, word_len, ws,
};
use super::literal::{
    bool_value, number_lit, starts_number, starts_string, string_literal_at, typed_lit,
    typed_literal_type,
};
use super::{Input, PResult};
use crate::ast::{DynamicValue, LiteralValue, Span};
use kql_common::{Diagnostic, codes};
use nom::Input as _;

/// A dynamic value; `dynamic()` with nothing inside is null.
pub(crate) fn dynamic_body(i: Input) -> PResult<DynamicValue> {
    let i = ws(i);
    if is_punct(&i, ")") {
        return Ok((i, DynamicValue::Null));
    }
    dynamic_value(i)
}

fn dynamic_value(i: Input) -> PResult<DynamicValue> {
    super::lexical::with_stack(|| dynamic_value_inner(i))
}

fn dynamic_value_inner(i: Input) -> PResult<DynamicValue> {
    let _guard = enter(&i)?;
    let i = ws(i);
    let rest = peek(&i);
    if rest.starts_with('[') {
        let mut i = i.take_from(1);
        let mut items = Vec::new();
        loop {
            let j = ws(i);
            if is_punct(&j, "]") {
                return Ok((j.take_from(1), DynamicValue::Array(items)));
            }
            let (r, v) = dynamic_value(j)?;
            items.push(v);
            let (r, comma) = opt_punct(r, ",");
            i = r;
            if !comma {
                let j = ws(i);
                if is_punct(&j, "]") {
                    continue;
                }
                return Err(nom::Err::Failure(PError::expected(
                    &j,
                    "`,` or `]` in a dynamic array",
                )));
            }
        }
    }
    if rest.starts_with('{') {
        let mut i = i.take_from(1);
        let mut fields = Vec::new();
        loop {
            let j = ws(i);
            if is_punct(&j, "}") {
                return Ok((j.take_from(1), DynamicValue::Object(fields)));
            }
            let (r, key) = if starts_string(peek(&j)) {
                let (r, (k, _)) = string_literal_at(j)?;
                (r, k)
            } else {
                let n = word_len(peek(&j));
                if n == 0 {
                    return Err(nom::Err::Failure(PError::expected(
                        &j,
                        "a property name in a dynamic object",
                    )));
                }
                let k = peek(&j).get(..n).unwrap_or("").to_owned();
                (j.take_from(n), k)
            };
            let r = ws(r);
            if !is_punct(&r, ":") {
                return Err(nom::Err::Failure(PError::expected(
                    &r,
                    "`:` after the property name",
                )));
            }
            let (r, v) = dynamic_value(r.take_from(1))?;
            fields.push((key, v));
            let (r, comma) = opt_punct(r, ",");
            i = r;
            if !comma {
                let j = ws(i);
                if is_punct(&j, "}") {
                    continue;
                }
                return Err(nom::Err::Failure(PError::expected(
                    &j,
                    "`,` or `}` in a dynamic object",
                )));
            }
        }
    }
    if starts_string(rest) {
        let (r, (s, _)) = string_literal_at(i)?;
        return Ok((r, DynamicValue::String(s)));
    }
    let (neg, j) = match rest.strip_prefix('-') {
        Some(_) => (true, ws(i.take_from(1))),
        None => (false, i),
    };
    if starts_number(peek(&j)) {
        let (r, lit) = number_lit(j)?;
        let v = match lit.value {
            LiteralValue::Long(n) => DynamicValue::Long(if neg { n.wrapping_neg() } else { n }),
            LiteralValue::Real(x) => DynamicValue::Real(if neg { -x } else { x }),
            LiteralValue::Timespan(t) => {
                DynamicValue::Scalar(Box::new(LiteralValue::Timespan(if neg { -t } else { t })))
            }
            other => DynamicValue::Scalar(Box::new(other)),
        };
        return Ok((r, v));
    }
    let word = peek_word(&i);
    if word == "null" {
        return Ok((ws(i).take_from(4), DynamicValue::Null));
    }
    if let Some(b) = bool_value(word) {
        return Ok((ws(i).take_from(word.len()), DynamicValue::Bool(b)));
    }
    if let Some(ty) = typed_literal_type(word) {
        let (r, lit) = typed_lit(i, word, ty)?;
        return Ok((r, DynamicValue::Scalar(Box::new(lit.value))));
    }
    if rest.is_empty() {
        return no_match(&i);
    }
    let start = off(&ws(i));
    let width = rest.chars().next().map_or(1, char::len_utf8);
    fail(
        Diagnostic::error(
            codes::INVALID_LITERAL,
            "expected a JSON value inside `dynamic(...)`",
            Span::new(start, start + width),
        )
        .with_help(
            "dynamic literals hold JSON: null, true, numbers, \"strings\", [arrays] and {objects}",
        ),
    )
}
