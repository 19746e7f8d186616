//! `kqlite generate`: deterministic demo provisioning logs.

use crate::EXIT_USAGE;
use crate::files::describe;
use clap::{Args, ValueEnum};
use kql_workspace::generate::{GenOptions, RowStream, Shape, row_stream, write_to};
use kql_workspace::output_file::OutputFile;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum GenFormat {
    /// Log Analytics rows, one JSON object per line.
    Ndjson,
    /// A Microsoft Graph provisioningObjectSummary page.
    Graph,
    /// The Entra portal's JSON download (a JSON array).
    PortalJson,
    /// Diagnostic-settings resource-log records (PT1H.json: JSON Lines, CRLF).
    ResourceLog,
    /// An Event Hub message body.
    Eventhub,
    /// A Log Analytics query API response.
    QueryApi,
    /// The Log Analytics portal's CSV export.
    Csv,
    /// The Entra portal's CSV download: OUT plus OUT's stem with `_ProvisioningSteps` and
    /// `_ModifiedProperties` (three files joined on the change ID).
    PortalCsv,
    /// A Parquet snapshot (what `kqlite convert` writes).
    Parquet,
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
    if args.out.as_os_str() != "-" {
        if let Err(e) = kql_workspace::output_file::check_target(&args.out) {
            eprintln!("error: --out {}: {}", args.out.display(), describe(&e));
            return EXIT_USAGE;
        }
        crate::interrupt::remove_outputs_on_signal();
    }
    // Rows are made and written one at a time: memory stays bounded whatever --rows is.
    let generated = row_stream(&opts);
    let shape = match args.format {
        GenFormat::Ndjson => Shape::Ndjson,
        GenFormat::Graph => Shape::Graph,
        GenFormat::PortalJson => Shape::PortalJson,
        GenFormat::ResourceLog => Shape::ResourceLog,
        GenFormat::Eventhub => Shape::EventHub,
        GenFormat::QueryApi => Shape::QueryApi,
        GenFormat::Csv => Shape::Csv,
        GenFormat::Parquet => return write_parquet(generated, &args.out),
        GenFormat::PortalCsv => return write_portal_csv(generated, &args.out),
    };
    write_out(&args.out, |out| write_to(generated, shape, out))
}

/// Runs `write` on `out` (a file, or standard output for `-`) through a buffer; reports errors.
fn write_out(out: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> u8 {
    let written = if out.as_os_str() == "-" {
        let mut w = std::io::BufWriter::new(std::io::stdout().lock());
        write(&mut w).and_then(|()| w.flush())
    } else {
        // A failure drops the file unfinished, which removes it.
        OutputFile::create(out).and_then(|f| {
            let mut w = std::io::BufWriter::new(f);
            write(&mut w)?;
            w.into_inner().map_err(|e| e.into_error())?.commit()
        })
    };
    match written {
        Ok(()) => 0,
        // The reader stopped early (`kqlite generate --out - ... | head`): not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe && out.as_os_str() == "-" => 0,
        Err(e) => {
            eprintln!("error: {}: {}", out.display(), describe(&e));
            1
        }
    }
}

/// Rows per chunk where a shape is made from groups of rows (portal CSV, Parquet).
const CHUNK_ROWS: usize = 65_536;

fn write_portal_csv(generated: RowStream, out: &Path) -> u8 {
    if out.as_os_str() == "-" {
        eprintln!("error: --format portal-csv writes three files: give --out a file name");
        return EXIT_USAGE;
    }
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("ProvisioningLogs");
    let sibling = |suffix: &str| out.with_file_name(format!("{stem}_{suffix}.csv"));
    let paths = [
        out.to_path_buf(),
        sibling("ProvisioningSteps"),
        sibling("ModifiedProperties"),
    ];
    let mut files = Vec::with_capacity(3);
    for p in &paths {
        match OutputFile::create(p) {
            Ok(f) => files.push(std::io::BufWriter::new(f)),
            Err(e) => {
                eprintln!("error: {}: {}", p.display(), describe(&e));
                return 1;
            }
        }
    }
    let written = match files.as_mut_slice() {
        [a, b, c] => kql_workspace::generate::write_portal_csv(generated, CHUNK_ROWS, [a, b, c]),
        _ => Ok(()),
    };
    // The three appear together only if all were written; otherwise none is kept.
    let written = written.and_then(|()| {
        let finished = files
            .into_iter()
            .map(|w| w.into_inner().map_err(|e| e.into_error()))
            .collect::<std::io::Result<Vec<OutputFile>>>()?;
        finished.into_iter().try_for_each(OutputFile::commit)
    });
    match written {
        Ok(()) => 0,
        Err(e) => {
            let [a, b, c] = paths.map(|p| p.display().to_string());
            eprintln!("error: writing {a}, {b} or {c}: {}", describe(&e));
            1
        }
    }
}

fn write_parquet(generated: RowStream, out: &Path) -> u8 {
    match kql_workspace::generate::write_parquet(generated, CHUNK_ROWS, out) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {}: {e}", out.display());
            1
        }
    }
}
