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
