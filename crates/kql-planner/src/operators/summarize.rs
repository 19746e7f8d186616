//! `summarize` and `distinct`. Output: the `by` columns first, then the aggregates, named by
//! Kusto's rules (`count_`, `sum_X`, `list_X`, `percentile_X_95`; a `bin(T, 1h)` key keeps `T`).
//! <https://learn.microsoft.com/kusto/query/summarize-operator>

use super::project_columns;
use crate::diag::{R, err, internal, not_supported};
use crate::expr::registry::{self, Aggregate as F, Dispatch};
use crate::expr::{AggCollector, ExprCx, Typed, column, nan_as_null};
use crate::naming::{derived_name, derived_name_with, unique};
use crate::planner::{KqlToRel, Scope, Tab};
use crate::schema::KqlSchema;
use datafusion_expr::{Expr, ExprFunctionExt};
use datafusion_functions_aggregate::first_last::first_value_udaf;
use kql_common::codes;
use kql_parser::ast::{self, NamedExpr};
use std::cell::RefCell;

/// The prefix Kusto uses for an aggregate's default column name.
fn default_prefix(func: &str) -> &str {
    match func {
        "make_list" | "make_list_if" => "list",
        "make_set" | "make_set_if" => "set",
        "make_bag" => "bag",
        "take_any" | "any" | "take_anyif" => "any",
        other => other,
    }
}

/// The default name of an unnamed aggregation (`count_`, `sum_X`, `percentile_X_95`).
fn aggregate_name(e: &ast::Expr) -> Option<String> {
    let ast::Expr::Call(c) = e else { return None };
    // Legacy names (`makeset`) are named as the function they stand for (`set_X`).
    let func = crate::expr::registry::lookup(&c.name.name).map_or(c.name.name.as_str(), |f| f.name);
    let prefix = default_prefix(func);
    let col = match func {
        "count" | "countif" => c
            .args
            .first()
            .filter(|_| func == "count")
            .and_then(|a| derived_name(&a.value))
            .unwrap_or_default(),
        _ => c
            .args
            .first()
            .and_then(|a| derived_name(&a.value))
            .unwrap_or_default(),
    };
    if func == "percentile" {
        let p = c
            .args
            .get(1)
            .map(|a| a.value.to_string().replace('.', "_"))
            .unwrap_or_default();
        return Some(format!("percentile_{col}_{p}"));
    }
    Some(format!("{prefix}_{col}"))
}

impl KqlToRel<'_> {
    /// `summarize aggregations by keys`.
    pub(crate) fn summarize_to_plan(
        &self,
        input: Tab,
        s: &ast::Summarize,
        scope: &Scope,
    ) -> R<Tab> {
        let collector = RefCell::new(AggCollector {
            no_by: s.by.is_none(),
            order: input.order.clone(),
            ..AggCollector::default()
        });
        let row_cx = ExprCx {
            schema: &input.schema,
            scope,
            aggs: None,
        };
        let mut group = Vec::new();
        let mut out: Vec<(String, Typed)> = Vec::new();
        let mut unnamed = 0;
        let next_column = |unnamed: &mut i32| {
            *unnamed += 1;
            format!("Column{unnamed}")
        };
        for (i, k) in s.by.iter().flatten().enumerate() {
            if k.names.len() > 1 {
                return not_supported("several names for one `by` key", k.span);
            }
            let t = self.scalar(&k.expr, &row_cx)?;
            let hidden = format!("__kql_key_{i}");
            group.push(t.expr.alias(&hidden));
            let name = match k.names.first() {
                Some(n) => n.name.clone(),
                None => {
                    derived_name_with(&k.expr, true).unwrap_or_else(|| next_column(&mut unnamed))
                }
            };
            let taken: Vec<String> = out.iter().map(|(n, _)| n.clone()).collect();
            out.push((unique(&name, &taken), Typed::new(column(&hidden), t.ty)));
        }
        let keys = out.clone();
        for a in &s.aggregates {
            if let ast::Expr::Call(c) = &a.expr {
                let func = registry::lookup(&c.name.name).map(|d| d.function);
                match func {
                    Some(Dispatch::Aggregate(F::TakeAny))
                        if c.args.len() > 1
                            || matches!(
                                c.args.first().map(|a| &a.value),
                                Some(ast::Expr::Star(_))
                            ) =>
                    {
                        self.arg_extreme(&input, c, a, &keys, &collector, scope, &mut out)?;
                        continue;
                    }
                    Some(Dispatch::Aggregate(F::ArgMax | F::ArgMin)) => {
                        self.arg_extreme(&input, c, a, &keys, &collector, scope, &mut out)?;
                        continue;
                    }
                    Some(Dispatch::Aggregate(F::Percentiles)) => {
                        self.percentiles(c, a, &input, scope, &collector, &mut out)?;
                        continue;
                    }
                    _ => {}
                }
            }
            let cx = ExprCx {
                schema: &input.schema,
                scope,
                aggs: Some(&collector),
            };
            let before = collector.borrow().aggs.len();
            let t = self.scalar(&a.expr, &cx)?;
            if collector.borrow().aggs.len() == before {
                return err(
                    codes::AGGREGATE_CONTEXT,
                    "a `summarize` column needs an aggregate function such as count() or sum()",
                    a.expr.span(),
                )
                .map_err(|d| d.with_help("to group by this expression, put it after `by`"));
            }
            let name = match a.names.first() {
                Some(n) => n.name.clone(),
                None => aggregate_name(&a.expr).unwrap_or_else(|| next_column(&mut unnamed)),
            };
            let taken: Vec<String> = out.iter().map(|(n, _)| n.clone()).collect();
            out.push((unique(&name, &taken), t));
        }
        let aggs: Vec<Expr> = collector
            .into_inner()
            .aggs
            .into_iter()
            .map(|(n, e)| e.alias(n))
            .collect();
        let plan = input
            .builder()
            .aggregate(group, aggs)
            .and_then(|b| b.build())
            .map_err(|e| internal(e, s.span))?;
        project_columns(&Tab::new(plan, KqlSchema::default()), out, s.span)
    }

    /// `arg_max(ExprToMaximize, * | col, ...)` / `arg_min`: the columns of the row with the
    /// largest (smallest) value, taken together from one row.
    #[allow(clippy::too_many_arguments)]
    fn arg_extreme(
        &self,
        input: &Tab,
        c: &ast::Call,
        a: &NamedExpr,
        keys: &[(String, Typed)],
        collector: &RefCell<AggCollector>,
        scope: &Scope,
        out: &mut Vec<(String, Typed)>,
    ) -> R<()> {
        let row_cx = ExprCx {
            schema: &input.schema,
            scope,
            aggs: None,
        };
        let func = registry::lookup(&c.name.name).map(|d| d.function);
        let is = |f: F| func == Some(Dispatch::Aggregate(f));
        let extreme = is(F::ArgMax) || is(F::ArgMin);
        let Some(first) = c.args.first() else {
            return err(
                codes::ARGUMENT_COUNT,
                format!("`{}` needs an argument", c.name.name),
                c.span,
            );
        };
        // arg_max/arg_min: the first argument is maximized and comes first in the output;
        // take_any(a, b) / take_any(*): every argument is a column taken from one row.
        let (target, mut cols, rest) = if extreme {
            let target = self.scalar(&first.value, &row_cx)?;
            let target_name = match a.names.first() {
                Some(n) => n.name.clone(),
                None => derived_name(&first.value)
                    .unwrap_or_else(|| format!("{}_", c.name.name.replace("arg_", ""))),
            };
            (
                Some(target.clone()),
                vec![(target_name, target)],
                &c.args[1..],
            )
        } else {
            (None, Vec::new(), &c.args[..])
        };
        let target_name = cols.first().map(|(n, _)| n.clone()).unwrap_or_default();
        let key_names: Vec<&str> = keys.iter().map(|(n, _)| n.as_str()).collect();
        for arg in rest {
            match &arg.value {
                ast::Expr::Star(_) => {
                    for f in &input.schema.fields {
                        if f.name != target_name
                            && !key_names.contains(&f.name.as_str())
                            && !cols.iter().any(|(n, _)| *n == f.name)
                        {
                            cols.push((f.name.clone(), Typed::new(column(&f.name), f.ty)));
                        }
                    }
                }
                other => {
                    let t = self.scalar(other, &row_cx)?;
                    let name = arg
                        .name
                        .as_ref()
                        .map(|n| n.name.clone())
                        .or_else(|| derived_name(other))
                        .unwrap_or_else(|| format!("Column{}", cols.len()));
                    cols.push((name, t));
                }
            }
        }
        // NaN ranks with the nulls, as in `max`/`min`: arg_max(r) picks the row of max(r).
        let key = |t: &Typed| -> R<Expr> {
            if t.ty == crate::types::KqlType::Real {
                nan_as_null(t.expr.clone()).map_err(|e| internal(e, c.span))
            } else {
                Ok(t.expr.clone())
            }
        };
        let order: Vec<datafusion_expr::SortExpr> = match &target {
            Some(t) if is(F::ArgMax) => vec![key(t)?.sort(false, false)],
            Some(t) => vec![key(t)?.sort(true, false)],
            None => Vec::new(),
        };
        // One `first_value(col ORDER BY target NULLS LAST)` per output column: a row with a value
        // wins over nulls, and when every target is null some row is still picked (arg-min page).
        for (name, t) in cols {
            let base = first_value_udaf().call(vec![t.expr.clone()]);
            let agg = if order.is_empty() {
                Ok(base)
            } else {
                base.order_by(order.clone()).build()
            };
            let agg = agg.map_err(|e| internal(e, c.span))?;
            let hidden = {
                let mut col = collector.borrow_mut();
                let hidden = format!("__kql_agg_{}", col.aggs.len());
                col.aggs.push((hidden.clone(), agg));
                hidden
            };
            let taken: Vec<String> = out.iter().map(|(n, _)| n.clone()).collect();
            out.push((unique(&name, &taken), Typed::new(column(&hidden), t.ty)));
        }
        Ok(())
    }

    /// `percentiles(x, p1, p2, ...)`: one column per percentile, `percentile_x_p1`, ...
    fn percentiles(
        &self,
        c: &ast::Call,
        a: &NamedExpr,
        input: &Tab,
        scope: &Scope,
        collector: &RefCell<AggCollector>,
        out: &mut Vec<(String, Typed)>,
    ) -> R<()> {
        if c.args.len() < 2 {
            return err(
                codes::ARGUMENT_COUNT,
                "`percentiles` needs a value and at least one percentile",
                c.span,
            );
        }
        let col = c
            .args
            .first()
            .and_then(|x| derived_name(&x.value))
            .unwrap_or_default();
        for (i, p) in c.args[1..].iter().enumerate() {
            let single = ast::Call {
                receiver: None,
                name: ast::Ident::new("percentile", c.name.span),
                args: vec![c.args[0].clone(), p.clone()],
                span: c.span,
            };
            let cx = ExprCx {
                schema: &input.schema,
                scope,
                aggs: Some(collector),
            };
            let t = self.call(&single, &cx)?;
            let name = match a.names.get(i) {
                Some(n) => n.name.clone(),
                None => format!("percentile_{col}_{}", p.value.to_string().replace('.', "_")),
            };
            let taken: Vec<String> = out.iter().map(|(n, _)| n.clone()).collect();
            out.push((unique(&name, &taken), t));
        }
        Ok(())
    }

    /// `distinct col, ...` / `distinct *`.
    /// <https://learn.microsoft.com/kusto/query/distinct-operator>
    pub(crate) fn distinct_to_plan(&self, input: Tab, d: &ast::Distinct, scope: &Scope) -> R<Tab> {
        let star = matches!(d.columns.as_slice(), [c] if matches!(c.expr, ast::Expr::Star(_)));
        let by: Vec<NamedExpr> = if star {
            input
                .schema
                .fields
                .iter()
                .map(|f| NamedExpr {
                    names: vec![],
                    tuple: false,
                    expr: ast::Expr::Name(ast::Ident::new(f.name.clone(), d.span)),
                    span: d.span,
                })
                .collect()
        } else {
            d.columns.clone()
        };
        let s = ast::Summarize {
            options: vec![],
            aggregates: vec![],
            by: Some(by),
            span: d.span,
        };
        self.summarize_to_plan(input, &s, scope)
    }
}
