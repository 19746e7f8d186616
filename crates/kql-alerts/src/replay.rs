//! A rule replayed over time: its evaluation instants, and the alert state of each series from
//! one evaluation to the next.
//!
//! - Azure Monitor, `autoMitigate` (stateful, the default): a series fires when its condition
//!   starts to hold and resolves when it stops (a series that has no rows any more no longer
//!   holds); one notification per firing.
//! - Azure Monitor without `autoMitigate` (stateless): every evaluation that holds fires and
//!   notifies, except within `muteActionsDuration` of the last notification (muted).
//! - Sentinel: every evaluation that meets the trigger raises its alerts (one, or one per row),
//!   except within `suppressionDuration` of the last (suppressed, reported as muted).
//! - Defender: every result row is an alert.

use crate::evaluate::{Evaluation, SeriesMeasure, evaluate};
use crate::rule::{Rule, RuleKind};
use kql_workspace::{Error, Prepared, Workspace};
use std::collections::BTreeMap;

/// Evaluates `rule` (its query prepared as `prepared`) at each of `times`, in order, and
/// returns every series' step with its event.
pub async fn replay(
    ws: &Workspace,
    rule: &Rule,
    prepared: &Prepared,
    times: &[i64],
    ingestion_delay: i64,
) -> Result<Vec<Step>, Error> {
    let mut tracker = Tracker::new(rule);
    let mut steps = Vec::new();
    for at in times {
        let evaluation = evaluate(ws, rule, prepared, *at, ingestion_delay).await?;
        steps.extend(tracker.step(&evaluation));
    }
    Ok(steps)
}

/// What happened to one series at one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The condition does not hold (and no alert was open).
    Quiet,
    /// An alert fires: notifications go out.
    Fired,
    /// Stateful: the alert fired earlier and still holds (no new notification).
    StillFiring,
    /// Stateful: the alert's condition stopped holding.
    Resolved,
    /// The condition holds, but notifications are muted or suppressed.
    Muted,
}

impl Event {
    pub fn name(self) -> &'static str {
        match self {
            Event::Quiet => "ok",
            Event::Fired => "fired",
            Event::StillFiring => "firing",
            Event::Resolved => "resolved",
            Event::Muted => "muted",
        }
    }
}

/// One series at one evaluation, with what it meant.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub at: i64,
    pub measure: SeriesMeasure,
    pub event: Event,
}

/// The evaluation instants from `from` to `to` (inclusive), every `frequency`, aligned to
/// multiples of the frequency (the service's own alignment is undocumented).
pub fn instants(from: i64, to: i64, frequency: i64) -> Vec<i64> {
    let f = frequency.max(1);
    let first = from.div_euclid(f) * f + if from.rem_euclid(f) == 0 { 0 } else { f };
    let mut out = Vec::new();
    let mut t = first;
    while t <= to {
        out.push(t);
        t += f;
    }
    out
}

/// Carries alert state across evaluations of one rule.
pub struct Tracker {
    kind: RuleKind,
    /// Stateful: series whose alert is open (ordered, so that series resolved together are
    /// listed in the same order every time).
    open: BTreeMap<Vec<(String, String)>, ()>,
    /// When each series last notified (for mute and suppression).
    last_notified: BTreeMap<Vec<(String, String)>, i64>,
    /// Stateful: when an open alert's condition stopped holding (for `timeToResolve`).
    quiet_since: BTreeMap<Vec<(String, String)>, i64>,
}

impl Tracker {
    pub fn new(rule: &Rule) -> Tracker {
        Tracker {
            kind: rule.kind.clone(),
            open: BTreeMap::new(),
            last_notified: BTreeMap::new(),
            quiet_since: BTreeMap::new(),
        }
    }

    /// The steps of one evaluation, in the order of its series, then the series that had an
    /// open alert and are gone from it (resolved).
    pub fn step(&mut self, evaluation: &Evaluation) -> Vec<Step> {
        let at = evaluation.at;
        let mut steps = Vec::new();
        let mut seen = Vec::new();
        for m in &evaluation.series {
            let key = m.dimensions.clone();
            seen.push(key.clone());
            let event = self.event(&key, m.met, at);
            steps.push(Step {
                at,
                measure: m.clone(),
                event,
            });
        }
        let gone: Vec<_> = self
            .open
            .keys()
            .filter(|k| !seen.contains(k))
            .cloned()
            .collect();
        for key in gone {
            // A series with no rows any more no longer holds: it resolves as the rule says, or
            // stays open (and is listed as such).
            let event = self.event(&key, false, at);
            steps.push(Step {
                at,
                measure: SeriesMeasure {
                    dimensions: key,
                    value: None,
                    failing: 0,
                    met: false,
                    alerts: 0,
                },
                event,
            });
        }
        steps
    }

    fn event(&mut self, key: &Vec<(String, String)>, met: bool, at: i64) -> Event {
        match &self.kind {
            RuleKind::AzureMonitor(a) if a.auto_mitigate => {
                let was_open = self.open.contains_key(key);
                match (met, was_open) {
                    (true, false) => {
                        self.open.insert(key.clone(), ());
                        Event::Fired
                    }
                    (true, true) => {
                        self.quiet_since.remove(key);
                        Event::StillFiring
                    }
                    (false, true) => {
                        let since = *self.quiet_since.entry(key.clone()).or_insert(at);
                        let waited = a.time_to_resolve.is_none_or(|t| at - since >= t);
                        if a.auto_resolve && waited {
                            self.open.remove(key);
                            self.quiet_since.remove(key);
                            Event::Resolved
                        } else {
                            // Still open: resolved later, or by hand.
                            Event::StillFiring
                        }
                    }
                    (false, false) => Event::Quiet,
                }
            }
            RuleKind::AzureMonitor(a) => self.notify(key, met, at, a.mute),
            RuleKind::Sentinel(s) => self.notify(key, met, at, s.suppression),
            RuleKind::Defender(_) => self.notify(key, met, at, None),
        }
    }

    /// Stateless: fire when met, unless within `quiet` of the last notification.
    fn notify(
        &mut self,
        key: &Vec<(String, String)>,
        met: bool,
        at: i64,
        quiet: Option<i64>,
    ) -> Event {
        if !met {
            return Event::Quiet;
        }
        let muted = match (quiet, self.last_notified.get(key)) {
            (Some(q), Some(last)) => at < last.saturating_add(q),
            _ => false,
        };
        if muted {
            Event::Muted
        } else {
            self.last_notified.insert(key.clone(), at);
            Event::Fired
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::*;
    use kql_workspace::TimeWindow;

    fn rule(auto_mitigate: bool, mute: Option<i64>) -> Rule {
        Rule {
            name: "r".into(),
            origin: Origin {
                path: "r.toml".into(),
                format: Format::Toml,
            },
            query: QueryText::standalone("T"),
            kind: RuleKind::AzureMonitor(AzureMonitor {
                frequency: 10,
                window: 10,
                query_range: None,
                aggregation: Aggregation::Count,
                measure_column: None,
                dimensions: Vec::new(),
                operator: Operator::GreaterThan,
                threshold: 0.0,
                periods: 1,
                min_failing: 1,
                auto_mitigate,
                mute,
                auto_resolve: true,
                time_to_resolve: None,
                legacy_metric: None,
            }),
        }
    }

    fn eval(at: i64, met: bool) -> Evaluation {
        Evaluation {
            at,
            window: TimeWindow {
                from: at - 10,
                to: at,
            },
            series: vec![SeriesMeasure {
                dimensions: Vec::new(),
                value: Some(f64::from(u8::from(met))),
                failing: u32::from(met),
                met,
                alerts: 1,
            }],
        }
    }

    fn events(rule: &Rule, met: &[bool]) -> Vec<Event> {
        let mut t = Tracker::new(rule);
        met.iter()
            .enumerate()
            .flat_map(|(i, m)| t.step(&eval(i as i64 * 10, *m)))
            .map(|s| s.event)
            .collect()
    }

    #[test]
    fn stateful_rules_fire_once_and_resolve() {
        use Event::*;
        assert_eq!(
            events(&rule(true, None), &[false, true, true, false, true]),
            vec![Quiet, Fired, StillFiring, Resolved, Fired]
        );
    }

    #[test]
    fn time_to_resolve_waits_and_auto_resolved_false_never_resolves() {
        use Event::*;
        let mut slow = rule(true, None);
        if let RuleKind::AzureMonitor(a) = &mut slow.kind {
            a.time_to_resolve = Some(20);
        }
        // Quiet from 20 on: resolved once it has been quiet for 20 ticks, at 40.
        assert_eq!(
            events(&slow, &[true, true, false, false, false]),
            vec![Fired, StillFiring, StillFiring, StillFiring, Resolved]
        );
        // Holding again before then starts the wait over.
        assert_eq!(
            events(&slow, &[true, false, true, false, false, false]),
            vec![
                Fired,
                StillFiring,
                StillFiring,
                StillFiring,
                StillFiring,
                Resolved
            ]
        );
        let mut manual = rule(true, None);
        if let RuleKind::AzureMonitor(a) = &mut manual.kind {
            a.auto_resolve = false;
        }
        assert_eq!(
            events(&manual, &[true, false, false]),
            vec![Fired, StillFiring, StillFiring]
        );
    }

    #[test]
    fn stateless_rules_fire_each_time_unless_muted() {
        use Event::*;
        assert_eq!(
            events(&rule(false, None), &[true, true, false, true]),
            vec![Fired, Fired, Quiet, Fired]
        );
        // Muted for 25 ticks after a notification: evaluations at 10 and 20 are muted, 30 fires.
        assert_eq!(
            events(&rule(false, Some(25)), &[true, true, true, true]),
            vec![Fired, Muted, Muted, Fired]
        );
    }

    #[test]
    fn instants_align_to_the_frequency() {
        assert_eq!(instants(5, 31, 10), vec![10, 20, 30]);
        assert_eq!(instants(10, 30, 10), vec![10, 20, 30]);
        assert_eq!(instants(-5, 0, 10), vec![0]);
    }
}
