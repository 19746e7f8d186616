//! The export shapes of provisioning logs and their mapping onto `AADProvisioningLogs` rows.
//!
//! * Microsoft Graph `provisioningObjectSummary` (Graph pages, the portal's JSON download):
//!   camelCase, string enums, `{id, displayName}` objects.
//! * Diagnostic-settings resource-log records (PT1H.json blobs, Event Hub bodies): an envelope
//!   (`time`, `resultType`, ...) with `properties` in the diagnostic casing (`{Id, Name}`), numeric
//!   step enums.
//! * Log Analytics rows: the table itself.
//!
//! Nested objects become JSON text in the diagnostic casing, with keys in the order Log
//! Analytics writes them, so every shape loads to the same values.

use serde_json::{Map, Value, json};

const STEP_TYPES: &[&str] = &[
    "import",
    "scoping",
    "matching",
    "processing",
    "referenceResolution",
    "export",
];
const RESULTS: &[&str] = &["success", "failure", "skipped", "warning"];

/// The numeric form of an enum given as a name (case-insensitive) or already as a number.
fn enum_number(v: Option<&Value>, names: &[&str]) -> Value {
    match v {
        Some(Value::String(s)) => names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(s))
            .map_or_else(|| Value::String(s.clone()), |i| json!(i)),
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

/// The name of an enum given as a number or a name.
fn enum_name(v: Option<&Value>, names: &[&str]) -> Option<String> {
    match v {
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|i| names.get(i as usize))
            .map(|s| (*s).to_owned()),
        Some(Value::String(s)) => Some(s.to_lowercase()),
        _ => None,
    }
}

/// `create` → `Create`, `stagedDelete` → `StagedDelete`.
pub(crate) fn pascal(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => String::new(),
        Some(other) => other.to_string(),
    }
}

fn get<'a>(o: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| o.get(*k)).filter(|v| !v.is_null())
}

/// `{id, displayName, ...}` (Graph) or `{Id, Name, ...}` (diagnostic) as ordered diagnostic JSON.
fn id_name(o: Option<&Value>, extra_details: bool) -> Value {
    let Some(Value::Object(o)) = o else {
        return Value::Null;
    };
    let mut m = Map::new();
    m.insert("Id".into(), json!(text(get(o, &["Id", "id"]))));
    m.insert(
        "Name".into(),
        json!(text(get(o, &["Name", "displayName", "name"]))),
    );
    if extra_details {
        m.insert(
            "details".into(),
            get(o, &["details"]).cloned().unwrap_or_else(|| json!({})),
        );
    }
    Value::Object(m)
}

fn identity(o: Option<&Value>) -> Value {
    let Some(Value::Object(o)) = o else {
        return Value::Null;
    };
    let mut m = Map::new();
    m.insert(
        "identityType".into(),
        json!(text(get(o, &["identityType"]))),
    );
    m.insert(
        "details".into(),
        get(o, &["details"]).cloned().unwrap_or_else(|| json!({})),
    );
    m.insert("Id".into(), json!(text(get(o, &["Id", "id"]))));
    m.insert(
        "Name".into(),
        json!(text(get(o, &["Name", "displayName", "name"]))),
    );
    Value::Object(m)
}

fn initiated_by(o: Option<&Value>) -> Value {
    let Some(Value::Object(o)) = o else {
        return Value::Null;
    };
    let mut m = Map::new();
    m.insert(
        "Type".into(),
        json!(text(get(o, &["Type", "initiatorType", "initiatingType"])).to_lowercase()),
    );
    m.insert("Id".into(), json!(text(get(o, &["Id", "id"]))));
    m.insert("Name".into(), json!(text(get(o, &["Name", "displayName"]))));
    Value::Object(m)
}

fn steps(v: Option<&Value>) -> Value {
    let Some(Value::Array(items)) = v else {
        return json!([]);
    };
    Value::Array(
        items
            .iter()
            .map(|s| {
                let o = s.as_object().cloned().unwrap_or_default();
                let mut m = Map::new();
                m.insert("name".into(), json!(text(o.get("name"))));
                m.insert(
                    "provisioningStepType".into(),
                    enum_number(o.get("provisioningStepType"), STEP_TYPES),
                );
                m.insert("status".into(), enum_number(o.get("status"), RESULTS));
                m.insert("description".into(), json!(text(o.get("description"))));
                m.insert(
                    "details".into(),
                    o.get("details").cloned().unwrap_or_else(|| json!({})),
                );
                Value::Object(m)
            })
            .collect(),
    )
}

fn status_info(v: Option<&Value>) -> (Value, String, Option<Map<String, Value>>) {
    let o = v.and_then(Value::as_object).cloned().unwrap_or_default();
    let status = text(get(&o, &["Status", "status"])).to_lowercase();
    let err = get(&o, &["errorInformation"])
        .and_then(Value::as_object)
        .cloned();
    let mut m = Map::new();
    m.insert("Status".into(), json!(status));
    m.insert(
        "errorInformation".into(),
        err.clone().map_or(Value::Null, Value::Object),
    );
    (Value::Object(m), status, err)
}

fn json_text(v: Value) -> Value {
    match v {
        Value::Null => json!(""),
        other => Value::String(other.to_string()),
    }
}

/// One Graph-shaped object (Graph page entry or portal JSON download) as a table row.
pub fn graph_to_row(g: &Map<String, Value>) -> Map<String, Value> {
    let (psi, status, err) = status_info(g.get("provisioningStatusInfo"));
    let err = err.unwrap_or_default();
    let action = match get(g, &["action"]) {
        Some(a) => pascal(&text(Some(a))),
        None => pascal(&text(get(g, &["provisioningAction"]))),
    };
    let status_num = RESULTS
        .iter()
        .position(|r| *r == status)
        .map_or(Value::Null, |i| json!(i));
    let status_info = match get(g, &["statusInfo"]) {
        Some(s) => s.clone(),
        None => json!({"Status": status_num}),
    };
    let mut r = Map::new();
    let change = text(get(g, &["changeId"]));
    r.insert("TenantId".into(), json!(""));
    r.insert("AADTenantId".into(), json!(text(get(g, &["tenantId"]))));
    r.insert(
        "TimeGenerated".into(),
        json!(text(get(g, &["activityDateTime"]))),
    );
    r.insert("OperationName".into(), json!("Provisioning activity"));
    r.insert("OperationVersion".into(), json!("1.0"));
    r.insert("Category".into(), json!("ProvisioningLogs"));
    r.insert("ResultType".into(), json!(pascal(&status)));
    r.insert("ResultSignature".into(), json!(text(err.get("errorCode"))));
    r.insert("ResultDescription".into(), json!(text(err.get("reason"))));
    r.insert(
        "DurationMs".into(),
        get(g, &["durationInMilliseconds"])
            .cloned()
            .unwrap_or(Value::Null),
    );
    r.insert("CorrelationId".into(), json!(change));
    r.insert("Action".into(), json!(action));
    r.insert("ChangeId".into(), json!(change));
    r.insert("CycleId".into(), json!(text(get(g, &["cycleId"]))));
    r.insert("Id".into(), json!(text(get(g, &["id"]))));
    r.insert(
        "InitiatedBy".into(),
        json_text(initiated_by(g.get("initiatedBy"))),
    );
    r.insert("JobId".into(), json!(text(get(g, &["jobId"]))));
    r.insert(
        "ModifiedProperties".into(),
        json_text(
            g.get("modifiedProperties")
                .cloned()
                .unwrap_or_else(|| json!([])),
        ),
    );
    r.insert(
        "ProvisioningSteps".into(),
        json_text(steps(g.get("provisioningSteps"))),
    );
    r.insert(
        "ServicePrincipal".into(),
        json_text(id_name(g.get("servicePrincipal"), false)),
    );
    r.insert(
        "SourceIdentity".into(),
        json_text(identity(g.get("sourceIdentity"))),
    );
    r.insert(
        "SourceSystem".into(),
        json_text(id_name(g.get("sourceSystem"), true)),
    );
    r.insert("StatusInfo".into(), json_text(status_info));
    r.insert(
        "TargetIdentity".into(),
        json_text(identity(g.get("targetIdentity"))),
    );
    r.insert(
        "TargetSystem".into(),
        json_text(id_name(g.get("targetSystem"), true)),
    );
    r.insert(
        "ProvisioningAction".into(),
        json!(text(get(g, &["provisioningAction"]))),
    );
    r.insert("ProvisioningStatusInfo".into(), json_text(psi));
    r.insert("Type".into(), json!("AADProvisioningLogs"));
    r
}

/// One diagnostic-settings record (PT1H.json line, Event Hub `records[]` entry) as a table row:
/// the envelope gives the result columns, `properties` the rest.
pub fn resource_to_row(rec: &Map<String, Value>) -> Map<String, Value> {
    let props = rec
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut r = graph_to_row(&props);
    let set = |r: &mut Map<String, Value>, col: &str, v: Option<&Value>| {
        if let Some(v) = v.filter(|v| !v.is_null()) {
            r.insert(col.into(), v.clone());
        }
    };
    set(&mut r, "TimeGenerated", get(rec, &["time"]));
    set(&mut r, "AADTenantId", get(rec, &["tenantId"]));
    set(&mut r, "OperationName", get(rec, &["operationName"]));
    set(&mut r, "OperationVersion", get(rec, &["operationVersion"]));
    set(&mut r, "Category", get(rec, &["category"]));
    set(&mut r, "ResultType", get(rec, &["resultType"]));
    set(&mut r, "ResultSignature", get(rec, &["resultSignature"]));
    set(
        &mut r,
        "ResultDescription",
        get(rec, &["resultDescription"]),
    );
    // `durationMs` may be a string in the envelope; the properties hold the number.
    if r.get("DurationMs").is_none_or(Value::is_null) {
        set(&mut r, "DurationMs", get(rec, &["durationMs"]));
    }
    set(&mut r, "CorrelationId", get(rec, &["correlationId"]));
    r
}

/// The record id used to drop at-least-once duplicates (`properties.id`, else `identity`).
pub fn record_id(rec: &Map<String, Value>) -> Option<String> {
    rec.get("properties")
        .and_then(|p| p.get("id"))
        .or_else(|| rec.get("identity"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

fn parse(v: &Value) -> Value {
    match v {
        Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

/// A table row in the Graph shape (the inverse of [`graph_to_row`], for `kqlite generate`).
pub fn row_to_graph(row: &Map<String, Value>) -> Value {
    let obj = |k: &str| parse(row.get(k).unwrap_or(&Value::Null));
    let graph_id_name = |v: Value, details: bool| -> Value {
        let Value::Object(o) = v else {
            return Value::Null;
        };
        let mut m = Map::new();
        m.insert("id".into(), json!(text(o.get("Id"))));
        m.insert("displayName".into(), json!(text(o.get("Name"))));
        if details {
            m.insert(
                "details".into(),
                o.get("details").cloned().unwrap_or_else(|| json!({})),
            );
        }
        Value::Object(m)
    };
    let graph_identity = |v: Value| -> Value {
        let Value::Object(o) = v else {
            return Value::Null;
        };
        json!({"id": text(o.get("Id")), "displayName": text(o.get("Name")), "identityType": text(o.get("identityType")), "details": o.get("details").cloned().unwrap_or_else(|| json!({}))})
    };
    let ib = obj("InitiatedBy");
    let psi = obj("ProvisioningStatusInfo");
    let steps: Vec<Value> = match obj("ProvisioningSteps") {
        Value::Array(items) => items
            .iter()
            .map(|s| {
                let o = s.as_object().cloned().unwrap_or_default();
                json!({
                    "name": text(o.get("name")),
                    "provisioningStepType": enum_name(o.get("provisioningStepType"), STEP_TYPES),
                    "status": enum_name(o.get("status"), RESULTS),
                    "description": text(o.get("description")),
                    "details": o.get("details").cloned().unwrap_or_else(|| json!({})),
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "id": row.get("Id"),
        "activityDateTime": row.get("TimeGenerated"),
        "tenantId": row.get("AADTenantId"),
        "jobId": row.get("JobId"),
        "cycleId": row.get("CycleId"),
        "changeId": row.get("ChangeId"),
        "provisioningAction": row.get("ProvisioningAction"),
        "durationInMilliseconds": row.get("DurationMs"),
        "initiatedBy": {"id": text(ib.get("Id")), "displayName": text(ib.get("Name")), "initiatorType": text(ib.get("Type"))},
        "servicePrincipal": graph_id_name(obj("ServicePrincipal"), false),
        "sourceSystem": graph_id_name(obj("SourceSystem"), true),
        "targetSystem": graph_id_name(obj("TargetSystem"), true),
        "sourceIdentity": graph_identity(obj("SourceIdentity")),
        "targetIdentity": graph_identity(obj("TargetIdentity")),
        "provisioningStatusInfo": {"status": text(psi.get("Status")), "errorInformation": psi.get("errorInformation").cloned().unwrap_or(Value::Null)},
        "provisioningSteps": steps,
        "modifiedProperties": obj("ModifiedProperties"),
        "action": row.get("Action"),
    })
}

/// A table row as a diagnostic-settings record (for `kqlite generate --format resource-log`).
pub fn row_to_resource(row: &Map<String, Value>) -> Value {
    let obj = |k: &str| parse(row.get(k).unwrap_or(&Value::Null));
    let tenant = text(row.get("AADTenantId"));
    let mut rec = json!({
        "time": row.get("TimeGenerated"),
        "resourceId": format!("/tenants/{tenant}/providers/Microsoft.aadiam"),
        "operationName": row.get("OperationName"),
        "operationVersion": row.get("OperationVersion"),
        "category": row.get("Category"),
        "tenantId": tenant,
        "resultType": row.get("ResultType"),
        "durationMs": row.get("DurationMs"),
        "correlationId": row.get("CorrelationId"),
        "identity": row.get("Id"),
        "Level": 4,
        "properties": {
            "id": row.get("Id"),
            "activityDateTime": row.get("TimeGenerated"),
            "tenantId": tenant,
            "jobId": row.get("JobId"),
            "cycleId": row.get("CycleId"),
            "changeId": row.get("ChangeId"),
            "action": row.get("Action"),
            "provisioningAction": row.get("ProvisioningAction"),
            "servicePrincipal": obj("ServicePrincipal"),
            "sourceSystem": obj("SourceSystem"),
            "targetSystem": obj("TargetSystem"),
            "initiatedBy": obj("InitiatedBy"),
            "sourceIdentity": obj("SourceIdentity"),
            "targetIdentity": obj("TargetIdentity"),
            "provisioningStatusInfo": obj("ProvisioningStatusInfo"),
            "statusInfo": obj("StatusInfo"),
            "provisioningSteps": obj("ProvisioningSteps"),
            "modifiedProperties": obj("ModifiedProperties"),
            "durationInMilliseconds": row.get("DurationMs"),
        }
    });
    if row.get("ResultType").and_then(Value::as_str) == Some("Failure") {
        rec["resultSignature"] = row.get("ResultSignature").cloned().unwrap_or(Value::Null);
        rec["resultDescription"] = row.get("ResultDescription").cloned().unwrap_or(Value::Null);
    }
    rec
}
