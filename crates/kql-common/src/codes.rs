//! The registry of diagnostic codes. Codes are stable: tests, `.slt` files and users' CI
//! configurations match on them. Five characters: `KP` parse, `KS` semantic, `KE` execution,
//! `KL` loader, then three digits.

/// A stable diagnostic code and a one-line title describing the whole family of messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Code {
    /// The code, e.g. `KP001`.
    pub id: &'static str,
    /// A short title, e.g. `syntax error`.
    pub title: &'static str,
}

macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $id:literal, $title:literal;)*) => {
        $( $(#[$doc])* pub const $name: Code = Code { id: $id, title: $title }; )*
        /// Every code, in registry order.
        pub const ALL: &[Code] = &[$($name),*];
    };
}

codes! {
    /// A token or construct other than the one the grammar requires at this point.
    SYNTAX = "KP001", "syntax error";
    /// The query ends where more was required (an editor or REPL treats this as "incomplete").
    UNEXPECTED_END = "KP002", "unexpected end of query";
    /// A name after `|` that is not a tabular operator.
    UNKNOWN_OPERATOR = "KP003", "unknown tabular operator";
    /// A string literal without its closing quote.
    UNTERMINATED_STRING = "KP004", "unterminated string literal";
    /// A literal whose text is not valid for its type (timespan unit, datetime, number, guid).
    INVALID_LITERAL = "KP005", "invalid literal";
    /// Nesting deeper than the parser allows.
    TOO_DEEP = "KP006", "nesting too deep";
    /// Text left after a complete query.
    TRAILING_INPUT = "KP007", "unexpected text after the query";
    /// A character that starts no KQL token.
    INVALID_CHARACTER = "KP008", "invalid character";
    /// A parenthesis, bracket or brace that is never closed.
    UNCLOSED_DELIMITER = "KP009", "unclosed delimiter";
    /// An operator option (`kind=`, `hint.*=`, ...) that the operator does not take.
    UNKNOWN_OPTION = "KP010", "unknown operator option";
    /// A query file that could not be read (missing, unreadable, not UTF-8).
    UNREADABLE_FILE = "KF001", "file could not be read";
}

/// Looks a code up by its id.
pub fn find(id: &str) -> Option<Code> {
    ALL.iter().copied().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for c in ALL {
            assert!(seen.insert(c.id), "duplicate code {}", c.id);
            assert_eq!(c.id.len(), 5, "{}", c.id);
            assert!(c.id.starts_with('K') && c.id.chars().skip(2).all(|d| d.is_ascii_digit()));
        }
        assert_eq!(find("KP003"), Some(UNKNOWN_OPERATOR));
    }
}
