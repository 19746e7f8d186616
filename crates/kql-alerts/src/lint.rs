//! Warnings for the documented restrictions of Azure Monitor log search alert queries: what the
//! service refuses, or what makes a rule measure something other than meant.
//! <https://learn.microsoft.com/azure/azure-monitor/alerts/alerts-log-query>

use crate::rule::{Rule, RuleKind};
use kql_common::codes::ALERT_RESTRICTION;
use kql_common::{Diagnostic, Span};
use kql_parser::ast::{Expr, Operator, Pipeline, Query, Statement};
use kql_workspace::{KqlSchema, KqlType};

/// The warnings for `rule`, whose query parsed as `query`; `result` is the query's result
/// schema when it plans.
pub fn lint(rule: &Rule, query: &Query, result: Option<&KqlSchema>) -> Vec<Diagnostic> {
    let mut out = reach_beyond_the_window(rule);
    let RuleKind::AzureMonitor(a) = &rule.kind else {
        return out;
    };
    // The rule's properties, query included, must stay under 64 KB.
    if rule.query.text.len() > 64 * 1024 {
        out.push(Diagnostic::warning(
            ALERT_RESTRICTION,
            format!(
                "the query is {} KB: a log alert rule's properties must stay under 64 KB",
                rule.query.text.len() / 1024
            ),
            Span::new(0, 0),
        ));
    }
    let warn = |span: Span, message: &str| Diagnostic::warning(ALERT_RESTRICTION, message, span);
    let Some(pipeline) = main_pipeline(query) else {
        return out;
    };
    let one_minute = a.frequency <= 60 * kql_common::time::TICKS_PER_SEC;
    if pipeline.source.is_none()
        && let Some(first @ (Operator::Search(_) | Operator::Union(_))) = pipeline.operators.first()
    {
        out.push(warn(
            first.span(),
            "a log alert query must start with a table, not `search` or `union` (cross-resource queries aside)",
        ));
    }
    for op in &pipeline.operators {
        match op {
            Operator::Take(t) => out.push(
                warn(
                    t.span,
                    "avoid `take`/`limit` in a log alert query: which rows it keeps is arbitrary",
                )
                .with_note(if one_minute {
                    "rules that run every minute may not use it at all"
                } else {
                    "the service evaluates the rows the query returns"
                }),
            ),
            Operator::Evaluate(e) => {
                if let Expr::Call(c) = &e.call
                    && ["bag_unpack", "pivot", "narrow"].contains(&c.name.name.as_str())
                {
                    out.push(warn(
                        e.span,
                        &format!("log alert queries may not use the `{}` plugin", c.name.name),
                    ));
                }
            }
            Operator::Search(s) if one_minute => out.push(warn(
                s.span,
                "a rule that runs every minute may not use `search`",
            )),
            Operator::Union(u) if one_minute => out.push(warn(
                u.span,
                "a rule that runs every minute may not use `union`",
            )),
            _ => {}
        }
    }
    for name in ["ingestion_time(", "adx("] {
        if one_minute {
            for at in words(&rule.query.text, name) {
                out.push(warn(
                    Span::new(at, at + name.len()),
                    &format!("a rule that runs every minute may not use `{})`", name),
                ));
            }
        }
    }
    // The legacy API's metric measurement needs that very column.
    let reserved = if a.legacy_metric.is_some() {
        Vec::new()
    } else {
        words(&rule.query.text, "AggregatedValue")
    };
    for at in reserved {
        out.push(warn(
            Span::new(at, at + "AggregatedValue".len()),
            "`AggregatedValue` is a reserved name in log alert queries",
        ));
    }
    // The service appends `| count` to a row-count rule: a query that already counts is one row.
    if a.measure_column.is_none()
        && let Some(last) = pipeline
            .operators
            .iter()
            .rev()
            .find(|op| !matches!(op, Operator::Render(_)))
        && counts_to_one_row(last)
    {
        out.push(
            warn(
                last.span(),
                "a row-count rule must not end with `count` or `summarize count()`: the service counts the rows itself, so the measure would always be 1",
            )
            .with_note("end with the rows to count, or measure a column with `timeAggregation` and `metricMeasureColumn`"),
        );
    }
    if a.periods > 1
        && let Some(schema) = result
        && !schema.fields.iter().any(|f| f.ty == KqlType::DateTime)
    {
        out.push(warn(
            pipeline.span,
            "a rule of several evaluation periods needs a datetime column in the query's result",
        ));
    }
    out
}

/// `ago(7d)` in a rule whose evaluations only see the last hour: the service applies the
/// rule's time range outside the query, so the older rows are never there (a baseline that
/// silently compares with nothing).
fn reach_beyond_the_window(rule: &Rule) -> Vec<Diagnostic> {
    let (range, _) = crate::evaluate::schedule(rule);
    if matches!(rule.kind, RuleKind::Defender(_)) {
        return Vec::new();
    }
    let text = &rule.query.text;
    let mut out = Vec::new();
    for at in words(text, "ago(") {
        let args = &text[at + 4..];
        let Some(close) = args.find(')') else {
            continue;
        };
        // `ago(timespan(1d))` and `ago(time(1d))` are literals too.
        let arg = args[..close].trim();
        let inner = ["timespan(", "time("]
            .iter()
            .find_map(|f| arg.strip_prefix(f))
            .unwrap_or(arg);
        let Some(reach) = kql_common::timespan::parse_text(inner) else {
            // Azure Monitor takes `ago()` of a timespan literal only.
            if matches!(rule.kind, RuleKind::AzureMonitor(_)) {
                out.push(Diagnostic::warning(
                    ALERT_RESTRICTION,
                    "log alert queries may use `ago()` with a timespan literal only (`ago(1h)`)",
                    Span::new(at, at + 4 + close + 1),
                ));
            }
            continue;
        };
        if reach > range {
            out.push(
                Diagnostic::warning(
                    ALERT_RESTRICTION,
                    format!(
                        "`ago({})` reaches further back than the {} the rule's evaluations see: older rows are not there when the service runs it",
                        args[..close].trim(),
                        crate::duration::format_iso(range)
                    ),
                    Span::new(at, at + 4 + close + 1),
                )
                .with_note("widen the window (Azure Monitor: `overrideQueryTimeRange`, up to 2 days; Sentinel: `queryPeriod`, up to 14 days)"),
            );
        }
    }
    out
}

/// Where `word` (a name, or a name and `(`) starts in the code of `text`: not inside a longer
/// name, a string or a comment.
fn words(text: &str, word: &str) -> Vec<usize> {
    let quiet: Vec<std::ops::Range<usize>> = kql_parser::syntax::classify(text)
        .into_iter()
        .filter(|(_, class)| {
            matches!(
                class,
                kql_parser::syntax::TokenClass::String | kql_parser::syntax::TokenClass::Comment
            )
        })
        .map(|(r, _)| r)
        .collect();
    let name_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(word)
        .map(|(at, _)| at)
        .filter(|&at| {
            let before = text[..at].chars().next_back().is_some_and(name_char);
            let after = !word.ends_with('(')
                && text[at + word.len()..]
                    .chars()
                    .next()
                    .is_some_and(name_char);
            !before && !after && !quiet.iter().any(|r| r.contains(&at))
        })
        .collect()
}

/// The query's last tabular statement, as a pipeline.
fn main_pipeline(query: &Query) -> Option<&Pipeline> {
    query.statements.iter().rev().find_map(|s| match s {
        Statement::Expr(Expr::Pipeline(p)) => Some(p.as_ref()),
        _ => None,
    })
}

/// `count`, or `summarize` of `count()` alone without `by`.
fn counts_to_one_row(op: &Operator) -> bool {
    match op {
        Operator::Count(_) => true,
        Operator::Summarize(s) => {
            s.by.is_none()
                && s.aggregates.len() == 1
                && matches!(&s.aggregates[0].expr, Expr::Call(c) if c.name.name.eq_ignore_ascii_case("count"))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::Params;

    fn warnings(settings: &str, query: &str) -> Vec<String> {
        let text = format!("{settings}\nquery = '''\n{query}\n'''\n");
        let rule = crate::formats::parse(std::path::Path::new("r.toml"), &text, &Params::new())
            .expect("a rule")
            .remove(0);
        let parsed = kql_parser::parse_query(&rule.query.text).expect("parses");
        lint(&rule, &parsed, None)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    const HOURLY: &str = "frequency = '1h'\nwindow = '1h'\noperator = '>'\nthreshold = 5";

    #[test]
    fn a_count_rule_that_counts_itself_is_flagged() {
        let w = warnings(HOURLY, "T | where x == 1 | count");
        assert!(w[0].contains("must not end with `count`"), "{w:?}");
        let w = warnings(HOURLY, "T | summarize count()");
        assert_eq!(w.len(), 1, "{w:?}");
        // Counting per group is rows to count: fine.
        assert!(warnings(HOURLY, "T | summarize count() by JobId").is_empty());
    }

    #[test]
    fn ago_of_a_computed_timespan_is_flagged() {
        let w = warnings(HOURLY, "let w = 30m; T | where TimeGenerated > ago(w)");
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("`ago()` with a timespan literal only"),
            "{w:?}"
        );
    }

    #[test]
    fn one_minute_rules_and_reserved_names() {
        let minute = "frequency = '1m'\nwindow = '5m'\noperator = '>'\nthreshold = 5";
        let w = warnings(
            minute,
            "T | extend t = ingestion_time() | extend AggregatedValue = 1",
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("`ingestion_time()`"), "{w:?}");
        assert!(
            w[1].contains("`AggregatedValue` is a reserved name"),
            "{w:?}"
        );
        assert!(warnings(HOURLY, "T | extend t = ingestion_time()").is_empty());
    }

    #[test]
    fn ago_beyond_the_window_is_flagged() {
        let w = warnings(
            HOURLY,
            "T | where TimeGenerated > ago(7d) | where x == 'ago(30d)'",
        );
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("`ago(7d)` reaches further back than the PT1H"),
            "{w:?}"
        );
        assert!(warnings(HOURLY, "T | where TimeGenerated > ago(30m)").is_empty());
    }

    #[test]
    fn take_and_forbidden_plugins_are_flagged() {
        let w = warnings(HOURLY, "T | take 10 | evaluate bag_unpack(d)");
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[1].contains("`bag_unpack` plugin"), "{w:?}");
        assert!(warnings(HOURLY, "T | where ResultType == 'Failure'").is_empty());
    }
}
