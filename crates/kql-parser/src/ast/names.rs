use super::{Expr, OptionValue, Span, TypeName, write_list};
use std::fmt;

/// How a name was written. Kept so the printed query uses the same quoting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quoting {
    /// `Name`
    None,
    /// `['Name']`
    SingleBracket,
    /// `["Name"]`
    DoubleBracket,
}

/// A table, column, variable, function or parameter name. Names are case-sensitive.
/// <https://learn.microsoft.com/kusto/query/schema-entities/entity-names>
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Ident {
    /// The name itself, without quoting.
    pub name: String,
    /// How it was quoted.
    pub quoting: Quoting,
    /// Where it was written.
    pub span: Span,
}

impl Ident {
    /// An unquoted name.
    pub fn new(name: impl Into<String>, span: Span) -> Ident {
        Ident {
            name: name.into(),
            quoting: Quoting::None,
            span,
        }
    }
}

impl fmt::Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.quoting {
            Quoting::None => f.write_str(&self.name),
            Quoting::SingleBracket => write!(f, "['{}']", escape(&self.name, '\'')),
            Quoting::DoubleBracket => write!(f, "[\"{}\"]", escape(&self.name, '"')),
        }
    }
}

/// Escapes a string for a regular (non-verbatim) KQL string literal quoted with `quote`.
pub(crate) fn escape(s: &str, quote: char) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// `[name =] expr` or `(name1, name2) = expr`, as in `extend`, `project`, `summarize`.
#[derive(Clone, Debug, PartialEq)]
pub struct NamedExpr {
    /// Zero names: unnamed; one: `name = expr`; several: `(a, b) = expr`.
    pub names: Vec<Ident>,
    /// Whether the names were written in parentheses (required for several).
    pub tuple: bool,
    /// The value.
    pub expr: Expr,
    /// From the first name (or the expression) to the end of the expression.
    pub span: Span,
}

impl fmt::Display for NamedExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tuple {
            f.write_str("(")?;
            write_list(f, &self.names, ", ")?;
            f.write_str(") = ")?;
        } else if let Some(n) = self.names.first() {
            write!(f, "{n} = ")?;
        }
        write!(f, "{}", self.expr)
    }
}

/// A column name or a wildcard pattern such as `Prop*` (`project-away`, `project-keep`, ...).
#[derive(Clone, Debug, PartialEq)]
pub enum ColumnPattern {
    /// A plain (possibly quoted) name.
    Name(Ident),
    /// A pattern containing `*`, as written.
    Wildcard {
        /// The pattern text, e.g. `Prop*`.
        pattern: String,
        /// Where it was written.
        span: Span,
    },
}

impl ColumnPattern {
    /// Where the pattern was written.
    pub fn span(&self) -> Span {
        match self {
            ColumnPattern::Name(i) => i.span,
            ColumnPattern::Wildcard { span, .. } => *span,
        }
    }
}

impl fmt::Display for ColumnPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ColumnPattern::Name(i) => write!(f, "{i}"),
            ColumnPattern::Wildcard { pattern, .. } => f.write_str(pattern),
        }
    }
}

/// An operator option `name=value`: `kind=inner`, `hint.strategy=shuffle`, `withsource=T`.
#[derive(Clone, Debug, PartialEq)]
pub struct OptionArg {
    /// The option name, dotted parts joined (`hint.strategy`).
    pub name: Ident,
    /// The value: a keyword of the option's closed set, or a free name, literal or expression.
    pub value: OptionValue,
    /// The whole `name=value`.
    pub span: Span,
}

impl fmt::Display for OptionArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

/// `name: type` in a schema (`datatable`, `externaldata`, `parse`, tabular parameters).
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDecl {
    /// Column name.
    pub name: Ident,
    /// Declared type (`string` when omitted in `parse` patterns).
    pub ty: Option<TypeName>,
    /// The whole declaration.
    pub span: Span,
}

impl fmt::Display for ColumnDecl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.ty {
            Some(t) => write!(f, "{}:{}", self.name, t),
            None => write!(f, "{}", self.name),
        }
    }
}

/// A parenthesised schema `(a:long, b:string)`, possibly open with `*`: `(a:long, *)`, `(*)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// The declared columns.
    pub columns: Vec<ColumnDecl>,
    /// Whether `*` was written (any further columns accepted).
    pub open: bool,
    /// From `(` to `)`.
    pub span: Span,
}

impl fmt::Display for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(")?;
        write_list(f, &self.columns, ", ")?;
        if self.open {
            if !self.columns.is_empty() {
                f.write_str(", ")?;
            }
            f.write_str("*")?;
        }
        f.write_str(")")
    }
}
