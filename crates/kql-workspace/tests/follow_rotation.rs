//! `follow_file` follows a file by name, as `tail -F` does: through logrotate's copytruncate,
//! its create mode and a delete + re-create, every record is counted exactly once.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests report failures by panicking"
)]

use kql_engine::KqlContext;
use kql_ingest::generate::{DEMO_START, GenOptions, Shape, rows, write};
use kql_ingest::live::follow_file;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
#[path = "../../kql-ingest/tests/common/mod.rs"]
mod common;
mod engine;

#[derive(Clone, Copy, Debug)]
enum Rotation {
    /// `cp f f.1 && truncate -s 0 f`; the writer goes on appending to `f`.
    CopyTruncate,
    /// `mv f f.1`, the writer adds a few records to `f.1`, then a new `f`.
    Create,
    /// `rm f`, then a new `f`.
    DeleteRecreate,
}

/// Rows then distinct ids in the live table.
async fn counts(ctx: &KqlContext) -> (i64, i64) {
    let r = ctx
        .execute_at(
            "AADProvisioningLogs | summarize n = count(), ids = dcount(Id)",
            DEMO_START,
        )
        .await
        .unwrap();
    let b = &r.batches[0];
    let get = |i: usize| kql_functions::value::json_value(b.column(i), 0, r.schema.fields[i].ty);
    (get(0).as_i64().unwrap(), get(1).as_i64().unwrap())
}

/// Polls until the table holds `want` rows, each once (a bound on polls, not on time, so that a
/// lost record fails the test instead of hanging it).
async fn wait_for_rows(ctx: &KqlContext, want: i64) {
    for _ in 0..20_000 {
        let (n, ids) = counts(ctx).await;
        assert_eq!(n, ids, "a record was counted twice");
        assert!(n <= want, "{n} rows, expected {want}");
        if n == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    panic!("never reached {want} rows: {:?}", counts(ctx).await);
}

async fn wait_for_notice(notices: &Mutex<Vec<String>>, part: &str) {
    for _ in 0..20_000 {
        if notices.lock().unwrap().iter().any(|n| n.contains(part)) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    panic!("no notice with {part:?}: {:?}", notices.lock().unwrap());
}

/// Writes `text` in uneven pieces that cut lines in the middle.
fn write_in_pieces(f: &mut std::fs::File, text: &str) {
    for piece in text.as_bytes().chunks(331) {
        f.write_all(piece).unwrap();
        f.flush().unwrap();
    }
}

fn append_to(path: &Path) -> std::fs::File {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
}

async fn follow_through(rotation: Rotation) {
    // Before the rotation, records to the rotated file, after it. Fewer bytes after than before,
    // so that a truncation shows in the size whenever the follower looks.
    let table_rows = rows(&GenOptions {
        rows: 100,
        seed: 41,
        start: DEMO_START,
        days: 1,
    });
    let before = write(&table_rows[..60], Shape::Ndjson);
    let late = write(&table_rows[60..70], Shape::Ndjson);
    let after = write(&table_rows[70..], Shape::Ndjson);
    let dir = common::scratch("follow-rotation", &format!("{rotation:?}"));
    let path = dir.join("f.json");
    let rotated = dir.join("f.json.1");
    let mut writer = append_to(&path);

    let ctx = engine::new();
    let table = engine::live(&ctx, None);
    let notices = Arc::new(Mutex::new(Vec::new()));
    let follower = {
        let (table, path, notices) = (table.clone(), path.clone(), notices.clone());
        tokio::spawn(async move {
            follow_file(
                &path,
                &table,
                Duration::from_millis(5),
                |r| assert!(r.rejected.is_empty(), "{r:?}"),
                |n| notices.lock().unwrap().push(n.to_owned()),
            )
            .await
        })
    };

    write_in_pieces(&mut writer, &before);
    wait_for_rows(&ctx, 60).await;
    let mut expected = 60 + 30;
    match rotation {
        Rotation::CopyTruncate => {
            std::fs::copy(&path, &rotated).unwrap();
            writer.set_len(0).unwrap();
            write_in_pieces(&mut writer, &after);
        }
        Rotation::Create => {
            std::fs::rename(&path, &rotated).unwrap();
            // The writer has not reopened yet: these land in the rotated file.
            write_in_pieces(&mut writer, &late);
            expected += 10;
            write_in_pieces(&mut append_to(&path), &after);
        }
        Rotation::DeleteRecreate => {
            drop(writer);
            std::fs::remove_file(&path).unwrap();
            wait_for_notice(&notices, "was removed; waiting for it to come back").await;
            write_in_pieces(&mut append_to(&path), &after);
        }
    }
    wait_for_rows(&ctx, expected).await;
    let said = match rotation {
        Rotation::CopyTruncate => "f.json was truncated; reading from its start",
        Rotation::Create | Rotation::DeleteRecreate => "f.json was replaced; reading the new file",
    };
    wait_for_notice(&notices, said).await;
    assert!(!follower.is_finished(), "the follower stopped");
    follower.abort();
    assert_eq!(
        notices.lock().unwrap().len(),
        1 + usize::from(matches!(rotation, Rotation::DeleteRecreate))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copytruncate_counts_every_record_once() {
    follow_through(Rotation::CopyTruncate).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logrotate_create_mode_counts_every_record_once() {
    follow_through(Rotation::Create).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_and_recreate_counts_every_record_once() {
    follow_through(Rotation::DeleteRecreate).await;
}
