//! Query text: statements separated by `;`.
//! <https://learn.microsoft.com/kusto/query/statements>

use super::{Expr, Ident, Schema, Span, TypeName, write_list};
use std::fmt;

/// A whole query text: zero or more statements; usually `let`s followed by one tabular expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    /// Statements in order.
    pub statements: Vec<Statement>,
    /// The whole text.
    pub span: Span,
}

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    /// `let name = value`. <https://learn.microsoft.com/kusto/query/let-statement>
    Let {
        /// The bound name.
        name: Ident,
        /// A scalar or tabular expression (`materialize(...)` included).
        value: Expr,
        /// The whole statement.
        span: Span,
    },
    /// `let name = [view] (params) { body }`: a user-defined function.
    LetFunction {
        /// The function name.
        name: Ident,
        /// Parameters and body.
        decl: FunctionDecl,
        /// The whole statement.
        span: Span,
    },
    /// `set option [= value]`. <https://learn.microsoft.com/kusto/query/set-statement>
    Set {
        /// The option name.
        name: Ident,
        /// Its value.
        value: Option<Expr>,
        /// The whole statement.
        span: Span,
    },
    /// `declare query_parameters (name:type [= default], ...)`.
    /// <https://learn.microsoft.com/kusto/query/query-parameters-statement>
    DeclareQueryParameters {
        /// The parameters.
        params: Vec<Param>,
        /// The whole statement.
        span: Span,
    },
    /// `alias database name = cluster(...).database(...)`.
    /// <https://learn.microsoft.com/kusto/query/alias-statement>
    Alias {
        /// The alias.
        name: Ident,
        /// The aliased database expression.
        value: Expr,
        /// The whole statement.
        span: Span,
    },
    /// `restrict access to (entities)`. <https://learn.microsoft.com/kusto/query/restrict-statement>
    Restrict {
        /// The visible entities.
        entities: Vec<Expr>,
        /// The whole statement.
        span: Span,
    },
    /// A query (tabular) or scalar expression statement.
    Expr(Expr),
}

impl Statement {
    /// Where the statement was written.
    pub fn span(&self) -> Span {
        match self {
            Statement::Let { span, .. }
            | Statement::LetFunction { span, .. }
            | Statement::Set { span, .. }
            | Statement::DeclareQueryParameters { span, .. }
            | Statement::Alias { span, .. }
            | Statement::Restrict { span, .. } => *span,
            Statement::Expr(e) => e.span(),
        }
    }
}

/// `[view] (params) { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionDecl {
    /// Declared with `view`.
    pub view: bool,
    /// Parameters.
    pub params: Vec<Param>,
    /// The body.
    pub body: FunctionBody,
    /// From `view` or `(` to `}`.
    pub span: Span,
}

/// A function body: `let`s and a final expression, between braces.
#[derive(Clone, Debug, PartialEq)]
pub struct FunctionBody {
    /// Statements; the last is normally the result expression.
    pub statements: Vec<Statement>,
    /// From `{` to `}`.
    pub span: Span,
}

/// A parameter: `name: type [= default]`, or a tabular parameter `T: (col:type, *)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Param {
    /// Parameter name.
    pub name: Ident,
    /// Its type.
    pub ty: ParamType,
    /// Default value.
    pub default: Option<Expr>,
    /// The whole declaration.
    pub span: Span,
}

/// The type of a parameter.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamType {
    /// A scalar type.
    Scalar(TypeName),
    /// A tabular schema.
    Tabular(Schema),
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ty {
            ParamType::Scalar(t) => write!(f, "{}:{t}", self.name)?,
            ParamType::Tabular(s) => write!(f, "{}:{s}", self.name)?,
        }
        if let Some(d) = &self.default {
            write!(f, " = {d}")?;
        }
        Ok(())
    }
}

impl fmt::Display for FunctionBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("{ ")?;
        write_list(f, &self.statements, "; ")?;
        f.write_str(" }")
    }
}

impl fmt::Display for FunctionDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.view {
            f.write_str("view ")?;
        }
        f.write_str("(")?;
        write_list(f, &self.params, ", ")?;
        write!(f, ") {}", self.body)
    }
}

impl fmt::Display for Statement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Let { name, value, .. } => write!(f, "let {name} = {value}"),
            Statement::LetFunction { name, decl, .. } => write!(f, "let {name} = {decl}"),
            Statement::Set {
                name,
                value: Some(v),
                ..
            } => write!(f, "set {name} = {v}"),
            Statement::Set {
                name, value: None, ..
            } => write!(f, "set {name}"),
            Statement::DeclareQueryParameters { params, .. } => {
                f.write_str("declare query_parameters(")?;
                write_list(f, params, ", ")?;
                f.write_str(")")
            }
            Statement::Alias { name, value, .. } => write!(f, "alias database {name} = {value}"),
            Statement::Restrict { entities, .. } => {
                f.write_str("restrict access to (")?;
                write_list(f, entities, ", ")?;
                f.write_str(")")
            }
            Statement::Expr(e) if f.alternate() => write!(f, "{e:#}"),
            Statement::Expr(e) => write!(f, "{e}"),
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if f.alternate() { ";\n" } else { "; " };
        for (i, s) in self.statements.iter().enumerate() {
            if i > 0 {
                f.write_str(sep)?;
            }
            if f.alternate() {
                write!(f, "{s:#}")?;
            } else {
                write!(f, "{s}")?;
            }
        }
        Ok(())
    }
}
