//! Scalar expressions: KQL AST to DataFusion `Expr`, with Kusto types and semantic checks.
//! Files: `literal.rs`, `binary.rs` (arithmetic, comparison, string and list operators),
//! `dynamic.rs` (member access), `registry.rs` (every KQL function: names, arity,
//! argument kinds, result type), `call.rs` (scalar functions, dispatched on the registry's
//! `Scalar`; arguments checked by `call_args.rs`),
//! `common_type.rs` (one type for several values), `user_function.rs` (calls to `let`
//! functions), `aggregate.rs` (summarize).

mod aggregate;
mod binary;
mod call;
mod call_args;
mod common_type;
mod dynamic;
mod literal;
pub mod registry;
#[cfg(test)]
mod registry_tests;
mod user_function;

pub(crate) use aggregate::{AggCollector, nan_as_null};
pub(crate) use binary::from_dynamic;
pub(crate) use common_type::to_dynamic as to_dynamic_expr;

use crate::diag::{R, did_you_mean, err};
use crate::planner::{Binding, KqlToRel, Scope};
use crate::schema::KqlSchema;
use crate::types::KqlArrow;
use crate::types::KqlType;
use datafusion_common::{Column, ScalarValue};
use datafusion_expr::{Expr, lit};
use kql_common::codes;
use kql_parser::ast;
use std::cell::RefCell;

/// A DataFusion expression with its Kusto type.
#[derive(Clone, Debug)]
pub(crate) struct Typed {
    pub expr: Expr,
    pub ty: KqlType,
}

impl Typed {
    pub fn new(expr: Expr, ty: KqlType) -> Typed {
        Typed { expr, ty }
    }
}

/// What an expression may refer to.
pub(crate) struct ExprCx<'s> {
    /// Columns of the operator's input.
    pub schema: &'s KqlSchema,
    /// `let` bindings and function parameters.
    pub scope: &'s Scope,
    /// Present inside `summarize` aggregations: aggregate calls are collected here.
    pub aggs: Option<&'s RefCell<AggCollector>>,
}

/// A reference to column `name` (never split on dots, never lower-cased).
pub(crate) fn column(name: &str) -> Expr {
    Expr::Column(Column::new_unqualified(name))
}

/// `-t`. A negated literal stays a literal (`-1` is one to `range` and argument checks); the
/// negation of the smallest long, int or timespan does not fit, so it is null, as other
/// overflows are (functions/arith.rs).
fn negate(t: Typed) -> Typed {
    let e = match (&t.expr, t.ty) {
        (Expr::Literal(ScalarValue::Int64(Some(n)), _), _) => {
            lit(ScalarValue::Int64(n.checked_neg()))
        }
        (Expr::Literal(ScalarValue::Int32(Some(n)), _), _) => {
            lit(ScalarValue::Int32(n.checked_neg()))
        }
        (_, KqlType::Long | KqlType::Timespan) => {
            crate::functions::call(crate::functions::Udf::NegLong, vec![t.expr])
        }
        (_, KqlType::Int) => crate::functions::call(crate::functions::Udf::NegInt, vec![t.expr]),
        _ => Expr::Negative(Box::new(t.expr)),
    };
    Typed::new(e, t.ty)
}

/// A typed null of `ty`.
pub(crate) fn null_of(ty: KqlType) -> Expr {
    lit(ScalarValue::try_from(&ty.arrow()).unwrap_or(ScalarValue::Null))
}

impl KqlToRel<'_> {
    /// Plans a scalar expression.
    pub(crate) fn scalar(&self, e: &ast::Expr, cx: &ExprCx) -> R<Typed> {
        match e {
            ast::Expr::Literal(l) => self.literal(l),
            ast::Expr::Name(i) => self.name(i, cx),
            ast::Expr::Paren(inner, _) => self.scalar(inner, cx),
            ast::Expr::Unary { op, expr, span } => {
                let t = self.scalar(expr, cx)?;
                if !(t.ty.is_numeric() || t.ty == KqlType::Timespan) {
                    return err(
                        codes::TYPE_MISMATCH,
                        format!("a sign cannot apply to a {} value", t.ty),
                        *span,
                    );
                }
                Ok(match op {
                    ast::UnaryOp::Neg => negate(t),
                    ast::UnaryOp::Plus => t,
                })
            }
            ast::Expr::Binary {
                op,
                left,
                right,
                span,
            } => self.binary(*op, left, right, *span, cx),
            ast::Expr::InList {
                left,
                op,
                list,
                span,
            } => self.in_list(left, *op, list, *span, cx),
            ast::Expr::Between {
                expr,
                negated,
                low,
                high,
                span,
            } => self.between(expr, *negated, low, high, *span, cx),
            ast::Expr::Member { .. } | ast::Expr::Index { .. } => self.member_access(e, cx),
            ast::Expr::Call(c) => self.call(c, cx),
            ast::Expr::Star(span) => err(codes::WRONG_KIND, "`*` is not a value here", *span),
            ast::Expr::TypeOf(_, span) => err(
                codes::WRONG_KIND,
                "`typeof(...)` is not a value here",
                *span,
            ),
            ast::Expr::Pipeline(p) => self.scalar_subquery(e, p.span, cx),
            ast::Expr::Command(_, span) => err(
                codes::WRONG_KIND,
                "a management command cannot be used as a value",
                *span,
            ),
        }
    }

    /// A tabular expression used as a value.
    fn scalar_subquery(&self, e: &ast::Expr, span: kql_common::Span, _: &ExprCx) -> R<Typed> {
        err(
            codes::WRONG_KIND,
            "a tabular expression cannot be used as a value",
            span,
        )
        .map_err(|d| d.with_help(format!("wrap it in toscalar(): `toscalar({e})`")))
    }

    fn name(&self, i: &ast::Ident, cx: &ExprCx) -> R<Typed> {
        if let Some((_, f)) = cx.schema.field(&i.name) {
            return Ok(Typed::new(column(&f.name), f.ty));
        }
        match cx.scope.get(&i.name) {
            Some(Binding::Scalar(t)) => return Ok(t.clone()),
            Some(Binding::Tabular(_)) => {
                return err(
                    codes::WRONG_KIND,
                    format!("`{}` is a table, not a scalar value", i.name),
                    i.span,
                )
                .map_err(|d| {
                    d.with_help(format!(
                        "use `toscalar({})` to read one value from it",
                        i.name
                    ))
                });
            }
            Some(Binding::Function(decl, def)) if decl.params.is_empty() => {
                // A function without parameters may be invoked by its bare name.
                let call = ast::Call {
                    receiver: None,
                    name: i.clone(),
                    args: Vec::new(),
                    span: i.span,
                };
                return self.inline_scalar_function(&call, decl, def, cx);
            }
            Some(Binding::Function(..)) => {
                return err(
                    codes::WRONG_KIND,
                    format!("`{}` is a function; call it with `{}()`", i.name, i.name),
                    i.span,
                );
            }
            None => {}
        }
        let mut d = kql_common::Diagnostic::error(
            codes::UNKNOWN_COLUMN,
            format!("failed to resolve scalar expression named '{}'", i.name),
            i.span,
        )
        .with_label("not a column of the input or a `let` name");
        let candidates: Vec<&str> = cx.schema.names().chain(cx.scope.names()).collect();
        if let Some(best) = did_you_mean(&i.name, candidates.iter().copied()) {
            d = if best.to_lowercase() == i.name.to_lowercase() {
                d.with_help(format!("names are case-sensitive: did you mean `{best}`?"))
            } else {
                d.with_help(format!("did you mean `{best}`?"))
            };
        } else if i.name.starts_with(|c: char| c.is_ascii_digit()) {
            d = d.with_help("as a timespan, the units are d, h, m, s, ms, microsecond and tick (there is no w: use 7d)");
        } else if self.catalog.table(&i.name).is_some() {
            d = d.with_help(format!(
                "`{}` is a table; use `toscalar({})` for a single value",
                i.name, i.name
            ));
        }
        Err(d)
    }
}
