//! `kqlite dev parse-rate FILE.ndjson`: how much of a corpus of real queries the parser
//! accepts, how long parsing takes, and whether every accepted query survives the Display
//! round-trip (parse, print, parse again: same tree).

use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub(crate) struct ParseRateArgs {
    /// NDJSON corpus: one object per line with a "query" field (and optionally
    /// "has_workbook_params", "source_repo", "path").
    corpus: PathBuf,
    /// Include queries with workbook placeholders such as {TimeRange}.
    #[arg(long)]
    with_placeholders: bool,
    /// How many of the most common failure messages to print.
    #[arg(long, default_value_t = 20)]
    show: usize,
    /// Print every failing query with its diagnostic.
    #[arg(long)]
    verbose: bool,
}

struct Record {
    query: String,
    origin: String,
}

fn load(args: &ParseRateArgs) -> Result<Vec<Record>, String> {
    let text = std::fs::read_to_string(&args.corpus)
        .map_err(|e| format!("{}: {e}", args.corpus.display()))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("{}:{}: {e}", args.corpus.display(), n + 1))?;
        if v["has_workbook_params"].as_bool() == Some(true) && !args.with_placeholders {
            continue;
        }
        let Some(q) = v["query"].as_str() else {
            continue;
        };
        let origin = format!(
            "{} {}",
            v["source_repo"].as_str().unwrap_or(""),
            v["path"].as_str().unwrap_or("")
        );
        out.push(Record {
            query: q.to_owned(),
            origin,
        });
    }
    Ok(out)
}

/// Replaces quoted and numeric details so similar messages group together.
fn message_shape(m: &str) -> String {
    let mut out = String::new();
    let mut in_tick = false;
    for c in m.chars() {
        if c == '`' {
            if !in_tick {
                out.push('…');
            }
            in_tick = !in_tick;
        } else if !in_tick {
            out.push(c);
        }
    }
    out
}

pub(crate) fn run(args: &ParseRateArgs) -> u8 {
    let records = match load(args) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return crate::EXIT_USAGE;
        }
    };
    let records = &records;
    let result = std::thread::scope(|s| {
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn_scoped(s, move || measure(records))
            .map(|h| h.join())
    });
    let Ok(Ok(m)) = result else {
        eprintln!("error: the parser panicked");
        return 2;
    };
    let mut shapes: BTreeMap<String, usize> = BTreeMap::new();
    for (_, msg) in &m.failures {
        *shapes.entry(message_shape(msg)).or_default() += 1;
    }
    let mut shapes: Vec<_> = shapes.into_iter().collect();
    shapes.sort_by_key(|s| std::cmp::Reverse(s.1));
    for (msg, n) in shapes.iter().take(args.show) {
        println!("{n:6}  {msg}");
    }
    if args.verbose {
        for (idx, msg) in &m.failures {
            let r = &records[*idx];
            println!("----- #{idx} {}\n{msg}\n{}", r.origin, r.query);
        }
    }
    for (idx, why) in m.roundtrip_failures.iter().take(5) {
        println!("round-trip mismatch #{idx}: {why}");
    }
    let n = records.len();
    let ok = n - m.failures.len();
    println!(
        "parse rate: {:.2}% ({ok} of {n} queries) in {:.3} s; round-trip: {} of {ok} identical",
        100.0 * ok as f64 / n.max(1) as f64,
        m.seconds,
        ok - m.roundtrip_failures.len(),
    );
    u8::from(!m.roundtrip_failures.is_empty())
}

struct Measured {
    failures: Vec<(usize, String)>,
    roundtrip_failures: Vec<(usize, String)>,
    seconds: f64,
}

fn measure(records: &[Record]) -> Measured {
    let start = Instant::now();
    let parsed: Vec<_> = records
        .iter()
        .map(|r| kql_parser::parse_script(&r.query))
        .collect();
    let seconds = start.elapsed().as_secs_f64();
    let mut failures = Vec::new();
    let mut roundtrip_failures = Vec::new();
    for (idx, p) in parsed.into_iter().enumerate() {
        match p {
            Err(d) => failures.push((
                idx,
                d.0.first().map(|d| d.message.clone()).unwrap_or_default(),
            )),
            Ok(queries) => {
                for q in queries {
                    let printed = q.to_string();
                    match kql_parser::parse_query(&printed) {
                        Ok(again) if again == q => {}
                        Ok(_) => roundtrip_failures
                            .push((idx, format!("printed text parses differently: {printed}"))),
                        Err(d) => roundtrip_failures
                            .push((idx, format!("printed text does not parse ({d}): {printed}"))),
                    }
                }
            }
        }
    }
    Measured {
        failures,
        roundtrip_failures,
        seconds,
    }
}
