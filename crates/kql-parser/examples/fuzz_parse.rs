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

/// Built-in seeds: valid queries over most operators and every literal form.
/// Valid seed queries over most operators and every literal form, shared with
/// `tests/robustness.rs`: `tests/seeds.kql`, separated by `// ----` lines.
static SEEDS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(seeds);

fn seeds() -> Vec<&'static str> {
    include_str!("../tests/seeds.kql")
        .split("\n// ----\n")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Fragments inserted by mutations to reach interesting parser states.
const TOKENS: &[&str] = &[
    "|",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    "@'",
    "@\"",
    "h'",
    "H\"",
    "```",
    "\\",
    "\\u",
    "\\u12",
    ",",
    ";",
    ":",
    "=",
    "==",
    "!=",
    "=~",
    "=>",
    "..",
    ".",
    "$left.",
    "$right.",
    "$table",
    "//",
    "\n\n",
    "\n",
    "\r\n",
    " ",
    "\t",
    "let ",
    "view ",
    "dynamic(",
    "datetime(",
    "timespan(",
    "time(",
    "guid(",
    "real(",
    "long(",
    "int(",
    "decimal(",
    "bool(",
    "by ",
    "on ",
    "with ",
    "kind=",
    " and ",
    " or ",
    "not(",
    "-",
    "+",
    "!",
    "*",
    "%",
    "/",
    "<",
    ">=",
    "1h",
    "1.5d",
    "100ms",
    "1e308",
    "1e-400",
    "99999999999999999999",
    "-9223372036854775808",
    "0x",
    "0xFFFFFFFFFFFFFFFFF",
    "nan",
    "+inf",
    "null",
    "true",
    "é",
    "日本",
    "\u{2028}",
    "\u{feff}",
    "\u{200b}",
    "\u{301}",
    "\u{1F600}",
    "\0",
    "\u{a0}",
    "T | ",
    "| where ",
    "| summarize ",
    "| join (",
    "| mv-expand ",
    "| mv-apply ",
    "| parse ",
    "| make-series ",
    "| render ",
    "| project ",
    "| extend ",
    "| top-nested ",
    "| scan ",
    "| fork (",
    "datatable(",
    "print ",
    "range ",
    "union ",
    "typeof(",
    "bin(",
    "in (",
    "!in (",
    "has ",
    "has_any (",
    "between (",
    "toscalar(",
    "materialize(",
    "case(",
    "iff(",
    "[0]",
    "['k']",
    ".b",
    "(T | count)",
    "set x = 1;",
    ".show tables",
    "{Param}",
    "{Param:start}",
    "*",
    "to typeof(",
    "step ",
    "from ",
    "asc ",
    "nulls first",
    "with (",
    "withsource=",
    "as ",
];

/// Characters that stress the lexer and span arithmetic.
const TRICKY: &[char] = &[
    '\u{0}',
    '\r',
    '\u{b}',
    '\u{c}',
    '\u{85}',
    '\u{a0}',
    '\u{2028}',
    '\u{2029}',
    '\u{feff}',
    '\u{200b}',
    '\u{301}',
    '\u{fffd}',
    'é',
    'ß',
    'İ',
    'ﬁ',
    '日',
    '\u{1F600}',
    '\u{10FFFF}',
    '\u{202e}',
];

// ---------------------------------------------------------------------------------------------
// RNG

/// xorshift64*: small, fast and reproducible.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        // splitmix64 so that nearby seeds give unrelated streams; never zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Rng(if z == 0 { 0x2545_F491_4F6C_DD1D } else { z })
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`0` when `n == 0`).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

fn time_seed() -> u64 {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    d.as_secs().wrapping_mul(1_000_000_007)
        ^ u64::from(d.subsec_nanos())
        ^ u64::from(std::process::id())
}

// ---------------------------------------------------------------------------------------------
// Mutation

struct Corpus {
    seeds: Vec<String>,
    /// Words harvested from the seeds (identifiers, keywords, operators).
    words: Vec<String>,
}

impl Corpus {
    fn new(seeds: Vec<String>) -> Corpus {
        let mut set = HashSet::new();
        for s in &seeds {
            for w in s.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')) {
                if (2..=24).contains(&w.len()) && set.len() < 20_000 {
                    set.insert(w.to_string());
                }
            }
        }
        let mut words: Vec<String> = set.into_iter().collect();
        words.sort();
        Corpus { seeds, words }
    }

    fn seed(&self, rng: &mut Rng) -> &str {
        self.seeds
            .get(rng.below(self.seeds.len()))
            .map_or("", String::as_str)
    }
}

/// A random byte range of `buf`, at most `max` long.
fn range(rng: &mut Rng, len: usize, max: usize) -> (usize, usize) {
    let start = rng.below(len + 1);
    let n = 1 + rng.below(max.max(1));
    (start, (start + n).min(len))
}

/// Applies one random mutation to `buf`.
fn mutate_once(rng: &mut Rng, corpus: &Corpus, buf: &mut Vec<u8>) {
    let len = buf.len();
    let at = rng.below(len + 1);
    match rng.below(16) {
        0 => buf.insert(at, rng.next() as u8),
        1 => {
            let c = if rng.chance(2) {
                rng.pick(TRICKY).copied().unwrap_or('\0')
            } else {
                char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}')
            };
            let mut tmp = [0u8; 4];
            buf.splice(at..at, c.encode_utf8(&mut tmp).bytes());
        }
        2 | 3 => {
            let t = rng.pick(TOKENS).copied().unwrap_or("|");
            buf.splice(at..at, t.bytes());
        }
        4 => {
            if let Some(w) = rng.pick(&corpus.words) {
                let w = w.clone();
                buf.splice(at..at, w.bytes());
            }
        }
        5 | 6 => {
            let (s, e) = range(rng, len, 16);
            buf.drain(s..e);
        }
        7 => {
            // Duplicate a substring elsewhere.
            let (s, e) = range(rng, len, 32);
            let piece = buf.get(s..e).unwrap_or(&[]).to_vec();
            let to = rng.below(len + 1);
            buf.splice(to..to, piece);
        }
        8 => {
            // Repeat a short substring in place many times: builds long chains and deep nesting.
            let (s, e) = range(rng, len, 12);
            let piece = buf.get(s..e).unwrap_or(&[]).to_vec();
            let most = if rng.chance(8) { 3000 } else { 60 };
            let times = 1 + rng.below(most);
            let mut rep = Vec::with_capacity(piece.len() * times);
            for _ in 0..times {
                rep.extend_from_slice(&piece);
            }
            buf.splice(e..e, rep);
        }
        9 => {
            // Splice: our prefix + another seed's suffix.
            let other = corpus.seed(rng).as_bytes();
            let from = rng.below(other.len() + 1);
            buf.truncate(at);
            buf.extend_from_slice(other.get(from..).unwrap_or(&[]));
        }
        10 => {
            // Insert a whole chunk of another seed.
            let other = corpus.seed(rng).as_bytes();
            let (s, e) = range(rng, other.len(), 64);
            buf.splice(at..at, other.get(s..e).unwrap_or(&[]).iter().copied());
        }
        11 => {
            if let Some(b) = buf.get_mut(rng.below(len)) {
                *b = rng.next() as u8;
            }
        }
        12 => {
            // Flip case / swap a byte for a neighbouring one in the punctuation set.
            if let Some(b) = buf.get_mut(rng.below(len)) {
                let punct = b"()[]{}|,;:=.'\"@$!<>-+*/ \n";
                let r = rng.below(punct.len());
                *b = if b.is_ascii_alphabetic() {
                    *b ^ 0x20
                } else {
                    punct.get(r).copied().unwrap_or(b' ')
                };
            }
        }
        13 => {
            // Wrap a range in brackets of one kind.
            let (s, e) = range(rng, len, 40);
            let (open, close) = *rng
                .pick(&[
                    ("(", ")"),
                    ("[", "]"),
                    ("{", "}"),
                    ("dynamic(", ")"),
                    ("f(", ")"),
                    ("'", "'"),
                ])
                .unwrap_or(&("(", ")"));
            buf.splice(e..e, close.bytes());
            buf.splice(s..s, open.bytes());
        }
        14 => {
            // Swap two chunks.
            let (s1, e1) = range(rng, len, 24);
            let (s2, e2) = range(rng, len, 24);
            if e1 <= s2 {
                let a = buf.get(s1..e1).unwrap_or(&[]).to_vec();
                let b = buf.get(s2..e2).unwrap_or(&[]).to_vec();
                buf.splice(s2..e2, a);
                buf.splice(s1..e1, b);
            }
        }
        _ => buf.truncate(at),
    }
}

fn mutate(rng: &mut Rng, corpus: &Corpus, max_len: usize) -> String {
    let mut buf = corpus.seed(rng).as_bytes().to_vec();
    let most = if rng.chance(4) { 16 } else { 4 };
    let n = if rng.chance(16) {
        0
    } else {
        1 + rng.below(most)
    };
    for _ in 0..n {
        mutate_once(rng, corpus, &mut buf);
        buf.truncate(max_len);
    }
    String::from_utf8_lossy(&buf).into_owned()
}

// ---------------------------------------------------------------------------------------------
// Checks

/// The outcome of checking one input.
struct Outcome {
    /// `parse_query` succeeded.
    parsed: bool,
    /// First problem found: (kind, details).
    failure: Option<(&'static str, String)>,
}

static PANIC_MESSAGE: Mutex<String> = Mutex::new(String::new());

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let loc = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut m) = PANIC_MESSAGE.lock() {
            *m = format!("{msg}{loc}");
        }
    }));
}

fn span_problem(src: &str, start: usize, end: usize) -> Option<String> {
    if start > end {
        Some(format!("span {start}..{end} is reversed"))
    } else if end > src.len() {
        Some(format!(
            "span {start}..{end} ends past the input ({} bytes)",
            src.len()
        ))
    } else if !src.is_char_boundary(start) || !src.is_char_boundary(end) {
        Some(format!("span {start}..{end} is not on char boundaries"))
    } else {
        None
    }
}

fn diagnostics_problem(src: &str, d: &Diagnostics) -> Option<String> {
    if d.0.is_empty() {
        return Some("an error with no diagnostics".into());
    }
    for diag in &d.0 {
        let spans = std::iter::once(diag.span).chain(diag.secondary.iter().map(|l| l.span));
        for s in spans {
            let r = s.range();
            if let Some(p) = span_problem(src, r.start, r.end) {
                return Some(format!("{} `{}`: {p}", diag.code.id, diag.message));
            }
        }
    }
    None
}

/// Checks every `a..b` span in an AST's `Debug` text (string contents skipped).
fn ast_spans_problem(src: &str, debug: &str) -> Option<String> {
    let b = debug.as_bytes();
    let mut i = 0;
    let num = |mut j: usize| {
        let s = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        (debug.get(s..j).and_then(|t| t.parse::<usize>().ok()), j)
    };
    while let Some(&c) = b.get(i) {
        if c == b'"' {
            i += 1;
            while let Some(&d) = b.get(i) {
                i += if d == b'\\' { 2 } else { 1 };
                if d == b'"' {
                    break;
                }
            }
            continue;
        }
        if c.is_ascii_digit()
            && (i == 0
                || b.get(i - 1)
                    .is_some_and(|p| *p == b' ' || *p == b'(' || *p == b'['))
        {
            let (a, j) = num(i);
            if b.get(j) == Some(&b'.') && b.get(j + 1) == Some(&b'.') {
                let (e, k) = num(j + 2);
                if let Some(p) = a.zip(e).and_then(|(a, e)| span_problem(src, a, e)) {
                    return Some(format!("AST {p}"));
                }
                i = k;
                continue;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    None
}

/// Runs the three parsers and the checks. Runs inside `catch_unwind`.
fn check_input(src: &str) -> Outcome {
    let mut failure: Option<(&'static str, String)> = None;
    let mut fail = |kind: &'static str, msg: String| {
        if failure.is_none() {
            failure = Some((kind, msg));
        }
    };

    let parsed = match parse_query(src) {
        Ok(ast) => {
            if let Some(p) = ast_spans_problem(src, &format!("{ast:?}")) {
                fail("query-ast-span", p);
            }
            let printed = ast.to_string();
            match parse_query(&printed) {
                Ok(again) if again == ast => {}
                Ok(again) => fail(
                    "query-roundtrip-changed",
                    format!("printed:  {printed:?}\nreprinted: {:?}", again.to_string()),
                ),
                Err(d) => fail(
                    "query-roundtrip-rejected",
                    format!("printed: {printed:?}\nerror: {}", first(&d)),
                ),
            }
            true
        }
        Err(d) => {
            if let Some(p) = diagnostics_problem(src, &d) {
                fail("query-diagnostic-span", p);
            }
            false
        }
    };

    match parse_script(src) {
        Ok(mut queries) => {
            // A chunk holding only `;` is an empty query that prints as nothing; ignore those.
            queries.retain(|q| !q.statements.is_empty());
            let printed: Vec<String> = queries.iter().map(ToString::to_string).collect();
            let joined = printed.join("\n\n");
            let reparsed = parse_script(&joined).map(|mut again| {
                again.retain(|q| !q.statements.is_empty());
                again
            });
            match reparsed {
                Ok(again) if again == queries => {}
                Ok(_) => fail("script-roundtrip-changed", format!("printed: {joined:?}")),
                Err(d) => fail(
                    "script-roundtrip-rejected",
                    format!("printed: {joined:?}\nerror: {}", first(&d)),
                ),
            }
        }
        Err(d) => {
            if let Some(p) = diagnostics_problem(src, &d) {
                fail("script-diagnostic-span", p);
            }
        }
    }

    match parse_expr(src) {
        Ok(e) => {
            if let Some(p) = ast_spans_problem(src, &format!("{e:?}")) {
                fail("expr-ast-span", p);
            }
            let printed = e.to_string();
            match parse_expr(&printed) {
                Ok(again) if again == e => {}
                Ok(again) => fail(
                    "expr-roundtrip-changed",
                    format!("printed:  {printed:?}\nreprinted: {:?}", again.to_string()),
                ),
                Err(d) => fail(
                    "expr-roundtrip-rejected",
                    format!("printed: {printed:?}\nerror: {}", first(&d)),
                ),
            }
        }
        Err(d) => {
            if let Some(p) = diagnostics_problem(src, &d) {
                fail("expr-diagnostic-span", p);
            }
        }
    }
    Outcome { parsed, failure }
}

fn first(d: &Diagnostics) -> String {
    d.0.first()
        .map(|x| format!("{}: {}", x.code.id, x.message))
        .unwrap_or_default()
}

/// `check_input` with panics turned into failures.
fn check_caught(src: &str) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| check_input(src))) {
        Ok(o) => o,
        Err(_) => {
            let msg = PANIC_MESSAGE.lock().map(|m| m.clone()).unwrap_or_default();
            Outcome {
                parsed: false,
                failure: Some(("panic", msg)),
            }
        }
    }
}

/// Greedy delta debugging: removes chunks while `still_fails` holds.
fn minimise(input: &str, mut still_fails: impl FnMut(&str) -> bool, budget: Duration) -> String {
    let start = Instant::now();
    let mut cur: Vec<char> = input.chars().collect();
    // Shortest failing prefix first (binary search; cheap, and deep-nesting failures are monotone).
    let (mut lo, mut hi) = (0, cur.len());
    while lo < hi && start.elapsed() <= budget {
        let mid = lo + (hi - lo) / 2;
        let s: String = cur.get(..mid).unwrap_or(&[]).iter().collect();
        if still_fails(&s) {
            hi = mid
        } else {
            lo = mid + 1
        }
    }
    if hi < cur.len() {
        let s: String = cur.get(..hi).unwrap_or(&[]).iter().collect();
        if still_fails(&s) {
            cur.truncate(hi);
        }
    }
    let mut chunk = (cur.len() / 2).max(1);
    loop {
        let mut i = 0;
        let mut progressed = false;
        while i < cur.len() {
            if start.elapsed() > budget {
                return cur.into_iter().collect();
            }
            let end = (i + chunk).min(cur.len());
            let mut cand = cur.clone();
            cand.drain(i..end);
            let s: String = cand.iter().collect();
            if still_fails(&s) {
                cur = cand;
                progressed = true;
            } else {
                i += chunk;
            }
        }
        if chunk == 1 && !progressed {
            break;
        }
        if !progressed {
            chunk = (chunk / 2).max(1);
        }
    }
    cur.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// Failure files

struct Saver {
    dir: PathBuf,
    saved: usize,
}

impl Saver {
    /// Writes `text` to the next free `<n>.kql` (and `<n>.min.kql` when given); returns the path.
    fn save(&mut self, text: &str, minimised: Option<&str>) -> Option<PathBuf> {
        if self.saved >= MAX_SAVED {
            return None;
        }
        std::fs::create_dir_all(&self.dir).ok()?;
        for n in 1.. {
            let p = self.dir.join(format!("{n}.kql"));
            let Ok(mut f) = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&p)
            else {
                continue;
            };
            f.write_all(text.as_bytes()).ok()?;
            if let Some(m) = minimised {
                std::fs::write(self.dir.join(format!("{n}.min.kql")), m).ok()?;
            }
            self.saved += 1;
            return Some(p);
        }
        None
    }
}

fn report(kind: &str, details: &str, input: &str, minimised: Option<&str>, path: Option<&Path>) {
    let mut s = String::new();
    let _ = writeln!(s, "fuzz: FAILURE {kind}: {details}");
    if let Some(p) = path {
        let _ = writeln!(s, "  saved to {}", p.display());
    }
    let _ = writeln!(s, "  input ({} bytes): {}", input.len(), preview(input));
    if let Some(m) = minimised {
        let _ = writeln!(s, "  minimised ({} bytes): {m:?}", m.len());
    }
    eprint!("{s}");
}

fn preview(s: &str) -> String {
    if s.len() <= 2000 {
        format!("{s:?}")
    } else {
        let cut = (0..=2000)
            .rev()
            .find(|i| s.is_char_boundary(*i))
            .unwrap_or(0);
        format!(
            "{:?}... ({} more bytes)",
            s.get(..cut).unwrap_or(""),
            s.len() - cut
        )
    }
}

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
