//! Result output: an aligned table (default, capped at `--max-rows`), CSV, JSON (an array of row
//! objects in column order), NDJSON and Markdown. Values follow the Log Analytics query API.

use clap::ValueEnum;
use kql_engine::KqlResult;
use kql_engine::value::{json_value, text_value, write_json_value};
use std::io::Write;

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

fn rows(result: &KqlResult) -> impl Iterator<Item = (&kql_engine::RecordBatch, usize)> {
    result
        .batches
        .iter()
        .flat_map(|b| (0..b.num_rows()).map(move |r| (b, r)))
}

fn json_row(result: &KqlResult, b: &kql_engine::RecordBatch, r: usize) -> serde_json::Value {
    let mut obj = serde_json::Map::new();
    for (i, f) in result.schema.fields.iter().enumerate() {
        obj.insert(f.name.clone(), json_value(b.column(i), r, f.ty));
    }
    serde_json::Value::Object(obj)
}

fn cells(result: &KqlResult, b: &kql_engine::RecordBatch, r: usize) -> Vec<Option<String>> {
    result
        .schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| text_value(b.column(i), r, f.ty))
        .collect()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// One JSON object per row, written cell by cell (no row object is built).
fn write_ndjson(out: &mut impl Write, result: &KqlResult) -> std::io::Result<()> {
    // `{"Name":` once per column, escaped once.
    let keys: Vec<String> = result
        .schema
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let sep = if i == 0 { "{" } else { "," };
            format!("{sep}{}:", serde_json::Value::from(f.name.as_str()))
        })
        .collect();
    for (b, r) in rows(result) {
        for (i, f) in result.schema.fields.iter().enumerate() {
            out.write_all(keys[i].as_bytes())?;
            write_json_value(out, b.column(i), r, f.ty)?;
        }
        out.write_all(if keys.is_empty() { b"{}\n" } else { b"}\n" })?;
    }
    Ok(())
}

pub(crate) fn print_result(result: &KqlResult, format: PrintFormat, max_rows: usize) {
    let stdout = std::io::stdout();
    // Standard output flushes at every line; rows go out in large writes instead.
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let names: Vec<&str> = result
        .schema
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    match format {
        PrintFormat::Json => {
            let all: Vec<serde_json::Value> =
                rows(result).map(|(b, r)| json_row(result, b, r)).collect();
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&serde_json::Value::Array(all)).unwrap_or_default()
            );
        }
        PrintFormat::Ndjson => {
            let _ = write_ndjson(&mut out, result);
        }
        PrintFormat::Csv => {
            let _ = writeln!(
                out,
                "{}",
                names
                    .iter()
                    .map(|n| csv_field(n))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            for (b, r) in rows(result) {
                let line: Vec<String> = cells(result, b, r)
                    .into_iter()
                    .map(|c| csv_field(&c.unwrap_or_default()))
                    .collect();
                let _ = writeln!(out, "{}", line.join(","));
            }
        }
        PrintFormat::Markdown => {
            let esc = |s: &str| s.replace('|', "\\|").replace('\n', " ");
            let _ = writeln!(
                out,
                "| {} |",
                names.iter().map(|n| esc(n)).collect::<Vec<_>>().join(" | ")
            );
            let _ = writeln!(
                out,
                "|{}|",
                names.iter().map(|_| "---").collect::<Vec<_>>().join("|")
            );
            for (b, r) in rows(result) {
                let line: Vec<String> = cells(result, b, r)
                    .into_iter()
                    .map(|c| esc(&c.unwrap_or_default()))
                    .collect();
                let _ = writeln!(out, "| {} |", line.join(" | "));
            }
        }
        PrintFormat::Table => print_table(&mut out, result, &names, max_rows),
    }
}

fn print_table(out: &mut impl Write, result: &KqlResult, names: &[&str], max_rows: usize) {
    let total = result.row_count();
    let shown: Vec<Vec<String>> = rows(result)
        .take(max_rows)
        .map(|(b, r)| {
            cells(result, b, r)
                .into_iter()
                .map(|c| c.unwrap_or_else(|| "null".to_owned()))
                .collect()
        })
        .collect();
    let clip = |s: &str| -> String {
        let one_line = s.replace('\n', " ");
        if one_line.chars().count() > 60 {
            format!("{}…", one_line.chars().take(59).collect::<String>())
        } else {
            one_line
        }
    };
    let shown: Vec<Vec<String>> = shown
        .into_iter()
        .map(|r| r.iter().map(|c| clip(c)).collect())
        .collect();
    let mut widths: Vec<usize> = names.iter().map(|n| n.chars().count()).collect();
    for row in &shown {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let numeric: Vec<bool> = result
        .schema
        .fields
        .iter()
        .map(|f| f.ty.is_numeric())
        .collect();
    let line = |cells: &[String], out: &mut dyn Write| {
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
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    let header: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    line(&header, out);
    let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    let _ = writeln!(out, "{}", rule.join("  "));
    for row in &shown {
        line(row, out);
    }
    let noun = if total == 1 { "row" } else { "rows" };
    if total > shown.len() {
        let _ = writeln!(
            out,
            "{total} {noun} ({} shown; use --max-rows or another --format for all)",
            shown.len()
        );
    } else {
        let _ = writeln!(out, "{total} {noun}");
    }
    if let Some(r) = &result.render {
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
        let _ = writeln!(
            out,
            "render: {}{extra} (charts arrive with the REPL)",
            r.visualization
        );
    }
}
