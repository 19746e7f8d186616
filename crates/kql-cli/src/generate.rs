//! `kqlite generate`: deterministic demo provisioning logs.

use crate::EXIT_USAGE;
use clap::{Args, ValueEnum};
use kql_engine::generate::{GenOptions, Shape, rows, write};
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
    let generated = rows(&opts);
    let shape = match args.format {
        GenFormat::Ndjson => Shape::Ndjson,
        GenFormat::Graph => Shape::Graph,
        GenFormat::PortalJson => Shape::PortalJson,
        GenFormat::ResourceLog => Shape::ResourceLog,
        GenFormat::Eventhub => Shape::EventHub,
        GenFormat::QueryApi => Shape::QueryApi,
        GenFormat::Csv => Shape::Csv,
        GenFormat::Parquet => return write_parquet(&generated, &args.out),
        GenFormat::PortalCsv => return write_portal_csv(&generated, &args.out),
    };
    write_text(&args.out, &write(&generated, shape))
}

fn write_text(out: &Path, text: &str) -> u8 {
    let written = if out.as_os_str() == "-" {
        std::io::stdout().lock().write_all(text.as_bytes())
    } else {
        std::fs::write(out, text)
    };
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {}: {}", out.display(), crate::files::describe(&e));
            1
        }
    }
}

fn write_portal_csv(generated: &[serde_json::Value], out: &Path) -> u8 {
    if out.as_os_str() == "-" {
        eprintln!("error: --format portal-csv writes three files: give --out a file name");
        return EXIT_USAGE;
    }
    let graph: Vec<serde_json::Value> = generated
        .iter()
        .filter_map(serde_json::Value::as_object)
        .map(kql_engine::load::shapes::row_to_graph)
        .collect();
    let [entries, steps, modified] = kql_engine::load::portal_csv::write(&graph);
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("ProvisioningLogs");
    let sibling = |suffix: &str| out.with_file_name(format!("{stem}_{suffix}.csv"));
    [
        (out.to_path_buf(), entries),
        (sibling("ProvisioningSteps"), steps),
        (sibling("ModifiedProperties"), modified),
    ]
    .iter()
    .map(|(path, text)| write_text(path, text))
    .max()
    .unwrap_or(0)
}

fn write_parquet(generated: &[serde_json::Value], out: &Path) -> u8 {
    let schema = kql_engine::tables::aad_provisioning_logs();
    let mut builder = kql_engine::load::builder::RowBuilder::new(schema.clone());
    for r in generated {
        if let Err(e) = builder.append(|c| r.get(c)) {
            eprintln!("error: {e}");
            return 1;
        }
    }
    let written = builder
        .finish()
        .and_then(|b| kql_engine::load::parquet::write_snapshot(out, &schema, &[b]));
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {}: {e}", out.display());
            1
        }
    }
}
