//! `mv-expand`: one row per array element or property-bag slot; several columns expand in
//! parallel (shorter lists padded with null); a null value keeps its row; an empty array drops it.
//! <https://learn.microsoft.com/kusto/query/mv-expand-operator>

use super::{passthrough, project_columns};
use crate::diag::{R, err, internal, not_supported};
use crate::expr::{ExprCx, Typed, column, from_dynamic};
use crate::functions::{Udf, call};
use crate::naming::derived_name;
use crate::planner::{KqlToRel, Scope, Tab};
use crate::schema::KqlSchema;
use crate::types::KqlType;
use datafusion_expr::lit;
use datafusion_expr::logical_plan::builder::LogicalPlanBuilder;
use kql_common::codes;
use kql_parser::ast::{self, ClosedSet as _};

impl KqlToRel<'_> {
    pub(crate) fn mv_expand_to_plan(&self, input: Tab, m: &ast::MvExpand, scope: &Scope) -> R<Tab> {
        let mut mode = ast::MvExpandKind::Bag;
        let mut index_name: Option<String> = None;
        for o in &m.options {
            match (&o.value, o.name.name.as_str()) {
                (ast::OptionValue::MvExpandKind(k), _) => mode = k.value,
                (ast::OptionValue::Value(v), "with_itemindex") => {
                    index_name = Some(match v {
                        ast::Expr::Name(n) => n.name.clone(),
                        ast::Expr::Literal(l) => {
                            l.text.trim_matches(|c| c == '"' || c == '\'').to_owned()
                        }
                        other => other.to_string(),
                    });
                }
                (_, other) => return not_supported(&format!("`mv-expand {other}=`"), o.span),
            }
        }
        let mode = mode.as_str();
        let limit = match &m.limit {
            Some(l) => lit(i64::try_from(self.constant_count(l, scope)?).unwrap_or(i64::MAX)),
            None => lit(if m.legacy_keyword {
                128i64
            } else {
                i64::from(i32::MAX)
            }),
        };
        let cx = ExprCx {
            schema: &input.schema,
            scope,
            aggs: None,
        };
        let mut cols = passthrough(&input);
        // (hidden list column, list expression, output name, `to typeof` type, is the item index)
        let mut lists: Vec<(String, datafusion_expr::Expr, String, Option<KqlType>, bool)> =
            Vec::new();
        for (k, item) in m.items.iter().enumerate() {
            let t = self.scalar(&item.expr.expr, &cx)?;
            if t.ty != KqlType::Dynamic {
                return err(
                    codes::ARGUMENT_TYPE,
                    format!("`mv-expand` needs a dynamic array or bag, not {}", t.ty),
                    item.expr.expr.span(),
                );
            }
            let name = match item.expr.names.first() {
                Some(n) => n.name.clone(),
                None => derived_name(&item.expr.expr).unwrap_or_else(|| format!("Column{}", k + 1)),
            };
            let hidden = format!("__kql_mv_{k}");
            let items = call(Udf::MvItems, vec![t.expr.clone(), lit(mode), limit.clone()]);
            let to = item.to.as_ref().map(|t| t.ty);
            lists.push((hidden.clone(), items, name, to, false));
            if k == 0
                && let Some(ix) = &index_name
            {
                let index = call(Udf::MvIndex, vec![t.expr.clone(), lit(mode), limit.clone()]);
                lists.push((format!("{hidden}_index"), index, ix.clone(), None, true));
            }
        }
        // Project the item lists next to the input columns, unnest them together, then place the
        // expanded values (the original column's position when it is replaced).
        let mut exprs: Vec<datafusion_expr::Expr> =
            cols.iter().map(|(n, t)| t.expr.clone().alias(n)).collect();
        for (hidden, list, ..) in &lists {
            exprs.push(list.clone().alias(hidden));
        }
        let names: Vec<String> = lists.iter().map(|(h, ..)| h.clone()).collect();
        let opts = datafusion_common::UnnestOptions::new().with_preserve_nulls(true);
        let plan = LogicalPlanBuilder::from(input.plan.clone())
            .project(exprs)
            .and_then(|b| {
                b.unnest_columns_with_options(
                    names
                        .iter()
                        .map(|n| datafusion_common::Column::new_unqualified(n.clone()))
                        .collect(),
                    opts,
                )
            })
            .and_then(|b| b.build())
            .map_err(|e| internal(e, m.span))?;
        for (hidden, _, name, to, is_index) in lists {
            let value = if is_index {
                Typed::new(column(&hidden), KqlType::Long)
            } else {
                let v = Typed::new(column(&hidden), KqlType::Dynamic);
                match to {
                    Some(ty) if ty != KqlType::Dynamic => from_dynamic(v, ty).retyped(ty),
                    _ => v,
                }
            };
            match cols.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = value,
                None => cols.push((name, value)),
            }
        }
        let tab = Tab::new(plan, KqlSchema::default());
        project_columns(&tab, cols, m.span)
    }
}
