//! Option values: a keyword of a closed set (`kind=inner`) or a free value (`withsource=T`).
//! A word outside the set is `KP011` at the word, with the closest keyword as a suggestion.

use super::common::option_value;
use crate::ast::{ClosedSet, Keyword, OptionValue, Span};
use crate::parser::error::PError;
use crate::parser::lexical::{off, peek, word_len, ws};
use crate::parser::{Input, PResult};
use kql_common::{Diagnostic, codes, suggest};
use nom::Input as _;

/// Parses the value of one option.
pub(crate) type ValueParser = for<'a> fn(Input<'a>) -> PResult<'a, OptionValue>;

/// A free value: a name, literal or signed number.
pub(crate) fn free_value(i: Input) -> PResult<OptionValue> {
    let (r, e) = option_value(i)?;
    Ok((r, OptionValue::Value(e)))
}

/// A keyword of the set `T`, wrapped into its option value.
pub(crate) fn keyword_value<'a, T: ClosedSet>(
    i: Input<'a>,
    wrap: fn(Keyword<T>) -> OptionValue,
) -> PResult<'a, OptionValue> {
    let (r, k) = keyword::<T>(i)?;
    Ok((r, wrap(k)))
}

/// A keyword of the set `T`. Anything but a word is "expected ..."; a word outside the set is
/// `KP011`, committed (the option's name has been read).
pub(crate) fn keyword<T: ClosedSet>(i: Input) -> PResult<Keyword<T>> {
    let i = ws(i);
    let start = off(&i);
    let len = word_len(peek(&i));
    if len == 0 {
        return Err(nom::Err::Failure(PError::expected(&i, T::WHAT)));
    }
    let text = peek(&i).get(..len).unwrap_or("");
    let span = Span::new(start, start + len);
    match T::from_text(text) {
        Some(value) => Ok((i.take_from(len), Keyword { value, span })),
        None => Err(nom::Err::Failure(PError::diagnostic(not_in_set::<T>(
            text, span,
        )))),
    }
}

/// "`innr` is not a join kind", with the closest keyword or the whole set as help.
fn not_in_set<T: ClosedSet>(text: &str, span: Span) -> Diagnostic {
    let names = T::ALL.iter().map(|v| v.as_str());
    let d = Diagnostic::error(
        codes::INVALID_OPTION_VALUE,
        format!("`{text}` is not {}", T::WHAT),
        span,
    )
    .with_label(format!("expected {}", T::WHAT));
    match suggest::closest(text, names.clone()) {
        Some(best) => d.with_help(format!("did you mean `{best}`?")),
        None => d.with_help(format!(
            "one of: {}",
            names
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
#[allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]
mod tests {
    use crate::ast::{ClosedSet, Expr, JoinKind, Operator, OptionValue, Statement};
    use crate::parse_query;
    use kql_common::{Diagnostic, codes};

    /// The first option of the query's join (`T | join ...`), or the parse error.
    fn join_kind(src: &str) -> Result<OptionValue, Box<Diagnostic>> {
        let q = parse_query(src).map_err(|mut d| Box::new(d.0.remove(0)))?;
        let Some(Statement::Expr(Expr::Pipeline(p))) = q.statements.first() else {
            panic!("not a pipeline: {q}");
        };
        let Some(Operator::Join(j)) = p.operators.first() else {
            panic!("not a join: {q}");
        };
        Ok(j.options[0].value.clone())
    }

    #[test]
    fn every_join_kind_parses_back_to_itself() {
        for k in JoinKind::ALL {
            let v = join_kind(&format!("T | join kind={k} (U) on x"));
            assert!(
                matches!(v, Ok(OptionValue::JoinKind(w)) if w.value == *k),
                "{k}"
            );
        }
    }

    #[test]
    fn kinds_are_case_sensitive_and_hints_are_not() {
        let d = join_kind("T | join kind=Inner (U) on x").unwrap_err();
        assert_eq!(d.code, codes::INVALID_OPTION_VALUE);
        assert_eq!(d.span.range(), 14..19);
        assert_eq!(d.help.as_deref(), Some("did you mean `inner`?"));
        let v = join_kind("T | join hint.strategy=Shuffle (U) on x");
        assert!(matches!(v, Ok(OptionValue::JoinStrategy(_))));
    }

    #[test]
    fn a_word_far_from_every_keyword_lists_the_set() {
        let d = join_kind("T | join hint.remote=zzzzzzzz (U) on x").unwrap_err();
        assert_eq!(d.span.range(), 21..29);
        assert_eq!(
            d.help.as_deref(),
            Some("one of: `auto`, `left`, `local`, `right`")
        );
    }
}
