//! Result values as text and JSON, in the forms the Log Analytics query API uses: datetimes as
//! ISO 8601 UTC with `Z`, timespans as `[-][d.]hh:mm:ss[.fffffff]`, dynamic values as JSON.

use crate::KqlType;
use crate::convert::format_real;
use datafusion_common::arrow::array::{Array, ArrayRef, AsArray};
use datafusion_common::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use kql_common::time;
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
            datafusion_common::arrow::util::display::array_value_to_string(a, row)
                .unwrap_or_default(),
        ),
    }
}

/// Writes the value at `row` as JSON, as [`json_value`] would print it, without building it:
/// strings are escaped straight into `out`, and dynamic JSON text that is valid and on one line
/// is copied as it is.
pub fn write_json_value(
    out: &mut impl std::io::Write,
    a: &ArrayRef,
    row: usize,
    ty: KqlType,
) -> std::io::Result<()> {
    if a.is_null(row) {
        return out.write_all(b"null");
    }
    match (ty, a.data_type()) {
        (KqlType::Dynamic, DataType::Utf8) => {
            let text = a.as_string::<i32>().value(row);
            if is_compact(text) && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
                return out.write_all(text.as_bytes());
            }
        }
        (KqlType::DateTime | KqlType::Timespan, _) => {}
        (_, DataType::Utf8) => {
            return serde_json::to_writer(&mut *out, a.as_string::<i32>().value(row))
                .map_err(std::io::Error::other);
        }
        (_, DataType::Int64) => {
            return write!(out, "{}", a.as_primitive::<Int64Type>().value(row));
        }
        _ => {}
    }
    serde_json::to_writer(&mut *out, &json_value(a, row, ty)).map_err(std::io::Error::other)
}

/// Whether JSON text has no whitespace outside its strings (so it prints as serde_json would).
fn is_compact(text: &str) -> bool {
    let (mut in_string, mut escaped) = (false, false);
    text.bytes().all(|b| {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            true
        } else {
            in_string = b == b'"';
            !b.is_ascii_whitespace()
        }
    })
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

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;
    use datafusion_common::arrow::array::{Int64Array, StringArray};
    use std::sync::Arc;

    fn written(a: ArrayRef, ty: KqlType) -> Vec<String> {
        (0..a.len())
            .map(|r| {
                let mut out = Vec::new();
                write_json_value(&mut out, &a, r, ty).unwrap();
                String::from_utf8(out).unwrap()
            })
            .collect()
    }

    #[test]
    fn written_json_matches_the_built_value() {
        let dynamic: ArrayRef = Arc::new(StringArray::from(vec![
            Some(r#"{"a":"x y","b":[1,2]}"#),
            Some(r#"{"a": 1}"#),
            Some(r#"{"q":"say \"hi\" \\"}"#),
            Some("not json"),
            None,
        ]));
        let strings: ArrayRef = Arc::new(StringArray::from(vec![Some("a\"b\n"), Some("")]));
        let times: ArrayRef = Arc::new(Int64Array::from(vec![kql_common::time::UNIX_EPOCH_TICKS]));
        for (a, ty) in [
            (dynamic, KqlType::Dynamic),
            (strings, KqlType::String),
            (times, KqlType::DateTime),
        ] {
            let built: Vec<String> = (0..a.len())
                .map(|r| json_value(&a, r, ty).to_string())
                .collect();
            assert_eq!(written(a, ty), built);
        }
    }

    #[test]
    fn compact_means_no_space_outside_strings() {
        assert!(is_compact(r#"{"a":"x y"}"#));
        assert!(is_compact(r#"{"a":"\" "}"#));
        assert!(!is_compact(r#"{"a": "x"}"#));
        assert!(!is_compact("[1,\n2]"));
    }
}
