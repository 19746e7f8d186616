//! Every report format of `kqlite check` on the same findings: snapshots of each, the CI
//! commands' escaping, and the SARIF log validated against the OASIS 2.1.0 schema.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kql_common::snippet::Style;
use kql_common::{Diagnostic, Span, codes};
use kql_output::diagnostics::{FileDiagnostic, ReportFormat, write_report};

fn findings() -> (Vec<FileDiagnostic>, Vec<String>) {
    let rule = "query: |\n  AADProvisioningLogs\n  | where tostring(SourceIdentity.Id) == \"x\"\n";
    let at = rule.find("SourceIdentity").unwrap();
    let counts = "T\n| count\n";
    let found = vec![
        FileDiagnostic {
            file: "rules/one user.yaml".to_owned(),
            source: rule.to_owned(),
            diagnostic: Diagnostic::error(
                codes::NOT_DYNAMIC,
                "`SourceIdentity` is a string value: only dynamic values have properties, elements; or 100% nothing",
                Span::new(at, at + "SourceIdentity".len()),
            ),
        },
        FileDiagnostic {
            file: "rules/counts.kql".to_owned(),
            source: counts.to_owned(),
            diagnostic: Diagnostic::warning(
                codes::ALERT_RESTRICTION,
                "a row-count rule must not end with `count`",
                Span::new(2, 9),
            ),
        },
    ];
    let files = vec![
        "rules/one user.yaml".to_owned(),
        "rules/counts.kql".to_owned(),
        "rules/clean.json".to_owned(),
    ];
    (found, files)
}

fn report(format: ReportFormat) -> String {
    let (found, files) = findings();
    let mut out = Vec::new();
    write_report(&mut out, &found, format, Style::plain(), &files).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn each_format_as_a_snapshot() {
    for (name, format) in [
        ("human", ReportFormat::Human),
        ("concise", ReportFormat::Concise),
        ("json", ReportFormat::Json),
        ("github", ReportFormat::Github),
        ("azure", ReportFormat::Azure),
        ("sarif", ReportFormat::Sarif),
        ("junit", ReportFormat::Junit),
    ] {
        insta::assert_snapshot!(format!("report_{name}"), report(format));
    }
}

#[test]
fn ci_commands_escape_what_their_runners_parse() {
    let github = report(ReportFormat::Github);
    // `,` and `:` inside a property, `%` in the message.
    assert!(
        github.contains("::error file=rules/one user.yaml,line=3,col=20,"),
        "{github}"
    );
    assert!(
        github.contains("title=KS007 member access on a non-dynamic value::"),
        "{github}"
    );
    assert!(github.contains("or 100%25 nothing"), "{github}");
    assert!(
        github.contains("::warning file=rules/counts.kql,line=2,col=1,"),
        "{github}"
    );
    let azure = report(ReportFormat::Azure);
    assert!(
        azure.contains("properties, elements%3B or 100%AZP25 nothing"),
        "{azure}"
    );
    assert!(azure.contains("##vso[task.logissue type=warning;sourcepath=rules/counts.kql;linenumber=2;columnnumber=1;code=KA001]"), "{azure}");
}

#[test]
fn the_sarif_log_is_valid_sarif_2_1_0() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    // The check has teeth: a log missing its runs or with another version is refused.
    assert!(!validator.is_valid(&serde_json::json!({"version": "2.1.0"})));
    assert!(!validator.is_valid(&serde_json::json!({"version": "9", "runs": []})));
    let log: serde_json::Value = serde_json::from_str(&report(ReportFormat::Sarif)).unwrap();
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "rules/one%20user.yaml"
    );
    assert_eq!(results[1]["level"], "warning");
    // A log with no findings is valid too.
    let mut out = Vec::new();
    write_report(&mut out, &[], ReportFormat::Sarif, Style::plain(), &[]).unwrap();
    let empty: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(validator.is_valid(&empty));
}

#[test]
fn junit_has_a_case_per_file_failing_on_errors_only() {
    let xml = report(ReportFormat::Junit);
    assert!(xml.contains("tests=\"3\" failures=\"1\""), "{xml}");
    assert!(xml.contains("<testcase name=\"rules/clean.json\""), "{xml}");
}
