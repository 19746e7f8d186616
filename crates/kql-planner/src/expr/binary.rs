//! Binary operators with Kusto's typing and null rules: arithmetic over numbers, datetimes and
//! timespans; comparisons (`==` is false, `!=` true, when one side is null); string operators;
//! `in`/`has_any` lists; `between`.
//! <https://learn.microsoft.com/kusto/query/datetime-timespan-arithmetic>

use super::{ExprCx, Typed};
use crate::diag::{R, err};
use crate::functions::{Udf, call};
use crate::planner::KqlToRel;
use crate::types::KqlArrow;
use crate::types::KqlType;
use datafusion_common::ScalarValue;
use datafusion_common::arrow::datatypes::DataType;
use datafusion_expr::{Expr, Operator, binary_expr, cast, lit, try_cast};
use datafusion_functions::core::expr_fn::coalesce;
use kql_common::{Span, codes};
use kql_parser::ast::{self, BinaryOp, ListOp, StringOp, StringOpKind};

/// The numeric type two numeric operands combine to.
fn promote(a: KqlType, b: KqlType) -> KqlType {
    use KqlType::*;
    match (a, b) {
        (Real, _) | (_, Real) => Real,
        (Decimal, _) | (_, Decimal) => Decimal,
        // "If both operands are of integer types (int or long), the result is long."
        _ => Long,
    }
}

/// Converts a dynamic value to `to` for use beside a typed operand.
pub(crate) fn from_dynamic(t: Typed, to: KqlType) -> Typed {
    if t.ty != KqlType::Dynamic {
        return t;
    }
    let (f, ty) = match to {
        KqlType::Int | KqlType::Long => (Udf::DynTolong, KqlType::Long),
        KqlType::Real | KqlType::Decimal => (Udf::DynToreal, KqlType::Real),
        KqlType::Bool => (Udf::DynTobool, KqlType::Bool),
        KqlType::DateTime => (Udf::DynTodatetime, KqlType::DateTime),
        KqlType::Timespan => (Udf::DynTotimespan, KqlType::Timespan),
        KqlType::String | KqlType::Guid | KqlType::Dynamic => (Udf::DynTostring, KqlType::String),
    };
    Typed::new(call(f, vec![t.expr]), ty)
}

/// Any value as a string, as `tostring()` gives it (null becomes `""`).
pub(crate) fn as_string(t: Typed) -> Typed {
    match t.ty {
        KqlType::String => t,
        // Guids are held as text, but a null guid is a null there: as a string it is "" (as
        // `tostring` of any null is), or `min(tostring(g))` skipped it.
        KqlType::Guid => Typed::new(coalesce(vec![t.expr, lit("")]), KqlType::String),
        KqlType::Dynamic => from_dynamic(t, KqlType::String),
        other => Typed::new(
            call(Udf::Tostring, vec![t.expr, lit(other.name())]),
            KqlType::String,
        ),
    }
}

fn string_udf(op: StringOp) -> Udf {
    use StringOpKind as K;
    match (op.kind, op.case_sensitive) {
        (K::Has, false) => Udf::Has,
        (K::Has, true) => Udf::HasCs,
        (K::HasPrefix, false) => Udf::Hasprefix,
        (K::HasPrefix, true) => Udf::HasprefixCs,
        (K::HasSuffix, false) => Udf::Hassuffix,
        (K::HasSuffix, true) => Udf::HassuffixCs,
        (K::Contains, false) => Udf::Contains,
        (K::Contains, true) => Udf::ContainsCs,
        (K::StartsWith, false) => Udf::Startswith,
        (K::StartsWith, true) => Udf::StartswithCs,
        (K::EndsWith, false) => Udf::Endswith,
        (K::EndsWith, true) => Udf::EndswithCs,
        (K::MatchesRegex, _) => Udf::MatchesRegex,
        (K::Like, _) => Udf::MatchesRegex,
    }
}

/// Whether values of `a` and `b` can be compared with `==` and `<`.
fn comparable(a: KqlType, b: KqlType) -> bool {
    use KqlType::*;
    (a.is_numeric() && b.is_numeric()) || matches!((a, b), (String | Guid, String | Guid)) || a == b
}

impl KqlToRel<'_> {
    pub(crate) fn binary(
        &self,
        op: BinaryOp,
        l: &ast::Expr,
        r: &ast::Expr,
        span: Span,
        cx: &ExprCx,
    ) -> R<Typed> {
        let left = self.scalar(l, cx)?;
        let right = self.scalar(r, cx)?;
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let (a, b) = (
                    from_dynamic(left, KqlType::Bool),
                    from_dynamic(right, KqlType::Bool),
                );
                for (t, e) in [(&a, l), (&b, r)] {
                    if t.ty != KqlType::Bool {
                        return err(
                            codes::TYPE_MISMATCH,
                            format!("`{op}` needs bool operands, not {}", t.ty),
                            e.span(),
                        );
                    }
                }
                let o = if op == BinaryOp::And {
                    Operator::And
                } else {
                    Operator::Or
                };
                Ok(Typed::new(binary_expr(a.expr, o, b.expr), KqlType::Bool))
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => {
                self.arithmetic(op, left, right, span)
            }
            BinaryOp::Eq
            | BinaryOp::NotEq
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => self.compare(op, left, right, span),
            BinaryOp::EqCi | BinaryOp::NotEqCi => {
                let (a, b) = (as_string(left), as_string(right));
                let eq = call(Udf::EqCi, vec![a.expr, b.expr]);
                Ok(Typed::new(
                    if op == BinaryOp::EqCi {
                        eq
                    } else {
                        Expr::Not(Box::new(eq))
                    },
                    KqlType::Bool,
                ))
            }
            BinaryOp::Str(s) => {
                let (a, b) = (as_string(left), as_string(right));
                let f = call(string_udf(s), vec![a.expr, b.expr]);
                Ok(Typed::new(
                    if s.negated { Expr::Not(Box::new(f)) } else { f },
                    KqlType::Bool,
                ))
            }
            BinaryOp::SearchColon => {
                let (a, b) = (as_string(left), as_string(right));
                Ok(Typed::new(
                    call(Udf::Has, vec![a.expr, b.expr]),
                    KqlType::Bool,
                ))
            }
        }
    }

    fn compare(&self, op: BinaryOp, left: Typed, right: Typed, span: Span) -> R<Typed> {
        let left = from_dynamic(left, right.ty);
        let right = from_dynamic(right, left.ty);
        if !comparable(left.ty, right.ty) {
            return err(
                codes::TYPE_MISMATCH,
                format!("cannot compare {} with {}", left.ty, right.ty),
                span,
            )
            .map_err(|d| {
                d.with_help(
                    "convert one side, for example with tostring(), tolong() or todatetime()",
                )
            });
        }
        let o = match op {
            BinaryOp::Eq => Operator::Eq,
            BinaryOp::NotEq => Operator::NotEq,
            BinaryOp::Lt => Operator::Lt,
            BinaryOp::Le => Operator::LtEq,
            BinaryOp::Gt => Operator::Gt,
            _ => Operator::GtEq,
        };
        // Strings are never null, so plain SQL equality is already Kusto's (and keeps the
        // predicate simple enough for pruning).
        let strings = matches!(left.ty, KqlType::String) && matches!(right.ty, KqlType::String);
        let e = binary_expr(left.expr, o, right.expr);
        // `==` with one null side is false, `!=` true (Kusto), where SQL would give null.
        let e = match op {
            _ if strings => e,
            BinaryOp::Eq => coalesce(vec![e, lit(false)]),
            // null != 1 is true, null != null is false (logical-operators page).
            BinaryOp::NotEq => match e {
                Expr::BinaryExpr(b) => binary_expr(*b.left, Operator::IsDistinctFrom, *b.right),
                other => other,
            },
            _ => e,
        };
        Ok(Typed::new(e, KqlType::Bool))
    }

    fn arithmetic(&self, op: BinaryOp, left: Typed, right: Typed, span: Span) -> R<Typed> {
        use KqlType::*;
        let left = from_dynamic(left, if right.ty == Dynamic { Real } else { right.ty });
        let right = from_dynamic(right, left.ty);
        let bad = || {
            err(
                codes::TYPE_MISMATCH,
                format!("`{op}` cannot combine {} and {}", left.ty, right.ty),
                span,
            )
        };
        let widen = |t: &Typed, ty: KqlType| {
            if t.ty.is_numeric() && t.ty != ty {
                cast(t.expr.clone(), ty.arrow())
            } else {
                t.expr.clone()
            }
        };
        let plain = |o: Operator, ty: KqlType| {
            Ok(Typed::new(
                binary_expr(widen(&left, ty), o, widen(&right, ty)),
                ty,
            ))
        };
        // Longs, timespans and datetimes are Int64 ticks; their kernels give null where the
        // result would wrap or leave the datetime range (functions/arith.rs).
        let checked = |kernel: Udf, ty: KqlType| {
            Ok(Typed::new(
                call(kernel, vec![widen(&left, ty), widen(&right, ty)]),
                ty,
            ))
        };
        // Decimals keep 18 places and give null past 38 digits (functions/decimal.rs).
        let numeric = |o: Operator, kernels: [Udf; 2], a: KqlType, b: KqlType| match promote(a, b) {
            Long => checked(kernels[0], Long),
            Decimal => checked(kernels[1], Decimal),
            ty => plain(o, ty),
        };
        let ticks_times = |ticks: &Typed, n: &Typed| {
            let e = if n.ty == Real || n.ty == Decimal {
                // A product outside Int64 (or NaN) is null: try_cast, not cast, which fails.
                try_cast(
                    Expr::ScalarFunction(datafusion_expr::expr::ScalarFunction::new_udf(
                        datafusion_functions::math::round(),
                        vec![
                            cast(ticks.expr.clone(), DataType::Float64)
                                * cast(n.expr.clone(), DataType::Float64),
                        ],
                    )),
                    DataType::Int64,
                )
            } else {
                call(
                    Udf::MulLong,
                    vec![ticks.expr.clone(), cast(n.expr.clone(), DataType::Int64)],
                )
            };
            Ok(Typed::new(e, Timespan))
        };
        match (op, left.ty, right.ty) {
            (BinaryOp::Add, a, b) if a.is_numeric() && b.is_numeric() => {
                numeric(Operator::Plus, [Udf::AddLong, Udf::DecimalAdd], a, b)
            }
            (BinaryOp::Add, DateTime, Timespan) => checked(Udf::AddDatetime, DateTime),
            (BinaryOp::Add, Timespan, DateTime) => Ok(Typed::new(
                call(Udf::AddDatetime, vec![right.expr, left.expr]),
                DateTime,
            )),
            (BinaryOp::Add, Timespan, Timespan) => checked(Udf::AddLong, Timespan),
            (BinaryOp::Sub, a, b) if a.is_numeric() && b.is_numeric() => {
                numeric(Operator::Minus, [Udf::SubLong, Udf::DecimalSub], a, b)
            }
            (BinaryOp::Sub, DateTime, DateTime) => Ok(Typed::new(
                call(Udf::SubLong, vec![left.expr, right.expr]),
                Timespan,
            )),
            (BinaryOp::Sub, DateTime, Timespan) => checked(Udf::SubDatetime, DateTime),
            (BinaryOp::Sub, Timespan, Timespan) => checked(Udf::SubLong, Timespan),
            (BinaryOp::Mul, a, b) if a.is_numeric() && b.is_numeric() => {
                numeric(Operator::Multiply, [Udf::MulLong, Udf::DecimalMul], a, b)
            }
            (BinaryOp::Mul, Timespan, n) if n.is_numeric() => ticks_times(&left, &right),
            (BinaryOp::Mul, n, Timespan) if n.is_numeric() => ticks_times(&right, &left),
            (BinaryOp::Div, a, b) if a.is_integer() && b.is_integer() => Ok(Typed::new(
                call(Udf::Div, vec![left.expr, right.expr]),
                Long,
            )),
            (BinaryOp::Div, a, b) if a.is_numeric() && b.is_numeric() => {
                let ty = promote(a, b);
                if ty == Decimal {
                    return checked(Udf::DecimalDiv, Decimal);
                }
                let (x, y) = if ty == Real {
                    (
                        cast(left.expr.clone(), DataType::Float64),
                        cast(right.expr.clone(), DataType::Float64),
                    )
                } else {
                    (left.expr.clone(), right.expr.clone())
                };
                Ok(Typed::new(binary_expr(x, Operator::Divide, y), ty))
            }
            (BinaryOp::Div, Timespan, Timespan) => Ok(Typed::new(
                binary_expr(
                    cast(left.expr, DataType::Float64),
                    Operator::Divide,
                    cast(right.expr, DataType::Float64),
                ),
                Real,
            )),
            (BinaryOp::Div, Timespan, n) if n.is_integer() => Ok(Typed::new(
                call(Udf::Div, vec![left.expr, cast(right.expr, DataType::Int64)]),
                Timespan,
            )),
            (BinaryOp::Div, Timespan, n) if n.is_numeric() => {
                let q = binary_expr(
                    cast(left.expr, DataType::Float64),
                    Operator::Divide,
                    cast(right.expr, DataType::Float64),
                );
                Ok(Typed::new(try_cast(q, DataType::Int64), Timespan))
            }
            (BinaryOp::Mod, a, b) if a.is_integer() && b.is_integer() => Ok(Typed::new(
                call(Udf::Mod, vec![left.expr, right.expr]),
                Long,
            )),
            (BinaryOp::Mod, Timespan, Timespan) => Ok(Typed::new(
                call(Udf::Mod, vec![left.expr, right.expr]),
                Timespan,
            )),
            (BinaryOp::Mod, a, b) if a.is_numeric() && b.is_numeric() => {
                plain(Operator::Modulo, promote(a, b))
            }
            _ => bad(),
        }
    }

    pub(crate) fn in_list(
        &self,
        l: &ast::Expr,
        op: ListOp,
        list: &[ast::Expr],
        span: Span,
        cx: &ExprCx,
    ) -> R<Typed> {
        let left = self.scalar(l, cx)?;
        if let [only] = list {
            let inner = match only {
                ast::Expr::Paren(e, _) => e.as_ref(),
                e => e,
            };
            if self.is_tabular(inner, cx.scope)
                && matches!(
                    op,
                    ListOp::In | ListOp::NotIn | ListOp::InCi | ListOp::NotInCi
                )
            {
                return self.in_subquery(left, op, inner, span, cx);
            }
        }
        let items = self.list_items(list, cx)?;
        match op {
            ListOp::HasAny | ListOp::HasAll => {
                let text = as_string(left);
                let needles = self.as_dynamic_array(items);
                let any = Expr::Not(Box::new(binary_expr(
                    call(Udf::HasAnyIndex, vec![text.expr.clone(), needles.clone()]),
                    Operator::Lt,
                    lit(0i64),
                )));
                if op == ListOp::HasAny {
                    return Ok(Typed::new(any, KqlType::Bool));
                }
                Ok(Typed::new(
                    call(Udf::HasAll, vec![text.expr, needles]),
                    KqlType::Bool,
                ))
            }
            ListOp::In | ListOp::NotIn | ListOp::InCi | ListOp::NotInCi => {
                let ci = matches!(op, ListOp::InCi | ListOp::NotInCi);
                let target = if ci || left.ty == KqlType::Dynamic {
                    as_string(left)
                } else {
                    left
                };
                let mut exprs = Vec::new();
                let mut reals = target.ty == KqlType::Real;
                for item in items {
                    let item = from_dynamic(item, target.ty);
                    reals |= item.ty == KqlType::Real;
                    if !comparable(target.ty, item.ty) {
                        return err(
                            codes::TYPE_MISMATCH,
                            format!("cannot compare {} with {} in the list", target.ty, item.ty),
                            span,
                        );
                    }
                    exprs.push(if ci {
                        datafusion_functions::string::expr_fn::lower(as_string(item).expr)
                    } else {
                        item.expr
                    });
                }
                let subject = if ci {
                    datafusion_functions::string::expr_fn::lower(target.expr)
                } else {
                    target.expr
                };
                let negated = matches!(op, ListOp::NotIn | ListOp::NotInCi);
                if exprs.is_empty() {
                    return Ok(Typed::new(lit(negated), KqlType::Bool));
                }
                let e = if reals {
                    let exprs = exprs.into_iter().map(positive_zero).collect();
                    positive_zero(subject).in_list(exprs, negated)
                } else {
                    subject.in_list(exprs, negated)
                };
                // A null value is never `in` a list and always `!in` it.
                Ok(Typed::new(coalesce(vec![e, lit(negated)]), KqlType::Bool))
            }
        }
    }

    /// `x in (T)`: membership in the first column of a tabular expression.
    fn in_subquery(
        &self,
        left: Typed,
        op: ListOp,
        table: &ast::Expr,
        span: Span,
        cx: &ExprCx,
    ) -> R<Typed> {
        let tab = self.tabular(table, cx.scope)?;
        let Some(first) = tab.schema.fields.first().cloned() else {
            return err(
                codes::WRONG_KIND,
                "the table in `in (...)` has no columns",
                span,
            );
        };
        let ci = matches!(op, ListOp::InCi | ListOp::NotInCi);
        let item = from_dynamic(Typed::new(super::column(&first.name), first.ty), left.ty);
        let left = from_dynamic(left, item.ty);
        if !comparable(left.ty, item.ty) {
            return err(
                codes::TYPE_MISMATCH,
                format!(
                    "cannot compare {} with the table's first column ({})",
                    left.ty, item.ty
                ),
                span,
            );
        }
        let (subject, value) = if ci {
            (
                datafusion_functions::string::expr_fn::lower(as_string(left).expr),
                datafusion_functions::string::expr_fn::lower(as_string(item).expr),
            )
        } else if left.ty != item.ty && left.ty.is_numeric() {
            (
                cast(left.expr, DataType::Float64),
                cast(item.expr, DataType::Float64),
            )
        } else {
            (left.expr, item.expr)
        };
        let plan = tab
            .builder()
            .project(vec![value.alias("__kql_in")])
            .and_then(|b| b.build())
            .map_err(|e| crate::diag::internal(e, span))?;
        let plan = std::sync::Arc::new(plan);
        let negated = matches!(op, ListOp::NotIn | ListOp::NotInCi);
        let e = if negated {
            datafusion_expr::expr_fn::not_in_subquery(subject, plan)
        } else {
            datafusion_expr::expr_fn::in_subquery(subject, plan)
        };
        Ok(Typed::new(coalesce(vec![e, lit(negated)]), KqlType::Bool))
    }

    /// The values of an `in (...)` list: scalars, with dynamic arrays (literal or `let`-bound)
    /// expanded into their elements.
    fn list_items(&self, list: &[ast::Expr], cx: &ExprCx) -> R<Vec<Typed>> {
        let mut out = Vec::new();
        for item in list {
            if let ast::Expr::Pipeline(_) = item {
                return crate::diag::not_supported("a sub-query inside `in (...)`", item.span());
            }
            let t = self.scalar(item, cx)?;
            if t.ty == KqlType::Dynamic
                && let Expr::Literal(ScalarValue::Utf8(Some(text)), _) = &t.expr
                && let Ok(serde_json::Value::Array(values)) =
                    serde_json::from_str::<serde_json::Value>(text)
            {
                for v in values {
                    out.push(json_literal(&v));
                }
                continue;
            }
            out.push(t);
        }
        Ok(out)
    }

    /// A dynamic array (JSON text) of the items' string forms.
    fn as_dynamic_array(&self, items: Vec<Typed>) -> Expr {
        let all_literal: Option<Vec<String>> = items
            .iter()
            .map(|t| match &t.expr {
                Expr::Literal(ScalarValue::Utf8(Some(s)), _) if t.ty != KqlType::Dynamic => {
                    Some(s.clone())
                }
                Expr::Literal(v, _) if !v.is_null() && t.ty != KqlType::Dynamic => {
                    Some(v.to_string())
                }
                _ => None,
            })
            .collect();
        match all_literal {
            Some(values) => lit(serde_json::Value::Array(
                values.into_iter().map(serde_json::Value::String).collect(),
            )
            .to_string()),
            None => call(
                Udf::PackArray,
                items
                    .into_iter()
                    .map(|t| call(Udf::ToJson, vec![as_string(t).expr, lit("string")]))
                    .collect(),
            ),
        }
    }

    pub(crate) fn between(
        &self,
        e: &ast::Expr,
        negated: bool,
        low: &ast::Expr,
        high: &ast::Expr,
        span: Span,
        cx: &ExprCx,
    ) -> R<Typed> {
        let value = self.scalar(e, cx)?;
        let lo = from_dynamic(self.scalar(low, cx)?, value.ty);
        let hi = from_dynamic(self.scalar(high, cx)?, value.ty);
        let value = from_dynamic(value, lo.ty);
        // For datetimes the upper bound may be a timespan: `t between (start .. 1d)`.
        let hi_expr = if value.ty == KqlType::DateTime && hi.ty == KqlType::Timespan {
            call(Udf::AddSaturating, vec![lo.expr.clone(), hi.expr])
        } else if comparable(value.ty, hi.ty) {
            hi.expr
        } else {
            return err(
                codes::TYPE_MISMATCH,
                format!("`between` cannot compare {} with {}", value.ty, hi.ty),
                span,
            );
        };
        if !comparable(value.ty, lo.ty) {
            return err(
                codes::TYPE_MISMATCH,
                format!("`between` cannot compare {} with {}", value.ty, lo.ty),
                span,
            );
        }
        let inside = value
            .expr
            .clone()
            .gt_eq(lo.expr)
            .and(value.expr.lt_eq(hi_expr));
        Ok(Typed::new(
            if negated {
                Expr::Not(Box::new(inside))
            } else {
                inside
            },
            KqlType::Bool,
        ))
    }
}

/// A JSON scalar from a dynamic array as a typed literal.
fn json_literal(v: &serde_json::Value) -> Typed {
    use serde_json::Value as J;
    match v {
        J::String(s) => Typed::new(lit(s.clone()), KqlType::String),
        J::Bool(b) => Typed::new(lit(*b), KqlType::Bool),
        J::Number(n) if n.is_i64() => Typed::new(lit(n.as_i64().unwrap_or(0)), KqlType::Long),
        J::Number(n) => Typed::new(lit(n.as_f64().unwrap_or(f64::NAN)), KqlType::Real),
        J::Null => Typed::new(super::null_of(KqlType::Dynamic), KqlType::Dynamic),
        other => Typed::new(lit(other.to_string()), KqlType::Dynamic),
    }
}

/// A real with `-0.0` made `0.0`: DataFusion checks a list of more than three items in a hash set
/// of the values' bits, where `-0.0` differs from `0.0`, while `==` (and a shorter list) finds
/// them equal, so a where clause and a countif over the same list disagreed. (An `or` chain of
/// `==` is no way out: the optimizer makes it an `in` list again.)
fn positive_zero(x: Expr) -> Expr {
    let zero = || lit(0.0f64);
    Expr::Case(datafusion_expr::expr::Case::new(
        None,
        vec![(Box::new(x.clone().eq(zero())), Box::new(zero()))],
        Some(Box::new(x)),
    ))
}
