//! Column operators: extend, project, project-away, project-keep, project-rename,
//! project-reorder, print.

use super::common::{column_pattern, comma_list, named_expr};
use crate::ast::*;
use crate::parser::lexical::{expect_ident, expect_punct, opt_keyword, span_from};
use crate::parser::{Input, PResult};

/// `extend_op = "extend" named_expr { "," named_expr }`
/// <https://learn.microsoft.com/kusto/query/extend-operator>
pub(crate) fn extend_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, columns) = comma_list(i, "a column expression after `extend`", named_expr)?;
    Ok((
        i,
        Operator::Extend(Extend {
            columns,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `project_op = "project" named_expr { "," named_expr }`
/// <https://learn.microsoft.com/kusto/query/project-operator>
pub(crate) fn project_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, columns) = comma_list(i, "a column after `project`", named_expr)?;
    Ok((
        i,
        Operator::Project(Project {
            columns,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `print_op = "print" named_expr { "," named_expr }`
/// <https://learn.microsoft.com/kusto/query/print-operator>
pub(crate) fn print_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, columns) = comma_list(i, "an expression after `print`", named_expr)?;
    Ok((
        i,
        Operator::Print(Print {
            columns,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `project_away_op = "project-away" column_pattern { "," column_pattern }`
pub(crate) fn project_away_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, columns) = comma_list(i, "a column name or pattern", column_pattern)?;
    Ok((
        i,
        Operator::ProjectAway(ProjectPatterns {
            columns,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `project_keep_op = "project-keep" column_pattern { "," column_pattern }`
pub(crate) fn project_keep_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, columns) = comma_list(i, "a column name or pattern", column_pattern)?;
    Ok((
        i,
        Operator::ProjectKeep(ProjectPatterns {
            columns,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `project_rename_op = "project-rename" name "=" name { "," name "=" name }`
pub(crate) fn project_rename_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, renames) = comma_list(i, "`NewName = ExistingName`", |i| {
        let (i, new) = expect_ident(i, "the new column name")?;
        let (i, _) = expect_punct(i, "=", "`=` after the new name")?;
        let (i, old) = expect_ident(i, "the existing column name after `=`")?;
        Ok((i, (new, old)))
    })?;
    Ok((
        i,
        Operator::ProjectRename(ProjectRename {
            renames,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}

/// `project_reorder_op = "project-reorder" column_pattern [order] { "," column_pattern [order] }`
pub(crate) fn project_reorder_op(i: Input, kw: Span) -> PResult<Operator> {
    let (i, columns) = comma_list(i, "a column name or pattern", |i| {
        let (i, p) = column_pattern(i)?;
        let orders = [
            ("asc", ReorderOrder::Asc),
            ("desc", ReorderOrder::Desc),
            ("granny-asc", ReorderOrder::GrannyAsc),
            ("granny-desc", ReorderOrder::GrannyDesc),
        ];
        for (kw, o) in orders {
            if let (r, true) = opt_keyword(i, kw) {
                return Ok((r, (p, Some(o))));
            }
        }
        Ok((i, (p, None)))
    })?;
    Ok((
        i,
        Operator::ProjectReorder(ProjectReorder {
            columns,
            span: span_from(kw.start as usize, &i),
        }),
    ))
}
