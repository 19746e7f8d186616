//! `kqlite show ID`: one provisioning entry as the Entra portal's details pane shows it: when,
//! who, what, from where to where, how it ended and why, the steps (import, scoping, matching,
//! action, export) with their details, and the modified properties as old → new. ID is an
//! entry's Id or ChangeId; a user's object id, user principal name or name shows their most
//! recent entries instead.

use crate::data_args::DataArgs;
use crate::events::data_error;
use crate::output::out;
use kql_parser::syntax::string_literal as literal;
use kql_workspace::Error;
use serde_json::Value;
use std::fmt::Write as _;

/// Entries shown for an identity.
const RECENT: usize = 5;

#[derive(clap::Args)]
pub(crate) struct ShowArgs {
    #[command(flatten)]
    source: DataArgs,
    /// An entry's Id or ChangeId, or a user's object id, user principal name or name.
    #[arg(value_name = "ID")]
    id: String,
}

/// The entries `id` names: exact matches first (an entry's own ids), then an identity's.
fn query_text(id: &str) -> String {
    let identity = crate::logs::identity_filter(id);
    let id = literal(id);
    format!(
        "AADProvisioningLogs\n\
         | where Id =~ {id} or ChangeId =~ {id} or {identity}\n\
         | extend Exact = Id =~ {id} or ChangeId =~ {id}\n\
         | sort by Exact desc, TimeGenerated desc\n\
         | take {RECENT}"
    )
}

pub(crate) fn run(args: &ShowArgs) -> u8 {
    if args.id.trim().is_empty() {
        eprintln!("error: show: give an entry's Id or ChangeId, or a user's id, UPN or name");
        return crate::EXIT_USAGE;
    }
    let Some(runtime) = crate::runtime() else {
        return 1;
    };
    let (ws, now) = match args.source.open() {
        Ok(opened) => opened,
        Err(code) => return code,
    };
    let result = match runtime.block_on(ws.query(&query_text(&args.id), now)) {
        Ok(r) => r,
        Err(Error::Query(d)) => {
            for d in &d.0 {
                eprintln!("error: {}", d.message);
            }
            return 1;
        }
        Err(e) => return data_error(&e),
    };
    let entries = match crate::json_rows::rows(&result) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let exact: Vec<&Value> = entries.iter().filter(|e| e["Exact"] == true).collect();
    let shown: Vec<&Value> = if exact.is_empty() {
        entries.iter().collect()
    } else {
        exact
    };
    if shown.is_empty() {
        eprintln!("error: no entry or identity matches `{}`", args.id);
        return 1;
    }
    if shown.first().is_some_and(|e| e["Exact"] != true) {
        eprintln!(
            "(the {} most recent entries of identities matching `{}`)\n",
            shown.len(),
            args.id
        );
    }
    let text: Vec<String> = shown.iter().map(|e| details(e)).collect();
    out!("{}", text.join("\n"));
    0
}

/// A JSON-bearing column parsed (the table keeps JSON as text).
fn parsed(entry: &Value, column: &str) -> Value {
    match &entry[column] {
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// A step's type and status, numeric in the diagnostic stream, words in Graph's JSON.
fn step_type(v: &Value) -> String {
    const TYPES: [&str; 6] = [
        "Import",
        "Scoping",
        "Matching",
        "Processing",
        "Reference resolution",
        "Export",
    ];
    match v {
        Value::Number(n) => n
            .as_u64()
            .and_then(|i| TYPES.get(i as usize))
            .map_or_else(|| n.to_string(), |t| (*t).to_owned()),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

fn step_status(v: &Value) -> String {
    const STATUSES: [&str; 4] = ["success", "failure", "skipped", "warning"];
    match v {
        Value::Number(n) => n
            .as_u64()
            .and_then(|i| STATUSES.get(i as usize))
            .map_or_else(|| n.to_string(), |t| (*t).to_owned()),
        Value::String(s) => s.to_lowercase(),
        _ => String::new(),
    }
}

/// One entry, as the portal's details pane shows it.
fn details(e: &Value) -> String {
    let mut out = String::new();
    let source = parsed(e, "SourceIdentity");
    let target = parsed(e, "TargetIdentity");
    let upn = str_of(&source["details"]["UserPrincipalName"]);
    let status_info = parsed(e, "ProvisioningStatusInfo");
    let error = &status_info["errorInformation"];
    let _ = writeln!(out, "Date            {}", str_of(&e["TimeGenerated"]));
    let _ = writeln!(
        out,
        "Identity        {} ({}{}){}",
        str_of(&source["Name"]),
        str_of(&source["identityType"]),
        if upn.is_empty() {
            String::new()
        } else {
            format!(", {upn}")
        },
        if str_of(&source["Id"]).is_empty() {
            String::new()
        } else {
            format!(" id {}", str_of(&source["Id"]))
        }
    );
    if !str_of(&target["Id"]).is_empty() {
        let _ = writeln!(out, "Target id       {}", str_of(&target["Id"]));
    }
    let _ = writeln!(out, "Action          {}", str_of(&e["ProvisioningAction"]));
    let _ = writeln!(
        out,
        "Source system   {}",
        str_of(&parsed(e, "SourceSystem")["Name"])
    );
    let _ = writeln!(
        out,
        "Target system   {}",
        str_of(&parsed(e, "TargetSystem")["Name"])
    );
    let _ = writeln!(
        out,
        "App             {}",
        str_of(&parsed(e, "ServicePrincipal")["Name"])
    );
    let _ = writeln!(out, "Status          {}", str_of(&e["ResultType"]));
    if !str_of(&e["ResultSignature"]).is_empty() {
        let _ = writeln!(out, "Error code      {}", str_of(&e["ResultSignature"]));
    }
    let reason = match str_of(&error["reason"]) {
        "" => str_of(&e["ResultDescription"]),
        r => r,
    };
    if !reason.is_empty() {
        let _ = writeln!(out, "Reason          {reason}");
    }
    if let Some(action) = error["recommendedAction"].as_str() {
        let _ = writeln!(out, "Recommended     {action}");
    }
    let _ = writeln!(
        out,
        "Ids             entry {}, change {}, cycle {}",
        str_of(&e["Id"]),
        str_of(&e["ChangeId"]),
        str_of(&e["CycleId"])
    );
    if let Value::Array(steps) = parsed(e, "ProvisioningSteps") {
        let _ = writeln!(out, "\nSteps");
        for (i, step) in steps.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. {:<12} {:<8} {}",
                i + 1,
                step_type(&step["provisioningStepType"]),
                step_status(&step["status"]),
                str_of(&step["description"])
            );
            if let Value::Object(d) = &step["details"] {
                for (k, v) in d {
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    let _ = writeln!(out, "       {k}: {v}");
                }
            }
        }
    }
    if let Value::Array(props) = parsed(e, "ModifiedProperties")
        && !props.is_empty()
    {
        let _ = writeln!(out, "\nModified properties");
        for p in &props {
            let value = |v: &Value| match v {
                Value::Null => "(none)".to_owned(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let _ = writeln!(
                out,
                "  {}: {} → {}",
                str_of(&p["displayName"]),
                value(&p["oldValue"]),
                value(&p["newValue"])
            );
        }
    }
    out
}
