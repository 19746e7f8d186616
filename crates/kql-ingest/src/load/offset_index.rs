//! [`OffsetIndexes`]: where each page of a snapshot's column chunks starts, read only for scans
//! that need it.
//!
//! A scan that decodes its filter columns first (late materialization, see
//! [`super::snapshot_scan`]) uses the offset index to skip the pages of the other columns that
//! hold no passing row: one user's rows read a third faster with it. Other scans never look at
//! it, and decoding it for the 28 columns of every row group was a third of opening a snapshot,
//! so a snapshot is opened without it and it is added to the footer cache on first need.
//!
//! The index only saves work, so a file whose index cannot be read (or that changed since it was
//! opened) is scanned without one, as before.
//!
//! Page statistics (the column index) are never read. Their columns have a few pages per row group
//! (TimeGenerated four), and decoding the index cost more than the pages it skipped: a two-hour
//! count over 1M rows took 0.3 ms longer with it.

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::datasource::physical_plan::parquet::metadata::CachedParquetMetaData;
use datafusion::execution::cache::cache_manager::{CachedFileMetadataEntry, FileMetadataCache};
use datafusion::object_store::ObjectMeta;
use datafusion::parquet::file::metadata::{PageIndexPolicy, ParquetMetaDataReader};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A snapshot file as the footer cache knows it.
#[derive(Debug, Clone)]
pub struct SnapshotFile {
    /// Where to read it.
    pub path: PathBuf,
    /// Its cache key, size and modification time.
    pub object: ObjectMeta,
    /// All its columns as a scan reads them, from its footer (see `parquet::scanned_columns`).
    pub arrow: SchemaRef,
}

/// The offset indexes of a table's snapshot files, loaded into the footer cache once.
#[derive(Debug)]
pub struct OffsetIndexes {
    files: Vec<SnapshotFile>,
    cache: Arc<FileMetadataCache>,
    loaded: Mutex<bool>,
}

impl OffsetIndexes {
    /// For `files`, whose footers (without page indexes) are in `cache`.
    pub fn new(files: Vec<SnapshotFile>, cache: Arc<FileMetadataCache>) -> OffsetIndexes {
        OffsetIndexes {
            files,
            cache,
            loaded: Mutex::new(false),
        }
    }

    /// Adds each file's offset index to its cached footer, the first time only.
    pub fn ensure_loaded(&self) {
        let Ok(mut loaded) = self.loaded.lock() else {
            return;
        };
        if *loaded {
            return;
        }
        for file in &self.files {
            // `None` (unreadable, changed, evicted): that file is scanned without its index.
            let _ = load_one(file, self.cache.as_ref());
        }
        *loaded = true;
    }
}

/// Puts `file`'s footer back in `cache` with its offset index; `None` when it stays without one.
fn load_one(file: &SnapshotFile, cache: &FileMetadataCache) -> Option<()> {
    let location = &file.object.location;
    // Evicted (the cache is bounded): the scan reads the footer itself, without the index.
    let entry = cache.get(location)?;
    let cached = entry
        .file_metadata
        .as_any()
        .downcast_ref::<CachedParquetMetaData>()?;
    let footer = cached.parquet_metadata();
    if footer.offset_index().is_some() {
        return Some(());
    }
    let reader = std::fs::File::open(&file.path).ok()?;
    // The footer's offsets are only good for the file it was read from.
    let stat = reader.metadata().ok()?;
    let modified = stat.modified().ok()?;
    if stat.len() != file.object.size
        || modified != std::time::SystemTime::from(file.object.last_modified)
    {
        return None;
    }
    let mut indexes = ParquetMetaDataReader::new_with_metadata(footer.as_ref().clone())
        .with_offset_index_policy(PageIndexPolicy::Optional)
        .with_column_index_policy(PageIndexPolicy::Skip);
    indexes.read_page_indexes(&reader).ok()?;
    let with_index = indexes.finish().ok()?;
    cache.put(
        location,
        CachedFileMetadataEntry::new(
            file.object.clone(),
            Arc::new(CachedParquetMetaData::new(Arc::new(with_index))),
        ),
    );
    Some(())
}
