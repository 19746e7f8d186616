//! What attaching and converting report as they go: a front end prints the events, a test
//! collects them. Every input record is either loaded or in a report's rejections.

use kql_ingest::load::LoadReport;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One thing that happened while attaching or converting a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// Something found among the paths is not loaded (not a regular file, an unknown ending,
    /// reached twice).
    Skipped(String),
    /// One file's outcome: records loaded, rejected (with line and reason), dropped as
    /// duplicates. `show_counts` says the counts are worth a line of their own: there are
    /// several files, the file is a joined download, or something was rejected or dropped.
    File {
        /// What happened to the file.
        report: LoadReport,
        /// Whether the counts deserve a line (rejections are always worth showing).
        show_counts: bool,
    },
    /// The sum over the files of a source of several files (or with duplicates).
    Total {
        /// Files read.
        files: usize,
        /// Records loaded.
        loaded: usize,
        /// Records rejected.
        rejected: usize,
        /// Records dropped as duplicates.
        duplicates: usize,
    },
    /// Bytes read so far of a large conversion (only for observers that want progress).
    Progress {
        /// Bytes read.
        read: u64,
        /// Bytes in all.
        total: u64,
        /// Since the conversion began.
        elapsed: Duration,
    },
    /// The conversion whose progress was shown is over.
    ProgressEnd,
    /// A conversion finished.
    Converted {
        /// Records loaded.
        records: usize,
        /// Bytes of input.
        bytes: u64,
        /// How long it took.
        elapsed: Duration,
    },
    /// Something a live source noticed (a file truncated, replaced or removed).
    Notice(String),
}

/// Receives the [`Event`]s of attaching and converting; called from whatever thread does the
/// work.
pub trait Observer: Send + Sync {
    /// One event.
    fn event(&self, event: Event);

    /// Whether [`Event::Progress`] is wanted (a terminal shows it; a log does not).
    fn wants_progress(&self) -> bool {
        false
    }
}

/// An observer that keeps nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Silent {
    /// A silent observer, shared.
    pub fn shared() -> Arc<dyn Observer> {
        Arc::new(Silent)
    }
}

impl Observer for Silent {
    fn event(&self, _: Event) {}
}

/// An observer that keeps every event, in order (for tests and tools).
#[derive(Debug, Default)]
pub struct Collected(Mutex<Vec<Event>>);

impl Collected {
    /// The events so far.
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl Observer for Collected {
    fn event(&self, event: Event) {
        if let Ok(mut events) = self.0.lock() {
            events.push(event);
        }
    }
}
