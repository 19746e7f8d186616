//! `--schema [NAME=]FILE`: table schemas in the shape Microsoft Sentinel's CustomTables files use:
//! `{"Name": "T", "Properties": [{"Name": "Col", "Type": "string"}]}`, a list of those, or an
//! object with a `tables` list; or the output of `T | getschema` saved from Log Analytics as CSV
//! or JSON (rows of ColumnName, ColumnOrdinal, DataType, ColumnType), for the table NAME (the
//! file's name without its extension by default). Type names are Kusto's (`string`, `long`,
//! `datetime`, ...) in any case, plus .NET spellings (`Int32`, `Int64`, `Double`, `DateTime`,
//! `TimeSpan`, `Guid`, `Boolean`).

use kql_workspace::{KqlSchema, KqlType};
use serde_json::Value;
use std::path::Path;

fn type_of(name: &str) -> Option<KqlType> {
    let lower = name.trim().to_ascii_lowercase();
    let lower = lower.strip_prefix("system.").unwrap_or(&lower);
    KqlType::from_name(lower).or(match lower {
        "int32" | "integer" => Some(KqlType::Int),
        "int64" => Some(KqlType::Long),
        "double" | "float" | "single" => Some(KqlType::Real),
        "timespan" => Some(KqlType::Timespan),
        "boolean" | "sbyte" => Some(KqlType::Bool),
        "object" => Some(KqlType::Dynamic),
        _ => None,
    })
}

fn table(v: &Value) -> Result<(String, KqlSchema), String> {
    let get = |o: &Value, k: &str| o.get(k).or_else(|| o.get(k.to_ascii_lowercase())).cloned();
    let name = get(v, "Name")
        .and_then(|n| n.as_str().map(str::to_owned))
        .ok_or("a table without a \"Name\"")?;
    let props = get(v, "Properties")
        .or_else(|| get(v, "Columns"))
        .ok_or(format!("table {name} has no \"Properties\""))?;
    let props = props
        .as_array()
        .ok_or(format!("\"Properties\" of {name} is not a list"))?;
    let mut cols = Vec::new();
    for p in props {
        let col = get(p, "Name")
            .and_then(|n| n.as_str().map(str::to_owned))
            .ok_or(format!("a column of {name} has no \"Name\""))?;
        let ty_name = get(p, "Type")
            .and_then(|n| n.as_str().map(str::to_owned))
            .unwrap_or_else(|| "string".to_owned());
        let ty = type_of(&ty_name).ok_or(format!(
            "column {name}.{col}: `{ty_name}` is not a Kusto type"
        ))?;
        cols.push((col, ty));
    }
    Ok((name, KqlSchema::new(cols)))
}

/// A `getschema` result's rows (ColumnName, ColumnType or DataType) as a schema.
fn getschema_rows(rows: &[(String, String)], name: &str) -> Result<KqlSchema, String> {
    let cols = rows
        .iter()
        .map(|(col, ty)| {
            type_of(ty)
                .map(|t| (col.clone(), t))
                .ok_or(format!("column {name}.{col}: `{ty}` is not a Kusto type"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(KqlSchema::new(cols))
}

/// The (ColumnName, type) pairs of getschema rows as JSON objects, if they are that.
fn getschema_json(v: &Value) -> Option<Vec<(String, String)>> {
    let rows = match v {
        Value::Array(rows) => rows.clone(),
        // A query API response: {"tables": [{"columns": [...], "rows": [[...]]}]}.
        Value::Object(o) => {
            let t = o.get("tables")?.get(0)?;
            let names: Vec<String> = t
                .get("columns")?
                .as_array()?
                .iter()
                .map(|c| {
                    c.get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
            t.get("rows")?
                .as_array()?
                .iter()
                .filter_map(|r| r.as_array())
                .map(|r| Value::Object(names.iter().cloned().zip(r.iter().cloned()).collect()))
                .collect()
        }
        _ => return None,
    };
    rows.iter()
        .map(|r| {
            let col = r.get("ColumnName")?.as_str()?.to_owned();
            let ty = r
                .get("ColumnType")
                .or_else(|| r.get("DataType"))?
                .as_str()?
                .to_owned();
            Some((col, ty))
        })
        .collect::<Option<Vec<_>>>()
        .filter(|rows| !rows.is_empty())
}

/// The (ColumnName, type) pairs of a getschema result saved as CSV.
fn getschema_csv(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().map_err(|e| e.to_string())?.clone();
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
    };
    let col = at("ColumnName").ok_or("no ColumnName column")?;
    let ty = at("ColumnType")
        .or_else(|| at("DataType"))
        .ok_or("no ColumnType or DataType column")?;
    reader
        .records()
        .map(|r| {
            let r = r.map_err(|e| e.to_string())?;
            Ok((
                r.get(col).unwrap_or_default().to_owned(),
                r.get(ty).unwrap_or_default().to_owned(),
            ))
        })
        .collect()
}

/// Reads the tables of `--schema [NAME=]FILE`.
pub(crate) fn read_spec(spec: &str) -> Result<Vec<(String, KqlSchema)>, String> {
    let (name, path) = match spec.split_once('=') {
        Some((n, p)) if !n.is_empty() && !n.contains(['/', '\\']) => (Some(n), Path::new(p)),
        _ => (None, Path::new(spec)),
    };
    let table_name = || {
        name.map(str::to_owned).unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {}", path.display(), crate::files::describe(&e)))?;
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        let rows = getschema_csv(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let t = table_name();
        return getschema_rows(&rows, &t)
            .map(|s| vec![(t, s)])
            .map_err(|e| format!("{}: {e}", path.display()));
    }
    let v: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    if let Some(rows) = getschema_json(&v) {
        let t = table_name();
        return getschema_rows(&rows, &t)
            .map(|s| vec![(t, s)])
            .map_err(|e| format!("{}: {e}", path.display()));
    }
    read_custom_tables(path, &v)
}

/// Sentinel CustomTables JSON.
fn read_custom_tables(path: &Path, v: &Value) -> Result<Vec<(String, KqlSchema)>, String> {
    let list = match v {
        Value::Array(items) => items.clone(),
        Value::Object(o) if o.contains_key("tables") => o
            .get("tables")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        Value::Object(_) => vec![v.clone()],
        _ => {
            return Err(format!(
                "{}: expected a table object or a list of them",
                path.display()
            ));
        }
    };
    list.iter()
        .map(table)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))
}
