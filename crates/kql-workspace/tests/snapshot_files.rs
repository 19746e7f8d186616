//! Parquet snapshots queried in place: written in time order with small row groups, checked
//! against the table schema when opened, and answering exactly what the same rows in memory do.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests report failures by panicking"
)]

use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::physical_plan::parquet::metadata::CachedParquetMetaData;
use datafusion::execution::cache::cache_manager::FileMetadataCache;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::file::metadata::{PageIndexPolicy, ParquetMetaDataReader};
use datafusion::parquet::file::page_index::column_index::ColumnIndexMetaData;
use datafusion::parquet::file::reader::{FileReader, SerializedFileReader};
use datafusion::parquet::file::statistics::Statistics;
use kql_engine::{KqlContext, KqlSchema, KqlType};
use kql_ingest::load::parquet::{snapshot_table, write_snapshot};
#[path = "../../kql-ingest/tests/common/mod.rs"]
mod common;
mod engine;

use std::path::PathBuf;
use std::sync::Arc;

fn scratch(name: &str) -> PathBuf {
    common::scratch("snapshots", name)
}

fn schema() -> KqlSchema {
    KqlSchema::new([
        ("TimeGenerated".to_owned(), KqlType::DateTime),
        ("Key".to_owned(), KqlType::String),
    ])
}

/// `n` rows, newest first (the reverse of what a snapshot stores), in batches of 10,000.
fn newest_first(n: i64) -> Vec<RecordBatch> {
    keyed_newest_first(n, "k")
}

/// [`newest_first`] with keys `{prefix}0` to `{prefix}9`.
fn keyed_newest_first(n: i64, prefix: &str) -> Vec<RecordBatch> {
    let start = kql_common::time::parse_datetime("2026-11-01T00:00:00Z").unwrap();
    let arrow = schema().to_arrow();
    (0..n)
        .rev()
        .collect::<Vec<_>>()
        .chunks(10_000)
        .map(|rows| {
            let times: ArrayRef = Arc::new(Int64Array::from_iter_values(
                rows.iter().map(|i| start + i * 10_000_000),
            ));
            let keys: ArrayRef = Arc::new(StringArray::from_iter_values(
                rows.iter().map(|i| format!("{prefix}{}", i % 10)),
            ));
            RecordBatch::try_new(arrow.clone(), vec![times, keys]).unwrap()
        })
        .collect()
}

fn count(ctx: &KqlContext, query: &str) -> i64 {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let result = rt.block_on(ctx.execute(query)).unwrap();
    let v = kql_functions::value::json_value(result.batches[0].column(0), 0, KqlType::Long);
    v.as_i64().unwrap()
}

/// Asserts that each of `queries` counts more than nothing, and the same in `in_place` as in
/// `expected`.
fn assert_same_counts(in_place: &KqlContext, expected: &KqlContext, queries: &[&str]) {
    for q in queries {
        let want = count(expected, q);
        assert!(want > 0, "{q}");
        assert_eq!(count(in_place, q), want, "{q}");
    }
}

#[test]
fn snapshots_are_stored_in_time_order_in_row_groups_that_do_not_overlap() {
    let path = scratch("order").join("t.parquet");
    write_snapshot(&path, &schema(), &newest_first(150_000)).unwrap();
    let reader = SerializedFileReader::new(std::fs::File::open(&path).unwrap()).unwrap();
    let groups = reader.metadata().row_groups();
    assert_eq!(groups.len(), 3, "150,000 rows in row groups of 65,536");
    let mut previous_max = i64::MIN;
    for g in groups {
        let Some(Statistics::Int64(s)) = g.column(0).statistics() else {
            panic!("no TimeGenerated statistics");
        };
        let (min, max) = (*s.min_opt().unwrap(), *s.max_opt().unwrap());
        assert!(
            previous_max < min && min <= max,
            "{previous_max} {min} {max}"
        );
        previous_max = max;
    }
    // Page statistics where a filter can use them (time), not on text, where decoding them
    // would cost every query more than they save.
    let meta = ParquetMetaDataReader::new()
        .with_page_index_policy(PageIndexPolicy::Optional)
        .parse_and_finish(&std::fs::File::open(&path).unwrap())
        .unwrap();
    let pages = &meta.column_index().expect("a column index")[0];
    assert!(
        matches!(pages[0], ColumnIndexMetaData::INT64(_)),
        "TimeGenerated"
    );
    assert!(matches!(pages[1], ColumnIndexMetaData::NONE), "Key");
}

/// 150,000 rows as table `T`, in memory and as snapshot `name` opened in place (not yet
/// registered, so that a test can look at the cache first); and the snapshot's footer cache.
struct SameRows {
    in_memory: KqlContext,
    in_place: KqlContext,
    provider: Arc<dyn datafusion::catalog::TableProvider>,
    cache: Arc<FileMetadataCache>,
    path: PathBuf,
}

fn same_rows(name: &str) -> SameRows {
    let path = scratch(name).join("t.parquet");
    let batches = newest_first(150_000);
    write_snapshot(&path, &schema(), &batches).unwrap();
    let in_memory = engine::new();
    in_memory.register_batches("T", schema(), batches).unwrap();
    let in_place = engine::new();
    let cache = in_place.metadata_cache();
    let (provider, reports) =
        snapshot_table(std::slice::from_ref(&path), &schema(), &cache).unwrap();
    assert_eq!(reports[0].loaded, 150_000);
    SameRows {
        in_memory,
        in_place,
        provider,
        cache,
        path,
    }
}

#[test]
fn a_snapshot_in_place_answers_as_the_rows_in_memory_do() {
    let SameRows {
        in_memory,
        in_place,
        provider,
        cache,
        ..
    } = same_rows("same");
    let footer = || {
        let entries = cache.list_entries();
        assert_eq!(entries.len(), 1);
        entries
            .into_values()
            .map(|e| Arc::as_ptr(&e.value.file_metadata).cast::<u8>())
            .next()
    };
    let opened = footer();
    in_place.register_provider("T", schema(), provider);
    let queries = [
        "T | count",
        // Skips whole row groups by their statistics.
        "T | where TimeGenerated > datetime(2026-11-02T12:00:00Z) | count",
        "T | where TimeGenerated between (datetime(2026-11-01T01:00:00Z) .. 1h) | count",
        "T | where Key == 'k3' and TimeGenerated < datetime(2026-11-01T02:00:00Z) | count",
        "T | summarize c = count() by Key | where Key == 'k7' | project c",
    ];
    assert_same_counts(&in_place, &in_memory, &queries);
    // The footer read when the table was opened is the one every scan used: had a scan found it
    // stale, it would have read the footer again and replaced the entry.
    assert_eq!(footer(), opened, "a scan read the footer again");
}

/// Whether the one cached footer holds offset indexes, and its address.
fn cached_footer(cache: &FileMetadataCache) -> (bool, *const u8) {
    let entries = cache.list_entries();
    assert_eq!(entries.len(), 1);
    let entry = entries.into_values().next().unwrap().value;
    let footer = entry
        .file_metadata
        .as_any()
        .downcast_ref::<CachedParquetMetaData>()
        .unwrap()
        .parquet_metadata()
        .clone();
    let address = Arc::as_ptr(&entry.file_metadata).cast::<u8>();
    (footer.offset_index().is_some(), address)
}

#[test]
fn offset_indexes_are_read_once_and_only_for_scans_that_skip_pages_with_them() {
    let SameRows {
        in_memory,
        in_place,
        provider,
        cache,
        ..
    } = same_rows("offsets");
    in_place.register_provider("T", schema(), provider);
    assert!(
        !cached_footer(cache.as_ref()).0,
        "opened without offset indexes"
    );
    // Filters on decoded batches: no page is skipped, so no index is read.
    let early = "T | where TimeGenerated > datetime(2026-11-02T12:00:00Z) | count";
    assert_eq!(count(&in_place, early), count(&in_memory, early));
    assert!(
        !cached_footer(cache.as_ref()).0,
        "read for a scan that does not use it"
    );
    // The filter's column decoded first, the text column only for the passing rows, whose
    // pages the offset index locates.
    let late = [
        "T | where TimeGenerated between (datetime(2026-11-01T01:00:00Z) .. 1h) | summarize dcount(Key)",
        "T | where TimeGenerated > datetime(2026-11-02T00:00:00Z) | summarize countif(Key == 'k3')",
    ];
    assert_eq!(count(&in_place, late[0]), count(&in_memory, late[0]));
    assert!(
        cached_footer(cache.as_ref()).0,
        "not read for a scan that skips pages"
    );
    assert_eq!(count(&in_place, late[1]), count(&in_memory, late[1]));
}

#[test]
fn a_snapshot_whose_offset_index_is_damaged_is_scanned_without_it() {
    let SameRows {
        in_memory,
        in_place,
        provider,
        cache,
        path,
    } = same_rows("damaged-index");
    // Overwrite the first column chunk's offset index (the footer, read at opening, is intact).
    let footer = ParquetMetaDataReader::new()
        .parse_and_finish(&std::fs::File::open(&path).unwrap())
        .unwrap();
    let at = footer.row_group(0).column(0).offset_index_offset().unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let at = usize::try_from(at).unwrap();
    bytes[at..at + 16].fill(0xff);
    // Same length; the modification time is set back so that the file looks unchanged.
    let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::fs::write(&path, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    in_place.register_provider("T", schema(), provider);
    let late = "T | where TimeGenerated between (datetime(2026-11-01T01:00:00Z) .. 1h) | summarize dcount(Key)";
    assert_eq!(count(&in_place, late), count(&in_memory, late));
    assert!(
        !cached_footer(cache.as_ref()).0,
        "a damaged index was cached"
    );
}

/// Writes `batches` (of [`schema`]) to `path` as a snapshot with a column more, first, and the
/// others in reverse order.
fn write_wider(path: &std::path::Path, batches: &[RecordBatch]) {
    let wider = KqlSchema::new([
        ("Extra".to_owned(), KqlType::Long),
        ("Key".to_owned(), KqlType::String),
        ("TimeGenerated".to_owned(), KqlType::DateTime),
    ]);
    let reordered: Vec<RecordBatch> = batches
        .iter()
        .map(|b| {
            let rows = i64::try_from(b.num_rows()).unwrap();
            let extra: ArrayRef = Arc::new(Int64Array::from_iter_values(0..rows));
            let columns = vec![extra, b.column(1).clone(), b.column(0).clone()];
            RecordBatch::try_new(wider.to_arrow(), columns).unwrap()
        })
        .collect();
    write_snapshot(path, &wider, &reordered).unwrap();
}

#[test]
fn a_snapshot_rewritten_after_it_was_opened_is_read_as_it_is_now() {
    let SameRows {
        in_place,
        provider,
        path,
        ..
    } = same_rows("rewritten");
    in_place.register_provider("T", schema(), provider);
    assert_eq!(count(&in_place, "T | count"), 150_000);
    // Fewer rows and other columns: a scan that trusted the footer or the columns read at opening
    // would read past the end of the new file, or the wrong column.
    let batches = newest_first(40_000);
    write_wider(&path, &batches);
    let now = engine::new();
    now.register_batches("T", schema(), batches).unwrap();
    let queries = [
        "T | count",
        "T | where TimeGenerated > datetime(2026-11-01T01:00:00Z) | count",
        "T | where Key == 'k3' | count",
    ];
    assert_same_counts(&in_place, &now, &queries);
}

#[test]
fn a_snapshot_rewritten_to_the_same_size_is_read_as_it_is_now() {
    let SameRows {
        in_place,
        provider,
        path,
        ..
    } = same_rows("same-size");
    in_place.register_provider("T", schema(), provider);
    assert_eq!(count(&in_place, "T | where Key == 'j3' | count"), 0);
    let opened = std::fs::metadata(&path).unwrap();
    // Other keys of the same length: the same size, so only the modification time tells. Read
    // with the footer of opening, whose key range is k0..k9, the new rows would all be skipped.
    write_snapshot(&path, &schema(), &keyed_newest_first(150_000, "j")).unwrap();
    let rewritten = std::fs::File::options().write(true).open(&path).unwrap();
    let later = opened.modified().unwrap() + std::time::Duration::from_secs(1);
    rewritten.set_modified(later).unwrap();
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        opened.len(),
        "the rewritten file must keep its size for this test"
    );
    assert_eq!(count(&in_place, "T | where Key == 'j3' | count"), 15_000);
    assert_eq!(count(&in_place, "T | where Key == 'k3' | count"), 0);
}

#[test]
fn a_snapshot_table_of_no_files_has_no_rows() {
    let ctx = engine::new();
    let (provider, reports) = snapshot_table(&[], &schema(), &ctx.metadata_cache()).unwrap();
    assert!(reports.is_empty());
    ctx.register_provider("T", schema(), provider);
    assert_eq!(count(&ctx, "T | count"), 0);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rows = rt.block_on(ctx.execute("T | where Key == 'k1'")).unwrap();
    assert_eq!(rows.row_count(), 0);
}

#[test]
fn a_snapshot_with_more_columns_in_another_order_is_read_by_column_name() {
    let path = scratch("other-order").join("t.parquet");
    let batches = newest_first(30_000);
    write_wider(&path, &batches);
    let in_memory = engine::new();
    in_memory.register_batches("T", schema(), batches).unwrap();
    let in_place = engine::new();
    let (provider, _) = snapshot_table(
        std::slice::from_ref(&path),
        &schema(),
        &in_place.metadata_cache(),
    )
    .unwrap();
    in_place.register_provider("T", schema(), provider);
    let queries = [
        "T | count",
        "T | where Key == 'k3' | summarize max(TimeGenerated)",
        "T | where TimeGenerated < datetime(2026-11-01T01:00:00Z) | summarize dcount(Key)",
        "T | where TimeGenerated > datetime(2026-11-01T02:00:00Z) | summarize countif(Key == 'k4')",
    ];
    assert_same_counts(&in_place, &in_memory, &queries);
}

fn cache() -> Arc<FileMetadataCache> {
    engine::new().metadata_cache()
}

#[test]
fn a_parquet_file_without_a_column_is_refused_with_its_name() {
    let dir = scratch("foreign");
    let path = dir.join("other.parquet");
    let only_time = KqlSchema::new([("TimeGenerated".to_owned(), KqlType::DateTime)]);
    let batch = RecordBatch::try_new(
        only_time.to_arrow(),
        vec![Arc::new(Int64Array::from(vec![1_i64]))],
    )
    .unwrap();
    write_snapshot(&path, &only_time, &[batch]).unwrap();
    let err = snapshot_table(std::slice::from_ref(&path), &schema(), &cache())
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(err.contains("other.parquet"), "{err}");
    assert!(err.contains("no column `Key`"), "{err}");

    // The right name with the wrong type.
    let wrong = KqlSchema::new([
        ("TimeGenerated".to_owned(), KqlType::DateTime),
        ("Key".to_owned(), KqlType::Long),
    ]);
    let batch = RecordBatch::try_new(
        wrong.to_arrow(),
        vec![
            Arc::new(Int64Array::from(vec![1_i64])),
            Arc::new(Int64Array::from(vec![2_i64])),
        ],
    )
    .unwrap();
    write_snapshot(&path, &wrong, &[batch]).unwrap();
    let err = snapshot_table(std::slice::from_ref(&path), &schema(), &cache())
        .map(|_| ())
        .expect_err("refused")
        .to_string();
    assert!(err.contains("column `Key` is Int64"), "{err}");
}

#[test]
fn generated_snapshots_written_in_chunks_hold_the_rows_written_whole() {
    use kql_ingest::generate::{GenOptions, rows, write_parquet};
    let dir = scratch("generate-chunks");
    let opts = GenOptions {
        rows: 300,
        seed: 3,
        start: kql_common::time::parse_datetime("2026-11-01").unwrap(),
        days: 2,
    };
    let read = |chunk: usize| {
        let path = dir.join(format!("chunk{chunk}.parquet"));
        write_parquet(rows(&opts), chunk, &path).unwrap();
        assert!(!dir.join(format!("chunk{chunk}.parquet.partial")).exists());
        let reader = ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(&path).unwrap())
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
        datafusion::arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
    };
    let whole = read(usize::MAX);
    assert_eq!(whole.num_rows(), 300);
    assert_eq!(read(7), whole);
}

#[test]
fn a_snapshot_appears_whole_or_not_at_all() {
    use kql_ingest::load::parquet::SnapshotWriter;
    let dir = scratch("writer");
    let path = dir.join("t.parquet");
    let entries = || std::fs::read_dir(&dir).unwrap().count();
    // Dropped before `finish` (an error on the way): the temporary file beside it is gone too.
    let mut w = SnapshotWriter::create(&path, &schema()).unwrap();
    w.write(&newest_first(10)[0]).unwrap();
    assert!(!path.exists() && entries() == 1);
    drop(w);
    assert!(!path.exists() && entries() == 0);
    // Finished: the file is in place, under its name only.
    let mut w = SnapshotWriter::create(&path, &schema()).unwrap();
    w.write(&newest_first(10)[0]).unwrap();
    w.finish().unwrap();
    assert!(path.exists() && entries() == 1);
}

/// A Parquet file another writer made (no kqlite checksums) whose dictionary page says its
/// indexes are 255 bits wide: the decoder asserts. Read in place, the query fails with the file
/// named (it failed with "Join Error" after a panic printed on a worker thread).
#[test]
fn a_damaged_page_of_another_writers_file_fails_the_query_naming_the_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../kql-ingest/tests/fixtures/damaged-snapshots/foreign-page.parquet");
    let ctx = engine::new();
    let (provider, reports) = snapshot_table(
        std::slice::from_ref(&path),
        &schema(),
        &ctx.metadata_cache(),
    )
    .unwrap();
    assert_eq!(reports[0].loaded, 1000);
    ctx.register_provider("T", schema(), provider);
    let rt = tokio::runtime::Runtime::new().unwrap();
    // Only the damaged column's pages fail; the others read as they are.
    assert_eq!(count(&ctx, "T | count"), 1000);
    let Err(d) = rt.block_on(ctx.execute("T | summarize count() by Key")) else {
        panic!("a damaged page was read");
    };
    let d = d.to_string();
    assert!(d.starts_with("error[KE002]"), "{d}");
    assert!(
        d.contains(&format!(
            "{}: a damaged Parquet file (the Parquet reader failed: assertion failed: num_bits",
            path.display()
        )),
        "{d}"
    );
}
