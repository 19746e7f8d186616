//! Kusto's scalar types and their Arrow representation.
//!
//! | Kusto | Arrow | notes |
//! |---|---|---|
//! | `bool` | `Boolean` | |
//! | `int` | `Int32` | |
//! | `long` | `Int64` | |
//! | `real` | `Float64` | |
//! | `decimal` | `Decimal128(38, 18)` | |
//! | `string` | `Utf8` | never null: absent is `""` |
//! | `datetime` | `Int64` | 100 ns ticks since 0001-01-01 UTC, Kusto's own representation: the whole range 0001-9999 |
//! | `timespan` | `Int64` | signed 100 ns ticks |
//! | `guid` | `Utf8` | canonical lower-case text |
//! | `dynamic` | `Utf8` | compact JSON text; null is SQL null |
//!
//! Several Kusto types share an Arrow type, so the planner carries Kusto types beside the plan
//! ([`crate::KqlSchema`]) instead of inferring them back from Arrow; stored tables (snapshots)
//! record them in the field metadata key [`KQL_TYPE_KEY`].

/// Arrow field metadata key holding the Kusto type name.
pub const KQL_TYPE_KEY: &str = "kql.type";

use datafusion_common::arrow::datatypes::{DataType, Field};
use kql_parser::ast::ScalarType;
use std::fmt;

/// A Kusto scalar type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KqlType {
    /// `bool`
    Bool,
    /// `int`
    Int,
    /// `long`
    Long,
    /// `real`
    Real,
    /// `decimal`
    Decimal,
    /// `string`
    String,
    /// `datetime`
    DateTime,
    /// `timespan`
    Timespan,
    /// `guid`
    Guid,
    /// `dynamic`
    Dynamic,
}

impl KqlType {
    /// The Arrow type values of this Kusto type are stored as.
    pub fn arrow(self) -> DataType {
        match self {
            KqlType::Bool => DataType::Boolean,
            KqlType::Int => DataType::Int32,
            KqlType::Long | KqlType::DateTime | KqlType::Timespan => DataType::Int64,
            KqlType::Real => DataType::Float64,
            KqlType::Decimal => DataType::Decimal128(38, 18),
            KqlType::String | KqlType::Guid | KqlType::Dynamic => DataType::Utf8,
        }
    }

    /// The Kusto type of a stored field: its `kql.type` metadata, else read from the Arrow type.
    pub fn of_field(field: &Field) -> Option<KqlType> {
        match field.metadata().get(KQL_TYPE_KEY) {
            Some(name) => KqlType::from_name(name),
            None => KqlType::from_arrow(field.data_type()),
        }
    }

    /// The Kusto type for an Arrow type (`Utf8` reads as `string`, `Int64` as `long`).
    pub fn from_arrow(dt: &DataType) -> Option<KqlType> {
        Some(match dt {
            DataType::Boolean => KqlType::Bool,
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::UInt8
            | DataType::UInt16 => KqlType::Int,
            DataType::Int64 | DataType::UInt32 | DataType::UInt64 => KqlType::Long,
            DataType::Float16 | DataType::Float32 | DataType::Float64 => KqlType::Real,
            DataType::Decimal128(..) | DataType::Decimal256(..) => KqlType::Decimal,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => KqlType::String,
            DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => KqlType::DateTime,
            DataType::Duration(..) => KqlType::Timespan,
            DataType::List(_)
            | DataType::LargeList(_)
            | DataType::Struct(_)
            | DataType::Map(..) => KqlType::Dynamic,
            _ => return None,
        })
    }

    /// Parses a Kusto type name or alias (`long`, `int64`, `double`, `date`, ...).
    pub fn from_name(name: &str) -> Option<KqlType> {
        ScalarType::from_name(name).map(KqlType::from)
    }

    /// The canonical name, as `getschema` and `gettype` print it.
    pub fn name(self) -> &'static str {
        ScalarType::from(self).name()
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

impl From<ScalarType> for KqlType {
    fn from(t: ScalarType) -> KqlType {
        match t {
            ScalarType::Bool => KqlType::Bool,
            ScalarType::Int => KqlType::Int,
            ScalarType::Long => KqlType::Long,
            ScalarType::Real => KqlType::Real,
            ScalarType::Decimal => KqlType::Decimal,
            ScalarType::String => KqlType::String,
            ScalarType::DateTime => KqlType::DateTime,
            ScalarType::Timespan => KqlType::Timespan,
            ScalarType::Guid => KqlType::Guid,
            ScalarType::Dynamic => KqlType::Dynamic,
        }
    }
}

impl From<KqlType> for ScalarType {
    fn from(t: KqlType) -> ScalarType {
        match t {
            KqlType::Bool => ScalarType::Bool,
            KqlType::Int => ScalarType::Int,
            KqlType::Long => ScalarType::Long,
            KqlType::Real => ScalarType::Real,
            KqlType::Decimal => ScalarType::Decimal,
            KqlType::String => ScalarType::String,
            KqlType::DateTime => ScalarType::DateTime,
            KqlType::Timespan => ScalarType::Timespan,
            KqlType::Guid => ScalarType::Guid,
            KqlType::Dynamic => ScalarType::Dynamic,
        }
    }
}

impl fmt::Display for KqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
