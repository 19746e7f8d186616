//! How Kusto's scalar types ([`KqlType`], in `kql-common`) are held in Arrow.
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
//! ([`crate::schema::KqlSchema`]) instead of inferring them back from Arrow; stored tables (snapshots)
//! record them in the field metadata key [`KQL_TYPE_KEY`].

/// Arrow field metadata key holding the Kusto type name.
pub const KQL_TYPE_KEY: &str = "kql.type";

use datafusion_common::arrow::datatypes::{DataType, Field};

pub use kql_common::KqlType;

/// How values of a Kusto type are held in Arrow (the table above).
pub trait KqlArrow {
    /// The Arrow type values of this Kusto type are stored as.
    fn arrow(self) -> DataType;
}

impl KqlArrow for KqlType {
    fn arrow(self) -> DataType {
        match self {
            KqlType::Bool => DataType::Boolean,
            KqlType::Int => DataType::Int32,
            KqlType::Long | KqlType::DateTime | KqlType::Timespan => DataType::Int64,
            KqlType::Real => DataType::Float64,
            KqlType::Decimal => DataType::Decimal128(38, 18),
            KqlType::String | KqlType::Guid | KqlType::Dynamic => DataType::Utf8,
        }
    }
}

/// The Kusto type of a stored field: its `kql.type` metadata, else read from the Arrow type.
pub fn of_field(field: &Field) -> Option<KqlType> {
    match field.metadata().get(KQL_TYPE_KEY) {
        Some(name) => KqlType::from_name(name),
        None => from_arrow(field.data_type()),
    }
}

/// The Kusto type for an Arrow type (`Utf8` reads as `string`, `Int64` as `long`).
pub fn from_arrow(dt: &DataType) -> Option<KqlType> {
    Some(match dt {
        DataType::Boolean => KqlType::Bool,
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::UInt8 | DataType::UInt16 => {
            KqlType::Int
        }
        DataType::Int64 | DataType::UInt32 | DataType::UInt64 => KqlType::Long,
        DataType::Float16 | DataType::Float32 | DataType::Float64 => KqlType::Real,
        DataType::Decimal128(..) | DataType::Decimal256(..) => KqlType::Decimal,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => KqlType::String,
        DataType::Timestamp(..) | DataType::Date32 | DataType::Date64 => KqlType::DateTime,
        DataType::Duration(..) => KqlType::Timespan,
        DataType::List(_) | DataType::LargeList(_) | DataType::Struct(_) | DataType::Map(..) => {
            KqlType::Dynamic
        }
        _ => return None,
    })
}
