//! Bicep files holding alert rules: enough of Bicep to find `resource` declarations of
//! `Microsoft.Insights/scheduledQueryRules` and Sentinel `alertRules`, with `param` defaults
//! (overridden by `--param`), `'...'` strings with `${param}` interpolation, `'''...'''`
//! multi-line strings and `loadTextContent('x.kql')`. No crate reads Bicep, so this is a small
//! reader of its own; the resource it finds is handed to the ARM reader as the template Bicep
//! would compile to, and the query keeps its place in the Bicep file.

use super::position::line_col;
use super::{Params, RuleError};
use crate::rule::{QueryText, Rule, Segment};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::Path;

/// A Bicep value, with the place of each string it holds.
enum Node {
    /// A string and where its characters are in the Bicep file.
    Str(String, QueryText),
    Num(f64),
    Bool(bool),
    Null,
    Obj(Vec<(String, Node)>),
    Arr(Vec<Node>),
    /// An expression kqlite does not evaluate (a resource reference, a function call): kept as
    /// text, so a property that needs it says which.
    Expr(String),
}

struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    at: usize,
    params: BTreeMap<String, Node>,
}

impl<'a> Reader<'a> {
    fn error(&self, message: impl Into<String>) -> RuleError {
        RuleError::at(self.path, line_col(self.text, self.at), message)
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    /// Skips spaces, and newlines when `newlines`; comments always.
    fn skip(&mut self, newlines: bool) {
        loop {
            let rest = self.rest();
            if rest.starts_with("//") {
                self.at += rest.find('\n').unwrap_or(rest.len());
            } else if rest.starts_with("/*") {
                self.at += rest.find("*/").map_or(rest.len(), |e| e + 2);
            } else if let Some(c) = rest.chars().next()
                && (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n'))
            {
                self.at += 1;
            } else {
                return;
            }
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip(true);
        if self.rest().starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip(true);
        let rest = self.rest();
        let len = rest
            .char_indices()
            .find(|(i, c)| !(c.is_ascii_alphanumeric() || *c == '_' || (*i > 0 && *c == '$')))
            .map_or(rest.len(), |(i, _)| i);
        if len == 0 || rest.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        self.at += len;
        Some(rest[..len].to_owned())
    }

    /// `'...'` with Bicep's escapes and `${...}` interpolation, or `'''...'''` verbatim.
    fn string(&mut self) -> Result<Node, RuleError> {
        if self.rest().starts_with("'''") {
            let start = self.at + 3;
            let Some(len) = self.text[start..].find("'''") else {
                return Err(self.error("a ''' string is not closed"));
            };
            // A newline right after the opening quotes is not part of the value.
            let (skip, body) = match &self.text[start..start + len] {
                b if b.starts_with("\r\n") => (2, &b[2..]),
                b if b.starts_with('\n') => (1, &b[1..]),
                b => (0, b),
            };
            let (line, column) = line_col(self.text, start + skip);
            self.at = start + len + 3;
            return Ok(Node::Str(
                body.to_owned(),
                QueryText::at(body, line, column),
            ));
        }
        self.at += 1;
        // A '...' string is on one line: its segments only move along it.
        let (line, mut column) = line_col(self.text, self.at);
        let mut text = String::new();
        let mut segments = vec![Segment {
            offset: 0,
            line,
            column,
        }];
        loop {
            let Some(c) = self.rest().chars().next() else {
                return Err(self.error("a string is not closed"));
            };
            match c {
                '\'' => {
                    self.at += 1;
                    let q = QueryText {
                        text: text.clone(),
                        segments,
                    };
                    return Ok(Node::Str(text, q));
                }
                '\n' => return Err(self.error(
                    "a '...' string ends at the end of its line: use '''...''' for several lines",
                )),
                '\\' => {
                    let escaped = self.rest().chars().nth(1).unwrap_or(' ');
                    let decoded = match escaped {
                        'n' => '\n',
                        'r' => '\r',
                        't' => '\t',
                        '\\' => '\\',
                        '\'' => '\'',
                        '$' => '$',
                        _ => return Err(self.error(format!("unknown escape `\\{escaped}`"))),
                    };
                    text.push(decoded);
                    self.at += 1 + escaped.len_utf8();
                    column += 2;
                    segments.push(Segment {
                        offset: text.len(),
                        line,
                        column,
                    });
                }
                '$' if self.rest().starts_with("${") => {
                    let close = self
                        .rest()
                        .find('}')
                        .ok_or_else(|| self.error("`${` is not closed"))?;
                    let name = self.rest()[2..close].trim().to_owned();
                    let value = match self.params.get(&name) {
                        Some(Node::Str(s, _)) => s.clone(),
                        Some(Node::Num(n)) => n.to_string(),
                        Some(Node::Bool(b)) => b.to_string(),
                        _ => {
                            return Err(self.error(format!(
                                "`${{{name}}}`: only parameters with a value can be interpolated here (pass --param {name}=VALUE)"
                            )));
                        }
                    };
                    text.push_str(&value);
                    let width = self.rest()[..=close].chars().count();
                    self.at += close + 1;
                    column += width;
                    segments.push(Segment {
                        offset: text.len(),
                        line,
                        column,
                    });
                }
                c => {
                    text.push(c);
                    self.at += c.len_utf8();
                    column += 1;
                }
            }
        }
    }

    fn value(&mut self) -> Result<Node, RuleError> {
        self.skip(true);
        let rest = self.rest();
        if rest.starts_with('\'') {
            return self.string();
        }
        if self.eat("{") {
            let mut props = Vec::new();
            loop {
                if self.eat("}") {
                    return Ok(Node::Obj(props));
                }
                self.skip(true);
                let key = if self.rest().starts_with('\'') {
                    match self.string()? {
                        Node::Str(s, _) => s,
                        _ => String::new(),
                    }
                } else {
                    self.ident()
                        .ok_or_else(|| self.error("expected a property name"))?
                };
                if !self.eat(":") {
                    return Err(self.error(format!("expected `:` after `{key}`")));
                }
                let v = self.value()?;
                props.push((key, v));
                self.eat(",");
            }
        }
        if self.eat("[") {
            let mut items = Vec::new();
            loop {
                if self.eat("]") {
                    return Ok(Node::Arr(items));
                }
                items.push(self.value()?);
                self.eat(",");
            }
        }
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        if number_len > 0
            && let Ok(n) = rest[..number_len].parse::<f64>()
        {
            self.at += number_len;
            return Ok(Node::Num(n));
        }
        let start = self.at;
        let Some(name) = self.ident() else {
            return Err(self.error("expected a value"));
        };
        match name.as_str() {
            "true" => return Ok(Node::Bool(true)),
            "false" => return Ok(Node::Bool(false)),
            "null" => return Ok(Node::Null),
            _ => {}
        }
        if name == "loadTextContent" && self.eat("(") {
            self.skip(true);
            let file = match self.string()? {
                Node::Str(s, _) => s,
                _ => String::new(),
            };
            self.eat(")");
            let full = self.path.parent().unwrap_or(Path::new(".")).join(&file);
            let content = std::fs::read_to_string(&full).map_err(|e| {
                self.error(format!(
                    "loadTextContent('{file}'): {}",
                    kql_common::io_text::describe(&e)
                ))
            })?;
            // The query lives in another file: its positions point at the call.
            let (line, column) = line_col(self.text, start);
            return Ok(Node::Str(
                content.clone(),
                QueryText::starting_at(&content, line, column),
            ));
        }
        // Member access and calls after a name: kept as an expression.
        loop {
            if self.rest().starts_with('.') {
                self.at += 1;
                self.ident();
            } else if self.rest().starts_with('(') {
                let mut depth = 0;
                for (i, c) in self.rest().char_indices() {
                    match c {
                        '(' => depth += 1,
                        ')' => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            } else {
                break;
            }
        }
        let expr = self.text[start..self.at].trim().to_owned();
        Ok(match self.params.get(&expr) {
            Some(Node::Str(s, q)) => Node::Str(s.clone(), q.clone()),
            Some(Node::Num(n)) => Node::Num(*n),
            Some(Node::Bool(b)) => Node::Bool(*b),
            _ => Node::Expr(expr),
        })
    }

    /// Skips a value or statement to the end of its line (what this reader has no use for).
    fn skip_line(&mut self) {
        let rest = self.rest();
        self.at += rest.find('\n').unwrap_or(rest.len());
    }
}

/// The ARM-shaped JSON of a node, and the queries' places by text.
fn to_json(node: &Node, places: &mut Vec<QueryText>) -> Value {
    match node {
        Node::Str(s, q) => {
            places.push(q.clone());
            json!(s)
        }
        Node::Num(n) => json!(n),
        Node::Bool(b) => json!(b),
        Node::Null => Value::Null,
        Node::Obj(props) => {
            let mut m = Map::new();
            for (k, v) in props {
                m.insert(k.clone(), to_json(v, places));
            }
            Value::Object(m)
        }
        Node::Arr(items) => Value::Array(items.iter().map(|v| to_json(v, places)).collect()),
        // An ARM expression the ARM reader refuses by name if a rule needs it.
        Node::Expr(e) => json!(format!("[{e}]")),
    }
}

pub(super) fn rules(path: &Path, text: &str, overrides: &Params) -> Result<Vec<Rule>, RuleError> {
    let mut reader = Reader {
        path,
        text,
        at: 0,
        params: BTreeMap::new(),
    };
    let mut resources = Vec::new();
    loop {
        reader.skip(true);
        if reader.at >= text.len() {
            break;
        }
        let Some(keyword) = reader.ident() else {
            reader.skip_line();
            continue;
        };
        match keyword.as_str() {
            "param" => {
                let name = reader
                    .ident()
                    .ok_or_else(|| reader.error("expected a parameter name"))?;
                reader.ident(); // its type
                reader.skip(false);
                let value = if let Some(v) = overrides.get(&name) {
                    let q = QueryText::standalone(v);
                    Some(match v.parse::<f64>() {
                        Ok(n) => Node::Num(n),
                        Err(_) => Node::Str(v.clone(), q),
                    })
                } else if reader.eat("=") {
                    Some(reader.value()?)
                } else {
                    None
                };
                if let Some(v) = value {
                    reader.params.insert(name, v);
                }
                reader.skip_line();
            }
            "resource" => {
                let _symbol = reader.ident();
                reader.skip(true);
                let type_at = reader.at;
                let ty = match reader.string()? {
                    Node::Str(s, _) => s,
                    _ => String::new(),
                };
                reader.eat("existing");
                if !reader.eat("=") {
                    return Err(reader.error("expected `=` after the resource type"));
                }
                let body = reader.value()?;
                resources.push((type_at, ty, body));
            }
            _ => reader.skip_line(),
        }
    }
    let mut places = Vec::new();
    let arm: Vec<Value> = resources
        .iter()
        .filter(|(_, ty, _)| {
            let t = ty.to_ascii_lowercase();
            t.starts_with("microsoft.insights/scheduledqueryrules@") || t.contains("alertrules@")
        })
        .map(|(_, ty, body)| {
            let mut v = to_json(body, &mut places);
            if let Value::Object(m) = &mut v {
                m.insert(
                    "type".to_owned(),
                    json!(ty.split('@').next().unwrap_or_default()),
                );
            }
            v
        })
        .collect();
    if arm.is_empty() {
        return Err(RuleError::new(
            path,
            "no Microsoft.Insights/scheduledQueryRules or Microsoft.SecurityInsights/alertRules resource in the Bicep file",
        ));
    }
    let template = serde_json::to_string(&json!({ "resources": arm })).unwrap_or_default();
    let found = super::arm::rules(path, &template, overrides).map_err(|e| RuleError {
        // Positions in the compiled template mean nothing in the Bicep file.
        position: resources.first().map(|(at, _, _)| line_col(text, *at)),
        ..e
    })?;
    Ok(found
        .into_iter()
        .map(|mut rule| {
            rule.origin.format = crate::rule::Format::Bicep;
            if let Some(q) = places.iter().find(|q| q.text == rule.query.text) {
                rule.query = q.clone();
            }
            rule
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::RuleKind;

    const RULE: &str = "param threshold int = 50
param result string = 'Failure'
param ws string = resourceGroup().id

resource r 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: 'spike'
  properties: {
    displayName: 'Spike for ${result}s'
    scopes: [ws]
    evaluationFrequency: 'PT1H'
    windowSize: 'PT1H'
    criteria: {
      allOf: [
        {
          query: 'AADProvisioningLogs | where ResultType == \\'${result}\\' | where x'
          operator: 'GreaterThan'
          threshold: threshold
        }
      ]
    }
  }
}
";

    fn read(text: &str, params: &Params) -> Result<Vec<Rule>, RuleError> {
        rules(Path::new("r.bicep"), text, params)
    }

    #[test]
    fn parameters_interpolation_and_escapes_with_positions() {
        let rule = read(RULE, &Params::new()).expect("a rule").remove(0);
        assert_eq!(rule.name, "Spike for Failures");
        assert_eq!(
            rule.query.text,
            "AADProvisioningLogs | where ResultType == 'Failure' | where x"
        );
        // `where x` is after the interpolation and the escapes, on line 15 of the file.
        let at = rule.query.text.rfind("where x").expect("in the query");
        let line = RULE.lines().nth(14).expect("line 15");
        assert_eq!(
            rule.query.locate(at),
            (15, line.rfind("where x").expect("there") + 1)
        );
        let RuleKind::AzureMonitor(a) = &rule.kind else {
            unreachable!("an Azure Monitor rule")
        };
        assert_eq!(a.threshold, 50.0);
        let mut params = Params::new();
        params.insert("threshold".into(), "7".into());
        params.insert("result".into(), "Skipped".into());
        let rule = read(RULE, &params).expect("a rule").remove(0);
        assert!(rule.query.text.contains("'Skipped'"));
        let RuleKind::AzureMonitor(a) = &rule.kind else {
            unreachable!("an Azure Monitor rule")
        };
        assert_eq!(a.threshold, 7.0);
    }

    #[test]
    fn multi_line_strings_are_verbatim_and_keep_their_lines() {
        let text = RULE.replace(
            "query: 'AADProvisioningLogs | where ResultType == \\'${result}\\' | where x'",
            "query: '''\nAADProvisioningLogs\n| where x == '${result}'\n'''",
        );
        let rule = read(&text, &Params::new()).expect("a rule").remove(0);
        // No interpolation in ''' strings, as Bicep has it.
        assert!(
            rule.query.text.contains("'${result}'"),
            "{}",
            rule.query.text
        );
        let at = rule.query.text.find("where").expect("where");
        assert_eq!(rule.query.locate(at), (17, 3));
    }

    #[test]
    fn what_it_cannot_evaluate_is_an_error_at_the_resource() {
        let text = RULE.replace("threshold: threshold", "threshold: thresholds.high");
        let e = read(&text, &Params::new()).expect_err("refused");
        assert!(
            e.message
                .contains("`[thresholds.high]` cannot be evaluated"),
            "{e}"
        );
        assert_eq!(e.position.map(|p| p.0), Some(5));
        let e = read("param x int = 1\n", &Params::new()).expect_err("no rule");
        assert!(
            e.message
                .contains("no Microsoft.Insights/scheduledQueryRules"),
            "{e}"
        );
    }
}
