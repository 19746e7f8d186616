//! What a load must satisfy: every record loaded, rejected or dropped as a duplicate, counted
//! against the records the file holds, told independently of the loaders where that is possible.

use kql_ingest::load::{LoadReport, as_loaded_text};
use serde_json::Value;
use std::io::Read;

/// The number of records a file holds, as far as can be told without the loaders.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Records {
    /// Exactly this many.
    Exactly(usize),
    /// At least one (damaged JSON or CSV, whose record boundaries are themselves damaged).
    Some,
    /// None: an empty or blank file.
    None,
}

/// The text the loaders read: gunzipped (`None` when the gzip stream is damaged, which must be
/// an error) and decoded from UTF-16.
pub(crate) fn loaded_text(bytes: &[u8]) -> Option<Vec<u8>> {
    let plain = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .ok()?;
        out
    } else {
        bytes.to_vec()
    };
    Some(as_loaded_text(&plain).into_owned())
}

/// The records in `text` for a file read as `shape` (the report's own words).
pub(crate) fn records(text: &[u8], shape: &str) -> Records {
    let body = text.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(text);
    if body.iter().all(u8::is_ascii_whitespace) {
        return Records::None;
    }
    if shape.contains("JSON Lines") || shape.contains("NDJSON") {
        // One record per line that is not blank.
        let lines = body
            .split(|b| *b == b'\n')
            .filter(|l| !l.trim_ascii().is_empty())
            .count();
        return Records::Exactly(lines);
    }
    if let Ok(doc) = serde_json::from_slice::<Value>(body) {
        let items = match &doc {
            Value::Array(a) => Some(a.len()),
            Value::Object(o) => ["value", "records"]
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_array).map(Vec::len))
                .or_else(|| {
                    o.get("tables")
                        .and_then(Value::as_array)
                        .and_then(|t| t.first())
                        .and_then(|t| t.get("rows"))
                        .and_then(Value::as_array)
                        .map(Vec::len)
                }),
            _ => None,
        };
        if let Some(n) = items {
            return Records::Exactly(n);
        }
    }
    Records::Some
}

/// Why a report does not add up for `text`, if it does not.
pub(crate) fn accounting_problem(text: &[u8], report: &LoadReport) -> Option<String> {
    let counted = report.loaded + report.rejected.len() + report.duplicates;
    let ok = match records(text, report.shape) {
        Records::Exactly(n) => counted == n,
        Records::Some => counted >= 1,
        Records::None => counted == 0,
    };
    (!ok).then(|| {
        format!(
            "accounting: {} (read as {}) holds {:?} records but loaded {} + rejected {} + duplicates {}",
            report.file,
            report.shape,
            records(text, report.shape),
            report.loaded,
            report.rejected.len(),
            report.duplicates
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(shape: &'static str, loaded: usize, rejected: usize) -> LoadReport {
        let mut r = LoadReport::new("f", shape);
        r.loaded = loaded;
        r.rejected = (0..rejected)
            .map(|i| kql_ingest::load::Rejection {
                line: i + 1,
                reason: String::new(),
            })
            .collect();
        r
    }

    #[test]
    fn a_record_that_vanished_is_found() {
        let text = b"{\"a\":1}\n\n{\"a\":2}\r\n{bad\n";
        let shape = "Log Analytics rows (NDJSON)";
        assert_eq!(accounting_problem(text, &report(shape, 2, 1)), None);
        assert!(accounting_problem(text, &report(shape, 2, 0)).is_some());
        assert!(accounting_problem(text, &report(shape, 3, 1)).is_some());
    }

    #[test]
    fn documents_are_counted_by_their_items() {
        let page = br#"{"value":[{"a":1},{"a":2},3]}"#;
        assert_eq!(records(page, "Microsoft Graph page"), Records::Exactly(3));
        assert!(accounting_problem(page, &report("Microsoft Graph page", 2, 0)).is_some());
        assert_eq!(records(b"{\"value\":[{", "JSON"), Records::Some);
        assert!(accounting_problem(b"{\"value\":[{", &report("JSON", 0, 0)).is_some());
        assert_eq!(records(b" \n", "empty"), Records::None);
    }
}
