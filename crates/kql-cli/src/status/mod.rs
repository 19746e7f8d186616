//! `kqlite status`: the Entra portal's provisioning progress bar for every job in the logs: users
//! and groups processed and in scope, the last cycle and whether it was initial or incremental,
//! whether an initial cycle completed, and quarantine, now and in the past, with its reason. Two
//! KQL queries summarize the logs (`--kql` prints them); [`infer`] reads the job's story from
//! the cycles.

mod infer;
mod report;

use crate::data_args::DataArgs;
use crate::events::data_error;
use crate::output::out;
use clap::{Args, ValueEnum};
use infer::{BLOCKING_CODE_ENDINGS, Cycle};
use kql_workspace::Error;
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum StatusFormat {
    /// One block per job, as the portal shows it.
    Text,
    /// A JSON array with one object per job.
    Json,
}

#[derive(Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    source: DataArgs,
    /// Only jobs of the provisioning app whose name has this text.
    #[arg(long, value_name = "NAME")]
    app: Option<String>,
    /// Fix now() at this datetime (ISO 8601): how long ago the last activity was.
    #[arg(long, value_name = "DATETIME")]
    now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatusFormat::Text)]
    format: StatusFormat,
    /// Print the KQL queries the status is computed from (on standard error).
    #[arg(long)]
    kql: bool,
}

/// What is known of one job.
pub(crate) struct Job {
    pub id: String,
    pub app: String,
    pub users: u64,
    pub users_in_scope: u64,
    pub groups: u64,
    pub groups_in_scope: u64,
    /// In time order.
    pub cycles: Vec<Cycle>,
}

fn app_filter(app: Option<&str>) -> String {
    app.map(|a| {
        format!(
            "\n| where tostring(parse_json(ServicePrincipal).Name) contains {}",
            kql_parser::syntax::string_literal(a)
        )
    })
    .unwrap_or_default()
}

/// One row per job and cycle.
fn cycles_query(app: Option<&str>) -> String {
    let blocking: Vec<String> = BLOCKING_CODE_ENDINGS
        .iter()
        .map(|e| format!("ResultSignature endswith \"{e}\""))
        .collect();
    format!(
        "AADProvisioningLogs{}\n\
         | extend App = tostring(parse_json(ServicePrincipal).Name), Who = tostring(parse_json(SourceIdentity).Id)\n\
         | extend Blocking = ResultType == \"Failure\" and ({})\n\
         | summarize Start = min(TimeGenerated), End = max(TimeGenerated), Entries = count(),\n    \
         Successes = countif(ResultType == \"Success\"), Failures = countif(ResultType == \"Failure\"),\n    \
         Skipped = countif(ResultType == \"Skipped\"), Blocking = countif(Blocking),\n    \
         BlockingCode = take_anyif(ResultSignature, Blocking),\n    \
         ReferenceFailures = countif(ResultType == \"Failure\" and ProvisioningSteps has \"UnableToResolveReferenceAttributeValue\"),\n    \
         Identities = dcountif(Who, isnotempty(Who))\n    \
         by JobId, App, CycleId\n\
         | sort by JobId asc, Start asc",
        app_filter(app),
        blocking.join(" or ")
    )
}

/// One row per job: identities processed and in scope (not skipped by scoping every time).
fn identities_query(app: Option<&str>) -> String {
    let count = |kind: &str, scoped: bool| {
        format!(
            "dcountif(Who, Kind =~ \"{kind}\" and isnotempty(Who){})",
            if scoped {
                " and ResultType != \"Skipped\""
            } else {
                ""
            }
        )
    };
    format!(
        "AADProvisioningLogs{}\n\
         | extend Kind = tostring(parse_json(SourceIdentity).identityType), Who = tostring(parse_json(SourceIdentity).Id)\n\
         | summarize Users = {}, UsersInScope = {},\n    Groups = {}, GroupsInScope = {} by JobId",
        app_filter(app),
        count("User", false),
        count("User", true),
        count("Group", false),
        count("Group", true)
    )
}

pub(crate) fn run(args: &StatusArgs) -> u8 {
    let pinned = match &args.now {
        Some(t) => match kql_common::time::parse_datetime(t) {
            Some(t) => Some(t),
            None => {
                eprintln!("error: --now: `{t}` is not a datetime (ISO 8601)");
                return crate::EXIT_USAGE;
            }
        },
        None => None,
    };
    let (cycles_text, identities_text) = (
        cycles_query(args.app.as_deref()),
        identities_query(args.app.as_deref()),
    );
    if args.kql {
        eprintln!("{cycles_text}\n\n{identities_text}\n");
    }
    let Some(runtime) = crate::runtime() else {
        return 1;
    };
    let (ws, default_now) = match args.source.open() {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let now = pinned.unwrap_or(default_now);
    let rows = |text: &str| -> Result<Vec<Value>, u8> {
        match runtime.block_on(ws.query(text, now)) {
            Ok(r) => crate::json_rows::rows(&r).map_err(|e| {
                eprintln!("error: {e}");
                1
            }),
            Err(Error::Query(d)) => {
                for d in &d.0 {
                    eprintln!("error: {}", d.message);
                }
                Err(1)
            }
            Err(e) => Err(data_error(&e)),
        }
    };
    let (cycles, identities) = match (rows(&cycles_text), rows(&identities_text)) {
        (Ok(c), Ok(i)) => (c, i),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let jobs = jobs(&cycles, &identities);
    if jobs.is_empty() {
        eprintln!("error: no provisioning entries in the data (nothing to report)");
        return 1;
    }
    let out = match args.format {
        StatusFormat::Text => report::text(&jobs, now),
        StatusFormat::Json => report::json(&jobs),
    };
    out!("{out}");
    0
}

fn num(v: &Value) -> u64 {
    v.as_u64().unwrap_or(0)
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn ticks(v: &Value) -> i64 {
    v.as_str()
        .and_then(kql_common::time::parse_datetime)
        .unwrap_or(0)
}

/// The jobs of the two queries' rows, by app name then job id.
fn jobs(cycles: &[Value], identities: &[Value]) -> Vec<Job> {
    let mut jobs: BTreeMap<String, Job> = BTreeMap::new();
    for row in cycles {
        let id = text(&row["JobId"]);
        let job = jobs.entry(id.clone()).or_insert_with(|| Job {
            id,
            app: text(&row["App"]),
            users: 0,
            users_in_scope: 0,
            groups: 0,
            groups_in_scope: 0,
            cycles: Vec::new(),
        });
        job.cycles.push(Cycle {
            id: text(&row["CycleId"]),
            start: ticks(&row["Start"]),
            end: ticks(&row["End"]),
            entries: num(&row["Entries"]),
            successes: num(&row["Successes"]),
            failures: num(&row["Failures"]),
            skipped: num(&row["Skipped"]),
            blocking: num(&row["Blocking"]),
            blocking_code: text(&row["BlockingCode"]),
            reference_failures: num(&row["ReferenceFailures"]),
            identities: num(&row["Identities"]),
        });
    }
    for row in identities {
        if let Some(job) = jobs.get_mut(row["JobId"].as_str().unwrap_or_default()) {
            job.users = num(&row["Users"]);
            job.users_in_scope = num(&row["UsersInScope"]);
            job.groups = num(&row["Groups"]);
            job.groups_in_scope = num(&row["GroupsInScope"]);
        }
    }
    let mut jobs: Vec<Job> = jobs.into_values().collect();
    for job in &mut jobs {
        job.cycles.sort_by_key(|c| c.start);
    }
    jobs.sort_by(|a, b| a.app.cmp(&b.app).then(a.id.cmp(&b.id)));
    jobs
}
