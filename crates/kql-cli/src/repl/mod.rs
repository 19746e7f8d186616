//! `kqlite repl`, and `kqlite` alone on a terminal: queries typed over the attached tables, one
//! workspace for the whole session (tables, conversions and `let`s stay).
//!
//! Enter continues a query, an empty line runs it; `#` commands run at once. Ctrl-C clears the
//! line, or cancels the running query; Ctrl-D leaves.

mod commands;
mod editor;

use crate::ColorChoice;
use crate::data_args::DataArgs;
use crate::events::StderrEvents;
use crate::output::use_color;
use crate::print_format::{PrintFormat, stdout_writer};
use crate::query::Kept;
use clap::Args;
use editor::InputHelper;
use kql_common::snippet::{Style, styled};
use kql_output::results::ResultWriter;
use kql_workspace::{AttachOptions, Error, Input, Observer, Prepared, Workspace};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{Config, Editor};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::{Duration, Instant};

#[derive(Args, Default)]
pub(crate) struct ReplArgs {
    #[command(flatten)]
    source: DataArgs,
    /// Pin now() and ago() at this datetime (ISO 8601); `#now` changes it.
    #[arg(long, value_name = "DATETIME")]
    now: Option<String>,
}

/// What the REPL does next.
enum Flow {
    Continue,
    Quit,
}

/// The state of one REPL session.
pub(crate) struct Session {
    ws: Arc<Workspace>,
    runtime: tokio::runtime::Runtime,
    events: Arc<dyn Observer>,
    options: AttachOptions,
    format: PrintFormat,
    max_rows: usize,
    timing: bool,
    /// A pinned now() (ticks), or the current time at each query.
    pinned: Option<i64>,
    /// now() when nothing is pinned and the data is the demo week: its end.
    demo: bool,
    /// What completion plans with.
    completion_now: Arc<AtomicI64>,
    /// Set by Ctrl-C while a query runs.
    cancel: Arc<AtomicBool>,
    style: Style,
    /// Whether charts under a table are in colour.
    chart_color: bool,
    /// The last query's result, for `#save` and `#chart`.
    last: Option<Kept>,
    /// Files being followed into live tables (`#follow`); dropping one stops its reader.
    live: std::collections::HashMap<String, kql_workspace::LiveHandle>,
}

pub(crate) fn run(args: &ReplArgs, color: ColorChoice) -> u8 {
    let Some(runtime) = crate::runtime() else {
        return 1;
    };
    let pinned = match &args.now {
        None => None,
        Some(n) => match kql_common::time::parse_datetime(n) {
            Some(t) => Some(t),
            None => {
                eprintln!("error: --now: `{n}` is not a datetime (use ISO 8601)");
                return crate::EXIT_USAGE;
            }
        },
    };
    let ws = Arc::new(Workspace::new());
    let events = StderrEvents::shared();
    let demo = args.source.data.is_empty();
    let options = match args.source.attach(&ws, demo, &events) {
        Ok(o) => o,
        Err(code) => return code,
    };
    // Ctrl-C while a query runs sets the flag (at the prompt the editor reads it as a key).
    let cancel = Arc::new(AtomicBool::new(false));
    if let Err(e) = signal_hook::flag::register(signal_hook::consts::SIGINT, cancel.clone()) {
        eprintln!("error: cannot catch Ctrl-C: {e}");
        return 1;
    }
    let style = if use_color(color, std::io::stderr().is_terminal()) {
        crate::output::COLOR
    } else {
        Style::plain()
    };
    let mut session = Session {
        ws: ws.clone(),
        runtime,
        events,
        options,
        format: PrintFormat::Table,
        max_rows: 40,
        timing: false,
        pinned,
        demo,
        completion_now: Arc::new(AtomicI64::new(0)),
        cancel,
        style,
        chart_color: use_color(color, std::io::stdout().is_terminal()),
        last: None,
        live: std::collections::HashMap::new(),
    };
    session
        .completion_now
        .store(session.now(), Ordering::Relaxed);
    let mut editor = match new_editor(&session) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return 1;
        }
    };
    let history = history_file();
    if let Some(h) = &history {
        // A first session has no history yet.
        let _ = editor.load_history(h);
    }
    session.greet();
    let code = loop {
        match editor.readline("kql> ") {
            Ok(text) => {
                if text.trim().is_empty() {
                    continue;
                }
                let _ = editor.add_history_entry(text.trim_end());
                if let Some(h) = &history {
                    let _ = editor.append_history(h);
                }
                if let Flow::Quit = session.input(&text) {
                    break 0;
                }
            }
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break 0,
            Err(e) => {
                eprintln!("error: reading the input: {e}");
                break 1;
            }
        }
    };
    std::mem::forget(session);
    code
}

fn new_editor(session: &Session) -> rustyline::Result<Editor<InputHelper, FileHistory>> {
    let config = Config::builder()
        .history_ignore_dups(true)?
        .history_ignore_space(true)
        .bracketed_paste(true)
        .completion_type(rustyline::CompletionType::List)
        .build();
    let mut editor = Editor::with_config(config)?;
    editor.set_helper(Some(InputHelper::new(
        session.ws.clone(),
        session.completion_now.clone(),
        session.chart_color,
    )));
    Ok(editor)
}

/// `$KQLITE_HISTORY`, or `history` in the platform's state directory
/// (`$XDG_STATE_HOME/kqlite/history` on Linux), never the working directory.
fn history_file() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KQLITE_HISTORY") {
        return Some(PathBuf::from(p));
    }
    use etcetera::AppStrategy;
    let dirs = etcetera::choose_app_strategy(etcetera::AppStrategyArgs {
        top_level_domain: "io".to_owned(),
        author: "kqlite".to_owned(),
        app_name: "kqlite".to_owned(),
    })
    .ok()?;
    let dir = dirs.state_dir()?;
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

impl Session {
    /// now() for the next query (ticks).
    fn now(&self) -> i64 {
        match self.pinned {
            Some(t) => t,
            None if self.demo => kql_workspace::DEMO_END,
            None => kql_workspace::context_now(),
        }
    }

    fn greet(&self) {
        let data = if self.demo {
            format!(
                "the built-in demo week of AADProvisioningLogs, now() = {}",
                kql_common::time::format_datetime(kql_workspace::DEMO_END)
            )
        } else {
            "AADProvisioningLogs from --data".to_owned()
        };
        eprintln!(
            "kqlite {}: {data}.\nEnter continues a query, an empty line runs it; #help lists commands; Ctrl-D leaves.",
            env!("CARGO_PKG_VERSION")
        );
    }

    /// Runs one complete input: a command or a query.
    fn input(&mut self, text: &str) -> Flow {
        let head = text.trim();
        if matches!(head, "exit" | "quit") {
            return Flow::Quit;
        }
        if head.starts_with('#') || head.starts_with('\\') {
            return commands::run(self, head);
        }
        if let Some(rest) = head.strip_prefix('.') {
            commands::control(self, rest);
            return Flow::Continue;
        }
        self.query(text);
        Flow::Continue
    }

    /// Prepares, converts, runs and prints one query (or keeps its definitions).
    fn query(&mut self, text: &str) {
        let started = Instant::now();
        let now = self.now();
        self.completion_now.store(now, Ordering::Relaxed);
        self.cancel.store(false, Ordering::Relaxed);
        let prepared = match self.ws.prepare_input(text, now) {
            Ok(Input::Query(p)) => p,
            Ok(Input::Defined(names)) => {
                if !names.is_empty() {
                    eprintln!("defined {}", names.join(", "));
                }
                return;
            }
            Err(e) => return self.report(text, &e),
        };
        if let Err(e) = self.ws.load_for(&prepared) {
            return self.report(text, &e);
        }
        if self.cancel.load(Ordering::Relaxed) {
            eprintln!("cancelled");
            return;
        }
        // On a terminal a table is fitted to it, timed in its footer, and shown with its chart
        // through the pager when tall; other formats stream.
        let paged = matches!(self.format, PrintFormat::Table) && std::io::stdout().is_terminal();
        let printed = self.runtime.block_on(print_rows(
            &self.ws,
            &prepared,
            now,
            self.format,
            self.max_rows,
            &self.cancel,
            paged.then_some(started),
        ));
        match printed {
            Ok(Some((kept, table))) => {
                if let Some(mut table) = table {
                    if let Some(chart) = crate::chart_file::text(&kept, self.chart_color) {
                        table.extend_from_slice(chart.as_bytes());
                    }
                    if let Err(e) = crate::terminal::show_paged(&table) {
                        eprintln!("error: {}", crate::files::describe(&e));
                    }
                }
                if self.timing {
                    eprintln!("({:.3} s)", started.elapsed().as_secs_f64());
                }
                self.last = Some(kept);
            }
            Ok(None) => eprintln!("cancelled"),
            Err(e) => self.report(text, &e),
        }
    }

    fn report(&self, text: &str, e: &Error) {
        match e {
            Error::Query(diags) => {
                for d in &diags.0 {
                    eprintln!("{}", styled(d, "input", text, self.style));
                }
            }
            Error::Rejected(n) => eprintln!("error: --strict: {n} records were rejected"),
            e => eprintln!("error: {e}"),
        }
    }
}

/// Streams the rows of `prepared` to standard output until they end (`Ok(Some)`: the rows, kept
/// for a chart and `#save`, and with `terminal` (when the query started) the table, fitted and
/// timed, to show) or Ctrl-C sets `cancel` (`Ok(None)`: the query is dropped, its tasks stopped).
async fn print_rows(
    ws: &Workspace,
    prepared: &Prepared,
    now: i64,
    format: PrintFormat,
    max_rows: usize,
    cancel: &Arc<AtomicBool>,
    terminal: Option<Instant>,
) -> Result<Option<(Kept, Option<Vec<u8>>)>, Error> {
    let hint = "#maxrows all, #save FILE or #format csv for all";
    match terminal {
        Some(started) => {
            let out = Vec::new();
            let shown = stream_rows(ws, prepared, now, cancel, |schema| {
                ResultWriter::new(out, format.into(), schema, max_rows).map(|w| {
                    w.more_hint(hint)
                        .fit_width(Some(crate::terminal::columns()))
                        .timed(Some(started))
                })
            })
            .await?;
            Ok(shown.map(|(kept, table)| (kept, Some(table))))
        }
        None => {
            let shown = stream_rows(ws, prepared, now, cancel, |schema| {
                ResultWriter::new(stdout_writer(), format.into(), schema, max_rows)
                    .map(|w| w.more_hint(hint))
            })
            .await?;
            Ok(shown.map(|(kept, _)| (kept, None)))
        }
    }
}

/// Runs `prepared`, writing its rows with the writer `writer` makes for its schema; see
/// [`print_rows`].
async fn stream_rows<W: std::io::Write>(
    ws: &Workspace,
    prepared: &Prepared,
    now: i64,
    cancel: &Arc<AtomicBool>,
    writer: impl FnOnce(&kql_workspace::KqlSchema) -> std::io::Result<ResultWriter<W>>,
) -> Result<Option<(Kept, W)>, Error> {
    let mut cancelled = Cancelled::watch(cancel.clone());
    let mut rows = tokio::select! {
        rows = ws.start(prepared, now) => rows?,
        _ = &mut cancelled.0 => return Ok(None),
    };
    let write_failed = |e: std::io::Error| Error::Write(crate::files::describe(&e));
    let mut out = writer(&rows.schema).map_err(write_failed)?;
    let mut kept = Kept {
        schema: rows.schema.clone(),
        render: rows.render.clone(),
        batches: Vec::new(),
    };
    loop {
        let batch = tokio::select! {
            batch = rows.next() => batch,
            _ = &mut cancelled.0 => return Ok(None),
        };
        match batch {
            None => break,
            Some(Ok(b)) => {
                out.batch(&b).map_err(write_failed)?;
                // Kept for a chart and for #save (batches share their buffers: no copy).
                kept.batches.push(b);
            }
            Some(Err(d)) => return Err(Error::Query(d)),
        }
    }
    let out = out.finish(rows.render.as_ref()).map_err(write_failed)?;
    Ok(Some((kept, out)))
}

/// Resolves once Ctrl-C sets the flag. A thread of its own watches the flag and wakes the
/// waiting thread directly: a query that keeps every runtime worker busy would also keep the
/// runtime's timers from firing.
struct Cancelled(tokio::sync::oneshot::Receiver<()>, Arc<AtomicBool>);

impl Cancelled {
    fn watch(cancel: Arc<AtomicBool>) -> Cancelled {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let done = Arc::new(AtomicBool::new(false));
        let stop = done.clone();
        std::thread::spawn(move || {
            while !cancel.load(Ordering::Relaxed) {
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = tx.send(());
        });
        Cancelled(rx, done)
    }
}

impl Drop for Cancelled {
    fn drop(&mut self) {
        self.1.store(true, Ordering::Relaxed);
    }
}
