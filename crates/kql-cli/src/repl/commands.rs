//! The REPL's `#` commands (with `\` aliases for psql and DuckDB hands) and the Kusto control
//! commands it answers (`.show tables`, `.show table T schema`).

use super::editor::COMMANDS;
use super::{Flow, Session};
use crate::print_format::PrintFormat;
use kql_parser::syntax::string_literal as literal;
use kql_workspace::AAD_PROVISIONING_LOGS;
use std::path::Path;

/// Runs `#command args` (or a `\` alias).
pub(super) fn run(s: &mut Session, line: &str) -> Flow {
    let line = line.strip_prefix('\\').map_or(line.to_owned(), |rest| {
        // psql's and DuckDB's spellings.
        match rest.split_whitespace().next() {
            Some("q") => "#quit".to_owned(),
            Some("?") => "#help".to_owned(),
            Some("d") if rest.trim() == "d" => "#tables".to_owned(),
            Some("d") => format!(
                "#schema {}",
                rest.trim_start().strip_prefix('d').unwrap_or("").trim()
            ),
            _ => format!("#{rest}"),
        }
    });
    let mut words = line.split_whitespace();
    let command = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    match (command, rest.as_slice()) {
        ("#quit" | "#exit", _) => return Flow::Quit,
        ("#help", _) => help(),
        ("#tables", _) => tables(s),
        ("#schema", [table]) => schema(s, table),
        ("#schema", []) => schema(s, AAD_PROVISIONING_LOGS),
        ("#load", [path]) => load(s, path, None),
        ("#load", [path, "as", table]) => load(s, path, Some(table)),
        ("#read", [path]) => read(s, path),
        ("#follow", [path]) => follow(s, path, AAD_PROVISIONING_LOGS),
        ("#follow", [path, "as", table]) => follow(s, path, table),
        ("#save", [path]) => save(s, path),
        ("#chart", [path]) => match &s.last {
            Some(kept) => {
                if let (_, true) = crate::chart_file::write(Path::new(path), kept, "#chart") {
                    eprintln!("wrote {path}");
                }
            }
            None => eprintln!("error: #chart: no query has run yet"),
        },
        ("#format", [f]) => match f.to_ascii_lowercase().as_str() {
            "table" => s.format = PrintFormat::Table,
            "csv" => s.format = PrintFormat::Csv,
            "json" => s.format = PrintFormat::Json,
            "ndjson" => s.format = PrintFormat::Ndjson,
            "markdown" | "md" => s.format = PrintFormat::Markdown,
            _ => eprintln!("error: #format: table, csv, json, ndjson or markdown"),
        },
        ("#maxrows", ["all"]) => s.max_rows = usize::MAX,
        ("#maxrows", [n]) => match n.parse() {
            Ok(n) => s.max_rows = n,
            Err(_) => eprintln!("error: #maxrows: a number of rows, or all"),
        },
        ("#timing", ["on"]) => s.timing = true,
        ("#timing", ["off"]) => s.timing = false,
        ("#timing", []) => s.timing = !s.timing,
        ("#now", []) => eprintln!(
            "now() = {}{}",
            kql_common::time::format_datetime(s.now()),
            if s.pinned.is_some() { " (pinned)" } else { "" }
        ),
        ("#now", ["clear" | "off"]) => s.pinned = None,
        ("#now", [t]) => match kql_common::time::parse_datetime(t) {
            Some(t) => s.pinned = Some(t),
            None => eprintln!("error: #now: `{t}` is not a datetime (use ISO 8601)"),
        },
        _ => eprintln!("error: `{line}`: not a command (#help lists them)"),
    }
    Flow::Continue
}

fn help() {
    for (command, what) in COMMANDS {
        eprintln!("  {command:<24} {what}");
    }
    eprintln!("  .show tables: as Kusto answers it; .show table T schema: its columns and types");
}

/// Answers a Kusto control command (the text after its `.`) with a query that makes the table
/// Kusto would return.
pub(super) fn control(s: &mut Session, command: &str) {
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.as_slice() {
        ["show", "tables"] => tables(s),
        ["show", "table", table, "schema"] => schema(s, table),
        _ => eprintln!(
            "error: `.{command}`: kqlite answers .show tables and .show table T schema only"
        ),
    }
}

/// The tables, with the columns Kusto's `.show tables` has (kqlite has one database, no
/// folders and no doc strings).
fn tables(s: &mut Session) {
    let rows: Vec<String> =
        s.ws.table_names()
            .iter()
            .map(|n| format!("{}, \"kqlite\", \"\", \"\"", literal(n)))
            .collect();
    s.query(&format!(
        "datatable(TableName: string, DatabaseName: string, Folder: string, DocString: string)[{}]\n",
        rows.join(", ")
    ));
}

fn schema(s: &mut Session, table: &str) {
    s.query(&format!(
        "[{}] | getschema | project ColumnName, ColumnType\n",
        literal(table)
    ));
}

fn load(s: &mut Session, path: &str, table: Option<&str>) {
    let result = match table {
        Some(t) if t != AAD_PROVISIONING_LOGS => {
            s.ws.attach_file(t, Path::new(path), s.options, s.events.clone())
        }
        _ => s.ws.attach(
            AAD_PROVISIONING_LOGS,
            kql_workspace::Source::Exports(vec![path.into()]),
            s.options,
            s.events.clone(),
        ),
    };
    match result {
        Ok(a) => {
            let table = table.unwrap_or(AAD_PROVISIONING_LOGS);
            // A loaded table replaces a followed one: its reader stops.
            s.live.remove(table);
            let rows = a.rows.map_or(String::new(), |r| format!(", {r} rows"));
            eprintln!("{table}: {} files{rows}", a.files);
            if table == AAD_PROVISIONING_LOGS {
                s.demo = false;
            }
        }
        Err(e) => eprintln!("error: #load {path}: {e}"),
    }
}

/// Follows the JSON Lines file at `path` into a live table (as `kqlite query --follow`): later
/// queries see its records as they land.
fn follow(s: &mut Session, path: &str, table: &str) {
    if path == "-" {
        eprintln!("error: #follow: standard input is the REPL's own; follow a file");
        return;
    }
    let source = kql_workspace::LiveSource::File(path.into());
    let attached = s
        .runtime
        .block_on(s.ws.attach_live(table, source, None, s.events.clone()));
    match attached {
        Ok(handle) => {
            eprintln!("{table}: following {path}; queries see its records as they land");
            // Following a table again stops its old reader.
            s.live.insert(table.to_owned(), handle);
            if table == AAD_PROVISIONING_LOGS {
                s.demo = false;
            }
        }
        Err(e) => eprintln!("error: #follow {path}: {e}"),
    }
}

/// Writes the last result to `path`, in the format its extension names.
fn save(s: &Session, path: &str) {
    use kql_output::results::{ResultFormat, write_result};
    let Some(kept) = &s.last else {
        eprintln!("error: #save: no query has run yet");
        return;
    };
    let extension = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let format = match extension.as_deref() {
        Some("csv") => ResultFormat::Csv,
        Some("json") => ResultFormat::Json,
        Some("ndjson" | "jsonl") => ResultFormat::Ndjson,
        Some("md" | "markdown") => ResultFormat::Markdown,
        Some("txt") => ResultFormat::Table,
        _ => {
            eprintln!("error: #save {path}: name a .csv, .json, .ndjson, .md or .txt file");
            return;
        }
    };
    let written = kql_workspace::output_file::OutputFile::create(Path::new(path)).and_then(|f| {
        let mut w = std::io::BufWriter::new(f);
        write_result(
            &mut w,
            &kept.schema,
            &kept.batches,
            kept.render.as_ref(),
            format,
            usize::MAX,
        )?;
        w.into_inner().map_err(|e| e.into_error())?.commit()
    });
    match written {
        Ok(()) => {
            let rows: usize = kept.batches.iter().map(|b| b.num_rows()).sum();
            eprintln!("wrote {rows} rows to {path}");
        }
        Err(e) => eprintln!("error: #save {path}: {}", crate::files::describe(&e)),
    }
}

/// Runs each query of a script, as `kqlite check` splits one: at blank lines.
fn read(s: &mut Session, path: &str) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: #read {path}: {}", crate::files::describe(&e));
            return;
        }
    };
    for query in text.split("\n\n").filter(|q| !q.trim().is_empty()) {
        if let Flow::Quit = s.input(query) {
            return;
        }
        // Ctrl-C during a query of the script stops the script too.
        if s.cancel.load(std::sync::atomic::Ordering::Relaxed) {
            eprintln!("#read {path}: stopped");
            return;
        }
    }
}
