//! A small, allocation-free scanner over JSON text, for reading `dynamic` values stored as text:
//! `value_of_key(r#"{"Id":"x"}"#, "Id") == Some("\"x\"")`. It never fails: malformed text simply
//! yields `None`. This is the hot path of `parse_json(Column).Property`.

/// Skips JSON whitespace.
fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(c) = b.get(i) {
        if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        i += 1;
    }
    i
}

/// End of the string starting at `i` (which must be `"`), one past the closing quote. Jumps from
/// quote to backslash with `memchr`: most of an export line is inside long strings.
fn skip_string(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    loop {
        let k = j + memchr::memchr2(b'"', b'\\', b.get(j..)?)?;
        if b[k] == b'"' {
            return Some(k + 1);
        }
        j = k + 2;
    }
}

/// End of the value starting at `i` (after whitespace).
pub fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    let i = skip_ws(b, i);
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            loop {
                match b.get(j)? {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
        }
        _ => {
            let mut j = i;
            while let Some(c) = b.get(j) {
                if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                    break;
                }
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// Whether the JSON string token `raw` (with quotes) equals `key`.
fn key_equals(raw: &[u8], key: &str) -> bool {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or(&[]);
    if !inner.contains(&b'\\') {
        return inner == key.as_bytes();
    }
    std::str::from_utf8(raw)
        .ok()
        .and_then(|s| serde_json::from_str::<String>(s).ok())
        .is_some_and(|s| s == key)
}

/// The text of the value of `key` in the JSON object `s` (case-sensitive key match).
pub fn value_of_key<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let b = s.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return None;
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = skip_string(b, i)?;
        let matched = key_equals(b.get(i..key_end)?, key);
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let v_start = skip_ws(b, i + 1);
        let v_end = skip_value(b, v_start)?;
        if matched {
            return s.get(v_start..v_end);
        }
        i = skip_ws(b, v_end);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            _ => return None,
        }
    }
}

/// Iterates the element texts of the JSON array `s`; `None` when `s` is not an array.
pub fn array_elements(s: &str) -> Option<Vec<&str>> {
    let b = s.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'[') {
        return None;
    }
    let mut out = Vec::new();
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Some(out);
    }
    loop {
        let start = skip_ws(b, i);
        let end = skip_value(b, start)?;
        out.push(s.get(start..end)?);
        i = skip_ws(b, end);
        match b.get(i)? {
            b',' => i += 1,
            b']' => return Some(out),
            _ => return None,
        }
    }
}

/// Element `index` of the JSON array `s`; negative indexes count from the end.
pub fn element_at(s: &str, index: i64) -> Option<&str> {
    if index >= 0 {
        // Walk without collecting for the common forward case.
        let b = s.as_bytes();
        let mut i = skip_ws(b, 0);
        if b.get(i) != Some(&b'[') {
            return None;
        }
        i += 1;
        let mut n = 0i64;
        loop {
            let start = skip_ws(b, i);
            if b.get(start) == Some(&b']') {
                return None;
            }
            let end = skip_value(b, start)?;
            if n == index {
                return s.get(start..end);
            }
            n += 1;
            i = skip_ws(b, end);
            match b.get(i)? {
                b',' => i += 1,
                _ => return None,
            }
        }
    }
    let items = array_elements(s)?;
    let pos = i64::try_from(items.len()).ok()? + index;
    usize::try_from(pos)
        .ok()
        .and_then(|p| items.get(p).copied())
}

/// The kind of JSON value `s` holds, by its first character.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `{...}`
    Object,
    /// `[...]`
    Array,
    /// `"..."`
    String,
    /// A number.
    Number,
    /// `true` / `false`
    Bool,
    /// `null`
    Null,
    /// Not JSON: Kusto treats such text as a string value.
    Text,
}

/// The kind of the (trimmed) value text.
pub fn kind(s: &str) -> Kind {
    let t = s.trim();
    match t.as_bytes().first() {
        Some(b'{') => Kind::Object,
        Some(b'[') => Kind::Array,
        Some(b'"') => Kind::String,
        Some(b'-' | b'0'..=b'9') if t.parse::<f64>().is_ok() => Kind::Number,
        _ if t == "true" || t == "false" => Kind::Bool,
        _ if t == "null" => Kind::Null,
        _ => Kind::Text,
    }
}

/// The string a JSON string token denotes (`"a\"b"` is `a"b`).
pub fn unquote(s: &str) -> Option<String> {
    serde_json::from_str::<String>(s.trim()).ok()
}

/// Quotes `s` as a JSON string.
pub fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_properties_and_elements() {
        let s = r#" { "Id" : "a\"b", "Name":"x", "n": {"d":[1, {"e":2}]}, "Empty": {} } "#;
        assert_eq!(value_of_key(s, "Id"), Some(r#""a\"b""#));
        assert_eq!(value_of_key(s, "n"), Some(r#"{"d":[1, {"e":2}]}"#));
        assert_eq!(value_of_key(s, "Empty"), Some("{}"));
        assert_eq!(value_of_key(s, "id"), None, "keys are case-sensitive");
        assert_eq!(value_of_key("[1]", "a"), None);
        assert_eq!(value_of_key(r#"{"a\u0062":1}"#, "ab"), Some("1"));
        assert_eq!(element_at("[1, [2, 3], \"x\"]", 1), Some("[2, 3]"));
        assert_eq!(element_at("[1, [2, 3], \"x\"]", -1), Some("\"x\""));
        assert_eq!(element_at("[1]", 5), None);
        assert_eq!(element_at("[]", 0), None);
        assert_eq!(array_elements("[ ]"), Some(vec![]));
    }

    #[test]
    fn malformed_text_is_not_an_error() {
        for s in [
            "",
            "{",
            "{\"a\"",
            "{\"a\":",
            "{\"a\":1",
            "[1,",
            "\"abc",
            "{\"a\" 1}",
            "}",
        ] {
            let _ = value_of_key(s, "a");
            let _ = element_at(s, 0);
            let _ = element_at(s, -1);
            let _ = array_elements(s);
        }
        assert_eq!(kind("abc"), Kind::Text);
        assert_eq!(kind(" 12.5 "), Kind::Number);
    }
}

/// Calls `f(key, value_text)` for each member of the JSON object `s`, in order, in one pass.
/// Returns `None` when `s` is not a well-formed object (literals are checked; the inside of
/// strings is not unescaped). Keys are the raw text between the quotes.
pub fn for_each_member<'a>(s: &'a str, mut f: impl FnMut(&'a str, &'a str)) -> Option<()> {
    let b = s.as_bytes();
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return (skip_ws(b, i + 1) == b.len()).then_some(());
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let key_end = skip_string(b, i)?;
        let key = s.get(i + 1..key_end - 1)?;
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return None;
        }
        let v_start = skip_ws(b, i + 1);
        let v_end = skip_value(b, v_start)?;
        let value = s.get(v_start..v_end)?;
        if !matches!(b.get(v_start), Some(b'"' | b'{' | b'[')) && !valid_literal(value) {
            return None;
        }
        f(key, value);
        i = skip_ws(b, v_end);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b'}' => return (skip_ws(b, i + 1) == b.len()).then_some(()),
            _ => return None,
        }
    }
}

/// Whether `t` is a JSON literal: `true`, `false`, `null` or a number.
fn valid_literal(t: &str) -> bool {
    matches!(t, "true" | "false" | "null") || {
        let b = t.as_bytes();
        let digits = |from: usize| {
            b.get(from..)
                .unwrap_or(&[])
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        let mut i = usize::from(b.first() == Some(&b'-'));
        let int = digits(i);
        i += int;
        if int == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            let f = digits(i + 1);
            if f == 0 {
                return false;
            }
            i += 1 + f;
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let e = digits(i);
            if e == 0 {
                return false;
            }
            i += e;
        }
        i == b.len()
    }
}

/// The text a JSON string token denotes, borrowing when it has no escapes.
pub fn string_text(token: &str) -> Option<std::borrow::Cow<'_, str>> {
    let inner = token.strip_prefix('"')?.strip_suffix('"')?;
    if memchr::memchr(b'\\', inner.as_bytes()).is_none() {
        return Some(std::borrow::Cow::Borrowed(inner));
    }
    unescape(inner).map(std::borrow::Cow::Owned)
}

/// Decodes JSON string escapes (`\"`, `\\`, `\n`, `\uXXXX` with surrogate pairs, ...).
fn unescape(inner: &str) -> Option<String> {
    let b = inner.as_bytes();
    let mut out = String::with_capacity(inner.len());
    let mut i = 0;
    while i < b.len() {
        let Some(k) = memchr::memchr(b'\\', &b[i..]) else {
            out.push_str(inner.get(i..)?);
            break;
        };
        out.push_str(inner.get(i..i + k)?);
        i += k + 1;
        let c = *b.get(i)?;
        i += 1;
        match c {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let hex = |at: usize| {
                    inner
                        .get(at..at + 4)
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                };
                let hi = hex(i)?;
                i += 4;
                let code = if (0xD800..0xDC00).contains(&hi) && inner.get(i..i + 2) == Some("\\u") {
                    let lo = hex(i + 2)?;
                    i += 6;
                    0x10000 + ((hi - 0xD800) << 10) + (lo.checked_sub(0xDC00)?)
                } else {
                    hi
                };
                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod member_tests {
    use super::*;

    #[test]
    fn walks_members_once() {
        let mut seen = Vec::new();
        let ok = for_each_member(
            r#"{"a": 1, "b": "x\"y", "c": {"d": [1, 2]}, "e": null}"#,
            |k, v| seen.push((k, v)),
        );
        assert!(ok.is_some());
        assert_eq!(
            seen,
            vec![
                ("a", "1"),
                ("b", r#""x\"y""#),
                ("c", r#"{"d": [1, 2]}"#),
                ("e", "null")
            ]
        );
        assert_eq!(string_text(r#""x\"y""#).as_deref(), Some("x\"y"));
        assert_eq!(
            string_text(r#""a\\b\n\u00e9\ud83d\ude00/""#).as_deref(),
            Some("a\\b\né😀/")
        );
        assert_eq!(string_text(r#""bad \q""#), None);
        for bad in [
            "",
            "{",
            r#"{"a" 1}"#,
            r#"{"a": tru}"#,
            r#"{"a": 1,}"#,
            r#"{"a": 1} x"#,
            r#"{"a": 01a}"#,
        ] {
            assert!(for_each_member(bad, |_, _| {}).is_none(), "{bad}");
        }
    }
}
