//! Sentinel analytic rules in the Azure-Sentinel repository's YAML: `query: |` (a literal block),
//! `queryFrequency`/`queryPeriod` (KQL timespans or ISO 8601), `triggerOperator`
//! (`gt`/`lt`/`eq`/`ne`), `triggerThreshold`, `eventGroupingSettings.aggregationKind`,
//! `suppressionEnabled`/`suppressionDuration`, `kind: Scheduled|NRT`.

use super::RuleError;
use super::position::block;
use crate::duration;
use crate::rule::*;
use std::path::Path;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};
use yaml_rust2::{Yaml, YamlLoader};

/// Finds where the top-level `query` value starts, and its style.
#[derive(Default)]
struct QueryFinder {
    depth: usize,
    /// At depth 1: whether the next scalar is a key.
    expect_key: bool,
    next_is_query: bool,
    found: Option<(Marker, TScalarStyle)>,
}

impl MarkedEventReceiver for QueryFinder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if self.depth == 1 {
                    // A nested value takes the place of a value at the top level.
                    self.expect_key = true;
                    self.next_is_query = false;
                }
                self.depth += 1;
                if self.depth == 1 {
                    self.expect_key = true;
                }
            }
            Event::MappingEnd | Event::SequenceEnd => self.depth = self.depth.saturating_sub(1),
            Event::Scalar(value, style, ..) if self.depth == 1 => {
                if self.expect_key {
                    self.next_is_query = value == "query";
                    self.expect_key = false;
                } else {
                    if self.next_is_query && self.found.is_none() {
                        self.found = Some((mark, style));
                    }
                    self.next_is_query = false;
                    self.expect_key = true;
                }
            }
            _ => {}
        }
    }
}

/// Where the query's characters are in `source`, from the marker of its scalar (yaml-rust2
/// marks lines from 1 and columns from 0; a block scalar's mark is its first character that is
/// not on a blank line, at the block's indentation).
fn locate(text: &str, mark: Marker, style: TScalarStyle) -> QueryText {
    match style {
        TScalarStyle::Literal => {
            // Leading blank lines are in the value but not under the mark.
            let blank = text.bytes().take_while(|b| *b == b'\n').count();
            block(text, mark.line().saturating_sub(blank), mark.col())
        }
        // Folding joins lines with spaces: positions stay on the lines the block is written on.
        TScalarStyle::Folded => QueryText::starting_at(text, mark.line(), mark.col() + 1),
        TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
            QueryText::starting_at(text, mark.line(), mark.col() + 2)
        }
        TScalarStyle::Plain => QueryText::at(text, mark.line(), mark.col() + 1),
    }
}

fn scalar(doc: &Yaml, key: &str) -> Option<String> {
    match &doc[key] {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

pub(super) fn sentinel_rule(path: &Path, text: &str) -> Result<Rule, RuleError> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| {
        RuleError::at(
            path,
            (e.marker().line(), e.marker().col() + 1),
            e.info().to_owned(),
        )
    })?;
    let Some(doc) = docs.first() else {
        return Err(RuleError::new(path, "the file is empty"));
    };
    let Some(query) = scalar(doc, "query") else {
        return Err(RuleError::new(
            path,
            "no `query`: not a Sentinel analytic rule",
        ));
    };
    let mut finder = QueryFinder::default();
    let mut parser = Parser::new_from_str(text);
    let _ = parser.load(&mut finder, false);
    let query = match finder.found {
        Some((mark, style)) => locate(&query, mark, style),
        None => QueryText::standalone(&query),
    };
    let nrt = scalar(doc, "kind").is_some_and(|k| k.eq_ignore_ascii_case("NRT"));
    let dur = |key: &str| -> Result<Option<i64>, RuleError> {
        scalar(doc, key)
            .map(|t| {
                duration::parse(&t).ok_or_else(|| {
                    RuleError::new(
                        path,
                        format!("`{key}`: `{t}` is not a duration (1h, 5m, PT1H)"),
                    )
                })
            })
            .transpose()
    };
    let frequency = match dur("queryFrequency")? {
        Some(f) => f,
        None if nrt => duration::minutes(5).unwrap_or_default(),
        None => return Err(RuleError::new(path, "`queryFrequency` is required")),
    };
    let operator = match scalar(doc, "triggerOperator") {
        Some(t) => Operator::parse(&t).ok_or_else(|| {
            RuleError::new(
                path,
                format!("`triggerOperator`: `{t}` is not gt, lt, eq or ne"),
            )
        })?,
        None => Operator::GreaterThan,
    };
    let threshold = match scalar(doc, "triggerThreshold") {
        Some(t) => t.parse().map_err(|_| {
            RuleError::new(path, format!("`triggerThreshold`: `{t}` is not a number"))
        })?,
        None => 0.0,
    };
    let per_result = doc["eventGroupingSettings"]["aggregationKind"]
        .as_str()
        .is_some_and(|k| k.eq_ignore_ascii_case("AlertPerResult"));
    let suppressed = scalar(doc, "suppressionEnabled").is_some_and(|s| s == "true");
    Ok(Rule {
        name: scalar(doc, "name").unwrap_or_else(|| {
            path.file_stem()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        }),
        origin: Origin {
            path: path.to_owned(),
            format: Format::SentinelYaml,
        },
        query,
        kind: RuleKind::Sentinel(Sentinel {
            frequency,
            period: dur("queryPeriod")?.unwrap_or(frequency),
            operator,
            threshold,
            alert_per_result: nrt || per_result,
            suppression: if suppressed {
                dur("suppressionDuration")?
            } else {
                None
            },
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "id: 6f1e2c4a-0000-4000-8000-000000000001
name: Provisioning failure spike
severity: Medium
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
requiredDataConnectors:
  - connectorId: AzureActiveDirectory
    dataTypes: [AADProvisioningLogs]
query: |
  AADProvisioningLogs
  | where ResultType == \"Failure\"
  | summarize Failures = count() by JobId
  | where Failures > 50
eventGroupingSettings:
  aggregationKind: AlertPerResult
kind: Scheduled
";

    #[test]
    fn leading_blank_lines_and_indentation_indicators_keep_lines_true() {
        let text = RULE.replace("query: |\n", "query: |2\n\n");
        let r = sentinel_rule(Path::new("spike.yaml"), &text).expect("a rule");
        let at = r.query.text.find("ResultType").expect("in the query");
        assert_eq!(r.query.locate(at), (14, 11));
    }

    #[test]
    fn the_query_block_keeps_its_lines_and_indent() {
        let r = sentinel_rule(Path::new("spike.yaml"), RULE).expect("test value");
        assert_eq!(r.name, "Provisioning failure spike");
        assert!(r.query.text.starts_with("AADProvisioningLogs\n| where"));
        let at = r.query.text.find("ResultType").expect("test value");
        assert_eq!(r.query.locate(at), (13, 11));
        let RuleKind::Sentinel(s) = &r.kind else {
            unreachable!("sentinel")
        };
        assert_eq!(
            (s.operator, s.threshold, s.alert_per_result),
            (Operator::GreaterThan, 0.0, true)
        );
        assert_eq!(s.frequency, 3_600 * 10_000_000);
    }
}
