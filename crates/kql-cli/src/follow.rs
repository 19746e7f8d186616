//! `kqlite query --follow PATH|-`: records stream into a live `AADProvisioningLogs` while the
//! query re-runs whenever new records have landed (at most once a second). A pipe ends the run at
//! its end; a file is followed by name until the process is stopped (as `tail -F`: through
//! truncation, rotation and re-creation).

use crate::load_data::print_rejections;
use crate::print_format::{PrintFormat, stdout_writer, write_result};
use kql_common::snippet::{Style, styled};
use kql_engine::KqlContext;
use kql_engine::live::{LiveTable, follow, follow_file};
use kql_engine::tables::{AAD_PROVISIONING_LOGS, aad_provisioning_logs};
use std::path::Path;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

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

pub(crate) fn run(runtime: &tokio::runtime::Runtime, ctx: &KqlContext, run: &FollowRun<'_>) -> u8 {
    runtime.block_on(follow_and_query(ctx, run))
}

async fn follow_and_query(ctx: &KqlContext, run: &FollowRun<'_>) -> u8 {
    let table = match ctx.register_live(AAD_PROVISIONING_LOGS, aad_provisioning_logs(), run.retain)
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    // Check the query before waiting for data.
    if let Err(diags) = ctx.plan(run.text, run.now.unwrap_or_else(kql_engine::context_now)) {
        for d in &diags.0 {
            eprintln!("{}", styled(d, run.name, run.text, run.style));
        }
        return 1;
    }
    let source_name = run.source.display().to_string();
    let follower = spawn_follower(run.source, source_name, table.clone()).await;
    let mut follower = match follower {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let mut shown = u64::MAX;
    loop {
        let finished = follower.is_finished();
        let appended = table.appended();
        if appended != shown && (appended > 0 || finished) {
            shown = appended;
            if let Err(code) = query_once(ctx, run, &table).await {
                return code;
            }
        }
        if finished {
            return match (&mut follower).await {
                Ok(Ok(())) => 0,
                Ok(Err(e)) => {
                    eprintln!("error: {e}");
                    1
                }
                Err(e) => {
                    eprintln!("error: the reader stopped: {e}");
                    1
                }
            };
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn query_once(ctx: &KqlContext, run: &FollowRun<'_>, table: &LiveTable) -> Result<(), u8> {
    let now = run.now.unwrap_or_else(kql_engine::context_now);
    match ctx.execute_at(run.text, now).await {
        Ok(result) => {
            eprintln!(
                "-- {} · {} records held --",
                kql_common::time::format_datetime(kql_engine::context_now()),
                table.row_count().await
            );
            // A closed pipe ends the run quietly; any other failed write (a full disk) is an
            // error, as for a query run once.
            match write_result(stdout_writer(), &result, run.format, run.max_rows) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(0),
                Err(e) => {
                    eprintln!("error: writing the result: {}", crate::files::describe(&e));
                    Err(1)
                }
            }
        }
        Err(diags) => {
            for d in &diags.0 {
                eprintln!("{}", styled(d, run.name, run.text, run.style));
            }
            Err(1)
        }
    }
}

type Follower = tokio::task::JoinHandle<Result<(), String>>;

/// Starts reading `source` (`-` for stdin) into `table`; rejections are reported as they occur.
async fn spawn_follower(source: &Path, name: String, table: LiveTable) -> Result<Follower, String> {
    let report = |r: &kql_engine::load::LoadReport| {
        print_rejections(&r.file, r);
    };
    if source.as_os_str() == "-" {
        // Standard input is read on a thread of its own and piped into the async reader.
        let (mut tx, rx) = tokio::io::duplex(1 << 20);
        let handle = tokio::runtime::Handle::current();
        std::thread::spawn(move || {
            use std::io::Read;
            let mut stdin = std::io::stdin().lock();
            let mut buf = vec![0u8; 1 << 16];
            while let Ok(n) = stdin.read(&mut buf) {
                if n == 0 || handle.block_on(tx.write_all(&buf[..n])).is_err() {
                    break;
                }
            }
            let _ = handle.block_on(tx.shutdown());
        });
        Ok(tokio::spawn(async move {
            follow("stdin", rx, &table, None, report)
                .await
                .map_err(|e| e.to_string())
        }))
    } else {
        // A file that cannot be opened is an error at once, not once the query has run.
        tokio::fs::File::open(source)
            .await
            .map_err(|e| format!("{name}: {}", crate::files::describe(&e)))?;
        let path = source.to_path_buf();
        Ok(tokio::spawn(async move {
            // Followed by name: a rotated, truncated or re-created file is read on.
            follow_file(
                &path,
                &table,
                Duration::from_millis(250),
                report,
                |notice| {
                    eprintln!("--follow: {notice}");
                },
            )
            .await
            .map_err(|e| e.to_string())
        }))
    }
}
