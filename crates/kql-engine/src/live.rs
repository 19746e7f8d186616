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
use kql_planner::{KqlSchema, KqlType};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use tokio::io::{AsyncRead, AsyncReadExt};

/// A handle to append to a table registered with [`crate::KqlContext::register_live`].
#[derive(Clone)]
pub struct LiveTable {
    pub(crate) schema: KqlSchema,
    pub(crate) partition: PartitionData,
    /// Rows older than the newest time minus this (ticks) are dropped.
    pub(crate) retain: Option<i64>,
    pub(crate) newest: std::sync::Arc<AtomicI64>,
    pub(crate) appended: std::sync::Arc<AtomicU64>,
}

impl LiveTable {
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
/// lines numbered from the start of the input.
pub async fn follow<R: AsyncRead + Unpin>(
    name: &str,
    mut input: R,
    table: &LiveTable,
    poll: Option<std::time::Duration>,
    mut on_report: impl FnMut(&LoadReport),
) -> Result<()> {
    let mut loader = Loader::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut lines_done = 0usize;
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
        pending.extend_from_slice(&buf[..n]);
        let Some(last_newline) = pending.iter().rposition(|b| *b == b'\n') else {
            continue;
        };
        let rest = pending.split_off(last_newline + 1);
        let chunk = std::mem::replace(&mut pending, rest);
        load_chunk(name, &chunk, lines_done, &mut loader, table, &mut on_report).await?;
        lines_done += memchr::memchr_iter(b'\n', &chunk).count();
    }
    if !pending.iter().all(u8::is_ascii_whitespace) {
        // The input ended without a final newline: the last line is complete.
        pending.push(b'\n');
        load_chunk(
            name,
            &pending,
            lines_done,
            &mut loader,
            table,
            &mut on_report,
        )
        .await?;
    }
    Ok(())
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
