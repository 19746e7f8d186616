//! The oracles: what must hold between the answers to the queries of one [`Case`].
//!
//! With `P` a predicate, Kusto's `not(null)` is null, so every row makes exactly one of `P`,
//! `not(P)` and `isnull(P)` true (ternary logic partitioning). Counting, summing or taking the
//! min/max of the three parts must give what the whole table gives; `where P` must keep as many
//! rows as `countif(P)` counts and as `extend p = P | where p` keeps. A query may be refused with
//! a clean diagnostic, but never with an internal error, a panic or a hang (the runner in
//! `main.rs` reports those as [`Failure`]s).

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::generate::Case;

/// One result cell, typed enough to add and order: longs, ints, datetimes and timespans as
/// `I64` (ticks for the latter two), reals as `F64`, text, guids and dynamic values as `Str`.
#[derive(Clone, Debug)]
pub(crate) enum Cell {
    Null,
    Bool(bool),
    I64(i64),
    F64(f64),
    Str(String),
}

/// Equal values: reals by value (0.0 == -0.0) but NaN equals NaN, so a NaN answer can be compared.
impl PartialEq for Cell {
    fn eq(&self, other: &Cell) -> bool {
        match (self, other) {
            (Cell::F64(a), Cell::F64(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Cell::Null, Cell::Null) => true,
            (Cell::Bool(a), Cell::Bool(b)) => a == b,
            (Cell::I64(a), Cell::I64(b)) => a == b,
            (Cell::Str(a), Cell::Str(b)) => a == b,
            _ => false,
        }
    }
}

impl Cell {
    /// The order `min`/`max` use: numbers by value (reals in total order; `min`/`max` skip NaN),
    /// text by bytes.
    fn order(&self, other: &Cell) -> Ordering {
        match (self, other) {
            (Cell::I64(a), Cell::I64(b)) => a.cmp(b),
            (Cell::F64(a), Cell::F64(b)) => a.total_cmp(b),
            (Cell::Str(a), Cell::Str(b)) => a.cmp(b),
            (Cell::Bool(a), Cell::Bool(b)) => a.cmp(b),
            // Mixed kinds never occur in one column; any fixed order will do.
            _ => format!("{self:?}").cmp(&format!("{other:?}")),
        }
    }

    /// A key that identifies equal cells (reals by their bits, so NaN equals NaN).
    fn key(&self) -> String {
        match self {
            Cell::F64(x) => format!("F64({:x})", x.to_bits()),
            other => format!("{other:?}"),
        }
    }
}

/// What one query gave.
#[derive(Clone, Debug)]
pub(crate) enum Outcome {
    Rows(Vec<Vec<Cell>>),
    /// A clean diagnostic: its code and message.
    Refused(String, String),
}

/// A broken invariant, with the query that showed it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Failure {
    pub(crate) kind: &'static str,
    pub(crate) detail: String,
    pub(crate) query: String,
}

/// How a case ended when nothing failed.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    /// Every oracle ran and held.
    Held,
    /// The predicate was refused (code, message): nothing to compare.
    Refused(String, String),
}

/// Texts of DataFusion and Arrow errors that must never reach a user.
pub(crate) const INTERNAL_TEXTS: &[&str] = &[
    "Internal error",
    "This was likely caused by a bug",
    "Arrow error",
    "Execution error:",
    "Schema error",
    "not yet implemented",
    "DataFusion",
    "panicked",
];

/// Whether a diagnostic (code and message) is a bug rather than a clean refusal.
pub(crate) fn internal_diagnostic(code: &str, message: &str) -> bool {
    code == "KE001" || INTERNAL_TEXTS.iter().any(|t| message.contains(t))
}

/// Runs one query: `Ok` with what it gave, or `Err` when it crashed, hung or failed internally.
pub(crate) type Runner<'a> = dyn FnMut(&str) -> Result<Outcome, Failure> + 'a;

/// The queries of the three parts of `table` split by `p`.
fn parts(p: &str) -> [String; 3] {
    [
        format!("where {p}"),
        format!("where not({p})"),
        format!("where isnull({p})"),
    ]
}

/// Checks every oracle on `case`; the first broken one is returned.
pub(crate) fn check_case(case: &Case, run: &mut Runner<'_>) -> Result<Verdict, Failure> {
    let (t, p) = (&case.table, &case.predicate);
    let countif = format!(
        "{t} | summarize a = countif({p}), b = countif(not({p})), c = countif(isnull({p})), n = count()"
    );
    let counted = match run(&countif)? {
        Outcome::Refused(code, message) => return Ok(Verdict::Refused(code, message)),
        Outcome::Rows(rows) => longs(&rows, &countif, 4)?,
    };
    let (a, b, c, n) = (counted[0], counted[1], counted[2], counted[3]);
    if a + b + c != n {
        return Err(Failure {
            kind: "countif partition",
            detail: format!("countif P, not P, isnull P: {a} + {b} + {c} != count() {n}"),
            query: countif,
        });
    }
    // The same partition through `where`, each part matching its countif.
    let total = count(run, &format!("{t} | count"))?;
    if total != n {
        return Err(Failure {
            kind: "count",
            detail: format!("`| count` gives {total}, `summarize count()` {n}"),
            query: format!("{t} | count"),
        });
    }
    for (part, want) in parts(p).iter().zip([a, b, c]) {
        let q = format!("{t} | {part} | count");
        let got = count(run, &q)?;
        if got != want {
            return Err(Failure {
                kind: "where partition",
                detail: format!("`{part}` keeps {got} rows, the countif counts {want}"),
                query: q,
            });
        }
    }
    // A computed column is the same predicate.
    let q = format!("{t} | extend fuzz_p = {p} | where fuzz_p | count");
    let got = count(run, &q)?;
    if got != a {
        return Err(Failure {
            kind: "extend then where",
            detail: format!("`extend fuzz_p = P | where fuzz_p` keeps {got} rows, `where P` {a}"),
            query: q,
        });
    }
    aggregates(case, run)?;
    Ok(Verdict::Held)
}

/// Count, sum, min and max by the key over the whole table equal those over the three parts.
fn aggregates(case: &Case, run: &mut Runner<'_>) -> Result<(), Failure> {
    let summarize = format!(
        "summarize n = count(), s = sum({}), lo = min({x}), hi = max({x}) by {}",
        case.sum,
        case.key,
        x = case.minmax
    );
    let whole_query = format!("{} | {summarize}", case.table);
    let whole = match run(&whole_query)? {
        // The min/max expression alone may be refused; then there is nothing to compare.
        Outcome::Refused(..) => return Ok(()),
        Outcome::Rows(rows) => groups(&rows, &whole_query)?,
    };
    let mut combined: BTreeMap<String, Group> = BTreeMap::new();
    for part in parts(&case.predicate) {
        let q = format!("{} | {part} | {summarize}", case.table);
        let rows = match run(&q)? {
            Outcome::Rows(rows) => rows,
            Outcome::Refused(code, message) => {
                return Err(inconsistent(&q, &code, &message));
            }
        };
        for (key, g) in groups(&rows, &q)? {
            match combined.get_mut(&key) {
                Some(c) => c.merge(g),
                None => {
                    combined.insert(key, g);
                }
            }
        }
    }
    if whole != combined {
        // Name what differs, so that one kind of bug does not hide the others.
        let differs = |f: fn(&Group) -> Vec<Cell>| {
            whole.len() != combined.len()
                || whole
                    .iter()
                    .any(|(k, g)| combined.get(k).is_none_or(|c| f(g) != f(c)))
        };
        let kind = if differs(|g| vec![Cell::I64(g.n)]) {
            "aggregate partition: count"
        } else if differs(|g| vec![g.sum.clone()]) {
            "aggregate partition: sum"
        } else if matches!(whole.values().next().map(|g| &g.lo), Some(Cell::F64(_))) {
            "aggregate partition: min/max of reals"
        } else {
            "aggregate partition: min/max"
        };
        let show = |m: &BTreeMap<String, Group>| {
            m.iter()
                .map(|(k, g)| format!("{k}: {g:?}"))
                .collect::<Vec<_>>()
                .join("; ")
        };
        return Err(Failure {
            kind,
            detail: format!(
                "whole table: {}\n  three parts combined: {}",
                show(&whole),
                show(&combined)
            ),
            query: whole_query,
        });
    }
    Ok(())
}

/// One group's count, sum, min and max.
#[derive(Debug, PartialEq)]
struct Group {
    n: i64,
    sum: Cell,
    lo: Cell,
    hi: Cell,
}

impl Group {
    fn merge(&mut self, other: Group) {
        self.n += other.n;
        self.sum = match (&self.sum, &other.sum) {
            (Cell::I64(a), Cell::I64(b)) => Cell::I64(a.wrapping_add(*b)),
            (Cell::Null, s) | (s, Cell::Null) => s.clone(),
            (s, _) => s.clone(),
        };
        self.lo = extreme(&self.lo, &other.lo, Ordering::Less);
        self.hi = extreme(&self.hi, &other.hi, Ordering::Greater);
    }
}

/// The smaller (`Less`) or larger (`Greater`) of two aggregates, nulls ignored.
fn extreme(a: &Cell, b: &Cell, want: Ordering) -> Cell {
    match (a, b) {
        (Cell::Null, x) | (x, Cell::Null) => x.clone(),
        (a, b) if b.order(a) == want => b.clone(),
        (a, _) => a.clone(),
    }
}

fn groups(rows: &[Vec<Cell>], query: &str) -> Result<BTreeMap<String, Group>, Failure> {
    let mut out = BTreeMap::new();
    for row in rows {
        // `by` columns come first.
        let [key, n, sum, lo, hi] = row.as_slice() else {
            return Err(shape(
                query,
                &format!("a row of {} columns, not 5", row.len()),
            ));
        };
        let Cell::I64(n) = n else {
            return Err(shape(query, &format!("count() {n:?}")));
        };
        let g = Group {
            n: *n,
            sum: sum.clone(),
            lo: lo.clone(),
            hi: hi.clone(),
        };
        if out.insert(key.key(), g).is_some() {
            return Err(shape(query, &format!("key {key:?} twice")));
        }
    }
    Ok(out)
}

fn count(run: &mut Runner<'_>, query: &str) -> Result<i64, Failure> {
    match run(query)? {
        Outcome::Rows(rows) => Ok(longs(&rows, query, 1)?[0]),
        Outcome::Refused(code, message) => Err(inconsistent(query, &code, &message)),
    }
}

/// The `n` longs of a one-row result.
fn longs(rows: &[Vec<Cell>], query: &str, n: usize) -> Result<Vec<i64>, Failure> {
    let cells = match rows {
        [row] if row.len() == n => row,
        _ => return Err(shape(query, &format!("{rows:?}, not one row of {n} longs"))),
    };
    cells
        .iter()
        .map(|c| match c {
            Cell::I64(v) => Ok(*v),
            other => Err(shape(query, &format!("{other:?} where a count belongs"))),
        })
        .collect()
}

fn shape(query: &str, what: &str) -> Failure {
    Failure {
        kind: "result shape",
        detail: what.to_owned(),
        query: query.to_owned(),
    }
}

/// A query refused although the same predicate ran in the first query of its case.
fn inconsistent(query: &str, code: &str, message: &str) -> Failure {
    Failure {
        kind: "inconsistent refusal",
        detail: format!("{code}: {message} (the countif query with the same predicate ran)"),
        query: query.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case() -> Case {
        Case {
            table: "T".into(),
            key: "k".into(),
            sum: "i".into(),
            minmax: "l".into(),
            predicate: "l > 0".into(),
        }
    }

    /// A consistent fake engine over 10 rows split 4 / 5 / 1, one group.
    fn honest(q: &str) -> Result<Outcome, Failure> {
        let one = |v: Vec<i64>| Ok(Outcome::Rows(vec![v.into_iter().map(Cell::I64).collect()]));
        let group = |n, s, lo, hi| {
            Ok(Outcome::Rows(vec![vec![
                Cell::Str("a".into()),
                Cell::I64(n),
                Cell::I64(s),
                Cell::I64(lo),
                Cell::I64(hi),
            ]]))
        };
        if q.contains("countif") {
            return one(vec![4, 5, 1, 10]);
        }
        match (q.contains("summarize n ="), q) {
            (true, q) if q.contains("where not(") => group(5, 50, -5, -1),
            (true, q) if q.contains("where isnull(") => group(1, 7, 0, 0),
            (true, q) if q.contains("where l") => group(4, 40, 1, 9),
            (true, _) => group(10, 97, -5, 9),
            (false, q) if q.contains("where not(") => one(vec![5]),
            (false, q) if q.contains("where isnull(") => one(vec![1]),
            (false, q) if q.contains("where") => one(vec![4]),
            _ => one(vec![10]),
        }
    }

    #[test]
    fn a_consistent_engine_passes() {
        assert_eq!(check_case(&case(), &mut honest), Ok(Verdict::Held));
    }

    #[test]
    fn a_wrong_countif_is_reported() {
        let mut run = |q: &str| {
            if q.contains("countif") {
                Ok(Outcome::Rows(vec![[4, 5, 0, 10].map(Cell::I64).to_vec()]))
            } else {
                honest(q)
            }
        };
        let failure = check_case(&case(), &mut run).err().map(|f| f.kind);
        assert_eq!(failure, Some("countif partition"));
    }

    #[test]
    fn a_where_part_losing_a_row_is_reported() {
        let mut run = |q: &str| {
            if q.ends_with("where isnull(l > 0) | count") {
                Ok(Outcome::Rows(vec![vec![Cell::I64(0)]]))
            } else {
                honest(q)
            }
        };
        let failure = check_case(&case(), &mut run).err().map(|f| f.kind);
        assert_eq!(failure, Some("where partition"));
    }

    #[test]
    fn extend_then_where_disagreeing_is_reported() {
        let mut run = |q: &str| {
            if q.contains("extend fuzz_p") {
                Ok(Outcome::Rows(vec![vec![Cell::I64(3)]]))
            } else {
                honest(q)
            }
        };
        let failure = check_case(&case(), &mut run).err().map(|f| f.kind);
        assert_eq!(failure, Some("extend then where"));
    }

    #[test]
    fn a_wrong_max_over_the_parts_is_reported() {
        let mut run = |q: &str| {
            if q.starts_with("T | summarize n =") {
                let row = [10, 97, -5, 8].map(Cell::I64);
                Ok(Outcome::Rows(vec![
                    [Cell::Str("a".into())].into_iter().chain(row).collect(),
                ]))
            } else {
                honest(q)
            }
        };
        let failure = check_case(&case(), &mut run).err().map(|f| f.kind);
        assert_eq!(failure, Some("aggregate partition: min/max"));
    }

    #[test]
    fn a_refused_predicate_is_not_a_failure_but_a_later_refusal_is() {
        let mut refused = |_: &str| Ok(Outcome::Refused("KS006".into(), "types".into()));
        assert_eq!(
            check_case(&case(), &mut refused),
            Ok(Verdict::Refused("KS006".into(), "types".into()))
        );
        let mut later = |q: &str| {
            if q.contains("where not(") {
                Ok(Outcome::Refused("KS006".into(), "types".into()))
            } else {
                honest(q)
            }
        };
        let failure = check_case(&case(), &mut later).err().map(|f| f.kind);
        assert_eq!(failure, Some("inconsistent refusal"));
    }

    #[test]
    fn datafusion_texts_are_internal() {
        assert!(internal_diagnostic(
            "KE002",
            "the query failed while running: Arrow error: Divide by zero error"
        ));
        assert!(internal_diagnostic("KE001", "anything"));
        assert!(!internal_diagnostic(
            "KS006",
            "cannot compare string and long"
        ));
    }
}
