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
#[derive(Clone)]
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
    /// `param` and `var` values, as they are evaluated.
    params: BTreeMap<String, Node>,
    /// Where each `param` default and `var` value starts (Bicep needs no declaration before use).
    declared: BTreeMap<String, usize>,
    /// Declarations being evaluated (a cycle is an error, not a stack overflow).
    evaluating: Vec<String>,
}

/// Declarations that refer to each other this deep are a cycle.
const MAX_DEPTH: usize = 32;

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
        self.skip(true);
        if !self.rest().starts_with('\'') {
            return Err(self.error("expected a string"));
        }
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
                '\\' if self.rest().starts_with("\\u{") => {
                    let close = self
                        .rest()
                        .find('}')
                        .ok_or_else(|| self.error("`\\u{` is not closed"))?;
                    let hex = &self.rest()[3..close];
                    let decoded = u32::from_str_radix(hex, 16)
                        .ok()
                        .and_then(char::from_u32)
                        .ok_or_else(|| self.error(format!("`\\u{{{hex}}}` is not a character")))?;
                    text.push(decoded);
                    column += self.rest()[..=close].chars().count();
                    self.at += close + 1;
                    segments.push(Segment {
                        offset: text.len(),
                        line,
                        column,
                    });
                }
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
                    let here = self.at;
                    let found = self.lookup(&name)?;
                    self.at = here;
                    let value = match found {
                        Some(Node::Str(s, _)) => s,
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
            // An encoding may follow: the files are read as UTF-8 either way.
            if self.eat(",") {
                self.string()?;
            }
            if !self.eat(")") {
                return Err(self.error("expected `)` after loadTextContent's file"));
            }
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
                self.skip_balanced('(', ')')?;
            } else {
                break;
            }
        }
        let expr = self.text[start..self.at].trim().to_owned();
        let here = self.at;
        let found = self.lookup(&expr)?;
        self.at = here;
        Ok(found.unwrap_or(Node::Expr(expr)))
    }

    /// The value of `param` or `var` `name`, evaluated where it is declared (once).
    fn lookup(&mut self, name: &str) -> Result<Option<Node>, RuleError> {
        if let Some(v) = self.params.get(name) {
            return Ok(Some(v.clone()));
        }
        let Some(&at) = self.declared.get(name) else {
            return Ok(None);
        };
        if self.evaluating.len() >= MAX_DEPTH || self.evaluating.iter().any(|n| n == name) {
            return Err(self.error(format!("`{name}` refers to itself")));
        }
        self.evaluating.push(name.to_owned());
        let saved = self.at;
        self.at = at;
        let value = self.value();
        self.at = saved;
        self.evaluating.pop();
        let value = value?;
        self.params.insert(name.to_owned(), value.clone());
        Ok(Some(value))
    }

    /// Skips a value without evaluating it: to the end of its line, past brackets, parentheses,
    /// braces and strings that span lines.
    fn skip_value(&mut self) -> Result<(), RuleError> {
        let start = self.at;
        let mut depth = 0usize;
        loop {
            let rest = self.rest();
            let Some(c) = rest.chars().next() else {
                return if depth == 0 {
                    Ok(())
                } else {
                    self.at = start;
                    Err(self.error("a bracket of this value is never closed"))
                };
            };
            if let Some(body) = rest.strip_prefix("'''") {
                let end = body
                    .find("'''")
                    .ok_or_else(|| self.error("a ''' string is not closed"))?;
                self.at += 3 + end + 3;
                continue;
            }
            match c {
                '\'' => {
                    // A one-line string, escapes passed over.
                    let mut chars = rest.char_indices().skip(1);
                    let mut end = None;
                    while let Some((i, ch)) = chars.next() {
                        match ch {
                            '\\' => {
                                chars.next();
                            }
                            '\'' => {
                                end = Some(i + 1);
                                break;
                            }
                            '\n' => break,
                            _ => {}
                        }
                    }
                    let Some(end) = end else {
                        return Err(self.error("a string is not closed"));
                    };
                    self.at += end;
                    continue;
                }
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => {
                    if depth == 0 {
                        return Ok(());
                    }
                    depth -= 1;
                }
                '\n' if depth == 0 => return Ok(()),
                '/' if rest.starts_with("//") || rest.starts_with("/*") => {
                    self.skip(false);
                    continue;
                }
                _ => {}
            }
            self.at += c.len_utf8();
        }
    }

    /// Skips from `open` to its matching `close`, passing over strings; unbalanced is an error.
    fn skip_balanced(&mut self, open: char, close: char) -> Result<(), RuleError> {
        let start = self.at;
        let mut depth = 0usize;
        let mut in_string = false;
        let mut chars = self.rest().char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if in_string {
                match c {
                    '\\' => {
                        chars.next();
                    }
                    '\'' => in_string = false,
                    _ => {}
                }
                continue;
            }
            if c == '\'' {
                in_string = true;
            } else if c == open {
                depth += 1;
            } else if c == close {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    self.at += i + c.len_utf8();
                    return Ok(());
                }
            }
        }
        self.at = start;
        Err(self.error(format!("`{open}` is never closed")))
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
            // A Bicep string is never an ARM expression: `[` is escaped as ARM writes it.
            if s.starts_with('[') {
                json!(format!("[{s}"))
            } else {
                json!(s)
            }
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
        declared: BTreeMap::new(),
        evaluating: Vec::new(),
    };
    // First pass: where each `param` and `var` is declared, and the rule resources' bodies.
    let mut resources = Vec::new();
    loop {
        reader.skip(true);
        if reader.at >= text.len() {
            break;
        }
        let Some(keyword) = reader.ident() else {
            // Decorators and anything else this reader does not need.
            reader.skip_line();
            continue;
        };
        match keyword.as_str() {
            "param" | "var" => {
                let name = reader
                    .ident()
                    .ok_or_else(|| reader.error(format!("expected a name after `{keyword}`")))?;
                let declared_type = if keyword == "param" {
                    reader.ident()
                } else {
                    None
                };
                if keyword == "param"
                    && let Some(v) = overrides.get(&name)
                {
                    // `--param` wins, typed as the parameter is declared.
                    let number = v.parse::<f64>().ok().filter(|n| n.is_finite());
                    let node = match (declared_type.as_deref(), number) {
                        (Some("int"), Some(n)) => Node::Num(n),
                        (Some("bool"), _) => Node::Bool(v.eq_ignore_ascii_case("true")),
                        _ => Node::Str(v.clone(), QueryText::standalone(v)),
                    };
                    reader.params.insert(name.clone(), node);
                }
                if reader.eat("=") {
                    reader.skip(true);
                    reader.declared.insert(name, reader.at);
                    // Past the value, without evaluating it yet.
                    reader.skip_value()?;
                } else {
                    reader.skip_line();
                }
            }
            "resource" => {
                let _symbol = reader.ident();
                let type_at = {
                    reader.skip(true);
                    reader.at
                };
                let ty = match reader.string()? {
                    Node::Str(s, _) => s,
                    _ => String::new(),
                };
                let existing = reader.eat("existing");
                if !reader.eat("=") {
                    return Err(reader.error("expected `=` after the resource type"));
                }
                let lower = ty.to_ascii_lowercase();
                let is_rule = !existing
                    && (lower.starts_with("microsoft.insights/scheduledqueryrules@")
                        || lower.contains("alertrules@"));
                reader.skip(true);
                if reader.rest().starts_with("if") && !is_rule {
                    reader.ident();
                    reader.skip(true);
                    reader.skip_balanced('(', ')')?;
                    reader.skip(true);
                } else if reader.rest().starts_with("if") {
                    // A conditional rule: read as if its condition held.
                    reader.ident();
                    reader.skip(true);
                    reader.skip_balanced('(', ')')?;
                }
                reader.skip(true);
                if !is_rule {
                    // Other resources are passed over whole, whatever Bicep they use.
                    match reader.rest().chars().next() {
                        Some('{') => reader.skip_balanced('{', '}')?,
                        Some('[') => reader.skip_balanced('[', ']')?,
                        _ => reader.skip_line(),
                    }
                    continue;
                }
                if reader.rest().starts_with('[') {
                    return Err(reader.error(
                        "a rule resource in a `for` loop is not read: write one resource per rule",
                    ));
                }
                resources.push((type_at, ty, reader.at));
                reader.skip_balanced('{', '}')?;
            }
            _ => reader.skip_line(),
        }
    }
    // Second pass: the rule resources' bodies, parameters evaluated as they are needed.
    let mut bodies = Vec::new();
    for (type_at, ty, body_at) in resources {
        reader.at = body_at;
        let body = reader.value()?;
        bodies.push((type_at, ty, body));
    }
    let resources = bodies;
    let mut places = Vec::new();
    let arm: Vec<Value> = resources
        .iter()
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
    fn vars_declared_later_conditions_other_resources_and_a_bom() {
        let text = "\u{feff}@description('the workspace')
param ws string = resourceGroup().id

resource other 'Microsoft.Storage/storageAccounts@2023-01-01' = {
  name: isProd ? 'a' : 'b'
  properties: { x: [for i in range(0, 2): { n: '${i}' }] }
}

resource r 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = if (deploy) {
  name: 'spike'
  properties: {
    displayName: '[P1] spike'
    evaluationFrequency: 'PT1H'
    windowSize: window
    criteria: {
      allOf: [
        {
          query: query
          operator: 'GreaterThan'
          threshold: threshold
        }
      ]
    }
  }
}

resource old 'Microsoft.Insights/scheduledQueryRules@2023-12-01' existing = {
  name: 'old'
}

var window = 'PT1H'
var query = '''
AADProvisioningLogs
| where ResultType == '${result}'
'''
param threshold int = 50
param result string = 'Failure'
";
        let rules = read(text, &Params::new()).expect("one rule");
        assert_eq!(rules.len(), 1);
        let rule = &rules[0];
        assert_eq!(rule.name, "[P1] spike");
        assert!(rule.query.text.starts_with("AADProvisioningLogs\n| where"));
        // The var's ''' string: line 34 of the file holds `| where`.
        let at = rule.query.text.find("where").expect("where");
        assert_eq!(rule.query.locate(at), (34, 3));
        let mut params = Params::new();
        params.insert("result".into(), "007".into());
        params.insert("threshold".into(), "7".into());
        let rule = read(text, &params).expect("a rule").remove(0);
        let RuleKind::AzureMonitor(a) = &rule.kind else {
            unreachable!("an Azure Monitor rule")
        };
        assert_eq!(a.threshold, 7.0);
    }

    #[test]
    fn broken_bicep_is_an_error_not_a_hang_or_a_panic() {
        for text in [
            "param ws string = resourceId(",
            "resource r",
            "resource r é = {}",
            "param q string = loadTextContent(",
            "param p string = format('({0}', x)\nresource r 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {",
            "var a = b\nvar b = a\nresource r 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = { properties: { displayName: a } }",
        ] {
            assert!(read(text, &Params::new()).is_err(), "{text}");
        }
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
