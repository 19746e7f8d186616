//! ARM templates (JSON with comments and trailing commas, as ARM accepts) holding
//! `Microsoft.Insights/scheduledQueryRules` (the current `criteria.allOf[]` form and the legacy
//! 2018-04-16 form) or Sentinel `alertRules`; a REST body (one resource, or its `properties`) is
//! read too. `[parameters('x')]` and `[variables('x')]` resolve from `--param`, then the
//! template's defaults; the query keeps its place in the file, through JSON's escapes.

use super::position::{escaped, line_col};
use super::{Params, RuleError};
use crate::duration;
use crate::rule::*;
use jsonc_parser::ast::{ObjectPropName, Value};
use std::path::Path;

/// One ARM template being read.
struct Template<'a> {
    path: &'a Path,
    source: &'a str,
    root: &'a Value<'a>,
    params: &'a Params,
    /// How many `[parameters()]`/`[variables()]` are being resolved inside each other.
    depth: std::cell::Cell<u32>,
}

/// Parameters and variables that refer to each other this deep are a cycle.
const MAX_REFERENCE_DEPTH: u32 = 32;

/// A string value and where its characters are.
struct Located {
    text: String,
    query: QueryText,
}

/// The property `key` of object `v` (ARM names are case-insensitive).
fn get<'v, 'a>(v: &'v Value<'a>, key: &str) -> Option<&'v Value<'a>> {
    let Value::Object(o) = v else { return None };
    o.properties
        .iter()
        .find(|p| {
            let name = match &p.name {
                ObjectPropName::String(s) => s.value.as_ref(),
                ObjectPropName::Word(w) => w.value,
            };
            name.eq_ignore_ascii_case(key)
        })
        .map(|p| &p.value)
}

fn get_path<'v, 'a>(v: &'v Value<'a>, keys: &[&str]) -> Option<&'v Value<'a>> {
    keys.iter().try_fold(v, |v, k| get(v, k))
}

fn start_of(v: &Value) -> usize {
    match v {
        Value::StringLit(s) => s.range.start,
        Value::NumberLit(n) => n.range.start,
        Value::BooleanLit(b) => b.range.start,
        Value::Object(o) => o.range.start,
        Value::Array(a) => a.range.start,
        Value::NullKeyword(n) => n.range.start,
    }
}

impl<'a> Template<'a> {
    fn error_at(&self, v: &Value, message: impl Into<String>) -> RuleError {
        RuleError::at(self.path, line_col(self.source, start_of(v)), message)
    }

    /// A string value, through `[parameters()]`/`[variables()]`.
    fn string(&self, v: &Value<'a>) -> Result<Located, RuleError> {
        match v {
            Value::StringLit(s) => {
                let value = s.value.as_ref();
                if let Some(literal) = value.strip_prefix("[[") {
                    // `[[` escapes a literal `[`.
                    let text = format!("[{literal}");
                    return Ok(Located {
                        query: QueryText::standalone(&text),
                        text,
                    });
                }
                if value.starts_with('[') && value.ends_with(']') {
                    return self.expression(v, &value[1..value.len() - 1]);
                }
                let start = s.range.start + 1;
                let raw = &self.source[start..s.range.end.saturating_sub(1).max(start)];
                let query = match escaped(self.source, start, raw) {
                    Some(q) if q.text == value => q,
                    _ => {
                        let (l, c) = line_col(self.source, start);
                        QueryText::starting_at(value, l, c)
                    }
                };
                Ok(Located {
                    text: value.to_owned(),
                    query,
                })
            }
            Value::NumberLit(n) => Ok(Located {
                text: n.value.to_owned(),
                query: QueryText::standalone(n.value),
            }),
            Value::BooleanLit(b) => Ok(Located {
                text: b.value.to_string(),
                query: QueryText::standalone(&b.value.to_string()),
            }),
            _ => Err(self.error_at(v, "expected a string")),
        }
    }

    /// `parameters('x')` or `variables('x')`; other ARM expressions are refused by name.
    fn expression(&self, at: &Value<'a>, expr: &str) -> Result<Located, RuleError> {
        if self.depth.get() >= MAX_REFERENCE_DEPTH {
            return Err(self.error_at(
                at,
                format!("`[{expr}]`: parameters or variables refer to each other in a cycle"),
            ));
        }
        self.depth.set(self.depth.get() + 1);
        let resolved = self.resolve(at, expr);
        self.depth.set(self.depth.get() - 1);
        resolved
    }

    fn resolve(&self, at: &Value<'a>, expr: &str) -> Result<Located, RuleError> {
        let call = |f: &str| {
            expr.trim()
                .strip_prefix(f)
                .and_then(|r| r.trim().strip_prefix('('))
                .and_then(|r| r.trim().strip_suffix(')'))
                .map(|r| r.trim().trim_matches('\'').to_owned())
        };
        if let Some(name) = call("parameters") {
            if let Some(value) = self.params.get(&name) {
                return Ok(Located {
                    text: value.clone(),
                    query: QueryText::standalone(value),
                });
            }
            return match get_path(self.root, &["parameters", &name, "defaultValue"]) {
                Some(v) => self.string(v),
                None => Err(self.error_at(
                    at,
                    format!("parameter `{name}` has no default value: pass --param {name}=VALUE"),
                )),
            };
        }
        if let Some(name) = call("variables") {
            return match get_path(self.root, &["variables", &name]) {
                Some(v) => self.string(v),
                None => Err(self.error_at(at, format!("no variable `{name}` in the template"))),
            };
        }
        Err(self.error_at(
            at,
            format!("the ARM expression `[{expr}]` cannot be evaluated here: write the value, or a parameter"),
        ))
    }

    fn text(&self, obj: &Value<'a>, keys: &[&str]) -> Result<Option<String>, RuleError> {
        get_path(obj, keys)
            .map(|v| self.string(v).map(|l| l.text))
            .transpose()
    }

    fn number(&self, obj: &Value<'a>, keys: &[&str]) -> Result<Option<f64>, RuleError> {
        let Some(v) = get_path(obj, keys) else {
            return Ok(None);
        };
        let text = self.string(v)?.text;
        text.parse().map(Some).map_err(|_| {
            self.error_at(v, format!("`{}`: `{text}` is not a number", keys.join(".")))
        })
    }

    fn boolean(&self, obj: &Value<'a>, keys: &[&str]) -> Result<Option<bool>, RuleError> {
        let Some(v) = get_path(obj, keys) else {
            return Ok(None);
        };
        match self.string(v)?.text.to_ascii_lowercase().as_str() {
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            other => Err(self.error_at(v, format!("`{other}` is not true or false"))),
        }
    }

    fn duration(&self, obj: &Value<'a>, keys: &[&str]) -> Result<Option<i64>, RuleError> {
        let Some(v) = get_path(obj, keys) else {
            return Ok(None);
        };
        let text = self.string(v)?.text;
        duration::parse(&text).map(Some).ok_or_else(|| {
            self.error_at(
                v,
                format!("`{}`: `{text}` is not a duration", keys.join(".")),
            )
        })
    }

    fn required<T>(&self, obj: &Value<'a>, keys: &[&str], v: Option<T>) -> Result<T, RuleError> {
        v.ok_or_else(|| self.error_at(obj, format!("`{}` is required", keys.join("."))))
    }

    fn name(&self, resource: &Value<'a>, properties: &Value<'a>) -> String {
        self.text(properties, &["displayName"])
            .ok()
            .flatten()
            .or_else(|| self.text(resource, &["name"]).ok().flatten())
            .unwrap_or_else(|| {
                self.path
                    .file_stem()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default()
            })
    }

    fn operator(&self, obj: &Value<'a>, keys: &[&str]) -> Result<Operator, RuleError> {
        let text = self.required(obj, keys, self.text(obj, keys)?)?;
        Operator::parse(&text).ok_or_else(|| {
            self.error_at(
                obj,
                format!("`{}`: `{text}` is not an operator", keys.join(".")),
            )
        })
    }

    fn query(&self, obj: &Value<'a>, keys: &[&str]) -> Result<QueryText, RuleError> {
        match get_path(obj, keys) {
            Some(v) => Ok(self.string(v)?.query),
            None => Err(self.error_at(obj, format!("`{}` is required", keys.join(".")))),
        }
    }

    /// `Microsoft.Insights/scheduledQueryRules`, current API.
    fn scheduled_query(&self, resource: &Value<'a>, p: &Value<'a>) -> Result<Rule, RuleError> {
        let conditions = match get_path(p, &["criteria", "allOf"]) {
            Some(Value::Array(a)) => &a.elements,
            _ => return Err(self.error_at(p, "`criteria.allOf` is required")),
        };
        let [c] = conditions.as_slice() else {
            return Err(self.error_at(
                p,
                "a log search alert has exactly one condition in `criteria.allOf`",
            ));
        };
        let aggregation = match self.text(c, &["timeAggregation"])? {
            Some(a) => Aggregation::parse(&a).ok_or_else(|| {
                self.error_at(c, format!("`timeAggregation`: `{a}` is not an aggregation"))
            })?,
            None => Aggregation::Count,
        };
        let mut dimensions = Vec::new();
        if let Some(Value::Array(dims)) = get(c, "dimensions") {
            for d in &dims.elements {
                let column = self.required(d, &["name"], self.text(d, &["name"])?)?;
                let exclude = self
                    .text(d, &["operator"])?
                    .is_some_and(|o| o.eq_ignore_ascii_case("exclude"));
                let values = match get(d, "values") {
                    Some(Value::Array(vs)) => vs
                        .elements
                        .iter()
                        .map(|v| self.string(v).map(|l| l.text))
                        .collect::<Result<_, _>>()?,
                    _ => Vec::new(),
                };
                dimensions.push(Dimension {
                    column,
                    exclude,
                    values,
                });
            }
        }
        let frequency = self.duration(p, &["evaluationFrequency"])?;
        let window = self.duration(p, &["windowSize"])?;
        Ok(Rule {
            name: self.name(resource, p),
            origin: self.origin(Format::ArmScheduledQuery),
            query: self.query(c, &["query"])?,
            kind: RuleKind::AzureMonitor(AzureMonitor {
                frequency: self.required(p, &["evaluationFrequency"], frequency)?,
                window: self.required(p, &["windowSize"], window)?,
                query_range: self.duration(p, &["overrideQueryTimeRange"])?,
                aggregation,
                measure_column: self.text(c, &["metricMeasureColumn"])?,
                dimensions,
                operator: self.operator(c, &["operator"])?,
                threshold: self.required(c, &["threshold"], self.number(c, &["threshold"])?)?,
                periods: self
                    .number(c, &["failingPeriods", "numberOfEvaluationPeriods"])?
                    .map_or(1, |n| n as u32),
                min_failing: self
                    .number(c, &["failingPeriods", "minFailingPeriodsToAlert"])?
                    .map_or(1, |n| n as u32),
                auto_mitigate: self.boolean(p, &["autoMitigate"])?.unwrap_or(true),
                mute: self.duration(p, &["muteActionsDuration"])?,
                auto_resolve: self
                    .boolean(p, &["ruleResolveConfiguration", "autoResolved"])?
                    .unwrap_or(true),
                time_to_resolve: self
                    .duration(p, &["ruleResolveConfiguration", "timeToResolve"])?,
                legacy_metric: None,
            }),
        })
    }

    /// `Microsoft.Insights/scheduledQueryRules`, API 2018-04-16 (result-count triggers).
    fn legacy_scheduled_query(
        &self,
        resource: &Value<'a>,
        p: &Value<'a>,
    ) -> Result<Rule, RuleError> {
        let metric = match get_path(p, &["action", "trigger", "metricTrigger"]) {
            Some(m) => Some(LegacyMetric {
                column: self.required(m, &["metricColumn"], self.text(m, &["metricColumn"])?)?,
                breaches_operator: self.operator(m, &["thresholdOperator"])?,
                breaches: self.required(m, &["threshold"], self.number(m, &["threshold"])?)?,
                consecutive: self
                    .text(m, &["metricTriggerType"])?
                    .is_some_and(|t| t.eq_ignore_ascii_case("Consecutive")),
            }),
            None => None,
        };
        let minutes = |keys: &[&str]| -> Result<i64, RuleError> {
            let n = self.required(p, keys, self.number(p, keys)?)?;
            duration::minutes(n as i64).ok_or_else(|| self.error_at(p, "duration out of range"))
        };
        let window = minutes(&["schedule", "timeWindowInMinutes"])?;
        Ok(Rule {
            name: self.name(resource, p),
            origin: self.origin(Format::ArmScheduledQuery),
            query: self.query(p, &["source", "query"])?,
            kind: RuleKind::AzureMonitor(AzureMonitor {
                frequency: minutes(&["schedule", "frequencyInMinutes"])?,
                window,
                query_range: None,
                aggregation: Aggregation::Count,
                measure_column: None,
                dimensions: Vec::new(),
                operator: self.operator(p, &["action", "trigger", "thresholdOperator"])?,
                threshold: self.required(
                    p,
                    &["action", "trigger", "threshold"],
                    self.number(p, &["action", "trigger", "threshold"])?,
                )?,
                periods: 1,
                min_failing: 1,
                // Legacy rules are stateless; throttling mutes notifications.
                auto_mitigate: false,
                auto_resolve: true,
                time_to_resolve: None,
                legacy_metric: metric,
                mute: self
                    .number(p, &["action", "throttlingInMin"])?
                    .filter(|m| *m > 0.0)
                    .and_then(|m| duration::minutes(m as i64)),
            }),
        })
    }

    /// Sentinel `alertRules` (Scheduled, or NRT replayed every five minutes).
    fn sentinel(&self, resource: &Value<'a>, p: &Value<'a>) -> Result<Rule, RuleError> {
        let nrt = self
            .text(resource, &["kind"])?
            .is_some_and(|k| k.eq_ignore_ascii_case("NRT"));
        let five_minutes = duration::minutes(5).unwrap_or_default();
        let frequency = match self.duration(p, &["queryFrequency"])? {
            Some(f) => f,
            None if nrt => five_minutes,
            None => return Err(self.error_at(p, "`queryFrequency` is required")),
        };
        let period = self.duration(p, &["queryPeriod"])?.unwrap_or(frequency);
        let operator = match self.text(p, &["triggerOperator"])? {
            Some(t) => Operator::parse(&t).ok_or_else(|| {
                self.error_at(p, format!("`triggerOperator`: `{t}` is not an operator"))
            })?,
            None => Operator::GreaterThan,
        };
        let suppressed = self.boolean(p, &["suppressionEnabled"])?.unwrap_or(false);
        Ok(Rule {
            name: self.name(resource, p),
            origin: self.origin(Format::ArmSentinel),
            query: self.query(p, &["query"])?,
            kind: RuleKind::Sentinel(Sentinel {
                frequency,
                period,
                operator,
                threshold: self.number(p, &["triggerThreshold"])?.unwrap_or(0.0),
                alert_per_result: nrt
                    || self
                        .text(p, &["eventGroupingSettings", "aggregationKind"])?
                        .is_some_and(|k| k.eq_ignore_ascii_case("AlertPerResult")),
                suppression: if suppressed {
                    self.duration(p, &["suppressionDuration"])?
                } else {
                    None
                },
            }),
        })
    }

    fn origin(&self, format: Format) -> Origin {
        Origin {
            path: self.path.to_owned(),
            format,
        }
    }

    /// The rule of one resource, if it is a rule.
    fn resource(&self, r: &Value<'a>) -> Option<Result<Rule, RuleError>> {
        let kind = self
            .text(r, &["type"])
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let p = get(r, "properties")?;
        if kind.ends_with("microsoft.insights/scheduledqueryrules")
            || (kind.is_empty() && get(p, "criteria").is_some())
        {
            Some(if get(p, "criteria").is_some() {
                self.scheduled_query(r, p)
            } else {
                self.legacy_scheduled_query(r, p)
            })
        } else if kind.ends_with("alertrules")
            || (kind.is_empty() && get(p, "queryFrequency").is_some())
        {
            // Fusion, ML and incident-creation rules (and classic metric alertRules) run no
            // query of their own: passed over.
            let rule_kind = self.text(r, &["kind"]).ok().flatten().unwrap_or_default();
            let scheduled = rule_kind.eq_ignore_ascii_case("Scheduled")
                || rule_kind.eq_ignore_ascii_case("NRT")
                || (rule_kind.is_empty() && get(p, "query").is_some());
            scheduled.then(|| self.sentinel(r, p))
        } else {
            None
        }
    }
}

/// The resources of a template, with the ones nested in resources and in inline deployments'
/// templates (`Microsoft.Resources/deployments` `properties.template`).
fn collect_resources<'v, 'a>(template: &'v Value<'a>, out: &mut Vec<&'v Value<'a>>) {
    let Some(Value::Array(resources)) = get(template, "resources") else {
        return;
    };
    for r in &resources.elements {
        out.push(r);
        collect_resources(r, out);
        if let Some(inner) = get_path(r, &["properties", "template"]) {
            collect_resources(inner, out);
        }
    }
}

pub(super) fn rules(path: &Path, text: &str, params: &Params) -> Result<Vec<Rule>, RuleError> {
    let root = &super::json_ast(path, text)?;
    let template = Template {
        path,
        source: text,
        root,
        params,
        depth: std::cell::Cell::new(0),
    };
    let resources: Vec<&Value> = match get(root, "resources") {
        Some(Value::Array(_)) => {
            let mut all = Vec::new();
            collect_resources(root, &mut all);
            all
        }
        // A REST body: one resource, or only its properties.
        _ if get(root, "properties").is_some() => vec![root],
        _ => {
            return Err(RuleError::new(
                path,
                "no rule found: expected an ARM template with `resources`, or a rule's REST body",
            ));
        }
    };
    let found: Vec<Rule> = resources
        .into_iter()
        .filter_map(|r| template.resource(r))
        .collect::<Result<_, _>>()?;
    if found.is_empty() {
        return Err(RuleError::new(
            path,
            "no Microsoft.Insights/scheduledQueryRules or Microsoft.SecurityInsights/alertRules resource in the template",
        ));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = r#"{
  // Comments and trailing commas are ARM's, and accepted.
  "parameters": { "threshold": { "type": "int", "defaultValue": 50 } },
  "resources": [
    {
      "type": "Microsoft.Insights/scheduledQueryRules",
      "apiVersion": "2023-12-01",
      "name": "prov-failure-spike",
      "properties": {
        "displayName": "Provisioning failure spike",
        "evaluationFrequency": "PT15M",
        "windowSize": "PT1H",
        "criteria": { "allOf": [ {
          "query": "AADProvisioningLogs\n| where ResultType == \"Failure\"",
          "timeAggregation": "Count",
          "dimensions": [ { "name": "JobId", "operator": "Include", "values": ["*"] } ],
          "operator": "GreaterThan",
          "threshold": "[parameters('threshold')]",
        } ] },
      },
    },
  ],
}"#;

    #[test]
    fn a_template_with_comments_parameters_and_escapes() {
        let rules = rules(Path::new("r.json"), TEMPLATE, &Params::new()).expect("test value");
        let r = &rules[0];
        assert_eq!(r.name, "Provisioning failure spike");
        assert_eq!(
            r.query.text,
            "AADProvisioningLogs\n| where ResultType == \"Failure\""
        );
        // `ResultType` is on line 14 of the file, after the `\n| where ` escape.
        let at = r.query.text.find("ResultType").expect("test value");
        let line14 = TEMPLATE.lines().nth(13).expect("test value");
        assert_eq!(
            r.query.locate(at),
            (14, line14.find("ResultType").expect("test value") + 1)
        );
        let RuleKind::AzureMonitor(a) = &r.kind else {
            unreachable!("azure monitor")
        };
        assert_eq!(a.threshold, 50.0);
        assert_eq!(a.frequency, 15 * 60 * 10_000_000);
        let mut params = Params::new();
        params.insert("threshold".into(), "7".into());
        let rules = super::rules(Path::new("r.json"), TEMPLATE, &params).expect("test value");
        let RuleKind::AzureMonitor(a) = &rules[0].kind else {
            unreachable!("azure monitor")
        };
        assert_eq!(a.threshold, 7.0);
    }

    #[test]
    fn expressions_it_cannot_evaluate_are_named() {
        let t = TEMPLATE.replace("[parameters('threshold')]", "[add(1, 2)]");
        let e = rules(Path::new("r.json"), &t, &Params::new()).expect_err("fails");
        assert!(
            e.message.contains("`[add(1, 2)]` cannot be evaluated"),
            "{e}"
        );
        assert_eq!(e.position.map(|p| p.0), Some(18));
    }
}
