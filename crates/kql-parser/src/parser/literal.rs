//! Literals: strings in all their forms, numbers, timespans, typed literals (`datetime(...)`,
//! `long(null)`, `guid(...)`), `dynamic(...)`.
//! <https://learn.microsoft.com/kusto/query/scalar-data-types/>

use super::error::PError;
use super::lexical::{fail, is_ident_char, is_punct, no_match, off, peek, span_from, ws};
use super::{Input, PResult};
use crate::ast::{KqlType, Literal, LiteralValue, Span};
use kql_common::timespan::{ticks_of, unit_ticks};
use kql_common::{Diagnostic, codes};
use nom::Input as _;

/// Whether a string literal starts here (after trivia).
pub(crate) fn starts_string(rest: &str) -> bool {
    let b = rest.as_bytes();
    match b.first() {
        Some(b'"' | b'\'') => true,
        Some(b'@') => matches!(b.get(1), Some(b'"' | b'\'')),
        Some(b'h' | b'H') => {
            matches!(b.get(1), Some(b'"' | b'\''))
                || (b.get(1) == Some(&b'@') && matches!(b.get(2), Some(b'"' | b'\'')))
        }
        Some(b'`') => rest.starts_with("```"),
        Some(b'~') => rest.starts_with("~~~"),
        _ => false,
    }
}

/// One string literal in any form; returns (value, source text).
/// `"..."`, `'...'` with escapes; `@"..."` verbatim; `h"..."` obfuscated; ```` ```...``` ```` multi-line.
pub(crate) fn string_literal_at(i: Input) -> PResult<(String, String)> {
    let i = ws(i);
    let start = off(&i);
    let rest = *i.fragment();
    if !starts_string(rest) {
        return no_match(&i);
    }
    let mut pos = 0;
    if rest.starts_with(['h', 'H']) {
        pos += 1;
    }
    let verbatim = rest.get(pos..).is_some_and(|r| r.starts_with('@'));
    if verbatim {
        pos += 1;
    }
    let (value, len) = if rest
        .get(pos..)
        .is_some_and(|r| r.starts_with("```") || r.starts_with("~~~"))
    {
        let fence = rest.get(pos..pos + 3).unwrap_or("```");
        let body = rest.get(pos + 3..).unwrap_or("");
        match body.find(fence) {
            Some(n) => (body.get(..n).unwrap_or("").to_owned(), pos + 3 + n + 3),
            None => return unterminated(start, rest.len()),
        }
    } else {
        let quote = rest
            .get(pos..)
            .and_then(|r| r.chars().next())
            .unwrap_or('"');
        match scan_quoted(rest.get(pos + 1..).unwrap_or(""), quote, verbatim) {
            Ok((v, n)) => (v, pos + 1 + n),
            Err(Some(bad)) => {
                return fail(bad_escape(
                    start + pos + 1 + bad,
                    rest.get(pos + 1 + bad..).unwrap_or(""),
                ));
            }
            Err(None) => {
                let line_len = rest.find('\n').unwrap_or(rest.len());
                return unterminated(start, line_len);
            }
        }
    };
    let text = rest.get(..len).unwrap_or("").to_owned();
    Ok((i.take_from(len), (value, text)))
}

fn unterminated<T>(start: usize, len: usize) -> PResult<'static, T> {
    let len = len.max(1);
    fail(
        Diagnostic::error(
            codes::UNTERMINATED_STRING,
            "unterminated string literal",
            Span::new(start, start + len),
        )
        .with_label("this string has no closing quote"),
    )
}

fn bad_escape(offset: usize, rest: &str) -> Diagnostic {
    let shown: String = rest.chars().take(2).collect();
    Diagnostic::error(
        codes::INVALID_LITERAL,
        format!("invalid escape sequence `{shown}` in string literal"),
        Span::new(offset, offset + shown.len()),
    )
    .with_help("write `\\\\` for a backslash, or use a verbatim string: @\"C:\\path\"")
}

/// Scans the body of a quoted string after its opening quote. Returns the value and the bytes
/// consumed including the closing quote; `Err(None)` when unterminated, `Err(Some(at))` on a
/// malformed `\u` escape at byte `at`.
fn scan_quoted(body: &str, quote: char, verbatim: bool) -> Result<(String, usize), Option<usize>> {
    let mut value = String::new();
    let mut chars = body.char_indices().peekable();
    while let Some((idx, c)) = chars.next() {
        if c == quote {
            if verbatim && chars.peek().is_some_and(|&(_, n)| n == quote) {
                chars.next();
                value.push(quote);
                continue;
            }
            return Ok((value, idx + c.len_utf8()));
        }
        if c == '\n' && !verbatim {
            return Err(None);
        }
        if c == '\\' && !verbatim {
            let Some((_, e)) = chars.next() else {
                return Err(None);
            };
            match e {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                '0' => value.push('\0'),
                'u' => {
                    let hex: String = body.get(idx + 2..).unwrap_or("").chars().take(4).collect();
                    let ch = u32::from_str_radix(&hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or(Some(idx))?;
                    if hex.len() != 4 {
                        return Err(Some(idx));
                    }
                    for _ in 0..4 {
                        chars.next();
                    }
                    value.push(ch);
                }
                '\\' | '"' | '\'' => value.push(e),
                '\n' => return Err(None),
                // Kusto is lenient with other escapes in practice (regexes such as "\d+"): keep them.
                other => {
                    value.push('\\');
                    value.push(other);
                }
            }
            continue;
        }
        value.push(c);
    }
    Err(None)
}

/// A string literal, with adjacent literals concatenated (`"a" 'b'` is `"ab"`).
pub(crate) fn string_lit(i: Input) -> PResult<Literal> {
    let i = ws(i);
    let start = off(&i);
    let (mut rest, (mut value, mut text)) = string_literal_at(i)?;
    while starts_string(peek(&rest)) {
        let (r, (v, t)) = string_literal_at(rest)?;
        value.push_str(&v);
        text.push(' ');
        text.push_str(&t);
        rest = r;
    }
    Ok((
        rest,
        Literal {
            value: LiteralValue::String(value),
            text,
            span: span_from(start, &rest),
        },
    ))
}

/// Length of a number at the start of `s`: digits, optional fraction (only when a digit follows the
/// dot, so `1..5` is not `1.`), optional exponent; or a `0x` hex literal. Returns (len, is_real).
fn number_len(s: &str) -> (usize, bool) {
    let b = s.as_bytes();
    if b.starts_with(b"0x") || b.starts_with(b"0X") {
        let n = 2 + b
            .get(2..)
            .unwrap_or(&[])
            .iter()
            .take_while(|c| c.is_ascii_hexdigit())
            .count();
        return if n > 2 { (n, false) } else { (0, false) };
    }
    let mut n = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut real = false;
    if b.get(n) == Some(&b'.') && b.get(n + 1).is_some_and(u8::is_ascii_digit) {
        real = true;
        n += 1 + b
            .get(n + 1..)
            .unwrap_or(&[])
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
    } else if n > 0
        && b.get(n) == Some(&b'.')
        && !b
            .get(n + 1)
            .is_some_and(|c| *c == b'.' || c.is_ascii_alphabetic() || *c == b'_')
    {
        // `1000.` is a real; `1..5` and `a[1].b` are not.
        return (n + 1, true);
    }
    if n == 0 {
        return (0, false);
    }
    if matches!(b.get(n), Some(b'e' | b'E')) {
        let mut m = n + 1;
        if matches!(b.get(m), Some(b'+' | b'-')) {
            m += 1;
        }
        let digits = b
            .get(m..)
            .unwrap_or(&[])
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if digits > 0 {
            return (m + digits, true);
        }
    }
    (n, real)
}

/// Whether a whole word of identifier characters is a number or timespan literal (`10`, `1h`,
/// `1e5`), as opposed to a digit-led name.
pub(crate) fn is_literal_word(word: &str) -> bool {
    let (n, _) = number_len(word);
    let unit = word.get(n..).unwrap_or("");
    n > 0 && (unit.is_empty() || unit_ticks(unit).is_some())
}

/// Whether a number (or a timespan such as `1h`) starts here.
pub(crate) fn starts_number(rest: &str) -> bool {
    rest.as_bytes().first().is_some_and(u8::is_ascii_digit)
        || (rest.starts_with('.') && rest.as_bytes().get(1).is_some_and(u8::is_ascii_digit))
}

/// A number or a number-with-unit timespan: `42`, `1.5`, `1e-3`, `0xFF`, `1h`, `1.5d`, `100ms`.
pub(crate) fn number_lit(i: Input) -> PResult<Literal> {
    let i = ws(i);
    let start = off(&i);
    let rest = *i.fragment();
    let (mut n, real) = number_len(rest);
    if rest.starts_with('.') {
        let (m, _) = number_len(rest.get(1..).unwrap_or(""));
        n = if m > 0 { m + 1 } else { 0 };
    }
    if n == 0 {
        return no_match(&i);
    }
    let digits = rest.get(..n).unwrap_or("");
    let unit_len = rest
        .get(n..)
        .unwrap_or("")
        .find(|c: char| !is_ident_char(c))
        .unwrap_or(rest.len() - n);
    let unit = rest.get(n..n + unit_len).unwrap_or("");
    let span = Span::new(start, start + n + unit_len);
    let hex = digits.starts_with("0x") || digits.starts_with("0X");
    if hex && !unit.is_empty() {
        return no_match(&i);
    }
    let value = if !unit.is_empty() {
        let Some(ticks) = unit_ticks(unit) else {
            // Kusto accepts names that start with digits (`90th_Percentile`, `4xxrate`).
            return no_match(&i);
        };
        let amount: f64 = digits.parse().unwrap_or(0.0);
        match ticks_of(amount, ticks) {
            Some(t) => LiteralValue::Timespan(t),
            None => {
                return fail(out_of_range(
                    span,
                    rest.get(..n + unit_len).unwrap_or(digits),
                ));
            }
        }
    } else if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        match u64::from_str_radix(hex, 16) {
            Ok(v) => LiteralValue::Long(v as i64),
            Err(_) => return fail(out_of_range(span, digits)),
        }
    } else if real || digits.starts_with('.') {
        LiteralValue::Real(digits.parse().unwrap_or(f64::NAN))
    } else {
        match digits.parse::<i64>() {
            Ok(v) => LiteralValue::Long(v),
            // Kusto reads integers too large for a long as real.
            Err(_) => LiteralValue::Real(digits.parse().unwrap_or(f64::INFINITY)),
        }
    };
    let len = n + unit_len;
    let text = rest.get(..len).unwrap_or("").to_owned();
    Ok((i.take_from(len), Literal { value, text, span }))
}

fn out_of_range(span: Span, text: &str) -> Diagnostic {
    Diagnostic::error(
        codes::INVALID_LITERAL,
        format!("`{text}` is out of range"),
        span,
    )
}

/// Type names that form typed literals `T(value)`.
pub(crate) fn typed_literal_type(word: &str) -> Option<KqlType> {
    match word {
        "string" => None,
        "time" | "timespan" | "datetime" | "date" | "guid" | "uniqueid" | "bool" | "boolean"
        | "int" | "int32" | "long" | "int64" | "real" | "double" | "decimal" | "dynamic" => {
            KqlType::from_name(word)
        }
        _ => None,
    }
}

/// A typed literal: `datetime(2024-01-01 10:00)`, `time(1.02:00:00)`, `timespan(2d)`, `long(null)`,
/// `real(nan)`, `guid(...)`, `bool(true)`, `decimal(1.5)`, `dynamic([1, 2])`.
/// Returns a recoverable error when the word is not followed by `(`.
pub(crate) fn typed_lit<'a>(i: Input<'a>, word: &'a str, ty: KqlType) -> PResult<'a, Literal> {
    let i = ws(i);
    let start = off(&i);
    let after_word = i.take_from(word.len());
    if !is_punct(&after_word, "(") {
        return no_match(&i);
    }
    let open = ws(after_word);
    if ty == KqlType::Dynamic {
        let (rest, value) = super::dynamic::dynamic_body(open.take_from(1))?;
        let (rest, ()) = close_paren(rest, "`)` to close `dynamic(`")?;
        return Ok(finish(start, &i, rest, LiteralValue::Dynamic(value)));
    }
    let body = *open.fragment();
    let inner_start = off(&open) + 1;
    let Some(close) = find_close(body) else {
        return fail(
            Diagnostic::error(
                codes::UNCLOSED_DELIMITER,
                format!("`{word}(` is never closed"),
                Span::new(start, off(&open) + 1),
            )
            .with_label("opened here"),
        );
    };
    let raw = body.get(1..close).unwrap_or("");
    let inner = raw.trim();
    let inner_span = Span::new(inner_start, inner_start + raw.len());
    let rest = open.take_from(close + 1);
    if inner == "null" {
        return Ok(finish(start, &i, rest, LiteralValue::Null(ty)));
    }
    let bad = |what: &str| {
        fail::<Literal>(
            Diagnostic::error(
                codes::INVALID_LITERAL,
                format!("`{inner}` is not a valid {what} literal"),
                inner_span,
            )
            .with_label(format!("not a valid {what}")),
        )
    };
    let unquoted = unquote(inner);
    let value = match ty {
        KqlType::DateTime => {
            if unquoted.is_empty() {
                return bad("datetime");
            }
            LiteralValue::DateTime(unquoted.to_owned())
        }
        KqlType::Guid => LiteralValue::Guid(unquoted.to_owned()),
        KqlType::Timespan => match kql_common::timespan::parse_text(unquoted) {
            Some(t) => LiteralValue::Timespan(t),
            None => return bad("timespan"),
        },
        KqlType::Bool => match inner {
            "true" | "True" | "TRUE" => LiteralValue::Bool(true),
            "false" | "False" | "FALSE" => LiteralValue::Bool(false),
            _ => return bad("bool"),
        },
        KqlType::Int => match parse_signed(inner).and_then(|v| i32::try_from(v).ok()) {
            Some(v) => LiteralValue::Int(v),
            None => return bad("int"),
        },
        KqlType::Long => match parse_signed(inner) {
            Some(v) => LiteralValue::Long(v),
            None => return bad("long"),
        },
        KqlType::Real => match parse_real(inner) {
            Some(v) => LiteralValue::Real(v),
            None => return bad("real"),
        },
        KqlType::Decimal => {
            if parse_real(inner).is_none() {
                return bad("decimal");
            }
            LiteralValue::Decimal(inner.to_owned())
        }
        KqlType::String | KqlType::Dynamic => return no_match(&i),
    };
    Ok(finish(start, &i, rest, value))
}

fn finish<'a>(
    start: usize,
    i: &Input<'a>,
    rest: Input<'a>,
    value: LiteralValue,
) -> (Input<'a>, Literal) {
    let len = off(&rest) - start;
    let text = i.fragment().get(..len).unwrap_or("").to_owned();
    (
        rest,
        Literal {
            value,
            text,
            span: span_from(start, &rest),
        },
    )
}

fn close_paren<'a>(i: Input<'a>, what: &'static str) -> PResult<'a, ()> {
    let i = ws(i);
    if is_punct(&i, ")") {
        Ok((i.take_from(1), ()))
    } else {
        Err(nom::Err::Failure(PError::expected(&i, what)))
    }
}

/// Index of the `)` matching the `(` at the start of `s` (quotes respected).
fn find_close(s: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (idx, c) in s.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '(') => depth += 1,
            (None, ')') => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(idx);
                }
            }
            (None, '\n')
                if depth == 1
                    && s.get(idx..)
                        .is_some_and(|r| r.trim_start().starts_with('|')) =>
            {
                return None;
            }
            _ => {}
        }
    }
    None
}

fn unquote(s: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(v) = s.strip_prefix(q).and_then(|v| v.strip_suffix(q)) {
            return v;
        }
    }
    s
}

fn parse_signed(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Some(h) = t.strip_prefix("0x") {
        return u64::from_str_radix(h, 16).ok().map(|v| v as i64);
    }
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

fn parse_real(s: &str) -> Option<f64> {
    match s.trim() {
        "nan" | "NaN" => Some(f64::NAN),
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        t => {
            let body = t.strip_prefix(['+', '-']).unwrap_or(t);
            // Only decimal notation: Rust's parser would also take `infinity` and `NaN` spellings.
            if !body.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
                return None;
            }
            t.strip_prefix('+').unwrap_or(t).parse().ok()
        }
    }
}

/// `true` / `false` (Kusto also accepts `True`, `TRUE`, ...).
pub(crate) fn bool_value(word: &str) -> Option<bool> {
    match word {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_lengths() {
        assert_eq!(number_len("1..5"), (1, false));
        assert_eq!(number_len("1.5e-3x"), (6, true));
        assert_eq!(number_len("0x1F "), (4, false));
        assert_eq!(number_len("12h"), (2, false));
    }
}
