//! A table of exports converted lazily: nothing is read when it is attached; a query converts the
//! columns it reads, the first time it needs them, and later queries reuse them (a query that
//! needs more columns converts the files again with the union). Each conversion reports every
//! file's outcome to the table's observer.

use crate::error::Error;
use crate::observer::{Event, Observer};
use crate::progress::Progress;
use async_trait::async_trait;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::{Session, TableProvider};
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::error::{DataFusionError, Result};
use datafusion::logical_expr::{Expr, TableType};
use datafusion::physical_plan::ExecutionPlan;
use kql_engine::KqlSchema;
use kql_ingest::load::files::Loader;
use kql_ingest::load::reason;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Where a lazily converted table's rows come from.
pub(crate) enum Rows {
    /// Export files (already expanded from the paths given), `bytes` in all.
    Files { files: Vec<PathBuf>, bytes: u64 },
    /// The built-in demo week.
    Demo,
}

/// Columns converted so far, in schema order, with their rows.
#[derive(Default)]
struct Converted {
    columns: Vec<String>,
    batches: Vec<RecordBatch>,
}

pub(crate) struct ExportTable {
    schema: KqlSchema,
    arrow: SchemaRef,
    rows: Rows,
    strict: bool,
    observer: Arc<dyn Observer>,
    converted: Mutex<Option<Converted>>,
}

impl std::fmt::Debug for ExportTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExportTable").finish_non_exhaustive()
    }
}

impl ExportTable {
    pub(crate) fn new(
        schema: KqlSchema,
        rows: Rows,
        strict: bool,
        observer: Arc<dyn Observer>,
    ) -> ExportTable {
        ExportTable {
            arrow: schema.to_arrow(),
            schema,
            rows,
            strict,
            observer,
            converted: Mutex::new(None),
        }
    }

    pub(crate) fn schema(&self) -> &KqlSchema {
        &self.schema
    }

    /// Converts `columns` (names of the schema) unless they are converted already; returns the
    /// converted columns and their rows. Converting blocks the calling thread (it is CPU and
    /// disk work): async callers that must not block a worker run it with `spawn_blocking`.
    pub(crate) fn ensure(
        &self,
        columns: &[String],
    ) -> Result<(Vec<String>, Vec<RecordBatch>), Error> {
        // Held while converting: a second scan of the table waits for the first conversion
        // instead of doing it again. What is kept is replaced only by a finished conversion, so
        // it is whole even after a panic poisoned the lock.
        let mut held = self
            .converted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = held.as_ref()
            && columns.iter().all(|n| c.columns.contains(n))
        {
            return Ok((c.columns.clone(), c.batches.clone()));
        }
        let mut wanted: Vec<String> = self
            .schema
            .names()
            .filter(|n| {
                columns.iter().any(|c| c == n)
                    || held
                        .as_ref()
                        .is_some_and(|c| c.columns.iter().any(|h| h == n))
            })
            .map(str::to_owned)
            .collect();
        if wanted.is_empty() {
            // A batch needs one column to carry its row count (`T | count`). The time column:
            // it is small, and a record whose time does not convert is rejected (and reported)
            // however few columns a query reads, so counts agree whatever the query.
            let time = self
                .schema
                .fields
                .iter()
                .find(|f| f.name == "TimeGenerated" && f.ty == kql_engine::KqlType::DateTime)
                .or(self.schema.fields.first());
            wanted.extend(time.map(|f| f.name.clone()));
        }
        let subset = KqlSchema {
            fields: self
                .schema
                .fields
                .iter()
                .filter(|f| wanted.contains(&f.name))
                .cloned()
                .collect(),
        };
        let batches = match &self.rows {
            Rows::Files { files, bytes } => self.convert_files(files, *bytes, &subset)?,
            Rows::Demo => vec![
                kql_ingest::generate::demo_week(&subset)
                    .map_err(|e| Error::Load(format!("building the demo data: {e}")))?,
            ],
        };
        *held = Some(Converted {
            columns: wanted.clone(),
            batches: batches.clone(),
        });
        Ok((wanted, batches))
    }

    /// Converts every file to `schema`, reporting each file, the total, and the time taken.
    fn convert_files(
        &self,
        files: &[PathBuf],
        bytes: u64,
        schema: &KqlSchema,
    ) -> Result<Vec<RecordBatch>, Error> {
        let started = Instant::now();
        let several = files.len() > 1;
        let (mut loaded, mut rejected, mut duplicates) = (0usize, 0usize, 0usize);
        let mut batches = Vec::new();
        let read = Arc::new(AtomicU64::new(0));
        let mut loader = Loader::with_progress(read.clone());
        let progress = Progress::start(read, bytes, &self.observer);
        for p in files {
            let (b, report) = loader
                .load_file(p, schema)
                .map_err(|e| Error::Load(reason(&e)))?;
            if report.held_back {
                continue;
            }
            loaded += report.loaded;
            rejected += report.rejected.len();
            duplicates += report.duplicates;
            let show_counts = !report.rejected.is_empty() || report.duplicates > 0 || several;
            self.observer.event(Event::File {
                report,
                show_counts,
            });
            batches.extend(b);
        }
        drop(progress);
        // Files that are only complete together (a portal CSV download's three parts).
        let (b, reports) = loader.finish(schema).map_err(|e| Error::Load(reason(&e)))?;
        for report in reports {
            rejected += report.rejected.len();
            self.observer.event(Event::File {
                report,
                show_counts: true,
            });
        }
        // Steps and modified properties are parts of records, not records.
        loaded += b.iter().map(RecordBatch::num_rows).sum::<usize>();
        batches.extend(b);
        if several || duplicates > 0 {
            self.observer.event(Event::Total {
                files: files.len(),
                loaded,
                rejected,
                duplicates,
            });
        }
        if self.strict && rejected > 0 {
            return Err(Error::Rejected(rejected));
        }
        self.observer.event(Event::Converted {
            records: loaded,
            bytes,
            elapsed: started.elapsed(),
        });
        Ok(batches)
    }
}

#[async_trait]
impl TableProvider for ExportTable {
    fn schema(&self) -> SchemaRef {
        self.arrow.clone()
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    /// Converts what the scan reads if the workspace has not already (it does so before a query
    /// runs, for every scan of the query at once).
    async fn scan(
        &self,
        _state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        _limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let all: Vec<usize> = (0..self.schema.len()).collect();
        let projection = projection.unwrap_or(&all);
        let names: Vec<String> = projection
            .iter()
            .filter_map(|i| self.schema.fields.get(*i).map(|f| f.name.clone()))
            .collect();
        let (columns, batches) = self
            .ensure(&names)
            .map_err(|e| DataFusionError::External(Box::new(LoadFailed(e.to_string()))))?;
        let held = KqlSchema {
            fields: self
                .schema
                .fields
                .iter()
                .filter(|f| columns.contains(&f.name))
                .cloned()
                .collect(),
        };
        let mapped: Vec<usize> = names
            .iter()
            .filter_map(|n| columns.iter().position(|c| c == n))
            .collect();
        Ok(MemorySourceConfig::try_new_exec(
            &[batches],
            held.to_arrow(),
            Some(mapped),
        )?)
    }
}

/// A conversion that failed during a scan (the workspace converts before running, so this is
/// only seen by plans run some other way).
#[derive(Debug)]
struct LoadFailed(String);

impl std::fmt::Display for LoadFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadFailed {}
