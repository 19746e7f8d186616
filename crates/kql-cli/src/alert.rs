//! `kqlite alert run|replay|list`: alert rules evaluated over exports with the services'
//! semantics (`kql-alerts` does the work; this prints it and sets the exit code: 0 nothing
//! fired, 1 something fired, 2 errors).

use crate::data_args::DataArgs;
use crate::events::data_error;
use crate::output::out;
use clap::{Args, Subcommand, ValueEnum};
use kql_alerts::evaluate::{SeriesMeasure, evaluate, schedule};
use kql_alerts::replay::{Event, instants, replay};
use kql_alerts::rule::{AzureMonitor, Rule, RuleKind};
use kql_alerts::{Params, builtin, duration};
use kql_common::time::{format_datetime, parse_datetime};
use kql_workspace::{Error, Prepared, Workspace};
use serde_json::json;
use std::path::PathBuf;

/// Exit code when a rule fired.
const EXIT_FIRED: u8 = 1;
/// Exit code for errors (rule files, queries, data).
const EXIT_ERROR: u8 = 2;

#[derive(Subcommand)]
pub(crate) enum AlertCommand {
    /// Evaluate each rule once (at --at, default now) and say whether it fires.
    Run(RunArgs),
    /// Step through every evaluation time of each rule over the data: when it would have fired
    /// and resolved, and how many notifications.
    Replay(ReplayArgs),
    /// The built-in rules (usable as builtin:NAME) with their KQL.
    List,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum AlertFormat {
    /// Sentences for people.
    Text,
    /// One JSON object per line for each evaluation and series.
    Json,
}

#[derive(Args)]
pub(crate) struct RuleArgs {
    /// Rule files (ARM JSON, Sentinel YAML, Defender JSON, kqlite TOML, .kql with a settings
    /// header) or builtin:NAME.
    #[arg(value_name = "RULE", required = true)]
    rules: Vec<String>,
    #[command(flatten)]
    source: DataArgs,
    /// A value for an ARM template parameter (`[parameters('NAME')]`). Repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    params: Vec<String>,
    /// Each record becomes visible to a rule only this long after its TimeGenerated (e.g. 5m),
    /// as the services see late records.
    #[arg(long, value_name = "TIMESPAN")]
    ingestion_delay: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AlertFormat::Text)]
    format: AlertFormat,
}

#[derive(Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    common: RuleArgs,
    /// The evaluation time (ISO 8601); default: now (the end of the demo week without --data).
    #[arg(long, value_name = "DATETIME")]
    at: Option<String>,
}

#[derive(Args)]
pub(crate) struct ReplayArgs {
    #[command(flatten)]
    common: RuleArgs,
    /// First evaluation time (ISO 8601); default: the first record.
    #[arg(long, value_name = "DATETIME")]
    from: Option<String>,
    /// Last evaluation time (ISO 8601); default: one frequency past the last record.
    #[arg(long, value_name = "DATETIME")]
    to: Option<String>,
    /// Draw the measure of each evaluation against the threshold into FILE (.svg, .png or
    /// .html), as the portal's rule preview shows it.
    #[arg(long, value_name = "FILE")]
    chart: Option<PathBuf>,
}

pub(crate) fn run(command: &AlertCommand) -> u8 {
    match command {
        AlertCommand::List => list(),
        AlertCommand::Run(args) => with_session(&args.common, |s| s.run_once(args)),
        AlertCommand::Replay(args) => with_session(&args.common, |s| s.replay(args)),
    }
}

fn list() -> u8 {
    for (n, (name, what, _)) in builtin::PACK.iter().enumerate() {
        if n > 0 {
            out!("");
        }
        let rule = match builtin::rule(name) {
            Some(Ok(r)) => r,
            _ => continue,
        };
        out!("builtin:{name}  ({})", rule.name);
        out!("  {what}");
        out!("  {}", describe(&rule));
        for line in rule.query.text.trim_end().lines() {
            out!("    {line}");
        }
    }
    0
}

/// `every PT1H over PT1H, per JobId: rows > 50`.
fn describe(rule: &Rule) -> String {
    let (range, frequency) = schedule(rule);
    let every = format!(
        "every {} over {}",
        duration::format_iso(frequency),
        duration::format_iso(range)
    );
    match &rule.kind {
        RuleKind::AzureMonitor(a) => {
            let split = if a.dimensions.is_empty() {
                String::new()
            } else {
                let names: Vec<&str> = a.dimensions.iter().map(|d| d.column.as_str()).collect();
                format!(", per {}", names.join(", "))
            };
            let periods = if a.periods > 1 {
                format!(", {} of {} periods", a.min_failing, a.periods)
            } else {
                String::new()
            };
            format!(
                "Azure Monitor, {every}{split}: {} {} {}{periods}{}",
                measure_name(a),
                a.operator.symbol(),
                a.threshold,
                if a.auto_mitigate { "" } else { ", stateless" }
            )
        }
        RuleKind::Sentinel(s) => format!(
            "Sentinel, {every}: rows {} {}{}",
            s.operator.symbol(),
            s.threshold,
            if s.alert_per_result {
                ", an alert per row"
            } else {
                ""
            }
        ),
        RuleKind::Defender(_) => format!("Defender, {every}: every row is an alert"),
    }
}

fn measure_name(a: &AzureMonitor) -> String {
    match &a.measure_column {
        None => "rows".to_owned(),
        Some(c) => format!("{:?}({c})", a.aggregation).to_lowercase(),
    }
}

/// Rules loaded and their queries prepared over the attached data.
struct Session {
    ws: Workspace,
    runtime: tokio::runtime::Runtime,
    rules: Vec<(Rule, Prepared)>,
    format: AlertFormat,
    delay: i64,
    now: i64,
}

fn with_session(args: &RuleArgs, body: impl FnOnce(&Session) -> u8) -> u8 {
    let mut params = Params::new();
    for p in &args.params {
        let Some((k, v)) = p.split_once('=') else {
            eprintln!("error: --param `{p}`: expected NAME=VALUE");
            return crate::EXIT_USAGE;
        };
        params.insert(k.to_owned(), v.to_owned());
    }
    let delay = match &args.ingestion_delay {
        None => 0,
        Some(d) => match kql_common::timespan::parse_text(d) {
            Some(t) if t >= 0 => t,
            _ => {
                eprintln!("error: --ingestion-delay: `{d}` is not a timespan (e.g. 5m)");
                return crate::EXIT_USAGE;
            }
        },
    };
    let mut rules = Vec::new();
    for spec in &args.rules {
        match kql_alerts::load(spec, &params) {
            Ok(r) => rules.extend(r),
            Err(e) => {
                eprintln!("error: {e}");
                return EXIT_ERROR;
            }
        }
    }
    let Some(runtime) = crate::runtime() else {
        return EXIT_ERROR;
    };
    if delay > 0 {
        for rule in &rules {
            let (range, _) = schedule(rule);
            if delay >= range {
                eprintln!(
                    "warning: {}: an ingestion delay of {} is not shorter than the {} the rule reads: it sees no records at all",
                    rule.name,
                    duration::format_iso(delay),
                    duration::format_iso(range)
                );
            }
        }
    }
    let (ws, now) = match args.source.open() {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let mut prepared = Vec::new();
    let mut failed = false;
    for rule in rules {
        match ws.prepare(&rule.query.text, now) {
            Ok(p) => {
                if let Ok(parsed) = kql_parser::parse_query(&rule.query.text) {
                    for d in kql_alerts::lint::lint(&rule, &parsed, Some(p.schema())) {
                        let (line, column) = rule.query.locate(d.span.start as usize);
                        eprintln!(
                            "{}:{line}:{column}: warning[{}]: {}",
                            rule.origin.path.display(),
                            d.code.id,
                            d.message
                        );
                    }
                }
                prepared.push((rule, p));
            }
            Err(Error::Query(diags)) => {
                failed = true;
                for d in &diags.0 {
                    let (line, column) = rule.query.locate(d.span.start as usize);
                    eprintln!(
                        "{}:{line}:{column}: {}[{}]: {}",
                        rule.origin.path.display(),
                        d.severity.as_str(),
                        d.code.id,
                        d.message
                    );
                }
            }
            Err(e) => return data_error(&e),
        }
    }
    if failed {
        return EXIT_ERROR;
    }
    body(&Session {
        ws,
        runtime,
        rules: prepared,
        format: args.format,
        delay,
        now,
    })
}

fn threshold_of(rule: &Rule) -> f64 {
    match &rule.kind {
        // A legacy metric rule's measure is its count of breaches.
        RuleKind::AzureMonitor(a) if a.legacy_metric.is_some() => {
            a.legacy_metric.as_ref().map_or(a.threshold, |m| m.breaches)
        }
        RuleKind::AzureMonitor(a) => a.threshold,
        RuleKind::Sentinel(s) => s.threshold,
        RuleKind::Defender(_) => 0.0,
    }
}

fn dims_text(m: &SeriesMeasure) -> String {
    let parts: Vec<String> = m
        .dimensions
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    parts.join(", ")
}

fn json_line(rule: &Rule, at: i64, m: &SeriesMeasure, event: Option<Event>) -> String {
    let dims: serde_json::Map<String, serde_json::Value> = m
        .dimensions
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    let mut line = json!({
        "rule": rule.name,
        "time": format_datetime(at),
        "fired": m.met,
        "value": m.value,
        "threshold": threshold_of(rule),
        "dimensions": dims,
    });
    if let Some(e) = event {
        line["event"] = json!(e.name());
    }
    line.to_string()
}

fn datetime_arg(flag: &str, text: &Option<String>) -> Result<Option<i64>, u8> {
    match text {
        None => Ok(None),
        Some(t) => parse_datetime(t).map(Some).ok_or_else(|| {
            eprintln!("error: {flag}: `{t}` is not a datetime (ISO 8601)");
            crate::EXIT_USAGE
        }),
    }
}

impl Session {
    fn run_once(&self, args: &RunArgs) -> u8 {
        let at = match datetime_arg("--at", &args.at) {
            Ok(t) => t.unwrap_or(self.now),
            Err(code) => return code,
        };
        let mut fired = false;
        // Lookback: an evaluation whose range starts before the data does sees less than the
        // service would.
        let span = match self.data_span() {
            Ok(s) => s,
            Err(code) => return code,
        };
        for (rule, prepared) in &self.rules {
            let (range, _) = schedule(rule);
            if let Some((first, last)) = span {
                if at - range < first {
                    eprintln!(
                        "warning: {}: it reads back {} from {}, but the data starts at {}: the evaluation sees less than the service would",
                        rule.name,
                        duration::format_iso(range),
                        format_datetime(at),
                        format_datetime(first)
                    );
                } else if at - range > last {
                    eprintln!(
                        "warning: {}: the data ends at {}, before the range it reads at {}",
                        rule.name,
                        format_datetime(last),
                        format_datetime(at)
                    );
                }
            }
            let evaluation = match self
                .runtime
                .block_on(evaluate(&self.ws, rule, prepared, at, self.delay))
            {
                Ok(e) => e,
                Err(e) => return self.failed(rule, &e),
            };
            let firing: Vec<&SeriesMeasure> = evaluation.series.iter().filter(|m| m.met).collect();
            fired |= !firing.is_empty();
            match self.format {
                AlertFormat::Json => {
                    for m in &evaluation.series {
                        out!("{}", json_line(rule, at, m, None));
                    }
                }
                AlertFormat::Text => {
                    let when = format_datetime(at);
                    if firing.is_empty() {
                        let value = evaluation
                            .series
                            .iter()
                            .filter_map(|m| m.value)
                            .fold(None, |a: Option<f64>, v| Some(a.map_or(v, |a| a.max(v))));
                        out!(
                            "{}: does not fire at {when} ({}; {})",
                            rule.name,
                            describe(rule),
                            value.map_or("no rows".to_owned(), |v| format!("highest measure {v}"))
                        );
                    } else {
                        out!("{}: FIRES at {when} ({})", rule.name, describe(rule));
                        for m in firing {
                            let dims = dims_text(m);
                            out!(
                                "  {}{}",
                                m.value
                                    .map_or("no value".to_owned(), |v| format!("measure {v}")),
                                if dims.is_empty() {
                                    String::new()
                                } else {
                                    format!(" for {dims}")
                                }
                            );
                        }
                    }
                }
            }
        }
        if fired { EXIT_FIRED } else { 0 }
    }

    fn failed(&self, rule: &Rule, e: &Error) -> u8 {
        match e {
            Error::Query(diags) => {
                for d in &diags.0 {
                    eprintln!("error: {}: {}", rule.origin.path.display(), d.message);
                }
                EXIT_ERROR
            }
            e => {
                data_error(e);
                EXIT_ERROR
            }
        }
    }

    /// The first and last `TimeGenerated` of the data (none: no records); the error is the
    /// exit code, its reason printed.
    fn data_span(&self) -> Result<Option<(i64, i64)>, u8> {
        let q =
            "AADProvisioningLogs | summarize First = min(TimeGenerated), Last = max(TimeGenerated)";
        let result = match self.runtime.block_on(self.ws.query(q, self.now)) {
            Ok(r) => r,
            Err(Error::Query(d)) => {
                for d in &d.0 {
                    eprintln!("error: the data's time span: {}", d.message);
                }
                return Err(EXIT_ERROR);
            }
            Err(e) => {
                data_error(&e);
                return Err(EXIT_ERROR);
            }
        };
        let rows = crate::json_rows::rows(&result).map_err(|e| {
            eprintln!("error: {e}");
            EXIT_ERROR
        })?;
        let Some(row) = rows.first() else {
            return Ok(None);
        };
        let t = |k: &str| row[k].as_str().and_then(parse_datetime);
        Ok(t("First").zip(t("Last")))
    }

    fn replay(&self, args: &ReplayArgs) -> u8 {
        let (from, to) = match (
            datetime_arg("--from", &args.from),
            datetime_arg("--to", &args.to),
        ) {
            (Ok(f), Ok(t)) => (f, t),
            (Err(code), _) | (_, Err(code)) => return code,
        };
        let span = match self.data_span() {
            Ok(s) => s,
            Err(code) => return code,
        };
        if let Some(path) = &args.chart
            && crate::chart_file::file_kind(path, "--chart").is_err()
        {
            return crate::EXIT_USAGE;
        }
        let mut any_fired = false;
        // (time, series, measure, threshold) of every evaluation, for --chart.
        let mut points: Vec<(i64, String, f64, f64)> = Vec::new();
        for (rule, prepared) in &self.rules {
            let (range, frequency) = schedule(rule);
            let (Some(first), Some(last)) = (
                from.or(span.map(|s| s.0)),
                to.or(span.map(|s| s.1 + frequency)),
            ) else {
                eprintln!("error: no records to replay over: give --from and --to");
                return EXIT_ERROR;
            };
            let times = instants(first, last, frequency);
            if times.is_empty() {
                eprintln!(
                    "error: {}: no evaluation time between {} and {} (every {})",
                    rule.name,
                    format_datetime(first),
                    format_datetime(last),
                    duration::format_iso(frequency)
                );
                return EXIT_ERROR;
            }
            if let (Some(t0), Some((data_first, _))) = (times.first(), span)
                && t0 - range < data_first
            {
                let short = times.iter().filter(|t| *t - range < data_first).count();
                let which = if short == 1 {
                    "the first evaluation reads back {} and sees".to_owned()
                } else {
                    format!("the first {short} evaluations read back {{}} and see")
                }
                .replace("{}", &duration::format_iso(range));
                eprintln!(
                    "warning: {}: the data starts at {}, and {which} less than a full range",
                    rule.name,
                    format_datetime(data_first),
                );
            }
            let (mut notifications, mut resolved, mut muted) = (0u64, 0u64, 0u64);
            if matches!(self.format, AlertFormat::Text) {
                out!(
                    "{} ({}): {} evaluations from {} to {}",
                    rule.name,
                    describe(rule),
                    times.len(),
                    times.first().map_or(String::new(), |t| format_datetime(*t)),
                    times.last().map_or(String::new(), |t| format_datetime(*t)),
                );
            }
            let steps = match self
                .runtime
                .block_on(replay(&self.ws, rule, prepared, &times, self.delay))
            {
                Ok(s) => s,
                Err(e) => return self.failed(rule, &e),
            };
            for step in &steps {
                if let Some(v) = step.measure.value {
                    let dims = dims_text(&step.measure);
                    // A single dimension is named by its value alone.
                    let dims = match step.measure.dimensions.as_slice() {
                        [(_, value)] => value.clone(),
                        _ => dims,
                    };
                    let series = if self.rules.len() > 1 && !dims.is_empty() {
                        format!("{}: {dims}", rule.name)
                    } else if dims.is_empty() {
                        rule.name.clone()
                    } else {
                        dims
                    };
                    points.push((step.at, series, v, threshold_of(rule)));
                }
                match step.event {
                    Event::Fired => notifications += step.measure.alerts.max(1),
                    Event::Resolved => resolved += 1,
                    Event::Muted => muted += 1,
                    Event::Quiet | Event::StillFiring => {}
                }
                match self.format {
                    AlertFormat::Json => {
                        out!(
                            "{}",
                            json_line(rule, step.at, &step.measure, Some(step.event))
                        );
                    }
                    AlertFormat::Text => {
                        if matches!(step.event, Event::Fired | Event::Resolved | Event::Muted) {
                            let dims = dims_text(&step.measure);
                            out!(
                                "  {}  {:<8}  {}{}",
                                format_datetime(step.at),
                                step.event.name(),
                                step.measure
                                    .value
                                    .map_or("no rows".to_owned(), |v| format!("measure {v}")),
                                if dims.is_empty() {
                                    String::new()
                                } else {
                                    format!("  {dims}")
                                }
                            );
                        }
                    }
                }
            }
            any_fired |= notifications > 0;
            if matches!(self.format, AlertFormat::Text) {
                out!(
                    "  {notifications} notifications, {resolved} resolved{}",
                    if muted > 0 {
                        format!(", {muted} muted")
                    } else {
                        String::new()
                    }
                );
            }
        }
        if let Some(path) = &args.chart {
            let code = self.chart(path, &points);
            if code != 0 {
                return code;
            }
        }
        if any_fired { EXIT_FIRED } else { 0 }
    }

    /// The replay's measures against their thresholds as a time chart in `path`, drawn by the
    /// same renderer as `render timechart` (the points go through a `datatable`).
    fn chart(&self, path: &std::path::Path, points: &[(i64, String, f64, f64)]) -> u8 {
        if points.is_empty() {
            eprintln!("warning: --chart: no evaluation had a measure to draw");
            return 0;
        }
        // One line per series, and the threshold once per rule (the same for all its series).
        let mut rows: Vec<String> = Vec::new();
        let mut thresholds: Vec<(i64, f64)> = Vec::new();
        for (at, series, v, threshold) in points {
            rows.push(format!(
                "datetime({}), {}, real({v})",
                format_datetime(*at),
                kql_parser::syntax::string_literal(series)
            ));
            if !thresholds.contains(&(*at, *threshold)) {
                thresholds.push((*at, *threshold));
            }
        }
        for (at, threshold) in &thresholds {
            rows.push(format!(
                "datetime({}), {}, real({threshold})",
                format_datetime(*at),
                kql_parser::syntax::string_literal(&format!("threshold {threshold}"))
            ));
        }
        let title = if self.rules.len() == 1 {
            format!("{}: measure and threshold", self.rules[0].0.name)
        } else {
            "Measures and thresholds".to_owned()
        };
        let text = format!(
            "datatable(Time: datetime, Series: string, Measure: real) [\n{}\n]\n\
             | render timechart with (title={}, series=Series, ytitle='measure')",
            rows.join(",\n"),
            kql_parser::syntax::string_literal(&title)
        );
        match self.runtime.block_on(self.ws.query(&text, self.now)) {
            Ok(result) => {
                let kept = crate::query::Kept {
                    schema: result.schema,
                    render: result.render,
                    batches: result.batches,
                };
                crate::chart_file::write(path, &kept, "--chart").0
            }
            Err(e) => {
                eprintln!("error: --chart: {e}");
                EXIT_ERROR
            }
        }
    }
}
