//! Log Analytics rows as NDJSON: one JSON object per line, keys are column names.
//!
//! Lines are read in chunks and parsed on all cores; each line is walked once
//! (`json::for_each_member`) and only the requested columns are converted.

use super::builder::RowBuilder;
use super::{LoadReport, Rejection};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result};
use kql_functions::KqlSchema;
use kql_functions::json::for_each_member;
use std::io::Read;
use std::sync::mpsc;

/// Bytes of input per parsing chunk.
const CHUNK_BYTES: usize = 8 << 20;

/// A chunk of whole lines and the 1-based number of its first line. The buffer returns to the
/// reader's pool after parsing, so the input is read into the same few buffers throughout.
struct Chunk {
    index: usize,
    first_line: usize,
    bytes: Vec<u8>,
}

struct Parsed {
    index: usize,
    batch: Option<RecordBatch>,
    loaded: usize,
    rejected: Vec<Rejection>,
}

fn parse_chunk(chunk: &Chunk, schema: &KqlSchema) -> Result<Parsed> {
    let text = match std::str::from_utf8(&chunk.bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => String::from_utf8_lossy(&chunk.bytes),
    };
    let mut builder = RowBuilder::new(schema.clone());
    let mut rejected = Vec::new();
    let mut loaded = 0;
    let names: Vec<&str> = schema.names().collect();
    let mut values: Vec<Option<&str>> = vec![None; names.len()];
    let mut start = 0;
    let lines = memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len()));
    for (n, end) in lines.enumerate() {
        let line = text.get(start..end).unwrap_or("");
        start = end + 1;
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
    read_ndjson_chunked(file, reader, schema, CHUNK_BYTES)
}

fn read_ndjson_chunked(
    file: &str,
    mut reader: impl Read,
    schema: &KqlSchema,
    chunk_bytes: usize,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    let mut report = LoadReport::new(file, "");
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(1);
    let (chunk_tx, chunk_rx) = mpsc::sync_channel::<Chunk>(workers);
    let chunk_rx = std::sync::Mutex::new(chunk_rx);
    let (pool_tx, pool_rx) = mpsc::channel::<Vec<u8>>();
    for _ in 0..workers + 2 {
        let _ = pool_tx.send(Vec::with_capacity(chunk_bytes + (64 << 10)));
    }
    let (out_tx, out_rx) = mpsc::channel::<Result<Parsed>>();
    let mut results: Vec<Parsed> = Vec::new();
    std::thread::scope(|s| -> Result<()> {
        for _ in 0..workers {
            let out_tx = out_tx.clone();
            let pool_tx = pool_tx.clone();
            let chunk_rx = &chunk_rx;
            s.spawn(move || {
                loop {
                    let next = chunk_rx.lock().ok().and_then(|rx| rx.recv().ok());
                    let Some(chunk) = next else { break };
                    let parsed = parse_chunk(&chunk, schema);
                    let _ = pool_tx.send(chunk.bytes);
                    if out_tx.send(parsed).is_err() {
                        break;
                    }
                }
            });
        }
        drop(out_tx);
        let mut carry: Vec<u8> = Vec::new();
        let mut index = 0;
        let mut line_no = 1;
        let mut at_start = true;
        let mut eof = false;
        let mut long_line = false;
        while !eof {
            let Ok(mut buf) = pool_rx.recv() else { break };
            buf.clear();
            buf.append(&mut carry);
            // Fill the buffer up to the chunk size (more when a line is longer than that), then
            // cut after its last newline.
            let want = if long_line {
                buf.len() + chunk_bytes
            } else {
                chunk_bytes
            };
            if buf.len() < want {
                // `take` + `read_to_end` fills spare capacity without zeroing it first.
                let need = (want - buf.len()) as u64;
                let n = (&mut reader)
                    .take(need)
                    .read_to_end(&mut buf)
                    .map_err(DataFusionError::IoError)?;
                if (n as u64) < need {
                    eof = true;
                }
            }
            if at_start {
                if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
                    buf.drain(..3);
                }
                at_start = false;
            }
            long_line = false;
            if !eof {
                match memchr::memrchr(b'\n', &buf) {
                    Some(p) => carry.extend_from_slice(&buf[p + 1..]),
                    // A line longer than the buffer: keep reading it into the next chunk.
                    None => {
                        carry = std::mem::take(&mut buf);
                        long_line = true;
                        let _ = pool_tx.send(Vec::with_capacity(chunk_bytes));
                        continue;
                    }
                }
                let cut = buf.len() - carry.len();
                buf.truncate(cut);
            }
            if buf.is_empty() {
                let _ = pool_tx.send(buf);
                continue;
            }
            let lines =
                memchr::memchr_iter(b'\n', &buf).count() + usize::from(!buf.ends_with(b"\n"));
            let chunk = Chunk {
                index,
                first_line: line_no,
                bytes: buf,
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
    use kql_functions::KqlType;

    fn schema() -> KqlSchema {
        KqlSchema::new([
            ("a".to_owned(), KqlType::Long),
            ("s".to_owned(), KqlType::String),
            ("t".to_owned(), KqlType::DateTime),
        ])
    }

    #[test]
    fn lines_longer_than_a_chunk_and_chunk_boundaries() {
        let long = "x".repeat(5000);
        let mut text = String::new();
        for i in 0..50 {
            text.push_str(&format!(
                "{{\"a\": {i}, \"s\": \"{}\"}}\n",
                if i % 7 == 0 { long.as_str() } else { "short" }
            ));
        }
        let (batches, report) =
            read_ndjson_chunked("f", text.as_bytes(), &schema(), 1000).expect("reads");
        assert_eq!(report.loaded, 50);
        assert!(report.rejected.is_empty());
        let values: Vec<i64> = batches
            .iter()
            .flat_map(|b| {
                let a = b
                    .column(0)
                    .as_any()
                    .downcast_ref::<datafusion::arrow::array::Int64Array>()
                    .cloned();
                a.into_iter().flat_map(|a| a.values().to_vec())
            })
            .collect();
        assert_eq!(values, (0..50).collect::<Vec<i64>>(), "file order is kept");
        let bad = "{\"a\": 1}\n{\"a\": oops}\n";
        let (_, report) = read_ndjson_chunked("f", bad.as_bytes(), &schema(), 4).expect("reads");
        assert_eq!(
            (report.loaded, report.rejected.first().map(|r| r.line)),
            (1, Some(2))
        );
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
