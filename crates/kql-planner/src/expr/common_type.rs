//! The common type of values that end up in one column: the branches of `iff`, `case` and
//! `coalesce`, the arguments of `max_of` and `min_of`; and one value converted to a given type.

use super::binary::{as_string, from_dynamic};
use super::{Typed, null_of};
use crate::diag::{R, err};
use crate::functions::{Udf, call as udf};
use crate::types::KqlArrow;
use crate::types::KqlType;
use datafusion_expr::{Expr, cast, lit};
use kql_common::codes;

/// The common type of branches (`iff`, `case`, `coalesce`), converting numerics and dynamics.
pub(crate) fn unify(values: Vec<Typed>, span: kql_common::Span) -> R<(Vec<Expr>, KqlType)> {
    let known: Vec<KqlType> = values
        .iter()
        .filter(|t| !is_null_literal(&t.expr))
        .map(|t| t.ty)
        .collect();
    let target = match known.first() {
        None => values.first().map_or(KqlType::String, |t| t.ty),
        Some(first) => {
            let mut ty = *first;
            for t in &known[1..] {
                ty = match (ty, *t) {
                    (a, b) if a == b => a,
                    (a, b) if a.is_numeric() && b.is_numeric() => {
                        if a == KqlType::Real || b == KqlType::Real {
                            KqlType::Real
                        } else if a == KqlType::Decimal || b == KqlType::Decimal {
                            KqlType::Decimal
                        } else {
                            KqlType::Long
                        }
                    }
                    (KqlType::String | KqlType::Guid, KqlType::String | KqlType::Guid) => {
                        KqlType::String
                    }
                    (KqlType::Dynamic, _) | (_, KqlType::Dynamic) => KqlType::Dynamic,
                    (a, b) => {
                        return err(
                            codes::TYPE_MISMATCH,
                            format!("the branches have different types: {a} and {b}"),
                            span,
                        );
                    }
                };
            }
            ty
        }
    };
    let exprs = values
        .into_iter()
        .map(|t| {
            if is_null_literal(&t.expr) {
                null_of(target)
            } else if t.ty == target {
                t.expr
            } else if target == KqlType::Dynamic {
                to_dynamic(t)
            } else {
                cast(t.expr, target.arrow())
            }
        })
        .collect();
    Ok((exprs, target))
}

fn is_null_literal(e: &Expr) -> bool {
    matches!(e, Expr::Literal(v, _) if v.is_null())
}

/// Any value as dynamic JSON text.
pub(crate) fn to_dynamic(t: Typed) -> Expr {
    match t.ty {
        KqlType::Dynamic => t.expr,
        ty => udf(Udf::ToJson, vec![t.expr, lit(ty.name())]),
    }
}

/// Converts a typed value to a declared parameter type.
pub(super) fn convert_to(t: Typed, ty: KqlType) -> Typed {
    if t.ty == ty {
        return t;
    }
    match (t.ty, ty) {
        (KqlType::Dynamic, _) => from_dynamic(t, ty).retyped(ty),
        (_, KqlType::Dynamic) => Typed::new(to_dynamic(t), ty),
        (_, KqlType::String) => as_string(t),
        _ => Typed::new(cast(t.expr, ty.arrow()), ty),
    }
}
