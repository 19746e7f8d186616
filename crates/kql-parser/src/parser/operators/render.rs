//! `render`: a visualization and its properties, each a closed set in the Kusto reference.
//! <https://learn.microsoft.com/kusto/query/render-operator>

use super::common::{paren_list, typed_options};
use super::option_values::{ValueParser, keyword, keyword_value};
use crate::ast::*;
use crate::parser::error::PError;
use crate::parser::expr::expr;
use crate::parser::lexical::{
    expect, expect_punct, ident, is_keyword, off, opt_keyword, span_from, ws,
};
use crate::parser::{Input, PResult};
use kql_common::{Diagnostic, codes, suggest};

/// Render properties that may be written without `with (...)` (legacy syntax): all of them.
const RENDER_PROPERTIES: &[&str] = &[
    "kind",
    "title",
    "xcolumn",
    "ycolumns",
    "series",
    "ymin",
    "ymax",
    "xtitle",
    "ytitle",
    "legend",
    "ysplit",
    "accumulate",
    "xaxis",
    "yaxis",
    "anomalycolumns",
];

/// The properties whose values are keywords; the others are free values.
const RENDER_VALUES: &[(&str, ValueParser)] = &[
    ("kind", |i| keyword_value(i, OptionValue::RenderKind)),
    ("legend", |i| keyword_value(i, OptionValue::Legend)),
    ("xaxis", |i| keyword_value(i, OptionValue::AxisScale)),
    ("yaxis", |i| keyword_value(i, OptionValue::AxisScale)),
    ("ysplit", |i| keyword_value(i, OptionValue::YSplit)),
];

/// `render_op = "render" visualization { legacy_property } [ "with" render_props ]`
pub(crate) fn render_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, chart) = keyword::<Visualization>(i)?;
    let (i, legacy) = typed_options(i, RENDER_PROPERTIES, RENDER_VALUES)?;
    let legacy = legacy
        .into_iter()
        .filter_map(|o| {
            let name = RenderProperty::from_text(&o.name.name)?;
            Some(RenderProp {
                name: Keyword {
                    value: name,
                    span: o.name.span,
                },
                value: o.value,
                span: o.span,
            })
        })
        .collect();
    let (i, with) = if let (r, true) = opt_keyword(i, "with") {
        render_props(r)?
    } else {
        (i, Vec::new())
    };
    if is_keyword(&i, "with") {
        return Err(nom::Err::Failure(PError::expected(
            &ws(i),
            "one `with (...)` property list",
        )));
    }
    Ok((
        i,
        Operator::Render(Render {
            chart,
            with,
            legacy,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `render_props = "(" [ render_prop { "," render_prop } ] ")"`
fn render_props(i: Input) -> PResult<Vec<RenderProp>> {
    paren_list(i, render_prop)
}

/// `render_prop = render_property "=" value`: a keyword for the closed sets, else an expression.
fn render_prop(i: Input) -> PResult<RenderProp> {
    let i = ws(i);
    let start = off(&i);
    let (r, name) = expect("a property name", ident)(i)?;
    let Some(property) = RenderProperty::from_text(&name.name) else {
        return Err(nom::Err::Failure(PError::diagnostic(unknown_property(
            &name,
        ))));
    };
    let (r, _) = expect_punct(r, "=", "`=` after the property name")?;
    let value = RENDER_VALUES
        .iter()
        .find(|(n, _)| *n == name.name)
        .map_or(free_expr as ValueParser, |(_, p)| *p);
    let (r, value) = expect("a property value", value)(r)?;
    Ok((
        r,
        RenderProp {
            name: Keyword {
                value: property,
                span: name.span,
            },
            value,
            span: span_from(start, &r),
        },
    ))
}

/// A property value that is not a keyword: one expression (`title="Failures"`, `ymin=0`).
fn free_expr(i: Input) -> PResult<OptionValue> {
    let (r, e) = expr(i)?;
    Ok((r, OptionValue::Value(e)))
}

/// "`titel` is not a render property", with the closest name or the whole list.
fn unknown_property(name: &Ident) -> Diagnostic {
    let d = Diagnostic::error(
        codes::UNKNOWN_OPTION,
        format!("`{}` is not a render property", name.name),
        name.span,
    )
    .with_label("unknown property");
    match suggest::closest(&name.name, RENDER_PROPERTIES.iter().copied()) {
        Some(best) => d.with_help(format!("did you mean `{best}`?")),
        None => d.with_help(format!("properties: {}", RENDER_PROPERTIES.join(", "))),
    }
}
