//! Log Analytics rows as NDJSON: one JSON object per line, keys are column names.
//!
//! Lines are read in chunks and parsed on all cores; each line is walked once
//! (`json::for_each_member`) and only the requested columns are converted.

use super::builder::RowBuilder;
use super::{LoadReport, Rejection};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result};
use kql_planner::KqlSchema;
use kql_planner::functions::json::for_each_member;
use std::io::{BufRead, BufReader, Read};
use std::sync::mpsc;

/// Bytes of input per parsing chunk.
const CHUNK_BYTES: usize = 8 << 20;

/// A chunk of whole lines and the 1-based number of its first line.
struct Chunk {
    index: usize,
    first_line: usize,
    text: String,
}

struct Parsed {
    index: usize,
    batch: Option<RecordBatch>,
    loaded: usize,
    rejected: Vec<Rejection>,
}

fn parse_chunk(chunk: Chunk, schema: &KqlSchema) -> Result<Parsed> {
    let mut builder = RowBuilder::new(schema.clone());
    let mut rejected = Vec::new();
    let mut loaded = 0;
    let names: Vec<&str> = schema.names().collect();
    let mut values: Vec<Option<&str>> = vec![None; names.len()];
    for (n, line) in chunk.text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        values.iter_mut().for_each(|v| *v = None);
        let walked = for_each_member(line, |key, value| {
            if let Some(pos) = names.iter().position(|c| *c == key) {
                values[pos] = Some(value);
            }
        });
        let outcome = match walked {
            Some(()) => builder.append_raw(&values),
            None => Err(describe_bad_line(line)),
        };
        match outcome {
            Ok(()) => loaded += 1,
            Err(reason) => rejected.push(Rejection {
                line: chunk.first_line + n,
                reason,
            }),
        }
    }
    let batch = if builder.is_empty() {
        None
    } else {
        Some(builder.finish()?)
    };
    Ok(Parsed {
        index: chunk.index,
        batch,
        loaded,
        rejected,
    })
}

/// Why a line is not a JSON object, in serde_json's words.
fn describe_bad_line(line: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(line) {
        Ok(v) if !v.is_object() => "not a JSON object".to_owned(),
        Ok(_) => "malformed JSON object".to_owned(),
        Err(e) => format!("not valid JSON: {e}"),
    }
}

/// Reads NDJSON from `reader` (named `file` in reports) into batches of `schema`: only the columns
/// of `schema` are converted, so a narrower schema loads faster. Blank lines are skipped; a line
/// that is not a JSON object, or whose values do not convert, is rejected with its line number.
pub fn read_ndjson_stream(
    file: &str,
    reader: impl Read,
    schema: &KqlSchema,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    let mut report = LoadReport {
        file: file.to_owned(),
        ..LoadReport::default()
    };
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(1);
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Chunk>(workers);
    let chunk_rx = std::sync::Mutex::new(chunk_rx);
    let (out_tx, out_rx) = mpsc::channel::<Result<Parsed>>();
    let mut results: Vec<Parsed> = Vec::new();
    std::thread::scope(|s| -> Result<()> {
        for _ in 0..workers {
            let out_tx = out_tx.clone();
            let chunk_rx = &chunk_rx;
            s.spawn(move || {
                loop {
                    let next = chunk_rx.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some(chunk) = next else { break };
                    if out_tx.send(parse_chunk(chunk, schema)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(out_tx);
        let mut reader = BufReader::with_capacity(1 << 20, reader);
        let mut index = 0;
        let mut line_no = 1;
        let mut first = true;
        loop {
            let mut text = String::with_capacity(CHUNK_BYTES + 4096);
            let mut lines = 0;
            while text.len() < CHUNK_BYTES {
                let mut bytes = Vec::new();
                let n = reader
                    .read_until(b'\n', &mut bytes)
                    .map_err(DataFusionError::IoError)?;
                if n == 0 {
                    break;
                }
                let mut line = String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                if first {
                    if let Some(rest) = line.strip_prefix('\u{feff}') {
                        line = rest.to_owned();
                    }
                    first = false;
                }
                text.push_str(&line);
                if !line.ends_with('\n') {
                    text.push('\n');
                }
                lines += 1;
            }
            if lines == 0 {
                break;
            }
            let chunk = Chunk {
                index,
                first_line: line_no,
                text,
            };
            line_no += lines;
            index += 1;
            if chunk_tx.send(chunk).is_err() {
                break;
            }
        }
        drop(chunk_tx);
        for r in out_rx {
            results.push(r?);
        }
        Ok(())
    })?;
    results.sort_by_key(|r| r.index);
    let mut batches = Vec::new();
    for r in results {
        report.loaded += r.loaded;
        report.rejected.extend(r.rejected);
        batches.extend(r.batch);
    }
    Ok((batches, report))
}

/// Parses NDJSON `text` (named `file` in reports) into batches of `schema`.
pub fn read_ndjson(
    file: &str,
    text: &str,
    schema: &KqlSchema,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    read_ndjson_stream(file, text.as_bytes(), schema)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_planner::KqlType;

    fn schema() -> KqlSchema {
        KqlSchema::new([
            ("a".to_owned(), KqlType::Long),
            ("s".to_owned(), KqlType::String),
            ("t".to_owned(), KqlType::DateTime),
        ])
    }

    #[test]
    fn every_line_is_loaded_or_reported() {
        let text = "\u{feff}{\"a\": 1, \"s\": \"x\", \"t\": \"2024-01-01T00:00:00Z\"}\n\n{\"a\": \"2\"}\nnot json\n[1,2]\n{\"a\": \"x\"}\n{\"t\": \"someday\"}\n{\"a\": 3, \"extra\": {\"n\": [1]}}";
        let (batches, report) = read_ndjson("f.ndjson", text, &schema()).expect("reads");
        assert_eq!(report.loaded, 3);
        let lines: Vec<usize> = report.rejected.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![4, 5, 6, 7]);
        assert!(
            report.rejected[2].reason.contains("column `a`"),
            "{:?}",
            report.rejected
        );
        assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 3);
    }
}
