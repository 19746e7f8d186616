//! Parquet snapshots: one file holding a table with its Kusto types in the field metadata, written
//! by `kqlite convert` and queried in place: [`snapshot_table`] hands the files to DataFusion's
//! Parquet scan, which reads only the columns a query uses, skips row groups whose
//! `TimeGenerated` range a filter excludes, decodes the other columns only for rows that pass
//! pushed-down filters (skipping their pages that hold none), and splits the file across cores.

use super::LoadReport;
use super::checksums::{self, Summing};
use super::offset_index::{OffsetIndexes, SnapshotFile};
use super::snapshot_files::SnapshotFiles;
use crate::output_file::OutputFile;
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::TableProvider;
use datafusion::common::config::TableParquetOptions;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::ListingTableUrl;
use datafusion::datasource::physical_plan::parquet::metadata::CachedParquetMetaData;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::cache::cache_manager::{CachedFileMetadataEntry, FileMetadataCache};
use datafusion::object_store::ObjectMeta;
use datafusion::object_store::path::Path as ObjectPath;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::{
    ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use datafusion::parquet::arrow::parquet_to_arrow_schema;
use datafusion::parquet::basic::Compression;
use datafusion::parquet::file::metadata::{
    KeyValue, PageIndexPolicy, ParquetMetaDataOptions, ParquetMetaDataReader,
    ParquetStatisticsPolicy,
};
use datafusion::parquet::file::properties::{EnabledStatistics, WriterProperties};
use kql_functions::types::KqlArrow;
use kql_functions::{KqlSchema, KqlType};
use std::path::Path;
use std::sync::Arc;

/// Writes `batches` of `schema` to `path` as one Parquet file, in time order. The file appears
/// whole or not at all (written next to it, synced, then renamed), so a failed convert never
/// leaves half a snapshot.
pub fn write_snapshot(path: &Path, schema: &KqlSchema, batches: &[RecordBatch]) -> Result<()> {
    let mut w = SnapshotWriter::create(path, schema)?;
    for b in in_time_order(schema, batches)? {
        w.write(&b)?;
    }
    w.finish()
}

/// The shape name of a snapshot in load reports.
const SNAPSHOT: &str = "Parquet snapshot";

/// Rows per row group: small enough that a time filter skips most of a sorted snapshot and that
/// both cores get row groups to decode, large enough that per-group overhead stays negligible.
const ROW_GROUP_ROWS: usize = 65_536;

/// A snapshot written batch by batch, for rows that already come in time order (as `kqlite
/// generate` makes them): memory stays bounded whatever the number of rows. Out-of-order rows
/// give the same answers, only less pruning. The file appears at [`SnapshotWriter::finish`]; a
/// writer dropped before that leaves nothing behind (see [`crate::output_file`]).
pub struct SnapshotWriter {
    arrow: Arc<Schema>,
    writer: ArrowWriter<Summing<OutputFile>>,
    /// Row groups whose chunks are summed (see [`super::checksums`]).
    summed: usize,
}

impl SnapshotWriter {
    /// Starts a snapshot of `schema` at `path` (a temporary file beside it until finished).
    pub fn create(path: &Path, schema: &KqlSchema) -> Result<SnapshotWriter> {
        let arrow = schema.to_arrow();
        let file = OutputFile::create(path).map_err(DataFusionError::IoError)?;
        // Uncompressed: snapshots are read far more often than written, and decoding plain or
        // dictionary pages straight from the page cache is the fastest read there is.
        // Page statistics (the column index) on every column but text, for readers that use
        // them (DuckDB, Spark; kqlite's own scans do not, see `offset_index.rs`). On text columns
        // every page spans nearly the whole range, and their index would only cost decoding.
        let mut props = WriterProperties::builder()
            .set_compression(Compression::UNCOMPRESSED)
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_statistics_enabled(EnabledStatistics::Chunk);
        for f in &schema.fields {
            if !matches!(f.ty, KqlType::String | KqlType::Dynamic | KqlType::Guid) {
                props = props
                    .set_column_statistics_enabled(f.name.as_str().into(), EnabledStatistics::Page);
            }
        }
        // A failure drops the file, which removes it.
        let writer = ArrowWriter::try_new(Summing::new(file), arrow.clone(), Some(props.build()))?;
        Ok(SnapshotWriter {
            arrow,
            writer,
            summed: 0,
        })
    }

    /// Appends the rows of `batch` (whose columns are the schema's).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        let batch = batch.clone().with_schema(self.arrow.clone())?;
        self.writer.write(&batch)?;
        // Sum finished row groups now, so that the bytes held for summing stay about one.
        let groups = self.writer.flushed_row_groups()[self.summed..].to_vec();
        self.summed += self.writer.inner_mut().sum(&groups);
        Ok(())
    }

    /// Writes the footer, with the column chunks' checksums, and puts the file in place (synced
    /// to disk first).
    pub fn finish(self) -> Result<()> {
        let (mut file_writer, _) = self.writer.into_serialized_writer()?;
        // Everything but the footer reaches the summing writer.
        file_writer.flush().map_err(DataFusionError::IoError)?;
        let groups = file_writer.flushed_row_groups()[self.summed..].to_vec();
        let summing = file_writer.inner_mut();
        if summing.sum(&groups) != groups.len() {
            return Err(DataFusionError::Internal(
                "a snapshot's row groups were not all written before its footer".to_owned(),
            ));
        }
        let sums = summing.value();
        file_writer.append_key_value_metadata(KeyValue::new(checksums::KEY.to_owned(), sums));
        let file = file_writer.into_inner()?.into_inner();
        file.commit().map_err(DataFusionError::IoError)
    }
}

/// `batches` ordered by `TimeGenerated` (stable, nulls first) when the table has that column and
/// they are not already in order, so that each row group covers a narrow time range and a time
/// filter can skip the others by their statistics. Kusto promises no row order, so nothing that
/// a query can rely on changes.
fn in_time_order(schema: &KqlSchema, batches: &[RecordBatch]) -> Result<Vec<RecordBatch>> {
    use datafusion::arrow::array::{Int64Array, UInt32Array};
    use datafusion::arrow::compute::{concat_batches, take_record_batch};
    let Some((index, _)) = schema.field("TimeGenerated") else {
        return Ok(batches.to_vec());
    };
    let times = batches
        .iter()
        .map(|b| {
            b.column(index)
                .as_any()
                .downcast_ref::<Int64Array>()
                .cloned()
        })
        .collect::<Option<Vec<_>>>();
    let Some(times) = times else {
        return Ok(batches.to_vec());
    };
    // `Option`'s order puts `None` (null) first, as the sort below does.
    let keyed: Vec<(Option<i64>, u32)> = times.iter().flat_map(|t| t.iter()).zip(0u32..).collect();
    if keyed.windows(2).all(|w| w[0].0 <= w[1].0) {
        return Ok(batches.to_vec());
    }
    let Some(first) = batches.first() else {
        return Ok(Vec::new());
    };
    let all = concat_batches(&first.schema(), batches)?;
    // Ties keep their input order (the row index is the second key).
    let mut keyed = keyed;
    keyed.sort_unstable();
    let order = UInt32Array::from_iter_values(keyed.into_iter().map(|(_, i)| i));
    let mut out = Vec::with_capacity(all.num_rows().div_ceil(ROW_GROUP_ROWS));
    let mut start = 0;
    while start < order.len() {
        let len = ROW_GROUP_ROWS.min(order.len() - start);
        out.push(take_record_batch(&all, &order.slice(start, len))?);
        start += len;
    }
    Ok(out)
}

/// Reads a snapshot file, keeping the columns of `schema` (by name).
pub fn read_snapshot_file(
    path: &Path,
    schema: &KqlSchema,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    reader_panics_as_errors(path, || read_whole_snapshot(path, schema)).map_err(|e| {
        let reason = super::reason(&e);
        match e {
            // The file's own columns, or the file system: said as it is.
            DataFusionError::Execution(_) | DataFusionError::IoError(_) => {
                DataFusionError::Execution(reason)
            }
            // The Parquet reader found the file damaged.
            _ => DataFusionError::Execution(format!(
                "{}: a damaged Parquet snapshot: {reason}",
                path.display()
            )),
        }
    })
}

fn read_whole_snapshot(path: &Path, schema: &KqlSchema) -> Result<(Vec<RecordBatch>, LoadReport)> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(DataFusionError::IoError)?;
    // Columns are typed from the Parquet schema alone: the embedded Arrow schema says nothing
    // more for kqlite's snapshots, and a damaged one makes the IPC decoder panic.
    let options = ArrowReaderOptions::new().with_skip_arrow_metadata(true);
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(file, options)?;
    checksums::verify_file(path, builder.metadata())
        .map_err(|e| DataFusionError::Execution(format!("{name}: {e}")))?;
    let file_schema = builder.schema().clone();
    let mut indexes = Vec::new();
    for f in &schema.fields {
        let Ok(i) = file_schema.index_of(&f.name) else {
            return Err(DataFusionError::Execution(format!(
                "{name}: the snapshot has no column `{}`",
                f.name
            )));
        };
        indexes.push(i);
    }
    let mask = datafusion::parquet::arrow::ProjectionMask::roots(
        builder.parquet_schema(),
        indexes.clone(),
    );
    let reader = builder
        .with_projection(mask)
        .with_batch_size(65_536)
        .build()?;
    let target: Arc<Schema> = schema.to_arrow();
    let mut batches = Vec::new();
    let mut rows = 0;
    for b in reader {
        let b = b?;
        // The projected batch lists columns in file order; put them in the schema's order.
        let cols = schema
            .fields
            .iter()
            .map(|f| {
                b.column_by_name(&f.name).cloned().ok_or_else(|| {
                    DataFusionError::Execution(format!("{name}: column `{}` missing", f.name))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        rows += b.num_rows();
        batches.push(RecordBatch::try_new(target.clone(), cols)?);
    }
    Ok((
        batches,
        LoadReport {
            loaded: rows,
            ..LoadReport::new(name, SNAPSHOT)
        },
    ))
}

/// Snapshots are read from files (see [`read_snapshot_file`]).
pub fn read_snapshot(
    name: &str,
    _: &[u8],
    _: &KqlSchema,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    Err(DataFusionError::Execution(format!(
        "{name}: a Parquet snapshot must be loaded from a file"
    )))
}

/// Whether `path` starts with the Parquet magic bytes.
pub fn is_snapshot_file(path: &Path) -> bool {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok_and(|()| magic == *b"PAR1")
}

/// A table of `schema` over snapshot files, read lazily by DataFusion's Parquet scan. Each file's
/// footer is checked first (every column of `schema`, with its Arrow type), so a foreign or
/// damaged file fails here with its name rather than halfway through a query. The reports carry
/// the row counts from the footers.
///
/// The footers, read here without their page indexes, go into `metadata_cache` (the session's,
/// the query session's) so that the scan finds them there instead of
/// reading and decoding them again on every query. Offset indexes are added when a scan first
/// needs them ([`super::offset_index`]).
pub fn snapshot_table(
    paths: &[std::path::PathBuf],
    schema: &KqlSchema,
    metadata_cache: &Arc<FileMetadataCache>,
) -> Result<(Arc<dyn TableProvider>, Vec<LoadReport>)> {
    let mut files = Vec::with_capacity(paths.len());
    let mut reports = Vec::with_capacity(paths.len());
    // Files without kqlite's checksums (other writers'), whose damage may panic the decoder.
    let mut unchecked = Vec::new();
    for path in paths {
        // Canonical: object-store paths may not hold `.` or `..` segments.
        let absolute = std::fs::canonicalize(path).map_err(|e| {
            DataFusionError::Execution(format!("{}: cannot open: {e}", path.display()))
        })?;
        let url = url::Url::from_file_path(&absolute).map_err(|()| {
            DataFusionError::Execution(format!("{}: not a local file path", path.display()))
        })?;
        // No glob: a file name with `*` or `[` is a name, not a pattern.
        let url = ListingTableUrl::try_new(url, None)?;
        let (report, entry, arrow, checksummed) =
            reader_panics_as_errors(path, || check_snapshot(path, url.prefix(), schema))?;
        if !checksummed {
            unchecked.push(path.display().to_string());
        }
        files.push(SnapshotFile {
            path: absolute,
            object: entry.meta.clone(),
            arrow,
        });
        metadata_cache.put(url.prefix(), entry);
        reports.push(report);
    }
    let scanned = scan_schema(schema);
    let table = |pushdown: bool| -> Arc<dyn TableProvider> {
        let mut options = TableParquetOptions::default();
        options.global.pushdown_filters = pushdown;
        options.global.reorder_filters = true;
        options.global.schema_force_view_types = true;
        // No page statistics: see `offset_index`'s module comment.
        options.global.enable_page_index = false;
        let format = ParquetFormat::default().with_options(options);
        Arc::new(SnapshotFiles::new(scanned.clone(), files.clone(), format))
    };
    let scan = super::snapshot_scan::SnapshotScan {
        late: table(true),
        early: table(false),
        offset_indexes: OffsetIndexes::new(files, metadata_cache.clone()),
        fence: (!unchecked.is_empty()).then(|| unchecked.join(", ").into()),
    };
    Ok((Arc::new(scan), reports))
}

/// The Arrow schema a snapshot is scanned as: text as string views, which point into the
/// decoded pages (a dictionary page's strings are not copied once per row) and which grouping,
/// comparison and sorting handle faster. Query results are cast back to the canonical types
/// (the engine casts results back). The fields carry no Kusto types (the table's `KqlSchema`
/// does), so that they are exactly the file's columns as a scan reads them (see
/// [`scanned_columns`]) and need no adapting.
pub fn scan_schema(schema: &KqlSchema) -> Arc<Schema> {
    scanned_columns(&schema.to_arrow())
}

/// Columns `file` as a scan reads them: text as string views, without field metadata.
fn scanned_columns(file: &Schema) -> Arc<Schema> {
    let fields: Vec<Field> = file
        .fields()
        .iter()
        .map(|f| {
            let ty = match f.data_type() {
                DataType::Utf8 => DataType::Utf8View,
                other => other.clone(),
            };
            Field::new(f.name(), ty, f.is_nullable())
        })
        .collect();
    Arc::new(Schema::new(fields))
}

/// What of a snapshot's footer is decoded: all but the page encoding statistics (which pages of a
/// column chunk use which encoding) and the size statistics (value sizes and level histograms),
/// which no scan reads: 5 % of decoding a 1M-row snapshot's footer.
fn footer_options() -> ParquetMetaDataOptions {
    ParquetMetaDataOptions::new()
        .with_encoding_stats_policy(ParquetStatisticsPolicy::SkipAll)
        .with_size_stats_policy(ParquetStatisticsPolicy::SkipAll)
}

/// Reads the footer of `path` (stored as `location`), without its page index, and checks it holds
/// every column of `schema` with its type; returns the report, the metadata cache entry and all
/// the file's columns as a scan reads them.
/// Checks that every column chunk the footer lists lies within the file: a damaged footer's
/// negative or too large offsets otherwise reach the Parquet reader, which asserts on them.
fn chunks_within(
    meta: &datafusion::parquet::file::metadata::ParquetMetaData,
    file_len: u64,
) -> std::result::Result<(), String> {
    for (g, rg) in meta.row_groups().iter().enumerate() {
        for c in rg.columns() {
            let start = c.dictionary_page_offset().unwrap_or(c.data_page_offset());
            let end = start.checked_add(c.compressed_size());
            let inside = start >= 0
                && c.compressed_size() >= 0
                && end.is_some_and(|e| u64::try_from(e).is_ok_and(|e| e <= file_len));
            if !inside {
                return Err(format!(
                    "a damaged Parquet snapshot: row group {g}, column {} lies outside the file",
                    c.column_path()
                ));
            }
        }
    }
    Ok(())
}

/// Runs `read` on a snapshot, turning a panic of the Parquet reader into an error: on some
/// damaged footers and pages (negative chunk lengths, bit widths past 64, buffers shorter than
/// their offsets) it asserts instead of returning an error. Checksums catch damaged pages of
/// kqlite's own snapshots before decoding; this covers footers and other writers' files.
fn reader_panics_as_errors<T>(path: &Path, read: impl FnOnce() -> Result<T>) -> Result<T> {
    super::panic_fence::fenced(&path.display().to_string(), read)
}

/// Checks a snapshot's footer against `schema`; also says whether it carries kqlite's checksums.
fn check_snapshot(
    path: &Path,
    location: &ObjectPath,
    schema: &KqlSchema,
) -> Result<(LoadReport, CachedFileMetadataEntry, SchemaRef, bool)> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| DataFusionError::Execution(format!("{name}: cannot open: {e}")))?;
    let stat = file
        .metadata()
        .map_err(|e| DataFusionError::Execution(format!("{name}: cannot read: {e}")))?;
    let meta = ParquetMetaDataReader::new()
        .with_page_index_policy(PageIndexPolicy::Skip)
        .with_metadata_options(Some(footer_options()))
        .parse_and_finish(&file)
        .map_err(|e| {
            DataFusionError::Execution(format!("{name}: not a readable Parquet file: {e}"))
        })?;
    chunks_within(&meta, stat.len())
        .map_err(|e| DataFusionError::Execution(format!("{name}: {e}")))?;
    let checksummed = match checksums::ChunkChecksums::from_metadata(&meta) {
        Some(Ok(sums)) => {
            let modified = stat
                .modified()
                .map_err(|e| DataFusionError::Execution(format!("{name}: cannot read: {e}")))?;
            checksums::remember(path, stat.len(), modified, sums);
            true
        }
        Some(Err(e)) => return Err(DataFusionError::Execution(format!("{name}: {e}"))),
        None => false,
    };
    let file_meta = meta.file_metadata();
    // The column types as Parquet declares them; every Kusto type's Arrow type reads back from
    // them alone, without decoding the Arrow schema embedded in the footer (nor does the scan:
    // it is given these columns).
    let arrow = parquet_to_arrow_schema(file_meta.schema_descr(), None)
        .map_err(|e| DataFusionError::Execution(format!("{name}: unreadable schema: {e}")))?;
    for f in &schema.fields {
        let want = f.ty.arrow();
        match arrow.field_with_name(&f.name) {
            Ok(got) if *got.data_type() == want => {}
            Ok(got) => {
                return Err(DataFusionError::Execution(format!(
                    "{name}: column `{}` is {} in the snapshot, expected {want} ({})",
                    f.name,
                    got.data_type(),
                    f.ty.name()
                )));
            }
            Err(_) => {
                return Err(DataFusionError::Execution(format!(
                    "{name}: the snapshot has no column `{}`",
                    f.name
                )));
            }
        }
    }
    let report = LoadReport {
        loaded: usize::try_from(file_meta.num_rows()).unwrap_or(0),
        ..LoadReport::new(name, SNAPSHOT)
    };
    // The cache checks size and modification time against those a scan reads again
    // (`snapshot_files`).
    let modified = stat
        .modified()
        .map_err(|e| DataFusionError::Execution(format!("{}: cannot read: {e}", report.file)))?;
    let object = ObjectMeta {
        location: location.clone(),
        last_modified: modified.into(),
        size: stat.len(),
        e_tag: None,
        version: None,
    };
    let entry =
        CachedFileMetadataEntry::new(object, Arc::new(CachedParquetMetaData::new(Arc::new(meta))));
    Ok((report, entry, scanned_columns(&arrow), checksummed))
}
