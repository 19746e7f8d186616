//! A long-running mutation fuzzer for the KQL parser, for humans and CI-by-hand:
//!
//! ```text
//! cargo run --release -p kql-parser --example fuzz_parse -- --seconds 600 [--seeds FILE.ndjson|FILE.kql ...]
//!     [--rng-seed N] [--out DIR] [--max-len BYTES]
//! cargo run --release -p kql-parser --example fuzz_parse -- --replay FILE.kql ...
//! ```
//!
//! Each input is a built-in or file seed (NDJSON lines with a `"query"` field, or whole `.kql`
//! files) after a few random mutations. It is given to `parse_query`, `parse_script` and
//! `parse_expr` inside `catch_unwind`, on a thread with an 8 MiB stack. Checked: no panic, no stack
//! overflow, every diagnostic and AST span inside the input on char boundaries, and for inputs that
//! parse, printing and re-parsing gives an equal AST.
//!
//! A stack overflow aborts the process, so the fuzzing runs in a child process (`--worker`) that
//! writes each input to `<out>/current.kql` before parsing it; when the child dies the supervisor
//! saves that input as a failure, minimises it and starts a new child. Failures go to
//! `<out>/<n>.kql` (default `target/fuzz-failures`) with the minimised form in `<n>.min.kql`.
//! The RNG seed is printed; `--rng-seed N` replays the same input sequence.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Seek, SeekFrom, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kql_parser::{Diagnostics, parse_expr, parse_query, parse_script};

/// Stack size of the parsing thread: a realistic main-thread size.
const STACK: usize = 8 * 1024 * 1024;
/// Failure files written per run (all failures are counted).
const MAX_SAVED: usize = 50;
/// Failures of one kind reported (and minimised) per worker; the rest are only counted.
const REPORTS_PER_KIND: usize = 3;

#[path = "../../tests/mutation_inputs/mod.rs"]
mod mutation_inputs;

mod check;
mod failures;
mod mutate;

use check::*;
use failures::*;
use mutate::*;

// ---------------------------------------------------------------------------------------------
// Options

struct Options {
    seconds: f64,
    seeds: Vec<PathBuf>,
    rng_seed: Option<u64>,
    out: PathBuf,
    max_len: usize,
    worker: bool,
    replay: Vec<PathBuf>,
    quiet: bool,
}

fn default_out() -> PathBuf {
    // target/<profile>/examples/fuzz_parse -> target/fuzz-failures
    std::env::current_exe()
        .ok()
        .and_then(|p| p.ancestors().nth(3).map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target"))
        .join("fuzz-failures")
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        seconds: 60.0,
        seeds: Vec::new(),
        rng_seed: None,
        out: default_out(),
        max_len: 64 * 1024,
        worker: false,
        replay: Vec::new(),
        quiet: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    let value = |i: usize| {
        args.get(i + 1)
            .cloned()
            .ok_or_else(|| format!("{} needs a value", args[i]))
    };
    while i < args.len() {
        match args[i].as_str() {
            "--seconds" => {
                o.seconds = value(i)?.parse().map_err(|e| format!("--seconds: {e}"))?;
                i += 2;
            }
            "--rng-seed" => {
                o.rng_seed = Some(value(i)?.parse().map_err(|e| format!("--rng-seed: {e}"))?);
                i += 2;
            }
            "--out" => {
                o.out = PathBuf::from(value(i)?);
                i += 2;
            }
            "--max-len" => {
                o.max_len = value(i)?.parse().map_err(|e| format!("--max-len: {e}"))?;
                i += 2;
            }
            "--worker" => {
                o.worker = true;
                i += 1;
            }
            "--quiet" => {
                o.quiet = true;
                i += 1;
            }
            "--seeds" | "--replay" => {
                let list = if args[i] == "--seeds" {
                    &mut o.seeds
                } else {
                    &mut o.replay
                };
                i += 1;
                while let Some(a) = args.get(i).filter(|a| !a.starts_with("--")) {
                    list.push(PathBuf::from(a));
                    i += 1;
                }
            }
            "-h" | "--help" => {
                return Err("usage: fuzz_parse [--seconds N] [--seeds FILE.ndjson|FILE.kql ...] [--rng-seed N] \
                     [--out DIR] [--max-len BYTES] | --replay FILE ..."
                    .into());
            }
            other => return Err(format!("unknown argument `{other}` (try --help)")),
        }
    }
    Ok(o)
}

fn load_seeds(files: &[PathBuf]) -> Result<Vec<String>, String> {
    let mut seeds: Vec<String> = SEEDS.iter().map(|s| (*s).to_string()).collect();
    for f in files {
        let text = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
        let is_ndjson = f.extension().is_some_and(|e| e == "ndjson" || e == "jsonl");
        if is_ndjson {
            for (n, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let v: serde_json::Value = serde_json::from_str(line)
                    .map_err(|e| format!("{}:{}: {e}", f.display(), n + 1))?;
                if let Some(q) = v.get("query").and_then(|q| q.as_str()) {
                    seeds.push(q.to_string());
                }
            }
        } else {
            seeds.push(text);
        }
    }
    Ok(seeds)
}

// ---------------------------------------------------------------------------------------------
// Modes

/// Runs `f` on a thread with an 8 MiB stack.
fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    std::thread::Builder::new()
        .name("fuzz".into())
        .stack_size(STACK)
        .spawn(f)
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| "the fuzz thread panicked".to_string())
}

/// `--replay`: checks each file once. Exit 1 on any failure.
fn replay(o: &Options) -> ExitCode {
    let files = o.replay.clone();
    let quiet = o.quiet;
    let r = on_big_stack(move || {
        install_panic_hook();
        let mut bad = 0;
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else {
                eprintln!("fuzz: cannot read {}", f.display());
                bad += 1;
                continue;
            };
            let out = check_caught(&text);
            match out.failure {
                Some((kind, msg)) => {
                    bad += 1;
                    if !quiet {
                        eprintln!("{}: FAILURE {kind}: {msg}", f.display());
                    }
                }
                None if !quiet => eprintln!(
                    "{}: ok (parse_query {})",
                    f.display(),
                    if out.parsed { "Ok" } else { "Err" }
                ),
                None => {}
            }
        }
        bad
    });
    match r {
        Ok(0) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    }
}

/// `--worker`: fuzzes until the time is up; prints `progress inputs parsed failures` lines.
fn worker(o: &Options) -> ExitCode {
    let seeds = match load_seeds(&o.seeds) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("fuzz: {e}");
            return ExitCode::from(2);
        }
    };
    let seed = o.rng_seed.unwrap_or_else(time_seed);
    let (seconds, max_len, dir) = (o.seconds, o.max_len, o.out.clone());
    let r = on_big_stack(move || {
        install_panic_hook();
        let corpus = Corpus::new(seeds);
        let mut rng = Rng::new(seed);
        let deadline = Instant::now() + Duration::from_secs_f64(seconds.max(0.0));
        let _ = std::fs::create_dir_all(&dir);
        let mut current = std::fs::File::create(dir.join("current.kql")).ok();
        // Records the input about to be parsed, so the supervisor can save it if we die.
        let mut record = move |input: &str| {
            if let Some(f) = current.as_mut() {
                let _ = f
                    .seek(SeekFrom::Start(0))
                    .and_then(|_| f.set_len(0))
                    .and_then(|()| f.write_all(input.as_bytes()));
            }
        };
        let mut saver = Saver {
            dir: dir.clone(),
            saved: 0,
        };
        let mut per_kind: HashMap<&'static str, usize> = HashMap::new();
        let (mut inputs, mut parsed, mut failures) = (0u64, 0u64, 0u64);
        let mut last = Instant::now();
        let mut stdout = std::io::stdout();
        while Instant::now() < deadline {
            let input = mutate(&mut rng, &corpus, max_len);
            record(&input);
            let out = check_caught(&input);
            inputs += 1;
            parsed += u64::from(out.parsed);
            if let Some((kind, msg)) = out.failure {
                failures += 1;
                let seen = per_kind.entry(kind).or_insert(0);
                *seen += 1;
                if *seen <= REPORTS_PER_KIND {
                    let min = minimise(
                        &input,
                        |s| {
                            record(s);
                            check_caught(s).failure.is_some_and(|(k, _)| k == kind)
                        },
                        Duration::from_secs(10),
                    );
                    let min_details = check_caught(&min)
                        .failure
                        .map(|(_, m)| m)
                        .unwrap_or_default();
                    let path = saver.save(&input, Some(&min));
                    report(kind, &msg, &input, Some(&min), path.as_deref());
                    if !min_details.is_empty() && min_details != msg {
                        eprintln!("  minimised failure: {min_details}");
                    }
                }
            }
            if last.elapsed() > Duration::from_millis(100) {
                let _ = writeln!(stdout, "progress {inputs} {parsed} {failures}");
                let _ = stdout.flush();
                last = Instant::now();
            }
        }
        let _ = writeln!(stdout, "progress {inputs} {parsed} {failures}");
        let mut kinds: Vec<_> = per_kind.into_iter().collect();
        kinds.sort();
        for (k, n) in kinds {
            eprintln!("fuzz: worker: {n} x {k}");
        }
        let _ = writeln!(stdout, "done");
        let _ = stdout.flush();
        failures
    });
    match r {
        Ok(0) => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e) => {
            eprintln!("fuzz: {e}");
            ExitCode::from(3)
        }
    }
}

/// Whether replaying `text` in a child process crashes it (stack overflow or abort).
fn crashes(exe: &Path, dir: &Path, text: &str) -> bool {
    let p = dir.join("minimise.kql");
    if std::fs::write(&p, text).is_err() {
        return false;
    }
    let status = Command::new(exe)
        .args(["--quiet", "--replay"])
        .arg(&p)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    // A clean run exits 0 or 1; a stack overflow kills the process with a signal.
    status.is_ok_and(|s| s.code().is_none_or(|c| c > 1))
}

/// The supervisor: runs workers until the time is up, recording the input that killed a worker.
fn supervise(o: &Options) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("fuzz: cannot find own executable: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = load_seeds(&o.seeds)
        .map(|s| eprintln!("fuzz: {} seeds ({} built in)", s.len(), SEEDS.len()))
    {
        eprintln!("fuzz: {e}");
        return ExitCode::from(2);
    }
    let rng_seed = o.rng_seed.unwrap_or_else(time_seed);
    eprintln!(
        "fuzz: rng seed {rng_seed} (reproduce with --rng-seed {rng_seed}); failures go to {}",
        o.out.display()
    );
    let started = Instant::now();
    let deadline = started + Duration::from_secs_f64(o.seconds.max(0.0));
    let mut saver = Saver {
        dir: o.out.clone(),
        saved: 0,
    };
    let (mut inputs, mut parsed, mut failures) = (0u64, 0u64, 0u64);
    let mut worker_seed = rng_seed;
    let mut crash_inputs = HashSet::new();
    let mut last_note = Instant::now();
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            break;
        }
        let mut cmd = Command::new(&exe);
        cmd.arg("--worker")
            .args(["--rng-seed", &worker_seed.to_string()])
            .args(["--seconds", &format!("{:.3}", remaining.as_secs_f64())])
            .args(["--max-len", &o.max_len.to_string()])
            .arg("--out")
            .arg(&o.out);
        if !o.seeds.is_empty() {
            cmd.arg("--seeds").args(&o.seeds);
        }
        let mut child = match cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("fuzz: cannot start worker: {e}");
                return ExitCode::from(2);
            }
        };
        let (mut wi, mut wp, mut wf, mut done) = (0u64, 0u64, 0u64, false);
        if let Some(out) = child.stdout.take() {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let mut it = line.split_whitespace();
                match it.next() {
                    Some("progress") => {
                        let mut n = || it.next().and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
                        (wi, wp, wf) = (n(), n(), n());
                        if last_note.elapsed() > Duration::from_secs(10) {
                            eprintln!(
                                "fuzz: {:>5.0} s: {} inputs, {} parsed, {} failures",
                                started.elapsed().as_secs_f64(),
                                inputs + wi,
                                parsed + wp,
                                failures + wf
                            );
                            last_note = Instant::now();
                        }
                    }
                    Some("done") => done = true,
                    _ => {}
                }
            }
        }
        let status = child.wait();
        inputs += wi;
        parsed += wp;
        failures += wf;
        let clean = status
            .as_ref()
            .is_ok_and(|s| s.code().is_some_and(|c| c <= 1))
            && done;
        if clean {
            break;
        }
        // The worker died: the input it was parsing is in current.kql.
        let text = std::fs::read_to_string(o.out.join("current.kql")).unwrap_or_default();
        inputs += 1;
        failures += 1;
        let status_text = match &status {
            Ok(s) => s.to_string(),
            Err(e) => e.to_string(),
        };
        if crash_inputs.insert(text.clone()) {
            // Minimising spawns a process per try; it may use up to 30 s past the deadline.
            let budget = deadline
                .saturating_duration_since(Instant::now())
                .clamp(Duration::from_secs(5), Duration::from_secs(30));
            let min = if crashes(&exe, &o.out, &text) {
                Some(minimise(&text, |s| crashes(&exe, &o.out, s), budget))
            } else {
                None
            };
            let path = saver.save(&text, min.as_deref());
            report(
                "crash (stack overflow or abort)",
                &status_text,
                &text,
                min.as_deref(),
                path.as_deref(),
            );
            let _ = std::fs::remove_file(o.out.join("minimise.kql"));
        }
        worker_seed = Rng::new(worker_seed).next();
        eprintln!("fuzz: restarting the worker with --rng-seed {worker_seed}");
    }
    let _ = std::fs::remove_file(o.out.join("current.kql"));
    println!(
        "fuzz: {inputs} inputs in {:.1} s, {parsed} parsed, {failures} failures",
        started.elapsed().as_secs_f64()
    );
    if failures > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if !o.replay.is_empty() {
        replay(&o)
    } else if o.worker {
        worker(&o)
    } else {
        supervise(&o)
    }
}
