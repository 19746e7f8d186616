//! The built-in pack: the alerts the Entra provisioning guide recommends, as Azure Monitor log
//! search alerts, usable by name (`builtin:failure-spike`).

use crate::formats::RuleError;
use crate::rule::Rule;
use std::path::Path;

/// (name, what it watches, its rule in kqlite's TOML).
pub const PACK: &[(&str, &str, &str)] = &[
    (
        "failure-spike",
        "more than 50 provisioning failures of one job in an hour",
        r#"name = "Provisioning failure spike"
frequency = "PT1H"
window = "PT1H"
dimensions = ["JobId"]
operator = "GreaterThan"
threshold = 50
query = '''
AADProvisioningLogs
| where ResultType == "Failure"
| project TimeGenerated, JobId, ResultSignature
'''
"#,
    ),
    (
        "no-activity",
        "no provisioning records at all for two hours",
        r#"name = "No provisioning activity"
frequency = "PT1H"
window = "PT2H"
operator = "LessThan"
threshold = 1
query = '''
AADProvisioningLogs
'''
"#,
    ),
    (
        "job-silent",
        "a job that wrote records in the last day but none for two hours",
        r#"name = "Provisioning job silent"
frequency = "PT1H"
window = "PT2H"
query_range = "P1D"
dimensions = ["JobId"]
operator = "GreaterThan"
threshold = 0
query = '''
AADProvisioningLogs
| summarize LastSeen = max(TimeGenerated) by JobId
| where LastSeen < ago(2h)
'''
"#,
    ),
    (
        "quarantine-risk",
        "a job past the escrow thresholds that quarantine it: 5,000 failures and over 40 % failing, or over 40,000, or 60,000 in all",
        r#"name = "Provisioning quarantine risk"
frequency = "PT1H"
window = "P1D"
dimensions = ["JobId"]
operator = "GreaterThan"
threshold = 0
query = '''
AADProvisioningLogs
| summarize Total = count(), Failures = countif(ResultType == "Failure") by JobId
| extend FailureRatio = todouble(Failures) / Total
| where (Failures >= 5000 and (FailureRatio > 0.4 or Failures > 40000)) or Failures > 60000
'''
"#,
    ),
];

/// The built-in rule called `name` (without `builtin:`).
pub fn rule(name: &str) -> Option<Result<Rule, RuleError>> {
    let (_, _, text) = PACK.iter().find(|(n, _, _)| *n == name)?;
    let path = format!("builtin:{name}");
    Some(crate::formats::parse_builtin(Path::new(&path), text))
}
