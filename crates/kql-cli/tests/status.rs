//! `kqlite status`: the portal's progress bar, quarantine included, read from the logs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{kqlite, scratch, text};
use serde_json::{Value, json};

fn status_json(args: &[&str]) -> Vec<Value> {
    let mut all = vec!["status", "--format", "json"];
    all.extend_from_slice(args);
    let out = kqlite(&all);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout)
        .expect("a JSON array")
        .as_array()
        .expect("an array")
        .clone()
}

fn count(query: &str) -> u64 {
    let out = kqlite(&["query", "--format", "json", query]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let rows: Value = serde_json::from_slice(&out.stdout).expect("JSON rows");
    rows[0]["Count"].as_u64().expect("a count")
}

#[test]
fn the_demo_week_shows_the_quarantine_the_generator_planted() {
    let jobs = status_json(&[]);
    assert_eq!(jobs.len(), 5, "five apps, one job each");
    for job in &jobs {
        assert_eq!(job["quarantined"], false, "{job}");
        assert_eq!(job["users"]["processed"], 240, "{job}");
        assert_eq!(job["groups"]["processed"], 8, "{job}");
        assert_eq!(job["last_cycle"]["kind"], "incremental", "{job}");
        let episodes = job["quarantine_episodes"].as_array().unwrap();
        if job["app"] != "Dropbox Business" {
            // The ServiceNow failure burst is a spike, not a quarantine: its cycles still succeed.
            assert!(episodes.is_empty(), "{job}");
            continue;
        }
        assert_eq!(episodes.len(), 1, "{job}");
        let e = &episodes[0];
        assert_eq!(e["reason"], "credentials_or_scim_compliance");
        assert_eq!(
            e["error_code"],
            "SystemForCrossDomainIdentityManagementUnauthorized"
        );
        // Planted: every Dropbox call fails from hour 56 to 62, then Dropbox is silent to hour 74.
        let from = e["from"].as_str().unwrap();
        let lifted = e["lifted"].as_str().unwrap();
        assert!(from.starts_with("2026-11-20T08:"), "{from}");
        assert!(lifted.starts_with("2026-11-21T02:"), "{lifted}");
        assert!(e["longest_silence_seconds"].as_u64().unwrap() >= 11 * 3600);
        // The episode's failures are the app's failures from its start to its lift.
        let failures = count(&format!(
            "AADProvisioningLogs | where ServicePrincipal has 'Dropbox' and ResultType == 'Failure' \
             | where TimeGenerated >= datetime({from}) and TimeGenerated < datetime({lifted}) | count"
        ));
        assert_eq!(e["failures"].as_u64(), Some(failures));
        assert!(failures > 100, "{failures}");
    }
}

#[test]
fn the_text_view_names_the_episode_and_the_kql_is_printed() {
    let out = kqlite(&["status", "--app", "Dropbox", "--kql"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("Dropbox Business\n"), "{stdout}");
    assert!(
        stdout.contains("Quarantine      no (1 episode in the data)"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "credentials or SCIM compliance (SystemForCrossDomainIdentityManagementUnauthorized)"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("ServiceNow"), "--app filters: {stdout}");
    assert!(
        text(&out.stderr).starts_with("AADProvisioningLogs\n| where tostring(parse_json(ServicePrincipal).Name) contains \"Dropbox\""),
        "{}",
        text(&out.stderr)
    );
}

/// Log Analytics rows of one job: `ok` cycles that succeed, then `failing` cycles in which every
/// call fails with `code`.
fn job_rows(ok: usize, failing: usize, code: &str) -> String {
    let mut lines = Vec::new();
    for cycle in 0..ok + failing {
        for n in 0..6 {
            let failed = cycle >= ok;
            lines.push(json!({
                "TimeGenerated": format!("2026-11-18T{:02}:{:02}:00Z", cycle, n * 5),
                "JobId": "scim.job1",
                "CycleId": format!("cycle-{cycle}"),
                "ResultType": if failed { "Failure" } else { "Success" },
                "ResultSignature": if failed { code } else { "" },
                "ServicePrincipal": "{\"Id\":\"sp\",\"Name\":\"Contoso HR\"}",
                "SourceIdentity": format!("{{\"identityType\":\"User\",\"Id\":\"u{n}\",\"Name\":\"User {n}\"}}"),
            }).to_string());
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn a_job_failing_to_the_end_is_quarantined_now() {
    let path = scratch("status_quarantined_now").join("rows.json");
    std::fs::write(
        &path,
        job_rows(3, 3, "SystemForCrossDomainIdentityManagementUnauthorized"),
    )
    .unwrap();
    let data = format!("--data={}", path.display());
    let jobs = status_json(&[&data]);
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["quarantined"], true, "{}", jobs[0]);
    let e = &jobs[0]["quarantine_episodes"][0];
    assert_eq!(
        (e["failures"].as_u64(), e["cycles"].as_u64()),
        (Some(18), Some(3))
    );
    assert_eq!(e["lifted"], Value::Null);
    assert_eq!(jobs[0]["users"]["processed"], 6);

    let out = kqlite(&["status", &data, "--now", "2026-11-19T00:00:00Z"]);
    let stdout = text(&out.stdout);
    assert!(
        stdout
            .contains("QUARANTINED since 2026-11-18 03:00:00 UTC: credentials or SCIM compliance"),
        "{stdout}"
    );

    // The same failures with a transient error are failures, not a quarantine.
    std::fs::write(
        &path,
        job_rows(3, 3, "SystemForCrossDomainIdentityManagementBadGateway"),
    )
    .unwrap();
    let jobs = status_json(&[&data]);
    assert_eq!(jobs[0]["quarantined"], false);
}

#[test]
fn no_entries_is_an_error_not_an_empty_report() {
    let path = scratch("status_no_entries").join("rows.json");
    std::fs::write(&path, job_rows(3, 0, "")).unwrap();
    let out = kqlite(&[
        "status",
        &format!("--data={}", path.display()),
        "--app",
        "Nothing",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no provisioning entries"),
        "{}",
        text(&out.stderr)
    );
}
