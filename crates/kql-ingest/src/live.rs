//! Live tables: a table that grows while queries run (`kqlite query --follow`). Records arrive as
//! JSON Lines (Log Analytics rows, resource-log records or Event Hub bodies, one per line) from a
//! growing file or a pipe; each complete chunk becomes an Arrow batch that the next query scan sees.
//! A retention window bounds memory: rows older than the newest `TimeGenerated` minus the window
//! are dropped.

use crate::load::LoadReport;
use crate::load::files::Loader;
use datafusion::arrow::array::{Array, BooleanArray, Int64Array};
use datafusion::arrow::compute::filter_record_batch;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::memory::PartitionData;
use datafusion::error::{DataFusionError, Result};
use kql_functions::{KqlSchema, KqlType};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};

/// A table that grows: a handle to append to the partition of a `MemTable` that queries scan.
#[derive(Clone)]
pub struct LiveTable {
    schema: KqlSchema,
    partition: PartitionData,
    /// Rows older than the newest time minus this (ticks) are dropped.
    retain: Option<i64>,
    newest: std::sync::Arc<AtomicI64>,
    appended: std::sync::Arc<AtomicU64>,
}

impl LiveTable {
    /// A handle to `partition` (a `MemTable`'s, holding rows of `schema`), keeping rows whose
    /// `TimeGenerated` is within `retain` ticks of the newest (all rows without `retain`).
    pub fn new(schema: KqlSchema, partition: PartitionData, retain: Option<i64>) -> LiveTable {
        LiveTable {
            schema,
            partition,
            retain,
            newest: std::sync::Arc::new(AtomicI64::new(i64::MIN)),
            appended: std::sync::Arc::new(AtomicU64::new(0)),
        }
    }

    /// The table's schema.
    pub fn schema(&self) -> &KqlSchema {
        &self.schema
    }

    /// Rows held now.
    pub async fn row_count(&self) -> usize {
        self.partition
            .read()
            .await
            .iter()
            .map(RecordBatch::num_rows)
            .sum()
    }

    /// Records appended so far (retention does not lower it): a change means new rows.
    pub fn appended(&self) -> u64 {
        self.appended.load(Ordering::Relaxed)
    }

    /// Appends batches (of the table's schema), then applies the retention window.
    pub async fn append(&self, batches: Vec<RecordBatch>) -> Result<()> {
        let time_col = self
            .schema
            .fields
            .iter()
            .position(|f| f.name == "TimeGenerated" && f.ty == KqlType::DateTime);
        let mut held = self.partition.write().await;
        for b in batches {
            if let Some(max) = time_col.and_then(|c| max_ticks(b.column(c))) {
                self.newest.fetch_max(max, Ordering::Relaxed);
            }
            self.appended
                .fetch_add(b.num_rows() as u64, Ordering::Relaxed);
            held.push(b);
        }
        if let (Some(retain), Some(c)) = (self.retain, time_col) {
            let cutoff = self.newest.load(Ordering::Relaxed).saturating_sub(retain);
            let kept: Result<Vec<RecordBatch>> = held
                .drain(..)
                .map(|b| keep_since(b, c, cutoff))
                .filter(|b| b.as_ref().map_or(true, |b| b.num_rows() > 0))
                .collect();
            *held = kept?;
        }
        Ok(())
    }
}

fn max_ticks(col: &dyn Array) -> Option<i64> {
    col.as_any()
        .downcast_ref::<Int64Array>()
        .and_then(datafusion::arrow::compute::max)
}

/// The rows of `b` whose time is at or after `cutoff` (rows without a time are kept).
fn keep_since(b: RecordBatch, col: usize, cutoff: i64) -> Result<RecordBatch> {
    let Some(times) = b.column(col).as_any().downcast_ref::<Int64Array>() else {
        return Ok(b);
    };
    if times.iter().all(|t| t.is_none_or(|t| t >= cutoff)) {
        return Ok(b);
    }
    let mask: BooleanArray = times
        .iter()
        .map(|t| Some(t.is_none_or(|t| t >= cutoff)))
        .collect();
    Ok(filter_record_batch(&b, &mask)?)
}

/// Reads JSON Lines from `input` into `table` until the input ends (a pipe) or forever (a file
/// being appended to, with `poll` between reads at its end). Only complete lines are loaded; a
/// line still being written waits for its newline. `on_report` gets one report per chunk, with
/// lines numbered from the start of the input. A file that may be rotated is better followed by
/// name: [`follow_file`].
pub async fn follow<R: AsyncRead + Unpin>(
    name: &str,
    mut input: R,
    table: &LiveTable,
    poll: Option<std::time::Duration>,
    on_report: impl FnMut(&LoadReport),
) -> Result<()> {
    let mut lines = Lines::new(name, table, on_report);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = input
            .read(&mut buf)
            .await
            .map_err(|e| DataFusionError::Execution(format!("{name}: {e}")))?;
        if n == 0 {
            match poll {
                Some(wait) => {
                    tokio::time::sleep(wait).await;
                    continue;
                }
                None => break,
            }
        }
        lines.push(&buf[..n]).await?;
    }
    lines.end().await
}

/// Follows the file at `path` by name, as `tail -F` does, until the task is dropped: at its end,
/// every `poll`, the path is looked at again. A file truncated in place (logrotate's
/// copytruncate) is read again from its start; a new file at the path (logrotate's create mode,
/// or removed and made again) is read from its start once the old one is read to its end; while
/// the path is missing, the old file is still read and the path awaited. `on_notice` is told of
/// each (`FILE was truncated; reading from its start`). Lines are numbered from the start of
/// each file. Records in a truncated file's end that were not read before the truncation are
/// not seen (copytruncate's own window), nor are records a writer adds to a replaced file after
/// the new one was opened.
pub async fn follow_file(
    path: &std::path::Path,
    table: &LiveTable,
    poll: std::time::Duration,
    on_report: impl FnMut(&LoadReport),
    mut on_notice: impl FnMut(&str),
) -> Result<()> {
    let name = path.display().to_string();
    let failed = |e: std::io::Error| DataFusionError::Execution(format!("{name}: {e}"));
    let mut file = tokio::fs::File::open(path).await.map_err(failed)?;
    let mut identity = file_identity(&file.metadata().await.map_err(failed)?);
    let mut offset = 0u64;
    let mut missing = false;
    let mut lines = Lines::new(&name, table, on_report);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).await.map_err(failed)?;
        if n > 0 {
            offset += n as u64;
            lines.push(&buf[..n]).await?;
            continue;
        }
        let now = match tokio::fs::metadata(path).await {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !missing {
                    on_notice(&format!("{name} was removed; waiting for it to come back"));
                    missing = true;
                }
                tokio::time::sleep(poll).await;
                continue;
            }
            Err(e) => return Err(failed(e)),
        };
        if file_identity(&now) != identity {
            // Whatever the writer added to the old file before the new one came is read first.
            loop {
                let n = file.read(&mut buf).await.map_err(failed)?;
                if n == 0 {
                    break;
                }
                lines.push(&buf[..n]).await?;
            }
            lines.end().await?;
            file = tokio::fs::File::open(path).await.map_err(failed)?;
            identity = file_identity(&file.metadata().await.map_err(failed)?);
            offset = 0;
            missing = false;
            on_notice(&format!("{name} was replaced; reading the new file"));
        } else if now.is_file() && now.len() < offset {
            // The end of a line cut by the truncation is reported, not kept waiting forever.
            lines.end().await?;
            file.seek(std::io::SeekFrom::Start(0))
                .await
                .map_err(failed)?;
            offset = 0;
            on_notice(&format!("{name} was truncated; reading from its start"));
        } else if !now.is_file() || now.len() == offset {
            // At the end (a FIFO has no length to compare): wait for more.
            tokio::time::sleep(poll).await;
        }
    }
}

/// What tells two files apart at one path: (device, inode) on Unix; elsewhere the creation
/// time and size are the best available (a replaced file is new, a truncated one shrinks).
#[cfg(unix)]
fn file_identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn file_identity(meta: &std::fs::Metadata) -> Option<std::time::SystemTime> {
    meta.created().ok()
}

/// JSON Lines arriving in pieces: complete lines are loaded into the table as they come.
struct Lines<'a, F> {
    name: &'a str,
    table: &'a LiveTable,
    loader: Loader,
    /// The start of a line still being written.
    pending: Vec<u8>,
    /// Lines loaded from the current input (to number rejections).
    lines_done: usize,
    on_report: F,
}

impl<'a, F: FnMut(&LoadReport)> Lines<'a, F> {
    fn new(name: &'a str, table: &'a LiveTable, on_report: F) -> Self {
        Lines {
            name,
            table,
            loader: Loader::new(),
            pending: Vec::new(),
            lines_done: 0,
            on_report,
        }
    }

    /// Adds bytes read; loads the lines they complete.
    async fn push(&mut self, bytes: &[u8]) -> Result<()> {
        self.pending.extend_from_slice(bytes);
        let Some(last_newline) = self.pending.iter().rposition(|b| *b == b'\n') else {
            return Ok(());
        };
        let rest = self.pending.split_off(last_newline + 1);
        let chunk = std::mem::replace(&mut self.pending, rest);
        self.load(&chunk).await?;
        self.lines_done += memchr::memchr_iter(b'\n', &chunk).count();
        Ok(())
    }

    /// The input ended: a last line without a newline is complete. Lines are numbered afresh
    /// for a next input.
    async fn end(&mut self) -> Result<()> {
        let mut last = std::mem::take(&mut self.pending);
        if !last.iter().all(u8::is_ascii_whitespace) {
            last.push(b'\n');
            self.load(&last).await?;
        }
        self.lines_done = 0;
        Ok(())
    }

    async fn load(&mut self, chunk: &[u8]) -> Result<()> {
        load_chunk(
            self.name,
            chunk,
            self.lines_done,
            &mut self.loader,
            self.table,
            &mut self.on_report,
        )
        .await
    }
}

/// Loads complete lines; a line holding a whole document (an Event Hub body) is loaded alone.
async fn load_chunk(
    name: &str,
    chunk: &[u8],
    first_line: usize,
    loader: &mut Loader,
    table: &LiveTable,
    on_report: &mut impl FnMut(&LoadReport),
) -> Result<()> {
    let documents = chunk.split(|b| *b == b'\n').any(is_event_hub_body);
    let pieces: Vec<(usize, &[u8])> = if documents {
        chunk
            .split(|b| *b == b'\n')
            .enumerate()
            .filter(|(_, l)| !l.trim_ascii().is_empty())
            .map(|(i, l)| (first_line + i, l))
            .collect()
    } else {
        vec![(first_line, chunk)]
    };
    for (offset, piece) in pieces {
        let (batches, mut report) = loader.load_bytes(name, piece, &table.schema)?;
        for r in &mut report.rejected {
            r.line += offset;
        }
        table.append(batches).await?;
        on_report(&report);
    }
    Ok(())
}

/// Whether a line is an Event Hub body: an object whose first key is `records` (spaces allowed).
fn is_event_hub_body(line: &[u8]) -> bool {
    line.trim_ascii_start()
        .strip_prefix(b"{")
        .is_some_and(|rest| rest.trim_ascii_start().starts_with(b"\"records\""))
}

#[cfg(test)]
mod tests {
    #[test]
    fn event_hub_bodies_are_recognized_with_spaces() {
        assert!(super::is_event_hub_body(b"{\"records\": []}"));
        assert!(super::is_event_hub_body(b"  { \"records\" : []}"));
        assert!(!super::is_event_hub_body(b"{\"time\": 1, \"records\": []}"));
    }
}
