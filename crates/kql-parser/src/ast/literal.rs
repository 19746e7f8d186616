use super::Span;
use kql_common::KqlType;
use std::fmt;

/// A type as written, keeping the alias spelling (`double` vs `real`).
#[derive(Clone, Debug, PartialEq)]
pub struct TypeName {
    /// The type.
    pub ty: KqlType,
    /// The spelling used.
    pub spelling: String,
    /// Where it was written.
    pub span: Span,
}

impl fmt::Display for TypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.spelling)
    }
}

/// A literal: its decoded value plus its exact source text, printed back verbatim.
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    /// The decoded value.
    pub value: LiteralValue,
    /// The source text (`1h`, `@"C:\x"`, `datetime(2024-01-01)`).
    pub text: String,
    /// Where it was written.
    pub span: Span,
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Decoded literal values. <https://learn.microsoft.com/kusto/query/scalar-data-types/>
#[derive(Clone, Debug)]
pub enum LiteralValue {
    /// A string, escapes resolved; adjacent literals already concatenated.
    String(String),
    /// `true` / `false` / `bool(...)`.
    Bool(bool),
    /// `int(5)`.
    Int(i32),
    /// `5`, `long(5)`, `0x1F`.
    Long(i64),
    /// `1.5`, `1e-3`, `real(nan)`, `real(+inf)`.
    Real(f64),
    /// `decimal(1.5)`: the digits as written.
    Decimal(String),
    /// `datetime(...)`: the text inside the parentheses, trimmed.
    DateTime(String),
    /// Timespan in 100 ns ticks (`1h`, `time(1.02:00:00)`, `timespan(2)`).
    Timespan(i64),
    /// `guid(...)`: the text inside the parentheses.
    Guid(String),
    /// `dynamic(...)`.
    Dynamic(DynamicValue),
    /// A typed null such as `long(null)`.
    Null(KqlType),
}

impl PartialEq for LiteralValue {
    fn eq(&self, other: &LiteralValue) -> bool {
        use LiteralValue as V;
        match (self, other) {
            (V::String(a), V::String(b)) => a == b,
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::Int(a), V::Int(b)) => a == b,
            (V::Long(a), V::Long(b)) => a == b,
            (V::Real(a), V::Real(b)) => a.to_bits() == b.to_bits(),
            (V::Decimal(a), V::Decimal(b)) => a == b,
            (V::DateTime(a), V::DateTime(b)) => a == b,
            (V::Timespan(a), V::Timespan(b)) => a == b,
            (V::Guid(a), V::Guid(b)) => a == b,
            (V::Dynamic(a), V::Dynamic(b)) => a == b,
            (V::Null(a), V::Null(b)) => a == b,
            _ => false,
        }
    }
}

/// The value of a `dynamic(...)` literal: JSON, with KQL's extensions (single-quoted strings,
/// typed scalar literals such as `datetime(...)` inside).
#[derive(Clone, Debug, PartialEq)]
pub enum DynamicValue {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer.
    Long(i64),
    /// A real number (compared bitwise through [`Literal`] text).
    Real(f64),
    /// A string.
    String(String),
    /// `[...]`
    Array(Vec<DynamicValue>),
    /// `{...}` in source order.
    Object(Vec<(String, DynamicValue)>),
    /// A typed scalar literal such as `datetime(2024-01-01)` or `1h`.
    Scalar(Box<LiteralValue>),
}
