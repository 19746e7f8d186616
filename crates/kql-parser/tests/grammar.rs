//! Keeps `grammar/kql.ebnf` in step with the parser: every tabular operator keyword and special
//! call form is a quoted terminal of some production, every `(* parser: FILE::FUNCTION *)`
//! annotation names a function that exists, and every `*_op` operator parser has a production.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "tests report failures by panicking"
)]

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

fn parser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/parser")
}

fn grammar() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../grammar/kql.ebnf");
    fs::read_to_string(path).expect("grammar/kql.ebnf should be readable")
}

/// The grammar without `(* ... *)` comments, so a keyword named only in prose does not count.
fn productions(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("(*") {
        out.push_str(&rest[..open]);
        rest = rest[open..]
            .find("*)")
            .map_or("", |close| &rest[open + close + 2..]);
    }
    out + rest
}

/// `(FILE, FUNCTION)` for every `(* parser: FILE::FUNCTION *)` annotation.
fn annotations(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for chunk in text.split("(* parser:").skip(1) {
        let body = chunk.split("*)").next().unwrap_or("").trim();
        let (file, function) = body.split_once("::").unwrap_or((body, ""));
        assert!(
            !function.is_empty(),
            "malformed annotation `(* parser: {body} *)`: expected FILE::FUNCTION"
        );
        out.push((file.trim().to_owned(), function.trim().to_owned()));
    }
    out
}

/// Names of the functions defined (`fn name(` or `fn name<`) at the start of a line of `src`.
fn defined_functions(src: &str) -> Vec<String> {
    src.lines()
        .filter_map(|line| {
            let line = line
                .trim_start()
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            let rest = line.strip_prefix("fn ")?;
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
            Some(rest[..end].to_owned())
        })
        .collect()
}

fn missing_terminals<'a>(words: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let grammar = productions(&grammar());
    words
        .filter(|w| !grammar.contains(&format!("\"{w}\"")))
        .collect()
}

#[test]
fn every_tabular_operator_keyword_is_a_terminal() {
    let missing = missing_terminals(kql_parser::syntax::tabular_operators());
    assert!(
        missing.is_empty(),
        "grammar/kql.ebnf has no quoted terminal for these tabular operators: {missing:?}"
    );
}

#[test]
fn every_special_call_form_is_a_terminal() {
    let missing = missing_terminals(kql_parser::syntax::SPECIAL_CALL_FORMS.iter().copied());
    assert!(
        missing.is_empty(),
        "grammar/kql.ebnf has no quoted terminal for these special call forms: {missing:?}"
    );
}

#[test]
fn every_annotation_names_an_existing_function() {
    let annotations = annotations(&grammar());
    assert!(
        !annotations.is_empty(),
        "grammar/kql.ebnf has no `(* parser: FILE::FUNCTION *)` annotations"
    );
    let mut wrong = Vec::new();
    for (file, function) in annotations {
        // `literal.rs` is under the parser's `src/parser/`; `../kql-common/src/timespan.rs`
        // (text shared with the loaders) is relative to this crate.
        let path = if file.starts_with("../") {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(&file)
        } else {
            parser_dir().join(&file)
        };
        match fs::read_to_string(path) {
            Err(_) => wrong.push(format!(
                "{file}::{function}: there is no file src/parser/{file}"
            )),
            Ok(src) if !defined_functions(&src).contains(&function) => {
                wrong.push(format!(
                    "{file}::{function}: src/parser/{file} has no `fn {function}`"
                ));
            }
            Ok(_) => {}
        }
    }
    assert!(
        wrong.is_empty(),
        "grammar/kql.ebnf annotations name missing functions:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_operator_parser_has_a_production() {
    let annotated: BTreeSet<String> = annotations(&grammar())
        .into_iter()
        .map(|(f, n)| format!("{f}::{n}"))
        .collect();
    let mut missing = Vec::new();
    let entries = fs::read_dir(parser_dir().join("operators"))
        .expect("src/parser/operators should be listable");
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let Some(file) = path
            .file_name()
            .and_then(|n| n.to_str())
            .filter(|n| n.ends_with(".rs"))
        else {
            continue;
        };
        let src = fs::read_to_string(&path).expect("operator source should be readable");
        for function in defined_functions(&src)
            .into_iter()
            .filter(|f| f.ends_with("_op"))
        {
            let key = format!("operators/{file}::{function}");
            if !annotated.contains(&key) {
                missing.push(format!("no production annotated `(* parser: {key} *)`"));
            }
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "grammar/kql.ebnf lacks productions for operator parsers:\n{}",
        missing.join("\n")
    );
}
