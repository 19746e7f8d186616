//! Arguments of scalar function calls (`call.rs`): their number, their types (converting
//! `dynamic` values), and calls that are one kernel over checked arguments.

use super::binary::{as_string, from_dynamic};
use super::registry::{Arg, FunctionDef, Ret};
use super::{ExprCx, Typed};
use crate::diag::{R, err};
use crate::functions::{Udf, call};
use crate::planner::KqlToRel;
use crate::types::KqlType;
use datafusion_common::arrow::datatypes::DataType;
use datafusion_expr::{cast, try_cast};
use kql_common::codes;
use kql_parser::ast::Call;

impl KqlToRel<'_> {
    pub(super) fn typed_args(&self, c: &Call, cx: &ExprCx) -> R<Vec<Typed>> {
        c.args.iter().map(|a| self.scalar(&a.value, cx)).collect()
    }

    pub(crate) fn arity(&self, c: &Call, min: usize, max: usize) -> R<()> {
        let n = c.args.len();
        if n < min || n > max {
            let want = if min == max {
                format!("{min}")
            } else if max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("{min} to {max}")
            };
            let s = if want == "1" { "" } else { "s" };
            return err(
                codes::ARGUMENT_COUNT,
                format!("`{}` takes {want} argument{s}, not {n}", c.name.name),
                c.span,
            );
        }
        Ok(())
    }

    pub(super) fn want(
        &self,
        c: &Call,
        i: usize,
        t: Typed,
        ok: impl Fn(KqlType) -> bool,
        what: &str,
    ) -> R<Typed> {
        if ok(t.ty) {
            return Ok(t);
        }
        let span = c.args.get(i).map_or(c.span, |a| a.value.span());
        err(
            codes::ARGUMENT_TYPE,
            format!(
                "argument {} of `{}` must be {what}, not {}",
                i + 1,
                c.name.name,
                t.ty
            ),
            span,
        )
    }

    pub(super) fn string_arg(&self, c: &Call, i: usize, t: Typed) -> R<Typed> {
        let t = from_dynamic(t, KqlType::String);
        self.want(
            c,
            i,
            t,
            |k| matches!(k, KqlType::String | KqlType::Guid),
            "a string",
        )
    }

    pub(super) fn num_arg(&self, c: &Call, i: usize, t: Typed) -> R<Typed> {
        let t = from_dynamic(t, KqlType::Real);
        self.want(c, i, t, KqlType::is_numeric, "a number")
    }

    pub(super) fn datetime_arg(&self, c: &Call, i: usize, t: Typed) -> R<Typed> {
        let t = from_dynamic(t, KqlType::DateTime);
        self.want(c, i, t, |k| k == KqlType::DateTime, "a datetime")
    }

    pub(super) fn timespan_arg(&self, c: &Call, i: usize, t: Typed) -> R<Typed> {
        let t = from_dynamic(t, KqlType::Timespan);
        self.want(c, i, t, |k| k == KqlType::Timespan, "a timespan")
    }

    pub(super) fn bool_arg(&self, c: &Call, i: usize, t: Typed) -> R<Typed> {
        let t = from_dynamic(t, KqlType::Bool);
        self.want(c, i, t, |k| k == KqlType::Bool, "a bool")
    }

    pub(super) fn dynamic_arg(&self, c: &Call, i: usize, t: Typed) -> R<Typed> {
        self.want(c, i, t, |k| k == KqlType::Dynamic, "dynamic")
    }

    /// A call of kernel `udf` over the arguments, each checked and converted as the registry
    /// declares its kind; its type is the registry's result type.
    pub(super) fn kernel_call(
        &self,
        c: &Call,
        cx: &ExprCx,
        def: &FunctionDef,
        udf: Udf,
    ) -> R<Typed> {
        let Ret::Is(ret) = def.result else {
            return err(
                codes::INTERNAL,
                format!("`{}` has no fixed result type", def.name),
                c.span,
            );
        };
        let mut out = Vec::new();
        for (i, a) in self.typed_args(c, cx)?.into_iter().enumerate() {
            out.push(match def.arg(i).unwrap_or(Arg::Any) {
                Arg::Any => a.expr,
                Arg::Str => self.string_arg(c, i, a)?.expr,
                Arg::Text => as_string(a).expr,
                // A real outside Int64 is null (try_cast), not a failed query.
                Arg::Long => try_cast(self.num_arg(c, i, a)?.expr, DataType::Int64),
                Arg::Real => cast(self.num_arg(c, i, a)?.expr, DataType::Float64),
                Arg::Number => self.num_arg(c, i, a)?.expr,
                Arg::Bool => self.bool_arg(c, i, a)?.expr,
                Arg::DateTime => self.datetime_arg(c, i, a)?.expr,
                Arg::Timespan => self.timespan_arg(c, i, a)?.expr,
                Arg::Dyn => self.dynamic_arg(c, i, a)?.expr,
                Arg::Type => {
                    return err(
                        codes::ARGUMENT_TYPE,
                        format!(
                            "argument {} of `{}` must be `typeof(type)`",
                            i + 1,
                            c.name.name
                        ),
                        c.span,
                    );
                }
            });
        }
        Ok(Typed::new(call(udf, out), ret))
    }

    pub(super) fn one(&self, c: &Call, cx: &ExprCx) -> R<Typed> {
        let mut a = self.typed_args(c, cx)?;
        a.pop().ok_or_else(|| {
            kql_common::Diagnostic::error(codes::ARGUMENT_COUNT, "missing argument", c.span)
        })
    }

    pub(super) fn two(&self, c: &Call, cx: &ExprCx) -> R<[Typed; 2]> {
        let a = self.typed_args(c, cx)?;
        <[Typed; 2]>::try_from(a).map_err(|_| {
            kql_common::Diagnostic::error(codes::ARGUMENT_COUNT, "expected two arguments", c.span)
        })
    }

    /// The one (numeric) argument; its count is checked by the registry's arity.
    pub(super) fn num1(&self, c: &Call, cx: &ExprCx) -> R<Typed> {
        let a = self.one(c, cx)?;
        self.num_arg(c, 0, a)
    }
}
