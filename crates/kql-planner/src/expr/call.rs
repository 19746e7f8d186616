//! Scalar function calls. Each Kusto function is planned here, either onto a DataFusion
//! built-in (when the semantics match) or onto a KQL UDF from `crate::functions`.
//! <https://learn.microsoft.com/kusto/query/scalar-functions>

use super::binary::{as_string, from_dynamic};
use super::common_type::{convert_to, to_dynamic, unify};
use super::registry::{self, Dispatch, Scalar as F};
use super::{ExprCx, Typed, null_of};
use crate::diag::{R, did_you_mean, err, not_supported};
use crate::functions::{Udf, call as udf};
use crate::planner::{Binding, KqlToRel};
use crate::types::KqlArrow;
use crate::types::KqlType;
use datafusion_common::ScalarValue;
use datafusion_common::arrow::datatypes::DataType;
use datafusion_expr::{Expr, cast, lit, try_cast, when};
use datafusion_functions::core::expr_fn as core;
use datafusion_functions::math::expr_fn as math;
use datafusion_functions::string::expr_fn as string;
use datafusion_functions::unicode::expr_fn as unicode;
use kql_common::codes;
use kql_parser::ast::{self, Call};

impl KqlToRel<'_> {
    fn now_expr(&self) -> Expr {
        lit(self.options.now)
    }

    /// Plans a scalar function call.
    pub(crate) fn call(&self, c: &Call, cx: &ExprCx) -> R<Typed> {
        if c.receiver.is_some() {
            return not_supported(
                &format!(
                    "`{}(...)` on a value (cross-cluster or cross-database references)",
                    c.name.name
                ),
                c.span,
            );
        }
        let name = c.name.name.as_str();
        let def = registry::lookup(name);
        // Aggregates come first: a `let` function cannot take an aggregate's name.
        if let Some(d) = def
            && let Dispatch::Aggregate(func) = d.function
        {
            return self.aggregate_call(c, cx, d, func);
        }
        if let Some(Binding::Function(decl, def_scope)) = cx.scope.get(name) {
            return self.inline_scalar_function(c, decl, def_scope, cx);
        }
        let Some((def, Dispatch::Scalar(func))) = def.map(|d| (d, d.function)) else {
            return Err(unknown_function(c));
        };
        self.arity(c, def.min, def.max)?;
        let t = |e: Expr, ty: KqlType| Ok(Typed::new(e, ty));
        match func {
            F::Coalesce => {
                let args = self.typed_args(c, cx)?;
                let (exprs, ty) = unify(args, c.span)?;
                if ty == KqlType::String {
                    // For strings the first non-empty value wins ("" is Kusto's empty string).
                    let mut parts: Vec<Expr> = exprs
                        .into_iter()
                        .map(|e| core::nullif(e, lit("")))
                        .collect();
                    parts.push(lit(""));
                    return t(core::coalesce(parts), ty);
                }
                t(core::coalesce(exprs), ty)
            }
            F::Isnull | F::Isnotnull => {
                let a = self.one(c, cx)?;
                // Strings are never null in Kusto.
                let is_null = if matches!(a.ty, KqlType::String) {
                    lit(false)
                } else {
                    a.expr.is_null()
                };
                t(
                    if func == F::Isnull {
                        is_null
                    } else {
                        Expr::Not(Box::new(is_null))
                    },
                    KqlType::Bool,
                )
            }
            F::Isempty | F::Isnotempty => {
                let a = self.one(c, cx)?;
                let empty = match a.ty {
                    KqlType::String | KqlType::Guid => a.expr.eq(lit("")),
                    KqlType::Dynamic => core::coalesce(vec![
                        udf(Udf::DynTostring, vec![a.expr]).eq(lit("")),
                        lit(true),
                    ]),
                    _ => a.expr.is_null(),
                };
                let empty = core::coalesce(vec![empty, lit(true)]);
                t(
                    if func == F::Isempty {
                        empty
                    } else {
                        Expr::Not(Box::new(empty))
                    },
                    KqlType::Bool,
                )
            }
            F::Sqrt | F::Exp | F::Log | F::Log10 | F::Log2 => {
                let a = self.num1(c, cx)?;
                let x = cast(a.expr, DataType::Float64);
                let e = match func {
                    F::Sqrt => math::sqrt(x.clone()),
                    F::Exp => math::exp(x.clone()),
                    F::Log => math::ln(x.clone()),
                    F::Log10 => math::log10(x.clone()),
                    _ => math::log2(x.clone()),
                };
                if func == F::Exp {
                    return t(e, KqlType::Real);
                }
                // A negative argument gives null (and must not reach sqrt, which would fail).
                let guarded = when(x.lt(lit(0.0f64)), lit(ScalarValue::Float64(None)))
                    .otherwise(e)
                    .map_err(|e| crate::diag::internal(e, c.span))?;
                t(guarded, KqlType::Real)
            }
            F::Extract => {
                // The type argument is not a value: plan only the first three.
                let args = c
                    .args
                    .iter()
                    .take(3)
                    .map(|a| self.scalar(&a.value, cx))
                    .collect::<R<Vec<_>>>()?;
                let target = if c.args.len() == 4 {
                    match c.args.get(3).map(|a| &a.value) {
                        Some(ast::Expr::TypeOf(ast::TypeOfArg::Type(ty), _)) => Some(ty.ty),
                        _ => {
                            return err(
                                codes::ARGUMENT_TYPE,
                                "the 4th argument of `extract` must be `typeof(type)`",
                                c.span,
                            );
                        }
                    }
                } else {
                    None
                };
                let mut out = Vec::new();
                for (i, a) in args.into_iter().enumerate() {
                    out.push(if i == 1 {
                        self.num_arg(c, 1, a)?.expr
                    } else {
                        self.string_arg(c, i, a)?.expr
                    });
                }
                let text = Typed::new(udf(Udf::Extract, out), KqlType::String);
                match target {
                    None | Some(KqlType::String) => Ok(text),
                    // Converted to the type; no match or a failed conversion gives null.
                    Some(ty) => Ok(convert_to(
                        Typed::new(udf(Udf::ParseJsonScalar, vec![text.expr]), KqlType::Dynamic),
                        ty,
                    )),
                }
            }
            F::ExtractAll => {
                let args = self.typed_args(c, cx)?;
                let n = args.len();
                let mut out = Vec::new();
                for (i, a) in args.into_iter().enumerate() {
                    out.push(if n == 3 && i == 1 {
                        self.dynamic_arg(c, 1, a)?.expr
                    } else {
                        self.string_arg(c, i, a)?.expr
                    });
                }
                t(udf(Udf::ExtractAll, out), KqlType::Dynamic)
            }
            F::ArrayLength | F::BagKeys => {
                let a = self.one(c, cx)?;
                let a = self.dynamic_arg(c, 0, a)?;
                let (f, ty) = if func == F::ArrayLength {
                    (Udf::ArrayLength, KqlType::Long)
                } else {
                    (Udf::BagKeys, KqlType::Dynamic)
                };
                t(udf(f, vec![a.expr]), ty)
            }
            F::ArraySortAsc | F::ArraySortDesc => {
                let args = self.typed_args(c, cx)?;
                let mut out = Vec::new();
                for (i, a) in args.into_iter().enumerate() {
                    out.push(if i == 0 {
                        self.dynamic_arg(c, 0, a)?.expr
                    } else {
                        self.bool_arg(c, 1, a)?.expr
                    });
                }
                t(
                    udf(
                        if func == F::ArraySortAsc {
                            Udf::ArraySortAsc
                        } else {
                            Udf::ArraySortDesc
                        },
                        out,
                    ),
                    KqlType::Dynamic,
                )
            }
            // Functions that are one kernel call over checked arguments.
            F::FormatDatetime => self.kernel_call(c, cx, def, Udf::FormatDatetime),
            F::FormatTimespan => self.kernel_call(c, cx, def, Udf::FormatTimespan),
            F::DatetimePart => self.kernel_call(c, cx, def, Udf::DatetimePart),
            F::Dayofweek => self.kernel_call(c, cx, def, Udf::Dayofweek),
            F::DatetimeAdd => self.kernel_call(c, cx, def, Udf::DatetimeAdd),
            F::DatetimeDiff => self.kernel_call(c, cx, def, Udf::DatetimeDiff),
            F::BagHasKey => self.kernel_call(c, cx, def, Udf::BagHasKey),
            F::HasAnyIndex => self.kernel_call(c, cx, def, Udf::HasAnyIndex),
            F::ArraySlice => self.kernel_call(c, cx, def, Udf::ArraySlice),
            F::Substring => self.kernel_call(c, cx, def, Udf::Substring),
            F::Split => self.kernel_call(c, cx, def, Udf::Split),
            // Non-string text arguments of indexof are converted to strings.
            F::Indexof => self.kernel_call(c, cx, def, Udf::Indexof),
            F::MakeDatetime => self.kernel_call(c, cx, def, Udf::MakeDatetime),
            F::MakeTimespan => self.kernel_call(c, cx, def, Udf::MakeTimespan),
            F::Now => {
                let mut a = self.typed_args(c, cx)?;
                match a.pop() {
                    Some(off) => {
                        let off = self.timespan_arg(c, 0, off)?;
                        t(
                            udf(Udf::AddDatetime, vec![self.now_expr(), off.expr]),
                            KqlType::DateTime,
                        )
                    }
                    None => t(self.now_expr(), KqlType::DateTime),
                }
            }
            F::Ago => {
                let a = self.one(c, cx)?;
                let a = self.timespan_arg(c, 0, a)?;
                t(
                    udf(Udf::SubDatetime, vec![self.now_expr(), a.expr]),
                    KqlType::DateTime,
                )
            }
            F::Bin => {
                let [x, size] = self.two(c, cx)?;
                self.bin(c, x, size, None)
            }
            F::BinAt => {
                let mut a = self.typed_args(c, cx)?.into_iter();
                let (x, size, at) = (a.next(), a.next(), a.next());
                let (Some(x), Some(size), Some(at)) = (x, size, at) else {
                    return err(codes::ARGUMENT_COUNT, "bin_at takes 3 arguments", c.span);
                };
                self.bin(c, x, size, Some(at))
            }
            F::Iff => {
                let mut a = self.typed_args(c, cx)?.into_iter();
                let (Some(cond), Some(x), Some(y)) = (a.next(), a.next(), a.next()) else {
                    return err(codes::ARGUMENT_COUNT, "iff takes 3 arguments", c.span);
                };
                let cond = self.bool_arg(c, 0, cond)?;
                let (vals, ty) = unify(vec![x, y], c.span)?;
                let mut v = vals.into_iter();
                let (Some(x), Some(y)) = (v.next(), v.next()) else {
                    return err(codes::INTERNAL, "iff", c.span);
                };
                let e = when(cond.expr, x)
                    .otherwise(y)
                    .map_err(|e| crate::diag::internal(e, c.span))?;
                t(e, ty)
            }
            F::Case => {
                if c.args.len().is_multiple_of(2) {
                    return err(
                        codes::ARGUMENT_COUNT,
                        "`case` takes condition/value pairs and a final else value",
                        c.span,
                    );
                }
                let args = self.typed_args(c, cx)?;
                let mut conds = Vec::new();
                let mut values = Vec::new();
                for (i, a) in args.into_iter().enumerate() {
                    if i % 2 == 0 && i + 1 < c.args.len() {
                        conds.push(self.bool_arg(c, i, a)?);
                    } else {
                        values.push(a);
                    }
                }
                let (values, ty) = unify(values, c.span)?;
                let mut vals = values.into_iter();
                let mut builder: Option<datafusion_expr::conditional_expressions::CaseBuilder> =
                    None;
                for cond in conds {
                    let v = vals.next().unwrap_or(lit(ScalarValue::Null));
                    builder = Some(match builder {
                        None => when(cond.expr, v),
                        Some(mut b) => b.when(cond.expr, v),
                    });
                }
                let otherwise = vals.next().unwrap_or(lit(ScalarValue::Null));
                let e = match builder {
                    Some(mut b) => b
                        .otherwise(otherwise)
                        .map_err(|e| crate::diag::internal(e, c.span))?,
                    None => otherwise,
                };
                t(e, ty)
            }
            F::Not => {
                let a = self.one(c, cx)?;
                let a = self.bool_arg(c, 0, a)?;
                t(Expr::Not(Box::new(a.expr)), KqlType::Bool)
            }
            F::Isnan => {
                let a = self.one(c, cx)?;
                let a = self.num_arg(c, 0, a)?;
                t(math::isnan(cast(a.expr, DataType::Float64)), KqlType::Bool)
            }
            F::Abs => {
                let a = self.num1(c, cx)?;
                // Integer abs of the smallest value does not fit: null (functions/arith.rs),
                // where DataFusion's abs fails the query.
                match a.ty {
                    KqlType::Long => t(udf(Udf::AbsLong, vec![a.expr]), a.ty),
                    KqlType::Int => t(udf(Udf::AbsInt, vec![a.expr]), a.ty),
                    _ => t(math::abs(a.expr), a.ty),
                }
            }
            // The smallest integer not below the value, in the value's type.
            // <https://learn.microsoft.com/kusto/query/ceiling-function>
            F::Ceiling => {
                let a = self.num1(c, cx)?;
                match a.ty {
                    KqlType::Long | KqlType::Int => t(a.expr, a.ty),
                    KqlType::Real => t(math::ceil(a.expr), KqlType::Real),
                    _ => crate::diag::not_supported("`ceiling()` of a decimal", c.span),
                }
            }
            F::Sign => {
                let a = self.num1(c, cx)?;
                t(math::signum(cast(a.expr, DataType::Float64)), KqlType::Real)
            }
            F::Round => {
                let mut a = self.typed_args(c, cx)?.into_iter();
                let x =
                    self.num_arg(c, 0, a.next().unwrap_or(Typed::new(lit(0), KqlType::Long)))?;
                let digits = match a.next() {
                    Some(d) => try_cast(self.num_arg(c, 1, d)?.expr, DataType::Int64),
                    None => lit(0i64),
                };
                if x.ty.is_integer() {
                    // Exact, in integers: through a real the low digits of large longs are lost.
                    return t(
                        udf(Udf::RoundLong, vec![cast(x.expr, DataType::Int64), digits]),
                        KqlType::Long,
                    );
                }
                t(
                    math::round(vec![cast(x.expr, DataType::Float64), digits]),
                    KqlType::Real,
                )
            }
            F::Pow => {
                let [a, b] = self.two(c, cx)?;
                let (a, b) = (self.num_arg(c, 0, a)?, self.num_arg(c, 1, b)?);
                t(
                    udf(
                        Udf::Pow,
                        vec![
                            cast(a.expr, DataType::Float64),
                            cast(b.expr, DataType::Float64),
                        ],
                    ),
                    KqlType::Real,
                )
            }
            F::MaxOf | F::MinOf => {
                let args = self.typed_args(c, cx)?;
                let (exprs, ty) = unify(args, c.span)?;
                t(
                    if func == F::MaxOf {
                        core::greatest(exprs)
                    } else {
                        core::least(exprs)
                    },
                    ty,
                )
            }
            F::Tostring => {
                let a = self.one(c, cx)?;
                t(as_string(a).expr, KqlType::String)
            }
            F::Tolong | F::Toint | F::Toreal | F::Tobool | F::Todecimal => {
                let a = self.one(c, cx)?;
                let (f, ty) = match func {
                    F::Tolong => (Udf::Tolong, KqlType::Long),
                    F::Toint => (Udf::Toint, KqlType::Int),
                    F::Tobool => (Udf::Tobool, KqlType::Bool),
                    _ => (Udf::Toreal, KqlType::Real),
                };
                let input = match a.ty {
                    KqlType::Dynamic => as_string(a).expr,
                    _ => a.expr,
                };
                let e = udf(f, vec![input]);
                if func == F::Todecimal {
                    // A value beyond decimal's range is null, as a failed conversion is.
                    return t(try_cast(e, KqlType::Decimal.arrow()), KqlType::Decimal);
                }
                t(e, ty)
            }
            F::Todatetime => {
                let a = self.one(c, cx)?;
                match a.ty {
                    KqlType::DateTime => Ok(a),
                    KqlType::String | KqlType::Dynamic => t(
                        udf(Udf::Todatetime, vec![as_string(a).expr]),
                        KqlType::DateTime,
                    ),
                    _ => t(null_of(KqlType::DateTime), KqlType::DateTime),
                }
            }
            F::Totimespan => {
                let a = self.one(c, cx)?;
                match a.ty {
                    KqlType::Timespan => Ok(a),
                    k if k.is_integer() => t(cast(a.expr, DataType::Int64), KqlType::Timespan),
                    _ => t(
                        udf(Udf::Totimespan, vec![as_string(a).expr]),
                        KqlType::Timespan,
                    ),
                }
            }
            F::Toguid => {
                let a = self.one(c, cx)?;
                t(udf(Udf::Toguid, vec![as_string(a).expr]), KqlType::Guid)
            }
            F::ParseJson => {
                let a = self.one(c, cx)?;
                match a.ty {
                    KqlType::Dynamic => Ok(a),
                    KqlType::String => t(udf(Udf::ParseJson, vec![a.expr]), KqlType::Dynamic),
                    _ => t(to_dynamic(a), KqlType::Dynamic),
                }
            }
            F::Gettype => {
                let a = self.one(c, cx)?;
                match a.ty {
                    KqlType::Dynamic => t(udf(Udf::GettypeDynamic, vec![a.expr]), KqlType::String),
                    ty => t(lit(ty.name()), KqlType::String),
                }
            }
            F::Tolower | F::Toupper => {
                let a = self.one(c, cx)?;
                let a = self.string_arg(c, 0, a)?;
                t(
                    if func == F::Tolower {
                        string::lower(a.expr)
                    } else {
                        string::upper(a.expr)
                    },
                    KqlType::String,
                )
            }
            // -1, 0 or 1 as the first string sorts before, with or after the second (ordinal).
            // <https://learn.microsoft.com/kusto/query/strcmp-function>
            F::Strcmp => {
                let [a, b] = self.two(c, cx)?;
                let (a, b) = (
                    self.string_arg(c, 0, a)?.expr,
                    self.string_arg(c, 1, b)?.expr,
                );
                let e = when(a.clone().lt(b.clone()), lit(-1i64))
                    .when(a.gt(b), lit(1i64))
                    .otherwise(lit(0i64))
                    .map_err(|e| crate::diag::internal(e, c.span))?;
                t(e, KqlType::Long)
            }
            F::Strlen => {
                let a = self.one(c, cx)?;
                let a = self.string_arg(c, 0, a)?;
                t(
                    cast(unicode::character_length(a.expr), DataType::Int64),
                    KqlType::Long,
                )
            }
            F::Strcat => {
                let args: Vec<Expr> = self
                    .typed_args(c, cx)?
                    .into_iter()
                    .map(|a| as_string(a).expr)
                    .collect();
                t(string::concat(args), KqlType::String)
            }
            F::StrcatDelim => {
                let mut args = self
                    .typed_args(c, cx)?
                    .into_iter()
                    .map(|a| as_string(a).expr);
                let delim = args.next().unwrap_or(lit(""));
                let mut all = vec![delim];
                all.extend(args);
                t(string::concat_ws(all.remove(0), all), KqlType::String)
            }
            F::ReplaceString => {
                let args = self.typed_args(c, cx)?;
                let mut out = Vec::new();
                for (i, a) in args.into_iter().enumerate() {
                    out.push(self.string_arg(c, i, a)?.expr);
                }
                let [text, find, with] = <[Expr; 3]>::try_from(out)
                    .map_err(|_| crate::diag::internal("args", c.span))?;
                t(string::replace(text, find, with), KqlType::String)
            }
            F::ReplaceRegex => self.kernel_call(c, cx, def, Udf::ReplaceRegex),
            F::Trim => self.kernel_call(c, cx, def, Udf::Trim),
            F::TrimStart | F::TrimEnd => {
                let [p, text] = self.two(c, cx)?;
                let (p, text) = (self.string_arg(c, 0, p)?, self.string_arg(c, 1, text)?);
                // `trim_start(re, s)` is `trim` anchored at one end only.
                let anchored = if func == F::TrimStart {
                    string::concat(vec![lit("^(?:"), p.expr, lit(")+")])
                } else {
                    string::concat(vec![lit("(?:"), p.expr, lit(")+$")])
                };
                t(
                    udf(Udf::ReplaceRegex, vec![text.expr, anchored, lit("")]),
                    KqlType::String,
                )
            }
            F::Countof => self.kernel_call(c, cx, def, Udf::Countof),
            F::Hash => {
                let mut a = self.typed_args(c, cx)?.into_iter();
                let x = as_string(a.next().unwrap_or(Typed::new(lit(""), KqlType::String)));
                let mut args = vec![x.expr];
                if let Some(m) = a.next() {
                    args.push(self.num_arg(c, 1, m)?.expr);
                }
                t(udf(Udf::Hash, args), KqlType::Long)
            }
            F::ArrayConcat | F::SetUnion => {
                let args = self.typed_args(c, cx)?;
                let mut out = Vec::new();
                for (i, a) in args.into_iter().enumerate() {
                    out.push(self.dynamic_arg(c, i, a)?.expr);
                }
                t(
                    udf(
                        if func == F::ArrayConcat {
                            Udf::ArrayConcat
                        } else {
                            Udf::SetUnion
                        },
                        out,
                    ),
                    KqlType::Dynamic,
                )
            }
            F::BagPack => {
                if !c.args.len().is_multiple_of(2) {
                    return err(
                        codes::ARGUMENT_COUNT,
                        format!("`{name}` takes key/value pairs"),
                        c.span,
                    );
                }
                let args = self.typed_args(c, cx)?;
                let mut out = Vec::new();
                for (i, a) in args.into_iter().enumerate() {
                    out.push(if i % 2 == 0 {
                        self.string_arg(c, i, a)?.expr
                    } else {
                        to_dynamic(a)
                    });
                }
                t(udf(Udf::Pack, out), KqlType::Dynamic)
            }
            F::PackArray => {
                let args = self
                    .typed_args(c, cx)?
                    .into_iter()
                    .map(to_dynamic)
                    .collect();
                t(udf(Udf::PackArray, args), KqlType::Dynamic)
            }
            F::Getyear
            | F::Getmonth
            | F::Monthofyear
            | F::Dayofmonth
            | F::Dayofyear
            | F::Hourofday
            | F::WeekOfYear => {
                let d = self.one(c, cx)?;
                let d = self.datetime_arg(c, 0, d)?;
                let part = match func {
                    F::Getyear => "year",
                    F::Getmonth | F::Monthofyear => "month",
                    F::Dayofmonth => "day",
                    F::Dayofyear => "dayofyear",
                    F::Hourofday => "hour",
                    _ => "week_of_year",
                };
                t(
                    udf(Udf::DatetimePart, vec![lit(part), d.expr]),
                    KqlType::Long,
                )
            }
            F::Startofday
            | F::Startofweek
            | F::Startofmonth
            | F::Startofyear
            | F::Endofday
            | F::Endofweek
            | F::Endofmonth
            | F::Endofyear => {
                let mut a = self.typed_args(c, cx)?.into_iter();
                let d = self.datetime_arg(
                    c,
                    0,
                    a.next().unwrap_or(Typed::new(lit(0i64), KqlType::DateTime)),
                )?;
                let offset = match a.next() {
                    Some(o) => try_cast(self.num_arg(c, 1, o)?.expr, DataType::Int64),
                    None => lit(0i64),
                };
                let (kernel, unit) = match func {
                    F::Startofday => (Udf::Startof, "day"),
                    F::Startofweek => (Udf::Startof, "week"),
                    F::Startofmonth => (Udf::Startof, "month"),
                    F::Startofyear => (Udf::Startof, "year"),
                    F::Endofday => (Udf::Endof, "day"),
                    F::Endofweek => (Udf::Endof, "week"),
                    F::Endofmonth => (Udf::Endof, "month"),
                    _ => (Udf::Endof, "year"),
                };
                t(
                    udf(kernel, vec![lit(unit), d.expr, offset]),
                    KqlType::DateTime,
                )
            }
            F::UnixtimeSecondsTodatetime
            | F::UnixtimeMillisecondsTodatetime
            | F::UnixtimeMicrosecondsTodatetime
            | F::UnixtimeNanosecondsTodatetime => {
                let a = self.one(c, cx)?;
                let a = self.num_arg(c, 0, a)?;
                let unit = match func {
                    F::UnixtimeSecondsTodatetime => "s",
                    F::UnixtimeMillisecondsTodatetime => "ms",
                    F::UnixtimeMicrosecondsTodatetime => "us",
                    _ => "ns",
                };
                t(
                    udf(Udf::UnixtimeTodatetime, vec![a.expr, lit(unit)]),
                    KqlType::DateTime,
                )
            }
            F::RowNumber => self.row_number(c, cx),
            F::Toscalar => not_supported("`toscalar()`", c.span),
        }
    }

    /// `row_number()`: the hidden column the `extend`/`project` planner adds for it.
    fn row_number(&self, c: &Call, cx: &ExprCx) -> R<Typed> {
        if c.args.len() == 2 {
            return not_supported("`row_number()` with a restart condition", c.span);
        }
        let hidden = crate::operators::ROW_NUMBER_COLUMN;
        if cx.schema.field(hidden).is_none() {
            return err(
                codes::NOT_SUPPORTED,
                "`row_number()` can only be used in `extend`, `project` or `serialize`",
                c.span,
            );
        }
        let n = cast(super::column(hidden), DataType::Int64);
        match c.args.first() {
            // row_number(StartingIndex): numbering starts at StartingIndex instead of 1.
            Some(start) => {
                let s = self.scalar(&start.value, cx)?;
                let s = self.num_arg(c, 0, s)?;
                // Checked: a start near i64::MAX gives null, not wrapped numbers.
                let first = udf(Udf::SubLong, vec![cast(s.expr, DataType::Int64), lit(1i64)]);
                Ok(Typed::new(udf(Udf::AddLong, vec![n, first]), KqlType::Long))
            }
            None => Ok(Typed::new(n, KqlType::Long)),
        }
    }

    /// A kernel call whose arguments are checked and converted by kind; `kinds.len()` is the
    /// most arguments, `min` the fewest.
    /// `bin(x, size)` / `bin_at(x, size, at)` for numbers, datetimes and timespans.
    fn bin(&self, c: &Call, x: Typed, size: Typed, at: Option<Typed>) -> R<Typed> {
        let x = from_dynamic(x, KqlType::Real);
        let size = from_dynamic(size, x.ty);
        let (kernel, ty) = match (x.ty, size.ty) {
            (KqlType::DateTime, KqlType::Timespan) | (KqlType::Timespan, KqlType::Timespan) => {
                (Udf::BinLong, x.ty)
            }
            (a, b) if a.is_integer() && b.is_integer() => (Udf::BinLong, KqlType::Long),
            (a, b) if a.is_numeric() && b.is_numeric() => (Udf::BinReal, KqlType::Real),
            (a, b) => {
                return err(
                    codes::ARGUMENT_TYPE,
                    format!("`{}` cannot round a {a} to a {b} bin size", c.name.name),
                    c.span,
                );
            }
        };
        let Some(at) = at else {
            return Ok(Typed::new(udf(kernel, vec![x.expr, size.expr]), ty));
        };
        let at = from_dynamic(at, x.ty);
        if at.ty != x.ty && !(at.ty.is_numeric() && x.ty.is_numeric()) {
            return err(
                codes::ARGUMENT_TYPE,
                format!("the anchor of `bin_at` must be a {}, not {}", x.ty, at.ty),
                c.span,
            );
        }
        if kernel == Udf::BinReal {
            let shifted = x.expr - at.expr.clone();
            return Ok(Typed::new(
                udf(kernel, vec![shifted, size.expr]) + at.expr,
                ty,
            ));
        }
        // Integers in i128: `x - at` may pass Int64 where the bin does not (functions/convert.rs).
        let kernel = if ty == KqlType::DateTime {
            Udf::BinAtDatetime
        } else {
            Udf::BinAt
        };
        let long = |e: Expr| cast(e, DataType::Int64);
        Ok(Typed::new(
            udf(kernel, vec![long(x.expr), long(size.expr), long(at.expr)]),
            ty,
        ))
    }
}

/// `unknown function`, with the closest name kqlite knows.
fn unknown_function(c: &Call) -> kql_common::Diagnostic {
    let name = c.name.name.as_str();
    let d = kql_common::Diagnostic::error(
        codes::UNKNOWN_FUNCTION,
        format!("unknown function `{name}`"),
        c.name.span,
    );
    match did_you_mean(name, registry::names()) {
        Some(best) => d.with_help(format!("did you mean `{best}`?")),
        None => d,
    }
}
