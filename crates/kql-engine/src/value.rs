//! Result values as text and JSON, in the forms the Log Analytics query API uses: datetimes as
//! ISO 8601 UTC with `Z`, timespans as `[-][d.]hh:mm:ss[.fffffff]`, dynamic values as JSON.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use kql_common::time;
use kql_planner::KqlType;
use kql_planner::functions::convert::format_real;
use serde_json::Value;

/// The value at `row` as JSON (`null` for null).
pub fn json_value(a: &ArrayRef, row: usize, ty: KqlType) -> Value {
    if a.is_null(row) {
        return Value::Null;
    }
    match (ty, a.data_type()) {
        (KqlType::DateTime, DataType::Int64) => Value::String(time::format_datetime(
            a.as_primitive::<Int64Type>().value(row),
        )),
        (KqlType::Timespan, DataType::Int64) => Value::String(time::format_timespan(
            a.as_primitive::<Int64Type>().value(row),
        )),
        (KqlType::Dynamic, DataType::Utf8) => {
            let text = a.as_string::<i32>().value(row);
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()))
        }
        (_, DataType::Int64) => Value::from(a.as_primitive::<Int64Type>().value(row)),
        (_, DataType::Int32) => Value::from(a.as_primitive::<Int32Type>().value(row)),
        (_, DataType::Float64) => {
            let x = a.as_primitive::<Float64Type>().value(row);
            serde_json::Number::from_f64(x)
                .map_or_else(|| Value::String(format_real(x)), Value::Number)
        }
        (_, DataType::Boolean) => Value::Bool(a.as_boolean().value(row)),
        (_, DataType::Utf8) => Value::String(a.as_string::<i32>().value(row).to_owned()),
        (_, DataType::Utf8View) => Value::String(a.as_string_view().value(row).to_owned()),
        _ => Value::String(
            datafusion::arrow::util::display::array_value_to_string(a, row).unwrap_or_default(),
        ),
    }
}

/// The value at `row` as display text; `None` for null.
pub fn text_value(a: &ArrayRef, row: usize, ty: KqlType) -> Option<String> {
    match json_value(a, row, ty) {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Number(n) if ty == KqlType::Real => {
            Some(format_real(n.as_f64().unwrap_or(f64::NAN)))
        }
        other => Some(other.to_string()),
    }
}
