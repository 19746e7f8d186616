//! One file per operator family:
//!
//! | file | operators |
//! |---|---|
//! | `filter.rs` | where, take/limit, count, serialize, getschema |
//! | `project.rs` | extend, project, project-away, project-keep, project-rename, project-reorder |
//! | `summarize.rs` | summarize, distinct |
//! | `sort.rs` | sort/order, top |
//! | `source.rs` | print, range, datatable, render |
//! | `mv_expand.rs` | mv-expand |

mod filter;
mod mv_expand;
mod project;
mod projection;
mod sort;
mod source;
mod summarize;

pub(crate) use project::ROW_NUMBER_COLUMN;

use crate::diag::{R, internal};
use crate::expr::Typed;
use crate::planner::Tab;
use crate::schema::{KqlField, KqlSchema};
use datafusion_expr::SortExpr;
use kql_common::Span;

/// The row order of `input` that still holds after projecting `columns`: its sort keys, when every
/// column they read is passed through unchanged; otherwise none (a key column that is dropped or
/// given new values no longer says which row comes first).
pub(crate) fn carried_order(input: &Tab, columns: &[(String, Typed)]) -> Option<Vec<SortExpr>> {
    let keys = input.order.as_ref()?;
    let kept = |name: &str| {
        columns.iter().any(|(n, t)| {
            n == name && matches!(&t.expr, datafusion_expr::Expr::Column(c) if c.name == name)
        })
    };
    keys.iter()
        .flat_map(|k| k.expr.column_refs())
        .all(|c| kept(&c.name))
        .then(|| keys.clone())
}

/// Projects `columns` (names and typed expressions) over `input`, in order; the row order is kept
/// as far as [`carried_order`] allows.
pub(crate) fn project_columns(input: &Tab, columns: Vec<(String, Typed)>, span: Span) -> R<Tab> {
    let order = carried_order(input, &columns);
    let schema = KqlSchema {
        fields: columns
            .iter()
            .map(|(n, t)| KqlField {
                name: n.clone(),
                ty: t.ty,
            })
            .collect(),
    };
    let exprs: Vec<_> = columns.into_iter().map(|(n, t)| t.expr.alias(n)).collect();
    let plan = projection::project(input.plan.clone(), exprs).map_err(|e| internal(e, span))?;
    Ok(Tab {
        plan,
        schema,
        order,
    })
}

/// Every input column, unchanged, as `(name, typed column)`.
pub(crate) fn passthrough(input: &Tab) -> Vec<(String, Typed)> {
    input
        .schema
        .fields
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                Typed::new(crate::expr::column(&f.name), f.ty),
            )
        })
        .collect()
}
