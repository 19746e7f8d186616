//! [`PanicFence`]: a scan of Parquet files that kqlite did not write, whose panics become errors.
//!
//! kqlite's own snapshots carry a checksum of every column chunk, checked before a page is
//! decoded (see [`super::checksums`]). Other writers' files carry none, and on some damaged pages
//! the Parquet decoder asserts instead of returning an error; on a DataFusion worker that printed
//! a panic and failed the query with "Join Error". Above such a scan, this operator catches the
//! panic where the batch is pulled, keeps the panic message off stderr, and fails the query with
//! the file named and the decoder's words. Whole-file reads (`--table`, files loaded into memory)
//! go through [`fenced`] too.

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::{DataFusionError, Result};
use datafusion::config::ConfigOptions;
use datafusion::execution::TaskContext;
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_plan::filter_pushdown::{
    ChildPushdownResult, FilterDescription, FilterPushdownPhase, FilterPushdownPropagation,
};
use datafusion::physical_plan::stream::RecordBatchStreamAdapter;
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PlanProperties, SendableRecordBatchStream,
};
use futures::StreamExt;
use std::cell::Cell;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Once};

/// A scan of the files named in `files`, with panics turned into errors.
#[derive(Debug)]
pub struct PanicFence {
    scan: Arc<dyn ExecutionPlan>,
    /// The files, as named in the error.
    files: Arc<str>,
}

impl PanicFence {
    /// `scan`, fenced.
    pub fn around(scan: Arc<dyn ExecutionPlan>, files: Arc<str>) -> Arc<dyn ExecutionPlan> {
        Arc::new(PanicFence { scan, files })
    }
}

impl DisplayAs for PanicFence {
    fn fmt_as(&self, _: DisplayFormatType, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "PanicFence")
    }
}

impl ExecutionPlan for PanicFence {
    fn name(&self) -> &'static str {
        "PanicFence"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        self.scan.properties()
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.scan]
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }

    fn apply_expressions(
        &self,
        _: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match (children.pop(), children.is_empty()) {
            (Some(scan), true) => Ok(PanicFence::around(scan, self.files.clone())),
            _ => Err(DataFusionError::Internal(
                "PanicFence takes one child".to_owned(),
            )),
        }
    }

    /// Splitting the files across cores happens below the fence, which stays on top.
    fn repartitioned(
        &self,
        target_partitions: usize,
        config: &ConfigOptions,
    ) -> Result<Option<Arc<dyn ExecutionPlan>>> {
        Ok(self
            .scan
            .repartitioned(target_partitions, config)?
            .map(|scan| PanicFence::around(scan, self.files.clone())))
    }

    /// Filters pass through to the scan, which skips row groups and rows with them.
    fn gather_filters_for_pushdown(
        &self,
        _: FilterPushdownPhase,
        parent_filters: Vec<Arc<dyn PhysicalExpr>>,
        _: &ConfigOptions,
    ) -> Result<FilterDescription> {
        FilterDescription::from_children(parent_filters, &self.children())
    }

    fn handle_child_pushdown_result(
        &self,
        _: FilterPushdownPhase,
        child_pushdown_result: ChildPushdownResult,
        _: &ConfigOptions,
    ) -> Result<FilterPushdownPropagation<Arc<dyn ExecutionPlan>>> {
        Ok(FilterPushdownPropagation::if_all(child_pushdown_result))
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let files = self.files.clone();
        let scan = self.scan.clone();
        let mut stream = fenced(&files, || scan.execute(partition, context))?;
        let schema = stream.schema();
        let mut failed = false;
        let batches = futures::stream::poll_fn(move |cx| {
            if failed {
                return std::task::Poll::Ready(None);
            }
            let polled = fenced(&files, || Ok(stream.poll_next_unpin(cx)));
            match polled {
                Ok(p) => p,
                Err(e) => {
                    failed = true;
                    std::task::Poll::Ready(Some(Err(e)))
                }
            }
        });
        Ok(Box::pin(RecordBatchStreamAdapter::new(schema, batches)))
    }
}

thread_local! {
    /// Set while a fenced call runs on this thread: its panic is caught, so not printed.
    static FENCED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into an error naming `files`, with nothing printed.
pub(super) fn fenced<T>(files: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    quiet_hook();
    let was = FENCED.with(|c| c.replace(true));
    let result = std::panic::catch_unwind(AssertUnwindSafe(f));
    FENCED.with(|c| c.set(was));
    result.unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(DataFusionError::Execution(format!(
            "{files}: a damaged Parquet file (the Parquet reader failed: {why})"
        )))
    })
}

/// Installs, once, a panic hook that stays silent for fenced calls and otherwise does what the
/// hook before it did.
fn quiet_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let before = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !FENCED.with(Cell::get) {
                before(info);
            }
        }));
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests report failures by panicking")]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_the_fence_is_an_error_naming_the_files() {
        #[allow(clippy::panic, reason = "the panic under test")]
        let e = fenced::<()>("a.parquet", || panic!("bit width 70 > 64")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Execution error: a.parquet: a damaged Parquet file (the Parquet reader failed: bit width 70 > 64)"
        );
        assert!(!FENCED.with(Cell::get));
        assert_eq!(fenced("a.parquet", || Ok(7)).unwrap(), 7);
    }
}
