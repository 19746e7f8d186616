//! Result output: an aligned table (default, capped at `--max-rows`), CSV, JSON (an array of row
//! objects in column order), NDJSON and Markdown. Values follow the Log Analytics query API.
//! Every format but the table is written batch by batch as the rows arrive, so a large result is
//! never held whole; the table keeps the rows it shows (to align them) and counts the rest.

use datafusion_common::arrow::record_batch::RecordBatch;
use kql_functions::KqlSchema;
use kql_functions::value::{json_value, text_value, write_json_value};
use kql_planner::RenderSpec;
use std::io::{self, Write};

/// How query results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultFormat {
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

/// Writes a result in one format as its batches arrive: [`ResultWriter::new`],
/// [`ResultWriter::batch`] for each batch, then [`ResultWriter::finish`].
pub struct ResultWriter<W: Write> {
    out: W,
    format: ResultFormat,
    schema: KqlSchema,
    max_rows: usize,
    /// Rows seen so far.
    rows: usize,
    /// Whether the header is out.
    started: bool,
    /// The table format's rows to show, as text.
    shown: Vec<Vec<String>>,
    /// NDJSON: `{"Name":` (or `,"Name":`) per column, escaped once.
    keys: Vec<String>,
    /// How to see every row, when the table shows fewer.
    more_hint: &'static str,
}

impl<W: Write> ResultWriter<W> {
    /// A writer of rows of `schema` to `out`. Nothing is written until the first batch (or
    /// the end), so a query that fails before its first row prints nothing.
    pub fn new(
        out: W,
        format: ResultFormat,
        schema: &KqlSchema,
        max_rows: usize,
    ) -> io::Result<ResultWriter<W>> {
        let keys = schema
            .fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let sep = if i == 0 { "{" } else { "," };
                format!("{sep}{}:", serde_json::Value::from(f.name.as_str()))
            })
            .collect();
        Ok(ResultWriter {
            out,
            format,
            schema: schema.clone(),
            max_rows,
            rows: 0,
            started: false,
            shown: Vec::new(),
            keys,
            more_hint: "use --max-rows or another --format for all",
        })
    }

    /// Writes the header of formats that have one, once.
    fn start(&mut self) -> io::Result<()> {
        if std::mem::replace(&mut self.started, true) {
            return Ok(());
        }
        let names = self.schema.fields.iter().map(|f| f.name.as_str());
        match self.format {
            ResultFormat::Csv => {
                let header: Vec<String> = names.map(csv_field).collect();
                writeln!(self.out, "{}", header.join(","))
            }
            ResultFormat::Markdown => {
                let header: Vec<String> = names.map(markdown_cell).collect();
                writeln!(self.out, "| {} |", header.join(" | "))?;
                let rule = vec!["---"; self.schema.fields.len()];
                writeln!(self.out, "|{}|", rule.join("|"))
            }
            ResultFormat::Table | ResultFormat::Json | ResultFormat::Ndjson => Ok(()),
        }
    }

    /// Writes (or, for the table, keeps) the rows of `b`.
    pub fn batch(&mut self, b: &RecordBatch) -> io::Result<()> {
        self.start()?;
        for r in 0..b.num_rows() {
            match self.format {
                ResultFormat::Csv => {
                    let line: Vec<String> = self
                        .cells(b, r)
                        .map(|c| csv_field(&c.unwrap_or_default()))
                        .collect();
                    writeln!(self.out, "{}", line.join(","))?;
                }
                ResultFormat::Markdown => {
                    let line: Vec<String> = self
                        .cells(b, r)
                        .map(|c| markdown_cell(&c.unwrap_or_default()))
                        .collect();
                    writeln!(self.out, "| {} |", line.join(" | "))?;
                }
                ResultFormat::Ndjson => self.ndjson_row(b, r)?,
                ResultFormat::Json => self.json_row(b, r)?,
                ResultFormat::Table => {
                    if self.shown.len() < self.max_rows {
                        let row = self
                            .cells(b, r)
                            .map(|c| clip(&c.unwrap_or_else(|| "null".to_owned())))
                            .collect();
                        self.shown.push(row);
                    }
                }
            }
            self.rows += 1;
        }
        Ok(())
    }

    /// Says how to see every row when the table shows fewer (front ends other than the
    /// command line name their own way).
    pub fn more_hint(mut self, hint: &'static str) -> Self {
        self.more_hint = hint;
        self
    }

    /// Writes what follows the rows (the table itself, the end of the JSON array) and flushes.
    pub fn finish(mut self, render: Option<&RenderSpec>) -> io::Result<()> {
        self.start()?;
        match self.format {
            ResultFormat::Json if self.rows == 0 => writeln!(self.out, "[]")?,
            ResultFormat::Json => writeln!(self.out, "\n]")?,
            ResultFormat::Table => self.table(render)?,
            ResultFormat::Csv | ResultFormat::Ndjson | ResultFormat::Markdown => {}
        }
        self.out.flush()
    }

    fn cells<'a>(
        &'a self,
        b: &'a RecordBatch,
        r: usize,
    ) -> impl Iterator<Item = Option<String>> + 'a {
        self.schema
            .fields
            .iter()
            .enumerate()
            .map(move |(i, f)| text_value(b.column(i), r, f.ty))
    }

    /// One JSON object per line, written cell by cell (no row object is built).
    fn ndjson_row(&mut self, b: &RecordBatch, r: usize) -> io::Result<()> {
        for (i, f) in self.schema.fields.iter().enumerate() {
            self.out.write_all(self.keys[i].as_bytes())?;
            write_json_value(&mut self.out, b.column(i), r, f.ty)?;
        }
        self.out.write_all(if self.keys.is_empty() {
            b"{}\n"
        } else {
            b"}\n"
        })
    }

    /// One element of the pretty-printed array, laid out as `serde_json` lays out the whole.
    fn json_row(&mut self, b: &RecordBatch, r: usize) -> io::Result<()> {
        let mut obj = serde_json::Map::new();
        for (i, f) in self.schema.fields.iter().enumerate() {
            obj.insert(f.name.clone(), json_value(b.column(i), r, f.ty));
        }
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(obj))
            .map_err(io::Error::other)?;
        self.out
            .write_all(if self.rows == 0 { b"[\n" } else { b",\n" })?;
        for (n, line) in text.lines().enumerate() {
            if n > 0 {
                self.out.write_all(b"\n")?;
            }
            write!(self.out, "  {line}")?;
        }
        Ok(())
    }

    fn table(&mut self, render: Option<&RenderSpec>) -> io::Result<()> {
        let names: Vec<String> = self.schema.fields.iter().map(|f| f.name.clone()).collect();
        let mut widths: Vec<usize> = names.iter().map(|n| n.chars().count()).collect();
        for row in &self.shown {
            for (w, c) in widths.iter_mut().zip(row) {
                *w = (*w).max(c.chars().count());
            }
        }
        let numeric: Vec<bool> = self
            .schema
            .fields
            .iter()
            .map(|f| f.ty.is_numeric())
            .collect();
        let line = |cells: &[String], out: &mut W| {
            let parts: Vec<String> = cells
                .iter()
                .zip(&widths)
                .zip(&numeric)
                .map(|((c, w), num)| {
                    if *num {
                        format!("{c:>w$}")
                    } else {
                        format!("{c:<w$}")
                    }
                })
                .collect();
            writeln!(out, "{}", parts.join("  ").trim_end())
        };
        line(&names, &mut self.out)?;
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        writeln!(self.out, "{}", rule.join("  "))?;
        for row in &self.shown {
            line(row, &mut self.out)?;
        }
        let total = self.rows;
        let noun = if total == 1 { "row" } else { "rows" };
        if total > self.shown.len() {
            writeln!(
                self.out,
                "{total} {noun} ({} shown; {})",
                self.shown.len(),
                self.more_hint
            )?;
        } else {
            writeln!(self.out, "{total} {noun}")?;
        }
        if let Some(r) = render {
            let props: Vec<String> = r
                .properties
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let extra = if props.is_empty() {
                String::new()
            } else {
                format!(" with ({})", props.join(", "))
            };
            writeln!(
                self.out,
                "render: {}{extra} (drawn under the table on a terminal; --chart FILE.svg draws it to a file)",
                r.visualization
            )?;
        }
        Ok(())
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn markdown_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// A table cell on one line, at most 60 characters.
fn clip(s: &str) -> String {
    let one_line = s.replace('\n', " ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(59).collect::<String>())
    } else {
        one_line
    }
}

/// Writes a whole result to `out`.
pub fn write_result(
    out: impl Write,
    schema: &KqlSchema,
    batches: &[RecordBatch],
    render: Option<&RenderSpec>,
    format: ResultFormat,
    max_rows: usize,
) -> io::Result<()> {
    let mut w = ResultWriter::new(out, format, schema, max_rows)?;
    for b in batches {
        w.batch(b)?;
    }
    w.finish(render)
}
