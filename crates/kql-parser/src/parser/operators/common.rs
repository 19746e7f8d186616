//! Pieces shared by several operators: options, named expressions, sort keys, column patterns,
//! schemas and type names.

use super::option_values::{ValueParser, free_value};
use crate::ast::{
    ColumnDecl, ColumnPattern, Expr, Ident, Literal, LiteralValue, NamedExpr, NullsOrder,
    OptionArg, OptionValue, Schema, SortKey, SortOrder, Span, TypeName,
};
use crate::parser::error::PError;
use crate::parser::expr::{expr, unary_expr};
use crate::parser::lexical::{
    expect, expect_punct, fail, ident, is_keyword, is_punct, off, opt_keyword, opt_punct, peek,
    span_from, word_len, ws,
};
use crate::parser::literal::{bool_value, starts_number, starts_string, string_lit};
use crate::parser::{Input, PResult};
use kql_common::{Diagnostic, codes};
use nom::Input as _;

/// `options = { option_name "=" option_value }`, for the names in `allowed` (`"hint.*"` admits
/// every `hint.` name), every value free. Stops at the first name that is not an option, so
/// `extend kind = 1` is left to the operator body.
pub(crate) fn options<'a>(i: Input<'a>, allowed: &[&str]) -> PResult<'a, Vec<OptionArg>> {
    typed_options(i, allowed, &[])
}

/// [`options`] where the options named in `typed` take their value through its parser (a
/// keyword of a closed set); the others take a free value.
pub(crate) fn typed_options<'a>(
    mut i: Input<'a>,
    allowed: &[&str],
    typed: &[(&str, ValueParser)],
) -> PResult<'a, Vec<OptionArg>> {
    let mut out = Vec::new();
    loop {
        let j = ws(i);
        let rest = peek(&j);
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len());
        let name = rest.get(..len).unwrap_or("");
        if name.is_empty() || word_len(name) == 0 {
            break;
        }
        let known =
            allowed.contains(&name) || (name.starts_with("hint.") && allowed.contains(&"hint.*"));
        let after = j.take_from(len);
        if !known || !is_punct(&after, "=") {
            break;
        }
        let start = off(&j);
        let value_parser = typed
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(free_value as ValueParser, |(_, p)| *p);
        let name = Ident::new(name, Span::new(start, start + len));
        let (r, value) = expect("a value for the option", value_parser)(ws(after).take_from(1))?;
        out.push(OptionArg {
            name,
            value,
            span: span_from(start, &r),
        });
        i = r;
    }
    Ok((i, out))
}

/// `option_value = string | number | bool | name | "-" number`
pub(crate) fn option_value(i: Input) -> PResult<Expr> {
    let i = ws(i);
    let rest = peek(&i);
    if starts_string(rest) {
        let (r, l) = string_lit(i)?;
        return Ok((r, Expr::Literal(l)));
    }
    if starts_number(rest) || (rest.starts_with('-') && starts_number(rest.get(1..).unwrap_or("")))
    {
        return unary_expr(i);
    }
    let (r, name) = ident(i)?;
    if let Some(b) = bool_value(&name.name) {
        let lit = Literal {
            value: LiteralValue::Bool(b),
            text: name.name.clone(),
            span: name.span,
        };
        return Ok((r, Expr::Literal(lit)));
    }
    Ok((r, Expr::Name(name)))
}

/// A parenthesised property list `(name = value, ...)` as in `parse-kv ... with (...)`.
pub(crate) fn property_list(i: Input) -> PResult<Vec<OptionArg>> {
    paren_list(i, property)
}

/// `"(" [ item { "," item } ] ")"`: a parenthesised list of properties read by `item`.
pub(crate) fn paren_list<'a, T>(
    i: Input<'a>,
    item: impl Fn(Input<'a>) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let (mut i, _) = expect_punct(i, "(", "`(`")?;
    let mut props = Vec::new();
    if let (r, true) = opt_punct(i, ")") {
        return Ok((r, props));
    }
    loop {
        let (r, p) = item(i)?;
        props.push(p);
        let (r, more) = opt_punct(r, ",");
        i = r;
        if !more {
            break;
        }
    }
    let (i, _) = expect_punct(i, ")", "`,` or `)` after the property")?;
    Ok((i, props))
}

/// `property = name "=" expr`
pub(crate) fn property(i: Input) -> PResult<OptionArg> {
    let i = ws(i);
    let start = off(&i);
    let (r, name) = expect("a property name", ident)(i)?;
    let (r, _) = expect_punct(r, "=", "`=` after the property name")?;
    let (r, value) = expect("a property value", property_value)(r)?;
    Ok((
        r,
        OptionArg {
            name,
            value: OptionValue::Value(value),
            span: span_from(start, &r),
        },
    ))
}

/// A property value: an expression, or a bare list of names for `ycolumns=a, b`-style values is
/// not supported; a value is one expression.
fn property_value(i: Input) -> PResult<Expr> {
    expr(i)
}

/// `named_expr = [ name "=" | "(" name { "," name } ")" "=" ] expr`
pub(crate) fn named_expr(i: Input) -> PResult<NamedExpr> {
    let i = ws(i);
    let start = off(&i);
    if is_punct(&i, "(")
        && let Some((r, names)) = tuple_names(i)
    {
        let (r, e) = expect("an expression after `=`", expr)(r)?;
        return Ok((
            r,
            NamedExpr {
                names,
                tuple: true,
                span: span_from(start, &r),
                expr: e,
            },
        ));
    }
    if let Ok((after, name)) = ident(i)
        && is_punct(&after, "=")
    {
        let (r, e) = expect("an expression after `=`", expr)(ws(after).take_from(1))?;
        return Ok((
            r,
            NamedExpr {
                names: vec![name],
                tuple: false,
                span: span_from(start, &r),
                expr: e,
            },
        ));
    }
    let (r, e) = expr(i)?;
    Ok((
        r,
        NamedExpr {
            names: Vec::new(),
            tuple: false,
            span: span_from(start, &r),
            expr: e,
        },
    ))
}

/// `( a, b ) =` ahead; returns the input after `=`.
fn tuple_names(i: Input) -> Option<(Input, Vec<Ident>)> {
    let mut j = i.take_from(1);
    let mut names = Vec::new();
    loop {
        let (r, n) = ident(j).ok()?;
        names.push(n);
        let (r, more) = opt_punct(r, ",");
        j = r;
        if !more {
            break;
        }
    }
    let (j, _) = punct_ok(j, ")")?;
    let (j, _) = punct_ok(j, "=")?;
    Some((j, names))
}

fn punct_ok<'a>(i: Input<'a>, p: &'static str) -> Option<(Input<'a>, ())> {
    let (r, ok) = opt_punct(i, p);
    ok.then_some((r, ()))
}

/// A comma-separated list of at least one item.
pub(crate) fn comma_list<'a, T>(
    mut i: Input<'a>,
    what: &'static str,
    mut item: impl FnMut(Input<'a>) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let mut out = Vec::new();
    loop {
        let (r, x) = expect(what, &mut item)(i)?;
        out.push(x);
        let (r, more) = opt_punct(r, ",");
        i = r;
        if !more {
            break;
        }
    }
    Ok((i, out))
}

/// `sort_key = expr [ "asc" | "desc" ] [ "nulls" ( "first" | "last" ) ]`
pub(crate) fn sort_key(i: Input) -> PResult<SortKey> {
    let (i, e) = expr(i)?;
    let (i, order) = if let (r, true) = opt_keyword(i, "asc") {
        (r, Some(SortOrder::Asc))
    } else if let (r, true) = opt_keyword(i, "desc") {
        (r, Some(SortOrder::Desc))
    } else {
        (i, None)
    };
    let (i, nulls) = if let (r, true) = opt_keyword(i, "nulls") {
        if let (r, true) = opt_keyword(r, "first") {
            (r, Some(NullsOrder::First))
        } else {
            let (r, _) = crate::parser::lexical::expect_keyword(
                r,
                "last",
                "`first` or `last` after `nulls`",
            )?;
            (r, Some(NullsOrder::Last))
        }
    } else {
        (i, None)
    };
    Ok((
        i,
        SortKey {
            expr: e,
            order,
            nulls,
        },
    ))
}

/// `column_pattern = name | wildcard` where a wildcard is name characters and `*`.
pub(crate) fn column_pattern(i: Input) -> PResult<ColumnPattern> {
    let i = ws(i);
    let start = off(&i);
    let rest = peek(&i);
    let len = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '*'))
        .unwrap_or(rest.len());
    let text = rest.get(..len).unwrap_or("");
    if text.contains('*') {
        return Ok((
            i.take_from(len),
            ColumnPattern::Wildcard {
                pattern: text.to_owned(),
                span: Span::new(start, start + len),
            },
        ));
    }
    let (r, name) = ident(i)?;
    Ok((r, ColumnPattern::Name(name)))
}

/// `type_name = "bool" | "int" | "long" | "real" | "decimal" | "string" | "datetime" | "timespan" | "guid" | "dynamic" | alias`
pub(crate) fn type_name(i: Input) -> PResult<TypeName> {
    let i = ws(i);
    let start = off(&i);
    let rest = peek(&i);
    let n = word_len(rest);
    let word = rest.get(..n).unwrap_or("");
    match crate::ast::KqlType::from_name(word) {
        Some(ty) => Ok((i.take_from(n), TypeName { ty, spelling: word.to_owned(), span: Span::new(start, start + n) })),
        None if n > 0 => fail(
            Diagnostic::error(codes::SYNTAX, format!("`{word}` is not a scalar type"), Span::new(start, start + n))
                .with_help("types are bool, int, long, real, decimal, string, datetime, timespan, guid, dynamic"),
        ),
        None => Err(nom::Err::Error(PError::expected(&i, "a type name"))),
    }
}

/// `column_decl = name [ ":" type_name ]`
pub(crate) fn column_decl(i: Input) -> PResult<ColumnDecl> {
    let i = ws(i);
    let start = off(&i);
    let (r, name) = ident(i)?;
    let (r, colon) = opt_punct(r, ":");
    if !colon {
        return Ok((
            r,
            ColumnDecl {
                name,
                ty: None,
                span: span_from(start, &r),
            },
        ));
    }
    let (r, ty) = expect("a type name after `:`", type_name)(r)?;
    Ok((
        r,
        ColumnDecl {
            name,
            ty: Some(ty),
            span: span_from(start, &r),
        },
    ))
}

/// `schema = "(" [ column_decl { "," column_decl } ] [ "," ] [ "*" ] ")"`
pub(crate) fn schema(i: Input) -> PResult<Schema> {
    let i = ws(i);
    let start = off(&i);
    let (mut i, _) = expect_punct(i, "(", "`(` and a list of columns")?;
    let mut columns = Vec::new();
    let mut open = false;
    loop {
        let j = ws(i);
        if is_punct(&j, ")") {
            break;
        }
        if is_punct(&j, "*") {
            open = true;
            i = j.take_from(1);
        } else {
            let (r, c) = expect("a column declaration `name:type`", column_decl)(j)?;
            if c.ty.is_none() {
                return Err(nom::Err::Failure(PError::expected(
                    &ws(r),
                    "`:` and a type after the column name",
                )));
            }
            columns.push(c);
            i = r;
        }
        let (r, more) = opt_punct(i, ",");
        i = r;
        if !more {
            break;
        }
    }
    let (i, _) = expect_punct(i, ")", "`,` or `)` in the column list")?;
    Ok((
        i,
        Schema {
            columns,
            open,
            span: span_from(start, &i),
        },
    ))
}

/// A count such as `take 10` or `top N`: any scalar expression.
pub(crate) fn count_expr(i: Input) -> PResult<Expr> {
    expr(i)
}

/// `by` followed by a list of named expressions.
pub(crate) fn by_list(i: Input) -> PResult<Option<Vec<NamedExpr>>> {
    if !is_keyword(&i, "by") {
        return Ok((i, None));
    }
    let (i, _) = crate::parser::lexical::keyword("by")(i)?;
    let (i, keys) = comma_list(i, "a grouping expression after `by`", named_expr)?;
    Ok((i, Some(keys)))
}
