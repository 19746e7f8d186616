//! One evaluation of a rule at time T, as the service does it: the query sees only the rows of
//! its time range ending at T (by `TimeGenerated`, applied outside the query, half-open so that
//! consecutive windows never count a row twice), `now()` is T, and the result is measured.
//!
//! Azure Monitor: rows are split into series by the dimension columns; each series' measure is
//! its row count (`Count` without a measure column) or the aggregation of `metricMeasureColumn`.
//! With N periods the rows are binned by the window on the result's datetime column (most
//! recent first); a period fails when `measure <operator> threshold`, and the condition holds
//! when at least M of the N periods fail. A `Count` period without rows measures 0; any other
//! aggregation without rows has no measure and does not fail.
//!
//! Sentinel: the measure is the number of result rows, compared with the trigger.
//! Defender: every result row is an alert.

use crate::rule::{Aggregation, AzureMonitor, Rule, RuleKind};
use kql_common::time::TICKS_PER_SEC;
use kql_workspace::{Error, KqlResult, KqlType, Prepared, TimeWindow, Workspace};
use serde_json::Value;

/// The measure of one series at one evaluation.
#[derive(Clone, Debug, PartialEq)]
pub struct SeriesMeasure {
    /// Dimension column and value pairs (none when the rule does not split).
    pub dimensions: Vec<(String, String)>,
    /// The measure of the latest period (none: no rows to aggregate).
    pub value: Option<f64>,
    /// Failing periods among the last N (1 for a rule of one period that fails).
    pub failing: u32,
    /// Whether the rule's condition holds for this series.
    pub met: bool,
    /// Alerts this evaluation raises for the series when met (Sentinel's AlertPerResult and
    /// Defender: one per row).
    pub alerts: u64,
}

/// What one evaluation found.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// The evaluation time T (ticks).
    pub at: i64,
    /// The rows the query saw: `[from, to)`.
    pub window: TimeWindow,
    pub series: Vec<SeriesMeasure>,
}

/// How far back each evaluation of `rule` reads, and how often it runs (ticks).
pub fn schedule(rule: &Rule) -> (i64, i64) {
    match &rule.kind {
        RuleKind::AzureMonitor(a) => (a.range(), a.frequency),
        RuleKind::Sentinel(s) => (s.period, s.frequency),
        RuleKind::Defender(d) => defender_schedule(d.period),
    }
}

const HOUR: i64 = 3_600 * TICKS_PER_SEC;

/// Defender's documented look-back for each frequency: 24 h reads 30 days, 12 h reads 48 h, 3 h
/// reads 12 h, 1 h reads 4 h; continuous (0) is replayed hourly over the last hour.
fn defender_schedule(period: i64) -> (i64, i64) {
    match period / HOUR {
        0 => (HOUR, HOUR),
        1 => (4 * HOUR, HOUR),
        h if h <= 3 => (12 * HOUR, period),
        h if h <= 12 => (48 * HOUR, period),
        _ => (30 * 24 * HOUR, period),
    }
}

/// Evaluates `rule` (its query prepared as `prepared`) at `at`. With `ingestion_delay`, a row
/// is visible only that long after its `TimeGenerated`, as the services see late records.
pub async fn evaluate(
    ws: &Workspace,
    rule: &Rule,
    prepared: &Prepared,
    at: i64,
    ingestion_delay: i64,
) -> Result<Evaluation, Error> {
    let (range, _) = schedule(rule);
    let window = TimeWindow {
        from: at - range,
        to: (at - ingestion_delay.max(0)).max(at - range),
    };
    let result = ws.run_windowed(prepared, at, window).await?;
    let rows = Rows::of(&result);
    let series = match &rule.kind {
        RuleKind::AzureMonitor(a) => azure_monitor(a, &rows, at)?,
        RuleKind::Sentinel(s) => {
            let n = rows.len() as f64;
            let met = s.operator.holds(n, s.threshold);
            vec![SeriesMeasure {
                dimensions: Vec::new(),
                value: Some(n),
                failing: u32::from(met),
                met,
                alerts: if s.alert_per_result {
                    rows.len() as u64
                } else {
                    1
                },
            }]
        }
        RuleKind::Defender(_) => vec![SeriesMeasure {
            dimensions: Vec::new(),
            value: Some(rows.len() as f64),
            failing: u32::from(!rows.is_empty()),
            met: !rows.is_empty(),
            alerts: rows.len() as u64,
        }],
    };
    Ok(Evaluation { at, window, series })
}

/// A result's rows as JSON values by column name.
struct Rows {
    names: Vec<String>,
    types: Vec<KqlType>,
    rows: Vec<Vec<Value>>,
}

impl Rows {
    fn of(result: &KqlResult) -> Rows {
        let fields = &result.schema.fields;
        let mut rows = Vec::new();
        for b in &result.batches {
            for r in 0..b.num_rows() {
                rows.push(
                    fields
                        .iter()
                        .enumerate()
                        .map(|(i, f)| kql_functions::value::json_value(b.column(i), r, f.ty))
                        .collect(),
                );
            }
        }
        Rows {
            names: fields.iter().map(|f| f.name.clone()).collect(),
            types: fields.iter().map(|f| f.ty).collect(),
            rows,
        }
    }

    fn len(&self) -> usize {
        self.rows.len()
    }

    fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The column periods are binned on: `TimeGenerated` if the result has it, else its first
    /// datetime column.
    fn time_column(&self) -> Option<usize> {
        self.column("TimeGenerated")
            .filter(|i| self.types[*i] == KqlType::DateTime)
            .or_else(|| self.types.iter().position(|t| *t == KqlType::DateTime))
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.parse().ok(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn query_error(message: String) -> Error {
    Error::Query(kql_common::Diagnostics(vec![
        kql_common::Diagnostic::error(
            kql_common::codes::WRONG_KIND,
            message,
            kql_common::Span::new(0, 0),
        ),
    ]))
}

/// A series' rows in each period (0: the latest).
type PeriodRows<'r> = Vec<Vec<&'r Vec<Value>>>;

fn azure_monitor(a: &AzureMonitor, rows: &Rows, at: i64) -> Result<Vec<SeriesMeasure>, Error> {
    if let Some(m) = &a.legacy_metric {
        return legacy_metric(a, m, rows);
    }
    let dims: Vec<usize> = a
        .dimensions
        .iter()
        .map(|d| {
            rows.column(&d.column).ok_or_else(|| {
                query_error(format!(
                    "the rule splits by `{}`, which the query's result does not have",
                    d.column
                ))
            })
        })
        .collect::<Result<_, _>>()?;
    let measure = match &a.measure_column {
        Some(c) => Some(rows.column(c).ok_or_else(|| {
            query_error(format!(
                "the rule measures `{c}`, which the query's result does not have"
            ))
        })?),
        None => None,
    };
    // Periods older than the query's range (an `overrideQueryTimeRange` shorter than the
    // window times the periods) can have no rows: only the ones inside it are evaluated.
    let periods = a
        .periods
        .max(1)
        .min(u32::try_from(a.range().div_euclid(a.window.max(1)).max(1)).unwrap_or(u32::MAX));
    let time = if periods > 1 {
        Some(rows.time_column().ok_or_else(|| {
            query_error(
                "a rule of several evaluation periods needs a datetime column in the query's result"
                    .to_owned(),
            )
        })?)
    } else {
        None
    };
    // Rows of each series (in order of first appearance), by period (0: the latest).
    let mut series: Vec<(Vec<String>, PeriodRows)> = Vec::new();
    for row in &rows.rows {
        let key: Vec<String> = dims.iter().map(|i| text(&row[*i])).collect();
        if !a.dimensions.iter().zip(&key).all(|(d, v)| d.admits(v)) {
            continue;
        }
        let period = match time {
            Some(t) => {
                let Some(ticks) = row[t].as_str().and_then(kql_common::time::parse_datetime) else {
                    continue;
                };
                let back = (at - 1 - ticks).div_euclid(a.window.max(1));
                match usize::try_from(back) {
                    Ok(p) if p < periods as usize => p,
                    _ => continue,
                }
            }
            None => 0,
        };
        let at_key = match series.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                series.push((key, vec![Vec::new(); periods as usize]));
                series.len() - 1
            }
        };
        series[at_key].1[period].push(row);
    }
    // A rule that does not split measures the whole result, rows or none.
    if series.is_empty() && a.dimensions.is_empty() {
        series.push((Vec::new(), vec![Vec::new(); periods as usize]));
    }
    Ok(series
        .into_iter()
        .map(|(key, by_period)| {
            let values: Vec<Option<f64>> = by_period
                .iter()
                .map(|rows| aggregate(a.aggregation, measure, rows))
                .collect();
            let failing = values
                .iter()
                .filter(|v| v.is_some_and(|v| a.operator.holds(v, a.threshold)))
                .count() as u32;
            SeriesMeasure {
                dimensions: a
                    .dimensions
                    .iter()
                    .map(|d| d.column.clone())
                    .zip(key)
                    .collect(),
                value: values[0],
                failing,
                // With fewer periods in range than the rule counts, all of them must fail.
                met: failing >= a.min_failing.max(1).min(periods),
                alerts: 1,
            }
        })
        .collect())
}

/// The legacy metric measurement: breaches of `AggregatedValue` per `metricColumn` value.
fn legacy_metric(
    a: &AzureMonitor,
    m: &crate::rule::LegacyMetric,
    rows: &Rows,
) -> Result<Vec<SeriesMeasure>, Error> {
    let need = |name: &str| {
        rows.column(name).ok_or_else(|| {
            query_error(format!(
                "a metric-measurement rule needs a `{name}` column in the query's result"
            ))
        })
    };
    let (key, value) = (need(&m.column)?, need("AggregatedValue")?);
    let time = rows.time_column();
    // Each value's rows in time order.
    let mut series: Vec<(String, Vec<(i64, bool)>)> = Vec::new();
    for row in &rows.rows {
        let k = text(&row[key]);
        let t = time
            .and_then(|t| row[t].as_str().and_then(kql_common::time::parse_datetime))
            .unwrap_or(0);
        let breach = number(&row[value]).is_some_and(|v| a.operator.holds(v, a.threshold));
        match series.iter_mut().find(|(s, _)| *s == k) {
            Some((_, points)) => points.push((t, breach)),
            None => series.push((k, vec![(t, breach)])),
        }
    }
    Ok(series
        .into_iter()
        .map(|(k, mut points)| {
            points.sort_by_key(|(t, _)| *t);
            let breaches = if m.consecutive {
                // The longest run of consecutive breaching bins.
                let mut best = 0u32;
                let mut run = 0u32;
                for (_, b) in &points {
                    run = if *b { run + 1 } else { 0 };
                    best = best.max(run);
                }
                best
            } else {
                points.iter().filter(|(_, b)| *b).count() as u32
            };
            let met = m.breaches_operator.holds(f64::from(breaches), m.breaches);
            SeriesMeasure {
                dimensions: vec![(m.column.clone(), k)],
                value: Some(f64::from(breaches)),
                failing: u32::from(met),
                met,
                alerts: 1,
            }
        })
        .collect())
}

/// The measure of one period's rows.
fn aggregate(how: Aggregation, column: Option<usize>, rows: &[&Vec<Value>]) -> Option<f64> {
    let Some(c) = column else {
        // Row count: the service appends `| count` to the query.
        return Some(rows.len() as f64);
    };
    if how == Aggregation::Count {
        // Count counts the column's values, whatever their type: nulls only are left out.
        return Some(rows.iter().filter(|r| !r[c].is_null()).count() as f64);
    }
    let values: Vec<f64> = rows.iter().filter_map(|r| number(&r[c])).collect();
    match how {
        Aggregation::Count => Some(values.len() as f64),
        _ if values.is_empty() => None,
        Aggregation::Total => Some(values.iter().sum()),
        Aggregation::Average => Some(values.iter().sum::<f64>() / values.len() as f64),
        Aggregation::Minimum => values.iter().copied().reduce(f64::min),
        Aggregation::Maximum => values.iter().copied().reduce(f64::max),
    }
}
