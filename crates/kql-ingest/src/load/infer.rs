//! Any file as a table of its own (`--table NAME=PATH`): records from JSON Lines, a JSON array,
//! a `{"value"|"records": [...]}` wrapper, a query API response or a CSV file, with the Kusto type
//! of each column inferred from its values. Columns keep the order of their first appearance.

use super::builder::RowBuilder;
use super::{LoadReport, Rejection};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result};
use kql_common::time;
use kql_functions::{KqlField, KqlSchema, KqlType};
use serde_json::{Map, Value};
use std::io::Read;
use std::path::Path;

/// Records read from a file, with the types its format states (query API columns).
struct Records {
    rows: Vec<(usize, Map<String, Value>)>,
    stated: Vec<KqlField>,
    /// Whether values are untyped text (CSV): types come from what the text parses as.
    text: bool,
    shape: &'static str,
}

/// Loads `path` as a table whose schema is inferred from its content.
pub fn load_inferred(path: &Path) -> Result<(KqlSchema, Vec<RecordBatch>, LoadReport)> {
    let name = path.display().to_string();
    let mut raw = Vec::new();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(&mut raw))
        .map_err(|e| DataFusionError::Execution(format!("{name}: {e}")))?;
    if raw.starts_with(b"PAR1") {
        let file = std::fs::File::open(path).map_err(DataFusionError::IoError)?;
        let builder =
            datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(
                file,
            )?;
        let schema = KqlSchema::from_arrow(builder.schema());
        let (batches, report) = super::parquet::read_snapshot_file(path, &schema)?;
        return Ok((schema, batches, report));
    }
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(raw.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| DataFusionError::Execution(format!("{name}: cannot decompress: {e}")))?;
        raw = out;
    }
    let body = raw.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&raw);
    let mut report = LoadReport::new(name.clone(), "");
    let records = read_records(body, &mut report.rejected)
        .map_err(|e| DataFusionError::Execution(format!("{name}: {e}")))?;
    report.shape = records.shape;
    let schema = infer(&records);
    let mut builder = RowBuilder::new(schema.clone());
    for (line, row) in &records.rows {
        match builder.append(|c| row.get(c)) {
            Ok(()) => report.loaded += 1,
            Err(reason) => report.rejected.push(Rejection {
                line: *line,
                reason,
            }),
        }
    }
    let batches = if builder.is_empty() {
        Vec::new()
    } else {
        vec![builder.finish()?]
    };
    Ok((schema, batches, report))
}

fn read_records(
    body: &[u8],
    rejected: &mut Vec<Rejection>,
) -> std::result::Result<Records, String> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let records = |rows, shape| Records {
        rows,
        stated: Vec::new(),
        text: false,
        shape,
    };
    let Some(start) = start else {
        return Ok(records(Vec::new(), "empty"));
    };
    if body.iter().take(4096).any(|b| *b == 0) {
        return Err("binary content: not JSON or CSV".into());
    }
    let objects = |items: Vec<Value>, rejected: &mut Vec<Rejection>| {
        let mut rows = Vec::new();
        for (i, v) in items.into_iter().enumerate() {
            match v {
                Value::Object(o) => rows.push((i + 1, o)),
                other => rejected.push(Rejection {
                    line: i + 1,
                    reason: format!("element {} is not an object: {}", i + 1, kind(&other)),
                }),
            }
        }
        rows
    };
    match body[start] {
        b'[' => match serde_json::from_slice::<Value>(body) {
            Ok(Value::Array(items)) => Ok(records(objects(items, rejected), "JSON array")),
            Ok(_) => Err("not a JSON array".into()),
            Err(e) => Err(format!("not valid JSON: {e} (the file may be truncated)")),
        },
        b'{' => match serde_json::from_slice::<Map<String, Value>>(body) {
            Ok(mut doc) => {
                if let Some(Value::Array(tables)) = doc.get_mut("tables") {
                    return query_api(tables);
                }
                for key in ["value", "records"] {
                    if let Some(Value::Array(items)) = doc.remove(key) {
                        return Ok(records(objects(items, rejected), "JSON records"));
                    }
                }
                Ok(records(vec![(1, doc)], "JSON object"))
            }
            Err(_) => Ok(records(json_lines(body, rejected), "JSON Lines")),
        },
        _ => csv_records(body, rejected),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn json_lines(body: &[u8], rejected: &mut Vec<Rejection>) -> Vec<(usize, Map<String, Value>)> {
    let mut rows = Vec::new();
    for (i, line) in body.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Value>(line) {
            Ok(Value::Object(o)) => rows.push((i + 1, o)),
            Ok(other) => rejected.push(Rejection {
                line: i + 1,
                reason: format!("not a JSON object: {}", kind(&other)),
            }),
            Err(e) => rejected.push(Rejection {
                line: i + 1,
                reason: format!("not valid JSON: {e}"),
            }),
        }
    }
    rows
}

fn query_api(tables: &mut [Value]) -> std::result::Result<Records, String> {
    let Some(table) = tables.first_mut() else {
        return Err("the query API response has no tables".into());
    };
    let columns: Vec<KqlField> = table
        .get("columns")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| KqlField {
            name: c
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned(),
            ty: c
                .get("type")
                .and_then(Value::as_str)
                .and_then(KqlType::from_name)
                .unwrap_or(KqlType::String),
        })
        .collect();
    let rows = match table.get_mut("rows").map(Value::take) {
        Some(Value::Array(rows)) => rows,
        _ => return Err("the query API response's first table has no `rows` array".into()),
    };
    let rows = rows
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let cells = match r {
                Value::Array(cells) => cells,
                _ => Vec::new(),
            };
            let row = columns.iter().map(|c| c.name.clone()).zip(cells).collect();
            (i + 1, row)
        })
        .collect();
    Ok(Records {
        rows,
        stated: columns,
        text: false,
        shape: "Log Analytics query API response",
    })
}

fn csv_records(body: &[u8], rejected: &mut Vec<Rejection>) -> std::result::Result<Records, String> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| format!("not a CSV header: {e}"))?
        .iter()
        .map(|h| super::csv::column_of(h).to_owned())
        .collect();
    let mut rows = Vec::new();
    super::csv::for_each_record(&mut reader, headers.len(), rejected, |line, r| {
        let row = headers
            .iter()
            .cloned()
            .zip(r.iter().map(|f| Value::String(f.to_owned())))
            .collect();
        rows.push((line, row));
        Ok(())
    });
    let stated = headers
        .into_iter()
        .map(|name| KqlField {
            name,
            ty: KqlType::String,
        })
        .collect();
    Ok(Records {
        rows,
        stated,
        text: true,
        shape: "CSV",
    })
}

/// The type one value suggests, `None` for null or empty text.
fn type_of(v: &Value, text: bool) -> Option<KqlType> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(_) => KqlType::Bool,
        Value::Number(n) if n.is_i64() || n.is_u64() => KqlType::Long,
        Value::Number(_) => KqlType::Real,
        Value::String(s) if s.is_empty() => return None,
        Value::String(s) if text && s.parse::<i64>().is_ok() => KqlType::Long,
        Value::String(s) if text && s.parse::<f64>().is_ok() => KqlType::Real,
        Value::String(s) if text && (s == "true" || s == "false") => KqlType::Bool,
        Value::String(s) if time::parse_iso_utc(s).is_some() => KqlType::DateTime,
        Value::String(s) if text && s.contains('/') && time::parse_datetime(s).is_some() => {
            KqlType::DateTime
        }
        Value::String(_) => KqlType::String,
        Value::Array(_) | Value::Object(_) => KqlType::Dynamic,
    })
}

/// The column type for two value types: numbers widen to real; anything else mixed is dynamic
/// for JSON (it holds every value as it was) and string for text.
fn merge(a: KqlType, b: KqlType, text: bool) -> KqlType {
    match (a, b) {
        _ if a == b => a,
        (KqlType::Long, KqlType::Real) | (KqlType::Real, KqlType::Long) => KqlType::Real,
        _ if text => KqlType::String,
        _ => KqlType::Dynamic,
    }
}

fn infer(records: &Records) -> KqlSchema {
    if !records.text && !records.stated.is_empty() {
        return KqlSchema {
            fields: records.stated.clone(),
        };
    }
    let mut fields: Vec<(String, Option<KqlType>)> = records
        .stated
        .iter()
        .map(|f| (f.name.clone(), None))
        .collect();
    for (_, row) in &records.rows {
        for (name, value) in row {
            let i = match fields.iter().position(|(n, _)| n == name) {
                Some(i) => i,
                None => {
                    fields.push((name.clone(), None));
                    fields.len() - 1
                }
            };
            if let Some(t) = type_of(value, records.text) {
                let slot = &mut fields[i].1;
                *slot = Some(slot.map_or(t, |s| merge(s, t, records.text)));
            }
        }
    }
    KqlSchema {
        fields: fields
            .into_iter()
            .map(|(name, ty)| KqlField {
                name,
                ty: ty.unwrap_or(KqlType::String),
            })
            .collect(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;

    fn schema_of(text: &str) -> Vec<String> {
        let mut rejected = Vec::new();
        let records = read_records(text.as_bytes(), &mut rejected).unwrap();
        infer(&records)
            .fields
            .iter()
            .map(|f| format!("{}:{}", f.name, f.ty.name()))
            .collect()
    }

    #[test]
    fn json_lines_types() {
        assert_eq!(
            schema_of(
                "{\"a\": 1, \"b\": \"x\", \"t\": \"2026-11-18T00:00:00Z\"}\n{\"a\": 2.5, \"c\": {\"k\": 1}, \"b\": 3}\n"
            ),
            ["a:real", "b:dynamic", "t:datetime", "c:dynamic"]
        );
    }

    #[test]
    fn csv_types_come_from_the_text() {
        assert_eq!(
            schema_of("Name,Count,Ratio,Ok,When\nx,1,0.5,true,2026-11-18T00:00:00Z\ny,,2,false,\n"),
            [
                "Name:string",
                "Count:long",
                "Ratio:real",
                "Ok:bool",
                "When:datetime"
            ]
        );
    }

    #[test]
    fn a_query_api_response_without_rows_is_an_error() {
        let mut tables: Vec<Value> =
            serde_json::from_str(r#"[{"name": "PrimaryResult", "columns": [], "r[ws": [[1]]}]"#)
                .unwrap();
        assert_eq!(
            query_api(&mut tables).err().as_deref(),
            Some("the query API response's first table has no `rows` array")
        );
    }

    #[test]
    fn wrappers_and_query_api() {
        assert_eq!(schema_of("{\"value\": [{\"id\": \"a\"}]}"), ["id:string"]);
        assert_eq!(
            schema_of(
                "{\"tables\": [{\"name\": \"PrimaryResult\", \"columns\": [{\"name\": \"n\", \"type\": \"long\"}], \"rows\": [[1]]}]}"
            ),
            ["n:long"]
        );
    }
}
