//! Writing generated rows in every export shape, as they come, in bounded memory.

use kql_common::time;
use serde_json::{Value, json};

/// Output shapes of [`write`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Log Analytics rows, one per line.
    Ndjson,
    /// A Microsoft Graph `provisioningObjectSummary` page (`{"value": [...]}`).
    Graph,
    /// The Entra portal's JSON download (a top-level array of Graph objects).
    PortalJson,
    /// Diagnostic-settings records, one per line with CRLF endings (a PT1H.json blob).
    ResourceLog,
    /// An Event Hub message body (`{"records": [...]}`).
    EventHub,
    /// A Log Analytics query API response (`{"tables": [...]}`).
    QueryApi,
    /// The Log Analytics portal's "Export to CSV".
    Csv,
}

/// Writes table rows (from [`rows`]) in `shape`.
pub fn write(rows: &[Value], shape: Shape) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and serde_json writes UTF-8.
    let _ = write_to(rows.iter().cloned(), shape, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Writes table rows in `shape` to `out` as they come, so that memory stays bounded whatever
/// their number: each JSON document is written as its opening, the items, and its closing.
pub fn write_to(
    rows: impl IntoIterator<Item = Value>,
    shape: Shape,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use crate::load::shapes::{row_to_graph, row_to_resource};
    let objects = rows.into_iter().filter(Value::is_object);
    let items = |out: &mut dyn std::io::Write,
                 open: &str,
                 close: &str,
                 each: &dyn Fn(&Value) -> Value,
                 objects: &mut dyn Iterator<Item = Value>|
     -> std::io::Result<()> {
        out.write_all(open.as_bytes())?;
        for (i, r) in objects.enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            serde_json::to_writer(&mut *out, &each(&r))?;
        }
        out.write_all(close.as_bytes())
    };
    let mut objects = objects;
    let graph = |r: &Value| r.as_object().map(row_to_graph).unwrap_or_default();
    let resource = |r: &Value| r.as_object().map(row_to_resource).unwrap_or_default();
    match shape {
        Shape::Ndjson => {
            for r in objects {
                serde_json::to_writer(&mut *out, &r)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        }
        Shape::Graph => items(
            out,
            "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata#auditLogs/provisioning\",\"value\":[",
            "]}",
            &graph,
            &mut objects,
        ),
        Shape::PortalJson => items(out, "[", "]", &graph, &mut objects),
        Shape::ResourceLog => {
            for r in objects {
                serde_json::to_writer(&mut *out, &resource(&r))?;
                out.write_all(b"\r\n")?;
            }
            Ok(())
        }
        Shape::EventHub => items(out, "{\"records\":[", "]}", &resource, &mut objects),
        Shape::QueryApi => {
            let schema = crate::tables::aad_provisioning_logs();
            let columns: Vec<Value> = schema
                .fields
                .iter()
                .map(|f| json!({"name": f.name, "type": f.ty.name()}))
                .collect();
            let open = format!(
                "{{\"tables\":[{{\"name\":\"PrimaryResult\",\"columns\":{},\"rows\":[",
                Value::Array(columns)
            );
            let cells = |r: &Value| {
                Value::Array(
                    schema
                        .names()
                        .map(|c| r.get(c).cloned().unwrap_or(Value::Null))
                        .collect(),
                )
            };
            items(out, &open, "]}]}", &cells, &mut objects)
        }
        Shape::Csv => {
            let schema = crate::tables::aad_provisioning_logs();
            let quote = |s: &str| {
                if s.chars().all(|c| c.is_ascii_alphanumeric()) {
                    s.to_owned()
                } else {
                    format!("\"{}\"", s.replace('"', "\"\""))
                }
            };
            let header: Vec<String> = schema
                .names()
                .map(|c| {
                    if c == "TimeGenerated" {
                        quote("TimeGenerated [UTC]")
                    } else {
                        c.to_owned()
                    }
                })
                .collect();
            writeln!(out, "{}", header.join(","))?;
            for r in objects {
                let cells: Vec<String> = schema
                    .names()
                    .map(|c| match (c, r.get(c)) {
                        ("TimeGenerated", Some(Value::String(t))) => {
                            quote(&time::parse_datetime(t).map(us_datetime).unwrap_or_default())
                        }
                        (_, Some(Value::String(s))) if s.is_empty() => String::new(),
                        (_, Some(Value::String(s))) => quote(s),
                        (_, Some(Value::Null) | None) => String::new(),
                        (_, Some(v)) => quote(&v.to_string()),
                    })
                    .collect();
                writeln!(out, "{}", cells.join(","))?;
            }
            Ok(())
        }
    }
}

/// Writes the portal's three-file CSV download of `rows` (entries, steps, modified properties),
/// `chunk` rows at a time so that memory stays bounded; each file gets its header once.
pub fn write_portal_csv(
    rows: impl IntoIterator<Item = Value>,
    chunk: usize,
    mut outs: [&mut dyn std::io::Write; 3],
) -> std::io::Result<()> {
    let mut rows = rows.into_iter().peekable();
    let mut first = true;
    // At least one chunk: no rows still write the three headers.
    while first || rows.peek().is_some() {
        let graph: Vec<Value> = rows
            .by_ref()
            .take(chunk.max(1))
            .filter_map(|r| r.as_object().map(crate::load::shapes::row_to_graph))
            .collect();
        let parts = crate::load::portal_csv::write(&graph);
        for (out, text) in outs.iter_mut().zip(&parts) {
            let body = if first {
                text.as_str()
            } else {
                text.split_once('\n').map_or("", |(_, rest)| rest)
            };
            out.write_all(body.as_bytes())?;
        }
        first = false;
    }
    Ok(())
}

/// Writes `rows` (in time order, as [`row_stream`] makes them) as a snapshot at `path`, `chunk`
/// rows per batch, so that memory stays bounded.
pub fn write_parquet(
    rows: impl IntoIterator<Item = Value>,
    chunk: usize,
    path: &std::path::Path,
) -> datafusion::error::Result<()> {
    let schema = crate::tables::aad_provisioning_logs();
    let mut w = crate::load::parquet::SnapshotWriter::create(path, &schema)?;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut builder = crate::load::builder::RowBuilder::new(schema.clone());
        for r in rows.by_ref().take(chunk.max(1)) {
            builder.append(|c| r.get(c)).map_err(|e| {
                datafusion::error::DataFusionError::Internal(format!("generated row: {e}"))
            })?;
        }
        w.write(&builder.finish()?)?;
    }
    w.finish()
}

/// `3/14/2025, 9:12:44.123 AM`: the portal's US-locale datetime (millisecond precision).
fn us_datetime(ticks: i64) -> String {
    let (y, mo, d, h, mi, s, frac) = time::to_parts(ticks);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!(
        "{mo}/{d}/{y}, {h12}:{mi:02}:{s:02}.{:03} {ampm}",
        frac / 10_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::{rows, test_options as opts};

    #[test]
    fn the_portal_download_written_in_chunks_is_the_one_written_whole() {
        let write = |rows: Vec<Value>, chunk: usize| {
            let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
            let written = write_portal_csv(rows, chunk, [&mut a, &mut b, &mut c]);
            assert!(written.is_ok(), "{written:?}");
            [a, b, c].map(|v| String::from_utf8(v).unwrap_or_default())
        };
        let whole = write(rows(&opts(50)), usize::MAX);
        // Entries (one per row), steps and modified properties, each past one chunk.
        assert!(whole[0].lines().count() > 50);
        assert!(whole.iter().all(|t| t.lines().count() > 8));
        assert_eq!(write(rows(&opts(50)), 7), whole);
        // No rows: the three headers, each once.
        let empty = write(Vec::new(), 7);
        for (text, full) in empty.iter().zip(&whole) {
            assert_eq!(Some(text.trim_end()), full.lines().next());
        }
    }

    #[test]
    fn json_documents_are_whole_with_any_number_of_rows() {
        for n in [0, 1, 3] {
            let generated = rows(&opts(n));
            for shape in [
                Shape::Graph,
                Shape::PortalJson,
                Shape::EventHub,
                Shape::QueryApi,
            ] {
                let text = write(&generated, shape);
                let parsed = serde_json::from_str::<Value>(&text);
                assert!(parsed.is_ok(), "{shape:?} with {n} rows: {text}");
            }
        }
    }

    /// The exact bytes of every shape, so that a change to the generator or a writer shows.
    #[test]
    fn every_shape_of_two_rows() {
        let generated = rows(&opts(2));
        let mut out = String::new();
        for shape in [
            Shape::Ndjson,
            Shape::Graph,
            Shape::PortalJson,
            Shape::ResourceLog,
            Shape::EventHub,
            Shape::QueryApi,
            Shape::Csv,
        ] {
            out.push_str(&format!("== {shape:?}\n{}\n", write(&generated, shape)));
        }
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        let written = write_portal_csv(generated, 1, [&mut a, &mut b, &mut c]);
        assert!(written.is_ok(), "{written:?}");
        for part in [a, b, c] {
            out.push_str(&format!(
                "== portal CSV\n{}\n",
                String::from_utf8_lossy(&part)
            ));
        }
        insta::assert_snapshot!(out.replace("\r\n", "\u{240d}\n"));
    }
}
