//! Alert rules, run and replayed locally with the services' semantics.
//!
//! - [`formats`] reads rules from the files users keep them in (ARM templates of Azure Monitor
//!   and Sentinel rules, Sentinel YAML, Defender XDR detections, kqlite's TOML and `.kql` with a
//!   settings header) into one model, [`rule::Rule`], whose query remembers where each of its
//!   characters is in the file.
//! - [`evaluate`] runs a rule once at a time T over a [`kql_workspace::Workspace`]: the query sees
//!   only its time range ending at T, `now()` is T, and the result is measured as the service
//!   measures it.
//! - [`replay`] steps through a rule's evaluation times and carries alert state (fired,
//!   resolved, muted) from one to the next.
//! - [`builtin`] is the pack of the Entra provisioning guide's alerts.

pub mod builtin;
pub mod duration;
pub mod evaluate;
pub mod formats;
pub mod lint;
pub mod replay;
pub mod rule;

pub use formats::{Params, RuleError};
pub use rule::Rule;

/// The rule `spec` names: `builtin:NAME`, or a file (which may hold several rules).
pub fn load(spec: &str, params: &Params) -> Result<Vec<Rule>, RuleError> {
    if let Some(name) = spec.strip_prefix("builtin:") {
        return match builtin::rule(name) {
            Some(r) => r.map(|r| vec![r]),
            None => Err(RuleError::new(
                std::path::Path::new(spec),
                format!(
                    "no built-in rule `{name}` (there are: {})",
                    builtin::PACK
                        .iter()
                        .map(|(n, _, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        };
    }
    formats::read(std::path::Path::new(spec), params)
}
