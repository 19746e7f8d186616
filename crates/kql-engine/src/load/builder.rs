//! Builds Arrow columns for a Kusto schema from JSON values, with Kusto's conversions: strings are
//! never null, JSON objects in string columns become JSON text, datetimes are parsed to ticks.

use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int32Builder, Int64Builder, StringBuilder,
};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::Result;
use kql_common::time;
use kql_planner::functions::convert::{parse_bool, parse_guid, parse_long, parse_real};
use kql_planner::{KqlSchema, KqlType};
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
            Some(Value::Number(n)) => n.as_i64().or_else(|| n.as_f64().map(|x| x.trunc() as i64)),
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v @ Value::String(s)) => Some(parse_long(s).ok_or_else(|| bad(ty.name(), v))?),
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
                Some(kql_parser::parse_timespan_text(s).ok_or_else(|| bad("timespan", v))?)
            }
            Some(Value::Number(n)) => n.as_i64(),
            Some(other) => return Err(bad("timespan", other)),
        }),
    })
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
    use kql_planner::functions::json::string_text;
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
            Ok(n) => Ok(Cell::Long(Some(n))),
            Err(_) => convert(Some(&parse_value(raw)?), ty),
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
