//! Kusto's scalar types: the one enum the parser (type names in the text), the planner and the
//! loaders share. How each is held in Arrow is the planner's business (`kql_planner::types`).
//! <https://learn.microsoft.com/kusto/query/scalar-data-types/>

use std::fmt;

/// A Kusto scalar type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KqlType {
    /// `bool` (alias `boolean`).
    Bool,
    /// `int`: 32-bit signed.
    Int,
    /// `long`: 64-bit signed.
    Long,
    /// `real` (alias `double`): 64-bit float.
    Real,
    /// `decimal`: 128-bit decimal.
    Decimal,
    /// `string`: never null.
    String,
    /// `datetime` (alias `date`): 100 ns ticks, UTC.
    DateTime,
    /// `timespan` (alias `time`): 100 ns ticks.
    Timespan,
    /// `guid` (alias `uniqueid`).
    Guid,
    /// `dynamic`: a JSON value.
    Dynamic,
}

impl KqlType {
    /// Parses a type name or alias (`long`, `int64`, `double`, `date`, ...), case-sensitively as
    /// Kusto does.
    pub fn from_name(name: &str) -> Option<KqlType> {
        Some(match name {
            "bool" | "boolean" => KqlType::Bool,
            "int" | "int32" => KqlType::Int,
            "long" | "int64" => KqlType::Long,
            "real" | "double" => KqlType::Real,
            "decimal" => KqlType::Decimal,
            "string" => KqlType::String,
            "datetime" | "date" => KqlType::DateTime,
            "timespan" | "time" => KqlType::Timespan,
            "guid" | "uniqueid" => KqlType::Guid,
            "dynamic" => KqlType::Dynamic,
            _ => return None,
        })
    }

    /// The canonical name, as `getschema` and `gettype` print it (`long`, `real`, `datetime`).
    pub fn name(self) -> &'static str {
        match self {
            KqlType::Bool => "bool",
            KqlType::Int => "int",
            KqlType::Long => "long",
            KqlType::Real => "real",
            KqlType::Decimal => "decimal",
            KqlType::String => "string",
            KqlType::DateTime => "datetime",
            KqlType::Timespan => "timespan",
            KqlType::Guid => "guid",
            KqlType::Dynamic => "dynamic",
        }
    }

    /// `int`, `long`, `real` or `decimal`.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            KqlType::Int | KqlType::Long | KqlType::Real | KqlType::Decimal
        )
    }

    /// `int` or `long`.
    pub fn is_integer(self) -> bool {
        matches!(self, KqlType::Int | KqlType::Long)
    }
}

impl fmt::Display for KqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::KqlType;

    #[test]
    fn every_name_reads_back_and_aliases_are_case_sensitive() {
        for t in [
            KqlType::Bool,
            KqlType::Int,
            KqlType::Long,
            KqlType::Real,
            KqlType::Decimal,
            KqlType::String,
            KqlType::DateTime,
            KqlType::Timespan,
            KqlType::Guid,
            KqlType::Dynamic,
        ] {
            assert_eq!(KqlType::from_name(t.name()), Some(t));
        }
        assert_eq!(KqlType::from_name("double"), Some(KqlType::Real));
        assert_eq!(KqlType::from_name("Long"), None);
    }
}
