//! How `kqlite status` prints the jobs: one block per job for people, a JSON array for scripts.

use super::Job;
use super::infer::{Cycle, CycleKind, Episode, Reason, cycle_kind, quarantine_episodes};
use kql_common::time::{TICKS_PER_SEC, format_datetime};
use kql_output::results::grouped as thousands;
use serde_json::{Value, json};
use std::fmt::Write as _;

/// `2026-11-24 23:20:01` (UTC, to the second: the portal's precision).
fn when(ticks: i64) -> String {
    let iso = format_datetime(ticks);
    iso.get(..19).unwrap_or(&iso).replace('T', " ")
}

/// `12 h 4 min`, `40 min`, `3 d 2 h`, `25 s`.
fn span(ticks: i64) -> String {
    let secs = ticks.max(0) / TICKS_PER_SEC;
    let (d, h, m) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{secs} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

fn reason_text(reason: &Reason) -> String {
    match reason {
        Reason::Blocking(code) => format!("credentials or SCIM compliance ({code})"),
        Reason::EscrowProportion {
            failures,
            operations,
        } => format!(
            "escrow: {} of {} operations failed ({:.0} %, over 40 %)",
            thousands(*failures),
            thousands(*operations),
            *failures as f64 * 100.0 / (*operations).max(1) as f64
        ),
        Reason::EscrowTotal(n) => format!("escrow: {} failures (over 40,000)", thousands(*n)),
        Reason::EscrowAbsolute(n) => {
            format!("escrow: {} failures in all (over 60,000)", thousands(*n))
        }
    }
}

/// The median gap between the starts of consecutive cycles.
fn median_gap(cycles: &[Cycle]) -> Option<i64> {
    let mut gaps: Vec<i64> = cycles.windows(2).map(|w| w[1].start - w[0].start).collect();
    gaps.sort_unstable();
    gaps.get(gaps.len() / 2).copied()
}

fn in_scope(job: &Job) -> u64 {
    job.users_in_scope + job.groups_in_scope
}

fn kind_name(kind: CycleKind) -> &'static str {
    match kind {
        CycleKind::Initial => "initial",
        CycleKind::Incremental => "incremental",
    }
}

/// The last initial cycle, and whether a later cycle shows it completed.
fn initial_cycle(job: &Job) -> Option<(&Cycle, bool)> {
    let scope = in_scope(job);
    let at = job
        .cycles
        .iter()
        .rposition(|c| cycle_kind(c, scope) == CycleKind::Initial)?;
    Some((&job.cycles[at], at + 1 < job.cycles.len()))
}

fn episode_line(e: &Episode) -> String {
    let until = match e.lifted {
        Some(t) => format!("→ {} UTC", when(t)),
        None => "→ still quarantined".to_owned(),
    };
    let silence = if e.longest_silence > 0 {
        format!("; longest silence {}", span(e.longest_silence))
    } else {
        String::new()
    };
    format!(
        "{} {until}  {}: {} failures in {} cycles{silence}",
        when(e.from),
        reason_text(&e.reason),
        thousands(e.failures),
        e.cycles
    )
}

pub(crate) fn text(jobs: &[Job], now: i64) -> String {
    let mut out = String::new();
    for (n, job) in jobs.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        let (Some(first), Some(last)) = (job.cycles.first(), job.cycles.last()) else {
            continue;
        };
        let row = |out: &mut String, label: &str, value: String| {
            let _ = writeln!(out, "  {label:<14}  {value}");
        };
        let _ = writeln!(
            out,
            "{}",
            if job.app.is_empty() {
                "(no app name)"
            } else {
                &job.app
            }
        );
        row(&mut out, "Job", job.id.clone());
        row(
            &mut out,
            "Users",
            format!(
                "{} processed, {} in scope",
                thousands(job.users),
                thousands(job.users_in_scope)
            ),
        );
        row(
            &mut out,
            "Groups",
            format!(
                "{} processed, {} in scope",
                thousands(job.groups),
                thousands(job.groups_in_scope)
            ),
        );
        let failed = if last.failures > 0 {
            format!(", {} failed", thousands(last.failures))
        } else {
            String::new()
        };
        row(
            &mut out,
            "Last cycle",
            format!(
                "{}, {} → {} UTC, {} entries{failed}",
                kind_name(cycle_kind(last, in_scope(job))),
                when(last.start),
                when(last.end),
                thousands(last.entries)
            ),
        );
        let initial = match initial_cycle(job) {
            Some((c, true)) => format!("completed {} UTC", when(c.end)),
            Some((c, false)) => format!(
                "started {} UTC, not yet followed by an incremental cycle",
                when(c.start)
            ),
            None => format!(
                "not in the data (all {} cycles since {} UTC are incremental)",
                thousands(job.cycles.len() as u64),
                when(first.start)
            ),
        };
        row(&mut out, "Initial cycle", initial);
        let gap = median_gap(&job.cycles)
            .map(|g| format!(", typically {} apart", span(g)))
            .unwrap_or_default();
        row(
            &mut out,
            "Cycles",
            format!("{}{gap}", thousands(job.cycles.len() as u64)),
        );
        row(
            &mut out,
            "Last activity",
            format!(
                "{} UTC ({} before now)",
                when(last.end),
                span(now - last.end)
            ),
        );
        let episodes = quarantine_episodes(&job.cycles);
        let current = episodes.last().filter(|e| e.lifted.is_none());
        let summary = match (current, episodes.len()) {
            (Some(e), _) => format!(
                "QUARANTINED since {} UTC: {}",
                when(e.from),
                reason_text(&e.reason)
            ),
            (None, 0) => "no".to_owned(),
            (None, 1) => "no (1 episode in the data)".to_owned(),
            (None, k) => format!("no ({k} episodes in the data)"),
        };
        row(&mut out, "Quarantine", summary);
        for e in &episodes {
            let _ = writeln!(out, "    {}", episode_line(e));
        }
    }
    out.trim_end().to_owned()
}

fn episode_json(e: &Episode) -> Value {
    let (reason, code) = match &e.reason {
        Reason::Blocking(code) => ("credentials_or_scim_compliance", Some(code.clone())),
        Reason::EscrowProportion { .. } => ("escrow_proportion", None),
        Reason::EscrowTotal(_) => ("escrow_total", None),
        Reason::EscrowAbsolute(_) => ("escrow_absolute", None),
    };
    json!({
        "reason": reason,
        "error_code": code,
        "description": reason_text(&e.reason),
        "from": format_datetime(e.from),
        "lifted": e.lifted.map(format_datetime),
        "failures": e.failures,
        "cycles": e.cycles,
        "longest_silence_seconds": e.longest_silence / TICKS_PER_SEC,
    })
}

pub(crate) fn json(jobs: &[Job]) -> String {
    let items: Vec<Value> = jobs
        .iter()
        .map(|job| {
            let scope = in_scope(job);
            let last = job.cycles.last();
            let episodes = quarantine_episodes(&job.cycles);
            let initial = initial_cycle(job);
            json!({
                "job_id": job.id,
                "app": job.app,
                "users": {"processed": job.users, "in_scope": job.users_in_scope},
                "groups": {"processed": job.groups, "in_scope": job.groups_in_scope},
                "cycles": job.cycles.len(),
                "last_cycle": last.map(|c| json!({
                    "cycle_id": c.id,
                    "kind": kind_name(cycle_kind(c, scope)),
                    "start": format_datetime(c.start),
                    "end": format_datetime(c.end),
                    "entries": c.entries,
                    "failures": c.failures,
                })),
                "initial_cycle": initial.map(|(c, completed)| json!({
                    "cycle_id": c.id,
                    "start": format_datetime(c.start),
                    "end": format_datetime(c.end),
                    "completed": completed,
                })),
                "quarantined": episodes.last().is_some_and(|e| e.lifted.is_none()),
                "quarantine_episodes": episodes.iter().map(episode_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&Value::Array(items)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_people_write_them() {
        let min = 60 * TICKS_PER_SEC;
        assert_eq!(span(25 * TICKS_PER_SEC), "25 s");
        assert_eq!(span(40 * min), "40 min");
        assert_eq!(span(12 * 60 * min + 4 * min), "12 h 4 min");
        assert_eq!(span(74 * 60 * min), "3 d 2 h");
    }
}
