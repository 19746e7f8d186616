//! Live tables: records stream in from a growing file or standard input while queries run.

use crate::error::Error;
use crate::observer::{Event, Observer};
use crate::workspace::Workspace;
use datafusion::datasource::MemTable;
use kql_common::io_text::describe;
use kql_ingest::live::{LiveTable, follow, follow_file};
use kql_ingest::tables::aad_provisioning_logs;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Where a live table's records come from: JSON Lines of Log Analytics rows, resource-log
/// records or Event Hub bodies.
#[derive(Clone, Debug)]
pub enum LiveSource {
    /// Standard input, until it ends.
    Stdin,
    /// A file followed by name, as `tail -F` does, until the handle is dropped.
    File(PathBuf),
}

/// A table that grows while queries run; the reader stops when this is dropped.
pub struct LiveHandle {
    table: LiveTable,
    reader: tokio::task::JoinHandle<Result<(), String>>,
}

impl LiveHandle {
    /// Records appended so far (retention does not lower it): a change means new rows.
    pub fn appended(&self) -> u64 {
        self.table.appended()
    }

    /// Rows held now.
    pub async fn row_count(&self) -> usize {
        self.table.row_count().await
    }

    /// Whether the source has ended (standard input closed, or the reader failed).
    pub fn is_finished(&self) -> bool {
        self.reader.is_finished()
    }

    /// Waits for the source to end; the error says why reading it failed.
    pub async fn finish(&mut self) -> Result<(), String> {
        match (&mut self.reader).await {
            Ok(outcome) => outcome,
            Err(e) => Err(format!("the reader stopped: {e}")),
        }
    }
}

impl Drop for LiveHandle {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl Workspace {
    /// Attaches a live provisioning-log table `table` fed from `source`; with `retain` (ticks),
    /// rows older than the newest `TimeGenerated` minus `retain` are dropped as new rows
    /// arrive. Rejected records and what a followed file goes through reach `observer`. Must be
    /// called on a tokio runtime.
    pub async fn attach_live(
        &self,
        table: &str,
        source: LiveSource,
        retain: Option<i64>,
        observer: Arc<dyn Observer>,
    ) -> Result<LiveHandle, Error> {
        let schema = aad_provisioning_logs();
        let provider = MemTable::try_new(schema.to_arrow(), vec![vec![]])
            .map_err(|e| Error::Load(e.to_string()))?;
        let live = LiveTable::new(schema.clone(), provider.batches[0].clone(), retain);
        self.forget_export(table);
        self.context()
            .register_provider(table, schema, Arc::new(provider));
        let report = {
            let observer = observer.clone();
            move |r: &kql_ingest::load::LoadReport| {
                observer.event(Event::File {
                    report: r.clone(),
                    show_counts: false,
                })
            }
        };
        let table = live.clone();
        let reader = match source {
            LiveSource::Stdin => {
                let input = stdin_pipe();
                tokio::spawn(async move {
                    follow("stdin", input, &table, None, report)
                        .await
                        .map_err(|e| e.to_string())
                })
            }
            LiveSource::File(path) => {
                // A file that cannot be opened is an error at once, not once a query has run.
                tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| Error::Load(format!("{}: {}", path.display(), describe(&e))))?;
                tokio::spawn(async move {
                    // Followed by name: a rotated, truncated or re-created file is read on.
                    follow_file(&path, &table, Duration::from_millis(250), report, |n| {
                        observer.event(Event::Notice(n.to_owned()))
                    })
                    .await
                    .map_err(|e| e.to_string())
                })
            }
        };
        Ok(LiveHandle {
            table: live,
            reader,
        })
    }
}

/// Standard input, read on a thread of its own and piped into an async reader.
fn stdin_pipe() -> tokio::io::DuplexStream {
    let (mut tx, rx) = tokio::io::duplex(1 << 20);
    let handle = tokio::runtime::Handle::current();
    std::thread::spawn(move || {
        use std::io::Read;
        let mut stdin = std::io::stdin().lock();
        let mut buf = vec![0u8; 1 << 16];
        while let Ok(n) = stdin.read(&mut buf) {
            if n == 0 || handle.block_on(tx.write_all(&buf[..n])).is_err() {
                break;
            }
        }
        let _ = handle.block_on(tx.shutdown());
    });
    rx
}
