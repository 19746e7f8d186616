//! SARIF 2.1.0 logs (the OASIS standard GitHub code scanning reads), built with `serde-sarif`'s
//! types: one run of the `kqlite` tool, a rule per diagnostic code, a result per diagnostic.

use super::Placed;
use kql_common::Severity;
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::io::{self, Write};

pub(super) fn write(out: &mut impl Write, found: &[Placed]) -> io::Result<()> {
    // Each code that occurs, once, in a stable order; results point at them by index.
    let codes: BTreeMap<&str, &str> = found
        .iter()
        .map(|p| (p.r.diagnostic.code.id, p.r.diagnostic.code.title))
        .collect();
    let index: BTreeMap<&str, usize> = codes.keys().enumerate().map(|(i, c)| (*c, i)).collect();
    let rules: Vec<sarif::ReportingDescriptor> = codes
        .iter()
        .map(|(id, title)| {
            sarif::ReportingDescriptor::builder()
                .id(*id)
                .short_description(
                    sarif::MultiformatMessageString::builder()
                        .text(*title)
                        .build(),
                )
                .build()
        })
        .collect();
    let results: Vec<sarif::Result> = found
        .iter()
        .map(|p| {
            let d = &p.r.diagnostic;
            let level = match d.severity {
                Severity::Error => sarif::ResultLevel::Error,
                Severity::Warning => sarif::ResultLevel::Warning,
                Severity::Info => sarif::ResultLevel::Note,
            };
            let region = sarif::Region::builder()
                .start_line(p.line as i64)
                .start_column(p.column as i64)
                .end_line(p.end_line as i64)
                .end_column(p.end_column as i64)
                .build();
            let location = sarif::PhysicalLocation::builder()
                .artifact_location(
                    sarif::ArtifactLocation::builder()
                        .uri(uri(&p.r.file))
                        .build(),
                )
                .region(region)
                .build();
            sarif::Result::builder()
                .rule_id(d.code.id)
                .rule_index(index.get(d.code.id).copied().unwrap_or(0) as i64)
                .level(level)
                .message(sarif::Message::builder().text(d.message.clone()).build())
                .locations(vec![
                    sarif::Location::builder()
                        .physical_location(location)
                        .build(),
                ])
                .build()
        })
        .collect();
    let driver = sarif::ToolComponent::builder()
        .name("kqlite")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        // Columns count characters (code points), not UTF-16 units.
        .column_kind(serde_json::json!("unicodeCodePoints"))
        .results(results)
        .build();
    let log = sarif::Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version(serde_json::json!("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)
}

/// A file name as a relative URI reference: forward slashes, spaces and `%` escaped.
fn uri(file: &str) -> String {
    file.replace('\\', "/")
        .replace('%', "%25")
        .replace(' ', "%20")
}
