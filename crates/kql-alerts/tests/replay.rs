//! Rules replayed over data: the failure-spike rule in every format fires at the planted burst
//! of the demo week; a 2-of-3 failing-periods rule and a rule split per job fire and resolve
//! at the times worked out by hand from a small fixture.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kql_alerts::evaluate::schedule;
use kql_alerts::replay::{Event, Step, instants, replay};
use kql_alerts::{Params, Rule};
use kql_common::time::{format_datetime, parse_datetime};
use kql_workspace::{AAD_PROVISIONING_LOGS, AttachOptions, Silent, Source, Workspace};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn workspace(source: Source) -> Workspace {
    let ws = Workspace::new();
    ws.attach(
        AAD_PROVISIONING_LOGS,
        source,
        AttachOptions::default(),
        Arc::new(Silent),
    )
    .expect("attaches");
    ws
}

fn t(text: &str) -> i64 {
    parse_datetime(text).expect("a datetime")
}

/// Replays `rule` at every evaluation time from `from` to `to`.
fn run(ws: &Workspace, rule: &Rule, from: i64, to: i64) -> Vec<Step> {
    let prepared = ws.prepare(&rule.query.text, to).expect("the query plans");
    let (_, frequency) = schedule(rule);
    let times = instants(from, to, frequency);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(replay(ws, rule, &prepared, &times, 0))
        .expect("replays")
}

/// `(time, event, dimension values)` of the steps that fired or resolved.
fn timeline(steps: &[Step]) -> Vec<(String, &'static str, String)> {
    steps
        .iter()
        .filter(|s| matches!(s.event, Event::Fired | Event::Resolved))
        .map(|s| {
            let dims: Vec<&str> = s
                .measure
                .dimensions
                .iter()
                .map(|(_, v)| v.as_str())
                .collect();
            (format_datetime(s.at), s.event.name(), dims.join(","))
        })
        .collect()
}

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/rules")
}

#[test]
fn the_failure_spike_fires_at_the_planted_burst_in_every_format() {
    let ws = workspace(Source::Demo);
    let (from, to) = (kql_workspace::DEMO_START, kql_workspace::DEMO_END);
    // The demo week plants one burst: ServiceNow fails over 500 times from 16:00 to 17:00 on
    // 2026-11-22 (hour 112 of the week, two thirds in); no other hour of any job passes 50.
    let burst_end = "2026-11-22T17:00:00Z";
    let files = [
        "failure-spike.arm.json",
        "failure-spike.bicep",
        "failure-spike.sentinel.yaml",
        "failure-spike.defender.json",
        "failure-spike.toml",
        "failure-spike.kql",
    ];
    for file in files {
        let rules = kql_alerts::formats::read(&examples().join(file), &Params::new())
            .unwrap_or_else(|e| unreachable!("{file}: {e}"));
        assert_eq!(rules.len(), 1, "{file}");
        let steps = run(&ws, &rules[0], from, to);
        let fired: Vec<String> = steps
            .iter()
            .filter(|s| s.event == Event::Fired)
            .map(|s| format_datetime(s.at))
            .collect();
        assert_eq!(fired, vec![burst_end.to_owned()], "{file}");
    }
    // The built-in rule is the same rule.
    let builtin = kql_alerts::load("builtin:failure-spike", &Params::new()).unwrap();
    let steps = run(&ws, &builtin[0], from, to);
    let line = timeline(&steps);
    assert_eq!(line.len(), 2, "{line:?}");
    assert_eq!((line[0].0.as_str(), line[0].1), (burst_end, "fired"));
    // Stateful: it resolves at the next evaluation, when the hour is quiet again.
    assert_eq!(
        (line[1].0.as_str(), line[1].1),
        ("2026-11-22T18:00:00Z", "resolved")
    );
    assert!(
        line[0].2.starts_with("scim."),
        "the ServiceNow job: {line:?}"
    );
}

#[test]
fn every_example_rule_reads_and_each_family_agrees_across_formats() {
    let ws = workspace(Source::Demo);
    // The failure spike is replayed over the whole week above; here twelve hours keep the
    // debug build's test time short (the rules hold the same way in every hour).
    let from = kql_workspace::DEMO_START;
    let to = from + 12 * 3_600 * 10_000_000;
    for family in ["failure-spike", "no-activity", "quarantine-risk"] {
        let mut timelines = Vec::new();
        for ext in [
            "arm.json",
            "bicep",
            "sentinel.yaml",
            "defender.json",
            "toml",
            "kql",
        ] {
            let file = examples().join(format!("{family}.{ext}"));
            let rules = kql_alerts::formats::read(&file, &Params::new())
                .unwrap_or_else(|e| unreachable!("{}: {e}", file.display()));
            let fired: Vec<i64> = run(&ws, &rules[0], from, to)
                .iter()
                .filter(|s| s.event == Event::Fired)
                .map(|s| s.at)
                .collect();
            timelines.push((ext, fired));
        }
        let first = timelines[0].1.clone();
        for (ext, fired) in &timelines {
            assert_eq!(fired, &first, "{family}.{ext}");
        }
    }
}

/// Failures of two jobs, by the minute: `(time, job)`.
const FAILURES: &[(&str, &str)] = &[
    // 00:00-01:00: A fails 3 times, B once.
    ("2026-11-01T00:10:00Z", "A"),
    ("2026-11-01T00:20:00Z", "A"),
    ("2026-11-01T00:30:00Z", "A"),
    ("2026-11-01T00:40:00Z", "B"),
    // 01:00-02:00: A once, B 3 times.
    ("2026-11-01T01:10:00Z", "A"),
    ("2026-11-01T01:15:00Z", "B"),
    ("2026-11-01T01:25:00Z", "B"),
    ("2026-11-01T01:35:00Z", "B"),
    // 02:00-03:00: A 3 times.
    ("2026-11-01T02:05:00Z", "A"),
    ("2026-11-01T02:15:00Z", "A"),
    ("2026-11-01T02:25:00Z", "A"),
    // 03:00-04:00: nothing. 04:00-05:00: A 3 times.
    ("2026-11-01T04:05:00Z", "A"),
    ("2026-11-01T04:10:00Z", "A"),
    ("2026-11-01T04:15:00Z", "A"),
];

fn fixture(dir: &str) -> Workspace {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(dir);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("failures.json");
    let rows: Vec<String> = FAILURES
        .iter()
        .map(|(time, job)| {
            serde_json::json!({"TimeGenerated": time, "JobId": job, "ResultType": "Failure"})
                .to_string()
        })
        .collect();
    std::fs::write(&path, rows.join("\n") + "\n").unwrap();
    workspace(Source::Exports(vec![path]))
}

fn toml_rule(text: &str) -> Rule {
    kql_alerts::formats::parse(Path::new("rule.toml"), text, &Params::new())
        .unwrap()
        .remove(0)
}

#[test]
fn two_of_three_failing_periods_fire_and_resolve_as_worked_out_by_hand() {
    let ws = fixture("alerts-periods");
    // Every hour, over 3 one-hour periods (a 3 h range); a period fails with more than 2
    // failures; the rule fires when 2 of the 3 periods fail. No split: both jobs count.
    let rule = toml_rule(
        "frequency = '1h'\nwindow = '1h'\nperiods = 3\nmin_failing = 2\noperator = '>'\nthreshold = 2\n\
         query = '''\nAADProvisioningLogs | where ResultType == 'Failure' | project TimeGenerated, JobId\n'''\n",
    );
    // Failures per hour (both jobs): 00h 4, 01h 4, 02h 3, 03h 0, 04h 3.
    // At 01:00 the periods are [00h, 23h, 22h]: 4, 0, 0 -> 1 failing: quiet.
    // At 02:00: [01h, 00h, 23h] = 4, 4, 0 -> 2 failing: FIRES.
    // At 03:00: [02h, 01h, 00h] = 3, 4, 4 -> 3 failing: still firing.
    // At 04:00: [03h, 02h, 01h] = 0, 3, 4 -> 2 failing: still firing.
    // At 05:00: [04h, 03h, 02h] = 3, 0, 3 -> 2 failing: still firing.
    // At 06:00: [05h, 04h, 03h] = 0, 3, 0 -> 1 failing: RESOLVED.
    // At 07:00: [06h, 05h, 04h] = 0, 0, 3 -> 1: quiet.
    let steps = run(
        &ws,
        &rule,
        t("2026-11-01T01:00:00Z"),
        t("2026-11-01T07:00:00Z"),
    );
    assert_eq!(
        timeline(&steps),
        vec![
            ("2026-11-01T02:00:00Z".to_owned(), "fired", String::new()),
            ("2026-11-01T06:00:00Z".to_owned(), "resolved", String::new()),
        ]
    );
    let failing: Vec<u32> = steps.iter().map(|s| s.measure.failing).collect();
    assert_eq!(failing, vec![1, 2, 3, 2, 2, 1, 1]);
}

#[test]
fn a_rule_split_per_job_fires_and_resolves_each_job_on_its_own() {
    let ws = fixture("alerts-split");
    // Every hour over the last hour, per JobId: more than 2 failures fires.
    let rule = toml_rule(
        "frequency = '1h'\nwindow = '1h'\ndimensions = ['JobId']\noperator = '>'\nthreshold = 2\n\
         query = '''\nAADProvisioningLogs | where ResultType == 'Failure' | project TimeGenerated, JobId\n'''\n",
    );
    // At 01:00 the window is 00h: A 3 (fires), B 1.
    // At 02:00, 01h: A 1 (resolves), B 3 (fires).
    // At 03:00, 02h: A 3 (fires again), B has no rows: its series is gone (resolves).
    // At 04:00, 03h: no rows at all: A resolves.
    // At 05:00, 04h: A 3 (fires).
    let steps = run(
        &ws,
        &rule,
        t("2026-11-01T01:00:00Z"),
        t("2026-11-01T05:00:00Z"),
    );
    let fired_or_resolved: Vec<(String, &str, String)> = timeline(&steps);
    let expected = [
        ("01:00", "fired", "A"),
        ("02:00", "resolved", "A"),
        ("02:00", "fired", "B"),
        ("03:00", "fired", "A"),
        ("03:00", "resolved", "B"),
        ("04:00", "resolved", "A"),
        ("05:00", "fired", "A"),
    ];
    let expected: Vec<(String, &str, String)> = expected
        .iter()
        .map(|(h, e, j)| (format!("2026-11-01T{h}:00Z"), *e, (*j).to_owned()))
        .collect();
    let mut got = fired_or_resolved;
    got.sort();
    let mut want = expected;
    want.sort();
    assert_eq!(got, want);
}

#[test]
fn an_ingestion_delay_hides_late_rows_from_the_window() {
    let ws = fixture("alerts-delay");
    let rule = toml_rule(
        "frequency = '1h'\nwindow = '1h'\noperator = '>'\nthreshold = 2\n\
         query = '''\nAADProvisioningLogs | where ResultType == 'Failure'\n'''\n",
    );
    let prepared = ws.prepare(&rule.query.text, 0).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let at = t("2026-11-01T01:00:00Z");
    let on_time = runtime
        .block_on(kql_alerts::evaluate::evaluate(&ws, &rule, &prepared, at, 0))
        .unwrap();
    assert_eq!(on_time.series[0].value, Some(4.0));
    // With 25 minutes of delay, rows after 00:35 are not in yet: 00:10, 00:20, 00:30.
    let delay = 25 * 60 * 10_000_000;
    let late = runtime
        .block_on(kql_alerts::evaluate::evaluate(
            &ws, &rule, &prepared, at, delay,
        ))
        .unwrap();
    assert_eq!(late.series[0].value, Some(3.0));
}

#[test]
fn a_legacy_metric_measurement_rule_counts_breaches_per_metric_column() {
    let ws = fixture("alerts-legacy");
    let template = |kind: &str| {
        format!(
            r#"{{"resources": [{{"type": "Microsoft.Insights/scheduledQueryRules", "apiVersion": "2018-04-16",
              "properties": {{"enabled": "true",
                "source": {{"query": "AADProvisioningLogs | where ResultType == 'Failure' | summarize AggregatedValue = count() by bin(TimeGenerated, 1h), JobId", "queryType": "ResultCount"}},
                "schedule": {{"frequencyInMinutes": 60, "timeWindowInMinutes": 300}},
                "action": {{"trigger": {{"thresholdOperator": "GreaterThan", "threshold": 2,
                  "metricTrigger": {{"thresholdOperator": "GreaterThan", "threshold": 1, "metricTriggerType": "{kind}", "metricColumn": "JobId"}}}}}}}}}}]}}"#
        )
    };
    let at = t("2026-11-01T05:00:00Z");
    let measure = |kind: &str| {
        let rule =
            kql_alerts::formats::parse(Path::new("legacy.json"), &template(kind), &Params::new())
                .unwrap()
                .remove(0);
        let prepared = ws.prepare(&rule.query.text, at).unwrap();
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let e = runtime
            .block_on(kql_alerts::evaluate::evaluate(&ws, &rule, &prepared, at, 0))
            .unwrap();
        let mut got: Vec<(String, f64, bool)> = e
            .series
            .iter()
            .map(|m| (m.dimensions[0].1.clone(), m.value.unwrap(), m.met))
            .collect();
        got.sort_by(|a, b| a.0.cmp(&b.0));
        got
    };
    // Window 00:00-05:00. Failures per hour: A 3, 1, 3, -, 3 (00h, 01h, 02h, 04h); B 1, 3.
    // A bin breaches with more than 2: A breaches at 00h, 02h, 04h (3 in all); B at 01h (1).
    // Total: A 3 > 1 fires, B 1 > 1 does not.
    assert_eq!(
        measure("Total"),
        vec![("A".into(), 3.0, true), ("B".into(), 1.0, false)]
    );
    // Consecutive, over A's bins in time order (00h yes, 01h no, 02h yes, 04h yes): a run of 2.
    assert_eq!(
        measure("Consecutive"),
        vec![("A".into(), 2.0, true), ("B".into(), 1.0, false)]
    );
}
