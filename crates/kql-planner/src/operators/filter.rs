//! `where`, `take`/`limit`, `count`, `serialize`, `getschema`.

use super::project_columns;
use crate::diag::{R, err, internal};
use crate::expr::{ExprCx, Typed, column};
use crate::planner::{KqlToRel, Scope, Tab};
use crate::schema::KqlSchema;
use crate::types::KqlType;
use datafusion_common::ScalarValue;
use datafusion_expr::{LogicalPlanBuilder, lit};
use datafusion_functions_aggregate::expr_fn::count;
use kql_common::{Span, codes};
use kql_parser::ast;

impl KqlToRel<'_> {
    /// `where predicate`: keeps rows where the predicate is true (null counts as false).
    /// <https://learn.microsoft.com/kusto/query/where-operator>
    pub(crate) fn where_to_plan(&self, input: Tab, w: &ast::Where, scope: &Scope) -> R<Tab> {
        let cx = ExprCx {
            schema: &input.schema,
            scope,
            aggs: None,
        };
        let p = self.scalar(&w.predicate, &cx)?;
        let p = crate::expr::from_dynamic(p, KqlType::Bool);
        if p.ty != KqlType::Bool {
            return err(
                codes::TYPE_MISMATCH,
                format!("the `where` predicate must be a bool, not {}", p.ty),
                w.predicate.span(),
            );
        }
        let plan = input
            .builder()
            .filter(p.expr)
            .and_then(|b| b.build())
            .map_err(|e| internal(e, w.span))?;
        Ok(Tab { plan, ..input })
    }

    /// `take N` / `limit N`.
    /// <https://learn.microsoft.com/kusto/query/take-operator>
    pub(crate) fn take_to_plan(&self, input: Tab, n: &ast::Expr, scope: &Scope) -> R<Tab> {
        let limit = self.constant_count(n, scope)?;
        let plan = input
            .builder()
            .limit(0, Some(limit))
            .and_then(|b| b.build())
            .map_err(|e| internal(e, n.span()))?;
        Ok(Tab { plan, ..input })
    }

    /// A non-negative constant row count (`take 10`, `top 5`).
    pub(crate) fn constant_count(&self, n: &ast::Expr, scope: &Scope) -> R<usize> {
        let empty = KqlSchema::default();
        let t = self.scalar(
            n,
            &ExprCx {
                schema: &empty,
                scope,
                aggs: None,
            },
        )?;
        let value = match &t.expr {
            datafusion_expr::Expr::Literal(v, _) => v.clone(),
            _ => ScalarValue::Null,
        };
        match value.cast_to(&datafusion_common::arrow::datatypes::DataType::Int64) {
            Ok(ScalarValue::Int64(Some(v))) if v >= 0 => {
                Ok(usize::try_from(v).unwrap_or(usize::MAX))
            }
            _ => err(
                codes::ARGUMENT_TYPE,
                "the row count must be a constant, non-negative number",
                n.span(),
            ),
        }
    }

    /// `count`: one row, one `long` column `Count` (or the name given with `as`).
    /// <https://learn.microsoft.com/kusto/query/count-operator>
    pub(crate) fn count_to_plan(&self, input: Tab, c: &ast::Count) -> R<Tab> {
        let name = c
            .name
            .as_ref()
            .map_or("Count".to_owned(), |n| n.name.clone());
        let plan = input
            .builder()
            .aggregate(
                Vec::<datafusion_expr::Expr>::new(),
                vec![count(lit(1i64)).alias(name.clone())],
            )
            .and_then(|b| b.build())
            .map_err(|e| internal(e, c.span))?;
        Ok(Tab::new(plan, KqlSchema::new([(name, KqlType::Long)])))
    }

    /// `serialize [name = expr, ...]`: marks the row order as meaningful (for `row_number()`).
    /// <https://learn.microsoft.com/kusto/query/serialize-operator>
    pub(crate) fn serialize_to_plan(
        &self,
        input: Tab,
        s: &ast::Serialize,
        scope: &Scope,
    ) -> R<Tab> {
        let mut tab = input;
        if tab.order.is_none() {
            tab.order = Some(Vec::new());
        }
        if s.columns.is_empty() {
            return Ok(tab);
        }
        self.extend_to_plan(tab, &s.columns, scope)
    }

    /// `getschema`: one row per column with its name, position and types.
    /// <https://learn.microsoft.com/kusto/query/getschema-operator>
    pub(crate) fn getschema_to_plan(&self, input: Tab, span: Span) -> R<Tab> {
        let rows: Vec<Vec<datafusion_expr::Expr>> = input
            .schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                vec![
                    lit(f.name.clone()),
                    lit(i as i32),
                    lit(format!("System.{}", dotnet_type(f.ty))),
                    lit(f.ty.name()),
                ]
            })
            .collect();
        let schema = KqlSchema::new([
            ("ColumnName".to_owned(), KqlType::String),
            ("ColumnOrdinal".to_owned(), KqlType::Int),
            ("DataType".to_owned(), KqlType::String),
            ("ColumnType".to_owned(), KqlType::String),
        ]);
        if rows.is_empty() {
            let plan = LogicalPlanBuilder::empty(false)
                .build()
                .map_err(|e| internal(e, span))?;
            return Ok(Tab::new(plan, KqlSchema::default()));
        }
        let values = LogicalPlanBuilder::values(rows)
            .and_then(|b| b.build())
            .map_err(|e| internal(e, span))?;
        let tab = Tab::new(values, KqlSchema::default());
        let cols = ["column1", "column2", "column3", "column4"]
            .iter()
            .zip(&schema.fields)
            .map(|(c, f)| (f.name.clone(), Typed::new(column(c), f.ty)))
            .collect();
        project_columns(&tab, cols, span)
    }
}

/// The .NET type name `getschema` shows.
fn dotnet_type(t: KqlType) -> &'static str {
    match t {
        KqlType::Bool => "SByte",
        KqlType::Int => "Int32",
        KqlType::Long => "Int64",
        KqlType::Real => "Double",
        KqlType::Decimal => "Data.SqlTypes.SqlDecimal",
        KqlType::String => "String",
        KqlType::DateTime => "DateTime",
        KqlType::Timespan => "TimeSpan",
        KqlType::Guid => "Guid",
        KqlType::Dynamic => "Object",
    }
}
