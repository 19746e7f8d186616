//! Loading every export shape: the same rows whatever the shape, and bad input always reported
//! (loaded + rejected = records in the file), never a panic.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests report failures by panicking"
)]

use datafusion::arrow::record_batch::RecordBatch;
use flate2::Compression;
use flate2::write::GzEncoder;
use kql_functions::KqlType;
use kql_functions::value::json_value;
use kql_ingest::generate::{GenOptions, Shape, rows, write};
use kql_ingest::load::LoadReport;
use kql_ingest::load::files::Loader;
use kql_ingest::load::parquet::write_snapshot;
use kql_ingest::tables::aad_provisioning_logs;
use std::io::Write;
mod common;

use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    common::scratch("loaders", name)
}

fn load(path: &Path) -> (Vec<RecordBatch>, LoadReport) {
    Loader::new()
        .load_file(path, &aad_provisioning_logs())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load_bytes(bytes: &[u8]) -> LoadReport {
    Loader::new()
        .load_bytes("input", bytes, &aad_provisioning_logs())
        .unwrap_or_else(|e| panic!("{e}"))
        .1
}

/// Every cell as JSON, rows sorted by `Id`. `TenantId` (the workspace, which only Log Analytics
/// shapes carry) is left out; `TimeGenerated` is compared to the millisecond (CSV's precision).
fn canonical(batches: &[RecordBatch]) -> Vec<String> {
    let schema = aad_provisioning_logs();
    let mut out = Vec::new();
    for b in batches {
        for row in 0..b.num_rows() {
            let mut cells = Vec::new();
            for (i, f) in schema.fields.iter().enumerate() {
                let v = json_value(b.column(i), row, f.ty);
                let cell = match f.name.as_str() {
                    "TenantId" => continue,
                    "TimeGenerated" => v
                        .as_str()
                        .and_then(kql_common::time::parse_datetime)
                        .map(|t| (t / 10_000).to_string())
                        .unwrap_or_default(),
                    _ => v.to_string(),
                };
                cells.push(format!("{}={cell}", f.name));
            }
            out.push(cells.join(" "));
        }
    }
    let id = |s: &String| s.split(" Id=").nth(1).unwrap_or("").to_owned();
    out.sort_by_key(id);
    out
}

/// `n` generated rows over `days` days from the demo start.
fn sample(n: usize, seed: u64, days: u32) -> Vec<serde_json::Value> {
    rows(&GenOptions {
        rows: n,
        seed,
        start: kql_ingest::generate::DEMO_START,
        days,
    })
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn every_shape_loads_to_the_same_rows() {
    let dir = scratch("shapes");
    let table = sample(400, 11, 3);
    let ndjson = dir.join("rows.ndjson");
    std::fs::write(&ndjson, write(&table, Shape::Ndjson)).unwrap();
    let (reference, report) = load(&ndjson);
    assert_eq!((report.loaded, report.rejected.len()), (400, 0));
    let expected = canonical(&reference);
    assert_eq!(expected.len(), 400);

    let shapes = [
        ("graph.json", Shape::Graph, "Microsoft Graph"),
        ("portal.json", Shape::PortalJson, "portal"),
        ("PT1H.json", Shape::ResourceLog, "resource-log"),
        ("eventhub.json", Shape::EventHub, "Event Hub"),
        ("query.json", Shape::QueryApi, "query API"),
        ("export.csv", Shape::Csv, "CSV"),
    ];
    for (file, shape, label) in shapes {
        let text = write(&table, shape);
        let plain = dir.join(file);
        std::fs::write(&plain, &text).unwrap();
        let zipped = dir.join(format!("{file}.gz"));
        std::fs::write(&zipped, gzip(text.as_bytes())).unwrap();
        for path in [plain, zipped] {
            let (batches, report) = load(&path);
            assert_eq!(
                (report.loaded, report.rejected.len(), report.duplicates),
                (400, 0, 0),
                "{}: {:?}",
                path.display(),
                report.rejected.first()
            );
            assert!(
                report.shape.contains(label),
                "{}: read as {}",
                path.display(),
                report.shape
            );
            let got = canonical(&batches);
            for (g, e) in got.iter().zip(&expected) {
                assert_eq!(g, e, "{}", path.display());
            }
        }
    }

    let snapshot = dir.join("snapshot.parquet");
    write_snapshot(&snapshot, &aad_provisioning_logs(), &reference).unwrap();
    let (batches, report) = load(&snapshot);
    assert_eq!(report.loaded, 400);
    assert_eq!(canonical(&batches), expected);
}

#[test]
fn malformed_lines_are_reported_with_their_line_and_the_rest_load() {
    let table = sample(5, 3, 1);
    let mut lines: Vec<String> = write(&table, Shape::Ndjson)
        .lines()
        .map(str::to_owned)
        .collect();
    lines.insert(2, "{\"TimeGenerated\": \"2026-11-18T00:00:00Z\", ".into());
    lines.insert(4, "[1, 2, 3]".into());
    let report = load_bytes(lines.join("\n").as_bytes());
    assert_eq!(report.loaded, 5);
    let bad: Vec<usize> = report.rejected.iter().map(|r| r.line).collect();
    assert_eq!(bad, vec![3, 5]);
    assert!(report.loaded + report.rejected.len() == lines.len());
}

#[test]
fn resource_log_lines_with_bad_records_add_up() {
    let table = sample(6, 4, 1);
    let mut text = write(&table, Shape::ResourceLog);
    text.push_str("{\"time\": \"2026-11-18T00:00:00Z\", \"properties\": \n");
    text.push_str("not json at all\r\n");
    let report = load_bytes(text.as_bytes());
    assert_eq!((report.loaded, report.rejected.len()), (6, 2), "{report:?}");
    assert_eq!(report.rejected[0].line, 7);
}

#[test]
fn byte_order_mark_is_skipped() {
    let table = sample(3, 5, 1);
    for shape in [Shape::Ndjson, Shape::Graph, Shape::Csv, Shape::ResourceLog] {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(write(&table, shape).as_bytes());
        let report = load_bytes(&bytes);
        assert_eq!(
            (report.loaded, report.rejected.len()),
            (3, 0),
            "{shape:?}: {report:?}"
        );
    }
}

#[test]
fn a_cut_document_loads_its_whole_items_and_rejects_the_cut_one() {
    let table = sample(40, 6, 1);
    for shape in [Shape::Graph, Shape::EventHub, Shape::PortalJson] {
        let text = write(&table, shape);
        let cut = &text.as_bytes()[..text.len() / 2];
        let (batches, r) = Loader::new()
            .load_bytes("cut.json", cut, &aad_provisioning_logs())
            .unwrap();
        assert_eq!(r.rejected.len(), 1, "{shape:?}: {r:?}");
        assert!(
            r.rejected[0].reason.contains("cut short"),
            "{shape:?}: {r:?}"
        );
        // Every item before the cut, and no other.
        assert!((15..20).contains(&r.loaded), "{shape:?}: {}", r.loaded);
        let ids: Vec<String> = canonical(&batches);
        let whole = canonical(
            &Loader::new()
                .load_bytes("whole.json", text.as_bytes(), &aad_provisioning_logs())
                .unwrap()
                .0,
        );
        assert!(ids.iter().all(|row| whole.contains(row)), "{shape:?}");
    }
}

fn lines_and_reasons(r: &LoadReport) -> Vec<(usize, &str)> {
    r.rejected
        .iter()
        .map(|x| (x.line, x.reason.as_str()))
        .collect()
}

/// A query API response whose table lost its `rows` (a damaged key), or that holds no table,
/// is one rejection (the loader fuzzer found the first loading nothing and reporting nothing).
#[test]
fn a_query_api_response_without_rows_is_rejected_not_empty() {
    let no_rows = r#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"}],"r[ws":[["2026-11-25T00:00:00Z"]]}]}"#;
    let r = load_bytes(no_rows.as_bytes());
    assert_eq!(r.loaded, 0);
    assert_eq!(
        lines_and_reasons(&r),
        vec![(1, "the first table has no `rows` array")]
    );
    let r = load_bytes(br#"{"tables": []}"#);
    assert_eq!(
        lines_and_reasons(&r),
        vec![(1, "the response holds no table")]
    );
}

/// A rejected item of a document is named by the line it starts on and its number in the array
/// (it was named by its number alone, as if that were its line).
#[test]
fn rejected_items_of_a_document_are_named_by_their_line_and_number() {
    let page = concat!(
        "{\"value\": [\n",
        " {\"id\": \"1\", \"activityDateTime\": \"2026-11-25T00:00:00Z\"},\n",
        " {\"id\": \"2\",\n",
        "  \"activityDateTime\": \"not a date\"},\n",
        " 5\n",
        "]}\n"
    );
    let r = load_bytes(page.as_bytes());
    assert_eq!(
        lines_and_reasons(&r),
        vec![
            (
                3,
                "item 2 of the array: column `TimeGenerated`: `not a date` is not a datetime"
            ),
            (5, "item 3 of the array: not a JSON object"),
        ]
    );
    assert_eq!(r.loaded, 1);
    // Rows of a query API response (one line, as the API writes it) are named by number.
    let api = r#"{"tables":[{"name":"PrimaryResult","columns":[{"name":"TimeGenerated","type":"datetime"}],"rows":[["2026-11-25T00:00:00Z"],["x"],[1,2]]}]}"#;
    let r = load_bytes(api.as_bytes());
    assert_eq!(
        lines_and_reasons(&r),
        vec![
            (
                1,
                "row 2 of the table: column `TimeGenerated`: `x` is not a datetime"
            ),
            (1, "row 3 of the table: 2 values for 1 columns"),
        ]
    );
}

#[test]
fn a_damaged_first_line_costs_only_itself() {
    // The first line cut anywhere (what `tail -c +N` gives), binary, bad UTF-8, a lone CR or
    // text: the intact records after it load, for rows and resource-log records alike.
    let table = sample(6, 12, 1);
    for shape in [Shape::Ndjson, Shape::ResourceLog] {
        let text = write(&table, shape);
        let first_end = text.find('\n').unwrap() + 1;
        let mut damaged: Vec<Vec<u8>> = [5, 40, 99, first_end / 2, first_end - 3]
            .iter()
            .map(|cut| text.as_bytes()[*cut..].to_vec())
            .collect();
        for bad in [
            &b"\x00\x01garbage"[..],
            b"\xff\xfe\xfd{",
            b"half\rline",
            b"not, json, at, all",
        ] {
            damaged.push([bad, b"\n", &text.as_bytes()[first_end..]].concat());
        }
        for bytes in damaged {
            let (_, r) = Loader::new()
                .load_bytes("damaged", &bytes, &aad_provisioning_logs())
                .unwrap();
            assert_eq!(
                (r.loaded, r.rejected.len()),
                (5, 1),
                "{shape:?} {:?}: {r:?}",
                String::from_utf8_lossy(&bytes[..20])
            );
            assert_eq!(r.rejected[0].line, 1);
        }
    }
}

#[test]
fn a_damaged_first_line_costs_only_itself_in_a_file_read_in_blocks() {
    let dir = scratch("damaged_first_line");
    let table = sample(300, 13, 1);
    for (shape, file) in [
        (Shape::Ndjson, "rows.ndjson"),
        (Shape::ResourceLog, "PT1H.json"),
    ] {
        let text = write(&table, shape);
        let path = dir.join(file);
        std::fs::write(&path, &text.as_bytes()[100..]).unwrap();
        let (_, r) = load(&path);
        assert_eq!((r.loaded, r.rejected.len()), (299, 1), "{shape:?}: {r:?}");
    }
}

#[test]
fn records_written_over_several_lines_load_one_by_one() {
    // jq's output: each record pretty-printed, one after another; one of them broken.
    let table = sample(4, 14, 1);
    let mut text = String::new();
    for (i, row) in table.iter().enumerate() {
        if i == 2 {
            text.push_str("{\n  \"TimeGenerated\": \"2026-11-20T00:00:00Z\",\n  oops\n}\n");
        }
        text.push_str(&serde_json::to_string_pretty(row).unwrap());
        text.push('\n');
    }
    let r = load_bytes(text.as_bytes());
    assert_eq!((r.loaded, r.rejected.len()), (4, 1), "{r:?}");
    assert!(r.rejected[0].line > 1, "{r:?}");
}

#[test]
fn utf16_exports_load_like_utf8() {
    let table = sample(5, 15, 1);
    for shape in [Shape::Ndjson, Shape::Graph, Shape::Csv, Shape::ResourceLog] {
        let text = write(&table, shape);
        for (bom, le) in [(true, true), (true, false), (false, true)] {
            let mut units: Vec<u16> = text.encode_utf16().collect();
            if bom {
                units.insert(0, 0xFEFF);
            }
            let bytes: Vec<u8> = units
                .iter()
                .flat_map(|u| if le { u.to_le_bytes() } else { u.to_be_bytes() })
                .collect();
            let report = load_bytes(&bytes);
            assert_eq!(
                (report.loaded, report.rejected.len()),
                (5, 0),
                "{shape:?} {bom} {le}: {report:?}"
            );
            let dir = scratch("utf16");
            let path = dir.join(format!("{shape:?}-{bom}-{le}.json"));
            std::fs::write(&path, gzip(&bytes)).unwrap();
            let (_, report) = load(&path);
            assert_eq!(
                (report.loaded, report.rejected.len()),
                (5, 0),
                "{shape:?} {bom} {le}: {report:?}"
            );
        }
    }
}

#[test]
fn truncated_gzip_is_an_error_naming_the_file() {
    let dir = scratch("gzip");
    let table = sample(200, 8, 1);
    let zipped = gzip(write(&table, Shape::Graph).as_bytes());
    let path = dir.join("cut.json.gz");
    std::fs::write(&path, &zipped[..zipped.len() / 2]).unwrap();
    let Err(err) = Loader::new().load_file(&path, &aad_provisioning_logs()) else {
        panic!("a truncated gzip file must not load");
    };
    assert!(err.to_string().contains("cut.json.gz"), "{err}");
    assert!(
        err.to_string()
            .contains("gzip stream is damaged or cut short"),
        "{err}"
    );
}

#[test]
fn empty_and_binary_files() {
    assert_eq!(load_bytes(b"").loaded, 0);
    assert_eq!(load_bytes(b" \n\r\n ").rejected.len(), 0);
    let binary: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let report = load_bytes(&binary);
    assert_eq!(report.loaded, 0);
    assert_eq!(report.rejected.len(), 1);
    assert!(report.rejected[0].reason.contains("binary"));
}

#[test]
fn csv_with_a_foreign_header_is_rejected_with_the_reason() {
    let outcome = Loader::new().load_bytes(
        "other.csv",
        b"Name,Age\nalice,30\nbob,40\n",
        &aad_provisioning_logs(),
    );
    match outcome {
        Err(e) => assert!(e.to_string().contains("other.csv"), "{e}"),
        Ok((_, r)) => {
            assert_eq!(r.loaded, 0, "{r:?}");
            assert!(!r.rejected.is_empty(), "{r:?}");
        }
    }
}

#[test]
fn a_very_long_line_loads() {
    let table = sample(2, 9, 1);
    let mut first = table[0].clone();
    let long = "x".repeat(24 << 20);
    first["ServicePrincipal"] = serde_json::json!({"Name": long});
    let text = format!("{first}\n{}\n", table[1]);
    let dir = scratch("long");
    let path = dir.join("long.ndjson");
    std::fs::write(&path, text).unwrap();
    let (batches, report) = load(&path);
    assert_eq!((report.loaded, report.rejected.len()), (2, 0));
    let schema = aad_provisioning_logs();
    let col = schema
        .fields
        .iter()
        .position(|f| f.name == "ServicePrincipal")
        .unwrap();
    let lens: Vec<usize> = batches
        .iter()
        .flat_map(|b| {
            (0..b.num_rows()).map(|r| {
                json_value(b.column(col), r, KqlType::Dynamic)
                    .to_string()
                    .len()
            })
        })
        .collect();
    assert!(lens.iter().any(|l| *l > 24 << 20), "{lens:?}");
}

#[test]
fn a_file_named_twice_is_listed_once() {
    let dir = scratch("named-twice");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    for f in ["a.json", "sub/b.json"] {
        std::fs::write(dir.join(f), "[]").unwrap();
    }
    let args = [
        dir.join("sub/b.json"),
        dir.clone(),
        dir.join("sub/../a.json"),
        dir.join("*.json"),
    ];
    let files = kql_ingest::load::walk::expand(&args).unwrap().files;
    assert_eq!(files, vec![dir.join("sub/b.json"), dir.join("a.json")]);
}

#[test]
fn pt1h_blobs_delivered_twice_load_once() {
    let dir = scratch("pt1h");
    let table = sample(50, 10, 1);
    let text = write(&table, Shape::ResourceLog);
    let a = dir.join("y=2026/m=11/d=18/h=00/m=00");
    let b = dir.join("copy/y=2026/m=11/d=18/h=00/m=00");
    for d in [&a, &b] {
        std::fs::create_dir_all(d).unwrap();
        std::fs::write(d.join("PT1H.json"), &text).unwrap();
    }
    let files = kql_ingest::load::walk::expand(std::slice::from_ref(&dir))
        .unwrap()
        .files;
    assert_eq!(files.len(), 2);
    let mut loader = Loader::new();
    let mut loaded = 0;
    let mut duplicates = 0;
    for f in &files {
        let (_, r) = loader.load_file(f, &aad_provisioning_logs()).unwrap();
        loaded += r.loaded;
        duplicates += r.duplicates;
    }
    assert_eq!((loaded, duplicates), (50, 50));
}

/// The three files of an Entra portal CSV download, as `kqlite generate --format portal-csv`
/// writes them.
fn portal_download(table: &[serde_json::Value]) -> [String; 3] {
    let graph: Vec<serde_json::Value> = table
        .iter()
        .filter_map(serde_json::Value::as_object)
        .map(kql_ingest::load::shapes::row_to_graph)
        .collect();
    kql_ingest::load::portal_csv::write(&graph)
}

/// The columns a portal CSV download carries in full (it has no column for `details` objects).
fn download_columns(batches: &[RecordBatch]) -> Vec<String> {
    const KEPT: &[&str] = &[
        "Id",
        "ChangeId",
        "CycleId",
        "JobId",
        "AADTenantId",
        "ProvisioningAction",
        "Action",
        "ResultType",
        "ResultSignature",
        "ResultDescription",
        "DurationMs",
        "ModifiedProperties",
        "StatusInfo",
        "CorrelationId",
        "TimeGenerated",
    ];
    let schema = aad_provisioning_logs();
    let mut out = Vec::new();
    for b in batches {
        for row in 0..b.num_rows() {
            let cells: Vec<String> = schema
                .fields
                .iter()
                .enumerate()
                .filter(|(_, f)| KEPT.contains(&f.name.as_str()) || f.name == "ProvisioningSteps")
                .map(|(i, f)| {
                    let v = json_value(b.column(i), row, f.ty);
                    if f.name == "ProvisioningSteps" {
                        // Steps keep name, type, status and description, not details.
                        let steps: serde_json::Value =
                            serde_json::from_str(v.as_str().unwrap_or("[]")).unwrap();
                        let kept: Vec<String> = steps
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|s| {
                                format!(
                                    "{}/{}/{}/{}",
                                    s["name"],
                                    s["provisioningStepType"],
                                    s["status"],
                                    s["description"]
                                )
                            })
                            .collect();
                        format!("steps={kept:?}")
                    } else {
                        format!("{}={v}", f.name)
                    }
                })
                .collect();
            out.push(cells.join(" "));
        }
    }
    out.sort();
    out
}

#[test]
fn portal_csv_download_joins_its_three_files_on_the_change_id() {
    let table = sample(300, 12, 2);
    let ndjson = write(&table, Shape::Ndjson);
    let (reference, _) = Loader::new()
        .load_bytes("rows.ndjson", ndjson.as_bytes(), &aad_provisioning_logs())
        .unwrap();
    let [entries, steps, modified] = portal_download(&table);
    let mut loader = Loader::new();
    // The parts may come in any order; nothing loads until the join.
    for (name, text) in [
        ("ProvisioningLogs_ProvisioningSteps.csv", &steps),
        ("ProvisioningLogs.csv", &entries),
        ("ProvisioningLogs_ModifiedProperties.csv", &modified),
    ] {
        let (batches, report) = loader
            .load_bytes(name, text.as_bytes(), &aad_provisioning_logs())
            .unwrap();
        assert!(batches.is_empty() && report.loaded == 0, "{report:?}");
        assert!(report.held_back, "{report:?}");
    }
    let (batches, reports) = loader.finish(&aad_provisioning_logs()).unwrap();
    assert!(reports.iter().all(|r| !r.held_back), "{reports:?}");
    let loaded: Vec<(String, usize, usize)> = reports
        .iter()
        .map(|r| (r.file.clone(), r.loaded, r.rejected.len()))
        .collect();
    assert_eq!(loaded[1], ("ProvisioningLogs.csv".into(), 300, 0));
    assert_eq!(loaded[0].1, steps.lines().count() - 1);
    assert_eq!(loaded[2].1, modified.lines().count() - 1);
    assert_eq!(download_columns(&batches), download_columns(&reference));
    assert_eq!(canonical(&batches).len(), 300);
}

#[test]
fn portal_csv_download_steps_without_an_entry_are_rejected() {
    let table = sample(5, 13, 1);
    let [entries, steps, _] = portal_download(&table);
    let mut steps = steps;
    steps.push_str("no-such-change,EntryImportAdd,import,Success,orphan\n");
    let orphan_line = steps.lines().count();
    let mut loader = Loader::new();
    for (name, text) in [("logs.csv", &entries), ("steps.csv", &steps)] {
        loader
            .load_bytes(name, text.as_bytes(), &aad_provisioning_logs())
            .unwrap();
    }
    let (batches, reports) = loader.finish(&aad_provisioning_logs()).unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 5);
    let steps_report = &reports[1];
    assert_eq!(steps_report.rejected.len(), 1);
    assert_eq!(steps_report.rejected[0].line, orphan_line);
    assert!(steps_report.rejected[0].reason.contains("no-such-change"));
    assert_eq!(
        steps_report.loaded + steps_report.rejected.len(),
        steps.lines().count() - 1
    );
}

#[test]
fn a_snapshot_with_a_damaged_embedded_arrow_schema_loads_from_its_parquet_schema() {
    // Found by fuzz_load: zeroed bytes in the footer's ARROW:schema made the Arrow IPC decoder
    // panic ("Type NONE not supported") when a snapshot was loaded beside other exports.
    let dir = scratch("damaged_arrow_schema");
    let path = dir.join("s.parquet");
    let table = sample(50, 16, 1);
    let (batches, _) = Loader::new()
        .load_bytes(
            "rows",
            write(&table, Shape::Ndjson).as_bytes(),
            &aad_provisioning_logs(),
        )
        .unwrap();
    write_snapshot(&path, &aad_provisioning_logs(), &batches).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    let key = bytes
        .windows(12)
        .rposition(|w| w == b"ARROW:schema")
        .expect("an embedded Arrow schema");
    // The base64 value follows its length; zero bits ('A') over a stretch of it.
    bytes[key + 40..key + 400]
        .iter_mut()
        .for_each(|b| *b = b'A');
    std::fs::write(&path, &bytes).unwrap();
    let (loaded, report) = load(&path);
    assert_eq!(report.loaded, 50);
    assert_eq!(canonical(&loaded), canonical(&batches));
}

#[test]
fn damaged_snapshots_that_made_the_parquet_reader_panic_are_errors_naming_the_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/damaged-snapshots");
    for n in [3, 8, 10] {
        let path = dir.join(format!("fuzz-{n}.parquet"));
        let outcome = Loader::new().load_file(&path, &aad_provisioning_logs());
        let Err(e) = outcome else {
            panic!("fuzz-{n}: a damaged snapshot loaded");
        };
        let message = kql_ingest::load::reason(&e);
        assert!(
            message.starts_with(&path.display().to_string()) && message.contains("damaged"),
            "fuzz-{n}: {message}"
        );
    }
}

#[test]
fn the_cut_tail_of_an_export_is_rejected_not_read_as_an_empty_csv() {
    // Found by fuzz_load: one line left of a file, no newline, was a CSV header naming a column
    // or two and no rows: 0 loaded, 0 rejected.
    for tail in [
        &b":\"create\",\"ProvisioningStatusInfo"[..],
        b"@contoso-demo.example\"\"},\"\"Id",
    ] {
        let r = load_bytes(tail);
        assert_eq!((r.loaded, r.rejected.len()), (0, 1), "{r:?}");
    }
}
