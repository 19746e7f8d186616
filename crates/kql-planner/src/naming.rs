//! Kusto's output column names: `count_`, `sum_X`, `Column1`, `print_0`, `d_a` for `d.a`, and
//! numeric suffixes for duplicates.
//! <https://learn.microsoft.com/kusto/query/summarize-operator#default-values-of-aggregations>

use kql_parser::ast::{Expr, LiteralValue};

/// The name Kusto derives for an unnamed expression, if it derives one: a column keeps its name,
/// `d.a.b` becomes `d_a_b`, `d["a"]` becomes `d_a`. With `calls`, a call such as `bin(T, 1h)` takes
/// the name of its first argument (the rule for `summarize ... by` keys).
pub fn derived_name_with(e: &Expr, calls: bool) -> Option<String> {
    let derived_name = |e: &Expr| derived_name_with(e, calls);
    match e {
        Expr::Name(i) => Some(i.name.clone()),
        Expr::Paren(inner, _) => derived_name(inner),
        Expr::Member { target, member, .. } => {
            Some(format!("{}_{}", derived_name(target)?, member.name))
        }
        Expr::Index { target, index, .. } => {
            let base = derived_name(target)?;
            match index.as_ref() {
                Expr::Literal(l) => match &l.value {
                    LiteralValue::String(s) => Some(format!("{base}_{s}")),
                    LiteralValue::Long(n) => Some(format!("{base}_{n}")),
                    _ => None,
                },
                _ => None,
            }
        }
        Expr::Call(c) if calls && c.receiver.is_none() => {
            c.args.first().and_then(|a| derived_name(&a.value))
        }
        _ => None,
    }
}

/// [`derived_name_with`] for `project`/`extend`: columns and member paths only.
pub fn derived_name(e: &Expr) -> Option<String> {
    derived_name_with(e, false)
}

/// Makes `name` unique among `taken` by appending 1, 2, ... (Kusto's rule for duplicates).
pub fn unique(name: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == name) {
        return name.to_owned();
    }
    (1..)
        .map(|i| format!("{name}{i}"))
        .find(|n| !taken.iter().any(|t| t == n))
        .unwrap_or_else(|| name.to_owned())
}
