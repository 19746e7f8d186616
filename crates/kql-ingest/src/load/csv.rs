//! The Log Analytics portal's "Export to CSV": a header of column names (the datetime column as
//! `TimeGenerated [UTC]`), US-locale datetimes (`3/14/2025, 9:12:44.123 AM`), RFC 4180 quoting.

use super::builder::RowBuilder;
use super::{LoadReport, Rejection};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::Result;
use kql_functions::KqlSchema;
use serde_json::Value;

/// The column a header names: `TimeGenerated [UTC]` is `TimeGenerated`.
pub(crate) fn column_of(header: &str) -> &str {
    let h = header.trim();
    match h.rfind(" [") {
        Some(p) if h.ends_with(']') => &h[..p],
        _ => h,
    }
}

/// Reads a portal CSV export; columns are matched by header name.
pub fn read_portal_csv(
    name: &str,
    body: &[u8],
    schema: &KqlSchema,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    let mut report = LoadReport::new(name, "Log Analytics CSV export");
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| column_of(h).to_owned()).collect(),
        Err(e) => {
            report.rejected.push(Rejection {
                line: 1,
                reason: format!("not a CSV header: {e}"),
            });
            return Ok((Vec::new(), report));
        }
    };
    // A header of column names only: anything else (the cut tail of another export) holds no
    // records this reader can count, and is rejected whole.
    let is_name = |h: &String| !h.is_empty() && h.chars().all(|c| c.is_alphanumeric() || c == '_');
    if let Some(bad) = headers.iter().find(|h| !is_name(h)) {
        report.rejected.push(Rejection {
            line: 1,
            reason: format!(
                "not a CSV header: `{}` is not a column name",
                bad.chars().take(60).collect::<String>()
            ),
        });
        return Ok((Vec::new(), report));
    }
    if !schema.names().any(|c| headers.iter().any(|h| h == c)) {
        report.rejected.push(Rejection {
            line: 1,
            reason: format!(
                "the header names none of the table's columns (found {})",
                headers.join(", ").chars().take(120).collect::<String>()
            ),
        });
        return Ok((Vec::new(), report));
    }
    let mut builder = RowBuilder::new(schema.clone());
    for_each_record(&mut reader, headers.len(), &mut report.rejected, |_, r| {
        let values: Vec<Value> = r.iter().map(|f| Value::String(f.to_owned())).collect();
        let get = |c: &str| {
            headers
                .iter()
                .position(|h| h == c)
                .and_then(|p| values.get(p))
        };
        builder.append(get).map(|()| report.loaded += 1)
    });
    let batches = if builder.is_empty() {
        Vec::new()
    } else {
        vec![builder.finish()?]
    };
    Ok((batches, report))
}

/// Calls `f` with the line and fields of every well-formed record. Records that are malformed,
/// have the wrong number of fields, or that `f` refuses (with a reason) are added to `rejected`.
pub(crate) fn for_each_record<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
    columns: usize,
    rejected: &mut Vec<Rejection>,
    mut f: impl FnMut(usize, &csv::StringRecord) -> std::result::Result<(), String>,
) {
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line() as usize);
                if r.len() == columns {
                    if let Err(reason) = f(line, &r) {
                        rejected.push(Rejection { line, reason });
                    }
                } else {
                    rejected.push(Rejection {
                        line,
                        reason: format!("{} fields for {} columns", r.len(), columns),
                    });
                }
            }
            Err(e) => rejected.push(Rejection {
                line: e.position().map_or(0, |p| p.line() as usize),
                reason: format!("malformed CSV: {e}"),
            }),
        }
    }
}
