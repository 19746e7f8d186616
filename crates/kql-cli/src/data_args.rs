//! `--data`, `--table` and `--strict`, as `query` and `repl` take them, and attaching them.

use crate::EXIT_USAGE;
use crate::events::{data_error, exit_code};
use clap::Args;
use kql_workspace::{AAD_PROVISIONING_LOGS, AttachOptions, Error, Observer, Source, Workspace};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args, Default)]
pub(crate) struct DataArgs {
    /// Provisioning-log exports loaded as AADProvisioningLogs: files, folders (recursive) or globs,
    /// in any shape (Log Analytics NDJSON rows, query API JSON, portal CSV, Graph pages, the portal's
    /// JSON download, PT1H.json resource logs, Event Hub bodies, gzip of those, Parquet snapshots).
    /// Without --data, AADProvisioningLogs is a built-in demo week (see `kqlite generate`).
    #[arg(long, value_name = "PATH")]
    pub data: Vec<PathBuf>,
    /// Also load a file as table NAME (JSON Lines, a JSON array or wrapper, a query API
    /// response, CSV or Parquet; column types are inferred from the values). Repeatable.
    #[arg(long = "table", value_name = "NAME=PATH")]
    pub tables: Vec<String>,
    /// Fail (exit 1) when any input record is rejected.
    #[arg(long)]
    pub strict: bool,
}

impl DataArgs {
    /// Attaches `--data` (the demo week when `demo`) as AADProvisioningLogs and each `--table`;
    /// returns the options they were attached with. The error is the exit code, its message
    /// printed.
    pub(crate) fn attach(
        &self,
        ws: &Workspace,
        demo: bool,
        events: &Arc<dyn Observer>,
    ) -> Result<AttachOptions, u8> {
        let options = AttachOptions {
            strict: self.strict,
            ..AttachOptions::default()
        };
        let source = if demo {
            Source::Demo
        } else {
            Source::Exports(self.data.clone())
        };
        if let Err(e) = ws.attach(AAD_PROVISIONING_LOGS, source, options, events.clone()) {
            return Err(data_error(&e));
        }
        for spec in &self.tables {
            attach_table(ws, spec, options, events)?;
        }
        Ok(options)
    }
}

impl DataArgs {
    /// A workspace with `--data` (the demo week without it) and each `--table` attached, their
    /// events on standard error, and the `now()` queries default to there: the end of the demo
    /// week, or the wall clock. The error is the exit code, its message printed.
    pub(crate) fn open(&self) -> Result<(Workspace, i64), u8> {
        let ws = Workspace::new();
        let demo = self.data.is_empty();
        self.attach(&ws, demo, &crate::events::StderrEvents::shared())?;
        let now = if demo {
            kql_workspace::DEMO_END
        } else {
            kql_workspace::context_now()
        };
        Ok((ws, now))
    }
}

/// Attaches `--table NAME=PATH`: the file as table NAME, with inferred types.
fn attach_table(
    ws: &Workspace,
    spec: &str,
    options: AttachOptions,
    events: &Arc<dyn Observer>,
) -> Result<(), u8> {
    let Some((name, path)) = spec.split_once('=') else {
        eprintln!("error: --table `{spec}`: expected NAME=PATH");
        return Err(EXIT_USAGE);
    };
    match ws.attach_file(name, Path::new(path), options, events.clone()) {
        Ok(_) => Ok(()),
        Err(e @ Error::Name(_)) => {
            eprintln!("error: --table `{spec}`: {e}");
            Err(EXIT_USAGE)
        }
        Err(e @ Error::Rejected(_)) => Err(data_error(&e)),
        Err(e) => {
            eprintln!("error: --table {name}: {e}");
            Err(exit_code(&e))
        }
    }
}
