//! Loading `--data` paths for `query` and `convert`: every rejected record is reported on stderr
//! with file:line and reason, and the counts are summed up.

use crate::EXIT_USAGE;
use kql_engine::{KqlContext, KqlSchema, RecordBatch};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Rejections printed per file before the rest are only counted.
const SHOWN_PER_FILE: usize = 20;

/// The files of `--data` paths (files, folders, globs), with a warning for each thing in a
/// folder that is not loaded; a usage error when one matches nothing or is not a file or folder.
pub(crate) fn expand_data(paths: &[PathBuf]) -> Result<Vec<PathBuf>, u8> {
    match kql_engine::load::walk::expand(paths) {
        Ok(found) => {
            for w in found.warnings() {
                eprintln!("warning: --data: {w}");
            }
            Ok(found.files)
        }
        Err(e) => {
            eprintln!("error: --data {e}");
            Err(EXIT_USAGE)
        }
    }
}

/// Loads `files` (from [`expand_data`]) into batches of `schema`. With `strict`, any rejected
/// record fails the load. The error is the exit code (messages are already printed).
pub(crate) fn load_files(
    files: &[PathBuf],
    schema: &KqlSchema,
    strict: bool,
) -> Result<Vec<RecordBatch>, u8> {
    let started = std::time::Instant::now();
    let mut batches = Vec::new();
    let bytes: u64 = files
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum();
    let (mut loaded, mut rejected, mut duplicates) = (0usize, 0usize, 0usize);
    let read = Arc::new(AtomicU64::new(0));
    let mut loader = kql_engine::load::files::Loader::with_progress(read.clone());
    let progress = Progress::start(read, bytes);
    for p in files {
        let name = p.display().to_string();
        match loader.load_file(p, schema) {
            Ok((_, report)) if report.held_back => {}
            Ok((b, report)) => {
                print_rejections(&name, &report);
                if !report.rejected.is_empty() || report.duplicates > 0 || files.len() > 1 {
                    eprintln!("{report}");
                }
                loaded += report.loaded;
                rejected += report.rejected.len();
                duplicates += report.duplicates;
                batches.extend(b);
            }
            Err(e) => {
                drop(progress);
                // The loaders' errors name the file.
                eprintln!("error: {}", kql_engine::load::files::reason(&e));
                return Err(1);
            }
        }
    }
    drop(progress);
    // Files that are only complete together (a portal CSV download's three parts).
    match loader.finish(schema) {
        Ok((b, reports)) => {
            for report in &reports {
                print_rejections(&report.file, report);
                eprintln!("{report}");
                rejected += report.rejected.len();
            }
            // Steps and modified properties are parts of records, not records.
            loaded += b.iter().map(RecordBatch::num_rows).sum::<usize>();
            batches.extend(b);
        }
        Err(e) => {
            eprintln!("error: {}", kql_engine::load::files::reason(&e));
            return Err(1);
        }
    }
    if files.len() > 1 || duplicates > 0 {
        eprintln!(
            "total: {} files, loaded {loaded}, rejected {rejected}, duplicates dropped {duplicates}",
            files.len()
        );
    }
    if strict && rejected > 0 {
        eprintln!("error: --strict: {rejected} records were rejected");
        return Err(1);
    }
    if std::io::stderr().is_terminal() {
        let secs = started.elapsed().as_secs_f64();
        eprintln!(
            "loaded {loaded} records in {secs:.2} s ({:.0} MB/s)",
            bytes as f64 / 1e6 / secs.max(1e-9)
        );
    }
    Ok(batches)
}

/// Whether every one of `files` is a Parquet snapshot (then they are queried in place).
pub(crate) fn only_snapshots(files: &[PathBuf]) -> bool {
    !files.is_empty()
        && files
            .iter()
            .all(|f| kql_engine::load::parquet::is_snapshot_file(f))
}

/// A table over snapshot files, after checking their footers; prints the per-file counts when
/// there are several files, as a load does.
pub(crate) fn snapshot_provider(
    ctx: &kql_engine::KqlContext,
    files: &[PathBuf],
    schema: &KqlSchema,
) -> Result<Arc<dyn kql_engine::TableProvider>, u8> {
    match kql_engine::load::parquet::snapshot_table(files, schema, &ctx.metadata_cache()) {
        Ok((provider, reports)) => {
            if reports.len() > 1 {
                for r in &reports {
                    eprintln!("{r}");
                }
                let rows: usize = reports.iter().map(|r| r.loaded).sum();
                eprintln!(
                    "total: {} files, loaded {rows}, rejected 0, duplicates dropped 0",
                    reports.len()
                );
            }
            Ok(provider)
        }
        Err(e) => {
            eprintln!("error: {}", kql_engine::load::files::reason(&e));
            Err(1)
        }
    }
}

pub(crate) fn print_rejections(name: &str, report: &kql_engine::load::LoadReport) {
    for r in report.rejected.iter().take(SHOWN_PER_FILE) {
        eprintln!("warning: {name}:{}: record rejected: {}", r.line, r.reason);
    }
    if report.rejected.len() > SHOWN_PER_FILE {
        eprintln!(
            "warning: {name}: {} more records rejected",
            report.rejected.len() - SHOWN_PER_FILE
        );
    }
}

/// Loads `--table NAME=PATH`: the file as table NAME, with an inferred schema.
pub(crate) fn load_named_table(ctx: &KqlContext, spec: &str, strict: bool) -> Result<(), u8> {
    let Some((name, path)) = spec.split_once('=') else {
        eprintln!("error: --table `{spec}`: expected NAME=PATH");
        return Err(EXIT_USAGE);
    };
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if !valid {
        eprintln!("error: --table `{spec}`: `{name}` is not a table name (letters, digits, _)");
        return Err(EXIT_USAGE);
    }
    // The file is read to its end: a FIFO (`<(jq ...)`) ends, `/dev/zero` never does.
    if let Ok(meta) = std::fs::metadata(path)
        && let Some(kind) = kql_engine::load::walk::not_regular(&meta)
        && kind != kql_engine::load::walk::FIFO
    {
        eprintln!("error: --table {name}: {path}: not a regular file ({kind})");
        return Err(EXIT_USAGE);
    }
    let (schema, batches, report) =
        match kql_engine::load::infer::load_inferred(std::path::Path::new(path)) {
            Ok(loaded) => loaded,
            Err(e) => {
                eprintln!(
                    "error: --table {name}: {}",
                    kql_engine::load::files::reason(&e)
                );
                return Err(1);
            }
        };
    print_rejections(path, &report);
    if !report.rejected.is_empty() {
        eprintln!("{report}");
    }
    if strict && !report.rejected.is_empty() {
        eprintln!(
            "error: --strict: {} records were rejected",
            report.rejected.len()
        );
        return Err(1);
    }
    if let Err(e) = ctx.register_batches(name, schema, batches) {
        eprintln!("error: --table {name}: {e}");
        return Err(1);
    }
    Ok(())
}

/// A progress line on a terminal while big inputs load (nothing when stderr is not a terminal
/// or the input is small); cleared when dropped.
struct Progress {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Progress {
    const MIN_BYTES: u64 = 64 << 20;

    fn start(read: Arc<AtomicU64>, total: u64) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        let thread = (total >= Self::MIN_BYTES && std::io::stderr().is_terminal()).then(|| {
            let done = done.clone();
            std::thread::spawn(move || {
                let started = std::time::Instant::now();
                while !done.load(Ordering::Relaxed) {
                    std::thread::sleep(std::time::Duration::from_millis(200));
                    let n = read.load(Ordering::Relaxed).min(total);
                    let secs = started.elapsed().as_secs_f64().max(1e-9);
                    eprint!(
                        "\rloading {:.0}% ({} of {} MB, {:.0} MB/s)\x1b[K",
                        n as f64 * 100.0 / total as f64,
                        n >> 20,
                        total >> 20,
                        n as f64 / 1e6 / secs
                    );
                    let _ = std::io::stderr().flush();
                }
                eprint!("\r\x1b[K");
            })
        });
        Progress { done, thread }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
