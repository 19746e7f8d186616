//! A result's rows as JSON objects (column name to value, as the query API writes them), for the
//! commands that read a query's answer rather than print it.

use kql_output::results::{ResultFormat, write_result};
use kql_workspace::KqlResult;
use serde_json::Value;

pub(crate) fn rows(result: &KqlResult) -> Result<Vec<Value>, String> {
    let mut ndjson = Vec::new();
    write_result(
        &mut ndjson,
        &result.schema,
        &result.batches,
        None,
        ResultFormat::Ndjson,
        usize::MAX,
    )
    .map_err(|e| e.to_string())?;
    String::from_utf8_lossy(&ndjson)
        .lines()
        .map(|l| serde_json::from_str(l).map_err(|e| e.to_string()))
        .collect()
}
