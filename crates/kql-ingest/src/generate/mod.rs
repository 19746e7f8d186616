//! Deterministic, realistic `AADProvisioningLogs` rows for demos, examples and tests.
//!
//! Several apps provision users and groups in cycles; most operations succeed, some are skipped
//! (out of scope) or fail with the error codes each connector really reports. Two episodes make
//! the alert queries interesting: a failure burst (one app fails > 50 times in one hour, so the
//! failure-spike alert fires) and a quarantine-like stretch (one app fails everything, then goes
//! quiet, so the no-activity alert fires). Same `(rows, seed, start, days)`, same rows.

mod write;

pub use write::{Shape, write, write_parquet, write_portal_csv, write_to};

use kql_common::time;
use serde_json::{Value, json};

/// First timestamp of the built-in demo data: 2026-11-18T00:00:00Z.
pub const DEMO_START: i64 = 639_305_568_000_000_000;
/// End of the built-in demo data (seven days later), its `now()`.
pub const DEMO_END: i64 = DEMO_START + 7 * time::TICKS_PER_DAY;
/// Rows of the built-in demo data.
pub const DEMO_ROWS: usize = 20_000;

/// The built-in demo week of `AADProvisioningLogs`, as one batch of the columns of `schema` (all
/// of [`crate::tables::aad_provisioning_logs`] or some of them).
pub fn demo_week(
    schema: &kql_functions::KqlSchema,
) -> datafusion::error::Result<datafusion::arrow::record_batch::RecordBatch> {
    let mut builder = crate::load::builder::RowBuilder::new(schema.clone());
    for r in row_stream(&GenOptions {
        rows: DEMO_ROWS,
        seed: 42,
        start: DEMO_START,
        days: 7,
    }) {
        builder
            .append(|c| r.get(c))
            .map_err(|e| datafusion::error::DataFusionError::Internal(format!("demo row: {e}")))?;
    }
    builder.finish()
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenOptions {
    /// Number of rows.
    pub rows: usize,
    /// Random seed.
    pub seed: u64,
    /// First timestamp (ticks).
    pub start: i64,
    /// Days covered.
    pub days: u32,
}

/// SplitMix64: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    fn guid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            (b >> 48) & 0x3fff | 0x8000,
            b & 0xffff_ffff_ffff
        )
    }
}

struct App {
    name: &'static str,
    template: &'static str,
    /// Entra → app (outbound SCIM) or HR/API → Entra (inbound).
    inbound: bool,
    errors: &'static [(&'static str, &'static str)],
}

const APPS: &[App] = &[
    App {
        name: "Salesforce",
        template: "scim",
        inbound: false,
        errors: &[
            (
                "SystemForCrossDomainIdentityManagementServiceIncompatible",
                "The SCIM endpoint returned an unexpected response for {user}.",
            ),
            (
                "SystemForCrossDomainIdentityManagementMultipleEntriesInResponse",
                "More than one user matched {user} in Salesforce.",
            ),
        ],
    },
    App {
        name: "ServiceNow",
        template: "scim",
        inbound: false,
        errors: &[
            (
                "SystemForCrossDomainIdentityManagementServiceIncompatible",
                "ServiceNow rejected the request for {user}: invalid attribute value.",
            ),
            (
                "SystemForCrossDomainIdentityManagementBadGateway",
                "ServiceNow was unreachable while exporting {user}.",
            ),
        ],
    },
    App {
        name: "Dropbox Business",
        template: "DropboxSCIMOutDelta",
        inbound: false,
        errors: &[(
            "SystemForCrossDomainIdentityManagementUnauthorized",
            "The credentials for Dropbox Business are no longer valid.",
        )],
    },
    App {
        name: "Workday to Entra ID",
        template: "Workday2AAD",
        inbound: true,
        errors: &[
            (
                "AzureActiveDirectoryDuplicateUserPrincipalName",
                "A user with the userPrincipalName {user} already exists.",
            ),
            (
                "AzureActiveDirectoryInsufficientRights",
                "The provisioning service lacks rights to update {user}.",
            ),
        ],
    },
    App {
        name: "Fabrikam (cross-tenant sync)",
        template: "Azure2Azure",
        inbound: false,
        errors: &[(
            "AzureActiveDirectoryQuotaLimitExceeded",
            "The target tenant reached its directory object quota.",
        )],
    },
];

const FIRST: &[&str] = &[
    "Avery", "Blake", "Casey", "Dana", "Emerson", "Finley", "Gray", "Harper", "Indigo", "Jordan",
    "Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Reese", "Sage", "Taylor",
    "Umi", "Val", "Wren", "Xen", "Yael", "Zion",
];
const LAST: &[&str] = &[
    "Quinn",
    "Moreno",
    "Lindqvist",
    "Okafor",
    "Nakamura",
    "Silva",
    "Haddad",
    "Kowalski",
    "Fischer",
    "Dubois",
    "Rossi",
    "Novak",
    "Patel",
    "Larsen",
    "Costa",
    "Meyer",
];
const GROUPS: &[&str] = &[
    "Sales",
    "Finance",
    "Engineering",
    "Support",
    "HR",
    "Legal",
    "Marketing",
    "Contractors",
];
const DOMAIN: &str = "contoso-demo.example";

struct Identity {
    id: String,
    name: String,
    upn: Option<String>,
    group: bool,
}

struct World {
    tenant: String,
    workspace: String,
    app_ids: Vec<(String, String, String)>,
    identities: Vec<Identity>,
    /// JSON-text columns that depend only on the app or the identity, made once rather than
    /// once per row: `ServicePrincipal`, `SourceSystem`, `TargetSystem` per app, and
    /// `SourceIdentity` per identity.
    app_texts: Vec<[String; 3]>,
    identity_texts: Vec<String>,
}

impl World {
    fn new(rng: &mut Rng) -> World {
        let tenant = rng.guid();
        let workspace = rng.guid();
        let app_ids = APPS
            .iter()
            .map(|a| {
                (
                    rng.guid(),
                    rng.guid(),
                    format!("{}.{}.{}", a.template, tenant.replace('-', ""), rng.guid()),
                )
            })
            .collect();
        let mut identities = Vec::new();
        for i in 0..240 {
            let first = FIRST[i % FIRST.len()];
            let last = LAST[(i / FIRST.len() + i) % LAST.len()];
            let n = i / (FIRST.len() * LAST.len());
            let nick = if n == 0 { String::new() } else { n.to_string() };
            let upn = format!(
                "{}.{}{}@{DOMAIN}",
                first.to_lowercase(),
                last.to_lowercase(),
                nick
            );
            identities.push(Identity {
                id: rng.guid(),
                name: format!("{first} {last}"),
                upn: Some(upn),
                group: false,
            });
        }
        for g in GROUPS {
            identities.push(Identity {
                id: rng.guid(),
                name: format!("{g} team"),
                upn: None,
                group: true,
            });
        }
        let app_texts = APPS
            .iter()
            .zip(&app_ids)
            .map(|(app, ids): (&App, &(String, String, String))| {
                app_texts(app, &ids.0, &ids.1, &tenant)
            })
            .collect();
        let identity_texts = identities.iter().map(identity_text).collect();
        World {
            tenant,
            workspace,
            app_ids,
            identities,
            app_texts,
            identity_texts,
        }
    }
}

/// `ServicePrincipal`, `SourceSystem` and `TargetSystem` of `app`'s rows.
fn app_texts(app: &App, sp_id: &str, app_id: &str, tenant: &str) -> [String; 3] {
    let entra = json!({"Id": tenant, "Name": "Azure Active Directory", "details": {}});
    let (source, target) = if app.inbound {
        (
            json!({"Id": app_id, "Name": "Workday", "details": {}}),
            entra,
        )
    } else {
        (
            entra,
            json!({"Id": app_id, "Name": app.name, "details": {"ApplicationId": app_id, "ServicePrincipalId": sp_id, "ServicePrincipalDisplayName": app.name}}),
        )
    };
    [
        json!({"Id": sp_id, "Name": app.name}).to_string(),
        source.to_string(),
        target.to_string(),
    ]
}

/// `SourceIdentity` of `who`'s rows.
fn identity_text(who: &Identity) -> String {
    let kind = if who.group { "Group" } else { "User" };
    let mut details = json!({"id": who.id, "odatatype": kind, "DisplayName": who.name});
    if let Some(upn) = &who.upn {
        details["UserPrincipalName"] = json!(upn);
    }
    json!({"identityType": kind, "details": details, "Id": who.id, "Name": who.name}).to_string()
}

const HOUR: i64 = 3600 * time::TICKS_PER_SEC;

/// Where the episodes happen, relative to the start.
struct Episodes {
    burst_hour: i64,
    quarantine_from: i64,
    quarantine_to: i64,
    quiet_to: i64,
}

fn episodes(days: u32) -> Episodes {
    let span = i64::from(days.max(1)) * 24;
    Episodes {
        burst_hour: (span * 2 / 3).max(1),
        quarantine_from: span / 3,
        quarantine_to: span / 3 + 6,
        quiet_to: span / 3 + 18,
    }
}

/// Generates `opts.rows` rows as Log Analytics row objects (column name to value), in time order.
pub fn rows(opts: &GenOptions) -> Vec<Value> {
    row_stream(opts).collect()
}

/// The rows of [`rows`], made one at a time, so that any number can be written in bounded memory
/// (only the timestamps, 16 bytes a row, are drawn up front: the rows come out in time order).
pub fn row_stream(opts: &GenOptions) -> RowStream {
    let mut rng = Rng(opts.seed ^ 0x6B71_6C69_7465);
    let world = World::new(&mut rng);
    let ep = episodes(opts.days);
    let span = i64::from(opts.days.max(1)) * 24 * HOUR;
    // Burst rows: enough for the failure-spike alert (> 50 failures in an hour) at any size.
    let burst = if opts.rows >= 200 {
        (opts.rows / 40).max(60)
    } else {
        0
    };
    let mut times: Vec<(i64, bool)> = (0..opts.rows - burst.min(opts.rows))
        .map(|_| {
            // Business hours are busier.
            loop {
                let t = (rng.unit() * span as f64) as i64;
                let hour = (t / HOUR) % 24;
                if rng.unit() < if (7..19).contains(&hour) { 1.0 } else { 0.35 } {
                    break (t, false);
                }
            }
        })
        .collect();
    times.extend((0..burst.min(opts.rows)).map(|_| {
        (
            ep.burst_hour * HOUR + (rng.unit() * HOUR as f64) as i64,
            true,
        )
    }));
    times.sort_by_key(|(t, _)| *t);
    RowStream {
        rng,
        world,
        ep,
        start: opts.start,
        times: times.into_iter(),
    }
}

/// Iterator of generated rows; see [`row_stream`].
pub struct RowStream {
    rng: Rng,
    world: World,
    ep: Episodes,
    start: i64,
    times: std::vec::IntoIter<(i64, bool)>,
}

impl Iterator for RowStream {
    type Item = Value;

    fn next(&mut self) -> Option<Value> {
        let (offset, in_burst) = self.times.next()?;
        let (rng, ep) = (&mut self.rng, &self.ep);
        let at = self.start + offset;
        let hour = offset / HOUR;
        // During the quarantine stretch Dropbox fails everything; after it, it is silent.
        let mut app_ix = rng.below(APPS.len() as u64) as usize;
        let quarantined = (ep.quarantine_from..ep.quarantine_to).contains(&hour);
        while app_ix == 2 && (ep.quarantine_to..ep.quiet_to).contains(&hour) {
            app_ix = rng.below(APPS.len() as u64) as usize;
        }
        if in_burst {
            app_ix = 1;
        }
        Some(row(
            rng,
            &self.world,
            app_ix,
            at,
            in_burst || (quarantined && app_ix == 2),
        ))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.times.size_hint()
    }
}

/// `InitiatedBy` of every row: the provisioning service.
const INITIATED_BY: &str = r#"{"Type":"system","Id":"","Name":"Azure AD Provisioning Service"}"#;

fn row(rng: &mut Rng, w: &World, app_ix: usize, at: i64, force_failure: bool) -> Value {
    let app = &APPS[app_ix];
    let (_, _, job_id) = &w.app_ids[app_ix];
    let who_ix = rng.below(w.identities.len() as u64) as usize;
    let who = &w.identities[who_ix];
    let action = *rng.pick(&[
        "Create", "Update", "Update", "Update", "Delete", "Disable", "Other",
    ]);
    let roll = rng.unit();
    let result = if force_failure {
        "Failure"
    } else if roll < 0.80 {
        "Success"
    } else if roll < 0.92 {
        "Skipped"
    } else if roll < 0.98 {
        "Failure"
    } else {
        "Warning"
    };
    let (code, reason) = if result == "Failure" {
        let (c, r) = if force_failure {
            app.errors[0]
        } else {
            *rng.pick(app.errors)
        };
        (
            c.to_owned(),
            r.replace("{user}", who.upn.as_deref().unwrap_or(&who.name)),
        )
    } else {
        (String::new(), String::new())
    };
    let change = rng.guid();
    let cycle_slot = at / (40 * 60 * time::TICKS_PER_SEC);
    let cycle = format!(
        "{:08x}-0000-4000-8000-{:012x}",
        app_ix,
        cycle_slot & 0xffff_ffff_ffff
    );
    let kind = if who.group { "Group" } else { "User" };
    let [service_principal, source_system, target_system] = &w.app_texts[app_ix];
    let target_id = if result == "Failure" && action == "Create" {
        String::new()
    } else {
        format!("{:016x}", rng.next())
    };
    let target = json!({"identityType": kind, "details": {}, "Id": target_id, "Name": who.name});
    let status_num = match result {
        "Success" => 0,
        "Failure" => 1,
        "Skipped" => 2,
        _ => 3,
    };
    let verb = action.to_lowercase();
    let mut steps = vec![
        json!({"name": "EntryImportAdd", "provisioningStepType": 0, "status": 0, "description": format!("Received {kind} '{}' change of type ({action})", who.name), "details": {}}),
        json!({"name": "EntrySynchronizationScoping", "provisioningStepType": 1, "status": if result == "Skipped" { 2 } else { 0 }, "description": "Determine if the object is in scope", "details": {}}),
    ];
    if result != "Skipped" {
        steps.push(json!({"name": format!("EntryExport{action}"), "provisioningStepType": 5, "status": status_num, "description": if reason.is_empty() { format!("{kind} '{}' was {verb}d in {}", who.name, app.name) } else { reason.clone() }, "details": {}}));
    }
    let modified = if action == "Update" {
        json!([{"displayName": "department", "oldValue": "\"Sales\"", "newValue": format!("\"{}\"", rng.pick(GROUPS))}])
    } else {
        json!([])
    };
    let status_info = if result == "Failure" {
        json!({"Status": "failure", "errorInformation": {"errorCode": code, "reason": reason, "additionalDetails": null, "errorCategory": "failure", "recommendedAction": null}})
    } else {
        json!({"Status": result.to_lowercase(), "errorInformation": null})
    };
    let duration = 50 + rng.below(if result == "Failure" { 9000 } else { 2500 });
    // One map of the right size (json! would grow it key by key, several reallocations a row).
    let cells: [(&str, Value); 28] = [
        ("TenantId", json!(w.workspace)),
        ("AADTenantId", json!(w.tenant)),
        ("TimeGenerated", json!(time::format_datetime(at))),
        ("OperationName", json!("Provisioning activity")),
        ("OperationVersion", json!("1.0")),
        ("Category", json!("ProvisioningLogs")),
        ("ResultType", json!(result)),
        ("ResultSignature", json!(code)),
        ("ResultDescription", json!(reason)),
        ("DurationMs", json!(duration)),
        ("CorrelationId", json!(change)),
        ("Action", json!(action)),
        ("ChangeId", json!(change)),
        ("CycleId", json!(cycle)),
        ("Id", json!(rng.guid())),
        ("InitiatedBy", json!(INITIATED_BY)),
        ("JobId", json!(job_id)),
        ("ModifiedProperties", json!(modified.to_string())),
        ("ProvisioningSteps", json!(Value::Array(steps).to_string())),
        ("ServicePrincipal", json!(service_principal)),
        ("SourceIdentity", json!(w.identity_texts[who_ix])),
        ("SourceSystem", json!(source_system)),
        ("StatusInfo", json!(format!("{{\"Status\":{status_num}}}"))),
        ("TargetIdentity", json!(target.to_string())),
        ("TargetSystem", json!(target_system)),
        (
            "ProvisioningAction",
            json!(if action == "Other" {
                "other".to_owned()
            } else {
                verb
            }),
        ),
        ("ProvisioningStatusInfo", json!(status_info.to_string())),
        ("Type", json!("AADProvisioningLogs")),
    ];
    Value::Object(cells.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

/// Options for `rows` rows over a week from 2026-11-01, seed 7 (unit tests).
#[cfg(test)]
fn test_options(rows: usize) -> GenOptions {
    GenOptions {
        rows,
        seed: 7,
        start: time::parse_datetime("2026-11-01").unwrap_or(0),
        days: 7,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(rows: usize) -> GenOptions {
        test_options(rows)
    }

    #[test]
    fn demo_constants_agree() {
        assert_eq!(
            time::parse_datetime("2026-11-18T00:00:00Z"),
            Some(DEMO_START)
        );
        assert_eq!(time::format_datetime(DEMO_END), "2026-11-25T00:00:00Z");
    }

    #[test]
    fn deterministic_and_complete() {
        let a = rows(&opts(500));
        assert_eq!(a, rows(&opts(500)));
        assert_eq!(a.len(), 500);
        let schema = crate::tables::aad_provisioning_logs();
        for r in &a {
            for c in schema.names() {
                assert!(r.get(c).is_some(), "missing {c}");
            }
        }
        assert_ne!(
            a,
            rows(&GenOptions {
                seed: 8,
                ..opts(500)
            })
        );
    }
}
