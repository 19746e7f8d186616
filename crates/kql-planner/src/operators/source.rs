//! Operators that make rows from nothing: `print`, `range`, `datatable`; and `render`, which keeps
//! a visualization request beside the result.

use super::project_columns;
use crate::diag::{R, err, internal};
use crate::expr::{ExprCx, Typed, column};
use crate::planner::{KqlToRel, Scope, Tab};
use crate::range_node::RangeNode;
use crate::render::RenderSpec;
use crate::schema::KqlSchema;
use crate::types::KqlArrow;
use crate::types::KqlType;
use datafusion_common::arrow::datatypes::DataType;
use datafusion_expr::{Expr, LogicalPlanBuilder, cast, lit, when};
use kql_common::codes;
use kql_parser::ast::{self, ClosedSet as _};

/// Whether constant `e` is negative, or `None` when `e` is not a constant number.
fn constant_sign(e: &Expr) -> Option<bool> {
    use datafusion_common::ScalarValue as S;
    match e {
        Expr::Literal(S::Int64(Some(n)), _) => Some(*n < 0),
        Expr::Literal(S::Int32(Some(n)), _) => Some(*n < 0),
        Expr::Literal(S::Float64(Some(n)), _) => Some(*n < 0.0),
        Expr::Negative(inner) => constant_sign(inner).map(|negative| !negative),
        Expr::Cast(c) => constant_sign(&c.expr),
        _ => None,
    }
}

/// Whether constant `e` is zero (a `range` step that never reaches its stop).
fn constant_zero(e: &Expr) -> bool {
    use datafusion_common::ScalarValue as S;
    match e {
        Expr::Literal(S::Int64(Some(n)), _) => *n == 0,
        Expr::Literal(S::Int32(Some(n)), _) => *n == 0,
        Expr::Literal(S::Float64(Some(n)), _) => *n == 0.0,
        Expr::Negative(inner) => constant_zero(inner),
        Expr::Cast(c) => constant_zero(&c.expr),
        _ => false,
    }
}

impl KqlToRel<'_> {
    fn one_row(&self, span: kql_common::Span) -> R<Tab> {
        let plan = LogicalPlanBuilder::empty(true)
            .build()
            .map_err(|e| internal(e, span))?;
        Ok(Tab::new(plan, KqlSchema::default()))
    }

    /// `print name = expr, ...`: one row; unnamed columns are `print_0`, `print_1`, ...
    /// <https://learn.microsoft.com/kusto/query/print-operator>
    pub(crate) fn print_to_plan(&self, p: &ast::Print, scope: &Scope) -> R<Tab> {
        let base = self.one_row(p.span)?;
        let cx = ExprCx {
            schema: &base.schema,
            scope,
            aggs: None,
        };
        let mut cols = Vec::new();
        for (i, c) in p.columns.iter().enumerate() {
            let t = self.scalar(&c.expr, &cx)?;
            let name = c
                .names
                .first()
                .map_or(format!("print_{i}"), |n| n.name.clone());
            cols.push((name, t));
        }
        project_columns(&base, cols, p.span)
    }

    /// `range x from a to b step s`: inclusive of `b`; numbers, datetimes (timespan step) or
    /// timespans.
    /// <https://learn.microsoft.com/kusto/query/range-operator>
    pub(crate) fn range_to_plan(&self, r: &ast::Range, scope: &Scope) -> R<Tab> {
        let base = self.one_row(r.span)?;
        let cx = ExprCx {
            schema: &base.schema,
            scope,
            aggs: None,
        };
        let from = self.scalar(&r.from, &cx)?;
        let to = self.scalar(&r.to, &cx)?;
        let step = self.scalar(&r.step, &cx)?;
        let ok = match (from.ty, step.ty) {
            (KqlType::DateTime | KqlType::Timespan, KqlType::Timespan) => to.ty == from.ty,
            (a, b) => a.is_numeric() && b.is_numeric() && to.ty.is_numeric(),
        };
        if !ok {
            return err(
                codes::TYPE_MISMATCH,
                format!(
                    "`range` cannot go from {} to {} in steps of {}",
                    from.ty, to.ty, step.ty
                ),
                r.span,
            );
        }
        let ty = if from.ty.is_numeric() {
            if [from.ty, to.ty, step.ty].contains(&KqlType::Real) {
                KqlType::Real
            } else {
                KqlType::Long
            }
        } else {
            from.ty
        };
        if constant_zero(&step.expr) {
            return err(
                codes::INVALID_VALUE,
                "the step of `range` is 0, so the range has no end",
                r.step.span(),
            );
        }
        let numeric = if ty == KqlType::Real {
            DataType::Float64
        } else {
            DataType::Int64
        };
        let bound = |e: &Expr| cast(e.clone(), numeric.clone());
        // Made as a stream when the query runs (kql-engine's RangeExec), a batch at a time.
        let name = r.column.name.clone();
        let plan = RangeNode::try_new(
            &name,
            ty,
            bound(&from.expr),
            bound(&to.expr),
            bound(&step.expr),
        )
        .map_err(|e| internal(e, r.span))?
        .into_plan();
        let step_sign = constant_sign(&step.expr);
        let negative_step = bound(&step.expr).lt(cast(lit(0i64), numeric.clone()));
        let out = Tab::new(plan, KqlSchema::new([(name.clone(), ty)]));
        // The output is serialized (range-operator page): sorted by value, ascending, or
        // descending for a negative step. A sort is what DataFusion keeps to the result when it
        // spreads rows over cores, and `row_number()` and `make_list` follow these keys. The
        // engine's range operator declares this order when the step's sign is known before the
        // rows are made, and DataFusion then drops the sort (so `| take 5` stops at once).
        let order = match step_sign {
            Some(negative) => column(&name).sort(!negative, false),
            // A step known only when the query runs: the key is the value, negated if it is.
            None => {
                let number = cast(column(&name), numeric);
                when(negative_step, -number.clone())
                    .otherwise(number)
                    .map_err(|e| internal(e, r.span))?
                    .sort(true, false)
            }
        };
        let plan = LogicalPlanBuilder::from(out.plan)
            .sort(vec![order.clone()])
            .and_then(|b| b.build())
            .map_err(|e| internal(e, r.span))?;
        Ok(Tab {
            plan,
            schema: out.schema,
            order: Some(vec![order]),
        })
    }

    /// `datatable (col:type, ...) [values]`: constant rows.
    /// <https://learn.microsoft.com/kusto/query/datatable-operator>
    pub(crate) fn datatable_to_plan(&self, d: &ast::Datatable, scope: &Scope) -> R<Tab> {
        let cols: Vec<(String, KqlType)> = d
            .schema
            .columns
            .iter()
            .map(|c| {
                (
                    c.name.name.clone(),
                    c.ty.as_ref().map_or(KqlType::String, |t| t.ty),
                )
            })
            .collect();
        if cols.is_empty() {
            return err(
                codes::WRONG_KIND,
                "`datatable` needs at least one column",
                d.span,
            );
        }
        if !d.values.len().is_multiple_of(cols.len()) {
            return err(
                codes::ARGUMENT_COUNT,
                format!(
                    "`datatable` has {} columns but {} values, which is not a whole number of rows",
                    cols.len(),
                    d.values.len()
                ),
                d.span,
            );
        }
        let base = self.one_row(d.span)?;
        let cx = ExprCx {
            schema: &base.schema,
            scope,
            aggs: None,
        };
        let mut rows = Vec::new();
        for chunk in d.values.chunks(cols.len()) {
            let mut row = Vec::new();
            for (v, (name, ty)) in chunk.iter().zip(&cols) {
                let t = self.scalar(v, &cx)?;
                row.push(self.coerce_literal(t, *ty, name, v.span())?);
            }
            rows.push(row);
        }
        let schema = KqlSchema::new(cols.clone());
        let plan = if rows.is_empty() {
            let empty = LogicalPlanBuilder::empty(false)
                .build()
                .map_err(|e| internal(e, d.span))?;
            let nulls = cols
                .iter()
                .map(|(n, ty)| crate::expr::null_of(*ty).alias(n))
                .collect::<Vec<_>>();
            LogicalPlanBuilder::from(empty)
                .project(nulls)
                .and_then(|b| b.build())
                .map_err(|e| internal(e, d.span))?
        } else {
            let values = LogicalPlanBuilder::values(rows)
                .and_then(|b| b.build())
                .map_err(|e| internal(e, d.span))?;
            let renamed = cols
                .iter()
                .enumerate()
                .map(|(i, (n, ty))| cast(column(&format!("column{}", i + 1)), ty.arrow()).alias(n))
                .collect::<Vec<_>>();
            LogicalPlanBuilder::from(values)
                .project(renamed)
                .and_then(|b| b.build())
                .map_err(|e| internal(e, d.span))?
        };
        Ok(Tab::new(plan, schema))
    }

    /// Converts a value for a column of type `ty` (datatable cells, typed parameters).
    fn coerce_literal(
        &self,
        t: Typed,
        ty: KqlType,
        column_name: &str,
        span: kql_common::Span,
    ) -> R<Expr> {
        if t.ty == ty || matches!(&t.expr, Expr::Literal(v, _) if v.is_null()) {
            return Ok(cast(t.expr, ty.arrow()));
        }
        Ok(match (t.ty, ty) {
            (a, b) if a.is_numeric() && b.is_numeric() => cast(t.expr, b.arrow()),
            (_, KqlType::Dynamic) => crate::expr::to_dynamic_expr(t),
            (KqlType::String, KqlType::Guid) => t.expr,
            (a, b) => {
                return err(
                    codes::TYPE_MISMATCH,
                    format!("column `{column_name}` is {b} but the value is {a}"),
                    span,
                );
            }
        })
    }

    /// The `render` request: the visualization, and the properties as text (a string's
    /// contents, a keyword, or an expression as written).
    /// <https://learn.microsoft.com/kusto/query/render-operator>
    pub(crate) fn render_spec(&self, r: &ast::Render) -> R<RenderSpec> {
        let properties = r
            .legacy
            .iter()
            .chain(&r.with)
            .map(|p| {
                let value = match &p.value {
                    ast::OptionValue::Value(ast::Expr::Literal(ast::Literal {
                        value: ast::LiteralValue::String(s),
                        ..
                    })) => s.clone(),
                    other => other.to_string(),
                };
                (p.name.value.as_str().to_owned(), value)
            })
            .collect();
        Ok(RenderSpec {
            visualization: r.chart.value,
            properties,
        })
    }
}
