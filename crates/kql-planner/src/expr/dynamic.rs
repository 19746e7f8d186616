//! Member and index access on `dynamic` values: `d.a.b`, `d["k"]`, `d[0]`, `d[-1]`. A chain is
//! one `kql_dyn_get` call over the JSON text; `parse_json(Column).a` reads `Column`'s text directly.

use super::{ExprCx, Typed};
use crate::diag::{R, err};
use crate::functions::{Udf, call};
use crate::planner::KqlToRel;
use crate::types::KqlType;
use datafusion_expr::{Expr, lit};
use kql_common::codes;
use kql_parser::ast::{self, LiteralValue};

impl KqlToRel<'_> {
    pub(crate) fn member_access(&self, e: &ast::Expr, cx: &ExprCx) -> R<Typed> {
        // Collect the path from the outermost access inwards.
        let mut steps: Vec<&ast::Expr> = Vec::new();
        let mut base = e;
        while let ast::Expr::Member { target, .. } | ast::Expr::Index { target, .. } = base {
            steps.push(base);
            base = target;
        }
        steps.reverse();
        let target = self.dynamic_base(base, cx)?;
        let mut args = vec![target.expr];
        for step in steps {
            match step {
                ast::Expr::Member { member, .. } => args.push(lit(member.name.clone())),
                ast::Expr::Index { index, .. } => args.push(self.index_step(index, cx)?),
                _ => {}
            }
        }
        Ok(Typed::new(call(Udf::DynGet, args), KqlType::Dynamic))
    }

    /// The value a path starts from; it must be dynamic.
    fn dynamic_base(&self, base: &ast::Expr, cx: &ExprCx) -> R<Typed> {
        if let ast::Expr::Call(c) = base
            && c.receiver.is_none()
            && matches!(c.name.name.as_str(), "parse_json" | "todynamic")
            && c.args.len() == 1
            && let Some(a) = c.args.first()
        {
            let t = self.scalar(&a.value, cx)?;
            if matches!(t.ty, KqlType::String | KqlType::Dynamic) {
                return Ok(Typed::new(t.expr, KqlType::Dynamic));
            }
        }
        let t = self.scalar(base, cx)?;
        if t.ty != KqlType::Dynamic {
            let name = base.to_string();
            let d = kql_common::Diagnostic::error(
                codes::NOT_DYNAMIC,
                format!(
                    "`{name}` is a {} value: only dynamic values have properties or elements",
                    t.ty
                ),
                base.span(),
            )
            .with_label(format!("{} column", t.ty));
            let d = if t.ty == KqlType::String {
                d.with_help(format!("parse the JSON text first: `parse_json({name})`"))
            } else {
                d
            };
            return Err(d);
        }
        Ok(t)
    }

    fn index_step(&self, index: &ast::Expr, cx: &ExprCx) -> R<Expr> {
        if let ast::Expr::Literal(l) = index {
            match &l.value {
                LiteralValue::String(s) => return Ok(lit(s.clone())),
                LiteralValue::Long(n) => return Ok(lit(*n)),
                LiteralValue::Int(n) => return Ok(lit(i64::from(*n))),
                _ => {}
            }
        }
        if let ast::Expr::Unary {
            op: ast::UnaryOp::Neg,
            expr,
            ..
        } = index
            && let ast::Expr::Literal(l) = expr.as_ref()
            && let LiteralValue::Long(n) = l.value
        {
            return Ok(lit(-n));
        }
        let t = self.scalar(index, cx)?;
        match t.ty {
            KqlType::String => Ok(t.expr),
            k if k.is_integer() => Ok(datafusion_expr::cast(
                t.expr,
                datafusion_common::arrow::datatypes::DataType::Int64,
            )),
            KqlType::Dynamic => Ok(call(Udf::DynTostring, vec![t.expr])),
            other => err(
                codes::ARGUMENT_TYPE,
                format!("an index must be a string or an integer, not {other}"),
                index.span(),
            ),
        }
    }
}
