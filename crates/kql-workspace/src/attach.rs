//! Attaching tables: what a table's rows come from, and how they are opened.

use crate::error::Error;
use crate::export_table::{ExportTable, Rows};
use crate::observer::{Event, Observer};
use crate::workspace::Workspace;
use kql_ingest::load::reason;
use kql_ingest::load::{infer, parquet, walk};
use kql_ingest::tables::aad_provisioning_logs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where an attached table's rows come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Provisioning-log exports: files, folders (searched recursively) or globs, in any shape
    /// `kql-ingest` reads. Parquet snapshots alone are scanned in place; anything else is
    /// converted when a query first reads it, in the columns the query reads.
    Exports(Vec<PathBuf>),
    /// The built-in demo week of provisioning logs (see [`crate::generate`]).
    Demo,
}

/// How to attach.
#[derive(Clone, Copy, Debug, Default)]
pub struct AttachOptions {
    /// Fail when any record is rejected, instead of reporting it and going on.
    pub strict: bool,
    /// Convert snapshots as other exports are, instead of scanning them in place (for writing
    /// a snapshot of them).
    pub convert_snapshots: bool,
}

/// What an attach found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attached {
    /// Files the table reads.
    pub files: usize,
    /// Rows, where they are known already (snapshots and loaded files; converted tables learn
    /// theirs when a query first reads them).
    pub rows: Option<usize>,
}

impl Workspace {
    /// Attaches `source` as table `table` (replacing a table of that name), reporting to
    /// `observer` what is skipped, loaded and rejected, now and whenever the table is converted.
    pub fn attach(
        &self,
        table: &str,
        source: Source,
        options: AttachOptions,
        observer: Arc<dyn Observer>,
    ) -> Result<Attached, Error> {
        check_name(table)?;
        let schema = aad_provisioning_logs();
        let paths = match source {
            Source::Demo => {
                let rows = ExportTable::new(schema, Rows::Demo, options.strict, observer);
                self.add_export(table, rows);
                return Ok(Attached {
                    files: 0,
                    rows: Some(kql_ingest::generate::DEMO_ROWS),
                });
            }
            Source::Exports(paths) => paths,
        };
        let found = walk::expand(&paths).map_err(Error::Path)?;
        for w in found.warnings() {
            observer.event(Event::Skipped(w));
        }
        let in_place = !options.convert_snapshots
            && !found.files.is_empty()
            && found.files.iter().all(|f| parquet::is_snapshot_file(f));
        if in_place {
            // Snapshots are scanned in place: DataFusion reads what a query needs, when it runs.
            let (provider, reports) =
                parquet::snapshot_table(&found.files, &schema, &self.context().metadata_cache())
                    .map_err(|e| Error::Load(reason(&e)))?;
            let rows: usize = reports.iter().map(|r| r.loaded).sum();
            let several = reports.len() > 1;
            let files = reports.len();
            for report in reports {
                observer.event(Event::File {
                    report,
                    show_counts: several,
                });
            }
            if several {
                observer.event(Event::Total {
                    files,
                    loaded: rows,
                    rejected: 0,
                    duplicates: 0,
                });
            }
            self.forget_export(table);
            self.context().register_provider(table, schema, provider);
            return Ok(Attached {
                files,
                rows: Some(rows),
            });
        }
        let files = found.files.len();
        let rows = Rows::Files {
            files: found.files,
            bytes: found.bytes,
        };
        self.add_export(
            table,
            ExportTable::new(schema, rows, options.strict, observer),
        );
        Ok(Attached { files, rows: None })
    }

    /// Loads the file at `path` as table `table`, its column types inferred from its values
    /// (JSON Lines, a JSON array or wrapper, a query API response, CSV or Parquet).
    pub fn attach_file(
        &self,
        table: &str,
        path: &Path,
        options: AttachOptions,
        observer: Arc<dyn Observer>,
    ) -> Result<Attached, Error> {
        check_name(table)?;
        // The file is read to its end: a FIFO (`<(jq ...)`) ends, `/dev/zero` never does.
        if let Ok(meta) = std::fs::metadata(path)
            && let Some(kind) = walk::not_regular(&meta)
            && kind != walk::FIFO
        {
            return Err(Error::Path(format!(
                "{}: not a regular file ({kind})",
                path.display()
            )));
        }
        let (schema, batches, report) =
            infer::load_inferred(path).map_err(|e| Error::Load(reason(&e)))?;
        let rejected = report.rejected.len();
        let rows = report.loaded;
        observer.event(Event::File {
            show_counts: rejected > 0,
            report,
        });
        if options.strict && rejected > 0 {
            return Err(Error::Rejected(rejected));
        }
        self.forget_export(table);
        self.context()
            .register_batches(table, schema, batches)
            .map_err(|e| Error::Load(e.to_string()))?;
        Ok(Attached {
            files: 1,
            rows: Some(rows),
        })
    }
}

/// A table name is letters, digits and `_`, not starting with a digit.
fn check_name(name: &str) -> Result<(), Error> {
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_');
    if valid {
        Ok(())
    } else {
        Err(Error::Name(format!(
            "`{name}` is not a table name (letters, digits, _)"
        )))
    }
}
