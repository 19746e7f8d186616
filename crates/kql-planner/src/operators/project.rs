//! Column operators: extend, project, project-away, project-keep, project-rename, project-reorder.
//! Names follow Kusto: unnamed expressions become `Column1`, `Column2`, ...; a member path
//! `d.a.b` is named `d_a_b`. `extend` of an existing name replaces that column in place.

use super::{passthrough, project_columns};
use crate::diag::{R, did_you_mean, err, internal, not_supported};
use crate::expr::{ExprCx, Typed};
use crate::naming::{derived_name, unique};
use crate::planner::{KqlToRel, Scope, Tab};
use crate::types::KqlType;
use datafusion_expr::ExprFunctionExt;
use kql_common::{Diagnostic, Span, codes};
use kql_parser::ast::{self, ColumnPattern, NamedExpr, ReorderOrder};

/// Hidden column holding `row_number()` while an expression that uses it is planned.
pub(crate) const ROW_NUMBER_COLUMN: &str = "__kql_row_number";

fn uses_row_number(e: &ast::Expr) -> bool {
    e.to_string().contains("row_number(")
}

/// Whether `name` matches a `project-away`-style wildcard pattern (`*` is any run of characters).
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return pattern == name;
    };
    if parts.len() == 1 {
        return pattern == name;
    }
    if !name.starts_with(first)
        || !name[first.len()..].ends_with(last)
        || name.len() < first.len() + last.len()
    {
        return false;
    }
    let mut rest = &name[first.len()..name.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(p) => rest = &rest[p + mid.len()..],
            None => return false,
        }
    }
    true
}

impl KqlToRel<'_> {
    /// The input with a hidden `row_number()` column in the established row order.
    fn with_row_number(&self, input: &Tab, span: Span) -> R<Tab> {
        let Some(order) = &input.order else {
            return err(
                codes::NOT_SUPPORTED,
                "`row_number()` needs serialized input",
                span,
            )
            .map_err(|d| {
                d.with_help(
                    "sort the rows first (`sort by ...`) or add `| serialize`; a sort's order \
                     lasts while its columns are kept unchanged",
                )
            });
        };
        // Without sort keys (after `serialize`) the rows are numbered in input order.
        let base = datafusion_functions_window::expr_fn::row_number();
        let w = if order.is_empty() {
            Ok(base)
        } else {
            base.order_by(order.clone()).build()
        };
        // (A window expression must stay a bare window function: `row_number()` reads it as long.)
        let w = w.map_err(|e| internal(e, span))?.alias(ROW_NUMBER_COLUMN);
        let plan = input
            .builder()
            .window(vec![w])
            .and_then(|b| b.build())
            .map_err(|e| internal(e, span))?;
        let mut schema = input.schema.clone();
        schema.fields.push(crate::schema::KqlField {
            name: ROW_NUMBER_COLUMN.to_owned(),
            ty: KqlType::Long,
        });
        Ok(Tab {
            plan,
            schema,
            order: input.order.clone(),
        })
    }

    /// Plans one value of `extend`/`project`, adding `row_number()` support when used.
    fn column_value(&self, input: &Tab, e: &NamedExpr, scope: &Scope) -> R<(Tab, Typed)> {
        if e.names.len() > 1 || e.tuple {
            return not_supported("assigning several columns at once `(a, b) = ...`", e.span);
        }
        let base = if uses_row_number(&e.expr) {
            self.with_row_number(input, e.span)?
        } else {
            input.clone()
        };
        let cx = ExprCx {
            schema: &base.schema,
            scope,
            aggs: None,
        };
        let t = self.scalar(&e.expr, &cx)?;
        Ok((base, t))
    }

    /// `extend name = expr, ...`.
    /// <https://learn.microsoft.com/kusto/query/extend-operator>
    pub(crate) fn extend_to_plan(
        &self,
        input: Tab,
        columns: &[NamedExpr],
        scope: &Scope,
    ) -> R<Tab> {
        let mut tab = input;
        let mut unnamed = 0;
        for e in columns {
            let (base, t) = self.column_value(&tab, e, scope)?;
            let name = match e.names.first() {
                Some(n) => n.name.clone(),
                None => derived_name(&e.expr).unwrap_or_else(|| {
                    unnamed += 1;
                    format!("Column{unnamed}")
                }),
            };
            let mut cols: Vec<(String, Typed)> = passthrough(&base)
                .into_iter()
                .filter(|(n, _)| n != ROW_NUMBER_COLUMN)
                .collect();
            match cols.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = t,
                None => cols.push((name, t)),
            }
            tab = project_columns(&base, cols, e.span)?;
            // Each column is a projection of its own: bound the plan before the next.
            crate::planner::check_plan_columns(&tab.plan, e.span)?;
        }
        Ok(tab)
    }

    /// `project name = expr, column, ...`.
    /// <https://learn.microsoft.com/kusto/query/project-operator>
    pub(crate) fn project_to_plan(
        &self,
        input: Tab,
        columns: &[NamedExpr],
        scope: &Scope,
    ) -> R<Tab> {
        let mut out: Vec<(String, Typed)> = Vec::new();
        let mut base = input.clone();
        if columns.iter().any(|c| uses_row_number(&c.expr)) {
            base =
                self.with_row_number(&input, columns.first().map_or(Span::default(), |c| c.span))?;
        }
        let mut unnamed = 0;
        for e in columns {
            if e.names.len() > 1 || e.tuple {
                return not_supported("assigning several columns at once `(a, b) = ...`", e.span);
            }
            let cx = ExprCx {
                schema: &base.schema,
                scope,
                aggs: None,
            };
            let t = self.scalar(&e.expr, &cx)?;
            let name = match e.names.first() {
                Some(n) => n.name.clone(),
                None => derived_name(&e.expr).unwrap_or_else(|| {
                    unnamed += 1;
                    format!("Column{unnamed}")
                }),
            };
            let taken: Vec<String> = out.iter().map(|(n, _)| n.clone()).collect();
            out.push((unique(&name, &taken), t));
        }
        let span = columns.first().map_or(Span::default(), |c| c.span);
        let order = super::carried_order(&input, &out);
        let mut tab = project_columns(&base, out, span)?;
        tab.order = order;
        Ok(tab)
    }

    /// Input columns matched by `pattern`, in input order; an unmatched plain name is an error.
    fn matching(&self, input: &Tab, pattern: &ColumnPattern) -> R<Vec<String>> {
        match pattern {
            ColumnPattern::Name(n) => {
                if input.schema.field(&n.name).is_some() {
                    Ok(vec![n.name.clone()])
                } else {
                    let mut d = Diagnostic::error(
                        codes::UNKNOWN_COLUMN,
                        format!("failed to resolve column named '{}'", n.name),
                        n.span,
                    );
                    if let Some(best) = did_you_mean(&n.name, input.schema.names()) {
                        d = d.with_help(format!("did you mean `{best}`?"));
                    }
                    Err(d)
                }
            }
            ColumnPattern::Wildcard { pattern, .. } => Ok(input
                .schema
                .names()
                .filter(|n| glob_match(pattern, n))
                .map(str::to_owned)
                .collect()),
        }
    }

    /// `project-away` (or, with `keep`, `project-keep`) names and wildcard patterns.
    /// <https://learn.microsoft.com/kusto/query/project-away-operator>
    pub(crate) fn project_away_to_plan(
        &self,
        input: Tab,
        p: &ast::ProjectPatterns,
        _: &Scope,
        keep: bool,
    ) -> R<Tab> {
        let mut matched = Vec::new();
        for pat in &p.columns {
            matched.extend(self.matching(&input, pat)?);
        }
        let cols: Vec<(String, Typed)> = passthrough(&input)
            .into_iter()
            .filter(|(n, _)| matched.contains(n) == keep)
            .collect();
        project_columns(&input, cols, p.span)
    }

    /// `project-rename new = old, ...`: columns keep their positions.
    /// <https://learn.microsoft.com/kusto/query/project-rename-operator>
    pub(crate) fn project_rename_to_plan(&self, input: Tab, p: &ast::ProjectRename) -> R<Tab> {
        let mut cols = passthrough(&input);
        for (new, old) in &p.renames {
            self.matching(&input, &ColumnPattern::Name(old.clone()))?;
            if let Some(slot) = cols.iter_mut().find(|(n, _)| *n == old.name) {
                slot.0 = new.name.clone();
            }
        }
        project_columns(&input, cols, p.span)
    }

    /// `project-reorder pattern [asc|desc], ...`: the listed columns first, the rest after.
    /// <https://learn.microsoft.com/kusto/query/project-reorder-operator>
    pub(crate) fn project_reorder_to_plan(&self, input: Tab, p: &ast::ProjectReorder) -> R<Tab> {
        let mut first: Vec<String> = Vec::new();
        for (pat, order) in &p.columns {
            let mut names = self.matching(&input, pat)?;
            match order {
                Some(ReorderOrder::Asc) => names.sort(),
                Some(ReorderOrder::Desc) => names.sort_by(|a, b| b.cmp(a)),
                Some(ReorderOrder::GrannyAsc) => names.sort_by_key(|a| granny(a)),
                Some(ReorderOrder::GrannyDesc) => {
                    names.sort_by_key(|n| std::cmp::Reverse(granny(n)))
                }
                None => {}
            }
            for n in names {
                if !first.contains(&n) {
                    first.push(n);
                }
            }
        }
        let all = passthrough(&input);
        let mut cols: Vec<(String, Typed)> = first
            .iter()
            .filter_map(|n| all.iter().find(|(m, _)| m == n).cloned())
            .collect();
        cols.extend(all.into_iter().filter(|(n, _)| !first.contains(n)));
        project_columns(&input, cols, p.span)
    }
}

/// Sort key for `granny-asc`: numbers inside names compare by value (`a2` < `a10`).
fn granny(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            if !num.is_empty() {
                out.push((std::mem::take(&mut text), num.parse().unwrap_or(0)));
                num.clear();
            }
            text.push(c);
        }
    }
    out.push((text, num.parse().unwrap_or(0)));
    out
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn wildcards() {
        assert!(glob_match("Prop*", "Properties"));
        assert!(glob_match("*Id", "CorrelationId"));
        assert!(glob_match("*rr*", "CorrelationId"));
        assert!(glob_match("*", "x"));
        assert!(!glob_match("Prop*", "prop"));
        assert!(!glob_match("a*a", "a"));
    }
}
