//! What is checked on each input, and how a failing input is minimised.

use super::*;

// ---------------------------------------------------------------------------------------------
// Checks

/// The outcome of checking one input.
pub(crate) struct Outcome {
    /// `parse_query` succeeded.
    pub(crate) parsed: bool,
    /// First problem found: (kind, details).
    pub(crate) failure: Option<(&'static str, String)>,
}

pub(crate) static PANIC_MESSAGE: Mutex<String> = Mutex::new(String::new());

pub(crate) fn install_panic_hook() {
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

pub(crate) fn span_problem(src: &str, start: usize, end: usize) -> Option<String> {
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

pub(crate) fn diagnostics_problem(src: &str, d: &Diagnostics) -> Option<String> {
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
pub(crate) fn ast_spans_problem(src: &str, debug: &str) -> Option<String> {
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

/// The failure kinds of one parser's checks.
struct Kinds {
    ast_span: &'static str,
    roundtrip_changed: &'static str,
    roundtrip_rejected: &'static str,
    diagnostic_span: &'static str,
}

const QUERY: Kinds = Kinds {
    ast_span: "query-ast-span",
    roundtrip_changed: "query-roundtrip-changed",
    roundtrip_rejected: "query-roundtrip-rejected",
    diagnostic_span: "query-diagnostic-span",
};

const EXPR: Kinds = Kinds {
    ast_span: "expr-ast-span",
    roundtrip_changed: "expr-roundtrip-changed",
    roundtrip_rejected: "expr-roundtrip-rejected",
    diagnostic_span: "expr-diagnostic-span",
};

/// Parses `src` with `parse` and checks the tree's spans and that its print parses back to the
/// same tree, or else the diagnostics' spans; whether it parsed.
fn check_tree<T: std::fmt::Debug + std::fmt::Display + PartialEq>(
    src: &str,
    parse: fn(&str) -> Result<T, Diagnostics>,
    kinds: &Kinds,
    fail: &mut impl FnMut(&'static str, String),
) -> bool {
    match parse(src) {
        Ok(tree) => {
            if let Some(p) = ast_spans_problem(src, &format!("{tree:?}")) {
                fail(kinds.ast_span, p);
            }
            let printed = tree.to_string();
            match parse(&printed) {
                Ok(again) if again == tree => {}
                Ok(again) => fail(
                    kinds.roundtrip_changed,
                    format!("printed:  {printed:?}\nreprinted: {:?}", again.to_string()),
                ),
                Err(d) => fail(
                    kinds.roundtrip_rejected,
                    format!("printed: {printed:?}\nerror: {}", first(&d)),
                ),
            }
            true
        }
        Err(d) => {
            if let Some(p) = diagnostics_problem(src, &d) {
                fail(kinds.diagnostic_span, p);
            }
            false
        }
    }
}

/// Runs the three parsers and the checks. Runs inside `catch_unwind`.
pub(crate) fn check_input(src: &str) -> Outcome {
    let mut failure: Option<(&'static str, String)> = None;
    let mut fail = |kind: &'static str, msg: String| {
        if failure.is_none() {
            failure = Some((kind, msg));
        }
    };

    let parsed = check_tree(src, parse_query, &QUERY, &mut fail);

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

    check_tree(src, parse_expr, &EXPR, &mut fail);
    Outcome { parsed, failure }
}

pub(crate) fn first(d: &Diagnostics) -> String {
    d.0.first()
        .map(|x| format!("{}: {}", x.code.id, x.message))
        .unwrap_or_default()
}

/// `check_input` with panics turned into failures.
pub(crate) fn check_caught(src: &str) -> Outcome {
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
pub(crate) fn minimise(
    input: &str,
    mut still_fails: impl FnMut(&str) -> bool,
    budget: Duration,
) -> String {
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
