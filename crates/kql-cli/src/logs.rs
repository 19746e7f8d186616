//! `kqlite logs`: the provisioning log list as the Entra portal shows it (Date, Identity,
//! Action, Source System, Target System, Status), filtered as the portal filters it. It is a
//! KQL query over AADProvisioningLogs, run as `kqlite query` runs one; `--kql` prints it, so the
//! list can become a saved query or an alert.

use crate::data_args::DataArgs;
use crate::print_format::PrintFormat;
use clap::{Args, ValueEnum};
use kql_parser::syntax::string_literal as literal;
use std::time::Instant;

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Status {
    Success,
    Failure,
    Skipped,
    Warning,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Action {
    Create,
    Update,
    Disable,
    Delete,
    Other,
}

#[derive(Args)]
pub(crate) struct LogsArgs {
    #[command(flatten)]
    source: DataArgs,
    /// Only entries of the last TIMESPAN before now() (e.g. 7d, 24h).
    #[arg(long, value_name = "TIMESPAN", conflicts_with_all = ["from", "to"])]
    since: Option<String>,
    /// Only entries at or after this datetime (ISO 8601).
    #[arg(long, value_name = "DATETIME")]
    from: Option<String>,
    /// Only entries at or before this datetime (ISO 8601).
    #[arg(long, value_name = "DATETIME")]
    to: Option<String>,
    /// Only entries with this status.
    #[arg(long, value_enum)]
    status: Option<Status>,
    /// Only entries whose source or target identity has this text in its name, user principal
    /// name or id.
    #[arg(long, value_name = "TEXT")]
    identity: Option<String>,
    /// Only entries of this action.
    #[arg(long, value_enum)]
    action: Option<Action>,
    /// Only entries of the provisioning app whose name has this text.
    #[arg(long, value_name = "NAME")]
    app: Option<String>,
    /// Fix now() at this datetime (ISO 8601), for --since.
    #[arg(long, value_name = "DATETIME")]
    now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PrintFormat::Table)]
    format: PrintFormat,
    /// Rows shown by the table format.
    #[arg(long, default_value_t = 40, value_name = "N")]
    max_rows: usize,
    /// Print the KQL query that makes the list (on standard error, before the rows).
    #[arg(long)]
    kql: bool,
}

/// A filter keeping entries whose source or target identity has `who` in its name, or has it
/// as its id or user principal name (the identities' values, not their JSON text, whose keys
/// would match `id` or `user`).
pub(crate) fn identity_filter(who: &str) -> String {
    let who = literal(who);
    let sides: Vec<String> = ["SourceIdentity", "TargetIdentity"]
        .iter()
        .map(|side| {
            format!(
                "tostring(parse_json({side}).Name) contains {who} \
                 or tostring(parse_json({side}).Id) =~ {who} \
                 or tostring(parse_json({side}).details.UserPrincipalName) =~ {who}"
            )
        })
        .collect();
    sides.join(" or ")
}

/// The query that lists the entries `args` asks for, newest first.
pub(crate) fn query_text(args: &LogsArgs) -> Result<String, String> {
    let mut q = vec!["AADProvisioningLogs".to_owned()];
    if let Some(since) = &args.since {
        let ticks = match kql_common::timespan::parse_text(since) {
            Some(t) if t > 0 => t,
            _ => {
                return Err(format!(
                    "--since: `{since}` is not a positive timespan (e.g. 7d, 24h)"
                ));
            }
        };
        // Written as Kusto writes a timespan, whatever form it was given in (`7d`, `1.00:00:00`).
        q.push(format!(
            "| where TimeGenerated > ago(timespan({}))",
            kql_common::time::format_timespan(ticks)
        ));
    }
    for (flag, value, op) in [("--from", &args.from, ">="), ("--to", &args.to, "<=")] {
        if let Some(t) = value {
            let Some(ticks) = kql_common::time::parse_datetime(t) else {
                return Err(format!("{flag}: `{t}` is not a datetime (ISO 8601)"));
            };
            q.push(format!(
                "| where TimeGenerated {op} datetime({})",
                kql_common::time::format_datetime(ticks)
            ));
        }
    }
    if let Some(s) = args.status {
        let name = s.to_possible_value().map(|v| v.get_name().to_owned());
        q.push(format!(
            "| where ResultType =~ {}",
            literal(&name.unwrap_or_default())
        ));
    }
    if let Some(a) = args.action {
        let name = a.to_possible_value().map(|v| v.get_name().to_owned());
        q.push(format!(
            "| where ProvisioningAction =~ {}",
            literal(&name.unwrap_or_default())
        ));
    }
    if let Some(app) = &args.app {
        q.push(format!(
            "| where tostring(parse_json(ServicePrincipal).Name) contains {}",
            literal(app)
        ));
    }
    if let Some(who) = &args.identity {
        q.push(format!("| where {}", identity_filter(who)));
    }
    q.push(
        "| project Date = TimeGenerated, Identity = tostring(parse_json(SourceIdentity).Name), \
         Action = ProvisioningAction, SourceSystem = tostring(parse_json(SourceSystem).Name), \
         TargetSystem = tostring(parse_json(TargetSystem).Name), Status = ResultType, \
         ErrorCode = ResultSignature, Id"
            .to_owned(),
    );
    q.push("| sort by Date desc".to_owned());
    Ok(q.join("\n"))
}

pub(crate) fn run(args: &LogsArgs, color: crate::ColorChoice, started: Instant) -> u8 {
    let text = match query_text(args) {
        Ok(t) => t,
        Err(why) => {
            eprintln!("error: {why}");
            return crate::EXIT_USAGE;
        }
    };
    if args.kql {
        eprintln!("{text}\n");
    }
    // Run exactly as `kqlite query` runs a query, with the same options.
    let mut argv: Vec<String> = vec!["query".to_owned()];
    for d in &args.source.data {
        argv.push(format!("--data={}", d.display()));
    }
    for t in &args.source.tables {
        argv.push(format!("--table={t}"));
    }
    if args.source.strict {
        argv.push("--strict".to_owned());
    }
    if let Some(now) = &args.now {
        argv.push(format!("--now={now}"));
    }
    if let Some(f) = args.format.to_possible_value() {
        argv.push(format!("--format={}", f.get_name()));
    }
    argv.push(format!("--max-rows={}", args.max_rows));
    argv.push(text);
    crate::query::run_argv(&argv, color, started)
}
