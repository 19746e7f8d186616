//! The registry test: every function in the registry plans, under each of its names, with
//! arguments of its declared kinds, gives its declared result type, refuses one argument too
//! few or too many, and refuses a value of another kind where it declares one. The other direction (a name the planner dispatches on but the registry
//! lacks) cannot compile: `call.rs` and `aggregate.rs` match exhaustively on the registry's
//! `Scalar` and `Aggregate` enums, which the same table declares, and a name reaches them only
//! through `registry::lookup`.

#![allow(clippy::panic, reason = "tests report failures by panicking")]

use super::registry::{Arg, FunctionDef, Kind, MANY, Ret, functions, lookup, names};
use crate::{KqlSchema, KqlToRel, KqlType, PlannerOptions, SchemaCatalog};
use kql_common::{Diagnostics, codes};

/// Functions kqlite knows but refuses with KS008 (their `Ret` says why).
const NOT_SUPPORTED: &[&str] = &["toscalar"];

/// A literal of kind `arg`.
fn sample(arg: Arg) -> &'static str {
    match arg {
        Arg::Any | Arg::Long | Arg::Number => "1",
        Arg::Str | Arg::Text => "'a'",
        Arg::Real => "1.5",
        Arg::Bool => "true",
        Arg::DateTime => "datetime(2024-01-02)",
        Arg::Timespan => "1h",
        Arg::Dyn => "dynamic([1])",
        Arg::Type => "typeof(long)",
    }
}

/// A literal that argument kind `arg` refuses, if there is one.
fn wrong_sample(arg: Arg) -> Option<&'static str> {
    match arg {
        Arg::Any | Arg::Text | Arg::Type => None,
        Arg::Str | Arg::DateTime => Some("1"),
        Arg::Long | Arg::Real | Arg::Number | Arg::Bool | Arg::Timespan | Arg::Dyn => Some("'a'"),
    }
}

/// Plans a call of `name` with `n` arguments of `def`'s kinds, in the place its kind allows;
/// the result column is `x`, except for aggregates of several columns.
fn plan(def: &FunctionDef, name: &str, n: usize) -> Result<KqlType, Diagnostics> {
    let args: Vec<&str> = (0..n).filter_map(|i| def.arg(i)).map(sample).collect();
    plan_call(def, name, &args)
}

/// Plans `name(args)` in the place `def`'s kind allows.
fn plan_call(def: &FunctionDef, name: &str, args: &[&str]) -> Result<KqlType, Diagnostics> {
    let call = format!("{name}({})", args.join(", "));
    let query = match def.kind {
        // Serialized, for `row_number()`.
        Kind::Scalar => format!("T | serialize | extend x = {call}"),
        Kind::Aggregate => format!("T | summarize x = {call}"),
        Kind::AggregateColumns => format!("T | summarize {call}"),
    };
    let q =
        kql_parser::parse_query(&query).unwrap_or_else(|d| panic!("{query} does not parse: {d}"));
    let mut catalog = SchemaCatalog::new();
    catalog.add("T", KqlSchema::new([("a".to_owned(), KqlType::Long)]));
    let planned = KqlToRel::new(&catalog, PlannerOptions::at(0)).query_to_plan(&q)?;
    Ok(planned
        .schema
        .field("x")
        .map_or(KqlType::Dynamic, |(_, f)| f.ty))
}

#[test]
fn every_registered_name_plans_with_arguments_of_its_kinds() {
    let mut wrong = Vec::new();
    for def in functions() {
        for name in std::iter::once(def.name).chain(def.aliases.iter().copied()) {
            match (plan(def, name, def.min), def.result) {
                (Err(d), _)
                    if NOT_SUPPORTED.contains(&def.name)
                        && code(&d) == Some(codes::NOT_SUPPORTED) => {}
                (Err(d), _) => wrong.push(format!("{name}: {d}")),
                (Ok(_), _) if NOT_SUPPORTED.contains(&def.name) => {
                    wrong.push(format!("{name} plans"))
                }
                (Ok(ty), Ret::Is(declared)) if ty != declared => {
                    wrong.push(format!("{name} gives {ty}, the registry says {declared}"));
                }
                (Ok(_), _) => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_registered_function_refuses_one_argument_too_few_or_too_many() {
    let mut wrong = Vec::new();
    for def in functions().filter(|d| !NOT_SUPPORTED.contains(&d.name)) {
        let too_few = def.min.checked_sub(1);
        let too_many = (def.max != MANY).then(|| def.max + 1);
        for n in too_few.into_iter().chain(too_many) {
            match plan(def, def.name, n) {
                Err(d) if code(&d) == Some(codes::ARGUMENT_COUNT) => {}
                Err(d) => wrong.push(format!("{} with {n} arguments: {d}", def.name)),
                Ok(_) => wrong.push(format!("{} plans with {n} arguments", def.name)),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn every_checked_argument_refuses_a_value_of_another_kind() {
    let mut wrong = Vec::new();
    for def in functions().filter(|d| !NOT_SUPPORTED.contains(&d.name)) {
        let n = def.min.max(1).min(def.max);
        for i in 0..n {
            let Some(bad) = def.arg(i).and_then(wrong_sample) else {
                continue;
            };
            let mut args: Vec<&str> = (0..n).filter_map(|j| def.arg(j)).map(sample).collect();
            args[i] = bad;
            match plan_call(def, def.name, &args) {
                Err(d) if code(&d) == Some(codes::ARGUMENT_TYPE) => {}
                Err(d) => wrong.push(format!("{}({}): {d}", def.name, args.join(", "))),
                Ok(_) => wrong.push(format!("{}({}) plans", def.name, args.join(", "))),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn code(d: &Diagnostics) -> Option<codes::Code> {
    d.0.first().map(|d| d.code)
}

#[test]
fn names_and_aliases_are_unique_and_found() {
    let mut all: Vec<&str> = names().collect();
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "a name or alias is listed twice");
    for name in all {
        assert!(lookup(name).is_some(), "{name}");
    }
    assert!(lookup("no_such_function").is_none());
}
