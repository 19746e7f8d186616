//! Queries: prepared once (parsed, planned, optimized, and what they read worked out), then run
//! at any `now()`, converting the columns they read first.

use crate::error::Error;
use crate::export_table::ExportTable;
use crate::workspace::Workspace;
use kql_engine::{KqlBatches, KqlResult, KqlSchema, PlannedQuery, RenderSpec, columns_read};
use kql_parser::ast::Query;
use kql_planner::{PlannerOptions, TimeWindow};
use std::sync::Arc;

/// A query parsed and planned against the workspace's tables.
#[derive(Clone, Debug)]
pub struct Prepared {
    text: String,
    query: Query,
    options: PlannerOptions,
    planned: PlannedQuery,
    reads: Vec<(String, Vec<String>)>,
    /// The tables of `reads`, as they were when the query was planned (its plan scans these,
    /// whatever is attached under their names since).
    tables: Vec<Arc<ExportTable>>,
}

impl Prepared {
    /// The query's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The Kusto names and types of the result's columns.
    pub fn schema(&self) -> &KqlSchema {
        &self.planned.schema
    }

    /// The visualization a final `render` asks for.
    pub fn render(&self) -> Option<&RenderSpec> {
        self.planned.render.as_ref()
    }

    /// The converted tables the query reads, each with the columns it reads (in schema order;
    /// none for a query that only counts rows). Snapshots and loaded tables are not listed:
    /// they need no conversion.
    pub fn reads(&self) -> &[(String, Vec<String>)] {
        &self.reads
    }
}

impl Workspace {
    /// Parses `text` and plans it with `now()` at `now` (ticks), after the definitions kept
    /// from earlier inputs ([`Workspace::prepare_input`]).
    pub fn prepare(&self, text: &str, now: i64) -> Result<Prepared, Error> {
        let query = kql_parser::parse_query(text)?;
        self.prepare_parsed(text, query, now)
    }

    pub(crate) fn prepare_parsed(
        &self,
        text: &str,
        query: Query,
        now: i64,
    ) -> Result<Prepared, Error> {
        let query = self.with_definitions(query);
        self.plan(text.to_owned(), query, PlannerOptions::at(now))
    }

    fn plan(&self, text: String, query: Query, options: PlannerOptions) -> Result<Prepared, Error> {
        let planned = self
            .context()
            .plan_optimized_with(&query, options, text.len())?;
        let (reads, tables) = self
            .exports()
            .into_iter()
            .filter_map(|(name, t)| {
                columns_read(&planned.plan, &name, t.schema()).map(|cols| ((name, cols), t))
            })
            .unzip();
        Ok(Prepared {
            text,
            query,
            options,
            planned,
            reads,
            tables,
        })
    }

    /// Converts what `prepared` reads of the exports, where not converted already: every file's
    /// outcome goes to the table's observer. [`Workspace::run`] does this first; calling it
    /// before tells loading time from running time.
    pub fn load_for(&self, prepared: &Prepared) -> Result<(), Error> {
        for ((_, columns), table) in prepared.reads.iter().zip(&prepared.tables) {
            table.ensure(columns)?;
        }
        Ok(())
    }

    /// Starts `prepared` with `now()` at `now`; the rows come batch by batch. It reads the
    /// tables it was prepared against; at another `now` it is planned again from its syntax
    /// tree (not its text), against the tables attached now.
    pub async fn start(&self, prepared: &Prepared, now: i64) -> Result<KqlBatches, Error> {
        self.start_with(prepared, PlannerOptions::at(now)).await
    }

    /// Runs `prepared` with `now()` at `now`, seeing only the rows of `window` (by
    /// `TimeGenerated`, in every table that has it), as an alert rule's evaluation does.
    pub async fn run_windowed(
        &self,
        prepared: &Prepared,
        now: i64,
        window: TimeWindow,
    ) -> Result<KqlResult, Error> {
        let options = PlannerOptions {
            now,
            window: Some(window),
        };
        Ok(self.start_with(prepared, options).await?.collect().await?)
    }

    async fn start_with(
        &self,
        prepared: &Prepared,
        options: PlannerOptions,
    ) -> Result<KqlBatches, Error> {
        let replanned;
        let prepared =
            if options.now == prepared.options.now && options.window == prepared.options.window {
                prepared
            } else {
                replanned = self.plan(prepared.text.clone(), prepared.query.clone(), options)?;
                &replanned
            };
        self.load_for(prepared)?;
        Ok(self
            .context()
            .start_optimized(prepared.planned.clone(), prepared.text.len())
            .await?)
    }

    /// Runs `prepared` with `now()` at `now`, collecting its rows.
    pub async fn run(&self, prepared: &Prepared, now: i64) -> Result<KqlResult, Error> {
        Ok(self.start(prepared, now).await?.collect().await?)
    }

    /// Prepares and runs `text` with `now()` at `now`.
    pub async fn query(&self, text: &str, now: i64) -> Result<KqlResult, Error> {
        let prepared = self.prepare(text, now)?;
        self.run(&prepared, now).await
    }

    /// Writes table `table` (all its columns) to a Parquet snapshot at `out`; returns the rows
    /// written.
    pub fn write_snapshot(&self, table: &str, out: &std::path::Path) -> Result<usize, Error> {
        let exports = self.exports();
        let Some((_, t)) = exports.iter().find(|(n, _)| n == table) else {
            return Err(Error::Load(format!("{table} is not a table of exports")));
        };
        let all: Vec<String> = t.schema().names().map(str::to_owned).collect();
        let (_, batches) = t.ensure(&all)?;
        let rows = batches.iter().map(|b| b.num_rows()).sum();
        kql_ingest::load::parquet::write_snapshot(out, t.schema(), &batches).map_err(|e| {
            Error::Write(match e {
                datafusion::error::DataFusionError::IoError(e) => kql_common::io_text::describe(&e),
                e => e.to_string(),
            })
        })?;
        Ok(rows)
    }
}
