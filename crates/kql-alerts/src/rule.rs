//! One model for every rule format: the query (with where each of its characters sits in the
//! rule file), how often it runs over how much time, and what makes it fire.

use std::path::PathBuf;

/// An alert rule, whatever file it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Rule {
    /// Display name (or the file's name).
    pub name: String,
    /// Where it was read from, and in which format.
    pub origin: Origin,
    /// The KQL, and where it sits in the file.
    pub query: QueryText,
    /// The service whose semantics evaluate it.
    pub kind: RuleKind,
}

/// Where a rule was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// The file (`builtin:NAME` for the built-in pack).
    pub path: PathBuf,
    pub format: Format,
}

/// The formats rules are kept in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `Microsoft.Insights/scheduledQueryRules` in an ARM template (current or 2018-04-16 API).
    ArmScheduledQuery,
    /// `Microsoft.SecurityInsights/alertRules` (Sentinel) in an ARM template.
    ArmSentinel,
    /// One of those two in a Bicep file.
    Bicep,
    /// A Sentinel analytic rule in the Azure-Sentinel repository's YAML.
    SentinelYaml,
    /// A Defender XDR custom detection (Microsoft Graph `detectionRule` JSON).
    Defender,
    /// kqlite's own TOML.
    Toml,
    /// kqlite's built-in pack.
    Builtin,
}

impl Format {
    /// How the format is named in messages.
    pub fn name(self) -> &'static str {
        match self {
            Format::ArmScheduledQuery => "Azure Monitor scheduledQueryRules (ARM)",
            Format::ArmSentinel => "Sentinel alertRules (ARM)",
            Format::Bicep => "Azure Monitor or Sentinel rule (Bicep)",
            Format::SentinelYaml => "Sentinel analytic rule (YAML)",
            Format::Defender => "Defender XDR custom detection",
            Format::Toml => "kqlite rule (TOML)",
            Format::Builtin => "kqlite built-in rule",
        }
    }
}

/// The query of a rule and, for each of its characters, the line and column in the rule file
/// (a JSON string's escapes and a YAML block's indentation are not in the query).
#[derive(Clone, Debug, PartialEq)]
pub struct QueryText {
    pub text: String,
    /// Segments, by query byte offset: from `offset` on, characters sit at `line`, `column`
    /// onwards on one file line (1-based), until the next segment.
    pub segments: Vec<Segment>,
}

/// See [`QueryText::segments`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

impl QueryText {
    /// A query that is its own file (line 1, column 1 is its start).
    pub fn standalone(text: &str) -> QueryText {
        QueryText::at(text, 1, 1)
    }

    /// A query written verbatim in the file from `line`, `column` on: every later line starts at
    /// column 1 (a Bicep `'''` string, a TOML multi-line string).
    pub fn at(text: &str, line: usize, column: usize) -> QueryText {
        let mut segments = vec![Segment {
            offset: 0,
            line,
            column,
        }];
        for (i, _) in text.match_indices('\n') {
            segments.push(Segment {
                offset: i + 1,
                line: line + segments.len(),
                column: 1,
            });
        }
        QueryText {
            text: text.to_owned(),
            segments,
        }
    }

    /// A query whose characters cannot be followed one by one into the file (a folded YAML
    /// block, a string with escapes kqlite does not map): every query line is placed at its
    /// start, so a position is never past the lines the value is written on.
    pub fn starting_at(text: &str, line: usize, column: usize) -> QueryText {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1));
        QueryText {
            text: text.to_owned(),
            segments: starts
                .map(|offset| Segment {
                    offset,
                    line,
                    column,
                })
                .collect(),
        }
    }

    /// Where byte `offset` of the query is in the file: (line, column), 1-based, columns in
    /// characters.
    pub fn locate(&self, offset: usize) -> (usize, usize) {
        let at = self
            .segments
            .partition_point(|s| s.offset <= offset)
            .saturating_sub(1);
        let Some(seg) = self.segments.get(at) else {
            return (1, 1);
        };
        let chars = self
            .text
            .get(seg.offset..offset.min(self.text.len()))
            .map_or(0, |s| s.chars().count());
        (seg.line, seg.column + chars)
    }
}

impl QueryText {
    /// The byte offset in `source` (the rule file's text) of the query's byte `offset`, so that
    /// a diagnostic of the query points into the file.
    pub fn file_offset(&self, source: &str, offset: usize) -> usize {
        let (line, column) = self.locate(offset);
        let line_start: usize = source
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let rest = source.get(line_start..).unwrap_or("");
        rest.char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_start + rest.len(), |(i, _)| line_start + i)
    }
}

/// Comparison of a measure with a threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    Equal,
    NotEqual,
}

impl Operator {
    /// Every spelling the formats use: `GreaterThan`, `gt`, `Equals`, `Equal`, `eq`, `NotEqual`...
    pub fn parse(text: &str) -> Option<Operator> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "greaterthan" | "gt" | ">" => Operator::GreaterThan,
            "greaterthanorequal" | "ge" | "gte" | ">=" => Operator::GreaterThanOrEqual,
            "lessthan" | "lt" | "<" => Operator::LessThan,
            "lessthanorequal" | "le" | "lte" | "<=" => Operator::LessThanOrEqual,
            "equals" | "equal" | "eq" | "==" => Operator::Equal,
            "notequal" | "notequals" | "ne" | "!=" => Operator::NotEqual,
            _ => return None,
        })
    }

    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Operator::GreaterThan => value > threshold,
            Operator::GreaterThanOrEqual => value >= threshold,
            Operator::LessThan => value < threshold,
            Operator::LessThanOrEqual => value <= threshold,
            Operator::Equal => value == threshold,
            Operator::NotEqual => value != threshold,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Operator::GreaterThan => ">",
            Operator::GreaterThanOrEqual => ">=",
            Operator::LessThan => "<",
            Operator::LessThanOrEqual => "<=",
            Operator::Equal => "==",
            Operator::NotEqual => "!=",
        }
    }
}

/// How the service evaluates the rule.
#[derive(Clone, Debug, PartialEq)]
pub enum RuleKind {
    AzureMonitor(AzureMonitor),
    Sentinel(Sentinel),
    Defender(Defender),
}

/// An Azure Monitor log search alert (`LogAlert`).
#[derive(Clone, Debug, PartialEq)]
pub struct AzureMonitor {
    /// `evaluationFrequency` (ticks).
    pub frequency: i64,
    /// `windowSize`: the look-back of one period (ticks).
    pub window: i64,
    /// `overrideQueryTimeRange`, if set (otherwise window × periods).
    pub query_range: Option<i64>,
    pub aggregation: Aggregation,
    /// `metricMeasureColumn`; none: the measure is the number of rows.
    pub measure_column: Option<String>,
    pub dimensions: Vec<Dimension>,
    pub operator: Operator,
    pub threshold: f64,
    /// `failingPeriods`: `numberOfEvaluationPeriods` (N) and `minFailingPeriodsToAlert` (M).
    pub periods: u32,
    pub min_failing: u32,
    /// `autoMitigate`: fire once and resolve (stateful) or fire at every evaluation.
    pub auto_mitigate: bool,
    /// `muteActionsDuration` (ticks): no notification for that long after one.
    pub mute: Option<i64>,
    /// `ruleResolveConfiguration`: whether a fired alert resolves by itself (`autoResolved`),
    /// and after how long the condition must have stopped holding (`timeToResolve`).
    pub auto_resolve: bool,
    pub time_to_resolve: Option<i64>,
    /// The 2018-04-16 API's metric measurement (`metricTrigger`), when the rule has one.
    pub legacy_metric: Option<LegacyMetric>,
}

/// The legacy API's metric measurement: the query yields `AggregatedValue` per bin and
/// `metricColumn` value; a row breaches when `AggregatedValue <operator> threshold` (the rule's
/// operator and threshold); a value of `metricColumn` fires when its breaches, counted in all or
/// consecutively, compare with `breaches` by `breaches_operator`.
#[derive(Clone, Debug, PartialEq)]
pub struct LegacyMetric {
    pub column: String,
    pub breaches_operator: Operator,
    pub breaches: f64,
    pub consecutive: bool,
}

impl AzureMonitor {
    /// The time range each evaluation's query sees: `overrideQueryTimeRange`, or the window
    /// times the number of periods.
    pub fn range(&self) -> i64 {
        self.query_range
            .unwrap_or(self.window.saturating_mul(i64::from(self.periods.max(1))))
    }
}

/// `timeAggregation`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregation {
    Count,
    Average,
    Minimum,
    Maximum,
    Total,
}

impl Aggregation {
    pub fn parse(text: &str) -> Option<Aggregation> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "count" => Aggregation::Count,
            "average" | "avg" => Aggregation::Average,
            "minimum" | "min" => Aggregation::Minimum,
            "maximum" | "max" => Aggregation::Maximum,
            "total" | "sum" => Aggregation::Total,
            _ => return None,
        })
    }
}

/// A dimension split: one series per value of `column` (`values` empty: every value).
#[derive(Clone, Debug, PartialEq)]
pub struct Dimension {
    pub column: String,
    /// `Exclude`: the listed values are dropped instead of kept.
    pub exclude: bool,
    /// Listed values; `*` or none: all.
    pub values: Vec<String>,
}

impl Dimension {
    /// Whether a row with `value` in this column belongs to some series.
    pub fn admits(&self, value: &str) -> bool {
        let all = self.values.is_empty() || self.values.iter().any(|v| v == "*");
        let listed = self.values.iter().any(|v| v == value);
        if self.exclude { !listed } else { all || listed }
    }
}

/// A Sentinel scheduled analytic rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Sentinel {
    /// `queryFrequency` (ticks).
    pub frequency: i64,
    /// `queryPeriod` (ticks).
    pub period: i64,
    pub operator: Operator,
    pub threshold: f64,
    /// `eventGroupingSettings.aggregationKind`: one alert per result row, or one per run.
    pub alert_per_result: bool,
    /// `suppressionDuration` when `suppressionEnabled`.
    pub suppression: Option<i64>,
}

/// A Defender XDR custom detection: every result row is an alert.
#[derive(Clone, Debug, PartialEq)]
pub struct Defender {
    /// `schedule.period` (ticks); 0 is continuous, replayed hourly.
    pub period: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_back_to_the_file() {
        let q = QueryText::at("T\n| where x\n| count", 5, 12);
        assert_eq!(q.locate(0), (5, 12));
        assert_eq!(q.locate(2), (6, 1));
        assert_eq!(q.locate(4), (6, 3));
        assert_eq!(q.locate(14), (7, 3));
    }

    #[test]
    fn offsets_map_to_bytes_of_the_file() {
        let source = "query = '''\nT\n| where x'''\n";
        let q = QueryText::at("T\n| where x", 2, 1);
        assert_eq!(
            q.file_offset(source, 4),
            source.find("where").expect("where")
        );
    }

    #[test]
    fn operators_in_every_spelling() {
        assert_eq!(Operator::parse("GreaterThan"), Some(Operator::GreaterThan));
        assert_eq!(Operator::parse("gt"), Some(Operator::GreaterThan));
        assert_eq!(Operator::parse("Equals"), Some(Operator::Equal));
        assert_eq!(Operator::parse("Equal"), Some(Operator::Equal));
        assert_eq!(Operator::parse("NotEqual"), Some(Operator::NotEqual));
        assert!(Operator::GreaterThan.holds(51.0, 50.0));
        assert!(!Operator::GreaterThan.holds(50.0, 50.0));
    }

    #[test]
    fn dimensions_include_and_exclude() {
        let all = Dimension {
            column: "JobId".into(),
            exclude: false,
            values: vec!["*".into()],
        };
        assert!(all.admits("a"));
        let some = Dimension {
            values: vec!["a".into()],
            ..all.clone()
        };
        assert!(some.admits("a") && !some.admits("b"));
        let not_a = Dimension {
            exclude: true,
            ..some
        };
        assert!(!not_a.admits("a") && not_a.admits("b"));
    }
}
