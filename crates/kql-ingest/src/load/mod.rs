//! Loading exports into Arrow tables. Every input record is either loaded or reported with its
//! file, line and reason: [`LoadReport`] counts add up.

mod blocks;
pub mod builder;
mod checked_chunks;
mod checksums;
pub mod csv;
pub mod files;
pub mod infer;
mod json_values;
pub mod local_files;
pub mod ndjson;
mod offset_index;
mod panic_fence;
pub mod parquet;
pub mod portal_csv;
mod resource_raw;
pub mod shapes;
mod snapshot_files;
mod snapshot_scan;
mod sniff;
mod utf16;
pub mod walk;

use datafusion::error::DataFusionError;
use std::fmt;

/// One record that could not be loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// 1-based line (or array index + 1) of the record.
    pub line: usize,
    /// Why it was rejected.
    pub reason: String,
}

/// What happened to one input file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// The file (as given).
    pub file: String,
    /// Records loaded.
    pub loaded: usize,
    /// Records rejected, with reasons.
    pub rejected: Vec<Rejection>,
    /// Records dropped as duplicates of an already loaded record id (resource logs are delivered
    /// at least once).
    pub duplicates: usize,
    /// The shape the file was read as.
    pub shape: &'static str,
    /// The file is one part of a portal CSV download, held back: its records are joined with
    /// the other parts' and reported by `Loader::finish`, so nothing is counted here yet.
    pub held_back: bool,
}

impl LoadReport {
    /// The report of file `file` read as `shape` (`""` until the shape is known), nothing
    /// loaded yet.
    pub fn new(file: impl Into<String>, shape: &'static str) -> LoadReport {
        LoadReport {
            file: file.into(),
            shape,
            ..LoadReport::default()
        }
    }
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: loaded {}, rejected {}",
            self.file,
            self.loaded,
            self.rejected.len()
        )?;
        if self.duplicates > 0 {
            write!(f, ", duplicates dropped {}", self.duplicates)?;
        }
        if !self.shape.is_empty() {
            write!(f, " (read as {})", self.shape)?;
        }
        Ok(())
    }
}

/// The text of an (already decompressed) export as the loaders read it: UTF-16 decoded to
/// UTF-8, anything else as it is. For tools that check what a load reports against the input.
pub fn as_loaded_text(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    match utf16::detect(bytes) {
        Some(order) => std::borrow::Cow::Owned(utf16::decode(bytes, order)),
        None => std::borrow::Cow::Borrowed(bytes),
    }
}

/// What went wrong, without DataFusion's layers of error kinds ("Execution error: Parquet
/// error: ...") before it: what a loader's error says to a user.
pub fn reason(e: &DataFusionError) -> String {
    const LAYERS: &[&str] = &[
        "Execution error: ",
        "Parquet error: ",
        "Arrow error: ",
        "Parquet argument error: ",
        "External error: ",
        "External: ",
        "IO error: ",
    ];
    let text = e.to_string();
    let mut reason = text.as_str();
    while let Some(rest) = LAYERS.iter().find_map(|l| reason.strip_prefix(l)) {
        reason = rest;
    }
    reason.to_owned()
}
