//! Tabular operators. [`OPERATORS`] maps each keyword to its parser; one file per family:
//!
//! | file | operators |
//! |---|---|
//! | `filter.rs` | where/filter, take/limit, sample, sample-distinct, count, getschema, serialize, as, consume |
//! | `project.rs` | extend, project, project-away, project-keep, project-rename, project-reorder, print |
//! | `summarize.rs` | summarize, distinct, top-nested, top-hitters, make-series |
//! | `sort.rs` | sort/order, top |
//! | `join.rs` | join, lookup, union |
//! | `mv.rs` | mv-expand/mvexpand, mv-apply |
//! | `parse.rs` | parse, parse-where, parse-kv |
//! | `source.rs` | datatable, range, externaldata, search, find, evaluate, invoke |
//! | `render.rs` | render (its visualizations and properties are closed sets) |
//!
//! Options whose values form a closed set (`join kind=`, ...) are parsed by `option_values.rs`.
//! | `control.rs` | facet, fork, partition, scan, reduce |

pub(crate) mod common;
mod control;
mod filter;
mod join;
mod mv;
mod option_values;
mod parse;
mod project;
mod render;
mod sort;
mod source;
mod summarize;

use super::error::PError;
use super::lexical::{is_punct, off, peek, ws};
use super::{Input, PResult};
use crate::ast::{Operator, Span};
use kql_common::{Diagnostic, codes};
use nom::Input as _;

/// A parser for one operator, called after its keyword with the keyword's span.
type OperatorParser = for<'a> fn(Input<'a>, Span) -> PResult<'a, Operator>;

/// Every tabular operator keyword and its parser. `grammar/kql.ebnf` must list each keyword
/// (a test checks this).
pub(crate) const OPERATORS: &[(&str, OperatorParser)] = &[
    ("where", filter::where_op),
    ("filter", filter::where_op),
    ("extend", project::extend_op),
    ("project", project::project_op),
    ("project-away", project::project_away_op),
    ("project-keep", project::project_keep_op),
    ("project-rename", project::project_rename_op),
    ("project-reorder", project::project_reorder_op),
    ("summarize", summarize::summarize_op),
    ("count", filter::count_op),
    ("distinct", summarize::distinct_op),
    ("sort", sort::sort_op),
    ("order", sort::sort_op),
    ("top", sort::top_op),
    ("top-nested", summarize::top_nested_op),
    ("top-hitters", summarize::top_hitters_op),
    ("take", filter::take_op),
    ("limit", filter::take_op),
    ("sample", filter::sample_op),
    ("sample-distinct", filter::sample_distinct_op),
    ("join", join::join_op),
    ("lookup", join::lookup_op),
    ("union", join::union_op),
    ("mv-expand", mv::mv_expand_op),
    ("mvexpand", mv::mv_expand_op),
    ("mv-apply", mv::mv_apply_op),
    ("parse", parse::parse_op),
    ("parse-where", parse::parse_op),
    ("parse-kv", parse::parse_kv_op),
    ("make-series", summarize::make_series_op),
    ("render", render::render_op),
    ("datatable", source::datatable_op),
    ("print", project::print_op),
    ("range", source::range_op),
    ("serialize", filter::serialize_op),
    ("as", filter::as_op),
    ("invoke", source::invoke_op),
    ("evaluate", source::evaluate_op),
    ("getschema", filter::getschema_op),
    ("externaldata", source::externaldata_op),
    ("external_data", source::externaldata_op),
    ("search", source::search_op),
    ("find", source::find_op),
    ("facet", control::facet_op),
    ("fork", control::fork_op),
    ("partition", control::partition_op),
    ("scan", control::scan_op),
    ("consume", filter::consume_op),
    ("reduce", control::reduce_op),
];

/// Operators that can start a query with no input (`print 1`, `range x from 1 to 3 step 1`).
const SOURCE_OPERATORS: &[&str] = &[
    "print",
    "range",
    "datatable",
    "union",
    "externaldata",
    "external_data",
    "evaluate",
    "search",
    "find",
];

/// The operator keyword at the start of `rest`: a word possibly joined by `-` (`project-away`).
fn operator_word(rest: &str) -> &str {
    let mut end = 0;
    let bytes = rest.as_bytes();
    loop {
        let n = bytes
            .get(end..)
            .unwrap_or(&[])
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .count();
        if n == 0 {
            break;
        }
        end += n;
        if bytes.get(end) == Some(&b'-') && bytes.get(end + 1).is_some_and(u8::is_ascii_alphabetic)
        {
            end += 1;
        } else {
            break;
        }
    }
    rest.get(..end).unwrap_or("").trim_end_matches('-')
}

/// Whether `word` is a tabular operator keyword.
pub(crate) fn is_operator_keyword(word: &str) -> bool {
    lookup(word).is_some()
}

fn lookup(word: &str) -> Option<OperatorParser> {
    OPERATORS.iter().find(|(k, _)| *k == word).map(|(_, p)| *p)
}

fn run_operator<'a>(i: Input<'a>, word: &str, parser: OperatorParser) -> PResult<'a, Operator> {
    let i = ws(i);
    let start = off(&i);
    let kw = Span::new(start, start + word.len());
    parser(i.take_from(word.len()), kw)
}

/// The operator after a `|`: an unknown keyword is a committed error with suggestions.
pub(crate) fn operator_after_pipe(i: Input) -> PResult<Operator> {
    let i = ws(i);
    let start = off(&i);
    let word = operator_word(peek(&i));
    if let Some(p) = lookup(word) {
        return run_operator(i, word, p);
    }
    // `print-x` is `print -x` unless the hyphenated word looks like a misspelt operator.
    if let Some((head, _)) = word.split_once('-') {
        let near = closest(
            word,
            OPERATORS
                .iter()
                .map(|(k, _)| *k)
                .filter(|k| k.contains('-')),
        );
        if let (Some(p), None) = (lookup(head), near) {
            return run_operator(i, head, p);
        }
    }
    if word.is_empty() {
        return Err(nom::Err::Failure(PError::expected(
            &i,
            "a tabular operator after `|`",
        )));
    }
    Err(nom::Err::Failure(PError::diagnostic(unknown_operator(
        word, start,
    ))))
}

fn unknown_operator(word: &str, start: usize) -> Diagnostic {
    let span = Span::new(start, start + word.len());
    let d = Diagnostic::error(
        codes::UNKNOWN_OPERATOR,
        format!("unknown tabular operator `{word}`"),
        span,
    )
    .with_label("not a KQL operator");
    let alias = match word {
        "select" | "fields" => Some("project"),
        "rename" => Some("project-rename"),
        "stats" | "group" | "groupby" | "aggregate" => Some("summarize"),
        "head" | "first" => Some("take"),
        "dedup" | "uniq" => Some("distinct"),
        "rex" | "regex" => Some("parse kind=regex"),
        "eval" | "set" => Some("extend"),
        "table" => Some("project"),
        _ => None,
    };
    if let Some(a) = alias {
        return d.with_help(format!("KQL spells this `{a}`"));
    }
    if let Some(best) = closest(word, OPERATORS.iter().map(|(k, _)| *k)) {
        return d.with_help(format!("did you mean `{best}`?"));
    }
    if word.chars().any(char::is_uppercase) && lookup(&word.to_lowercase()).is_some() {
        return d.with_help(format!(
            "operator names are lower-case: `{}`",
            word.to_lowercase()
        ));
    }
    d
}

/// The closest candidate within a small edit distance.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    kql_common::suggest::closest(word, candidates)
}

/// Whether a known operator keyword starts here (used where the input is implicit).
pub(crate) fn starts_operator(i: &Input) -> bool {
    let rest = peek(i);
    let mut word = operator_word(rest);
    if lookup(word).is_none() {
        word = word.split_once('-').map_or(word, |(head, _)| head);
    }
    if lookup(word).is_none() {
        return false;
    }
    // `count()`, `range(...)`, `print(...)`: a call, not an operator.
    let after = rest.get(word.len()..).unwrap_or("").trim_start();
    !after.starts_with('(')
        || matches!(
            word,
            "union" | "datatable" | "externaldata" | "external_data" | "fork"
        )
}

/// The first operator of an implicit-input sub-query.
pub(crate) fn subquery_operator(i: Input) -> PResult<Operator> {
    operator_after_pipe(i)
}

/// A source operator that starts a pipeline, if one is here.
pub(crate) fn source_operator(i: Input) -> Result<Option<(Input, Operator)>, nom::Err<PError>> {
    let i = ws(i);
    let rest = peek(&i);
    let mut word = operator_word(rest);
    if lookup(word).is_none() {
        // `print-x` is `print -x`.
        word = word.split_once('-').map_or(word, |(head, _)| head);
    }
    if !SOURCE_OPERATORS.contains(&word) {
        return Ok(None);
    }
    let after = ws(i.take_from(word.len()));
    // `range(1, 5, 1)` is the scalar function; so is a column that happens to be named `print`.
    let ends = peek(&after).is_empty()
        || is_punct(&after, "|")
        || is_punct(&after, ";")
        || is_punct(&after, ")");
    if (word == "range" && is_punct(&after, "(")) || (ends && word != "print") {
        return Ok(None);
    }
    let Some(p) = lookup(word) else {
        return Ok(None);
    };
    run_operator(i, word, p).map(Some)
}
