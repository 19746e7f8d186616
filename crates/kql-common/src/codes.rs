//! The registry of diagnostic codes. Codes are stable: tests, `.slt` files and users' CI
//! configurations match on them. Five characters: `KP` parse, `KS` semantic, `KE` execution,
//! `KL` loader, `KF` files, `KA` alert rules, then three digits.

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
    /// An option value outside the option's closed set (`join kind=innr`, `render timechrt`).
    INVALID_OPTION_VALUE = "KP011", "invalid option value";
    /// A query file that could not be read (missing, unreadable, not UTF-8).
    UNREADABLE_FILE = "KF001", "file could not be read";
    /// An alert rule file whose settings cannot be read (a missing field, a bad duration or
    /// operator, an ARM expression that cannot be evaluated).
    INVALID_RULE = "KF002", "invalid alert rule";
    /// A log alert query that breaks a documented restriction of Azure Monitor's log search
    /// alerts (a warning: the service refuses it, or it measures something else than meant).
    ALERT_RESTRICTION = "KA001", "log alert query restriction";
    /// A table name that is neither a known table nor a tabular `let`.
    UNKNOWN_TABLE = "KS001", "unknown table";
    /// A name that is not a column of the input nor a scalar `let`.
    UNKNOWN_COLUMN = "KS002", "unknown column or variable";
    /// A function name that kqlite does not know.
    UNKNOWN_FUNCTION = "KS003", "unknown function";
    /// A call with too few or too many arguments.
    ARGUMENT_COUNT = "KS004", "wrong number of arguments";
    /// An argument of the wrong type.
    ARGUMENT_TYPE = "KS005", "wrong argument type";
    /// Operands that cannot be compared or combined.
    TYPE_MISMATCH = "KS006", "incompatible types";
    /// `.name` or `[index]` on a value that is not `dynamic`.
    NOT_DYNAMIC = "KS007", "member access on a non-dynamic value";
    /// A construct kqlite recognises but does not run.
    NOT_SUPPORTED = "KS008", "not supported";
    /// A literal whose value is invalid (a datetime that does not exist, say).
    INVALID_VALUE = "KS009", "invalid value";
    /// `render` anywhere but last.
    RENDER_NOT_LAST = "KS010", "render must be last";
    /// An aggregate function outside `summarize` (or a scalar where an aggregate is needed).
    AGGREGATE_CONTEXT = "KS011", "aggregate in the wrong place";
    /// A tabular expression where a scalar is needed, or the reverse.
    WRONG_KIND = "KS012", "tabular and scalar expressions mixed up";
    /// A query whose plan is deeper than kqlite runs (a very long chain of operators).
    TOO_COMPLEX = "KS013", "query too complex";
    /// An internal planner or engine error: a bug in kqlite.
    INTERNAL = "KE001", "internal error";
    /// A failure while running the query.
    EXECUTION = "KE002", "execution failed";
    /// A query that needs more memory than its limit (`--memory-limit`).
    OUT_OF_MEMORY = "KE003", "memory limit reached";
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
