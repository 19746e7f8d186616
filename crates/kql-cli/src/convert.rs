//! `kqlite convert`: load exports once, write a Parquet snapshot that later queries load fast.

use crate::EXIT_USAGE;
use crate::events::{StderrEvents, data_error};
use crate::files::describe;
use clap::Args;
use kql_workspace::{AAD_PROVISIONING_LOGS, AttachOptions, Error, Source, Workspace};
use std::path::PathBuf;

#[derive(Args)]
pub(crate) struct ConvertArgs {
    /// Provisioning-log exports in any shape `kqlite query --data` reads (files, folders, globs).
    #[arg(long, value_name = "PATH", required = true)]
    data: Vec<PathBuf>,
    /// The Parquet snapshot to write (use it as `--data` afterwards).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Fail (exit 1, nothing written) when any input record is rejected.
    #[arg(long)]
    strict: bool,
}

pub(crate) fn run(args: &ConvertArgs) -> u8 {
    // Before loading, which may take long: a target that will be refused is said at once.
    if let Err(e) = kql_workspace::output_file::check_target(&args.out) {
        eprintln!("error: --out {}: {}", args.out.display(), describe(&e));
        return EXIT_USAGE;
    }
    crate::interrupt::remove_outputs_on_signal();
    let ws = Workspace::new();
    let options = AttachOptions {
        strict: args.strict,
        convert_snapshots: true,
    };
    let source = Source::Exports(args.data.clone());
    if let Err(e) = ws.attach(
        AAD_PROVISIONING_LOGS,
        source,
        options,
        StderrEvents::shared(),
    ) {
        return data_error(&e);
    }
    match ws.write_snapshot(AAD_PROVISIONING_LOGS, &args.out) {
        Ok(rows) => {
            eprintln!("wrote {rows} records to {}", args.out.display());
            0
        }
        Err(Error::Write(why)) => {
            eprintln!("error: {}: {why}", args.out.display());
            1
        }
        Err(e) => data_error(&e),
    }
}
