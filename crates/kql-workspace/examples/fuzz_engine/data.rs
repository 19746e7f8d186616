//! The tables the fuzzer queries: a few hundred generated `AADProvisioningLogs` rows, and `Edge`,
//! a `datatable` of edge values of every type (nulls, empty strings, the ends of the long, real,
//! datetime and timespan ranges, NaN and infinities, dynamic values of every kind).

use kql_engine::{KqlContext, KqlType};
use kql_ingest::generate::{DEMO_START, GenOptions, Shape, rows, write};
use kql_ingest::load::files::Loader;
use kql_ingest::tables::{AAD_PROVISIONING_LOGS, aad_provisioning_logs};

use crate::generate::{TableInfo, Ty};

/// `now()` in every query: the end of the generated data.
pub(crate) const NOW: i64 = DEMO_START + 2 * kql_common::time::TICKS_PER_DAY;

/// Name, type and the values its rows cycle through, for each `Edge` column. The lists have
/// different lengths, so rows combine the values differently.
const EDGE_COLUMNS: &[(&str, &str, &[&str])] = &[
    ("k", "string", &["\"a\"", "\"b\"", "\"\"", "\"c\""]),
    ("b", "bool", &["true", "false", "bool(null)"]),
    (
        "i",
        "int",
        &[
            "0",
            "1",
            "-1",
            "2147483647",
            "-2147483648",
            "int(null)",
            "42",
        ],
    ),
    (
        "l",
        "long",
        &[
            "0",
            "1",
            "-1",
            "9223372036854775807",
            "long(-9223372036854775808)",
            "long(null)",
            "1000",
            "-7",
            "4294967296",
        ],
    ),
    (
        "r",
        "real",
        &[
            "0.0",
            "-0.0",
            "1.5",
            "-2.25",
            "real(nan)",
            "real(+inf)",
            "real(-inf)",
            "real(null)",
            "1e308",
            "5e-324",
            "3.0",
        ],
    ),
    (
        "s",
        "string",
        &[
            "\"\"",
            "\"a\"",
            "\"Hello World\"",
            "\"hello\"",
            "\"UPPER lower\"",
            "\"12\"",
            "\"-3.5\"",
            "\"2024-01-01\"",
            "\"true\"",
            "\"ünïcödé\"",
            "\"a,b,,c\"",
            "\"  padded  \"",
            "'{\"x\":1,\"y\":[1,2]}'",
            "\"[1,2]\"",
            "\"null\"",
            "\"00000000-0000-0000-0000-000000000000\"",
            "\"1.00:00:00\"",
        ],
    ),
    (
        "d",
        "datetime",
        &[
            "datetime(0001-01-01)",
            "datetime(9999-12-31 23:59:59.9999999)",
            "datetime(1970-01-01)",
            "datetime(2026-11-18 12:34:56.789)",
            "datetime(null)",
            "datetime(2024-02-29)",
            "datetime(2000-01-01 23:59:59.9999999)",
        ],
    ),
    (
        "t",
        "timespan",
        &[
            "0s",
            "1d",
            "-1d",
            "timespan(10675199.02:48:05.4775807)",
            "timespan(-10675199.02:48:05.4775807)",
            "timespan(null)",
            "1tick",
            "90m",
        ],
    ),
    (
        "g",
        "guid",
        &[
            "guid(null)",
            "guid(00000000-0000-0000-0000-000000000000)",
            "guid(6f2d3a41-8b7c-4e55-9a10-2c3d4e5f6a7b)",
        ],
    ),
    (
        "y",
        "dynamic",
        &[
            "dynamic(null)",
            "dynamic({})",
            "dynamic([])",
            "dynamic({\"x\":1,\"y\":\"a\",\"z\":[1,2]})",
            "dynamic([1,\"two\",null,{\"x\":3}])",
            "dynamic(1.5)",
            "dynamic(\"str\")",
            "dynamic(true)",
            "dynamic(9223372036854775807)",
            "dynamic({\"x\":null})",
            "dynamic({\"x\":{\"x\":[[]]}})",
            "dynamic(-0.0)",
        ],
    ),
];

/// Rows of `Edge`.
const EDGE_ROWS: usize = 48;

/// The `datatable` query that makes `Edge`.
pub(crate) fn edge_datatable() -> String {
    let header: Vec<String> = EDGE_COLUMNS
        .iter()
        .map(|(name, ty, _)| format!("{name}:{ty}"))
        .collect();
    let mut cells = Vec::new();
    for row in 0..EDGE_ROWS {
        for (_, _, values) in EDGE_COLUMNS {
            cells.push(values[row % values.len()]);
        }
    }
    format!("datatable({})[{}]", header.join(", "), cells.join(", "))
}

fn ty(name: &str) -> Ty {
    match name {
        "bool" => Ty::Bool,
        "int" => Ty::Int,
        "long" => Ty::Long,
        "real" => Ty::Real,
        "datetime" => Ty::Date,
        "timespan" => Ty::Span,
        "guid" => Ty::Guid,
        "dynamic" => Ty::Dyn,
        _ => Ty::Str,
    }
}

/// A context holding both tables, and what the generator needs to know of them.
pub(crate) async fn tables(aad_rows: usize) -> Result<(KqlContext, Vec<TableInfo>), String> {
    let ctx = KqlContext::new();
    let text = write(
        &rows(&GenOptions {
            rows: aad_rows,
            seed: 12,
            start: DEMO_START,
            days: 2,
        }),
        Shape::Ndjson,
    );
    let schema = aad_provisioning_logs();
    let (batches, _) = Loader::new()
        .load_bytes("generated", text.as_bytes(), &schema)
        .map_err(|e| format!("generated rows: {e}"))?;
    ctx.register_batches(AAD_PROVISIONING_LOGS, schema.clone(), batches)
        .map_err(|e| e.to_string())?;
    let edge = ctx
        .execute_at(&edge_datatable(), NOW)
        .await
        .map_err(|d| format!("the Edge datatable: {d}"))?;
    ctx.register_batches("Edge", edge.schema, edge.batches)
        .map_err(|e| e.to_string())?;
    let aad_columns = schema
        .fields
        .iter()
        .map(|f| {
            let t = match f.ty {
                KqlType::DateTime => Ty::Date,
                KqlType::Long => Ty::Long,
                _ => Ty::Str,
            };
            (f.name.clone(), t)
        })
        .collect();
    let infos = vec![
        TableInfo {
            name: "Edge".into(),
            columns: EDGE_COLUMNS
                .iter()
                .map(|(n, t, _)| ((*n).to_owned(), ty(t)))
                .collect(),
            keys: ["k", "b", "i", "g", "d"].map(String::from).to_vec(),
            sum_column: "i".into(),
        },
        TableInfo {
            name: AAD_PROVISIONING_LOGS.into(),
            columns: aad_columns,
            keys: ["ResultType", "Action", "ProvisioningAction", "SourceSystem"]
                .map(String::from)
                .to_vec(),
            sum_column: "DurationMs".into(),
        },
    ];
    Ok((ctx, infos))
}
