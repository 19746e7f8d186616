//! Loading any export by content: files, folders (recursive) and globs; gzip; every shape of
//! `load::shapes`, Log Analytics NDJSON rows, query API responses, portal CSV exports and Parquet
//! snapshots. Resource-log records are de-duplicated by record id across the whole load.

use super::blocks::{Block, BlockSizes, read_blocks, too_long};
use super::builder::RowBuilder;
use super::ndjson::read_ndjson_stream;
use super::shapes::{graph_to_row, record_id, resource_to_row};
use super::sniff::{Sniffed, sniff};
use super::{LoadReport, Rejection, reason};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result};
use kql_functions::KqlSchema;
use serde_json::{Map, Value};
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// State shared by the files of one load (duplicate detection).
#[derive(Default)]
pub struct Loader {
    seen_ids: HashSet<String>,
    /// Parts of an Entra portal CSV download, joined by [`Loader::finish`].
    portal_download: super::portal_csv::PortalDownload,
    /// Bytes of input files read so far, for a progress display.
    progress: Option<Arc<AtomicU64>>,
}

/// A reader that adds the bytes it reads to a shared counter.
struct Counting<R> {
    inner: R,
    bytes: Option<Arc<AtomicU64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Some(b) = &self.bytes {
            b.fetch_add(n as u64, Ordering::Relaxed);
        }
        Ok(n)
    }
}

/// Bytes at the start of a file that decide its shape.
const PREFIX: usize = 64 << 10;

/// The shape name of Log Analytics rows, one per line.
const NDJSON_ROWS: &str = "Log Analytics rows (NDJSON)";

/// Resource-log lines parsed and converted together (memory held as JSON values is bounded by it).
const RESOURCE_BLOCK: usize = 32_768;

/// The shape name of resource-log records, one per line.
const RESOURCE_LINES: &str = "resource-log records (JSON Lines)";

/// One resource-log line, parsed and mapped to a table row (or why not).
enum ParsedRecord<'a> {
    /// Read straight from the text (`resource_raw`): raw values in schema order.
    Raw {
        line: usize,
        id: Option<String>,
        values: Vec<Option<&'a str>>,
    },
    Row {
        line: usize,
        id: Option<String>,
        row: Map<String, Value>,
    },
    Bad {
        line: usize,
        reason: String,
    },
}

fn parse_resource_line<'a>(line: usize, text: &'a [u8], names: &[&str]) -> ParsedRecord<'a> {
    if let Ok(s) = std::str::from_utf8(text)
        && let Some((id, values)) = super::resource_raw::raw_resource_row(s, names)
    {
        return ParsedRecord::Raw { line, id, values };
    }
    match serde_json::from_slice::<Map<String, Value>>(text) {
        Ok(rec) => ParsedRecord::Row {
            line,
            id: record_id(&rec),
            row: resource_to_row(&rec),
        },
        Err(e) => ParsedRecord::Bad {
            line,
            reason: format!("not a JSON object: {e}"),
        },
    }
}

/// Runs `f` on each item on a thread of its own; results keep the items' order.
fn on_threads<I, T, F>(items: I, f: F) -> Result<Vec<T>>
where
    I: Iterator,
    I::Item: Send,
    T: Send,
    F: Fn(I::Item) -> T + Sync,
{
    std::thread::scope(|s| {
        let f = &f;
        let handles: Vec<_> = items.map(|item| s.spawn(move || f(item))).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .map_err(|_| DataFusionError::Internal("a loader thread panicked".to_owned()))
            })
            .collect()
    })
}

/// Which part of an Entra portal CSV download `body` is, from its header.
fn portal_download_part(body: &[u8]) -> Option<super::portal_csv::Part> {
    let mut reader = csv::ReaderBuilder::new().from_reader(body);
    let headers: Vec<String> = reader.headers().ok()?.iter().map(str::to_owned).collect();
    super::portal_csv::classify(&headers)
}

impl Loader {
    /// A loader with no records seen yet.
    pub fn new() -> Loader {
        Loader::default()
    }

    /// A loader that adds the bytes it reads from files to `bytes` (a progress display reads it).
    pub fn with_progress(bytes: Arc<AtomicU64>) -> Loader {
        Loader {
            progress: Some(bytes),
            ..Loader::default()
        }
    }

    /// Loads one file into batches of `schema`. An error names the file.
    pub fn load_file(
        &mut self,
        path: &Path,
        schema: &KqlSchema,
    ) -> Result<(Vec<RecordBatch>, LoadReport)> {
        let name = path.display().to_string();
        self.read_file(path, &name, schema)
            .map_err(|e| naming_the_file(&name, e))
    }

    fn read_file(
        &mut self,
        path: &Path,
        name: &str,
        schema: &KqlSchema,
    ) -> Result<(Vec<RecordBatch>, LoadReport)> {
        let name = name.to_owned();
        let file = std::fs::File::open(path).map_err(DataFusionError::IoError)?;
        let mut file = Counting {
            inner: file,
            bytes: self.progress.clone(),
        };
        let mut magic = [0u8; 4];
        let n = read_up_to(&mut file, &mut magic)?;
        if magic[..n] == *b"PAR1" {
            return super::parquet::read_snapshot_file(path, schema);
        }
        let head = std::io::Cursor::new(magic[..n].to_vec());
        let gzip = magic[..n.min(2)] == [0x1f, 0x8b];
        let mut reader: Box<dyn Read + Send> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(head.chain(file)))
        } else {
            Box::new(head.chain(file))
        };
        // Look at the start to choose the shape; Log Analytics rows stream, the rest is read whole.
        let mut prefix = vec![0u8; PREFIX];
        let got = read_up_to(&mut reader, &mut prefix)
            .map_err(|e| DataFusionError::Execution(format!("{name}: cannot read: {e}")))?;
        prefix.truncate(got);
        if let Some(order) = super::utf16::detect(&prefix) {
            // Decoded as it is read; the shape is told from the decoded text.
            reader = Box::new(super::utf16::Utf16Reader::new(
                std::io::Cursor::new(prefix).chain(reader),
                order,
            ));
            prefix = vec![0u8; PREFIX];
            let got = read_up_to(&mut reader, &mut prefix)
                .map_err(|e| DataFusionError::Execution(format!("{name}: cannot read: {e}")))?;
            prefix.truncate(got);
        }
        let whole = prefix.len() < PREFIX;
        match sniff(&prefix, whole) {
            Sniffed::Rows => {
                let (b, mut r) =
                    read_ndjson_stream(&name, std::io::Cursor::new(prefix).chain(reader), schema)?;
                r.shape = NDJSON_ROWS;
                return Ok((b, r));
            }
            Sniffed::ResourceRecords => {
                let input = std::io::Cursor::new(prefix).chain(reader);
                return self.resource_stream(&name, input, gzip, schema, BlockSizes::FILES);
            }
            _ => {}
        }
        let mut bytes = prefix;
        reader
            .read_to_end(&mut bytes)
            .map_err(|e| read_failed(&name, gzip, &e))?;
        self.load_bytes(&name, &bytes, schema)
    }

    /// Ends the load: the rows of files that are only complete together (the three files of a
    /// portal CSV download), with one report per such file.
    pub fn finish(&mut self, schema: &KqlSchema) -> Result<(Vec<RecordBatch>, Vec<LoadReport>)> {
        std::mem::take(&mut self.portal_download).finish(schema)
    }

    /// Resource-log lines read block by block, so the file is never held whole. A reader thread
    /// fills the next block while this one is parsed.
    fn resource_stream(
        &mut self,
        name: &str,
        input: impl Read + Send,
        gzip: bool,
        schema: &KqlSchema,
        sizes: BlockSizes,
    ) -> Result<(Vec<RecordBatch>, LoadReport)> {
        let mut report = LoadReport::new(name, RESOURCE_LINES);
        let mut batches = Vec::new();
        let mut lines_done = 0;
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<std::io::Result<Block>>(1);
        let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Vec<u8>>();
        for _ in 0..2 {
            let _ = empty_tx.send(Vec::with_capacity(sizes.read + (1 << 20)));
        }
        std::thread::scope(|s| -> Result<()> {
            s.spawn(move || read_blocks(input, sizes, &empty_rx, &full_tx));
            // Owned here, so that returning early (an error) lets the reader thread end.
            let (full_rx, empty_tx) = (full_rx, empty_tx);
            let mut first = true;
            for block in &full_rx {
                let block = block.map_err(|e| read_failed(name, gzip, &e))?;
                if let Some(bytes) = block.skipped {
                    lines_done += 1;
                    report.rejected.push(Rejection {
                        line: lines_done,
                        reason: too_long(bytes, sizes),
                    });
                }
                let mut pending = block.bytes;
                let mut pending_ref: &[u8] = &pending;
                if first {
                    pending_ref = pending_ref
                        .strip_prefix(&[0xEF, 0xBB, 0xBF])
                        .unwrap_or(pending_ref);
                }
                first = false;
                let (b, r) = self.resource_lines(name, pending_ref, schema)?;
                batches.extend(b);
                report.loaded += r.loaded;
                report.duplicates += r.duplicates;
                report.rejected.extend(r.rejected.into_iter().map(|mut x| {
                    x.line += lines_done;
                    x
                }));
                lines_done += memchr::memchr_iter(b'\n', pending_ref).count();
                pending.clear();
                let _ = empty_tx.send(pending);
            }
            Ok(())
        })?;
        Ok((batches, report))
    }

    /// Loads the content of one (already decompressed) file.
    pub fn load_bytes(
        &mut self,
        name: &str,
        bytes: &[u8],
        schema: &KqlSchema,
    ) -> Result<(Vec<RecordBatch>, LoadReport)> {
        let report = |shape| LoadReport::new(name, shape);
        if bytes.starts_with(b"PAR1") {
            return super::parquet::read_snapshot(name, bytes, schema);
        }
        if let Some(order) = super::utf16::detect(bytes) {
            let text = super::utf16::decode(bytes, order);
            return self.load_bytes(name, &text, schema);
        }
        let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        let prefix = &body[..body.len().min(PREFIX)];
        match sniff(prefix, prefix.len() == body.len()) {
            Sniffed::Empty => Ok((Vec::new(), report("empty"))),
            Sniffed::Rows => {
                let (b, mut r) = read_ndjson_stream(name, body, schema)?;
                r.shape = NDJSON_ROWS;
                Ok((b, r))
            }
            Sniffed::ResourceRecords => self.resource_lines(name, body, schema),
            Sniffed::Json => self.json_document(name, body, schema),
            Sniffed::Binary => {
                let mut r = report("binary");
                r.rejected.push(Rejection {
                    line: 1,
                    reason: "binary content: not a provisioning-log export".into(),
                });
                Ok((Vec::new(), r))
            }
            Sniffed::Text => {
                if let Some(part) = portal_download_part(body) {
                    self.portal_download.add(name, body, part);
                    let mut held = report(super::portal_csv::PENDING);
                    held.held_back = true;
                    return Ok((Vec::new(), held));
                }
                super::csv::read_portal_csv(name, body, schema)
            }
        }
    }

    /// Resource-log records, one per line (PT1H.json), de-duplicated by record id.
    fn resource_lines(
        &mut self,
        name: &str,
        body: &[u8],
        schema: &KqlSchema,
    ) -> Result<(Vec<RecordBatch>, LoadReport)> {
        let mut report = LoadReport::new(name, RESOURCE_LINES);
        let mut lines: Vec<(usize, &[u8])> = Vec::new();
        let mut start = 0;
        let ends = memchr::memchr_iter(b'\n', body).chain(std::iter::once(body.len()));
        for (i, end) in ends.enumerate() {
            let l = body[start..end].trim_ascii();
            start = end + 1;
            if !l.is_empty() {
                lines.push((i + 1, l));
            }
        }
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
        let names: Vec<&str> = schema.names().collect();
        let mut batches = Vec::new();
        // Blocks bound the memory held as JSON values; within a block, parsing and conversion run
        // on every core and only de-duplication (which needs input order) is sequential.
        for block in lines.chunks(RESOURCE_BLOCK) {
            let per_worker = block.len().div_ceil(workers).max(1);
            let mut parts = on_threads(block.chunks(per_worker), |chunk| {
                chunk
                    .iter()
                    .map(|(n, l)| parse_resource_line(*n, l, &names))
                    .collect::<Vec<_>>()
            })?;
            for part in &mut parts {
                part.retain(|p| match p {
                    ParsedRecord::Row { id: Some(id), .. }
                    | ParsedRecord::Raw { id: Some(id), .. }
                        if !self.seen_ids.insert(id.clone()) =>
                    {
                        report.duplicates += 1;
                        false
                    }
                    _ => true,
                });
            }
            let built = on_threads(parts.iter(), |part| {
                let mut builder = RowBuilder::new(schema.clone());
                let mut bytes = vec![0usize; names.len()];
                for p in part {
                    if let ParsedRecord::Raw { values, .. } = p {
                        for (b, v) in bytes.iter_mut().zip(values) {
                            *b += v.map_or(0, str::len);
                        }
                    }
                }
                builder.reserve(part.len(), &bytes);
                let mut rejected = Vec::new();
                for p in part {
                    match p {
                        ParsedRecord::Raw { line, values, .. } => {
                            if let Err(reason) = builder.append_raw(values) {
                                rejected.push(Rejection {
                                    line: *line,
                                    reason,
                                });
                            }
                        }
                        ParsedRecord::Row { line, row, .. } => {
                            if let Err(reason) = builder.append(|c| row.get(c)) {
                                rejected.push(Rejection {
                                    line: *line,
                                    reason,
                                });
                            }
                        }
                        ParsedRecord::Bad { line, reason } => rejected.push(Rejection {
                            line: *line,
                            reason: reason.clone(),
                        }),
                    }
                }
                let batch = if builder.is_empty() {
                    None
                } else {
                    Some(builder.finish())
                };
                (batch, rejected)
            })?;
            for (batch, rejected) in built {
                if let Some(b) = batch {
                    let b = b?;
                    report.loaded += b.num_rows();
                    batches.push(b);
                }
                report.rejected.extend(rejected);
            }
        }
        Ok((batches, report))
    }

    fn add_record(
        &mut self,
        rec: &Map<String, Value>,
        resource: bool,
        line: usize,
        builder: &mut RowBuilder,
        report: &mut LoadReport,
    ) {
        if resource && record_id(rec).is_some_and(|id| !self.seen_ids.insert(id)) {
            report.duplicates += 1;
            return;
        }
        let row = if resource {
            resource_to_row(rec)
        } else if rec.contains_key("TimeGenerated") {
            rec.clone()
        } else {
            graph_to_row(rec)
        };
        match builder.append(|c| row.get(c)) {
            Ok(()) => report.loaded += 1,
            Err(reason) => report.rejected.push(Rejection { line, reason }),
        }
    }

    /// JSON that is not one object per line: documents (a Graph page, an Event Hub body, a query
    /// API response, a top-level array), records written over several lines each (jq's output),
    /// or several of these one after another. A value that does not parse costs only itself: the
    /// items of a damaged document before the damage are loaded, the rest is one rejection with
    /// its line, and reading resumes at the next line that starts a record at the margin.
    fn json_document(
        &mut self,
        name: &str,
        body: &[u8],
        schema: &KqlSchema,
    ) -> Result<(Vec<RecordBatch>, LoadReport)> {
        let mut report = LoadReport::new(name, "");
        let mut builder = RowBuilder::new(schema.clone());
        let mut batches = Vec::new();
        let lines = super::json_values::Lines::new(body);
        let mut pos = 0;
        while let Some(start) = super::json_values::next_value(body, pos) {
            let mut values =
                serde_json::Deserializer::from_slice(&body[start..]).into_iter::<Value>();
            match values.next() {
                Some(Ok(value)) if !(value.is_object() || value.is_array()) => {
                    // A lone string or number: what is left of a damaged document.
                    let end = start + values.byte_offset();
                    report.rejected.push(Rejection {
                        line: lines.line_of(start),
                        reason: "not a JSON object or array".into(),
                    });
                    pos = super::json_values::resume_after(body, start, end);
                }
                Some(Ok(value)) => {
                    pos = start + values.byte_offset();
                    let line = lines.line_of(start);
                    let before = report.rejected.len();
                    let (batch, by_item) =
                        self.json_value(value, line, schema, &mut builder, &mut report)?;
                    batches.extend(batch);
                    if by_item && report.rejected.len() > before {
                        // Rejected items were numbered; find where they start (rarely needed,
                        // so only then) to name their lines.
                        let starts = super::json_values::item_starts(body, start);
                        for r in &mut report.rejected[before..] {
                            r.line = starts
                                .get(r.line.wrapping_sub(1))
                                .map_or(line, |at| lines.line_of(*at));
                        }
                    }
                }
                Some(Err(e)) => {
                    let salvaged = super::json_values::salvage_items(body, start);
                    let error_at = salvaged.as_ref().map_or_else(
                        || super::json_values::error_offset(body, start, &e),
                        |s| s.error_at,
                    );
                    if let Some(s) = salvaged {
                        report.shape = s.shape;
                        for (i, (at, item)) in s.items.into_iter().enumerate() {
                            let before = report.rejected.len();
                            self.json_item(item, s.resource, i + 1, &mut builder, &mut report);
                            for r in &mut report.rejected[before..] {
                                r.line = lines.line_of(at);
                            }
                        }
                    } else if report.shape.is_empty() {
                        report.shape = "JSON";
                    }
                    report
                        .rejected
                        .push(super::json_values::rejection(body, &lines, start, error_at));
                    pos = super::json_values::resume_after(body, start, error_at);
                }
                None => break,
            }
        }
        if !builder.is_empty() {
            batches.push(builder.finish()?);
        }
        Ok((batches, report))
    }

    /// One whole JSON value of a document or stream, starting on line `line`. Returns a batch
    /// when the value was a query API response (whose rows come in their own batch), and whether
    /// the value was an array of records, whose rejections carry the item's number as their line
    /// (the caller finds the line).
    fn json_value(
        &mut self,
        value: Value,
        line: usize,
        schema: &KqlSchema,
        builder: &mut RowBuilder,
        report: &mut LoadReport,
    ) -> Result<(Option<RecordBatch>, bool)> {
        let (items, resource): (Vec<Value>, bool) = match value {
            Value::Array(a) => {
                report.shape = "JSON array (portal download)";
                let resource = a
                    .first()
                    .and_then(Value::as_object)
                    .is_some_and(|o| o.contains_key("properties"));
                (a, resource)
            }
            Value::Object(mut o) => {
                if let Some(Value::Array(v)) = o.remove("value") {
                    report.shape = "Microsoft Graph page";
                    (v, false)
                } else if let Some(Value::Array(r)) = o.remove("records") {
                    report.shape = "Event Hub body";
                    (r, true)
                } else if let Some(Value::Array(t)) = o.remove("tables") {
                    report.shape = "Log Analytics query API response";
                    let (b, r) = self.query_api(line, t, schema, LoadReport::default())?;
                    report.loaded += r.loaded;
                    report.rejected.extend(r.rejected);
                    return Ok((b.into_iter().next(), false));
                } else {
                    // One record written over several lines (jq's output).
                    if report.shape.is_empty() {
                        report.shape = "JSON records";
                    }
                    let resource = super::sniff::is_resource_record(&o);
                    self.add_record(&o, resource, line, builder, report);
                    return Ok((None, false));
                }
            }
            _ => {
                report.rejected.push(Rejection {
                    line,
                    reason: "not a JSON object or array".into(),
                });
                return Ok((None, false));
            }
        };
        for (i, item) in items.into_iter().enumerate() {
            self.json_item(item, resource, i + 1, builder, report);
        }
        Ok((None, true))
    }

    /// Item `number` (1-based) of a document's array: a record, or a rejection that names the
    /// item and carries its number as its line, for the caller to replace.
    fn json_item(
        &mut self,
        item: Value,
        resource: bool,
        number: usize,
        builder: &mut RowBuilder,
        report: &mut LoadReport,
    ) {
        let before = report.rejected.len();
        match item.as_object() {
            Some(rec) => self.add_record(rec, resource, number, builder, report),
            None => report.rejected.push(Rejection {
                line: number,
                reason: "not a JSON object".into(),
            }),
        }
        for r in &mut report.rejected[before..] {
            r.reason = format!("item {number} of the array: {}", r.reason);
        }
    }

    /// `{"tables": [{"name", "columns": [{name, type}], "rows": [[...]]}]}`: the first table.
    /// Rejected rows are named by number, on the document's `line`.
    fn query_api(
        &mut self,
        line: usize,
        tables: Vec<Value>,
        schema: &KqlSchema,
        mut report: LoadReport,
    ) -> Result<(Vec<RecordBatch>, LoadReport)> {
        let mut builder = RowBuilder::new(schema.clone());
        // A response without a table, or a table without its rows, holds records nobody can
        // read: one rejection, never an empty load.
        let rows = tables.first().map(|t| (t, t["rows"].as_array()));
        let (table, rows) = match rows {
            Some((table, Some(rows))) => (table, rows),
            Some((_, None)) | None => {
                report.rejected.push(Rejection {
                    line,
                    reason: if tables.is_empty() {
                        "the response holds no table".into()
                    } else {
                        "the first table has no `rows` array".into()
                    },
                });
                return Ok((Vec::new(), report));
            }
        };
        let names: Vec<String> = table["columns"]
            .as_array()
            .map(|c| {
                c.iter()
                    .map(|c| c["name"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default();
        for (i, row) in rows.iter().enumerate() {
            let outcome = match row.as_array() {
                None => Err("not an array".to_owned()),
                Some(cells) if cells.len() != names.len() => Err(format!(
                    "{} values for {} columns",
                    cells.len(),
                    names.len()
                )),
                Some(cells) => builder
                    .append(|c: &str| names.iter().position(|n| n == c).and_then(|p| cells.get(p))),
            };
            match outcome {
                Ok(()) => report.loaded += 1,
                Err(reason) => report.rejected.push(Rejection {
                    line,
                    reason: format!("row {} of the table: {reason}", i + 1),
                }),
            }
        }
        let batches = if builder.is_empty() {
            Vec::new()
        } else {
            vec![builder.finish()?]
        };
        Ok((batches, report))
    }
}

/// A read that failed; a gzip stream that fails is damaged or cut short (a plain file's read
/// fails for other reasons, and gets no such hint).
fn read_failed(name: &str, gzip: bool, e: &std::io::Error) -> DataFusionError {
    if gzip {
        DataFusionError::Execution(format!(
            "{name}: the gzip stream is damaged or cut short: {e}"
        ))
    } else {
        DataFusionError::Execution(format!("{name}: cannot read: {e}"))
    }
}

/// `e` as an error that names the file.
fn naming_the_file(name: &str, e: DataFusionError) -> DataFusionError {
    let reason = reason(&e);
    if reason.contains(name) {
        DataFusionError::Execution(reason)
    } else {
        DataFusionError::Execution(format!("{name}: {reason}"))
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(DataFusionError::IoError(e)),
        }
    }
    Ok(n)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;
    use crate::generate::{DEMO_START, GenOptions, Shape, rows, write};

    #[test]
    fn resource_stream_numbers_lines_across_blocks() {
        let table = rows(&GenOptions {
            rows: 40,
            seed: 31,
            start: DEMO_START,
            days: 1,
        });
        let mut text = String::from("\u{feff}");
        text.push_str(&write(&table[..25], Shape::ResourceLog));
        text.push_str("{broken\r\n");
        text.push_str(&write(&table[25..], Shape::ResourceLog));
        text.push_str(&write(&table[..3], Shape::ResourceLog));
        // A line far longer than a record (line 45): passed over, with its length.
        text.push_str(&"x".repeat(200_000));
        text.push('\n');
        text.push_str(&write(&table[..1], Shape::ResourceLog));
        let schema = crate::tables::aad_provisioning_logs();
        // Blocks far smaller than a line, and a little larger: the same outcome.
        for read_size in [1_000, 3_000, 20_000] {
            let sizes = BlockSizes {
                read: read_size,
                max_line: 40_000,
            };
            let (batches, report) = Loader::new()
                .resource_stream("PT1H.json", text.as_bytes(), false, &schema, sizes)
                .unwrap();
            let rows: usize = batches.iter().map(RecordBatch::num_rows).sum();
            assert_eq!(
                (rows, report.loaded, report.duplicates),
                (40, 40, 4),
                "{read_size}"
            );
            let lines: Vec<(usize, &str)> = report
                .rejected
                .iter()
                .map(|r| (r.line, r.reason.as_str()))
                .collect();
            assert_eq!(lines[0].0, 26, "{read_size}");
            assert_eq!(
                lines[1..],
                [(
                    45,
                    "a line of 200000 bytes, longer than a record can be (40000 bytes); not read"
                )],
                "{read_size}"
            );
        }
    }
}
