//! What loading reports, on standard error: rejected records with file:line and reason, per-file
//! counts and totals, progress on a terminal; and workspace errors with the flag they concern.

use crate::EXIT_USAGE;
use kql_workspace::{Error, Event, LoadReport, Observer};
use std::io::{IsTerminal, Write};
use std::sync::Arc;

/// Rejections printed per file before the rest are only counted.
const SHOWN_PER_FILE: usize = 20;

/// Prints a workspace's events on standard error.
pub(crate) struct StderrEvents {
    tty: bool,
}

impl StderrEvents {
    pub(crate) fn shared() -> Arc<dyn Observer> {
        Arc::new(StderrEvents {
            tty: std::io::stderr().is_terminal(),
        })
    }
}

impl Observer for StderrEvents {
    fn event(&self, event: Event) {
        match event {
            Event::Skipped(what) => eprintln!("warning: --data: {what}"),
            Event::File {
                report,
                show_counts,
            } => {
                print_rejections(&report);
                if show_counts {
                    eprintln!("{report}");
                }
            }
            Event::Total {
                files,
                loaded,
                rejected,
                duplicates,
            } => eprintln!(
                "total: {files} files, loaded {loaded}, rejected {rejected}, duplicates dropped {duplicates}"
            ),
            Event::Progress {
                read,
                total,
                elapsed,
            } => {
                eprint!(
                    "\rloading {:.0}% ({} of {} MB, {:.0} MB/s)\x1b[K",
                    read as f64 * 100.0 / total.max(1) as f64,
                    read >> 20,
                    total >> 20,
                    read as f64 / 1e6 / elapsed.as_secs_f64().max(1e-9)
                );
                let _ = std::io::stderr().flush();
            }
            Event::ProgressEnd => eprint!("\r\x1b[K"),
            Event::Converted {
                records,
                bytes,
                elapsed,
            } => {
                if self.tty {
                    let secs = elapsed.as_secs_f64();
                    eprintln!(
                        "loaded {records} records in {secs:.2} s ({:.0} MB/s)",
                        bytes as f64 / 1e6 / secs.max(1e-9)
                    );
                }
            }
            Event::Notice(what) => eprintln!("--follow: {what}"),
        }
    }

    fn wants_progress(&self) -> bool {
        self.tty
    }
}

fn print_rejections(report: &LoadReport) {
    let name = &report.file;
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

/// Prints an error of loading `--data` (or of a query's conversion of it); returns the exit code.
pub(crate) fn data_error(e: &Error) -> u8 {
    match e {
        Error::Path(m) | Error::Name(m) => eprintln!("error: --data {m}"),
        Error::Rejected(n) => eprintln!("error: --strict: {n} records were rejected"),
        e => eprintln!("error: {e}"),
    }
    exit_code(e)
}

/// The exit code of a failure: 2 for usage errors, 1 for the rest.
pub(crate) fn exit_code(e: &Error) -> u8 {
    if e.is_usage() { EXIT_USAGE } else { 1 }
}
