//! The typed, spanned KQL syntax tree.
//!
//! Every node carries a byte-offset [`Span`]. `Display` prints canonical one-line KQL that parses
//! back to an equal tree (spans compare equal by design, see [`Span`]); parentheses written by the
//! user are kept as [`Expr::Paren`], so printing needs no precedence logic.
//!
//! Reference: <https://learn.microsoft.com/kusto/query/>

mod expr;
mod literal;
mod names;
mod operator;
mod operator_display;
mod options;
mod render;
mod statement;

pub use expr::{Arg, BinaryOp, Call, Expr, ListOp, StringOp, StringOpKind, TypeOfArg, UnaryOp};
pub use kql_common::KqlType;
pub use kql_common::Span;
pub use literal::{DynamicValue, Literal, LiteralValue, TypeName};
pub use names::{ColumnDecl, ColumnPattern, Ident, NamedExpr, OptionArg, Quoting, Schema};
pub use operator::*;
pub use options::{
    ClosedSet, JoinKind, JoinRemote, JoinStrategy, Keyword, LookupKind, MakeSeriesKind,
    MvExpandKind, OptionValue, ParseKind, SearchKind, UnionKind,
};
pub use render::{AxisScale, Legend, RenderKind, RenderProperty, Visualization, YSplit};
pub use statement::{FunctionBody, FunctionDecl, Param, ParamType, Query, Statement};

/// Writes `items` separated by `sep`.
pub(crate) fn write_list<T: std::fmt::Display>(
    f: &mut std::fmt::Formatter<'_>,
    items: &[T],
    sep: &str,
) -> std::fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}
