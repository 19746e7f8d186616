//! Parquet snapshots: one file holding a table with its Kusto types in the field metadata, written
//! by `kqlite convert` and loaded much faster than the JSON it came from.

use super::LoadReport;
use datafusion::arrow::datatypes::Schema;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::{DataFusionError, Result};
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use kql_planner::KqlSchema;
use std::path::Path;
use std::sync::Arc;

/// Writes `batches` of `schema` to `path` as one Parquet file. The file appears whole or not at
/// all (written next to it, then renamed), so a failed convert never leaves half a snapshot.
pub fn write_snapshot(path: &Path, schema: &KqlSchema, batches: &[RecordBatch]) -> Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let written = write_parquet(&partial, schema, batches)
        .and_then(|()| std::fs::rename(&partial, path).map_err(DataFusionError::IoError));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written
}

fn write_parquet(path: &Path, schema: &KqlSchema, batches: &[RecordBatch]) -> Result<()> {
    let arrow = schema.to_arrow();
    let file = std::fs::File::create(path).map_err(DataFusionError::IoError)?;
    let props = datafusion::parquet::file::properties::WriterProperties::builder()
        .set_compression(datafusion::parquet::basic::Compression::UNCOMPRESSED)
        .build();
    let mut w = ArrowWriter::try_new(file, arrow.clone(), Some(props))?;
    for b in batches {
        w.write(&b.clone().with_schema(arrow.clone())?)?;
    }
    w.close()?;
    Ok(())
}

/// Reads a snapshot file, keeping the columns of `schema` (by name).
pub fn read_snapshot_file(
    path: &Path,
    schema: &KqlSchema,
) -> Result<(Vec<RecordBatch>, LoadReport)> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(DataFusionError::IoError)?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)?;
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
            file: name,
            loaded: rows,
            shape: "Parquet snapshot",
            ..LoadReport::default()
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
