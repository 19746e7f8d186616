//! The REPL's line editor: when an input is complete (an empty line runs a query, a `#` command
//! runs at once), and Tab completion from the workspace.

use kql_parser::syntax::TokenClass;
use kql_workspace::Workspace;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};
use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The commands, for `#help` and completion.
pub(crate) const COMMANDS: &[(&str, &str)] = &[
    ("#help", "this list"),
    (
        "#follow PATH [as T]",
        "a live table fed by a growing JSON Lines file",
    ),
    ("#tables", "the tables"),
    ("#schema T", "the columns of table T and their types"),
    (
        "#load PATH [as T]",
        "provisioning exports as AADProvisioningLogs, or any file as table T",
    ),
    (
        "#read FILE",
        "run the queries of a script (separated by blank lines)",
    ),
    (
        "#save PATH",
        "the last result to a .csv, .json, .ndjson, .md or .txt file",
    ),
    (
        "#chart PATH",
        "the last result's render to an .svg, .png or .html file",
    ),
    ("#format F", "table, csv, json, ndjson or markdown"),
    ("#maxrows N|all", "rows the table format shows"),
    ("#timing on|off", "how long each query took"),
    (
        "#now [DATETIME|clear]",
        "show or pin now() (cleared: the current time)",
    ),
    ("#quit", "leave (also Ctrl-D)"),
];

/// Line-editor hooks with the workspace at hand.
pub(crate) struct InputHelper {
    pub ws: Arc<Workspace>,
    /// `now()` for planning what completion needs (ticks).
    pub now: Arc<AtomicI64>,
    files: FilenameCompleter,
    /// Whether to colour the input (a terminal, and colour allowed).
    color: bool,
}

impl InputHelper {
    pub(crate) fn new(ws: Arc<Workspace>, now: Arc<AtomicI64>, color: bool) -> InputHelper {
        InputHelper {
            ws,
            now,
            files: FilenameCompleter::new(),
            color,
        }
    }
}

/// Whether `text` has a quote or bracket still open (then an empty line does not run it yet).
/// Strings and comments are found as the highlighter finds them, so every quoting counts.
fn unbalanced(text: &str) -> bool {
    let mut depth = 0i32;
    let mut count = |part: &str| {
        for c in part.chars() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                _ => {}
            }
        }
    };
    let mut at = 0;
    let mut open_string = false;
    for (range, class) in kql_parser::syntax::classify(text) {
        count(&text[at..range.start]);
        if class == TokenClass::String {
            open_string = !closed(&text[range.clone()]);
        }
        at = range.end;
    }
    count(&text[at..]);
    depth > 0 || open_string
}

/// Whether a string token ends with its closing quote (not an escaped one).
fn closed(token: &str) -> bool {
    if let Some(body) = token.strip_prefix("```") {
        return body.ends_with("```");
    }
    let (verbatim, body) = match token.strip_prefix('@') {
        Some(b) => (true, b),
        None => (false, token),
    };
    let Some(quote) = body.chars().next() else {
        return false;
    };
    if body.len() < 2 || !body.ends_with(quote) {
        return false;
    }
    // An odd run of backslashes before the last quote escapes it (not in a verbatim string).
    let inner = &body[1..body.len() - 1];
    verbatim || inner.chars().rev().take_while(|c| *c == '\\').count() % 2 == 0
}

/// Whether `input` (the whole buffer) is ready to run.
pub(crate) fn complete_input(input: &str) -> bool {
    let head = input.trim();
    if head.is_empty() || head.starts_with(['#', '\\', '.']) {
        return true;
    }
    if matches!(head, "exit" | "quit") {
        return true;
    }
    // Enter on an empty line runs the query, unless a quote or bracket is open; a second empty
    // line runs it anyway (and the error says what is open).
    input.ends_with("\n\n") || (input.ends_with('\n') && !unbalanced(input))
}

impl Validator for InputHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if complete_input(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Completer for InputHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let head = line.get(..pos).unwrap_or(line).trim_start();
        if ["#load ", "#read ", "#save ", "#chart ", "#follow "]
            .iter()
            .any(|c| head.starts_with(c))
        {
            return self.files.complete(line, pos, ctx);
        }
        if head.starts_with('#') && !head.contains(char::is_whitespace) {
            let start = pos - head.len();
            let found = COMMANDS
                .iter()
                .map(|(c, _)| c.split(' ').next().unwrap_or(c))
                .filter(|c| c.starts_with(head))
                .map(|c| Pair {
                    display: c.to_owned(),
                    replacement: c.to_owned(),
                })
                .collect();
            return Ok((start, found));
        }
        let found = self
            .ws
            .complete(line, pos, self.now.load(Ordering::Relaxed));
        let pairs = found
            .candidates
            .into_iter()
            .map(|c| Pair {
                display: c.clone(),
                replacement: c,
            })
            .collect();
        Ok((found.start, pairs))
    }
}

impl Hinter for InputHelper {
    type Hint = String;
}

/// ANSI styles of each class of token.
fn style_of(class: TokenClass) -> &'static str {
    match class {
        TokenClass::Keyword => "\x1b[1;34m",
        TokenClass::String => "\x1b[32m",
        TokenClass::Number => "\x1b[35m",
        TokenClass::Comment => "\x1b[2m",
    }
}

/// `line` with its keywords, strings, numbers and comments coloured.
pub(crate) fn highlighted(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let mut at = 0;
    for (range, class) in kql_parser::syntax::classify(line) {
        out.push_str(&line[at..range.start]);
        out.push_str(style_of(class));
        out.push_str(&line[range.clone()]);
        out.push_str("\x1b[0m");
        at = range.end;
    }
    out.push_str(&line[at..]);
    out
}

impl Highlighter for InputHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if !self.color || line.trim_start().starts_with('#') {
            return Cow::Borrowed(line);
        }
        Cow::Owned(highlighted(line))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        // Typing may open or close a string: colour the whole line again.
        self.color
    }
}

impl Helper for InputHelper {}

#[cfg(test)]
mod tests {
    use super::{complete_input, highlighted};

    #[test]
    fn keywords_and_strings_are_coloured_and_the_text_kept() {
        let line = "T | where x == 'a'";
        let coloured = highlighted(line);
        assert!(coloured.contains("\x1b[1;34mwhere\x1b[0m"), "{coloured:?}");
        assert!(coloured.contains("\x1b[32m'a'\x1b[0m"), "{coloured:?}");
        let plain: String = coloured
            .replace("\x1b[1;34m", "")
            .replace("\x1b[32m", "")
            .replace("\x1b[0m", "");
        assert_eq!(plain, line);
    }

    #[test]
    fn an_empty_line_runs_a_query_and_commands_run_at_once() {
        assert!(!complete_input("T"));
        assert!(!complete_input("T\n| count"));
        assert!(complete_input("T\n| count\n"));
        assert!(complete_input("#tables"));
        assert!(complete_input(".show tables"));
        assert!(complete_input("quit"));
        // Open brackets or quotes wait for more, until a second empty line.
        assert!(!complete_input("T | where x in ('a',\n"));
        assert!(!complete_input("print 'it''s\n"));
        assert!(complete_input("T | where x in ('a',\n\n"));
        assert!(complete_input("print \"a // b\" // (\n"));
        // Verbatim strings keep their backslashes; a multi-line string waits for its end.
        assert!(complete_input("print @'C:\\dir\\'\n"));
        assert!(!complete_input("print 'a\\'\n"));
        assert!(!complete_input("print ```first\n\nsecond\n"));
        assert!(complete_input("print ```first\n\nsecond```\n"));
    }
}
