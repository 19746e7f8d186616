//! `--schema FILE`: table schemas in the shape Microsoft Sentinel's CustomTables files use:
//! `{"Name": "T", "Properties": [{"Name": "Col", "Type": "string"}]}`, a list of those, or an
//! object with a `tables` list. Type names are Kusto's (`string`, `long`, `datetime`, ...) in any
//! case, plus .NET spellings (`Int32`, `Int64`, `Double`, `DateTime`, `TimeSpan`, `Guid`, `Boolean`).

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

/// Reads the tables of a schema file.
pub(crate) fn read(path: &Path) -> Result<Vec<(String, KqlSchema)>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {}", path.display(), crate::files::describe(&e)))?;
    let v: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: not JSON: {e}", path.display()))?;
    let list = match &v {
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
