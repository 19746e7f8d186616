use super::{Ident, Literal, Pipeline, Schema, Span, TypeName, write_list};
use std::fmt;

/// A scalar or tabular expression. Pipelines are expressions too (`T | where x`), so a
/// sub-query can stand wherever Kusto allows one: `let` values, function arguments, `in (...)`.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// A literal value.
    Literal(Literal),
    /// A column, table, variable or parameter name (`$left` and `$right` included).
    Name(Ident),
    /// `*` where Kusto allows it: `arg_max(T, *)`, `count(*)`, `search * has "x"`.
    Star(Span),
    /// `target.member` or `target.['member']`.
    Member {
        /// The value whose property is read.
        target: Box<Expr>,
        /// The property name.
        member: Ident,
        /// The whole access.
        span: Span,
    },
    /// `target[index]`, or `target.[index]` when `dotted`.
    Index {
        /// The indexed value.
        target: Box<Expr>,
        /// The index or key.
        index: Box<Expr>,
        /// Whether written with a dot before the bracket.
        dotted: bool,
        /// The whole access.
        span: Span,
    },
    /// A function call `name(args)`.
    Call(Call),
    /// `-x`, `+x`.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        expr: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        left: Box<Expr>,
        /// Right operand.
        right: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `left in (a, b)`, `left has_any (...)` and their variants; the list may hold a sub-query.
    InList {
        /// The tested value.
        left: Box<Expr>,
        /// Which list operator.
        op: ListOp,
        /// The list elements.
        list: Vec<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `expr between (low .. high)` / `!between`.
    Between {
        /// The tested value.
        expr: Box<Expr>,
        /// `!between`.
        negated: bool,
        /// Lower bound (inclusive).
        low: Box<Expr>,
        /// Upper bound (inclusive), or a timespan after a datetime `low`.
        high: Box<Expr>,
        /// The whole expression.
        span: Span,
    },
    /// `(expr)`, kept so printing reproduces the user's grouping.
    Paren(Box<Expr>, Span),
    /// A pipeline `source | op | op`.
    Pipeline(Box<Pipeline>),
    /// `typeof(long)` or `typeof(a:long, *)`.
    TypeOf(TypeOfArg, Span),
    /// A management (control) command such as `.show tables`, kept as text; it may start a
    /// pipeline (`.show tables | where ...`).
    /// <https://learn.microsoft.com/kusto/management/>
    Command(String, Span),
}

/// What `typeof(...)` names: one type or a schema.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeOfArg {
    /// `typeof(string)`
    Type(TypeName),
    /// `typeof(a:string, b:long)` / `typeof(*)`
    Schema(Schema),
}

impl Expr {
    /// Where the expression was written.
    pub fn span(&self) -> Span {
        match self {
            Expr::Literal(l) => l.span,
            Expr::Name(i) => i.span,
            Expr::Star(s) | Expr::Paren(_, s) | Expr::TypeOf(_, s) | Expr::Command(_, s) => *s,
            Expr::Member { span, .. }
            | Expr::Index { span, .. }
            | Expr::Unary { span, .. }
            | Expr::Binary { span, .. }
            | Expr::InList { span, .. }
            | Expr::Between { span, .. } => *span,
            Expr::Call(c) => c.span,
            Expr::Pipeline(p) => p.span,
        }
    }
}

/// `name(arg, name = arg, ...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The value before a dot, for `cluster('c').database('d')`-style calls.
    pub receiver: Option<Box<Expr>>,
    /// The function name.
    pub name: Ident,
    /// Arguments in order.
    pub args: Vec<Arg>,
    /// From the name to `)`.
    pub span: Span,
}

/// A call argument, optionally named (`f(x = 1)`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// The parameter name, for a named argument.
    pub name: Option<Ident>,
    /// The value.
    pub value: Expr,
}

/// Prefix operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `+`
    Plus,
}

/// Binary operators, from loosest to tightest: `or`; `and`; equality and string operators;
/// relational; additive; multiplicative.
/// <https://learn.microsoft.com/kusto/query/datatypes-string-operators>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==` (case-sensitive for strings)
    Eq,
    /// `!=` (also written `<>`)
    NotEq,
    /// `=~` (case-insensitive equality)
    EqCi,
    /// `!~`
    NotEqCi,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
    /// A string operator such as `has`, `!contains_cs`, `matches regex`.
    Str(StringOp),
    /// `Column : "term"` inside `search` and `find`.
    SearchColon,
}

/// The string operator families. <https://learn.microsoft.com/kusto/query/datatypes-string-operators>
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StringOpKind {
    /// `has`: whole term.
    Has,
    /// `hasprefix`: prefix of a term.
    HasPrefix,
    /// `hassuffix`: suffix of a term.
    HasSuffix,
    /// `contains`: substring.
    Contains,
    /// `startswith`
    StartsWith,
    /// `endswith`
    EndsWith,
    /// `matches regex`
    MatchesRegex,
    /// `like` (legacy wildcard match)
    Like,
}

/// A string operator: its family, whether negated (`!`), whether case-sensitive (`_cs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StringOp {
    /// The family.
    pub kind: StringOpKind,
    /// `!has` and friends.
    pub negated: bool,
    /// `has_cs` and friends (`matches regex` is always case-sensitive and says `false` here).
    pub case_sensitive: bool,
}

impl fmt::Display for StringOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let base = match self.kind {
            StringOpKind::Has => "has",
            StringOpKind::HasPrefix => "hasprefix",
            StringOpKind::HasSuffix => "hassuffix",
            StringOpKind::Contains => "contains",
            StringOpKind::StartsWith => "startswith",
            StringOpKind::EndsWith => "endswith",
            StringOpKind::MatchesRegex => "matches regex",
            StringOpKind::Like => "like",
        };
        let neg = if self.negated { "!" } else { "" };
        let cs = if self.case_sensitive { "_cs" } else { "" };
        write!(f, "{neg}{base}{cs}")
    }
}

impl fmt::Display for BinaryOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::NotEq => "!=",
            BinaryOp::EqCi => "=~",
            BinaryOp::NotEqCi => "!~",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::SearchColon => ":",
            BinaryOp::Str(op) => return write!(f, "{op}"),
        };
        f.write_str(s)
    }
}

/// Operators whose right side is a parenthesised list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ListOp {
    /// `in` (case-sensitive)
    In,
    /// `!in`
    NotIn,
    /// `in~` (case-insensitive)
    InCi,
    /// `!in~`
    NotInCi,
    /// `has_any`
    HasAny,
    /// `has_all`
    HasAll,
}

impl fmt::Display for ListOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ListOp::In => "in",
            ListOp::NotIn => "!in",
            ListOp::InCi => "in~",
            ListOp::NotInCi => "!in~",
            ListOp::HasAny => "has_any",
            ListOp::HasAll => "has_all",
        })
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(n) = &self.name {
            write!(f, "{n}=")?;
        }
        write!(f, "{}", self.value)
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = &self.receiver {
            write!(f, "{r}.")?;
        }
        write!(f, "{}(", self.name)?;
        write_list(f, &self.args, ", ")?;
        f.write_str(")")
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Long left-nested chains recurse once per operand; grow the stack rather than overflow.
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.fmt_inner(f))
    }
}

impl Expr {
    fn fmt_inner(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Literal(l) => write!(f, "{l}"),
            Expr::Name(i) => write!(f, "{i}"),
            Expr::Star(_) => f.write_str("*"),
            Expr::Member { target, member, .. } => write!(f, "{target}.{member}"),
            Expr::Index {
                target,
                index,
                dotted,
                ..
            } => {
                let dot = if *dotted { "." } else { "" };
                write!(f, "{target}{dot}[{index}]")
            }
            Expr::Call(c) => write!(f, "{c}"),
            Expr::Unary {
                op: UnaryOp::Neg,
                expr,
                ..
            } => write!(f, "-{expr}"),
            Expr::Unary {
                op: UnaryOp::Plus,
                expr,
                ..
            } => write!(f, "+{expr}"),
            Expr::Binary {
                op: BinaryOp::SearchColon,
                left,
                right,
                ..
            } => write!(f, "{left}:{right}"),
            Expr::Binary {
                op, left, right, ..
            } => write!(f, "{left} {op} {right}"),
            Expr::InList { left, op, list, .. } => {
                write!(f, "{left} {op} (")?;
                write_list(f, list, ", ")?;
                f.write_str(")")
            }
            Expr::Between {
                expr,
                negated,
                low,
                high,
                ..
            } => {
                let neg = if *negated { "!" } else { "" };
                write!(f, "{expr} {neg}between ({low} .. {high})")
            }
            Expr::Paren(e, _) => write!(f, "({e})"),
            Expr::Pipeline(p) if f.alternate() => write!(f, "{p:#}"),
            Expr::Pipeline(p) => write!(f, "{p}"),
            Expr::Command(text, _) => f.write_str(text),
            Expr::TypeOf(TypeOfArg::Type(t), _) => write!(f, "typeof({t})"),
            Expr::TypeOf(TypeOfArg::Schema(s), _) => write!(f, "typeof{s}"),
        }
    }
}
