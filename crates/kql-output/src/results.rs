//! Result output: an aligned table (default, capped at `--max-rows`), CSV, JSON (an array of row
//! objects in column order), NDJSON and Markdown. Values follow the Log Analytics query API.
//! Every format but the table is written batch by batch as the rows arrive, so a large result is
//! never held whole; the table keeps the rows it shows (to align them) and counts the rest.

use datafusion_common::arrow::record_batch::RecordBatch;
use kql_functions::KqlSchema;
use kql_functions::value::{json_value, text_value, write_json_value};
use kql_planner::RenderSpec;
use std::io::{self, Write};
use std::time::Instant;

/// Narrowest a column is squeezed to when a table must fit the terminal: enough to tell a date or
/// an id apart; past that, columns are left out rather than cut to noise.
const MIN_COLUMN_WIDTH: usize = 16;

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
    /// The table's width limit (a terminal's columns).
    fit_width: Option<usize>,
    /// When the query started, for the time in the table's footer.
    started_at: Option<Instant>,
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
            fit_width: None,
            started_at: None,
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

    /// Fits the table into `columns` characters: the widest columns are clipped first, and
    /// columns that still do not fit are left out (the footer names them).
    pub fn fit_width(mut self, columns: Option<usize>) -> Self {
        self.fit_width = columns;
        self
    }

    /// Puts the time since `started` in the table's footer (`40 of 1,234 rows, 0.12 s`).
    pub fn timed(mut self, started: Option<Instant>) -> Self {
        self.started_at = started;
        self
    }

    /// Writes what follows the rows (the table itself, the end of the JSON array), flushes, and
    /// gives the writer back.
    pub fn finish(mut self, render: Option<&RenderSpec>) -> io::Result<W> {
        self.start()?;
        match self.format {
            ResultFormat::Json if self.rows == 0 => writeln!(self.out, "[]")?,
            ResultFormat::Json => writeln!(self.out, "\n]")?,
            ResultFormat::Table => self.table(render)?,
            ResultFormat::Csv | ResultFormat::Ndjson | ResultFormat::Markdown => {}
        }
        self.out.flush()?;
        Ok(self.out)
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
        let shown_columns = match self.fit_width {
            Some(limit) => fit(&mut widths, limit),
            None => widths.len(),
        };
        let numeric: Vec<bool> = self
            .schema
            .fields
            .iter()
            .map(|f| f.ty.is_numeric())
            .collect();
        let line = |cells: &[String], out: &mut W| {
            let parts: Vec<String> = cells
                .iter()
                .take(shown_columns)
                .zip(&widths)
                .zip(&numeric)
                .map(|((c, w), num)| {
                    let c = clip_to(c, *w);
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
        let rule: Vec<String> = widths
            .iter()
            .take(shown_columns)
            .map(|w| "─".repeat(*w))
            .collect();
        writeln!(self.out, "{}", rule.join("  "))?;
        for row in &self.shown {
            line(row, &mut self.out)?;
        }
        let total = self.rows;
        let noun = if total == 1 { "row" } else { "rows" };
        let took = self
            .started_at
            .map(|t| format!(", {:.2} s", t.elapsed().as_secs_f64()))
            .unwrap_or_default();
        if total > self.shown.len() {
            writeln!(
                self.out,
                "{} of {} {noun}{took} ({})",
                grouped(self.shown.len() as u64),
                grouped(total as u64),
                self.more_hint
            )?;
        } else {
            writeln!(self.out, "{} {noun}{took}", grouped(total as u64))?;
        }
        if shown_columns < names.len() {
            let hidden = &names[shown_columns..];
            writeln!(
                self.out,
                "{} more {} not shown for the terminal's width: {}",
                hidden.len(),
                if hidden.len() == 1 {
                    "column"
                } else {
                    "columns"
                },
                hidden.join(", ")
            )?;
        }
        // On a terminal the chart itself is drawn under the table; elsewhere, a line says so.
        if let Some(r) = render.filter(|_| self.fit_width.is_none()) {
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
                "render: {}{extra} (drawn under the table on a terminal; --chart FILE.svg, .png or .html draws it to a file)",
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

/// Narrows `widths` (of columns two spaces apart) to fit `limit` characters, widest first and
/// down to [`MIN_COLUMN_WIDTH`]; returns how many leading columns fit.
fn fit(widths: &mut [usize], limit: usize) -> usize {
    let total = |w: &[usize]| w.iter().sum::<usize>() + 2 * w.len().saturating_sub(1);
    while total(widths) > limit {
        let widest = widths
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > MIN_COLUMN_WIDTH)
            .max_by_key(|(i, w)| (**w, std::cmp::Reverse(*i)));
        let Some((i, _)) = widest else { break };
        widths[i] -= 1;
    }
    // Still too wide: leave out trailing columns (the first always stays).
    let mut shown = widths.len();
    while shown > 1 && total(&widths[..shown]) > limit {
        shown -= 1;
    }
    shown
}

/// `s` in at most `width` characters, its end replaced by `…` when cut.
fn clip_to(s: &str, width: usize) -> std::borrow::Cow<'_, str> {
    if s.chars().count() <= width {
        return s.into();
    }
    let kept: String = s.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…").into()
}

/// `1234567` as `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
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
    w.finish(render).map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_tables_squeeze_the_widest_columns_first() {
        let mut widths = vec![10, 40, 20];
        // 70 + 4 separators = 74; 60 wanted: the 40 gives 14.
        assert_eq!(fit(&mut widths, 60), 3);
        assert_eq!(widths, vec![10, 26, 20]);
        // Down to 16 each, then columns are left out from the right.
        let mut widths = vec![30, 30, 30, 30];
        assert_eq!(fit(&mut widths, 40), 2);
        assert_eq!(widths, vec![16, 16, 16, 16]);
        let mut one = vec![50];
        assert_eq!(fit(&mut one, 5), 1, "the first column always stays");
    }

    #[test]
    fn cells_are_clipped_with_an_ellipsis_and_counts_grouped() {
        assert_eq!(clip_to("abcdef", 4), "abc…");
        assert_eq!(clip_to("abc", 4), "abc");
        assert_eq!(grouped(1_234), "1,234");
        assert_eq!(grouped(12), "12");
        assert_eq!(grouped(1_000_000), "1,000,000");
    }
}
