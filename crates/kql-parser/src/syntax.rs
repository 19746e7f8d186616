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
