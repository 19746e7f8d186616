//! A mutation fuzzer for the loaders, for CI (a few seconds) and by hand (an hour):
//!
//! ```text
//! cargo run --release -p kql-engine --example fuzz_load -- --seconds 3600 [--rng-seed N]
//!     [--rows N] [--out DIR]
//! cargo run --release -p kql-engine --example fuzz_load -- --replay FILE ...
//! ```
//!
//! Each input is one export of every shape kqlite reads (Log Analytics rows, Graph page, portal
//! JSON, PT1H.json, Event Hub body, query API response, Log Analytics CSV, the portal's three CSV
//! files, a Parquet snapshot), damaged a few times as real files are (`tail -c`, `head -c`,
//! flipped and zeroed bytes, NULs, bad UTF-8, lone CRs, merged, lost and repeated lines, numbers
//! that do not fit), then stored as it is, as gzip (maybe cut) or as UTF-16. It is written to a
//! file and loaded on a thread of its own. Checked: no panic, no hang (`--timeout`), errors name
//! the file, the batches hold the rows the report says were loaded, and loaded + rejected +
//! duplicates equals the records in the file, counted independently of the loaders (`check.rs`).
//! Failures are written to `<out>/<n>.<name>` with the reason beside them in `<n>.txt` (default
//! `target/fuzz-load-failures`); the run prints its RNG seed, and `--rng-seed N` replays it.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool"
)]

mod check;
#[path = "../fuzz_common/mod.rs"]
mod fuzz_common;
mod mutate;

use fuzz_common::{PANIC, install_panic_hook};

use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::DataFusionError;
use kql_ingest::load::LoadReport;
use kql_ingest::load::files::Loader;
use kql_ingest::tables::aad_provisioning_logs;
use mutate::{Rng, Seed};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

struct Options {
    seconds: f64,
    rng_seed: Option<u64>,
    rows: usize,
    out: PathBuf,
    timeout: Duration,
    replay: Vec<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        seconds: 10.0,
        rng_seed: None,
        rows: 30,
        out: std::env::current_exe()
            .ok()
            .and_then(|p| p.ancestors().nth(3).map(Path::to_path_buf))
            .unwrap_or_else(|| PathBuf::from("target"))
            .join("fuzz-load-failures"),
        timeout: Duration::from_secs(60),
        replay: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        let number = |v: String| v.parse::<f64>().map_err(|e| format!("{a}: {e}"));
        match a.as_str() {
            "--seconds" => o.seconds = number(value()?)?,
            "--rng-seed" => o.rng_seed = Some(number(value()?)? as u64),
            "--rows" => o.rows = number(value()?)? as usize,
            "--timeout" => o.timeout = Duration::from_secs_f64(number(value()?)?),
            "--out" => o.out = PathBuf::from(value()?),
            "--replay" => o.replay.extend(args.by_ref().map(PathBuf::from)),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(o)
}

/// The batches of one file, its report, and the reports of the files joined at the end.
type Loaded = (Vec<RecordBatch>, LoadReport, Vec<LoadReport>);

/// Loads `path` as `kqlite query --data` would (one load, then its end) on a thread of its own.
/// `Err` is a failure of the loaders: a panic or a hang.
fn load(path: &Path, timeout: Duration) -> Result<Result<Loaded, DataFusionError>, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = path.to_path_buf();
    std::thread::spawn(move || {
        let outcome = std::panic::catch_unwind(|| {
            let schema = aad_provisioning_logs();
            let mut loader = Loader::new();
            let (batches, report) = loader.load_file(&owned, &schema)?;
            let (more, finished) = loader.finish(&schema)?;
            Ok((batches.into_iter().chain(more).collect(), report, finished))
        });
        let _ = tx.send(outcome);
    });
    match rx.recv_timeout(timeout) {
        Ok(Ok(result)) => Ok(result),
        Ok(Err(_)) => Err(PANIC.lock().map(|p| p.clone()).unwrap_or_default()),
        Err(_) => Err(format!("hang: no answer in {timeout:?}")),
    }
}

/// Checks one stored input; `Some(reason)` when the loaders failed it.
fn check_file(path: &Path, bytes: &[u8], timeout: Duration) -> Option<String> {
    let name = path.display().to_string();
    let (batches, report, finished) = match load(path, timeout) {
        Err(failure) => return Some(failure),
        Ok(Err(e)) => {
            let message = e.to_string();
            return (!message.contains(&name))
                .then(|| format!("an error that does not name the file: {message}"));
        }
        Ok(Ok(loaded)) => loaded,
    };
    let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
    let reported = report.loaded + finished.iter().map(|r| r.loaded).sum::<usize>();
    if rows != reported {
        return Some(format!(
            "{rows} rows in the batches, {reported} reported loaded"
        ));
    }
    if bytes.starts_with(b"PAR1") {
        return None;
    }
    let Some(text) = check::loaded_text(bytes) else {
        return Some("a damaged gzip stream loaded without an error".to_owned());
    };
    if report.held_back {
        // One part of the portal's three-file download: its records are only whole with the
        // other two files', so only the checks above apply.
        return None;
    }
    check::accounting_problem(&text, &report)
}

fn parquet_seed(dir: &Path, rows: usize) -> Option<Seed> {
    let text = kql_ingest::generate::write(
        &kql_ingest::generate::rows(&kql_ingest::generate::GenOptions {
            rows,
            seed: 9,
            start: kql_ingest::generate::DEMO_START,
            days: 1,
        }),
        kql_ingest::generate::Shape::Ndjson,
    );
    let schema = aad_provisioning_logs();
    let (batches, _) = Loader::new()
        .load_bytes("seed", text.as_bytes(), &schema)
        .ok()?;
    let path = dir.join("seed.parquet");
    kql_ingest::load::parquet::write_snapshot(&path, &schema, &batches).ok()?;
    Some(Seed {
        name: "snapshot.parquet".to_owned(),
        bytes: std::fs::read(&path).ok()?,
        binary: true,
    })
}

/// Damage to a snapshot: flipped, zeroed or cut bytes.
fn mutate_binary(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    match rng.below(3) {
        0 => {
            for _ in 0..=rng.below(16) {
                let at = rng.below(b.len());
                b[at] = rng.next() as u8;
            }
        }
        1 => {
            let at = rng.below(b.len());
            let end = (at + 1 + rng.below(4096)).min(b.len());
            b[at..end].iter_mut().for_each(|x| *x = 0);
        }
        _ => b.truncate(rng.below(b.len())),
    }
    b
}

fn fuzz(o: &Options) -> ExitCode {
    let seed = o.rng_seed.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    println!("fuzz_load: rng seed {seed} (replay with --rng-seed {seed})");
    let work = o.out.join("work");
    if let Err(e) = std::fs::create_dir_all(&work) {
        eprintln!("{}: {e}", work.display());
        return ExitCode::FAILURE;
    }
    let mut seeds = mutate::seeds(o.rows);
    seeds.extend(parquet_seed(&work, o.rows.max(1)));
    let mut rng = Rng::new(seed);
    let started = Instant::now();
    let (mut inputs, mut failures) = (0usize, 0usize);
    while started.elapsed().as_secs_f64() < o.seconds {
        let s = &seeds[rng.below(seeds.len())];
        let bytes = if s.binary {
            mutate_binary(&mut rng, &s.bytes)
        } else {
            let text = mutate::mutate(&mut rng, &s.bytes);
            mutate::encode(&mut rng, text)
        };
        let path = work.join(&s.name);
        if let Err(e) = std::fs::write(&path, &bytes) {
            eprintln!("{}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        inputs += 1;
        if let Some(reason) = check_file(&path, &bytes, o.timeout) {
            failures += 1;
            let saved = o.out.join(format!("{failures}.{}", s.name));
            let _ = std::fs::write(&saved, &bytes);
            let _ = std::fs::write(o.out.join(format!("{failures}.txt")), &reason);
            println!("FAILURE {}: {reason}", saved.display());
            if reason.starts_with("hang") {
                // The hung thread cannot be stopped: end the run here.
                break;
            }
        }
    }
    println!(
        "fuzz_load: {inputs} inputs, {failures} failures in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn replay(o: &Options) -> ExitCode {
    let mut failures = 0;
    for path in &o.replay {
        let Ok(bytes) = std::fs::read(path) else {
            eprintln!("{}: cannot read", path.display());
            return ExitCode::FAILURE;
        };
        match check_file(path, &bytes, o.timeout) {
            Some(reason) => {
                failures += 1;
                println!("FAILURE {}: {reason}", path.display());
            }
            None => println!("ok {}", path.display()),
        }
    }
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
            eprintln!("fuzz_load: {e}");
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
