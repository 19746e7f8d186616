//! What the portal's provisioning progress bar would say, inferred from a job's cycles: the last
//! cycle and its kind, and the quarantine episodes the logs show. The service keeps its escrow
//! counters to itself, so the rules are the documented ones applied to what the logs record:
//! - credentials or SCIM-compliance errors quarantine whatever the counts, once every call keeps
//!   failing: consecutive cycles in which every operation that got past scoping failed
//!   ([`MIN_RUN_CYCLES`] cycles, [`MIN_RUN_FAILURES`] failures at least, one of them such an
//!   error);
//! - escrow: once [`ESCROW_BASE`] failures have accrued, more than 40 % of operations failing or
//!   more than 40,000 failures (reference failures left out of both), or 60,000 failures in all;
//! - a quarantine lifts at the first successful operation after it (any successful retry lifts
//!   it), which also clears the escrow counters.

/// One provisioning cycle of a job, as the cycle query summarizes it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Cycle {
    pub id: String,
    /// First and last entry (ticks).
    pub start: i64,
    pub end: i64,
    pub entries: u64,
    pub successes: u64,
    pub failures: u64,
    pub skipped: u64,
    /// Failures whose code is a credentials or SCIM-compliance error, and one such code.
    pub blocking: u64,
    pub blocking_code: String,
    /// Failures to resolve a reference (manager, group member): not counted toward 40 %.
    pub reference_failures: u64,
    /// Distinct identities the cycle evaluated.
    pub identities: u64,
}

impl Cycle {
    /// Every operation that got past scoping failed.
    fn all_failed(&self) -> bool {
        self.failures > 0 && self.failures + self.skipped == self.entries
    }
}

/// Error codes that mean the target refuses the credentials or speaks SCIM wrongly; the service
/// quarantines on these regardless of counts.
pub(crate) const BLOCKING_CODE_ENDINGS: [&str; 6] = [
    "Unauthorized",
    "InvalidCredential",
    "InvalidCredentials",
    "ExpiredCredentials",
    "AuthenticationFailed",
    "ServiceIncompatible",
];

/// A run of wholly failed cycles is a credentials quarantine from this many cycles on...
pub(crate) const MIN_RUN_CYCLES: usize = 2;
/// ...and this many failures (one failed call in a tiny cycle is not "keeps failing").
pub(crate) const MIN_RUN_FAILURES: u64 = 10;
/// Escrow thresholds are evaluated once this many failures have accrued.
pub(crate) const ESCROW_BASE: u64 = 5_000;
const ESCROW_TOTAL: u64 = 40_000;
const ESCROW_ABSOLUTE: u64 = 60_000;

/// Why a job was (or is) in quarantine.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Reason {
    /// Credentials or SCIM compliance, with the error code seen.
    Blocking(String),
    /// More than 40 % of operations failing once 5,000 failures accrued.
    EscrowProportion { failures: u64, operations: u64 },
    /// More than 40,000 failures (reference failures excluded).
    EscrowTotal(u64),
    /// More than 60,000 failures in all.
    EscrowAbsolute(u64),
}

/// A stretch of time in which the job was in quarantine.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Episode {
    pub reason: Reason,
    /// First failure of the stretch (ticks).
    pub from: i64,
    /// First successful operation after it, or `None` while still quarantined.
    pub lifted: Option<i64>,
    /// Failures from `from` to the lift.
    pub failures: u64,
    /// Cycles from `from` to the lift.
    pub cycles: usize,
    /// The longest silence (no entry at all) while quarantined: the service slows a quarantined
    /// job to one cycle a day.
    pub longest_silence: i64,
}

/// The kind of a cycle, as the progress bar names it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum CycleKind {
    /// Evaluated every object in scope.
    Initial,
    /// Evaluated only changes.
    Incremental,
}

/// An initial cycle evaluates every object in scope (here: 90 % of those the job has in scope at
/// least); an incremental one only what changed. A cycle where most operations fail is a retry
/// storm, not a sweep of the scope, however many objects it touched.
pub(crate) fn cycle_kind(cycle: &Cycle, in_scope: u64) -> CycleKind {
    let operations = cycle.entries - cycle.skipped.min(cycle.entries);
    let sweeps_scope = in_scope >= 2 && cycle.identities * 10 >= in_scope * 9;
    if sweeps_scope && cycle.failures * 2 < operations {
        CycleKind::Initial
    } else {
        CycleKind::Incremental
    }
}

/// The quarantine episodes of one job's `cycles` (in time order).
pub(crate) fn quarantine_episodes(cycles: &[Cycle]) -> Vec<Episode> {
    let mut episodes = Vec::new();
    let mut i = 0;
    // Escrow counters: operations and failures since the last lift.
    let (mut operations, mut failures, mut nonref_failures) = (0u64, 0u64, 0u64);
    while i < cycles.len() {
        let run = blocking_run(&cycles[i..]);
        let reason = if let Some(code) = run {
            Some(Reason::Blocking(code))
        } else {
            let c = &cycles[i];
            operations += c.entries - c.skipped;
            failures += c.failures;
            nonref_failures += c.failures - c.reference_failures.min(c.failures);
            escrow_reason(operations, nonref_failures, failures)
        };
        let Some(reason) = reason else {
            i += 1;
            continue;
        };
        let episode = close_episode(reason, &cycles[i..]);
        i += episode.cycles.max(1);
        (operations, failures, nonref_failures) = (0, 0, 0);
        episodes.push(episode);
    }
    episodes
}

/// The blocking error code when `cycles` starts a run of wholly failed cycles long enough to be a
/// credentials or SCIM-compliance quarantine.
fn blocking_run(cycles: &[Cycle]) -> Option<String> {
    let run: Vec<&Cycle> = cycles.iter().take_while(|c| c.all_failed()).collect();
    let failures: u64 = run.iter().map(|c| c.failures).sum();
    if run.len() < MIN_RUN_CYCLES || failures < MIN_RUN_FAILURES {
        return None;
    }
    run.iter()
        .find(|c| c.blocking > 0)
        .map(|c| c.blocking_code.clone())
}

fn escrow_reason(operations: u64, nonref: u64, all: u64) -> Option<Reason> {
    if all > ESCROW_ABSOLUTE {
        return Some(Reason::EscrowAbsolute(all));
    }
    if all < ESCROW_BASE {
        return None;
    }
    if nonref > ESCROW_TOTAL {
        Some(Reason::EscrowTotal(nonref))
    } else if nonref * 10 > operations * 4 {
        Some(Reason::EscrowProportion {
            failures: nonref,
            operations,
        })
    } else {
        None
    }
}

/// The episode that starts with `cycles[0]`: it lasts until a cycle with a success.
fn close_episode(reason: Reason, cycles: &[Cycle]) -> Episode {
    let from = cycles[0].start;
    let mut episode = Episode {
        reason,
        from,
        lifted: None,
        failures: 0,
        cycles: 0,
        longest_silence: 0,
    };
    let mut last_end = from;
    for (n, c) in cycles.iter().enumerate() {
        // The cycle that lifts the quarantine starts after its first success; its start is the
        // closest the logs come to that moment.
        if n > 0 && c.successes > 0 {
            episode.longest_silence = episode.longest_silence.max(c.start - last_end);
            episode.lifted = Some(c.start);
            return episode;
        }
        episode.longest_silence = episode.longest_silence.max(c.start - last_end);
        episode.failures += c.failures;
        episode.cycles += 1;
        last_end = c.end;
    }
    episode
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60 * 10_000_000;

    fn cycle(n: i64, entries: u64, failures: u64, code: &str) -> Cycle {
        let blocking = BLOCKING_CODE_ENDINGS.iter().any(|e| code.ends_with(e));
        Cycle {
            id: format!("c{n}"),
            start: n * 40 * MIN,
            end: n * 40 * MIN + 30 * MIN,
            entries,
            successes: entries - failures,
            failures,
            blocking: if blocking { failures } else { 0 },
            blocking_code: if blocking { code.into() } else { String::new() },
            identities: entries,
            ..Cycle::default()
        }
    }

    #[test]
    fn a_run_of_credential_failures_is_an_episode_lifted_by_the_next_success() {
        let mut cycles: Vec<Cycle> = (0..3).map(|n| cycle(n, 20, 1, "X")).collect();
        cycles.extend((3..6).map(|n| cycle(n, 15, 15, "ScimUnauthorized")));
        cycles.push(cycle(40, 20, 0, ""));
        let episodes = quarantine_episodes(&cycles);
        assert_eq!(episodes.len(), 1);
        let e = &episodes[0];
        assert_eq!(e.reason, Reason::Blocking("ScimUnauthorized".into()));
        assert_eq!((e.from, e.lifted), (3 * 40 * MIN, Some(40 * 40 * MIN)));
        assert_eq!((e.failures, e.cycles), (45, 3));
        assert_eq!(e.longest_silence, 40 * 40 * MIN - (5 * 40 * MIN + 30 * MIN));
    }

    #[test]
    fn failures_that_are_not_blocking_or_too_few_are_no_episode() {
        // Whole cycles failing with a transient error: escrow counts, not quarantine.
        let cycles: Vec<Cycle> = (0..5).map(|n| cycle(n, 15, 15, "BadGateway")).collect();
        assert!(quarantine_episodes(&cycles).is_empty());
        // One failed call in each of two tiny cycles does not "keep failing".
        let cycles = vec![
            cycle(0, 1, 1, "Unauthorized"),
            cycle(1, 1, 1, "Unauthorized"),
        ];
        assert!(quarantine_episodes(&cycles).is_empty());
    }

    #[test]
    fn an_episode_running_to_the_end_of_the_data_is_current() {
        let cycles: Vec<Cycle> = (0..4).map(|n| cycle(n, 10, 10, "Unauthorized")).collect();
        let e = &quarantine_episodes(&cycles)[0];
        assert_eq!((e.lifted, e.cycles, e.failures), (None, 4, 40));
    }

    #[test]
    fn escrow_needs_5000_failures_then_40_percent() {
        // 4,000 failures out of 5,000 operations: not evaluated yet.
        let cycles = vec![cycle(0, 5_000, 4_000, "E")];
        assert!(quarantine_episodes(&cycles).is_empty());
        // 5,001 of 10,000: over the base and over 40 %.
        let cycles = vec![cycle(0, 10_000, 5_001, "E"), cycle(1, 10, 0, "")];
        let e = &quarantine_episodes(&cycles)[0];
        assert_eq!(
            e.reason,
            Reason::EscrowProportion {
                failures: 5_001,
                operations: 10_000
            }
        );
        assert_eq!(e.lifted, Some(40 * MIN));
        // 6,000 of 20,000 (30 %): under the proportion, under 40,000.
        let cycles = vec![cycle(0, 20_000, 6_000, "E")];
        assert!(quarantine_episodes(&cycles).is_empty());
    }

    #[test]
    fn reference_failures_count_only_toward_the_absolute_threshold() {
        let mut c = cycle(0, 10_000, 6_000, "E");
        c.reference_failures = 6_000;
        assert!(quarantine_episodes(std::slice::from_ref(&c)).is_empty());
        let mut big = cycle(0, 100_000, 61_000, "E");
        big.reference_failures = 61_000;
        let e = &quarantine_episodes(&[big])[0];
        assert_eq!(e.reason, Reason::EscrowAbsolute(61_000));
    }

    #[test]
    fn initial_cycles_evaluate_the_whole_scope_and_mostly_succeed() {
        let c = cycle(0, 46, 0, "");
        assert_eq!(cycle_kind(&c, 50), CycleKind::Initial);
        assert_eq!(cycle_kind(&c, 60), CycleKind::Incremental);
        assert_eq!(cycle_kind(&c, 0), CycleKind::Incremental);
        // A burst of failures touching everyone is not a sweep.
        assert_eq!(
            cycle_kind(&cycle(0, 46, 30, "E"), 50),
            CycleKind::Incremental
        );
    }
}
