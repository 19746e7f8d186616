//! `kqlite alert` and `kqlite check` on rule files, through the real binary: exit codes, the
//! replayed timeline, JSON lines, and diagnostics that point into the rule file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::{Path, PathBuf};

use common::{kqlite, scratch, text};

fn rules() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/rules")
}

#[test]
fn run_exits_1_when_a_rule_fires_and_0_when_none_does() {
    let fires = kqlite(&[
        "alert",
        "run",
        "builtin:failure-spike",
        "--at",
        "2026-11-22T17:00:00Z",
    ]);
    assert_eq!(fires.status.code(), Some(1), "{}", text(&fires.stderr));
    let out = text(&fires.stdout);
    assert!(
        out.starts_with("Provisioning failure spike: FIRES at 2026-11-22T17:00:00Z"),
        "{out}"
    );
    assert!(out.contains("measure 500 for JobId=scim."), "{out}");
    let quiet = kqlite(&["alert", "run", "builtin:failure-spike"]);
    assert_eq!(quiet.status.code(), Some(0), "{}", text(&quiet.stderr));
    assert!(text(&quiet.stdout).contains("does not fire"));
}

#[test]
fn replay_prints_the_timeline_and_json_lines() {
    let rule = rules().join("failure-spike.arm.json");
    let o = kqlite(&["alert", "replay", rule.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains("168 evaluations from 2026-11-18T01:00:00Z to 2026-11-25T00:00:00Z"),
        "{out}"
    );
    assert!(
        out.contains("2026-11-22T17:00:00Z  fired     measure 500"),
        "{out}"
    );
    assert!(out.contains("2026-11-22T18:00:00Z  resolved"), "{out}");
    assert!(out.contains("1 notifications, 1 resolved"), "{out}");

    let o = kqlite(&[
        "alert",
        "replay",
        rule.to_str().unwrap(),
        "--format",
        "json",
        "--from",
        "2026-11-22T16:00:00Z",
        "--to",
        "2026-11-22T18:00:00Z",
    ]);
    let lines: Vec<serde_json::Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let fired: Vec<&serde_json::Value> = lines.iter().filter(|l| l["fired"] == true).collect();
    assert_eq!(fired.len(), 1, "{lines:?}");
    assert_eq!(fired[0]["time"], "2026-11-22T17:00:00Z");
    assert_eq!(fired[0]["value"], 500.0);
    assert_eq!(fired[0]["threshold"], 50.0);
    assert_eq!(fired[0]["event"], "fired");
    assert!(
        fired[0]["dimensions"]["JobId"]
            .as_str()
            .unwrap()
            .starts_with("scim.")
    );
}

#[test]
fn list_shows_the_pack_with_its_kql() {
    let o = kqlite(&["alert", "list"]);
    assert_eq!(o.status.code(), Some(0));
    let out = text(&o.stdout);
    for name in [
        "failure-spike",
        "no-activity",
        "job-silent",
        "quarantine-risk",
    ] {
        assert!(out.contains(&format!("builtin:{name}")), "{out}");
    }
    assert!(out.contains("| where ResultType == \"Failure\""), "{out}");
}

#[test]
fn bad_rules_are_errors_with_their_place() {
    let dir = scratch("alert-bad-rules");
    let toml = dir.join("bad.toml");
    std::fs::write(&toml, "query = 'T'\nfrequency = 'soon'\nwindow = '1h'\n").unwrap();
    let o = kqlite(&["alert", "run", toml.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("`frequency`: `soon` is not a duration"),
        "{}",
        text(&o.stderr)
    );
    let o = kqlite(&["alert", "run", "builtin:nothing"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("no built-in rule `nothing`"));
    // A query error points into the rule file.
    let yaml = dir.join("typo.yaml");
    let spike = std::fs::read_to_string(rules().join("failure-spike.sentinel.yaml")).unwrap();
    std::fs::write(
        &yaml,
        spike.replace("| where ResultType", "| wher ResultType"),
    )
    .unwrap();
    let o = kqlite(&["alert", "run", yaml.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("typo.yaml:19:5: error[KP003]"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn check_reports_a_rule_query_at_its_place_in_the_rule_file() {
    let dir = scratch("check-rules");
    let bad = "| where tostring(SourceIdentity.Id) == \"x\"";
    let yaml = std::fs::read_to_string(rules().join("failure-spike.sentinel.yaml")).unwrap();
    std::fs::write(
        dir.join("bad.yaml"),
        yaml.replace("| where ResultType == \"Failure\"", bad),
    )
    .unwrap();
    let arm = std::fs::read_to_string(rules().join("failure-spike.arm.json")).unwrap();
    std::fs::write(
        dir.join("bad.json"),
        arm.replace(
            "| where ResultType == \\\"Failure\\\"",
            &bad.replace('"', "\\\""),
        ),
    )
    .unwrap();
    let toml = std::fs::read_to_string(rules().join("failure-spike.toml")).unwrap();
    std::fs::write(
        dir.join("bad.toml"),
        toml.replace("| where ResultType == \"Failure\"", bad),
    )
    .unwrap();
    let bicep = std::fs::read_to_string(rules().join("failure-spike.bicep")).unwrap();
    std::fs::write(
        dir.join("bad.bicep"),
        bicep.replace("| where ResultType == \"Failure\"", bad),
    )
    .unwrap();
    // Other JSON in the folder is passed over.
    std::fs::write(dir.join("package.json"), "{\"name\": \"x\"}").unwrap();
    let o = kqlite(&["check", "--format", "json", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let found: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let places: Vec<(String, u64, u64, String)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap();
            (
                Path::new(file)
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // `SourceIdentity` on the line and column where it is written in each file.
    let col = |source: &str, line: usize| {
        source
            .lines()
            .nth(line - 1)
            .unwrap()
            .find("SourceIdentity")
            .unwrap() as u64
            + 1
    };
    let yaml = std::fs::read_to_string(dir.join("bad.yaml")).unwrap();
    let arm = std::fs::read_to_string(dir.join("bad.json")).unwrap();
    let toml = std::fs::read_to_string(dir.join("bad.toml")).unwrap();
    let bicep = std::fs::read_to_string(dir.join("bad.bicep")).unwrap();
    let line_of = |source: &str| {
        source
            .lines()
            .position(|l| l.contains("SourceIdentity"))
            .unwrap()
            + 1
    };
    assert_eq!(
        places,
        vec![
            (
                "bad.bicep".into(),
                line_of(&bicep) as u64,
                col(&bicep, line_of(&bicep)),
                "KS007".into()
            ),
            (
                "bad.json".into(),
                line_of(&arm) as u64,
                col(&arm, line_of(&arm)),
                "KS007".into()
            ),
            (
                "bad.toml".into(),
                line_of(&toml) as u64,
                col(&toml, line_of(&toml)),
                "KS007".into()
            ),
            (
                "bad.yaml".into(),
                line_of(&yaml) as u64,
                col(&yaml, line_of(&yaml)),
                "KS007".into()
            ),
        ]
    );
    // The human form shows the rule file's own line under the caret.
    let o = kqlite(&["check", dir.join("bad.json").to_str().unwrap()]);
    assert!(
        text(&o.stdout)
            .contains("\"query\": \"AADProvisioningLogs\\n| where tostring(SourceIdentity.Id)"),
        "{}",
        text(&o.stdout)
    );
    assert!(
        text(&o.stdout).contains("checked 1 file"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn check_warns_of_log_alert_restrictions_and_can_fail_on_them() {
    let dir = scratch("check-rule-lints");
    let rule = dir.join("counts.toml");
    std::fs::write(
        &rule,
        "frequency = '1h'\nwindow = '1h'\noperator = '>'\nthreshold = 50\nquery = '''\nAADProvisioningLogs\n| where ResultType == 'Failure'\n| count\n'''\n",
    )
    .unwrap();
    let o = kqlite(&["check", rule.to_str().unwrap()]);
    let out = text(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "a warning alone passes: {out}");
    assert!(out.contains("warning[KA001]"), "{out}");
    assert!(
        out.contains("counts.toml:8:3"),
        "at `count` on line 8: {out}"
    );
    let o = kqlite(&["check", "--warnings-as-errors", rule.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    // alert run says it too, on stderr, before evaluating.
    let o = kqlite(&["alert", "run", rule.to_str().unwrap()]);
    assert!(
        text(&o.stderr).contains("counts.toml:8:3: warning[KA001]"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn test_runs_the_example_tests_and_fails_on_a_wrong_expectation() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/tests");
    let o = kqlite(&["test", examples.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert!(
        text(&o.stdout).ends_with("13 tests: 13 passed, 0 failed\n"),
        "{}",
        text(&o.stdout)
    );

    let dir = scratch("rule-tests");
    std::fs::copy(
        examples.join("fixtures/burst.ndjson"),
        dir.join("burst.ndjson"),
    )
    .unwrap();
    let rule = rules().join("failure-spike.toml");
    std::fs::write(
        dir.join("wrong.test.toml"),
        format!(
            "[[test]]\nname = 'says no fire, but it fires'\nrule = '{}'\ndata = ['burst.ndjson']\nat = '2026-11-02T11:00:00Z'\nexpect = 'no-fire'\n\n\
             [[test]]\nname = 'miscounts'\nquery = 'AADProvisioningLogs | count'\ndata = ['burst.ndjson']\nexpect_rows = [{{ Count = 1 }}]\n",
            rule.display()
        ),
    )
    .unwrap();
    let o = kqlite(&["test", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(
        out.contains("FAIL  ") && out.contains("says no fire, but it fires"),
        "{out}"
    );
    assert!(
        out.contains("expected no fire at 2026-11-02T11:00:00Z, but it fired (measures: 60)"),
        "{out}"
    );
    assert!(out.contains("no row matches {\"Count\":1}"), "{out}");
    assert!(out.ends_with("2 tests: 0 passed, 2 failed\n"), "{out}");
    let o = kqlite(&["test", "--format", "junit", dir.to_str().unwrap()]);
    assert!(
        text(&o.stdout).contains("failures=\"2\""),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn replay_draws_the_measures_against_the_threshold() {
    let dir = scratch("replay-chart");
    let svg = dir.join("spike.svg");
    let o = kqlite(&[
        "alert",
        "replay",
        "builtin:failure-spike",
        "--chart",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let drawn = std::fs::read_to_string(&svg).expect("the chart is written");
    for label in [
        "Provisioning failure spike: measure and threshold",
        "threshold 50",
        "DropboxSCIMOutDelta.",
    ] {
        assert!(drawn.contains(label), "no {label} in the chart");
    }
    let odd = dir.join("spike.gif");
    let o = kqlite(&[
        "alert",
        "replay",
        "builtin:failure-spike",
        "--chart",
        odd.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

/// The rule files of `check_reports_a_rule_query_at_its_place_in_the_rule_file`, in every
/// report format, as snapshots (run in their folder, so the names are relative).
#[test]
fn check_reports_rule_files_in_every_format() {
    let dir = scratch("check-rules-formats");
    let bad = "| where tostring(SourceIdentity.Id) == \"x\"";
    let read = |name: &str| std::fs::read_to_string(rules().join(name)).unwrap();
    std::fs::write(
        dir.join("bad.yaml"),
        read("failure-spike.sentinel.yaml").replace("| where ResultType == \"Failure\"", bad),
    )
    .unwrap();
    std::fs::write(
        dir.join("bad.json"),
        read("failure-spike.arm.json").replace(
            "| where ResultType == \\\"Failure\\\"",
            &bad.replace('"', "\\\""),
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("bad.bicep"),
        read("failure-spike.bicep").replace("| where ResultType == \"Failure\"", bad),
    )
    .unwrap();
    for format in [
        "human", "concise", "json", "github", "azure", "sarif", "junit",
    ] {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_kqlite"))
            .args([
                "check",
                "--format",
                format,
                "bad.bicep",
                "bad.json",
                "bad.yaml",
            ])
            .current_dir(&dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{format}");
        insta::assert_snapshot!(format!("check_rule_files_{format}"), text(&o.stdout));
    }
}
