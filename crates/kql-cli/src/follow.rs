//! `kqlite query --follow PATH|-`: records stream into a live `AADProvisioningLogs` while the
//! query re-runs whenever new records have landed (at most once a second). A pipe ends the run at
//! its end; a file is followed by name until the process is stopped (as `tail -F`: through
//! truncation, rotation and re-creation).

use crate::print_format::{PrintFormat, stdout_writer};
use kql_common::snippet::{Style, styled};
use kql_output::results::write_result;
use kql_workspace::{
    AAD_PROVISIONING_LOGS, Error, LiveHandle, LiveSource, Observer, Prepared, Workspace,
    context_now,
};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// What `--follow` needs from `kqlite query`.
pub(crate) struct FollowRun<'a> {
    pub source: &'a Path,
    pub retain: Option<i64>,
    pub name: &'a str,
    pub text: &'a str,
    pub now: Option<i64>,
    pub format: PrintFormat,
    pub max_rows: usize,
    pub style: Style,
}

pub(crate) fn run(
    runtime: &tokio::runtime::Runtime,
    ws: &Workspace,
    run: &FollowRun<'_>,
    events: Arc<dyn Observer>,
) -> u8 {
    runtime.block_on(follow_and_query(ws, run, events))
}

async fn follow_and_query(ws: &Workspace, run: &FollowRun<'_>, events: Arc<dyn Observer>) -> u8 {
    let now = || run.now.unwrap_or_else(context_now);
    // The query is checked before anything is read (against the table attached so far, of the
    // live table's schema), so a wrong query is all a wrong run reports.
    if let Err(e) = ws.prepare(run.text, now()) {
        return failed(run, &e);
    }
    let source = if run.source.as_os_str() == "-" {
        LiveSource::Stdin
    } else {
        LiveSource::File(run.source.to_path_buf())
    };
    let attached = ws
        .attach_live(AAD_PROVISIONING_LOGS, source, run.retain, events)
        .await;
    let mut live = match attached {
        Ok(l) => l,
        Err(e) => return failed(run, &e),
    };
    // Planned again against the live table, which its plan then scans.
    let prepared = match ws.prepare(run.text, now()) {
        Ok(p) => p,
        Err(e) => return failed(run, &e),
    };
    let mut shown = u64::MAX;
    loop {
        let finished = live.is_finished();
        let appended = live.appended();
        if appended != shown && (appended > 0 || finished) {
            shown = appended;
            if let Err(code) = query_once(ws, run, &prepared, &live).await {
                return code;
            }
        }
        if finished {
            return match live.finish().await {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("error: {e}");
                    1
                }
            };
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Prints why the run cannot go on; returns the exit code.
fn failed(run: &FollowRun<'_>, e: &Error) -> u8 {
    match e {
        Error::Query(diags) => {
            for d in &diags.0 {
                eprintln!("{}", styled(d, run.name, run.text, run.style));
            }
        }
        e => eprintln!("error: {e}"),
    }
    1
}

async fn query_once(
    ws: &Workspace,
    run: &FollowRun<'_>,
    prepared: &Prepared,
    live: &LiveHandle,
) -> Result<(), u8> {
    let now = run.now.unwrap_or_else(context_now);
    match ws.run(prepared, now).await {
        Ok(result) => {
            eprintln!(
                "-- {} · {} records held --",
                kql_common::time::format_datetime(context_now()),
                live.row_count().await
            );
            // A closed pipe ends the run quietly; any other failed write (a full disk) is an
            // error, as for a query run once.
            match write_result(
                stdout_writer(),
                &result.schema,
                &result.batches,
                result.render.as_ref(),
                run.format.into(),
                run.max_rows,
            ) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(0),
                Err(e) => {
                    eprintln!("error: writing the result: {}", crate::files::describe(&e));
                    Err(1)
                }
            }
        }
        Err(e) => Err(failed(run, &e)),
    }
}
