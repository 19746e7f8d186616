//! [`SnapshotScan`]: a snapshot table that decides, query by query, whether filters run inside
//! the Parquet decoder (late materialization) or after it.
//!
//! Inside the decoder, a filter's columns are decoded first and the other projected columns only
//! for the rows that pass: a large saving when those are text (one user's rows out of a million,
//! all 28 columns), a loss when the rest is a fixed-width column or two (`where ResultType ==
//! "Failure" | summarize count() by bin(TimeGenerated, 1h)`), where building and applying row
//! selections costs more than decoding the few values it skips.

use super::offset_index::OffsetIndexes;
use async_trait::async_trait;
use datafusion::arrow::datatypes::{DataType, SchemaRef};
use datafusion::catalog::{ScanArgs, ScanResult, Session, TableProvider};
use datafusion::common::Statistics;
use datafusion::error::Result;
use datafusion::logical_expr::{Expr, TableProviderFilterPushDown, TableType};
use datafusion::physical_plan::ExecutionPlan;
use std::sync::Arc;

/// Two scans of the same files, with and without filters inside the decoder.
#[derive(Debug)]
pub struct SnapshotScan {
    /// Filters applied while decoding; other columns decoded only for passing rows.
    pub late: Arc<dyn TableProvider>,
    /// Filters applied to decoded batches.
    pub early: Arc<dyn TableProvider>,
    /// Loaded before the first late scan, which skips pages with them.
    pub offset_indexes: OffsetIndexes,
    /// The files without kqlite's checksums, if any: their scans go inside a
    /// [`PanicFence`](super::panic_fence::PanicFence).
    pub fence: Option<Arc<str>>,
}

impl SnapshotScan {
    /// The scan for a query that reads `projection` (all columns when `None`) and filters on
    /// `filters`: late materialization when it would skip decoding text.
    fn pick(&self, projection: Option<&[usize]>, filters: &[Expr]) -> &Arc<dyn TableProvider> {
        if filters.is_empty() {
            return &self.early;
        }
        let schema = self.late.schema();
        let Some(projection) = projection else {
            return &self.late;
        };
        let filtered: Vec<String> = filters
            .iter()
            .flat_map(|f| f.column_refs().into_iter().map(|c| c.name.clone()))
            .collect();
        let skips_text = projection.iter().any(|&i| {
            schema.fields().get(i).is_some_and(|f| {
                matches!(f.data_type(), DataType::Utf8 | DataType::Utf8View)
                    && !filtered.contains(f.name())
            })
        });
        if skips_text { &self.late } else { &self.early }
    }

    /// `scan` inside a fence when some files are not kqlite's.
    fn fenced(&self, scan: Arc<dyn ExecutionPlan>) -> Arc<dyn ExecutionPlan> {
        match &self.fence {
            Some(files) => super::panic_fence::PanicFence::around(scan, files.clone()),
            None => scan,
        }
    }

    /// [`SnapshotScan::pick`], with the offset indexes loaded for a late scan.
    fn prepared(&self, projection: Option<&[usize]>, filters: &[Expr]) -> &Arc<dyn TableProvider> {
        let table = self.pick(projection, filters);
        if Arc::ptr_eq(table, &self.late) {
            self.offset_indexes.ensure_loaded();
        }
        table
    }
}

#[async_trait]
impl TableProvider for SnapshotScan {
    fn schema(&self) -> SchemaRef {
        self.late.schema()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let scan = self
            .prepared(projection.map(Vec::as_slice), filters)
            .scan(state, projection, filters, limit)
            .await?;
        Ok(self.fenced(scan))
    }

    async fn scan_with_args<'a>(
        &self,
        state: &dyn Session,
        args: ScanArgs<'a>,
    ) -> Result<ScanResult> {
        let table = self.prepared(args.projection(), args.filters().unwrap_or(&[]));
        let result = table.scan_with_args(state, args).await?;
        Ok(ScanResult::new(self.fenced(result.into_inner())))
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        self.late.supports_filters_pushdown(filters)
    }

    fn statistics(&self) -> Option<Statistics> {
        self.late.statistics()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::datatypes::{Field, Schema};
    use datafusion::datasource::MemTable;
    use datafusion::prelude::{ident, lit};

    fn scan() -> SnapshotScan {
        let schema = Arc::new(Schema::new(vec![
            Field::new("TimeGenerated", DataType::Int64, true),
            Field::new("ResultType", DataType::Utf8View, true),
            Field::new("SourceIdentity", DataType::Utf8View, true),
        ]));
        let table = || -> Arc<dyn TableProvider> {
            Arc::new(MemTable::try_new(schema.clone(), vec![vec![]]).expect("a table"))
        };
        SnapshotScan {
            late: table(),
            early: table(),
            offset_indexes: OffsetIndexes::new(
                Vec::new(),
                Arc::new(datafusion::execution::cache::default_cache::DefaultCache::new(1 << 20)),
            ),
            fence: None,
        }
    }

    #[test]
    fn filters_run_in_the_decoder_only_when_that_skips_decoding_text() {
        let s = scan();
        let late = |p: Option<&[usize]>, f: &[Expr]| Arc::ptr_eq(s.pick(p, f), &s.late);
        let failures = [ident("ResultType").eq(lit("Failure"))];
        let user = [ident("SourceIdentity").eq(lit("x"))];
        // Nothing to filter.
        assert!(!late(Some(&[0, 1]), &[]));
        // Every column, text among them.
        assert!(late(None, &failures));
        // Failures by hour: the rest is one fixed-width column.
        assert!(!late(Some(&[0, 1]), &failures));
        // One user's rows with their status: skips decoding ResultType for other users.
        assert!(late(Some(&[1, 2]), &user));
        // The filter's own column only.
        assert!(!late(Some(&[2]), &user));
    }
}
