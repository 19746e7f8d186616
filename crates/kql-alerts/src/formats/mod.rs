//! Reading rules from the files users keep them in. The format is told by the file's name and
//! content: `.toml` (kqlite's own), `.kql`/`.csl`/`.kusto` with a settings header, `.yaml`/`.yml`
//! (Sentinel), `.json`/`.jsonc` (ARM templates of Azure Monitor or Sentinel rules, REST bodies,
//! Defender XDR detections), `.bicep` (the same resources in Bicep).

mod arm;
mod bicep;
mod defender;
pub mod position;
mod settings;
mod yaml;

use crate::rule::{Format, Rule};
use std::path::{Path, PathBuf};

/// A rule file that cannot be read as a rule, with where and why.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleError {
    pub path: PathBuf,
    /// 1-based line and column in the file, where known.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl std::fmt::Display for RuleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.position {
            Some((l, c)) => write!(f, "{}:{l}:{c}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl RuleError {
    pub(crate) fn new(path: &Path, message: impl Into<String>) -> RuleError {
        RuleError {
            path: path.to_owned(),
            position: None,
            message: message.into(),
        }
    }

    pub(crate) fn at(path: &Path, position: (usize, usize), message: impl Into<String>) -> Self {
        RuleError {
            path: path.to_owned(),
            position: Some(position),
            message: message.into(),
        }
    }
}

/// The syntax tree of a JSON rule file: comments and trailing commas allowed, as ARM allows.
pub(crate) fn json_ast<'a>(
    path: &Path,
    text: &'a str,
) -> Result<jsonc_parser::ast::Value<'a>, RuleError> {
    let options = jsonc_parser::ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: true,
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|e| {
        RuleError::at(
            path,
            (e.line_display(), e.column_display()),
            e.kind().to_string(),
        )
    })?;
    parsed
        .value
        .ok_or_else(|| RuleError::new(path, "the file is empty"))
}

/// Values for ARM `[parameters('x')]` and Bicep parameters, from `--param NAME=VALUE`.
pub type Params = std::collections::BTreeMap<String, String>;

/// The rules of the file at `path` (an ARM template may hold several).
pub fn read(path: &Path, params: &Params) -> Result<Vec<Rule>, RuleError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| RuleError::new(path, kql_common::io_text::describe(&e)))?;
    parse(path, &text, params)
}

/// `path`'s extension, lower-cased (empty without one).
fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// The rules in `text`, read as the file `path` says.
pub fn parse(path: &Path, text: &str, params: &Params) -> Result<Vec<Rule>, RuleError> {
    // A byte-order mark is not part of any format's text (positions stay right: it is on line 1
    // before everything, and columns count from after it).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rules = parse_unchecked(path, text, params)?;
    for rule in &rules {
        check_schedule(path, rule)?;
    }
    Ok(rules)
}

/// Durations that make no schedule (none, or negative) are refused: replaying one would step a
/// tick at a time.
fn check_schedule(path: &Path, rule: &Rule) -> Result<(), RuleError> {
    use crate::rule::RuleKind;
    let positive = |name: &str, ticks: i64| {
        if ticks > 0 {
            Ok(())
        } else {
            Err(RuleError::new(
                path,
                format!("`{}`: {name} must be longer than zero", rule.name),
            ))
        }
    };
    match &rule.kind {
        RuleKind::AzureMonitor(a) => {
            positive("the evaluation frequency", a.frequency)?;
            positive("the window", a.window)?;
            if let Some(r) = a.query_range {
                positive("the query time range", r)?;
            }
            if !(1..=6).contains(&a.periods) || a.min_failing < 1 || a.min_failing > a.periods {
                return Err(RuleError::new(
                    path,
                    format!(
                        "`{}`: failing periods must be 1 to 6, and the minimum to alert 1 to their number",
                        rule.name
                    ),
                ));
            }
            Ok(())
        }
        RuleKind::Sentinel(s) => {
            positive("the query frequency", s.frequency)?;
            positive("the query period", s.period)
        }
        // 0 is Defender's continuous schedule.
        RuleKind::Defender(d) if d.period < 0 => positive("the period", d.period),
        RuleKind::Defender(_) => Ok(()),
    }
}

fn parse_unchecked(path: &Path, text: &str, params: &Params) -> Result<Vec<Rule>, RuleError> {
    match extension(path).as_str() {
        "toml" => settings::toml_rule(path, text, Format::Toml).map(|r| vec![r]),
        "kql" | "csl" | "kusto" => settings::kql_rule(path, text).map(|r| vec![r]),
        "yaml" | "yml" => yaml::sentinel_rule(path, text).map(|r| vec![r]),
        "json" | "jsonc" => {
            if defender::looks_like(text) {
                defender::rules(path, text)
            } else {
                arm::rules(path, text, params)
            }
        }
        "bicep" => bicep::rules(path, text, params),
        _ => Err(RuleError::new(
            path,
            "not a rule file: name a .toml, .kql, .yaml, .json or .bicep file",
        )),
    }
}

/// Whether `text`, the content of a file met while walking a folder, looks like a rule at all
/// (a folder of rules also holds other JSON and YAML, which are passed over, not reported).
pub fn looks_like_rule(path: &Path, text: &str) -> bool {
    match extension(path).as_str() {
        "json" | "jsonc" | "bicep" => {
            let t = text.to_ascii_lowercase();
            t.contains("scheduledqueryrules")
                || t.contains("alertrules")
                || t.contains("\"querycondition\"")
        }
        "yaml" | "yml" => text.lines().any(|l| l.starts_with("query:")),
        "toml" => text.lines().any(|l| l.trim_start().starts_with("query")),
        _ => true,
    }
}

/// Whether `path` names a file [`read`] can try (for walking folders).
pub fn is_rule_file(path: &Path) -> bool {
    matches!(
        extension(path).as_str(),
        "toml" | "kql" | "csl" | "kusto" | "yaml" | "yml" | "json" | "jsonc" | "bicep"
    )
}

/// A built-in rule's TOML (named `builtin:NAME`).
pub(crate) fn parse_builtin(path: &Path, text: &str) -> Result<Rule, RuleError> {
    let rule = settings::toml_rule(path, text, Format::Builtin)?;
    check_schedule(path, &rule)?;
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_schedule_of_zero_or_less_is_refused() {
        for frequency in ["0m", "-1h"] {
            let text = format!("frequency = '{frequency}'\nwindow = '1h'\nquery = 'T'\n");
            let e = parse(Path::new("r.toml"), &text, &Params::new()).expect_err("refused");
            assert!(e.message.contains("must be longer than zero"), "{e}");
        }
        let text = "frequency = '1h'\nwindow = '1h'\nperiods = 2\nmin_failing = 3\nquery = 'T'\n";
        let e = parse(Path::new("r.toml"), text, &Params::new()).expect_err("refused");
        assert!(e.message.contains("failing periods"), "{e}");
    }

    #[test]
    fn arm_parameters_that_refer_to_each_other_are_an_error_not_a_crash() {
        let text = r#"{"parameters": {"q": {"defaultValue": "[parameters('q')]"}},
          "resources": [{"type": "Microsoft.Insights/scheduledQueryRules", "properties": {
            "evaluationFrequency": "PT1H", "windowSize": "PT1H",
            "criteria": {"allOf": [{"query": "[parameters('q')]", "operator": "GreaterThan", "threshold": 1}]}}}]}"#;
        let e = parse(Path::new("r.json"), text, &Params::new()).expect_err("refused");
        assert!(e.message.contains("cycle"), "{e}");
    }

    #[test]
    fn sentinel_templates_keep_scheduled_rules_and_pass_over_the_others() {
        let text = r#"{"resources": [
          {"type": "Microsoft.SecurityInsights/alertRules", "kind": "Fusion", "properties": {"enabled": true}},
          {"type": "Microsoft.Resources/deployments", "properties": {"template": {"resources": [
            {"type": "Microsoft.SecurityInsights/alertRules", "kind": "Scheduled", "properties": {
              "displayName": "nested", "query": "T", "queryFrequency": "PT1H", "queryPeriod": "PT1H",
              "triggerOperator": "GreaterThan", "triggerThreshold": 0}}]}}}]}"#;
        let rules = parse(Path::new("r.json"), text, &Params::new()).expect("one rule");
        assert_eq!(rules.len(), 1);
        assert_eq!(rules[0].name, "nested");
    }
}
