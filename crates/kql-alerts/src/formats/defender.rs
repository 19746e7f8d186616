//! Defender XDR custom detection rules as Microsoft Graph keeps them (`detectionRule`:
//! `queryCondition.queryText`, `schedule.period`), one rule or a Graph page of them (`value`).

use super::RuleError;
use super::position::{escaped, line_col};
use crate::duration;
use crate::rule::*;
use jsonc_parser::ast::{ObjectPropName, Value};
use std::path::Path;

/// Whether `text` is a Defender detection rule (or a page of them), not an ARM template.
pub(super) fn looks_like(text: &str) -> bool {
    text.contains("\"queryCondition\"")
}

fn get<'v, 'a>(v: &'v Value<'a>, key: &str) -> Option<&'v Value<'a>> {
    let Value::Object(o) = v else { return None };
    o.properties
        .iter()
        .find(|p| match &p.name {
            ObjectPropName::String(s) => s.value == key,
            ObjectPropName::Word(w) => w.value == key,
        })
        .map(|p| &p.value)
}

fn string<'v>(v: Option<&'v Value>) -> Option<&'v str> {
    match v {
        Some(Value::StringLit(s)) => Some(s.value.as_ref()),
        _ => None,
    }
}

pub(super) fn rules(path: &Path, text: &str) -> Result<Vec<Rule>, RuleError> {
    let root = &super::json_ast(path, text)?;
    let items: Vec<&Value> = match get(root, "value") {
        Some(Value::Array(a)) => a.elements.iter().collect(),
        _ => vec![root],
    };
    items
        .into_iter()
        .map(|item| {
            let Some(Value::StringLit(q)) =
                get(item, "queryCondition").and_then(|c| get(c, "queryText"))
            else {
                return Err(RuleError::new(path, "no `queryCondition.queryText`"));
            };
            let start = q.range.start + 1;
            let raw = &text[start..q.range.end.saturating_sub(1).max(start)];
            let query = match escaped(text, start, raw) {
                Some(located) if located.text == q.value => located,
                _ => {
                    let (l, c) = line_col(text, start);
                    QueryText::starting_at(&q.value, l, c)
                }
            };
            let period_text =
                string(get(item, "schedule").and_then(|s| get(s, "period"))).unwrap_or("24H");
            let period = duration::parse(period_text).ok_or_else(|| {
                RuleError::new(
                    path,
                    format!("`schedule.period`: `{period_text}` is not 0, 1H, 3H, 12H or 24H"),
                )
            })?;
            Ok(Rule {
                name: string(get(item, "displayName"))
                    .map(str::to_owned)
                    .unwrap_or_else(|| {
                        path.file_stem()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    }),
                origin: Origin {
                    path: path.to_owned(),
                    format: Format::Defender,
                },
                query,
                kind: RuleKind::Defender(Defender { period }),
            })
        })
        .collect()
}
