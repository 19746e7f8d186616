//! Facts about the accepted syntax, for tooling (the grammar test, completion, highlighting).

/// Every tabular operator keyword the parser accepts, in dispatch-table order.
pub fn tabular_operators() -> impl Iterator<Item = &'static str> {
    crate::parser::operators::OPERATORS.iter().map(|(k, _)| *k)
}

/// Call-like forms the parser treats specially rather than as ordinary function calls.
pub const SPECIAL_CALL_FORMS: &[&str] = &[
    "datetime", "date", "time", "timespan", "guid", "uniqueid", "bool", "boolean", "int", "int32",
    "long", "int64", "real", "double", "decimal", "dynamic", "typeof",
];

/// `text` as a KQL string literal that reads back as `text` (double quotes, backslash escapes),
/// for tools that write queries.
pub fn string_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::string_literal;

    #[test]
    fn a_string_literal_parses_back_to_its_text() {
        for text in ["plain", "it's \"quoted\"", "back\\slash", "two\nlines", ""] {
            let q = format!("print x = {}", string_literal(text));
            let parsed = crate::parse_query(&q).expect("parses");
            assert!(format!("{parsed:?}").contains(&format!("{text:?}")), "{q}");
        }
    }
}

/// What a piece of query text is, for highlighting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenClass {
    /// A tabular operator or a statement or expression keyword (`where`, `let`, `by`, `and`).
    Keyword,
    /// A string literal, in any of its quotings.
    String,
    /// A number or timespan (`42`, `1.5`, `7d`, `0x1F`).
    Number,
    /// A `//` comment.
    Comment,
}

/// Words that are keywords wherever they stand (besides the tabular operators).
const KEYWORDS: &[&str] = &[
    "let",
    "set",
    "declare",
    "query_parameters",
    "alias",
    "database",
    "restrict",
    "access",
    "to",
    "by",
    "on",
    "with",
    "and",
    "or",
    "not",
    "in",
    "has",
    "has_cs",
    "contains",
    "contains_cs",
    "startswith",
    "startswith_cs",
    "endswith",
    "endswith_cs",
    "matches",
    "regex",
    "between",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "true",
    "false",
    "kind",
    "of",
    "step",
    "from",
    "hasprefix",
    "hassuffix",
    "has_any",
    "has_all",
    "in~",
    "view",
    "materialize",
    "toscalar",
];

/// The keywords, strings, numbers and comments of `text` (a query being typed: it need not
/// parse), as byte ranges in order. What is not listed is plain (names, operators, spaces).
pub fn classify(text: &str) -> Vec<(std::ops::Range<usize>, TokenClass)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        if b == b'/' && bytes.get(i + 1) == Some(&b'/') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            out.push((start..i, TokenClass::Comment));
        } else if text[i..].starts_with("```") {
            i += 3;
            i = text[i..].find("```").map_or(bytes.len(), |e| i + e + 3);
            out.push((start..i, TokenClass::String));
        } else if b == b'\''
            || b == b'"'
            || (b == b'@' && matches!(bytes.get(i + 1), Some(b'\'' | b'"')))
        {
            let verbatim = b == b'@';
            if verbatim {
                i += 1;
            }
            let quote = bytes[i];
            i += 1;
            while i < bytes.len() && bytes[i] != quote && bytes[i] != b'\n' {
                i += if bytes[i] == b'\\' && !verbatim { 2 } else { 1 };
            }
            i = (i + 1).min(bytes.len());
            out.push((start..i, TokenClass::String));
        } else if b.is_ascii_digit() {
            while i < bytes.len() && (word(bytes[i]) || bytes[i] == b'.') {
                i += 1;
            }
            out.push((start..i, TokenClass::Number));
        } else if word(b) {
            while i < bytes.len() && word(bytes[i]) {
                i += 1;
            }
            // Hyphenated operators (`project-away`, `mv-expand`) are one word.
            let mut end = i;
            while end < bytes.len()
                && bytes[end] == b'-'
                && bytes.get(end + 1).is_some_and(|c| word(*c))
            {
                let mut e = end + 1;
                while e < bytes.len() && word(bytes[e]) {
                    e += 1;
                }
                if tabular_operators().any(|op| op == &text[start..e]) {
                    end = e;
                } else {
                    break;
                }
            }
            i = end;
            let w = &text[start..i];
            if KEYWORDS.contains(&w) || tabular_operators().any(|op| op == w) {
                out.push((start..i, TokenClass::Keyword));
            }
        } else {
            // One character (UTF-8 aware): punctuation, operators, spaces, other scripts.
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

#[cfg(test)]
mod classify_tests {
    use super::{TokenClass::*, classify};

    #[test]
    fn keywords_strings_numbers_and_comments_are_found_in_unfinished_text() {
        let text = "T | where x > 7d and y == 'it\\'s' // note\n| project-away z, \"open";
        let found: Vec<(&str, super::TokenClass)> = classify(text)
            .into_iter()
            .map(|(r, c)| (&text[r], c))
            .collect();
        assert_eq!(
            found,
            [
                ("where", Keyword),
                ("7d", Number),
                ("and", Keyword),
                ("'it\\'s'", String),
                ("// note", Comment),
                ("project-away", Keyword),
                ("\"open", String),
            ]
        );
        assert!(classify("a-b").is_empty(), "a subtraction is not a keyword");
    }
}
