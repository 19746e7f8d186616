//! [`SnapshotFiles`]: snapshot files handed straight to DataFusion's Parquet scan.
//!
//! DataFusion's `ListingTable` would list the files again for every query, and its scan would
//! decode the Arrow schema embedded in each footer and adapt every column to the table's (their
//! field metadata differ). Opening a snapshot already read the footer, so each scan gets the
//! files with their columns attached as the table has them: a tenth fewer instructions for a
//! short query.

use super::offset_index::SnapshotFile;
use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::file_format::FileFormat;
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::PartitionedFile;
use datafusion::datasource::physical_plan::{FileGroup, FileScanConfigBuilder};
use datafusion::datasource::table_schema::TableSchema;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::object_store::ObjectStoreUrl;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::object_store::ObjectMeta;
use datafusion::physical_plan::ExecutionPlan;
use std::sync::Arc;

/// A table over snapshot files, scanned with one Parquet format's options.
#[derive(Debug)]
pub struct SnapshotFiles {
    /// The table's columns as scanned (text as string views).
    schema: SchemaRef,
    files: Vec<SnapshotFile>,
    format: ParquetFormat,
}

impl SnapshotFiles {
    /// A table of `schema` over `files` (each checked to hold every column of `schema`).
    pub fn new(schema: SchemaRef, files: Vec<SnapshotFile>, format: ParquetFormat) -> Self {
        SnapshotFiles {
            schema,
            files,
            format,
        }
    }
}

/// `file` as a scan reads it now. Its size and modification time are read again, as a listing
/// would, so that a file rewritten since it was opened is not read with its old footer (the
/// footer cache checks both); such a file's schema is left for the scan to work out.
fn partitioned(file: &SnapshotFile) -> Result<PartitionedFile> {
    let stat = std::fs::metadata(&file.path).map_err(|e| {
        DataFusionError::Execution(format!("{}: cannot open: {e}", file.path.display()))
    })?;
    let modified = stat.modified().map_err(|e| {
        DataFusionError::Execution(format!("{}: cannot read: {e}", file.path.display()))
    })?;
    let now = ObjectMeta {
        location: file.object.location.clone(),
        last_modified: modified.into(),
        size: stat.len(),
        e_tag: None,
        version: None,
    };
    let unchanged = now.size == file.object.size && now.last_modified == file.object.last_modified;
    let scanned = PartitionedFile::new_from_meta(now);
    Ok(if unchanged {
        scanned.with_arrow_schema(file.arrow.clone())
    } else {
        scanned
    })
}

#[async_trait]
impl TableProvider for SnapshotFiles {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let files = self
            .files
            .iter()
            .map(partitioned)
            .collect::<Result<Vec<_>>>()?;
        // One group per core at most; the optimizer splits large files across cores by range.
        let groups = FileGroup::new(files).split_files(state.config().target_partitions());
        let source = self
            .format
            .file_source(TableSchema::from(self.schema.clone()));
        // Filters reach the scan later, pushed down from the filter above it by the optimizer.
        let config = FileScanConfigBuilder::new(ObjectStoreUrl::local_filesystem(), source)
            .with_file_groups(groups)
            .with_projection_indices(projection.cloned())?
            .with_limit(limit)
            .build();
        self.format.create_physical_plan(state, config).await
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        // Row groups and rows are skipped, but what is left still needs the filter above.
        Ok(vec![TableProviderFilterPushDown::Inexact; filters.len()])
    }
}
