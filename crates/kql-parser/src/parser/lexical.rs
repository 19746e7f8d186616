//! Trivia, keywords, punctuation and names. Every token parser skips leading whitespace and `//`
//! comments first, so no other parser deals with trivia.
//! <https://learn.microsoft.com/kusto/query/schema-entities/entity-names>

use super::error::{PError, PErrorKind};
use super::{Input, PResult};
use crate::ast::{Ident, Quoting, Span};
use kql_common::{Diagnostic, codes};
use nom::Input as _;

/// Byte offset of `i` in the query text.
pub(crate) fn off(i: &Input) -> usize {
    i.location_offset()
}

/// The span from `start` to where `i` now stands.
pub(crate) fn span_from(start: usize, i: &Input) -> Span {
    Span::new(start, off(i))
}

/// Offset of the first non-trivia byte at or after `offset` in `src`. Trivia is whitespace
/// (Unicode whitespace included: pasted queries carry no-break and narrow spaces), zero-width
/// spaces, byte-order marks and `//` comments.
pub(crate) fn skip_trivia(src: &str, offset: usize) -> usize {
    let bytes = src.as_bytes();
    let mut o = offset.min(src.len());
    loop {
        match bytes.get(o) {
            Some(b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) => o += 1,
            Some(b'/') if bytes.get(o + 1) == Some(&b'/') => {
                o = src
                    .get(o..)
                    .and_then(|r| r.find('\n'))
                    .map_or(src.len(), |n| o + n);
            }
            Some(b) if *b >= 0x80 => match src.get(o..).and_then(|r| r.chars().next()) {
                Some(c)
                    if c.is_whitespace()
                        || matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{200C}' | '\u{200D}') =>
                {
                    o += c.len_utf8();
                }
                _ => return o,
            },
            _ => return o,
        }
    }
}

/// Skips whitespace and comments.
pub(crate) fn ws(i: Input) -> Input {
    let frag = *i.fragment();
    let skip = skip_trivia(frag, 0);
    if skip == 0 { i } else { i.take_from(skip) }
}

/// The text after trivia.
pub(crate) fn peek<'a>(i: &Input<'a>) -> &'a str {
    let frag: &'a str = i.fragment();
    frag.get(skip_trivia(frag, 0)..).unwrap_or("")
}

/// Whether only trivia is left.
pub(crate) fn at_end(i: &Input) -> bool {
    peek(i).is_empty()
}

pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The length of the bare word at the start of `s` (identifier characters only).
pub(crate) fn word_len(s: &str) -> usize {
    let first = match s.chars().next() {
        Some(c) if is_ident_start(c) => c.len_utf8(),
        _ => return 0,
    };
    let rest = s.get(first..).unwrap_or("");
    first + rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len())
}

/// Length of a name that starts with digits (`90th_Percentile`, `4xxrate`), which Kusto accepts
/// when the word is not a number or timespan literal.
fn digit_name_len(s: &str) -> usize {
    if !s.starts_with(|c: char| c.is_ascii_digit()) {
        return 0;
    }
    let len = s.find(|c: char| !is_ident_char(c)).unwrap_or(s.len());
    let word = s.get(..len).unwrap_or("");
    if super::literal::is_literal_word(word) {
        0
    } else {
        len
    }
}

/// The bare word at the start of the remaining text, if any.
pub(crate) fn peek_word<'a>(i: &Input<'a>) -> &'a str {
    let frag: &'a str = i.fragment();
    let rest = frag.get(skip_trivia(frag, 0)..).unwrap_or("");
    rest.get(..word_len(rest)).unwrap_or("")
}

/// Whether `rest` (which starts with a keyword of `len` bytes) continues the word: a letter,
/// digit or `_`, or a `-` joining another word (`project` must not match `project-away`).
fn continues_word(rest: &str, len: usize) -> bool {
    let mut after = rest.get(len..).unwrap_or("").chars();
    match after.next() {
        Some(c) if is_ident_char(c) => true,
        Some('-') => {
            let tail = rest.get(len + 1..).unwrap_or("");
            let n = tail
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(tail.len());
            let joined = rest.get(..len + 1 + n).unwrap_or("");
            HYPHENATED_KEYWORDS.contains(&joined) || super::operators::is_operator_keyword(joined)
        }
        _ => false,
    }
}

/// Hyphenated keywords that are not operator names.
const HYPHENATED_KEYWORDS: &[&str] = &["project-smart", "granny-asc", "granny-desc"];

/// Whether the next token is keyword `kw` (matched case-sensitively, as a whole word).
pub(crate) fn is_keyword(i: &Input, kw: &str) -> bool {
    let rest = peek(i);
    rest.starts_with(kw) && !continues_word(rest, kw.len())
}

/// Consumes keyword `kw`, returning its span.
pub(crate) fn keyword<'a>(kw: &'static str) -> impl Fn(Input<'a>) -> PResult<'a, Span> {
    move |i: Input<'a>| {
        let i = ws(i);
        if is_keyword(&i, kw) {
            let start = off(&i);
            let rest = i.take_from(kw.len());
            Ok((rest, Span::new(start, start + kw.len())))
        } else {
            Err(nom::Err::Error(PError {
                offset: off(&i),
                kind: PErrorKind::NoMatch,
            }))
        }
    }
}

/// Consumes keyword `kw` if present.
pub(crate) fn opt_keyword<'a>(i: Input<'a>, kw: &'static str) -> (Input<'a>, bool) {
    match keyword(kw)(i) {
        Ok((rest, _)) => (rest, true),
        Err(_) => (i, false),
    }
}

/// Whether the next token is punctuation `p` (and not the start of a longer operator such as
/// `==` for `=`, `=~` for `=`, `<=` for `<`, `..` for `.`).
pub(crate) fn is_punct(i: &Input, p: &str) -> bool {
    let rest = peek(i);
    if !rest.starts_with(p) {
        return false;
    }
    let next = rest.get(p.len()..).and_then(|r| r.chars().next());
    !matches!(
        (p, next),
        ("=", Some('=' | '~' | '>'))
            | ("<", Some('=' | '>'))
            | (">", Some('='))
            | (".", Some('.'))
            | ("!", Some('='))
    )
}

/// Consumes punctuation `p`, returning its span.
pub(crate) fn punct<'a>(p: &'static str) -> impl Fn(Input<'a>) -> PResult<'a, Span> {
    move |i: Input<'a>| {
        let i = ws(i);
        if is_punct(&i, p) {
            let start = off(&i);
            Ok((i.take_from(p.len()), Span::new(start, start + p.len())))
        } else {
            Err(nom::Err::Error(PError {
                offset: off(&i),
                kind: PErrorKind::NoMatch,
            }))
        }
    }
}

/// Consumes `p` if present.
pub(crate) fn opt_punct<'a>(i: Input<'a>, p: &'static str) -> (Input<'a>, bool) {
    match punct(p)(i) {
        Ok((rest, _)) => (rest, true),
        Err(_) => (i, false),
    }
}

/// Turns a recoverable error into a failure that says what was expected; committed errors
/// (failures) pass through unchanged.
pub(crate) fn expect<'a, O>(
    what: &'static str,
    mut p: impl FnMut(Input<'a>) -> PResult<'a, O>,
) -> impl FnMut(Input<'a>) -> PResult<'a, O> {
    move |i: Input<'a>| match p(i) {
        Err(nom::Err::Error(e)) => {
            let here = ws(i);
            // An error further in than the start (inside a literal, say) is more precise.
            if e.offset > off(&here) && !matches!(e.kind, PErrorKind::NoMatch) {
                Err(nom::Err::Failure(e))
            } else {
                Err(nom::Err::Failure(PError::expected(&here, what)))
            }
        }
        other => other,
    }
}

/// Requires punctuation `p`, failing with "expected {what}".
pub(crate) fn expect_punct<'a>(
    i: Input<'a>,
    p: &'static str,
    what: &'static str,
) -> PResult<'a, Span> {
    expect(what, punct(p))(i)
}

/// Requires keyword `kw`, failing with "expected {what}".
pub(crate) fn expect_keyword<'a>(
    i: Input<'a>,
    kw: &'static str,
    what: &'static str,
) -> PResult<'a, Span> {
    expect(what, keyword(kw))(i)
}

/// A recoverable "no match" at `i`.
pub(crate) fn no_match<T>(i: &Input) -> PResult<'static, T> {
    Err(nom::Err::Error(PError {
        offset: off(&ws(*i)),
        kind: PErrorKind::NoMatch,
    }))
}

/// A committed failure carrying a diagnostic.
pub(crate) fn fail<T>(d: Diagnostic) -> PResult<'static, T> {
    Err(nom::Err::Failure(PError::diagnostic(d)))
}

/// A name: `Name`, `$left`, `['any text']`, `["any text"]`.
pub(crate) fn ident(i: Input) -> PResult<Ident> {
    let i = ws(i);
    let start = off(&i);
    let rest = *i.fragment();
    let n = match word_len(rest) {
        0 => digit_name_len(rest),
        n => n,
    };
    if n > 0 {
        let name = rest.get(..n).unwrap_or("").to_owned();
        return Ok((
            i.take_from(n),
            Ident::new(name, Span::new(start, start + n)),
        ));
    }
    if rest.starts_with("['") || rest.starts_with("[\"") || rest.starts_with("[@") {
        let (after, (value, _text)) = super::literal::string_literal_at(i.take_from(1))?;
        let after = ws(after);
        if !is_punct(&after, "]") {
            return Err(nom::Err::Failure(PError::expected(
                &after,
                "`]` to close the quoted name",
            )));
        }
        let quoting = if rest.starts_with("[\"") || rest.starts_with("[@\"") {
            Quoting::DoubleBracket
        } else {
            Quoting::SingleBracket
        };
        let after = after.take_from(1);
        return Ok((
            after,
            Ident {
                name: value,
                quoting,
                span: span_from(start, &after),
            },
        ));
    }
    Err(nom::Err::Error(PError {
        offset: start,
        kind: PErrorKind::NoMatch,
    }))
}

/// A name, or a failure saying `what` was expected.
pub(crate) fn expect_ident<'a>(i: Input<'a>, what: &'static str) -> PResult<'a, Ident> {
    expect(what, ident)(i)
}

/// A character that starts no token, reported as such.
pub(crate) fn invalid_character(src_rest: &str, offset: usize) -> Option<Diagnostic> {
    let c = src_rest.chars().next()?;
    let allowed = "()[]{}|;,.:=<>!+-*/%~@'\"`$_?#";
    if c.is_alphanumeric() || c.is_whitespace() || allowed.contains(c) {
        return None;
    }
    let d = Diagnostic::error(
        codes::INVALID_CHARACTER,
        format!("`{c}` (U+{:04X}) is not valid here", u32::from(c)),
        Span::new(offset, offset + c.len_utf8()),
    );
    Some(match c {
        '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}' => {
            d.with_help("this is a typographic quote; KQL strings use straight quotes `\"` or `'`")
        }
        _ => d,
    })
}

/// How deeply expressions, sub-queries and dynamic values may nest before the parser gives up
/// with a diagnostic instead of exhausting the stack.
pub const MAX_DEPTH: u32 = 96;

/// Decrements the nesting depth when dropped.
pub(crate) struct DepthGuard<'a>(&'a super::State);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.depth.set(self.0.depth.get().saturating_sub(1));
    }
}

/// Runs `f` with at least 128 KiB of stack left, growing the stack on the heap when needed, so a
/// debug build (large frames) reaches [`MAX_DEPTH`] and reports it instead of overflowing.
pub(crate) fn with_stack<R>(f: impl FnOnce() -> R) -> R {
    stacker::maybe_grow(128 * 1024, 2 * 1024 * 1024, f)
}

/// The span of the next character after trivia (empty at the end of the text), for
/// diagnostics that point at "here".
pub(crate) fn next_char_span(i: &Input) -> Span {
    let j = ws(*i);
    let at = off(&j);
    let width = j.fragment().chars().next().map_or(0, char::len_utf8);
    Span::new(at, at + width)
}

/// Enters one nesting level, failing with a diagnostic beyond [`MAX_DEPTH`].
pub(crate) fn enter<'a>(i: &Input<'a>) -> Result<DepthGuard<'a>, nom::Err<PError>> {
    let state: &'a super::State = i.extra;
    let depth = state.depth.get() + 1;
    if depth > MAX_DEPTH {
        return Err(nom::Err::Failure(PError::diagnostic(
            Diagnostic::error(
                codes::TOO_DEEP,
                format!("the query nests more than {MAX_DEPTH} levels deep"),
                next_char_span(i),
            )
            .with_help("split the expression with `let` statements"),
        )));
    }
    state.depth.set(depth);
    Ok(DepthGuard(state))
}
