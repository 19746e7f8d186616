//! `kqlite convert`: load exports once, write a Parquet snapshot that later queries load fast.

use crate::EXIT_USAGE;
use crate::files::describe;
use crate::load_data::{expand_data, load_files};
use clap::Args;
use kql_engine::DataFusionError;
use kql_engine::tables::aad_provisioning_logs;
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
    let schema = aad_provisioning_logs();
    // Before loading, which may take long: a target that will be refused is said at once.
    if let Err(e) = kql_engine::output_file::check_target(&args.out) {
        eprintln!("error: --out {}: {}", args.out.display(), describe(&e));
        return EXIT_USAGE;
    }
    crate::interrupt::remove_outputs_on_signal();
    let files = match expand_data(&args.data) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let batches = match load_files(&files, &schema, args.strict) {
        Ok(b) => b,
        Err(code) => return code,
    };
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    match kql_engine::load::parquet::write_snapshot(&args.out, &schema, &batches) {
        Ok(()) => {
            eprintln!("wrote {rows} records to {}", args.out.display());
            0
        }
        Err(DataFusionError::IoError(e)) => {
            eprintln!("error: {}: {}", args.out.display(), describe(&e));
            1
        }
        Err(e) => {
            eprintln!("error: {}: {e}", args.out.display());
            1
        }
    }
}
