//! Log Analytics rows as NDJSON: one JSON object per line, keys are column names.

use super::builder::RowBuilder;
use super::{LoadReport, Rejection};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::Result;
use kql_planner::KqlSchema;

/// Rows per record batch.
const BATCH_ROWS: usize = 65_536;

/// Parses NDJSON `text` (named `file` in reports) into batches of `schema`. Blank lines are
/// skipped; a line that is not a JSON object, or whose values do not convert, is rejected.
pub fn read_ndjson(
    file: &str,
    text: &str,
    schema: &KqlSchema,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    let mut report = LoadReport {
        file: file.to_owned(),
        ..LoadReport::default()
    };
    let mut builder = RowBuilder::new(schema.clone());
    let mut batches = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let parsed: std::result::Result<serde_json::Map<String, serde_json::Value>, _> =
            serde_json::from_str(line);
        let outcome = match parsed {
            Ok(obj) => builder.append(|c| obj.get(c)),
            Err(e) => Err(format!("not a JSON object: {e}")),
        };
        match outcome {
            Ok(()) => report.loaded += 1,
            Err(reason) => report.rejected.push(Rejection {
                line: n + 1,
                reason,
            }),
        }
        if builder.len() >= BATCH_ROWS {
            batches.push(builder.finish()?);
        }
    }
    if !builder.is_empty() {
        batches.push(builder.finish()?);
    }
    Ok((batches, report))
}
