//! Live tables: records appended to a file while queries run are each counted exactly once.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests report failures by panicking"
)]

mod engine;

use kql_engine::KqlContext;
use kql_ingest::generate::{DEMO_START, GenOptions, Shape, rows, write};
use kql_ingest::live::follow;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

fn sample(n: usize, seed: u64, days: u32) -> Vec<serde_json::Value> {
    rows(&GenOptions {
        rows: n,
        seed,
        start: DEMO_START,
        days,
    })
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_appended_while_queries_run_are_counted_once() {
    const TOTAL: usize = 1500;
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("live");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("growing.json");
    std::fs::write(&path, "").unwrap();
    let ctx = engine::new();
    let table = engine::live(&ctx, None);

    // The writer appends resource-log lines in uneven pieces that cut lines in the middle.
    let text = write(&sample(TOTAL, 21, 2), Shape::ResourceLog).into_bytes();
    let writer_path = path.clone();
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(writer_path)
            .unwrap();
        let mut at = 0;
        let mut step = 1;
        while at < text.len() {
            let end = (at + step * 997).min(text.len());
            f.write_all(&text[at..end]).unwrap();
            f.flush().unwrap();
            at = end;
            step = step % 37 + 1;
            std::thread::sleep(Duration::from_millis(2));
        }
    });
    let follower_table = table.clone();
    let follower_path = path.clone();
    let follower = tokio::spawn(async move {
        let file = tokio::fs::File::open(&follower_path).await.unwrap();
        follow(
            "growing.json",
            file,
            &follower_table,
            Some(Duration::from_millis(5)),
            |r| assert!(r.rejected.is_empty(), "{r:?}"),
        )
        .await
    });

    let mut last = 0;
    let mut polls = 0;
    loop {
        let (n, ids) = counts(&ctx).await;
        assert_eq!(n, ids, "a record was counted twice");
        assert!(n >= last && n <= TOTAL as i64, "{last} then {n}");
        last = n;
        if n == TOTAL as i64 && writer.is_finished() {
            break;
        }
        polls += 1;
        // A bound so a lost record fails the test instead of hanging it.
        assert!(polls < 20_000, "stuck at {n} of {TOTAL}");
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    writer.join().unwrap();
    follower.abort();
    assert!(
        polls > 1,
        "queries should have run while records were arriving"
    );
    assert_eq!(table.row_count().await, TOTAL);
}

#[tokio::test]
async fn a_pipe_of_mixed_lines_loads_to_its_end() {
    let ctx = engine::new();
    let table = engine::live(&ctx, None);
    let table_rows = sample(30, 22, 1);
    let mut input = write(&table_rows[..10], Shape::ResourceLog);
    input.push_str(&write(&table_rows[10..20], Shape::EventHub));
    input.push('\n');
    input.push_str("{not json\n");
    input.push_str(write(&table_rows[20..], Shape::ResourceLog).trim_end());
    let mut rejected = Vec::new();
    follow("stdin", input.as_bytes(), &table, None, |r| {
        rejected.extend(r.rejected.iter().map(|x| x.line));
    })
    .await
    .unwrap();
    assert_eq!(counts(&ctx).await, (30, 30));
    assert_eq!(rejected, vec![12]);
}

#[tokio::test]
async fn retention_keeps_the_newest_window() {
    let ctx = engine::new();
    let day = kql_common::time::TICKS_PER_DAY;
    let table = engine::live(&ctx, Some(day));
    let table_rows = sample(600, 23, 3);
    let input = write(&table_rows, Shape::Ndjson);
    follow("rows", input.as_bytes(), &table, None, |_| {})
        .await
        .unwrap();
    let r = ctx
        .execute_at(
            "AADProvisioningLogs | summarize n = count(), span = max(TimeGenerated) - min(TimeGenerated) | extend within = span <= 1d",
            DEMO_START,
        )
        .await
        .unwrap();
    let b = &r.batches[0];
    let n = kql_functions::value::json_value(b.column(0), 0, r.schema.fields[0].ty);
    let span = kql_functions::value::json_value(b.column(1), 0, r.schema.fields[1].ty);
    let within = kql_functions::value::json_value(b.column(2), 0, r.schema.fields[2].ty);
    let n = n.as_i64().unwrap();
    assert!(n > 0 && n < 600, "{n}");
    assert_eq!(
        within,
        serde_json::json!(true),
        "kept more than a day: {span}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunk_that_starts_with_a_damaged_line_loads_the_rest() {
    // What a reader that joins mid-line sees: the tail of a line, then whole records.
    for shape in [Shape::Ndjson, Shape::ResourceLog] {
        let text = write(&sample(5, 22, 1), shape);
        let input = format!("ail\":\"cut\"}}\n{text}");
        let ctx = engine::new();
        let table = engine::live(&ctx, None);
        let (mut loaded, mut rejected) = (0, 0);
        follow("stdin", input.as_bytes(), &table, None, |r| {
            loaded += r.loaded;
            rejected += r.rejected.len();
        })
        .await
        .unwrap();
        assert_eq!((loaded, rejected), (5, 1), "{shape:?}");
        assert_eq!(counts(&ctx).await, (5, 5), "{shape:?}");
    }
}
