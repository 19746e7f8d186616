//! The Entra portal's CSV download: three files (the log entries, their provisioning steps, their
//! modified properties) joined on the change ID. Microsoft does not document the headers, so
//! columns are matched by normalized name against the spellings the portal shows, and unknown
//! columns are ignored. Each entry becomes a Graph-shaped object, then a row like any Graph page.

use super::builder::RowBuilder;
use super::shapes::graph_to_row;
use super::{LoadReport, Rejection};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::error::Result;
use kql_functions::KqlSchema;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Shape name of a part that is held back until every file has been read (see
/// [`super::LoadReport::held_back`]).
pub(crate) const PENDING: &str = "Entra portal CSV download (joined after all files are read)";

/// Which of the three files a CSV is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    /// `ProvisioningLogs`: one log entry per row.
    Entries,
    /// `ProvisioningLogs_ProvisioningSteps`: one step per row, with the change ID.
    Steps,
    /// `ProvisioningLogs_ModifiedProperties`: one attribute per row, with the change ID.
    Modified,
}

/// `Date (UTC)` → `date`, `Change ID` → `changeid`: case, spaces, punctuation and a zone suffix
/// do not matter.
fn normalize(header: &str) -> String {
    let h = header.trim().to_lowercase();
    let h = h
        .strip_suffix("(utc)")
        .or_else(|| h.strip_suffix("[utc]"))
        .unwrap_or(&h);
    h.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// Graph field paths (dot-separated) and the normalized headers that name them.
const ENTRY_COLUMNS: &[(&str, &[&str])] = &[
    (
        "activityDateTime",
        &["date", "datetime", "activitydatetime", "activitydate"],
    ),
    ("id", &["id", "logid", "activityid"]),
    ("changeId", &["changeid"]),
    ("cycleId", &["cycleid"]),
    ("jobId", &["jobid"]),
    ("tenantId", &["tenantid"]),
    ("provisioningAction", &["action", "provisioningaction"]),
    (
        "provisioningStatusInfo.status",
        &["status", "provisioningstatus"],
    ),
    (
        "provisioningStatusInfo.errorInformation.errorCode",
        &["errorcode"],
    ),
    (
        "provisioningStatusInfo.errorInformation.reason",
        &["errorreason", "reason", "errormessage"],
    ),
    (
        "provisioningStatusInfo.errorInformation.recommendedAction",
        &["recommendedaction"],
    ),
    (
        "provisioningStatusInfo.errorInformation.additionalDetails",
        &["additionaldetails"],
    ),
    (
        "durationInMilliseconds",
        &["durationms", "durationmilliseconds", "duration"],
    ),
    (
        "sourceSystem.displayName",
        &["sourcesystem", "sourcesystemname"],
    ),
    ("sourceSystem.id", &["sourcesystemid"]),
    (
        "targetSystem.displayName",
        &["targetsystem", "targetsystemname"],
    ),
    ("targetSystem.id", &["targetsystemid"]),
    ("sourceIdentity.id", &["sourceidentityid", "sourceid"]),
    (
        "sourceIdentity.displayName",
        &[
            "sourceidentityname",
            "sourceidentity",
            "identity",
            "sourcename",
        ],
    ),
    (
        "sourceIdentity.identityType",
        &["sourceidentitytype", "identitytype", "sourcetype"],
    ),
    ("targetIdentity.id", &["targetidentityid", "targetid"]),
    (
        "targetIdentity.displayName",
        &["targetidentityname", "targetidentity", "targetname"],
    ),
    (
        "targetIdentity.identityType",
        &["targetidentitytype", "targettype"],
    ),
    (
        "servicePrincipal.id",
        &["serviceprincipalid", "applicationid", "appid"],
    ),
    (
        "servicePrincipal.displayName",
        &[
            "serviceprincipalname",
            "serviceprincipal",
            "application",
            "applicationname",
            "appname",
        ],
    ),
    (
        "initiatedBy.displayName",
        &["initiatedby", "initiatedbyname"],
    ),
    ("initiatedBy.id", &["initiatedbyid"]),
    (
        "initiatedBy.initiatorType",
        &["initiatedbytype", "initiatortype"],
    ),
];

const STEP_COLUMNS: &[(&str, &[&str])] = &[
    ("name", &["name", "stepname", "step"]),
    (
        "provisioningStepType",
        &["steptype", "type", "provisioningsteptype"],
    ),
    ("status", &["status", "stepstatus"]),
    ("description", &["description", "stepdescription"]),
];

const MODIFIED_COLUMNS: &[(&str, &[&str])] = &[
    (
        "displayName",
        &[
            "name",
            "displayname",
            "attribute",
            "attributename",
            "property",
            "propertyname",
        ],
    ),
    ("oldValue", &["oldvalue"]),
    ("newValue", &["newvalue"]),
];

/// Which part a CSV header belongs to, if it is the portal download at all.
pub fn classify(headers: &[String]) -> Option<Part> {
    let h: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
    let has = |n: &str| h.iter().any(|x| x == n);
    if !has("changeid") || has("timegenerated") {
        return None;
    }
    if has("oldvalue") || has("newvalue") {
        Some(Part::Modified)
    } else if has("steptype") || has("stepname") || has("description") || has("step") {
        Some(Part::Steps)
    } else if has("action") || has("status") || has("date") || has("sourcesystem") {
        Some(Part::Entries)
    } else {
        None
    }
}

/// Sets `path` (dot-separated) in `obj`, creating the objects on the way.
fn set_path(obj: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            obj.insert(path.to_owned(), value);
        }
        Some((head, rest)) => {
            let child = obj
                .entry(head.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = child {
                set_path(m, rest, value);
            }
        }
    }
}

/// `Create` → `create`, `StagedDelete` → `stagedDelete` (the Graph enum spelling).
fn camel(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

struct Row {
    file_index: usize,
    line: usize,
    fields: Map<String, Value>,
}

/// The parts read so far, joined by [`PortalDownload::finish`].
#[derive(Default)]
pub struct PortalDownload {
    files: Vec<(String, Part)>,
    entries: Vec<Row>,
    steps: Vec<(String, Row)>,
    modified: Vec<(String, Row)>,
    /// Per file: rows that could not be read at all.
    rejected: HashMap<usize, Vec<Rejection>>,
}

impl PortalDownload {
    /// Whether any part was read.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Reads one part; its rows wait for the join.
    pub fn add(&mut self, name: &str, body: &[u8], part: Part) {
        let file_index = self.files.len();
        self.files.push((name.to_owned(), part));
        let columns = match part {
            Part::Entries => ENTRY_COLUMNS,
            Part::Steps => STEP_COLUMNS,
            Part::Modified => MODIFIED_COLUMNS,
        };
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(body);
        let headers: Vec<String> = match reader.headers() {
            Ok(h) => h.iter().map(normalize).collect(),
            Err(_) => return,
        };
        let change_col = headers.iter().position(|h| h == "changeid");
        // For each header, the field it fills (the first spelling that matches wins).
        let targets: Vec<Option<&str>> = headers
            .iter()
            .map(|h| {
                columns
                    .iter()
                    .find(|(_, names)| names.contains(&h.as_str()))
                    .map(|(path, _)| *path)
            })
            .collect();
        let mut rejected = Vec::new();
        super::csv::for_each_record(&mut reader, headers.len(), &mut rejected, |line, r| {
            let mut fields = Map::new();
            for (value, target) in r.iter().zip(&targets) {
                if let (Some(path), false) = (target, value.is_empty()) {
                    let v = match *path {
                        "provisioningAction" => json!(camel(value)),
                        "durationInMilliseconds" => value
                            .parse::<i64>()
                            .map_or_else(|_| json!(value), |n| json!(n)),
                        _ => json!(value),
                    };
                    set_path(&mut fields, path, v);
                }
            }
            let row = Row {
                file_index,
                line,
                fields,
            };
            let change = change_col.and_then(|c| r.get(c)).unwrap_or("").to_owned();
            match part {
                Part::Entries => self.entries.push(row),
                Part::Steps => self.steps.push((change, row)),
                Part::Modified => self.modified.push((change, row)),
            }
            Ok(())
        });
        if !rejected.is_empty() {
            self.rejected
                .entry(file_index)
                .or_default()
                .extend(rejected);
        }
    }

    /// Joins the parts: steps and modified properties go to the entry with their change ID; those
    /// without an entry are rejected. One report per file read.
    pub fn finish(mut self, schema: &KqlSchema) -> Result<(Vec<RecordBatch>, Vec<LoadReport>)> {
        let mut reports: Vec<LoadReport> = self
            .files
            .iter()
            .map(|(name, part)| LoadReport {
                file: name.clone(),
                shape: match part {
                    Part::Entries => "Entra portal CSV download: log entries",
                    Part::Steps => "Entra portal CSV download: provisioning steps",
                    Part::Modified => "Entra portal CSV download: modified properties",
                },
                ..LoadReport::default()
            })
            .collect();
        let mut by_change: HashMap<String, usize> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            if let Some(c) = e.fields.get("changeId").and_then(Value::as_str) {
                by_change.entry(c.to_owned()).or_insert(i);
            }
        }
        let mut steps: Vec<Vec<Value>> = vec![Vec::new(); self.entries.len()];
        let mut modified: Vec<Vec<Value>> = vec![Vec::new(); self.entries.len()];
        let attach = |rows: Vec<(String, Row)>,
                      into: &mut Vec<Vec<Value>>,
                      reports: &mut Vec<LoadReport>| {
            for (change, row) in rows {
                let report = &mut reports[row.file_index];
                match by_change.get(&change) {
                    Some(&i) => {
                        into[i].push(Value::Object(row.fields));
                        report.loaded += 1;
                    }
                    None => report.rejected.push(Rejection {
                        line: row.line,
                        reason: format!("change ID `{change}` has no log entry in the download"),
                    }),
                }
            }
        };
        attach(std::mem::take(&mut self.steps), &mut steps, &mut reports);
        attach(
            std::mem::take(&mut self.modified),
            &mut modified,
            &mut reports,
        );
        let mut builder = RowBuilder::new(schema.clone());
        for (i, mut entry) in std::mem::take(&mut self.entries).into_iter().enumerate() {
            entry.fields.insert(
                "provisioningSteps".into(),
                Value::Array(std::mem::take(&mut steps[i])),
            );
            entry.fields.insert(
                "modifiedProperties".into(),
                Value::Array(std::mem::take(&mut modified[i])),
            );
            let row = graph_to_row(&entry.fields);
            let report = &mut reports[entry.file_index];
            match builder.append(|c| row.get(c)) {
                Ok(()) => report.loaded += 1,
                Err(reason) => report.rejected.push(Rejection {
                    line: entry.line,
                    reason,
                }),
            }
        }
        for (file_index, rejected) in self.rejected {
            reports[file_index].rejected.extend(rejected);
        }
        let batches = if builder.is_empty() {
            Vec::new()
        } else {
            vec![builder.finish()?]
        };
        Ok((batches, reports))
    }
}

/// Headers written by [`write`]: the portal's column titles, one spelling per field.
const WRITTEN_ENTRY_HEADERS: &[(&str, &str)] = &[
    ("Date (UTC)", "activityDateTime"),
    ("Id", "id"),
    ("Change ID", "changeId"),
    ("Cycle ID", "cycleId"),
    ("Job ID", "jobId"),
    ("Tenant ID", "tenantId"),
    ("Action", "provisioningAction"),
    ("Status", "provisioningStatusInfo.status"),
    (
        "Error Code",
        "provisioningStatusInfo.errorInformation.errorCode",
    ),
    (
        "Error Reason",
        "provisioningStatusInfo.errorInformation.reason",
    ),
    ("Duration (ms)", "durationInMilliseconds"),
    ("Source System", "sourceSystem.displayName"),
    ("Source System ID", "sourceSystem.id"),
    ("Target System", "targetSystem.displayName"),
    ("Target System ID", "targetSystem.id"),
    ("Source Identity ID", "sourceIdentity.id"),
    ("Source Identity Name", "sourceIdentity.displayName"),
    ("Source Identity Type", "sourceIdentity.identityType"),
    ("Target Identity ID", "targetIdentity.id"),
    ("Target Identity Name", "targetIdentity.displayName"),
    ("Target Identity Type", "targetIdentity.identityType"),
    ("Application ID", "servicePrincipal.id"),
    ("Application Name", "servicePrincipal.displayName"),
    ("Initiated By", "initiatedBy.displayName"),
    ("Initiated By ID", "initiatedBy.id"),
    ("Initiated By Type", "initiatedBy.initiatorType"),
];

fn at_path<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, k| v.get(k))
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn csv_text(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut all = std::iter::once(header.iter().map(|h| (*h).to_owned()).collect::<Vec<_>>())
        .chain(rows.iter().cloned());
    let ok = all.try_for_each(|r| w.write_record(&r));
    match (ok, w.into_inner()) {
        (Ok(()), Ok(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
        _ => String::new(),
    }
}

/// Graph-shaped objects as the three files of a portal CSV download (entries, steps, modified
/// properties), for `kqlite generate --format portal-csv`. The steps' `details` and the entries'
/// `details` objects have no column and are lost, as in the portal.
pub fn write(graph: &[Value]) -> [String; 3] {
    let mut entries = Vec::new();
    let mut steps = Vec::new();
    let mut modified = Vec::new();
    for g in graph {
        let change = cell(g.get("changeId"));
        entries.push(
            WRITTEN_ENTRY_HEADERS
                .iter()
                .map(|(_, path)| match *path {
                    "provisioningAction" | "provisioningStatusInfo.status" => {
                        super::shapes::pascal(&cell(at_path(g, path)))
                    }
                    _ => cell(at_path(g, path)),
                })
                .collect(),
        );
        for s in g
            .get("provisioningSteps")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            steps.push(vec![
                change.clone(),
                cell(s.get("name")),
                cell(s.get("provisioningStepType")),
                super::shapes::pascal(&cell(s.get("status"))),
                cell(s.get("description")),
            ]);
        }
        for m in g
            .get("modifiedProperties")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            modified.push(vec![
                change.clone(),
                cell(m.get("displayName")),
                cell(m.get("oldValue")),
                cell(m.get("newValue")),
            ]);
        }
    }
    let entry_header: Vec<&str> = WRITTEN_ENTRY_HEADERS.iter().map(|(h, _)| *h).collect();
    [
        csv_text(&entry_header, &entries),
        csv_text(
            &[
                "Change ID",
                "Step Name",
                "Step Type",
                "Status",
                "Description",
            ],
            &steps,
        ),
        csv_text(&["Change ID", "Name", "Old Value", "New Value"], &modified),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_matched_loosely() {
        assert_eq!(normalize("Date (UTC)"), "date");
        assert_eq!(normalize(" Change ID "), "changeid");
        let h = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            classify(&h(&["Date (UTC)", "Change ID", "Action", "Status"])),
            Some(Part::Entries)
        );
        assert_eq!(
            classify(&h(&["Change ID", "Step Type", "Description"])),
            Some(Part::Steps)
        );
        assert_eq!(
            classify(&h(&["Change ID", "Name", "Old Value", "New Value"])),
            Some(Part::Modified)
        );
        assert_eq!(classify(&h(&["TimeGenerated [UTC]", "ChangeId"])), None);
        assert_eq!(classify(&h(&["Name", "Age"])), None);
    }

    #[test]
    fn enum_spelling() {
        assert_eq!(camel("StagedDelete"), "stagedDelete");
        assert_eq!(camel("Create"), "create");
    }
}
