//! `--format` of `kqlite query`, and where results go: `kql-output` writes them.

use clap::ValueEnum;
use kql_output::results::ResultFormat;
use std::io;

/// How query results are printed.
#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum PrintFormat {
    /// Aligned columns with a footer.
    Table,
    /// RFC 4180 CSV with a header row.
    Csv,
    /// A JSON array of row objects (keys in column order).
    Json,
    /// One JSON object per line.
    Ndjson,
    /// A Markdown table.
    Markdown,
}

impl From<PrintFormat> for ResultFormat {
    fn from(f: PrintFormat) -> ResultFormat {
        match f {
            PrintFormat::Table => ResultFormat::Table,
            PrintFormat::Csv => ResultFormat::Csv,
            PrintFormat::Json => ResultFormat::Json,
            PrintFormat::Ndjson => ResultFormat::Ndjson,
            PrintFormat::Markdown => ResultFormat::Markdown,
        }
    }
}

/// Standard output for results: flushed in large writes, not at every line.
pub(crate) fn stdout_writer() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::with_capacity(1 << 16, io::stdout().lock())
}
