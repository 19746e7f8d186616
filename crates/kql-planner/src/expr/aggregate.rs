//! Aggregate functions inside `summarize`. Each call becomes a DataFusion aggregate with a hidden
//! name, collected in [`AggCollector`]; the summarize operator aggregates them and then projects
//! the final expressions (so `round(avg(x), 2)` and `count() * 2` work).
//! <https://learn.microsoft.com/kusto/query/aggregation-functions>

use super::binary::from_dynamic;
use super::registry::{Aggregate as F, FunctionDef, Kind};
use super::{ExprCx, Typed, column};
use crate::diag::{R, err, not_supported};
use crate::functions::{Udf, call as udf};
use crate::planner::KqlToRel;
use crate::types::KqlArrow;
use crate::types::KqlType;
use datafusion_common::ScalarValue;
use datafusion_common::arrow::datatypes::DataType;
use datafusion_expr::{Expr, ExprFunctionExt, cast, lit, try_cast};
use datafusion_functions::core::expr_fn::coalesce;
use datafusion_functions_aggregate::expr_fn as agg;
use kql_common::codes;
use kql_parser::ast::Call;

/// Strings are never null: an aggregate of strings over no values is "".
fn never_null_string(e: Expr, ty: KqlType) -> Typed {
    if ty == KqlType::String {
        Typed::new(coalesce(vec![e, lit("")]), ty)
    } else {
        Typed::new(e, ty)
    }
}

/// NaN as null, so `min`/`max` (and `arg_max`/`arg_min`) of reals skip NaN as they skip nulls
/// (kqlite's decision: the sort page groups NaN with nulls; DataFusion's grouped min/max gave
/// order-dependent answers).
pub(crate) fn nan_as_null(x: Expr) -> datafusion_common::Result<Expr> {
    datafusion_expr::when(
        datafusion_functions::math::expr_fn::isnan(x.clone()),
        lit(ScalarValue::Float64(None)),
    )
    .otherwise(x)
}

/// Aggregates found while planning one `summarize`.
#[derive(Default)]
pub(crate) struct AggCollector {
    /// `(hidden name, aggregate expression)` in order.
    pub aggs: Vec<(String, Expr)>,
    /// Whether the summarize has no `by`: one row even for empty input, with Kusto's defaults.
    pub no_by: bool,
    /// The input's row order (after `sort`), which `make_list` follows.
    pub order: Option<Vec<datafusion_expr::SortExpr>>,
}

impl AggCollector {
    fn add(&mut self, e: Expr) -> String {
        let name = format!("__kql_agg_{}", self.aggs.len());
        self.aggs.push((name.clone(), e));
        name
    }
}

impl KqlToRel<'_> {
    pub(crate) fn aggregate_call(
        &self,
        c: &Call,
        cx: &ExprCx,
        def: &FunctionDef,
        func: F,
    ) -> R<Typed> {
        let name = c.name.name.as_str();
        let Some(collector) = cx.aggs else {
            return err(
                codes::AGGREGATE_CONTEXT,
                format!("`{name}()` is an aggregate function; use it in `summarize`"),
                c.span,
            );
        };
        if def.kind == Kind::AggregateColumns {
            return err(
                codes::AGGREGATE_CONTEXT,
                format!("`{name}()` produces several columns and must stand alone in `summarize`"),
                c.span,
            );
        }
        self.arity(c, def.min, def.max)?;
        // Arguments are row expressions: no aggregates inside aggregates.
        let row_cx = ExprCx {
            schema: cx.schema,
            scope: cx.scope,
            aggs: None,
        };
        let args: Vec<Typed> = c
            .args
            .iter()
            .map(|a| match &a.value {
                kql_parser::ast::Expr::Star(_) => Ok(Typed::new(lit(1i64), KqlType::Long)),
                v => self.scalar(v, &row_cx),
            })
            .collect::<R<_>>()?;
        let arg = |i: usize| args.get(i).cloned();
        let need = |i: usize| {
            arg(i).ok_or_else(|| {
                kql_common::Diagnostic::error(
                    codes::ARGUMENT_COUNT,
                    format!("`{name}` needs more arguments"),
                    c.span,
                )
            })
        };
        let pred = |i: usize| -> R<Expr> {
            let p = from_dynamic(need(i)?, KqlType::Bool);
            if p.ty != KqlType::Bool {
                return err(
                    codes::ARGUMENT_TYPE,
                    format!("the condition of `{name}` must be a bool, not {}", p.ty),
                    c.span,
                );
            }
            Ok(p.expr)
        };
        let numeric = |t: Typed| -> R<Typed> {
            let t = from_dynamic(t, KqlType::Real);
            if t.ty.is_numeric() || t.ty == KqlType::Timespan {
                Ok(t)
            } else {
                err(
                    codes::ARGUMENT_TYPE,
                    format!("`{name}` needs a number, not {}", t.ty),
                    c.span,
                )
            }
        };
        let build = |b: datafusion_expr::expr_fn::ExprFuncBuilder| {
            b.build().map_err(|e| crate::diag::internal(e, c.span))
        };
        let no_by = collector.borrow().no_by;
        let zero_default = |e: Expr, zero: Expr| if no_by { coalesce(vec![e, zero]) } else { e };
        let (aggregate, post): (Expr, Box<dyn Fn(Expr) -> Typed>) = match func {
            F::Count => {
                // `count()` counts rows; the summarize page shows `count(y)` counting null values
                // too, so an argument changes nothing.
                (
                    agg::count(lit(1i64)),
                    Box::new(|e| Typed::new(e, KqlType::Long)),
                )
            }
            F::Sum | F::Sumif => {
                let x = numeric(need(0)?)?;
                let ty = match x.ty {
                    KqlType::Int | KqlType::Long => KqlType::Long,
                    other => other,
                };
                // Longs and timespans are summed as 128-bit decimals, which no Int64 inputs
                // overflow, so a total past Int64 is null (as overflowing arithmetic is), not
                // DataFusion's wrapped Int64 sum.
                let wide = matches!(ty, KqlType::Long | KqlType::Timespan);
                let total = DataType::Decimal128(38, 0);
                let base = agg::sum(if wide {
                    cast(x.expr, total.clone())
                } else {
                    x.expr
                });
                let e = if func == F::Sumif {
                    build(base.filter(pred(1)?))?
                } else {
                    base
                };
                let zero = match ty {
                    KqlType::Real => lit(0.0f64),
                    _ if wide => lit(ScalarValue::Decimal128(Some(0), 38, 0)),
                    _ => lit(0i64),
                };
                let cast_to = ty.arrow();
                // The default of `sum` and `sumif` is 0, also in a group where no row counts.
                (
                    e,
                    Box::new(move |e| {
                        let sum = coalesce(vec![e, zero.clone()]);
                        let e = if wide {
                            try_cast(sum, cast_to.clone())
                        } else {
                            cast(sum, cast_to.clone())
                        };
                        Typed::new(e, ty)
                    }),
                )
            }
            F::Min | F::Max | F::Minif | F::Maxif => {
                let x = need(0)?;
                let ty = x.ty;
                let x = if ty == KqlType::Real {
                    nan_as_null(x.expr).map_err(|e| crate::diag::internal(e, c.span))?
                } else {
                    x.expr
                };
                let base = if matches!(func, F::Min | F::Minif) {
                    agg::min(x)
                } else {
                    agg::max(x)
                };
                let e = if matches!(func, F::Minif | F::Maxif) {
                    build(base.filter(pred(1)?))?
                } else {
                    base
                };
                (e, Box::new(move |e| never_null_string(e, ty)))
            }
            F::TakeAny | F::TakeAnyif => {
                let x = need(0)?;
                let ty = x.ty;
                let base = agg::any_value(x.expr);
                let e = if func == F::TakeAnyif {
                    build(base.filter(pred(1)?))?
                } else {
                    base
                };
                (e, Box::new(move |e| never_null_string(e, ty)))
            }
            F::MakeList | F::MakeSet | F::MakeListIf | F::MakeSetIf => {
                let is_if = matches!(func, F::MakeListIf | F::MakeSetIf);
                let set = matches!(func, F::MakeSet | F::MakeSetIf);
                let x = need(0)?;
                let ty = x.ty;
                let not_null = x.expr.clone().is_not_null();
                let filter = if is_if {
                    not_null.and(pred(1)?)
                } else {
                    not_null
                };
                let mut b = agg::array_agg(x.expr).filter(filter);
                if set {
                    b = b.distinct();
                } else if let Some(order) =
                    collector.borrow().order.clone().filter(|o| !o.is_empty())
                {
                    // Sorted input: the list follows that order.
                    b = b.order_by(order);
                }
                let e = build(b)?;
                let max_arg = if is_if { 2 } else { 1 };
                let max = match arg(max_arg) {
                    Some(m) => Some(cast(m.expr, DataType::Int64)),
                    None => None,
                };
                let flatten = set && ty == KqlType::Dynamic;
                (
                    e,
                    Box::new(move |e| {
                        let mut json = udf(Udf::ToJson, vec![e, lit(ty.name())]);
                        if flatten {
                            // A set of arrays is the set of their elements.
                            json = udf(Udf::SetFlatten, vec![json]);
                        }
                        if let Some(m) = &max {
                            json = udf(
                                Udf::ArraySlice,
                                vec![json, lit(0i64), m.clone() - lit(1i64)],
                            );
                        }
                        Typed::new(coalesce(vec![json, lit("[]")]), KqlType::Dynamic)
                    }),
                )
            }
            F::MakeBag | F::MakeBagIf => {
                let x = need(0)?;
                if x.ty != KqlType::Dynamic {
                    return err(
                        codes::ARGUMENT_TYPE,
                        format!("`{name}` needs dynamic property bags, not {}", x.ty),
                        c.span,
                    );
                }
                let mut filter = x.expr.clone().is_not_null();
                if func == F::MakeBagIf {
                    filter = filter.and(pred(1)?);
                }
                let e = build(agg::array_agg(x.expr).filter(filter))?;
                (
                    e,
                    Box::new(move |e| {
                        let bag = udf(
                            Udf::MergeBags,
                            vec![udf(Udf::ToJson, vec![e, lit("dynamic")])],
                        );
                        // The summarize page lists [] as make_bag's value for an empty input.
                        let empty = if no_by { "[]" } else { "{}" };
                        Typed::new(coalesce(vec![bag, lit(empty)]), KqlType::Dynamic)
                    }),
                )
            }
            F::Countif => (
                build(agg::count(lit(1i64)).filter(pred(0)?))?,
                Box::new(|e| Typed::new(e, KqlType::Long)),
            ),
            F::Dcount | F::CountDistinct => (
                agg::count_distinct(need(0)?.expr),
                Box::new(|e| Typed::new(e, KqlType::Long)),
            ),
            F::Dcountif => (
                build(agg::count(need(0)?.expr).distinct().filter(pred(1)?))?,
                Box::new(|e| Typed::new(e, KqlType::Long)),
            ),
            F::Avg | F::Avgif => {
                let x = numeric(need(0)?)?;
                let ty = x.ty;
                let base = agg::avg(cast(x.expr, DataType::Float64));
                let e = if func == F::Avgif {
                    build(base.filter(pred(1)?))?
                } else {
                    base
                };
                let post: Box<dyn Fn(Expr) -> Typed> = if ty == KqlType::Timespan {
                    Box::new(|e| Typed::new(cast(e, DataType::Int64), KqlType::Timespan))
                } else {
                    Box::new(|e| Typed::new(e, KqlType::Real))
                };
                (e, post)
            }
            F::Stdev | F::Stdevp | F::Variance | F::Variancep | F::Stdevif | F::Varianceif => {
                let x = numeric(need(0)?)?;
                let v = cast(x.expr, DataType::Float64);
                let base = match func {
                    F::Stdev | F::Stdevif => agg::stddev(v),
                    F::Stdevp => agg::stddev_pop(v),
                    F::Variancep => agg::var_pop(v),
                    _ => agg::var_sample(v),
                };
                let e = if matches!(func, F::Stdevif | F::Varianceif) {
                    build(base.filter(pred(1)?))?
                } else {
                    base
                };
                (
                    e,
                    Box::new(move |e| Typed::new(zero_default(e, lit(0.0f64)), KqlType::Real)),
                )
            }
            F::Percentile => {
                let x = numeric(need(0)?)?;
                let p = from_dynamic(need(1)?, KqlType::Real);
                if !p.ty.is_numeric() {
                    return err(
                        codes::ARGUMENT_TYPE,
                        format!("the percentile of `{name}` must be a number, not {}", p.ty),
                        c.span,
                    );
                }
                let ty = x.ty;
                let not_null = x.expr.clone().is_not_null();
                let e = build(agg::array_agg(x.expr).filter(not_null))?;
                let p = p.expr;
                (
                    e,
                    Box::new(move |e| {
                        let values = udf(Udf::ToJson, vec![e, lit(ty.name())]);
                        let raw = Typed::new(
                            udf(Udf::Percentile, vec![values, p.clone()]),
                            KqlType::Dynamic,
                        );
                        from_dynamic(
                            raw,
                            if ty == KqlType::Timespan {
                                KqlType::Long
                            } else {
                                ty
                            },
                        )
                        .retyped(ty)
                    }),
                )
            }
            // Planned by `summarize` itself, where they stand alone (checked above).
            F::ArgMax | F::ArgMin | F::Percentiles => {
                return not_supported(&format!("aggregate `{name}` here"), c.span);
            }
        };
        let hidden = collector.borrow_mut().add(aggregate);
        Ok(post(column(&hidden)))
    }
}

impl Typed {
    /// The same expression under another Kusto type of the same storage.
    pub(crate) fn retyped(self, ty: KqlType) -> Typed {
        let expr = if self.ty.arrow() == ty.arrow() {
            self.expr
        } else {
            cast(self.expr, ty.arrow())
        };
        Typed::new(expr, ty)
    }
}
