//! `kqlite generate`: deterministic demo provisioning logs.

use crate::EXIT_USAGE;
use clap::{Args, ValueEnum};
use kql_engine::generate::{GenOptions, rows};
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum GenFormat {
    /// Log Analytics rows, one JSON object per line.
    Ndjson,
}

#[derive(Args)]
pub(crate) struct GenerateArgs {
    /// Number of rows.
    #[arg(long, default_value_t = 10_000)]
    rows: usize,
    /// Random seed (same seed, same rows).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// First timestamp (ISO 8601).
    #[arg(long, default_value = "2026-11-18T00:00:00Z")]
    start: String,
    /// Days covered.
    #[arg(long, default_value_t = 7)]
    days: u32,
    /// Output shape.
    #[arg(long, value_enum, default_value_t = GenFormat::Ndjson)]
    format: GenFormat,
    /// Output file (`-` for stdout).
    #[arg(long)]
    out: PathBuf,
}

pub(crate) fn run(args: &GenerateArgs) -> u8 {
    let Some(start) = kql_common::time::parse_datetime(&args.start) else {
        eprintln!("error: --start: `{}` is not a datetime", args.start);
        return EXIT_USAGE;
    };
    let opts = GenOptions {
        rows: args.rows,
        seed: args.seed,
        start,
        days: args.days.max(1),
    };
    let GenFormat::Ndjson = args.format;
    let mut text = String::new();
    for r in rows(&opts) {
        text.push_str(&r.to_string());
        text.push('\n');
    }
    let written = if args.out.as_os_str() == "-" {
        std::io::stdout().lock().write_all(text.as_bytes())
    } else {
        std::fs::write(&args.out, text)
    };
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!(
                "error: {}: {}",
                args.out.display(),
                crate::files::describe(&e)
            );
            1
        }
    }
}
