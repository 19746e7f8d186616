//! A fuzzer for the engine (planner and execution), for CI (a few seconds) and by hand (an hour):
//!
//! ```text
//! cargo run --release -p kql-engine --example fuzz_engine -- --seconds 3600 [--rng-seed N]
//!     [--rows N] [--timeout S] [--out DIR] [--verbose]
//! cargo run --release -p kql-engine --example fuzz_engine -- --replay FILE.case ...
//! ```
//!
//! Each input is a [`generate::Case`]: a random typed predicate `P` over one of two tables
//! (generated `AADProvisioningLogs` rows and `Edge`, a datatable of edge values, see `data.rs`),
//! a grouping key and an expression to take the min/max of. About ten queries are run for it
//! and checked against each other (`check.rs`): the three parts `P`, `not(P)`, `isnull(P)`
//! partition the rows for `countif`, `where`, and count/sum/min/max by the key; `extend p = P |
//! where p` keeps what `where P` keeps. Every query runs on a thread of its own inside
//! `catch_unwind`, with a time limit (`--timeout`, a hang ends the run); a panic, or a diagnostic
//! carrying DataFusion's internal texts, is a failure; a clean KS/KE refusal is only counted.
//!
//! Failures go to `<out>/<n>.case` (default `target/fuzz-engine-failures`) with the minimised case
//! in `<n>.min.case` and the reason and failing query in `<n>.txt`; `--replay` checks case files
//! again. The RNG seed is printed; `--rng-seed N` gives the same inputs.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool"
)]

mod check;
mod data;
#[path = "../../../kql-ingest/examples/fuzz_common/mod.rs"]
mod fuzz_common;
mod generate;

use fuzz_common::{PANIC, install_panic_hook};

use check::{Cell, Failure, Outcome, Verdict, check_case, internal_diagnostic};
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, Int32Type, Int64Type};
use generate::{Case, Rng, TableInfo};
use kql_engine::KqlContext;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Options {
    seconds: f64,
    rng_seed: Option<u64>,
    rows: usize,
    timeout: Duration,
    out: PathBuf,
    replay: Vec<PathBuf>,
    verbose: bool,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        seconds: 20.0,
        rng_seed: None,
        rows: 300,
        timeout: Duration::from_secs(60),
        out: std::env::current_exe()
            .ok()
            .and_then(|p| p.ancestors().nth(3).map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("target"))
            .join("fuzz-engine-failures"),
        replay: Vec::new(),
        verbose: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        let number = |v: String| v.parse::<f64>().map_err(|e| format!("{a}: {e}"));
        match a.as_str() {
            "--seconds" => o.seconds = number(value()?)?,
            "--rng-seed" => {
                o.rng_seed = Some(value()?.parse().map_err(|e| format!("--rng-seed: {e}"))?)
            }
            "--rows" => o.rows = number(value()?)? as usize,
            "--timeout" => o.timeout = Duration::from_secs_f64(number(value()?)?),
            "--out" => o.out = PathBuf::from(value()?),
            "--verbose" => o.verbose = true,
            "--replay" => o.replay.extend(args.by_ref().map(PathBuf::from)),
            "-h" | "--help" => {
                return Err(
                    "usage: fuzz_engine [--seconds N] [--rng-seed N] [--rows N] \
                            [--timeout S] [--out DIR] [--verbose] | --replay FILE.case ..."
                        .into(),
                );
            }
            other => return Err(format!("unknown option {other} (try --help)")),
        }
    }
    Ok(o)
}

/// Runs queries against the fuzzer's tables, each on a thread of its own with a time limit.
struct Engine {
    ctx: Arc<KqlContext>,
    runtime: Arc<tokio::runtime::Runtime>,
    timeout: Duration,
    queries: u64,
    /// Set when a query did not answer in time: its thread cannot be stopped, so the run ends.
    hung: bool,
}

impl Engine {
    fn new(rows: usize, timeout: Duration) -> Result<(Engine, Vec<TableInfo>), String> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let (ctx, tables) = runtime.block_on(data::tables(rows))?;
        let engine = Engine {
            ctx: Arc::new(ctx),
            runtime: Arc::new(runtime),
            timeout,
            queries: 0,
            hung: false,
        };
        Ok((engine, tables))
    }

    /// Runs `query`; `Err` for a panic, a hang or an internal error.
    fn run(&mut self, query: &str) -> Result<Outcome, Failure> {
        self.queries += 1;
        let failure = |kind, detail: String| Failure {
            kind,
            detail,
            query: query.to_owned(),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let (ctx, runtime, text) = (self.ctx.clone(), self.runtime.clone(), query.to_owned());
        let spawned = std::thread::Builder::new()
            .name("fuzz-query".into())
            .spawn(move || {
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    runtime.block_on(ctx.execute_at(&text, data::NOW))
                }));
                let _ = tx.send(outcome);
            });
        if let Err(e) = spawned {
            return Err(failure("fuzzer", format!("cannot start a thread: {e}")));
        }
        let result = match rx.recv_timeout(self.timeout) {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => {
                let panic = PANIC.lock().map(|p| p.clone()).unwrap_or_default();
                return Err(failure("panic", panic));
            }
            Err(_) => {
                self.hung = true;
                return Err(failure("hang", format!("no answer in {:?}", self.timeout)));
            }
        };
        match result {
            Ok(r) => Ok(Outcome::Rows(
                r.batches
                    .iter()
                    .flat_map(|b| {
                        (0..b.num_rows())
                            .map(|row| b.columns().iter().map(|c| cell(c, row)).collect())
                    })
                    .collect(),
            )),
            Err(diagnostics) => {
                let first = diagnostics.0.first();
                let code = first.map_or("", |d| d.code.id).to_owned();
                let message = first.map_or_else(String::new, |d| d.message.clone());
                // A panic inside DataFusion's tasks comes back as an internal-error diagnostic.
                if internal_diagnostic(&code, &message) {
                    let panic = PANIC.lock().map(|p| p.clone()).unwrap_or_default();
                    let kind = if message.contains("panic") {
                        "panic"
                    } else {
                        "internal error"
                    };
                    return Err(failure(kind, format!("{code}: {message} {panic}")));
                }
                Ok(Outcome::Refused(code, message))
            }
        }
    }

    fn check(&mut self, case: &Case) -> Result<Verdict, Failure> {
        check_case(case, &mut |q| self.run(q))
    }
}

/// One result cell as a [`Cell`]: datetimes and timespans are Int64 ticks in kqlite's batches.
fn cell(a: &ArrayRef, row: usize) -> Cell {
    if a.is_null(row) {
        return Cell::Null;
    }
    match a.data_type() {
        DataType::Int64 => Cell::I64(a.as_primitive::<Int64Type>().value(row)),
        DataType::Int32 => Cell::I64(i64::from(a.as_primitive::<Int32Type>().value(row))),
        DataType::Float64 => Cell::F64(a.as_primitive::<Float64Type>().value(row)),
        DataType::Boolean => Cell::Bool(a.as_boolean().value(row)),
        DataType::Utf8 => Cell::Str(a.as_string::<i32>().value(row).to_owned()),
        _ => Cell::Str(
            datafusion::arrow::util::display::array_value_to_string(a, row).unwrap_or_default(),
        ),
    }
}

/// Shrinks one field of a failing case while the same kind of failure remains: drops chunks of
/// characters, halving the chunk size (most cuts do not parse and are simply rejected).
fn minimise(
    case: &Case,
    field: fn(&mut Case) -> &mut String,
    still_fails: &mut impl FnMut(&Case) -> bool,
    deadline: Instant,
) -> Case {
    let mut best = case.clone();
    let mut chunk = (field(&mut best).chars().count() / 2).max(1);
    loop {
        let mut i = 0;
        while i < field(&mut best).chars().count() {
            if Instant::now() > deadline {
                return best;
            }
            let mut cand = best.clone();
            let text: String = field(&mut cand)
                .chars()
                .enumerate()
                .filter(|(j, _)| *j < i || *j >= i + chunk)
                .map(|(_, c)| c)
                .collect();
            *field(&mut cand) = text;
            if !field(&mut cand).trim().is_empty() && still_fails(&cand) {
                best = cand;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 {
            return best;
        }
        chunk /= 2;
    }
}

/// What tells one bug from another: the kind, and for errors and panics their message with the
/// numbers and quoted text left out (so that one bug found an hour long does not hide the others).
fn signature(failure: &Failure) -> String {
    if !matches!(
        failure.kind,
        "internal error" | "panic" | "inconsistent refusal"
    ) {
        return failure.kind.to_owned();
    }
    let mut message = String::new();
    let mut quoted = false;
    for c in failure.detail.chars().take(160) {
        match c {
            '"' | '`' | '\'' => quoted = !quoted,
            c if quoted || c.is_ascii_digit() => {}
            c => message.push(c),
        }
    }
    format!("{}: {}", failure.kind, message.trim())
}

fn predicate_of(c: &mut Case) -> &mut String {
    &mut c.predicate
}

fn minmax_of(c: &mut Case) -> &mut String {
    &mut c.minmax
}

/// Writes the case, its minimised form and the reason as `<out>/<n>.*`; returns the path.
fn save(out: &Path, case: &Case, min: &Case, failure: &Failure) -> Option<PathBuf> {
    std::fs::create_dir_all(out).ok()?;
    for n in 1.. {
        let path = out.join(format!("{n}.case"));
        let Ok(file) = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        else {
            continue;
        };
        drop(file);
        std::fs::write(&path, case.to_text()).ok()?;
        std::fs::write(out.join(format!("{n}.min.case")), min.to_text()).ok()?;
        let reason = format!(
            "{}: {}\nquery: {}\n",
            failure.kind, failure.detail, failure.query
        );
        std::fs::write(out.join(format!("{n}.txt")), reason).ok()?;
        return Some(path);
    }
    None
}

fn fuzz(o: &Options) -> ExitCode {
    let seed = o.rng_seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    println!("fuzz_engine: rng seed {seed} (replay with --rng-seed {seed})");
    let (mut engine, tables) = match Engine::new(o.rows, o.timeout) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("fuzz_engine: {e}");
            return ExitCode::from(2);
        }
    };
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    let (mut inputs, mut failures, mut held) = (0u64, 0u64, 0u64);
    let mut refused: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut kinds_seen: BTreeMap<String, u64> = BTreeMap::new();
    while started.elapsed().as_secs_f64() < o.seconds {
        let case = generate::case(&mut rng, &tables);
        inputs += 1;
        match engine.check(&case) {
            Ok(Verdict::Held) => held += 1,
            Ok(Verdict::Refused(code, message)) => {
                let entry = refused.entry(code).or_insert((0, String::new()));
                entry.0 += 1;
                if o.verbose {
                    println!("refused: {message}\n  where {}", case.predicate);
                }
                entry.1 = message;
            }
            Err(failure) => {
                failures += 1;
                let seen = kinds_seen.entry(signature(&failure)).or_insert(0);
                *seen += 1;
                if engine.hung {
                    let min = case.clone();
                    let path = save(&o.out, &case, &min, &failure);
                    report(&failure, &case, &min, path.as_deref());
                    // The hung thread cannot be stopped: end the run here.
                    break;
                }
                if *seen > 3 {
                    // Reported (and minimised) three times per signature; the rest are counted.
                    continue;
                }
                let kind = failure.kind;
                // 20 s a failure, and no more than 10 s past the end of the run (CI's budget).
                let run_end = started + Duration::from_secs_f64(o.seconds.max(0.0));
                let deadline = (Instant::now() + Duration::from_secs(20))
                    .min(run_end + Duration::from_secs(10));
                let mut still_fails =
                    |c: &Case| !engine.hung && engine.check(c).is_err_and(|f| f.kind == kind);
                let mut min = case.clone();
                let fields: [fn(&mut Case) -> &mut String; 2] = [predicate_of, minmax_of];
                for field in fields {
                    min = minimise(&min, field, &mut still_fails, deadline);
                }
                let path = save(&o.out, &case, &min, &failure);
                report(&failure, &case, &min, path.as_deref());
                if engine.hung {
                    break;
                }
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    for (signature, n) in &kinds_seen {
        println!("fuzz_engine: {n} x {signature}");
    }
    for (code, (n, example)) in &refused {
        println!("fuzz_engine: refused {n} x {code} (last: {example})");
    }
    println!(
        "fuzz_engine: {inputs} inputs, {failures} failures in {seconds:.0} s \
         ({held} checked, {} refused; {} queries, {:.0} queries/s)",
        refused.values().map(|(n, _)| n).sum::<u64>(),
        engine.queries,
        engine.queries as f64 / seconds.max(0.001)
    );
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn report(failure: &Failure, case: &Case, min: &Case, path: Option<&Path>) {
    println!("FAILURE {}: {}", failure.kind, failure.detail);
    println!("  query: {}", failure.query);
    if let Some(p) = path {
        println!("  saved to {}", p.display());
    }
    if min != case {
        println!("  minimised predicate: {}", min.predicate);
        println!("  minimised min/max expression: {}", min.minmax);
    }
}

fn replay(o: &Options) -> ExitCode {
    let (mut engine, _) = match Engine::new(o.rows, o.timeout) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("fuzz_engine: {e}");
            return ExitCode::from(2);
        }
    };
    let mut failures = 0;
    for path in &o.replay {
        let case = match std::fs::read_to_string(path).map_err(|e| e.to_string()) {
            Ok(text) => Case::from_text(&text),
            Err(e) => Err(e),
        };
        let case = match case {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        match engine.check(&case) {
            Err(failure) => {
                failures += 1;
                println!(
                    "FAILURE {}: {}: {}",
                    path.display(),
                    failure.kind,
                    failure.detail
                );
                println!("  query: {}", failure.query);
            }
            Ok(Verdict::Refused(code, message)) => {
                println!("ok {} (refused: {code} {message})", path.display());
            }
            Ok(Verdict::Held) => println!("ok {}", path.display()),
        }
        if engine.hung {
            break;
        }
    }
    println!(
        "fuzz_engine: {} inputs, {failures} failures",
        o.replay.len()
    );
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("fuzz_engine: {e}");
            return ExitCode::from(2);
        }
    };
    install_panic_hook();
    if o.replay.is_empty() {
        fuzz(&o)
    } else {
        replay(&o)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic, reason = "tests fail by panicking")]
mod tests {
    use super::*;

    /// Most generated predicates plan and run on both tables, so the oracles check something.
    #[test]
    fn most_generated_cases_run_and_hold() {
        let (mut engine, tables) = Engine::new(50, Duration::from_secs(120)).unwrap();
        let mut rng = Rng::new(7);
        let (mut held, mut refused, mut failed) = (0, 0, 0);
        for _ in 0..40 {
            let case = generate::case(&mut rng, &tables);
            match engine.check(&case) {
                Ok(Verdict::Held) => held += 1,
                Ok(Verdict::Refused(..)) => refused += 1,
                // Bugs the fuzzer finds are its business, not this test's.
                Err(_) => failed += 1,
            }
        }
        assert!(
            held >= 28,
            "{held} held, {refused} refused, {failed} failed of 40"
        );
    }

    #[test]
    fn a_case_reads_back_from_its_text() {
        let (_, tables) = Engine::new(10, Duration::from_secs(60)).unwrap();
        let case = generate::case(&mut Rng::new(3), &tables);
        assert_eq!(Case::from_text(&case.to_text()), Ok(case));
    }
}
