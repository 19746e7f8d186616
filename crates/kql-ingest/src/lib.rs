//! Entra provisioning-log exports to Arrow. Every export shape an admin downloads (portal JSON
//! and CSV, Graph pages, Log Analytics rows and query API responses, diagnostic-settings
//! archives, Event Hub bodies, gzip of those), Parquet snapshots written and scanned in place,
//! JSON Lines followed live, `--table` files with inferred types, and the deterministic demo
//! generator. This is the only crate that knows `AADProvisioningLogs` ([`tables`]); it knows
//! nothing of KQL queries: it turns files into batches and table providers.

pub mod generate;
pub mod live;
pub mod load;
pub mod output_file;
pub mod tables;
