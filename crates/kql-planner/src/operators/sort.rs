//! `sort`/`order` and `top`. Kusto sorts descending by default; nulls come first when ascending
//! and last when descending.
//! <https://learn.microsoft.com/kusto/query/sort-operator>

use crate::diag::{R, internal};
use crate::expr::ExprCx;
use crate::planner::{KqlToRel, Scope, Tab};
use datafusion_expr::SortExpr;
use kql_parser::ast::{self, NullsOrder, SortKey, SortOrder};

impl KqlToRel<'_> {
    fn sort_exprs(&self, input: &Tab, keys: &[SortKey], scope: &Scope) -> R<Vec<SortExpr>> {
        let cx = ExprCx {
            schema: &input.schema,
            scope,
            aggs: None,
        };
        let mut out = Vec::new();
        for k in keys {
            let t = self.scalar(&k.expr, &cx)?;
            let asc = k.order == Some(SortOrder::Asc);
            let nulls_first = match k.nulls {
                Some(n) => n == NullsOrder::First,
                None => asc,
            };
            if t.ty == crate::types::KqlType::Real {
                // NaN sorts with the nulls (sort-operator page): null then NaN when nulls come
                // first, NaN then null when they come last.
                let x = t.expr;
                let nan_as_null = datafusion_expr::when(
                    datafusion_functions::math::expr_fn::isnan(x.clone()),
                    datafusion_expr::lit(datafusion_common::ScalarValue::Float64(None)),
                )
                .otherwise(x.clone())
                .map_err(|e| crate::diag::internal(e, k.expr.span()))?;
                out.push(nan_as_null.sort(asc, nulls_first));
                out.push(x.is_null().sort(!nulls_first, false));
            } else {
                out.push(t.expr.sort(asc, nulls_first));
            }
        }
        Ok(out)
    }

    /// `sort by key [asc|desc] [nulls first|last], ...`, optionally keeping only `fetch` rows.
    pub(crate) fn sort_to_plan(
        &self,
        input: Tab,
        keys: &[SortKey],
        scope: &Scope,
        fetch: Option<usize>,
    ) -> R<Tab> {
        let exprs = self.sort_exprs(&input, keys, scope)?;
        let span = keys
            .first()
            .map_or(kql_common::Span::default(), |k| k.expr.span());
        let builder = input.builder();
        let plan = match fetch {
            Some(n) => builder.sort_with_limit(exprs.clone(), Some(n)),
            None => builder.sort(exprs.clone()),
        }
        .and_then(|b| b.build())
        .map_err(|e| internal(e, span))?;
        Ok(Tab {
            plan,
            schema: input.schema,
            order: Some(exprs),
        })
    }

    /// `top N by key`: the first N rows in that order.
    /// <https://learn.microsoft.com/kusto/query/top-operator>
    pub(crate) fn top_to_plan(&self, input: Tab, t: &ast::Top, scope: &Scope) -> R<Tab> {
        let n = self.constant_count(&t.count, scope)?;
        if n == 0 {
            // `top 0` is no rows (DataFusion's top-k needs k > 0).
            let plan = input
                .builder()
                .limit(0, Some(0))
                .and_then(|b| b.build())
                .map_err(|e| internal(e, t.span))?;
            return Ok(Tab {
                plan,
                schema: input.schema,
                order: Some(Vec::new()),
            });
        }
        self.sort_to_plan(input, &t.keys, scope, Some(n))
    }
}
