//! Built-in table schemas.

use kql_functions::{KqlSchema, KqlType};

/// The Log Analytics table of Microsoft Entra provisioning logs.
pub const AAD_PROVISIONING_LOGS: &str = "AADProvisioningLogs";

/// `AADProvisioningLogs` columns in `getschema` order with their Kusto types. JSON-bearing
/// columns (`SourceIdentity`, `ProvisioningSteps`, ...) are strings holding JSON text, as in Log
/// Analytics: read them with `parse_json()`.
/// <https://learn.microsoft.com/azure/azure-monitor/reference/tables/aadprovisioninglogs>
pub fn aad_provisioning_logs() -> KqlSchema {
    use KqlType::{DateTime, Long, String as S};
    let cols: [(&str, KqlType); 28] = [
        ("TenantId", S),
        ("AADTenantId", S),
        ("TimeGenerated", DateTime),
        ("OperationName", S),
        ("OperationVersion", S),
        ("Category", S),
        ("ResultType", S),
        ("ResultSignature", S),
        ("ResultDescription", S),
        ("DurationMs", Long),
        ("CorrelationId", S),
        ("Action", S),
        ("ChangeId", S),
        ("CycleId", S),
        ("Id", S),
        ("InitiatedBy", S),
        ("JobId", S),
        ("ModifiedProperties", S),
        ("ProvisioningSteps", S),
        ("ServicePrincipal", S),
        ("SourceIdentity", S),
        ("SourceSystem", S),
        ("StatusInfo", S),
        ("TargetIdentity", S),
        ("TargetSystem", S),
        ("ProvisioningAction", S),
        ("ProvisioningStatusInfo", S),
        ("Type", S),
    ];
    KqlSchema::new(cols.into_iter().map(|(n, t)| (n.to_owned(), t)))
}
