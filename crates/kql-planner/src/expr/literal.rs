//! Literals to typed DataFusion literals.

use super::Typed;
use crate::diag::{R, err};
use crate::functions::convert::parse_guid;
use crate::planner::KqlToRel;
use crate::types::KqlType;
use datafusion_common::ScalarValue;
use datafusion_common::arrow::datatypes::DataType;
use datafusion_expr::lit;
use kql_common::{codes, time};
use kql_parser::ast::{DynamicValue, Literal, LiteralValue};

/// JSON for a `dynamic(...)` literal; datetimes and timespans become strings as Kusto prints them.
pub(crate) fn dynamic_json(v: &DynamicValue) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        DynamicValue::Null => J::Null,
        DynamicValue::Bool(b) => J::Bool(*b),
        DynamicValue::Long(n) => J::from(*n),
        DynamicValue::Real(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
        DynamicValue::String(s) => J::String(s.clone()),
        DynamicValue::Array(a) => J::Array(a.iter().map(dynamic_json).collect()),
        DynamicValue::Object(o) => J::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), dynamic_json(v)))
                .collect(),
        ),
        DynamicValue::Scalar(s) => match s.as_ref() {
            LiteralValue::DateTime(t) => {
                time::parse_datetime(t).map_or(J::Null, |t| J::String(time::format_datetime(t)))
            }
            LiteralValue::Timespan(t) => J::String(time::format_timespan(*t)),
            LiteralValue::Long(n) => J::from(*n),
            LiteralValue::Int(n) => J::from(*n),
            LiteralValue::Real(x) => serde_json::Number::from_f64(*x).map_or(J::Null, J::Number),
            LiteralValue::Bool(b) => J::Bool(*b),
            LiteralValue::String(s) | LiteralValue::Guid(s) | LiteralValue::Decimal(s) => {
                J::String(s.clone())
            }
            LiteralValue::Dynamic(d) => dynamic_json(d),
            LiteralValue::Null(_) => J::Null,
        },
    }
}

impl KqlToRel<'_> {
    pub(crate) fn literal(&self, l: &Literal) -> R<Typed> {
        let (value, ty) = match &l.value {
            LiteralValue::String(s) => (ScalarValue::Utf8(Some(s.clone())), KqlType::String),
            LiteralValue::Bool(b) => (ScalarValue::Boolean(Some(*b)), KqlType::Bool),
            LiteralValue::Int(i) => (ScalarValue::Int32(Some(*i)), KqlType::Int),
            LiteralValue::Long(i) => (ScalarValue::Int64(Some(*i)), KqlType::Long),
            LiteralValue::Real(x) => (ScalarValue::Float64(Some(*x)), KqlType::Real),
            LiteralValue::Decimal(text) => {
                let v = ScalarValue::Utf8(Some(text.clone()))
                    .cast_to(&DataType::Decimal128(38, 18))
                    .or_else(|_| {
                        err(
                            codes::INVALID_VALUE,
                            format!("`{text}` is not a valid decimal"),
                            l.span,
                        )
                    })?;
                (v, KqlType::Decimal)
            }
            LiteralValue::DateTime(text) => match time::parse_datetime(text) {
                Some(t) => (ScalarValue::Int64(Some(t)), KqlType::DateTime),
                None => {
                    return err(codes::INVALID_VALUE, format!("`{text}` is not a valid datetime"), l.span).map_err(|d| {
                        d.with_help("use ISO 8601, for example datetime(2026-11-25) or datetime(2026-11-25T10:00:00Z)")
                    });
                }
            },
            LiteralValue::Timespan(t) => (ScalarValue::Int64(Some(*t)), KqlType::Timespan),
            LiteralValue::Guid(text) => match parse_guid(text) {
                Some(g) => (ScalarValue::Utf8(Some(g)), KqlType::Guid),
                None => {
                    return err(
                        codes::INVALID_VALUE,
                        format!("`{text}` is not a valid guid"),
                        l.span,
                    );
                }
            },
            LiteralValue::Dynamic(d) => match d {
                DynamicValue::Null => (ScalarValue::Utf8(None), KqlType::Dynamic),
                other => (
                    ScalarValue::Utf8(Some(dynamic_json(other).to_string())),
                    KqlType::Dynamic,
                ),
            },
            LiteralValue::Null(t) => {
                let ty = *t;
                return Ok(Typed::new(super::null_of(ty), ty));
            }
        };
        Ok(Typed::new(lit(value), ty))
    }
}
