//! kqlite's own rule format: TOML, with the query inline or in a `.kql` file whose header
//! comment block holds the same settings as TOML lines:
//!
//! ```toml
//! name = "Provisioning failure spike"
//! service = "azure-monitor"        # or "sentinel", "defender"
//! frequency = "15m"                # KQL timespan or ISO 8601
//! window = "1h"
//! operator = ">"                   # or GreaterThan, gt, ...
//! threshold = 50
//! dimensions = ["JobId"]           # or [{ column = "JobId", exclude = true, values = ["x"] }]
//! query = '''
//! AADProvisioningLogs
//! | where ResultType == "Failure"
//! '''
//! ```

use super::RuleError;
use super::position::{escaped, line_col};
use crate::duration;
use crate::rule::*;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    name: Option<String>,
    service: Option<String>,
    query: Option<toml::Spanned<String>>,
    frequency: Option<String>,
    window: Option<String>,
    query_range: Option<String>,
    period: Option<String>,
    aggregation: Option<String>,
    measure_column: Option<String>,
    #[serde(default)]
    dimensions: Vec<DimensionSetting>,
    operator: Option<String>,
    threshold: Option<f64>,
    periods: Option<u32>,
    min_failing: Option<u32>,
    auto_mitigate: Option<bool>,
    auto_resolve: Option<bool>,
    time_to_resolve: Option<String>,
    mute: Option<String>,
    alert_per_result: Option<bool>,
    suppression: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DimensionSetting {
    Column(String),
    Full {
        column: String,
        #[serde(default)]
        exclude: bool,
        #[serde(default)]
        values: Vec<String>,
    },
}

/// A rule in kqlite's TOML (`format` is Toml, or Builtin for the built-in pack).
pub(super) fn toml_rule(path: &Path, text: &str, format: Format) -> Result<Rule, RuleError> {
    let mut settings: Settings = toml::from_str(text).map_err(|e| toml_error(path, text, &e, 0))?;
    let Some(query) = settings.query.take() else {
        return Err(RuleError::new(path, "no `query`"));
    };
    let located = toml_string(text, &query);
    build(path, settings, located, format)
}

/// A `.kql` file whose leading `//` comment lines are the settings, as TOML, and the rest the
/// query.
pub(super) fn kql_rule(path: &Path, text: &str) -> Result<Rule, RuleError> {
    let mut header = String::new();
    let mut body_start = 0;
    let mut header_lines = 0;
    for line in text.split_inclusive('\n') {
        match line.trim_start().strip_prefix("//") {
            Some(setting) => {
                header.push_str(setting.strip_prefix(' ').unwrap_or(setting));
                header_lines += 1;
                body_start += line.len();
            }
            None if line.trim().is_empty() && header_lines > 0 => {
                header.push('\n');
                body_start += line.len();
            }
            None => break,
        }
    }
    if header_lines == 0 {
        return Err(RuleError::new(
            path,
            "no rule settings: start the file with `// frequency = \"15m\"`, `// window = ...` comment lines",
        ));
    }
    // Comment lines that are prose, not settings, make the header unreadable: say which.
    let settings: Settings =
        toml::from_str(&header).map_err(|e| toml_error(path, &header, &e, 3))?;
    if settings.query.is_some() {
        return Err(RuleError::new(
            path,
            "the query is the file's body, not a `query` setting",
        ));
    }
    let (line, column) = line_col(text, body_start);
    let query = QueryText::at(&text[body_start..], line, column);
    build(path, settings, query, Format::Toml)
}

fn toml_error(path: &Path, text: &str, e: &toml::de::Error, column_shift: usize) -> RuleError {
    let message = e.message().to_owned();
    match e.span() {
        Some(span) => {
            let (l, c) = line_col(text, span.start);
            RuleError::at(path, (l, c + column_shift), message)
        }
        None => RuleError::new(path, message),
    }
}

/// Where a TOML string value's characters are: after its opening quotes (and the newline that
/// follows `'''` or `"""`), escapes decoded for basic strings.
fn toml_string(source: &str, value: &toml::Spanned<String>) -> QueryText {
    let span = value.span();
    let raw = source.get(span.clone()).unwrap_or_default();
    let delimiter = ["'''", "\"\"\"", "'", "\""]
        .into_iter()
        .find(|d| raw.starts_with(d))
        .unwrap_or("");
    let mut start = span.start + delimiter.len();
    if delimiter.len() == 3 {
        if source[start..].starts_with("\r\n") {
            start += 2;
        } else if source[start..].starts_with('\n') {
            start += 1;
        }
    }
    let end = span.end.saturating_sub(delimiter.len()).max(start);
    let (line, column) = line_col(source, start);
    let literal = QueryText::at(value.get_ref(), line, column);
    if delimiter.starts_with('\'') {
        return literal;
    }
    match escaped(source, start, &source[start..end]) {
        Some(q) if q.text == *value.get_ref() => q,
        _ => literal,
    }
}

fn duration_of(path: &Path, key: &str, text: &str) -> Result<i64, RuleError> {
    duration::parse(text).ok_or_else(|| {
        RuleError::new(
            path,
            format!("`{key}`: `{text}` is not a duration (use 15m, 1h, PT15M, P1D)"),
        )
    })
}

fn required<'a, T>(path: &Path, key: &str, v: &'a Option<T>) -> Result<&'a T, RuleError> {
    v.as_ref()
        .ok_or_else(|| RuleError::new(path, format!("`{key}` is required")))
}

fn build(path: &Path, s: Settings, query: QueryText, format: Format) -> Result<Rule, RuleError> {
    let name = s.name.clone().unwrap_or_else(|| {
        path.file_stem()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    });
    let operator = |path: &Path| -> Result<(Operator, f64), RuleError> {
        let text = s.operator.as_deref().unwrap_or(">");
        let op = Operator::parse(text).ok_or_else(|| {
            RuleError::new(path, format!("`operator`: `{text}` is not a comparison"))
        })?;
        Ok((op, s.threshold.unwrap_or(0.0)))
    };
    let service = s.service.as_deref().unwrap_or("azure-monitor");
    let kind = match service.to_ascii_lowercase().as_str() {
        "azure-monitor" | "azuremonitor" | "log-alert" => {
            let frequency = duration_of(
                path,
                "frequency",
                required(path, "frequency", &s.frequency)?,
            )?;
            let window = duration_of(path, "window", required(path, "window", &s.window)?)?;
            let (operator, threshold) = operator(path)?;
            let aggregation = match &s.aggregation {
                Some(a) => Aggregation::parse(a).ok_or_else(|| {
                    RuleError::new(
                        path,
                        format!(
                            "`aggregation`: `{a}` is not Count, Average, Minimum, Maximum or Total"
                        ),
                    )
                })?,
                None => Aggregation::Count,
            };
            if aggregation != Aggregation::Count && s.measure_column.is_none() {
                return Err(RuleError::new(
                    path,
                    "`measure_column` is required unless `aggregation` is Count",
                ));
            }
            RuleKind::AzureMonitor(AzureMonitor {
                frequency,
                window,
                query_range: s
                    .query_range
                    .as_deref()
                    .map(|r| duration_of(path, "query_range", r))
                    .transpose()?,
                aggregation,
                measure_column: s.measure_column.clone(),
                dimensions: s
                    .dimensions
                    .iter()
                    .map(|d| match d {
                        DimensionSetting::Column(c) => Dimension {
                            column: c.clone(),
                            exclude: false,
                            values: Vec::new(),
                        },
                        DimensionSetting::Full {
                            column,
                            exclude,
                            values,
                        } => Dimension {
                            column: column.clone(),
                            exclude: *exclude,
                            values: values.clone(),
                        },
                    })
                    .collect(),
                operator,
                threshold,
                periods: s.periods.unwrap_or(1),
                min_failing: s.min_failing.unwrap_or(1),
                auto_mitigate: s.auto_mitigate.unwrap_or(true),
                auto_resolve: s.auto_resolve.unwrap_or(true),
                time_to_resolve: s
                    .time_to_resolve
                    .as_deref()
                    .map(|t| duration_of(path, "time_to_resolve", t))
                    .transpose()?,
                legacy_metric: None,
                mute: s
                    .mute
                    .as_deref()
                    .map(|m| duration_of(path, "mute", m))
                    .transpose()?,
            })
        }
        "sentinel" => {
            let frequency = duration_of(
                path,
                "frequency",
                required(path, "frequency", &s.frequency)?,
            )?;
            let period = duration_of(path, "period", required(path, "period", &s.period)?)?;
            let (operator, threshold) = operator(path)?;
            RuleKind::Sentinel(Sentinel {
                frequency,
                period,
                operator,
                threshold,
                alert_per_result: s.alert_per_result.unwrap_or(false),
                suppression: s
                    .suppression
                    .as_deref()
                    .map(|m| duration_of(path, "suppression", m))
                    .transpose()?,
            })
        }
        "defender" => RuleKind::Defender(Defender {
            period: duration_of(path, "period", required(path, "period", &s.period)?)?,
        }),
        other => {
            return Err(RuleError::new(
                path,
                format!("`service`: `{other}` is not azure-monitor, sentinel or defender"),
            ));
        }
    };
    Ok(Rule {
        name,
        origin: Origin {
            path: path.to_owned(),
            format,
        },
        query,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toml_rule_with_its_query_located() {
        let text = "name = \"spike\"\nfrequency = \"15m\"\nwindow = \"PT1H\"\noperator = \"GreaterThan\"\nthreshold = 50\ndimensions = [\"JobId\"]\nquery = '''\nT\n| where x'''\n";
        let r = toml_rule(Path::new("r.toml"), text, Format::Toml).expect("test value");
        assert_eq!(r.query.text, "T\n| where x");
        assert_eq!(r.query.locate(4), (9, 3));
        let RuleKind::AzureMonitor(a) = r.kind else {
            unreachable!("azure monitor")
        };
        assert_eq!((a.operator, a.threshold), (Operator::GreaterThan, 50.0));
        assert_eq!(a.dimensions[0].column, "JobId");
        assert_eq!(a.range(), a.window);
    }

    #[test]
    fn a_kql_file_with_a_settings_header() {
        let text = "// frequency = \"1h\"\n// window = \"2h\"\n// operator = \"<\"\n// threshold = 1\n\nAADProvisioningLogs\n";
        let r = kql_rule(Path::new("quiet.kql"), text).expect("test value");
        assert_eq!(r.name, "quiet");
        assert_eq!(r.query.text, "AADProvisioningLogs\n");
        assert_eq!(r.query.locate(0), (6, 1));
    }

    #[test]
    fn errors_say_where() {
        let e =
            toml_rule(Path::new("r.toml"), "frequency = 15\n", Format::Toml).expect_err("fails");
        assert_eq!(e.position.map(|p| p.0), Some(1), "{e}");
        let e = toml_rule(
            Path::new("r.toml"),
            "query = 'T'\nfrequency = 'soon'\nwindow = '1h'\n",
            Format::Toml,
        )
        .expect_err("fails");
        assert!(e.message.contains("`soon` is not a duration"), "{e}");
    }
}
