//! [`KqlContext`]: tables plus a DataFusion session; runs KQL text to Arrow batches.

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::catalog::TableProvider;
use datafusion::datasource::{MemTable, provider_as_source};
use datafusion::execution::cache::cache_manager::FileMetadataCache;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::execution::{SendableRecordBatchStream, SessionStateBuilder};
use datafusion::logical_expr::LogicalPlan;
use datafusion::prelude::{SessionConfig, SessionContext};
use kql_common::{Diagnostic, Diagnostics, Span, codes};
use kql_planner::{
    Catalog, KqlSchema, KqlToRel, PlannedQuery, PlannerOptions, RenderSpec, TableEntry,
};
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// The rows of a query, with Kusto column types and the `render` request.
#[derive(Debug)]
pub struct KqlResult {
    /// Kusto names and types of the columns.
    pub schema: KqlSchema,
    /// The rows.
    pub batches: Vec<RecordBatch>,
    /// The visualization requested by `render`, if any.
    pub render: Option<RenderSpec>,
}

impl KqlResult {
    /// Number of rows.
    pub fn row_count(&self) -> usize {
        self.batches.iter().map(RecordBatch::num_rows).sum()
    }
}

#[derive(Clone)]
struct Table {
    schema: KqlSchema,
    provider: Arc<dyn TableProvider>,
}

/// Tables in memory and a DataFusion session to run KQL over them.
pub struct KqlContext {
    session: SessionContext,
    tables: RwLock<BTreeMap<String, Table>>,
}

impl Default for KqlContext {
    fn default() -> Self {
        KqlContext::new()
    }
}

struct Snapshot(BTreeMap<String, Table>);

impl Catalog for Snapshot {
    fn table(&self, name: &str) -> Option<TableEntry> {
        self.0.get(name).map(|t| TableEntry {
            schema: t.schema.clone(),
            source: provider_as_source(t.provider.clone()),
        })
    }

    fn table_names(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }
}

/// The stack each thread that runs queries needs (set it on the tokio runtime with
/// `thread_stack_size`): DataFusion optimizes, plans and executes a plan by recursion, about a
/// stack frame per plan node and per level of a nested expression, and a plan may be up to
/// [`kql_planner::MAX_PLAN_DEPTH`] nodes deep. Only the pages a query touches are ever mapped.
pub const QUERY_STACK_SIZE: usize = 64 << 20;

/// The current time in 100 ns ticks.
pub fn now_ticks() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    kql_common::time::UNIX_EPOCH_TICKS + i64::try_from(since.as_nanos() / 100).unwrap_or(0)
}

/// The memory queries may use by default: half of the machine's memory (from `/proc/meminfo`
/// on Linux), or 4 GiB where that cannot be read.
pub fn default_memory_limit() -> usize {
    let total_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
    });
    match total_kib {
        Some(kib) if kib > 0 => kib.saturating_mul(1024) / 2,
        _ => 4 << 30,
    }
}

impl KqlContext {
    /// An empty context whose queries may use [`default_memory_limit`].
    pub fn new() -> KqlContext {
        KqlContext::with_memory_limit(default_memory_limit())
    }

    /// An empty context whose queries may use `bytes` for their sorts, groups and other working
    /// state (the tables themselves are not counted); a query that needs more fails with KE003
    /// (or spills to temporary files, where DataFusion's operator can).
    pub fn with_memory_limit(bytes: usize) -> KqlContext {
        let config = SessionConfig::new()
            .with_target_partitions(std::thread::available_parallelism().map_or(2, |n| n.get()))
            // Table statistics (per-column min, max and null counts summed over every row group
            // of a snapshot) would serve join ordering, which kqlite does not do yet, and answer
            // a whole-table count(), min() or max() without a scan (a count scans no column
            // anyway: same time; min/max of a 1M-row snapshot's TimeGenerated: 5.7 -> 9 ms). A
            // query's filters still prune row groups from the Parquet footer. Working them out and
            // carrying them through the physical plan was 15 % of every short query.
            .with_collect_statistics(false);
        // No function registry or file formats: the planner builds DataFusion plans with the
        // functions themselves and the tables' sources, so nothing is looked up by name, and
        // leaving out ~400 registrations makes every start and plan cheaper.
        let runtime = RuntimeEnvBuilder::new()
            .with_memory_limit(bytes, 1.0)
            .build_arc()
            .unwrap_or_default();
        let state = SessionStateBuilder::new()
            .with_config(config)
            .with_runtime_env(runtime)
            .with_physical_optimizer_rules(crate::physical::physical_optimizer_rules())
            .with_query_planner(Arc::new(crate::physical::KqlQueryPlanner))
            .build();
        let session = SessionContext::new_with_state(state);
        KqlContext {
            session,
            tables: RwLock::new(BTreeMap::new()),
        }
    }

    /// Registers (or replaces) table `name` holding `batches` of `schema`.
    pub fn register_batches(
        &self,
        name: &str,
        schema: KqlSchema,
        batches: Vec<RecordBatch>,
    ) -> datafusion::error::Result<()> {
        let arrow = schema.to_arrow();
        let partitions = if batches.is_empty() {
            vec![vec![]]
        } else {
            vec![batches]
        };
        let provider = Arc::new(MemTable::try_new(arrow, partitions)?);
        if let Ok(mut t) = self.tables.write() {
            t.insert(name.to_owned(), Table { schema, provider });
        }
        Ok(())
    }

    /// Registers (or replaces) table `name` of `schema` read through `provider` (a snapshot
    /// scanned in place, say); the provider's Arrow schema must be `schema.to_arrow()`, except
    /// that text may be `Utf8View` (results are cast back, see [`KqlContext::run`]) and fields may
    /// lack the Kusto type metadata (`schema` has the types).
    pub fn register_provider(
        &self,
        name: &str,
        schema: KqlSchema,
        provider: Arc<dyn TableProvider>,
    ) {
        if let Ok(mut t) = self.tables.write() {
            t.insert(name.to_owned(), Table { schema, provider });
        }
    }

    /// The session's cache of file footers: a snapshot table fills it when it opens its files,
    /// so that scans do not read them again.
    pub fn metadata_cache(&self) -> Arc<FileMetadataCache> {
        self.session
            .runtime_env()
            .cache_manager
            .get_file_metadata_cache()
    }

    /// Reads `url`'s files (`file://` for local ones) through `store` from now on.
    pub fn register_object_store(
        &self,
        url: &url::Url,
        store: Arc<dyn datafusion::object_store::ObjectStore>,
    ) {
        self.session.register_object_store(url, store);
    }

    /// The Kusto schema of table `name`.
    pub fn table_schema(&self, name: &str) -> Option<KqlSchema> {
        self.tables.read().ok()?.get(name).map(|t| t.schema.clone())
    }

    /// Table names.
    pub fn table_names(&self) -> Vec<String> {
        self.tables
            .read()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Parses and plans `kql` with `now()` fixed at `now` (ticks).
    pub fn plan(&self, kql: &str, now: i64) -> Result<PlannedQuery, Diagnostics> {
        let query = kql_parser::parse_query(kql)?;
        let snapshot = Snapshot(self.tables.read().map(|t| t.clone()).unwrap_or_default());
        KqlToRel::new(&snapshot, PlannerOptions::at(now)).query_to_plan(&query)
    }

    /// Plans a parsed `query` with `now()` fixed at `now` (ticks), then optimizes the plan, so
    /// that what it reads is known ([`columns_read`]) before it runs with
    /// [`KqlContext::start_optimized`]. `text_len` is the length of the query's text, which
    /// optimizer errors point at as a whole.
    pub fn plan_optimized(
        &self,
        query: &kql_parser::ast::Query,
        now: i64,
        text_len: usize,
    ) -> Result<PlannedQuery, Diagnostics> {
        self.plan_optimized_with(query, PlannerOptions::at(now), text_len)
    }

    /// [`KqlContext::plan_optimized`] with every planner option (a time window, say).
    pub fn plan_optimized_with(
        &self,
        query: &kql_parser::ast::Query,
        options: PlannerOptions,
        text_len: usize,
    ) -> Result<PlannedQuery, Diagnostics> {
        let snapshot = Snapshot(self.tables.read().map(|t| t.clone()).unwrap_or_default());
        let planned = KqlToRel::new(&snapshot, options).query_to_plan(query)?;
        let span = Span::new(0, text_len);
        let state = self.session.state();
        // The optimizer recurses over the plan as execution does, so it gets a query thread's
        // stack whatever thread calls; a panic in it is a bug reported as KE001, not a crash.
        let optimized = stacker::grow(QUERY_STACK_SIZE, || {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                state.optimize(&planned.plan)
            }))
        });
        let plan = match optimized {
            Ok(Ok(plan)) => plan,
            Ok(Err(e)) => return Err(failed(&e, span)),
            Err(_) => return Err(internal("the optimizer panicked", span)),
        };
        Ok(PlannedQuery { plan, ..planned })
    }

    /// The physical plan that a query planned by [`KqlContext::plan`] runs as, in DataFusion's
    /// indented text: which operators run, in what order, with what sorts.
    pub async fn physical_plan_text(
        &self,
        planned: &PlannedQuery,
    ) -> datafusion::error::Result<String> {
        let state = self.session.state();
        let plan = state.create_physical_plan(&planned.plan).await?;
        Ok(datafusion::physical_plan::displayable(plan.as_ref())
            .indent(false)
            .to_string())
    }

    /// Runs `kql` with `now()` at the current time.
    pub async fn execute(&self, kql: &str) -> Result<KqlResult, Diagnostics> {
        self.execute_at(kql, now_ticks()).await
    }

    /// Runs `kql` with `now()` fixed at `now` (ticks).
    pub async fn execute_at(&self, kql: &str, now: i64) -> Result<KqlResult, Diagnostics> {
        let planned = self.plan(kql, now)?;
        self.run(planned, kql.len()).await
    }

    /// Runs a query planned by [`KqlContext::plan`]; `text_len` is the length of its text, which
    /// run-time errors point at as a whole.
    pub async fn run(
        &self,
        planned: PlannedQuery,
        text_len: usize,
    ) -> Result<KqlResult, Diagnostics> {
        self.start(planned, text_len).await?.collect().await
    }

    /// Starts a query planned by [`KqlContext::plan`]; its rows come batch by batch from
    /// [`KqlBatches::next`], so a caller can write them out without holding them all.
    pub async fn start(
        &self,
        planned: PlannedQuery,
        text_len: usize,
    ) -> Result<KqlBatches, Diagnostics> {
        self.launch(planned, text_len, true).await
    }

    /// Starts a query planned by [`KqlContext::plan_optimized`] without optimizing it again.
    pub async fn start_optimized(
        &self,
        planned: PlannedQuery,
        text_len: usize,
    ) -> Result<KqlBatches, Diagnostics> {
        self.launch(planned, text_len, false).await
    }

    async fn launch(
        &self,
        planned: PlannedQuery,
        text_len: usize,
        optimize: bool,
    ) -> Result<KqlBatches, Diagnostics> {
        let span = Span::new(0, text_len);
        let session = self.session.clone();
        let plan = planned.plan;
        // On a task, so that a panic inside DataFusion becomes an error, not a crash.
        let task = AbortOnDrop(tokio::spawn(async move {
            let state = session.state();
            let physical = if optimize {
                state.create_physical_plan(&plan).await?
            } else {
                let planner = state.query_planner();
                planner.create_physical_plan(&plan, &state).await?
            };
            datafusion::physical_plan::execute_stream(physical, session.task_ctx())
        }));
        let stream = match task.await {
            Ok(stream) => stream.map_err(|e| failed(&e, span))?,
            Err(e) => return Err(panicked(&e, span)),
        };
        Ok(KqlBatches {
            schema: planned.schema,
            render: planned.render,
            stream: Some(stream),
            span,
        })
    }
}

/// The columns of `table` (whose full schema is `schema`) that the optimized `plan` reads, in
/// schema order, as DataFusion's optimizer pruned them; `None` when the plan does not read the
/// table. Converting only these columns is what makes one-shot queries over large exports fast.
pub fn columns_read(plan: &LogicalPlan, table: &str, schema: &KqlSchema) -> Option<Vec<String>> {
    use datafusion::common::tree_node::TreeNodeRecursion;
    let mut wanted = vec![false; schema.len()];
    let (mut scanned, mut all) = (false, false);
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node
            && scan.table_name.table() == table
        {
            scanned = true;
            // Filters pushed into the scan read columns the projection may not list.
            for f in &scan.filters {
                for c in f.column_refs() {
                    if let Some((i, _)) = schema.field(&c.name) {
                        wanted[i] = true;
                    }
                }
            }
            match &scan.projection {
                Some(p) => p.iter().for_each(|i| {
                    if let Some(w) = wanted.get_mut(*i) {
                        *w = true;
                    }
                }),
                None => all = true,
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    if !scanned {
        return None;
    }
    Some(
        schema
            .names()
            .zip(wanted)
            .filter(|(_, w)| all || *w)
            .map(|(n, _)| n.to_owned())
            .collect(),
    )
}

/// The rows of a running query, in Kusto's types, one batch at a time.
pub struct KqlBatches {
    /// Kusto names and types of the columns.
    pub schema: KqlSchema,
    /// The visualization requested by `render`, if any.
    pub render: Option<RenderSpec>,
    stream: Option<SendableRecordBatchStream>,
    span: Span,
}

impl KqlBatches {
    /// All the rows, once the query has finished.
    pub async fn collect(mut self) -> Result<KqlResult, Diagnostics> {
        let mut batches = Vec::new();
        while let Some(batch) = self.next().await {
            batches.push(batch?);
        }
        Ok(KqlResult {
            schema: self.schema,
            batches,
            render: self.render,
        })
    }

    /// The next batch; `None` once the rows are all out or after an error.
    pub async fn next(&mut self) -> Option<Result<RecordBatch, Diagnostics>> {
        use futures::StreamExt;
        let mut stream = self.stream.take()?;
        // Each batch is pulled on a task, so that a panic inside DataFusion becomes an error;
        // a caller that stops waiting (Ctrl-C in the REPL) stops the task.
        let task = AbortOnDrop(tokio::spawn(async move {
            let batch = stream.next().await;
            (stream, batch)
        }));
        let (stream, batch) = match task.await {
            Ok(pulled) => pulled,
            Err(e) => return Some(Err(panicked(&e, self.span))),
        };
        // Each batch is made canonical as it arrives, so the pages that string views point
        // into are released batch by batch.
        match batch?.and_then(|b| canonical_types(&b)) {
            Ok(b) => {
                self.stream = Some(stream);
                Some(Ok(b))
            }
            Err(e) => Some(Err(failed(&e, self.span))),
        }
    }
}

/// A task that is stopped when whoever awaits it goes away (a dropped `JoinHandle` would leave
/// it running: a cancelled query would go on using the cores).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> std::future::Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx)
    }
}

/// A DataFusion error while running: the query failed (KE002), or needed more memory than its
/// limit (KE003).
fn failed(e: &datafusion::error::DataFusionError, span: Span) -> Diagnostics {
    use datafusion::error::DataFusionError;
    if let DataFusionError::ResourcesExhausted(why) = e.find_root() {
        return Diagnostic::error(
            codes::OUT_OF_MEMORY,
            "the query needs more memory than its limit",
            span,
        )
        .with_note(why.clone())
        .with_help(
            "raise the limit with --memory-limit, or have the query keep less (filter earlier, \
             fewer columns or groups)",
        )
        .into();
    }
    // kqlite's kernels say what went wrong in their own words (DataFusion wraps them as
    // "Execution error: ..."); other errors keep DataFusion's text.
    let msg = match e.find_root() {
        DataFusionError::Execution(why) => format!("the query failed while running: {why}"),
        _ => format!("the query failed while running: {e}"),
    };
    Diagnostic::error(codes::EXECUTION, msg, span).into()
}

/// A panic while running: a bug in kqlite (KE001).
fn panicked(e: &tokio::task::JoinError, span: Span) -> Diagnostics {
    internal(&e.to_string(), span)
}

fn internal(what: &str, span: Span) -> Diagnostics {
    Diagnostic::error(
        codes::INTERNAL,
        format!("internal error while running the query: {what}"),
        span,
    )
    .with_note("this is a bug in kqlite; please report the query")
    .into()
}

/// `batch` with string views (how snapshots are scanned) turned into plain strings, so that every
/// result holds each Kusto type as [`kql_planner::KqlType::arrow`] says, whatever the source.
fn canonical_types(batch: &RecordBatch) -> datafusion::error::Result<RecordBatch> {
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    let schema = batch.schema();
    if !schema
        .fields()
        .iter()
        .any(|f| f.data_type() == &DataType::Utf8View)
    {
        return Ok(batch.clone());
    }
    let mut fields = Vec::with_capacity(schema.fields().len());
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (f, c) in schema.fields().iter().zip(batch.columns()) {
        if f.data_type() == &DataType::Utf8View {
            fields.push(Field::clone(f).with_data_type(DataType::Utf8));
            columns.push(datafusion::arrow::compute::cast(c, &DataType::Utf8)?);
        } else {
            fields.push(Field::clone(f));
            columns.push(c.clone());
        }
    }
    let schema = Schema::new_with_metadata(fields, schema.metadata().clone());
    Ok(RecordBatch::try_new(Arc::new(schema), columns)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kql_planner::KqlType;

    /// A few columns of a log table.
    fn logs() -> KqlSchema {
        KqlSchema::new(
            [
                ("TimeGenerated", KqlType::DateTime),
                ("ResultType", KqlType::String),
                ("ResultSignature", KqlType::String),
                ("Id", KqlType::String),
            ]
            .map(|(n, t)| (n.to_owned(), t)),
        )
    }

    fn reads(ctx: &KqlContext, q: &str, now: i64) -> Option<Vec<String>> {
        ctx.register_batches("Logs", logs(), vec![])
            .expect("registers");
        let query = kql_parser::parse_query(q).expect("parses");
        let planned = ctx.plan_optimized(&query, now, q.len()).expect("plans");
        columns_read(&planned.plan, "Logs", &logs())
    }

    #[test]
    fn columns_read_follows_the_optimized_plan() {
        let ctx = KqlContext::new();
        let q = "Logs\n| where ResultType == \"Failure\"\n| summarize Failures = count() by ErrorCode = ResultSignature";
        let cols = reads(&ctx, q, 0).expect("reads the table");
        assert_eq!(cols, vec!["ResultType", "ResultSignature"]);
        assert_eq!(reads(&ctx, "print 1", 0), None);
        assert_eq!(reads(&ctx, "Logs | count", 0), Some(Vec::new()));
    }

    #[test]
    fn columns_read_plans_with_the_query_s_now() {
        let ctx = KqlContext::new();
        let q = "Logs | where TimeGenerated > ago(1d) | where ResultType == 'Failure'";
        let now = kql_common::time::parse_datetime("2026-11-25").expect("a datetime");
        let cols = reads(&ctx, q, now).expect("reads the table");
        assert!(cols.iter().any(|c| c == "ResultType"), "{cols:?}");
    }
}
