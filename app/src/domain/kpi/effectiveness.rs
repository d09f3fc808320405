//! `repeats_after_actions_done` (docs/kpis.md): of the repeats started in a period whose earlier
//! incident had follow-up actions, the share that came back although every one of those actions
//! was done before it started — follow-ups that did not prevent the failure. The earlier
//! incident is the one [`RepeatIndex::earlier_of`] names; its actions are those ingested with
//! its external id as `incident`, `wont_do` ones left out.

use std::borrow::Borrow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::incidents::incidents_started_in;
use super::{Action, Incident, Period, RepeatIndex};
use crate::domain::records::ActionStatus;

/// The follow-up actions of incidents, by the incident's external id.
#[derive(Debug, Clone, Default)]
pub struct FollowUps {
    by_incident: HashMap<Box<str>, Vec<Action>>,
}

/// Where an earlier incident's follow-up actions stood at an instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ActionsStanding {
    /// Its actions, `wont_do` ones left out.
    pub total: usize,
    /// Of them, done before the instant (a `done` action without `completed_at` counts as done).
    pub done: usize,
}

impl ActionsStanding {
    /// At least one action, and every one done.
    pub fn all_done(&self) -> bool {
        self.total > 0 && self.done == self.total
    }
}

impl FollowUps {
    /// Indexes the actions that follow up an incident; the others are ignored.
    pub fn new<A: Borrow<Action>>(actions: &[A]) -> Self {
        let mut by_incident: HashMap<Box<str>, Vec<Action>> = HashMap::new();
        for action in actions.iter().map(Borrow::borrow) {
            if let Some(incident) = action.incident.as_deref().filter(|_| action.status != ActionStatus::WontDo) {
                by_incident.entry(incident.into()).or_default().push(action.clone());
            }
        }
        FollowUps { by_incident }
    }

    /// Where the actions of incident `id` stood at `instant`.
    pub fn standing_at(&self, id: &str, instant: DateTime<Utc>) -> ActionsStanding {
        let actions = self.by_incident.get(id).map_or(&[][..], Vec::as_slice);
        ActionsStanding { total: actions.len(), done: actions.iter().filter(|a| a.completed_before(instant)).count() }
    }
}

/// A repeat started in the period, the incident it repeats, and that incident's actions when the
/// repeat started.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatFollowUp<'a> {
    pub incident: &'a Incident,
    pub earlier: &'a str,
    pub actions: ActionsStanding,
}

/// Every repeat started in `period` among `incidents`, oldest first as given.
pub fn repeat_follow_ups<'a, I: Borrow<Incident>>(
    period: &Period,
    incidents: &'a [I],
    repeats: &'a RepeatIndex,
    follow_ups: &FollowUps,
) -> Vec<RepeatFollowUp<'a>> {
    incidents_started_in(period, incidents)
        .into_iter()
        .filter_map(|incident| {
            let earlier = repeats.earlier_of(incident)?;
            Some(RepeatFollowUp { incident, earlier, actions: follow_ups.standing_at(earlier, incident.started_at) })
        })
        .collect()
}

/// The repeats of a period by where their earlier incident's actions stood when they started:
/// what a team page shows beside `repeats_after_actions_done` (`after_all_done` ÷
/// (`after_all_done` + `with_actions_open`)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowUpCounts {
    /// Every action of the earlier incident was done before the repeat started.
    pub after_all_done: u64,
    /// Some action of the earlier incident was still open.
    pub with_actions_open: u64,
    /// The earlier incident had no action (or only `wont_do` ones).
    pub without_actions: u64,
}

impl FollowUpCounts {
    pub fn of(rows: &[RepeatFollowUp<'_>]) -> Self {
        let mut counts = FollowUpCounts::default();
        for row in rows {
            let bucket = match (row.actions.total, row.actions.all_done()) {
                (0, _) => &mut counts.without_actions,
                (_, true) => &mut counts.after_all_done,
                (_, false) => &mut counts.with_actions_open,
            };
            *bucket += 1;
        }
        counts
    }

    /// Every repeat counted.
    pub fn repeats(&self) -> u64 {
        self.after_all_done + self.with_actions_open + self.without_actions
    }

    /// `repeats_after_actions_done` of these repeats; `None` when none had actions.
    pub fn rate(&self) -> Option<f64> {
        let with_actions = self.after_all_done + self.with_actions_open;
        (with_actions > 0).then(|| self.after_all_done as f64 / with_actions as f64)
    }
}

/// `repeats_after_actions_done`: repeats started in the period whose earlier incident had ≥ 1
/// action, all done before the repeat started ÷ repeats started in the period whose earlier
/// incident had ≥ 1 action. `None` when no such repeat started.
pub fn repeats_after_actions_done<I: Borrow<Incident>>(
    period: &Period,
    incidents: &[I],
    repeats: &RepeatIndex,
    follow_ups: &FollowUps,
) -> Option<f64> {
    follow_up_counts(period, incidents, repeats, follow_ups).rate()
}

/// [`FollowUpCounts`] of the repeats started in `period` among `incidents`.
pub fn follow_up_counts<I: Borrow<Incident>>(
    period: &Period,
    incidents: &[I],
    repeats: &RepeatIndex,
    follow_ups: &FollowUps,
) -> FollowUpCounts {
    FollowUpCounts::of(&repeat_follow_ups(period, incidents, repeats, follow_ups))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::incidents::tests::incident;
    use crate::domain::kpi::period::tests::{q, utc};
    use crate::domain::kpi::scope::tests::slug;
    use crate::domain::records::Severity;

    fn caused(id: &str, started: &str, cause: &str) -> Incident {
        Incident { root_cause_category: Some(cause.to_owned()), ..incident(id, Severity::Sev2, started) }
    }

    fn action(id: &str, incident: &str, status: ActionStatus, completed: Option<&str>) -> Action {
        Action {
            id: id.to_owned(),
            service: slug("api"),
            incident: Some(incident.to_owned()),
            incident_started_at: None,
            due_date: None,
            status,
            completed_at: completed.map(utc),
        }
    }

    /// INC-A (June, config) is repeated by INC-B (July) and INC-C (August), both implicitly;
    /// INC-D names INC-OLD (not loaded) explicitly; INC-E repeats INC-N, which had no action.
    fn history() -> Vec<Incident> {
        vec![
            caused("INC-A", "2026-06-10T00:00:00Z", "config"),
            caused("INC-B", "2026-07-10T00:00:00Z", "config"),
            caused("INC-C", "2026-08-10T00:00:00Z", "config"),
            Incident { repeat_of: Some(" INC-OLD ".to_owned()), ..caused("INC-D", "2026-08-20T00:00:00Z", "disk") },
            caused("INC-N", "2026-07-01T00:00:00Z", "dns"),
            caused("INC-E", "2026-07-05T00:00:00Z", "dns"),
        ]
    }

    #[test]
    fn an_implicit_repeat_repeats_the_latest_earlier_match() {
        let incidents = history();
        let index = RepeatIndex::new(&incidents);
        let earlier: Vec<(&str, Option<&str>)> =
            incidents.iter().map(|i| (i.id.as_str(), index.earlier_of(i))).collect();
        assert_eq!(
            earlier,
            [
                ("INC-A", None),
                ("INC-B", Some("INC-A")),
                ("INC-C", Some("INC-B")),
                ("INC-D", Some("INC-OLD")),
                ("INC-N", None),
                ("INC-E", Some("INC-N")),
            ]
        );
    }

    #[test]
    fn a_repeat_counts_when_every_action_of_the_earlier_incident_was_done_before_it_started() {
        let incidents = history();
        let index = RepeatIndex::new(&incidents);
        let actions = [
            // INC-A: both done before INC-B started (one without completed_at), a wont_do ignored.
            action("a1", "INC-A", ActionStatus::Done, Some("2026-06-20T00:00:00Z")),
            action("a2", "INC-A", ActionStatus::Done, None),
            action("a3", "INC-A", ActionStatus::WontDo, None),
            // INC-B: one done only after INC-C started, so INC-C came back with work still open.
            action("b1", "INC-B", ActionStatus::Done, Some("2026-08-10T00:00:01Z")),
            // INC-OLD: done long ago.
            action("o1", "INC-OLD", ActionStatus::Done, Some("2026-01-01T00:00:00Z")),
            // INC-N: only a wont_do, so INC-E's earlier incident had no action.
            action("n1", "INC-N", ActionStatus::WontDo, None),
        ];
        let follow_ups = FollowUps::new(&actions);
        let rows = repeat_follow_ups(&q("2026-Q3"), &incidents, &index, &follow_ups);
        let standing: Vec<(&str, &str, usize, usize)> =
            rows.iter().map(|r| (r.incident.id.as_str(), r.earlier, r.actions.total, r.actions.done)).collect();
        assert_eq!(
            standing,
            [("INC-B", "INC-A", 2, 2), ("INC-C", "INC-B", 1, 0), ("INC-D", "INC-OLD", 1, 1), ("INC-E", "INC-N", 0, 0)]
        );
        // INC-B and INC-D of the three with actions: 2 ÷ 3, as the team page's counts say.
        let rate = repeats_after_actions_done(&q("2026-Q3"), &incidents, &index, &follow_ups);
        assert_eq!(rate, Some(2.0 / 3.0));
        let counts = follow_up_counts(&q("2026-Q3"), &incidents, &index, &follow_ups);
        assert_eq!(counts, FollowUpCounts { after_all_done: 2, with_actions_open: 1, without_actions: 1 });
        assert_eq!((counts.rate(), counts.repeats()), (rate, 4));
        // Every repeat the rate's rule finds is a repeat of repeat_incident_rate.
        let repeats = crate::domain::kpi::repeat_incident_rate(&q("2026-Q3"), &incidents, &incidents);
        assert_eq!(repeats, Some(4.0 / 5.0));
    }

    #[test]
    fn no_repeat_with_actions_is_no_data_not_zero() {
        let incidents = history();
        let index = RepeatIndex::new(&incidents);
        assert_eq!(repeats_after_actions_done(&q("2026-Q3"), &incidents, &index, &FollowUps::default()), None);
        assert_eq!(repeats_after_actions_done(&q("2026-Q2"), &incidents, &index, &FollowUps::default()), None);
    }
}
