//! `kqlite query`: load data, run one query, print the rows.

use crate::data_args::DataArgs;
use crate::events::{StderrEvents, data_error};
use crate::output::use_color;
use crate::print_format::{PrintFormat, stdout_writer};
use crate::{ColorChoice, EXIT_USAGE};
use clap::Args;
use kql_common::io_text::describe;
use kql_common::snippet::{Style, styled};
use kql_output::results::ResultWriter;
use kql_workspace::{AAD_PROVISIONING_LOGS, Error, Workspace};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Args)]
pub(crate) struct QueryArgs {
    #[command(flatten)]
    source: DataArgs,
    /// Stream records into AADProvisioningLogs from a growing JSON Lines file (followed until
    /// stopped) or `-` (standard input, until it ends): Log Analytics rows, resource-log records
    /// or Event Hub bodies, one per line. The query re-runs whenever new records land.
    #[arg(long, value_name = "PATH|-", conflicts_with = "data")]
    follow: Option<PathBuf>,
    /// With --follow: keep only records whose TimeGenerated is within this timespan of the newest
    /// (e.g. 7d, 12h), so memory stays bounded.
    #[arg(long, value_name = "TIMESPAN", requires = "follow")]
    retain: Option<String>,
    /// Fix now() and ago() at this datetime (ISO 8601), for reproducible results.
    #[arg(long, value_name = "DATETIME")]
    now: Option<String>,
    /// Also draw the query's `render` chart into FILE: .svg, .png (twice the size, for documents) or
    /// .html (the SVG in a page).
    #[arg(long, value_name = "FILE", conflicts_with = "follow")]
    chart: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PrintFormat::Table)]
    format: PrintFormat,
    /// Rows shown by the table format (all other formats print every row).
    #[arg(long, default_value_t = 40, value_name = "N")]
    max_rows: usize,
    /// Memory the query may use for sorting, grouping and the like (the loaded data is not
    /// counted), e.g. 512MB, 2GB (units of 1024); a query that needs more fails with KE003.
    /// Default: half of the machine's memory.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    memory_limit: Option<usize>,
    /// Print how long each phase took (start, load, plan, run, print) to standard error.
    #[arg(long, conflicts_with = "follow")]
    timing: bool,
    /// Run the whole query N times in this process, each time with a new session that loads the
    /// data again; with --timing, the later runs show the time once the process is warm (how a
    /// long-lived session, or DuckDB's library in a benchmark, answers).
    #[arg(long, value_name = "N", default_value_t = 1, conflicts_with = "follow",
          value_parser = clap::value_parser!(u32).range(1..))]
    repeat: u32,
    /// Read the query from a file.
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "query"
    )]
    file: Option<PathBuf>,
    /// The query text.
    #[arg(value_name = "QUERY", required_unless_present = "file")]
    query: Option<String>,
}

pub(crate) fn run(args: &QueryArgs, color: ColorChoice, started: Instant) -> u8 {
    // One runtime for the process, as a long-lived session would have.
    let Some(runtime) = crate::runtime() else {
        return 1;
    };
    let mut code = 0;
    for run in 0..args.repeat {
        let started = if run == 0 { started } else { Instant::now() };
        let ws = Workspace::with_memory_limit(
            args.memory_limit
                .unwrap_or_else(kql_workspace::default_memory_limit),
        );
        code = run_once(args, color, &runtime, &ws, started);
        if code != 0 || run + 1 == args.repeat {
            // The process ends next: tearing down the last workspace (its tables and cached
            // footers) and the runtime's threads would only delay the exit by a tenth of a
            // millisecond or more, a few percent of a short query.
            std::mem::forget(ws);
            break;
        }
    }
    std::mem::forget(runtime);
    code
}

/// Runs `kqlite query` with these arguments (the first is the command's name): for commands
/// that are a query with fixed options (`kqlite logs`).
pub(crate) fn run_argv(argv: &[String], color: ColorChoice, started: Instant) -> u8 {
    use clap::{Args as _, FromArgMatches};
    let command = QueryArgs::augment_args(clap::Command::new("query"));
    match command
        .try_get_matches_from(argv)
        .and_then(|m| QueryArgs::from_arg_matches(&m))
    {
        Ok(args) => run(&args, color, started),
        Err(e) => {
            eprintln!("error: {e}");
            EXIT_USAGE
        }
    }
}

/// Reads, attaches, plans, loads, runs and prints the query once; `started` is when this run
/// began.
fn run_once(
    args: &QueryArgs,
    color: ColorChoice,
    runtime: &tokio::runtime::Runtime,
    ws: &Workspace,
    started: Instant,
) -> u8 {
    let mut clock = Phases::new(started);
    let started_at = started;
    // A chart file of no known kind is refused before the query runs, not after.
    if let Some(path) = &args.chart
        && crate::chart_file::file_kind(path, "--chart").is_err()
    {
        return EXIT_USAGE;
    }
    let (name, text) = match (&args.file, &args.query) {
        (Some(f), _) => match std::fs::read_to_string(f) {
            Ok(t) => (f.display().to_string(), t),
            Err(e) => {
                eprintln!("error: {}: {}", f.display(), describe(&e));
                return EXIT_USAGE;
            }
        },
        (None, Some(q)) => ("query".to_owned(), q.clone()),
        (None, None) => return EXIT_USAGE,
    };
    // Without --data, queries run on the built-in demo week, and now() is its end.
    let demo = args.source.data.is_empty()
        && args.follow.is_none()
        && text.contains(AAD_PROVISIONING_LOGS);
    let now = match &args.now {
        Some(n) => match kql_common::time::parse_datetime(n) {
            Some(t) => t,
            None => {
                eprintln!(
                    "error: --now: `{n}` is not a datetime (use ISO 8601, e.g. 2026-11-25T10:00:00Z)"
                );
                return EXIT_USAGE;
            }
        },
        None if demo => kql_workspace::DEMO_END,
        None => kql_workspace::context_now(),
    };
    clock.lap("start");
    let events = StderrEvents::shared();
    if let Err(code) = args.source.attach(ws, demo, &events) {
        return code;
    }
    if demo && std::io::stderr().is_terminal() {
        eprintln!(
            "(no --data: the built-in demo week of AADProvisioningLogs, now() = {})",
            kql_common::time::format_datetime(kql_workspace::DEMO_END)
        );
    }
    clock.lap("load");
    let style = if use_color(color, std::io::stderr().is_terminal()) {
        crate::output::COLOR
    } else {
        Style::plain()
    };
    if let Some(source) = &args.follow {
        let retain = match &args.retain {
            None => None,
            Some(r) => match kql_common::timespan::parse_text(r) {
                Some(t) if t > 0 => Some(t),
                _ => {
                    eprintln!("error: --retain: `{r}` is not a positive timespan (e.g. 7d, 12h)");
                    return EXIT_USAGE;
                }
            },
        };
        let run = crate::follow::FollowRun {
            source,
            retain,
            name: &name,
            text: &text,
            now: args.now.as_ref().map(|_| now),
            format: args.format,
            max_rows: args.max_rows,
            style,
        };
        return crate::follow::run(runtime, ws, &run, events);
    }
    let running = ws.prepare(&text, now).and_then(|prepared| {
        clock.lap("plan");
        ws.load_for(&prepared)?;
        clock.lap("load");
        runtime.block_on(ws.start(&prepared, now))
    });
    let mut drawn = None;
    let in_terminal = matches!(args.format, PrintFormat::Table) && std::io::stdout().is_terminal();
    let printed = running.map(|rows| {
        let mut writing = Duration::ZERO;
        // A render is drawn under the table on a terminal, and into --chart's file.
        let keep = args.chart.is_some() || (in_terminal && rows.render.is_some());
        let mut kept = keep.then(|| Kept {
            schema: rows.schema.clone(),
            render: rows.render.clone(),
            batches: Vec::new(),
        });
        let printed = print_rows(
            runtime,
            rows,
            args.format,
            args.max_rows,
            &mut writing,
            kept.as_mut().map(|k| &mut k.batches),
            in_terminal.then_some(started_at),
        );
        clock.lap_parts("run", "print", writing);
        drawn = kept;
        printed
    });
    let code = match printed {
        Ok(Printed::All(table)) => {
            // On a terminal the table and its chart are shown together, paged when tall.
            if let Some(mut table) = table {
                if let Some(chart) = drawn
                    .as_ref()
                    .and_then(|k| crate::chart_file::text(k, use_color(color, true)))
                {
                    table.extend_from_slice(chart.as_bytes());
                }
                let _ = crate::terminal::show_paged(&table);
            }
            match (&args.chart, drawn) {
                (Some(path), Some(kept)) => crate::chart_file::write(path, &kept, "--chart").0,
                _ => 0,
            }
        }
        Ok(Printed::Closed) => 0,
        Ok(Printed::WriteFailed(e)) => {
            eprintln!("error: writing the result: {}", describe(&e));
            1
        }
        Err(Error::Query(diags)) | Ok(Printed::Failed(diags)) => {
            for d in &diags.0 {
                eprintln!("{}", styled(d, &name, &text, style));
            }
            1
        }
        Err(e) => data_error(&e),
    };
    if args.timing {
        eprintln!("{clock}");
    }
    code
}

/// A result kept whole for its chart.
pub(crate) struct Kept {
    pub schema: kql_workspace::KqlSchema,
    pub render: Option<kql_workspace::RenderSpec>,
    pub batches: Vec<kql_workspace::RecordBatch>,
}

/// How printing a query's rows ended.
enum Printed {
    /// Every row is out; on a terminal, the table is returned to be shown (with its chart).
    All(Option<Vec<u8>>),
    /// The reader went away (a closed pipe, as `| head` does): a quiet end, as other tools have.
    Closed,
    /// Standard output failed (a full disk, say).
    WriteFailed(std::io::Error),
    /// The query failed while running (rows before the failure are out).
    Failed(kql_common::Diagnostics),
}

/// Writes the rows of a started query to standard output as they arrive; `writing` adds up
/// the time spent writing (the rest is running). With `terminal` (when the query started), the
/// table is fitted to the terminal, timed, and returned instead.
fn print_rows(
    runtime: &tokio::runtime::Runtime,
    rows: kql_workspace::KqlBatches,
    format: PrintFormat,
    max_rows: usize,
    writing: &mut Duration,
    keep: Option<&mut Vec<kql_workspace::RecordBatch>>,
    terminal: Option<Instant>,
) -> Printed {
    let written = match terminal {
        Some(started) => {
            let w = ResultWriter::new(Vec::new(), format.into(), &rows.schema, max_rows).map(|w| {
                w.fit_width(Some(crate::terminal::columns()))
                    .timed(Some(started))
            });
            w.and_then(|w| write_rows(runtime, rows, w, writing, keep))
                .map(|r| r.map(Some))
        }
        None => ResultWriter::new(stdout_writer(), format.into(), &rows.schema, max_rows)
            .and_then(|w| write_rows(runtime, rows, w, writing, keep))
            .map(|r| r.map(|_| None)),
    };
    match written {
        Ok(Ok(table)) => Printed::All(table),
        Ok(Err(d)) => Printed::Failed(d),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Printed::Closed,
        Err(e) => Printed::WriteFailed(e),
    }
}

/// [`print_rows`] into `w`: a write error, or the diagnostics of a query that failed while
/// running, or the writer when every row is written.
fn write_rows<W: std::io::Write>(
    runtime: &tokio::runtime::Runtime,
    mut rows: kql_workspace::KqlBatches,
    mut w: ResultWriter<W>,
    writing: &mut Duration,
    mut keep: Option<&mut Vec<kql_workspace::RecordBatch>>,
) -> std::io::Result<Result<W, kql_common::Diagnostics>> {
    while let Some(batch) = runtime.block_on(rows.next()) {
        let b = match batch {
            Ok(b) => b,
            Err(d) => return Ok(Err(d)),
        };
        let t = Instant::now();
        w.batch(&b)?;
        *writing += t.elapsed();
        if let Some(keep) = keep.as_mut() {
            keep.push(b);
        }
    }
    let t = Instant::now();
    let out = w.finish(rows.render.as_ref())?;
    *writing += t.elapsed();
    Ok(Ok(out))
}

/// Wall time of each phase of a query, for `--timing`.
struct Phases {
    started: Instant,
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Phases {
    fn new(started: Instant) -> Phases {
        Phases {
            started,
            last: started,
            laps: Vec::new(),
        }
    }

    /// Ends two phases at once, the second of which took `second_took` of the time since the
    /// last lap (running and printing interleave when rows stream out).
    fn lap_parts(&mut self, first: &'static str, second: &'static str, second_took: Duration) {
        let now = Instant::now();
        let both = now - self.last;
        self.laps.push((first, both.saturating_sub(second_took)));
        self.laps.push((second, second_took.min(both)));
        self.last = now;
    }

    /// Ends a phase; a phase seen before (loading happens before and after planning) adds up.
    fn lap(&mut self, phase: &'static str) {
        let now = Instant::now();
        match self.laps.iter_mut().find(|(p, _)| *p == phase) {
            Some((_, took)) => *took += now - self.last,
            None => self.laps.push((phase, now - self.last)),
        }
        self.last = now;
    }
}

impl std::fmt::Display for Phases {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        write!(f, "time:")?;
        for (phase, d) in &self.laps {
            write!(f, " {phase} {:.1} ms,", ms(*d))?;
        }
        write!(f, " total {:.1} ms", ms(self.started.elapsed()))
    }
}

/// A size such as `2GB`, `512M`, `1.5GiB` or `1000000` (bytes); units are powers of 1024.
fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let digits = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(format!("`{text}`: use a size such as 512MB or 2GB")),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}`: use a size such as 512MB or 2GB"))?;
    let bytes = value * (1u64 << shift) as f64;
    if !(bytes >= 1.0 && bytes < usize::MAX as f64) {
        return Err(format!("`{text}`: the size must be at least one byte"));
    }
    Ok(bytes as usize)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_units_of_1024() {
        assert_eq!(parse_size("2GB"), Ok(2 << 30));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("0").is_err());
        assert!(parse_size("2 parsecs").is_err());
        assert!(parse_size("").is_err());
    }
}
