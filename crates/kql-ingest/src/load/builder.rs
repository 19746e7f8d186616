//! Builds Arrow columns for a Kusto schema from JSON values, with Kusto's conversions: strings are
//! never null, JSON objects in string columns become JSON text, datetimes are parsed to ticks.

use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::Result;
use kql_common::time;
use kql_functions::convert::{parse_bool, parse_guid, parse_real};
use kql_functions::{KqlSchema, KqlType};
use serde_json::Value;
use std::borrow::Cow;
use std::sync::Arc;

enum Col {
    Str(StringBuilder),
    Long(Int64Builder),
    Int(Int32Builder),
    Real(Float64Builder),
    Bool(BooleanBuilder),
}

/// Accumulates rows for one schema.
pub struct RowBuilder {
    schema: KqlSchema,
    cols: Vec<Col>,
    rows: usize,
}

impl RowBuilder {
    /// A builder for `schema`.
    pub fn new(schema: KqlSchema) -> RowBuilder {
        let cols = schema
            .fields
            .iter()
            .map(|f| match f.ty {
                KqlType::String | KqlType::Guid | KqlType::Dynamic => {
                    Col::Str(StringBuilder::new())
                }
                KqlType::Long | KqlType::DateTime | KqlType::Timespan => {
                    Col::Long(Int64Builder::new())
                }
                KqlType::Int => Col::Int(Int32Builder::new()),
                KqlType::Real | KqlType::Decimal => Col::Real(Float64Builder::new()),
                KqlType::Bool => Col::Bool(BooleanBuilder::new()),
            })
            .collect();
        RowBuilder {
            schema,
            cols,
            rows: 0,
        }
    }

    /// Sizes the (still empty) builders for `rows` more rows holding about `bytes[i]` bytes of
    /// text in column `i`: buffers grown by doubling are copied and faulted in about twice over.
    pub fn reserve(&mut self, rows: usize, bytes: &[usize]) {
        if self.rows > 0 {
            return;
        }
        for (col, bytes) in self.cols.iter_mut().zip(bytes) {
            match col {
                Col::Str(b) => *b = StringBuilder::with_capacity(rows, *bytes),
                Col::Long(b) => *b = Int64Builder::with_capacity(rows),
                _ => {}
            }
        }
    }

    /// Rows appended so far.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether no rows were appended.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// Checks and converts one record given as raw JSON texts per column (schema order; `None`
    /// when the key is absent). `Err` names the first bad column; nothing is appended on error.
    pub fn append_raw(&mut self, values: &[Option<&str>]) -> std::result::Result<(), String> {
        let mut converted = Vec::with_capacity(self.cols.len());
        for (f, v) in self.schema.fields.iter().zip(values) {
            converted
                .push(convert_raw(*v, f.ty).map_err(|why| format!("column `{}`: {why}", f.name))?);
        }
        self.push(converted);
        Ok(())
    }

    /// Appends one converted record (one cell per column).
    fn push(&mut self, converted: Vec<Cell<'_>>) {
        for (col, value) in self.cols.iter_mut().zip(converted) {
            match (col, value) {
                (Col::Str(b), Cell::Str(s)) => b.append_option(s),
                (Col::Long(b), Cell::Long(v)) => b.append_option(v),
                (Col::Int(b), Cell::Long(v)) => {
                    b.append_option(v.and_then(|v| i32::try_from(v).ok()))
                }
                (Col::Real(b), Cell::Real(v)) => b.append_option(v),
                (Col::Bool(b), Cell::Bool(v)) => b.append_option(v),
                _ => {}
            }
        }
        self.rows += 1;
    }

    /// Checks and converts one record; `Err` names the first bad column. Nothing is appended on
    /// error, so a rejected record leaves no trace.
    pub fn append<'v>(
        &mut self,
        get: impl Fn(&str) -> Option<&'v Value>,
    ) -> std::result::Result<(), String> {
        let mut converted = Vec::with_capacity(self.cols.len());
        for f in &self.schema.fields {
            let v = get(&f.name);
            converted.push(convert(v, f.ty).map_err(|why| format!("column `{}`: {why}", f.name))?);
        }
        self.push(converted);
        Ok(())
    }

    /// The rows as one record batch (the builder is emptied).
    pub fn finish(&mut self) -> Result<RecordBatch> {
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::Str(b) => Arc::new(b.finish()),
                    Col::Long(b) => Arc::new(b.finish()),
                    Col::Int(b) => Arc::new(b.finish()),
                    Col::Real(b) => Arc::new(b.finish()),
                    Col::Bool(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        Ok(RecordBatch::try_new(self.schema.to_arrow(), arrays)?)
    }
}

enum Cell<'a> {
    Str(Option<Cow<'a, str>>),
    Long(Option<i64>),
    Real(Option<f64>),
    Bool(Option<bool>),
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Converts a JSON value for a column of type `ty`.
fn convert(v: Option<&Value>, ty: KqlType) -> std::result::Result<Cell<'static>, String> {
    let v = v.filter(|v| !v.is_null());
    let bad = |what: &str, v: &Value| format!("`{}` is not a {what}", shorten(&text_of(v)));
    Ok(match ty {
        KqlType::String => Cell::Str(Some(Cow::Owned(v.map(text_of).unwrap_or_default()))),
        KqlType::Guid => {
            Cell::Str(v.map(|v| Cow::Owned(parse_guid(&text_of(v)).unwrap_or_else(|| text_of(v)))))
        }
        KqlType::Dynamic => Cell::Str(v.map(|v| Cow::Owned(v.to_string()))),
        KqlType::Long | KqlType::Int => Cell::Long(match v {
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v @ (Value::Number(_) | Value::String(_))) => Some(
                exact_integer(&text_of(v), ty)
                    .map_err(|why| format!("{}{why}", bad(ty.name(), v)))?,
            ),
            Some(Value::Bool(b)) => Some(i64::from(*b)),
            Some(other) => return Err(bad(ty.name(), other)),
        }),
        KqlType::Real | KqlType::Decimal => Cell::Real(match v {
            None => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v @ Value::String(s)) => Some(parse_real(s).ok_or_else(|| bad("real", v))?),
            Some(other) => return Err(bad("real", other)),
        }),
        KqlType::Bool => Cell::Bool(match v {
            None => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(v @ Value::String(s)) => Some(parse_bool(s).ok_or_else(|| bad("bool", v))?),
            Some(Value::Number(n)) => Some(n.as_f64().is_some_and(|x| x != 0.0)),
            Some(other) => return Err(bad("bool", other)),
        }),
        KqlType::DateTime => Cell::Long(match v {
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v @ Value::String(s)) => {
                Some(time::parse_datetime(s).ok_or_else(|| bad("datetime", v))?)
            }
            Some(other) => return Err(bad("datetime", other)),
        }),
        KqlType::Timespan => Cell::Long(match v {
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v @ Value::String(s)) => {
                Some(kql_common::timespan::parse_text(s).ok_or_else(|| bad("timespan", v))?)
            }
            Some(v @ Value::Number(_)) => Some(
                exact_integer(&text_of(v), KqlType::Long)
                    .map_err(|why| format!("{}{why}", bad("timespan", v)))?,
            ),
            Some(other) => return Err(bad("timespan", other)),
        }),
    })
}

/// The integer a number or numeric text stands for, for a column of type `ty` (`long` or
/// `int`). A fraction or a value out of the type's range is an error (the suffix of the
/// rejection's reason), never a value cut or clamped without a word.
fn exact_integer(text: &str, ty: KqlType) -> std::result::Result<i64, &'static str> {
    let text = text.trim();
    let n = match text.parse::<i64>() {
        Ok(n) => n,
        Err(_) => {
            let r = parse_real(text).ok_or("")?;
            if !r.is_finite() {
                return Err("");
            }
            if r.fract() != 0.0 {
                return Err(" (it has a fraction)");
            }
            // 2^63 is the first real past the end of long; every integral real below it fits.
            if !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&r) {
                return Err(" (out of range)");
            }
            r as i64
        }
    };
    if ty == KqlType::Int && i32::try_from(n).is_err() {
        return Err(" (out of range)");
    }
    Ok(n)
}

fn shorten(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s.to_owned()
    }
}

/// Converts raw JSON text (a value as it appears in the record) for a column of type `ty`. Parses
/// the common shapes directly (strings, numbers, ISO datetimes) and falls back to `serde_json`.
fn convert_raw(v: Option<&str>, ty: KqlType) -> std::result::Result<Cell<'_>, String> {
    use kql_functions::json::string_text;
    let v = v.filter(|t| *t != "null");
    let Some(raw) = v else {
        return convert(None, ty);
    };
    let quoted = raw.starts_with('"');
    match ty {
        KqlType::String => Ok(Cell::Str(Some(if quoted {
            string_text(raw)
                .ok_or_else(|| format!("`{}` is not a valid JSON string", shorten(raw)))?
        } else {
            Cow::Borrowed(raw)
        }))),
        KqlType::Long | KqlType::Int if !quoted => match raw.parse::<i64>() {
            Ok(n) if ty == KqlType::Long => Ok(Cell::Long(Some(n))),
            // Numbers are judged on their text as written (a float's text would round them).
            _ if raw.starts_with(|c: char| c == '-' || c.is_ascii_digit()) => {
                exact_integer(raw, ty)
                    .map(|n| Cell::Long(Some(n)))
                    .map_err(|why| format!("`{}` is not a {}{why}", shorten(raw), ty.name()))
            }
            _ => convert(Some(&parse_value(raw)?), ty),
        },
        KqlType::DateTime if quoted => {
            let text = string_text(raw)
                .ok_or_else(|| format!("`{}` is not a valid JSON string", shorten(raw)))?;
            match time::parse_iso_utc(&text) {
                Some(t) => Ok(Cell::Long(Some(t))),
                None => convert(Some(&Value::String(text.into_owned())), ty),
            }
        }
        KqlType::Dynamic => Ok(Cell::Str(Some(Cow::Borrowed(raw)))),
        _ => convert(Some(&parse_value(raw)?), ty),
    }
}

fn parse_value(raw: &str) -> std::result::Result<Value, String> {
    serde_json::from_str(raw).map_err(|e| format!("`{}` is not valid JSON: {e}", shorten(raw)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;

    fn one_column(ty: KqlType) -> RowBuilder {
        RowBuilder::new(KqlSchema::new([("x".to_owned(), ty)]))
    }

    /// Appends `json` (as parsed and as raw text) to a column of `ty`: the outcome of both paths.
    fn load(ty: KqlType, json: &str) -> std::result::Result<(), String> {
        let parsed: Value = serde_json::from_str(json).unwrap();
        let by_value = one_column(ty).append(|_| Some(&parsed));
        let by_text = one_column(ty).append_raw(&[Some(json)]);
        assert_eq!(
            by_value.is_ok(),
            by_text.is_ok(),
            "{json}: {by_value:?} {by_text:?}"
        );
        by_value
    }

    #[test]
    fn numbers_that_do_not_fit_are_rejected_not_cut() {
        for (ty, json) in [
            (KqlType::Long, "18446744073709551616"),
            (KqlType::Long, "9223372036854775808"),
            (KqlType::Long, "1.5"),
            (KqlType::Long, "\"1.5\""),
            (KqlType::Long, "1e300"),
            (KqlType::Int, "2147483648"),
            (KqlType::Int, "\"-2147483649\""),
            (KqlType::Int, "0.25"),
            (KqlType::Timespan, "1.5"),
            (KqlType::Timespan, "1e30"),
        ] {
            let err = load(ty, json).unwrap_err();
            assert!(err.starts_with("column `x`:"), "{json}: {err}");
        }
    }

    #[test]
    fn numbers_that_fit_load() {
        for (ty, json) in [
            (KqlType::Long, "9223372036854775807"),
            (KqlType::Long, "-9223372036854775808"),
            (KqlType::Long, "1e3"),
            (KqlType::Long, "\"42\""),
            (KqlType::Int, "2147483647"),
            (KqlType::Int, "-2.0"),
            (KqlType::Timespan, "600000000"),
        ] {
            load(ty, json).unwrap();
        }
        let err = load(KqlType::Long, "1.5").unwrap_err();
        assert!(err.contains("fraction"), "{err}");
        // The number as written, not as a float would print it.
        let err = one_column(KqlType::Long)
            .append_raw(&[Some("18446744073709551616")])
            .unwrap_err();
        assert!(
            err.contains("`18446744073709551616` is not a long (out of range)"),
            "{err}"
        );
    }
}
