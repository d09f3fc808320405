//! Postmortem-action KPIs (docs/kpis.md): `action_on_time_rate` over the actions due in the
//! period and `overdue_actions` at the as-of instant. Due dates are days of the reporting zone.

use std::borrow::Borrow;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::period::{Period, ReportingCalendar};
use super::scope::ServiceRecord;
use super::slo::ratio;
use crate::domain::records::{ActionStatus, Slug};

/// A postmortem action as the KPIs see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub id: String,
    pub service: Slug,
    /// The external id of the incident the action follows up, if any.
    pub incident: Option<String>,
    /// `started_at` of that incident (for `data_quality.action_due_dates`).
    pub incident_started_at: Option<DateTime<Utc>>,
    pub due_date: Option<NaiveDate>,
    pub status: ActionStatus,
    pub completed_at: Option<DateTime<Utc>>,
}

impl ServiceRecord for Action {
    fn service_slugs(&self) -> &[Slug] {
        std::slice::from_ref(&self.service)
    }
}

impl Action {
    /// Done, and completed before `instant`. A `done` action without `completed_at` counts as
    /// completed (we know it is done, not when).
    pub fn completed_before(&self, instant: DateTime<Utc>) -> bool {
        self.status == ActionStatus::Done && self.completed_at.is_none_or(|c| c < instant)
    }

    /// Open at an instant: not `wont_do` and not completed before it.
    pub fn is_open_at(&self, instant: DateTime<Utc>) -> bool {
        self.status != ActionStatus::WontDo && !self.completed_before(instant)
    }

    /// Done with `completed_at` before the end of the due day in the reporting zone. An action
    /// without a due date, or done without a `completed_at`, cannot be shown to be on time.
    pub fn is_done_on_time(&self, calendar: &ReportingCalendar) -> bool {
        match (self.status, self.due_date, self.completed_at) {
            (ActionStatus::Done, Some(due), Some(completed)) => completed < calendar.day_end(due),
            _ => false,
        }
    }
}

/// The actions due in the period (by due date in the reporting zone), `wont_do` excluded.
pub fn actions_due_in<'a, A: Borrow<Action>>(period: &Period, actions: &'a [A]) -> Vec<&'a Action> {
    actions
        .iter()
        .map(Borrow::borrow)
        .filter(|a| a.status != ActionStatus::WontDo && a.due_date.is_some_and(|d| period.contains_day(d)))
        .collect()
}

/// `action_on_time_rate`: actions due in the period (`wont_do` excluded) done before the end of
/// their due day ÷ those actions.
pub fn action_on_time_rate<A: Borrow<Action>>(period: &Period, actions: &[A]) -> Option<f64> {
    let calendar = period.calendar();
    let due = actions_due_in(period, actions);
    ratio(due.iter().filter(|a| a.is_done_on_time(&calendar)).count(), due.len())
}

/// `overdue_actions`: open at the as-of instant with a due day before the as-of day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct OverdueActions {
    pub count: u64,
    pub days_1_30: u64,
    pub days_31_90: u64,
    pub days_over_90: u64,
}

/// How many days an action is overdue at the period's as-of instant (as-of day − due day), when
/// it is open then and its due day is before the as-of day.
pub fn days_overdue(period: &Period, now: DateTime<Utc>, action: &Action) -> Option<i64> {
    let as_of = period.as_of(now);
    let days = (period.calendar().day_of(as_of) - action.due_date?).num_days();
    (days >= 1 && action.is_open_at(as_of)).then_some(days)
}

/// Counts the overdue actions among all given (any due period), by days overdue.
pub fn overdue_actions<A: Borrow<Action>>(period: &Period, now: DateTime<Utc>, actions: &[A]) -> OverdueActions {
    let mut overdue = OverdueActions::default();
    for days in actions.iter().filter_map(|a| days_overdue(period, now, a.borrow())) {
        overdue.count += 1;
        match days {
            1..=30 => overdue.days_1_30 += 1,
            31..=90 => overdue.days_31_90 += 1,
            _ => overdue.days_over_90 += 1,
        }
    }
    overdue
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::{day, q, utc};
    use crate::domain::kpi::scope::tests::slug;

    fn action(id: &str, due: &str, status: ActionStatus, completed: Option<&str>) -> Action {
        Action {
            id: id.to_owned(),
            service: slug("api"),
            incident: None,
            incident_started_at: None,
            due_date: Some(day(due)),
            status,
            completed_at: completed.map(utc),
        }
    }

    #[test]
    fn done_on_the_due_day_is_on_time_and_the_day_after_is_late() {
        let actions = [
            action("a", "2026-07-15", ActionStatus::Done, Some("2026-07-15T23:59:59Z")),
            action("b", "2026-07-15", ActionStatus::Done, Some("2026-07-16T00:00:00Z")),
            action("c", "2026-07-15", ActionStatus::Done, Some("2026-07-01T08:00:00Z")),
            action("d", "2026-07-15", ActionStatus::Open, None),
        ];
        assert_eq!(action_on_time_rate(&q("2026-Q3"), &actions), Some(0.5));
    }

    #[test]
    fn wont_do_actions_are_left_out_of_the_on_time_rate() {
        let actions = [
            action("a", "2026-07-15", ActionStatus::Done, Some("2026-07-10T00:00:00Z")),
            action("b", "2026-07-15", ActionStatus::WontDo, None),
        ];
        assert_eq!(action_on_time_rate(&q("2026-Q3"), &actions), Some(1.0));
        assert_eq!(action_on_time_rate(&q("2026-Q3"), &actions[1..]), None);
        assert_eq!(action_on_time_rate::<Action>(&q("2026-Q3"), &[]), None);
    }

    #[test]
    fn the_due_day_ends_at_midnight_in_the_reporting_zone() {
        let berlin = ReportingCalendar::new(1, chrono_tz::Europe::Berlin).unwrap();
        let p = Period::parse("2026-Q3", berlin).unwrap();
        // 23:30 in Berlin on the due day is on time, though already 21:30Z.
        let in_time = action("a", "2026-07-15", ActionStatus::Done, Some("2026-07-15T23:30:00+02:00"));
        // 22:30Z on the due day is 00:30 the next day in Berlin: late there, on time in UTC.
        let late = action("b", "2026-07-15", ActionStatus::Done, Some("2026-07-15T22:30:00Z"));
        assert!(in_time.is_done_on_time(&berlin));
        assert!(!late.is_done_on_time(&berlin));
        assert!(late.is_done_on_time(&ReportingCalendar::default()));
        assert_eq!(action_on_time_rate(&p, &[in_time.clone(), late.clone()]), Some(0.5));
        assert_eq!(action_on_time_rate(&q("2026-Q3"), &[in_time, late]), Some(1.0));
    }

    #[test]
    fn actions_belong_to_the_period_of_their_due_date() {
        let actions = [
            action("a", "2026-06-30", ActionStatus::Done, Some("2026-06-01T00:00:00Z")),
            action("b", "2026-10-01", ActionStatus::Open, None),
            Action { due_date: None, ..action("c", "2026-07-01", ActionStatus::Open, None) },
            action("d", "2026-09-30", ActionStatus::Done, Some("2026-09-30T10:00:00Z")),
        ];
        assert_eq!(actions_due_in(&q("2026-Q3"), &actions).len(), 1);
        assert_eq!(action_on_time_rate(&q("2026-Q3"), &actions), Some(1.0));
    }

    #[test]
    fn overdue_actions_are_bucketed_by_days_past_the_due_day() {
        // Q3 is past: as-of = 2026-10-01T00:00Z, as-of day 2026-10-01.
        let now = utc("2027-02-01T00:00:00Z");
        let actions = [
            action("1-day", "2026-09-30", ActionStatus::Open, None),
            action("30-days", "2026-09-01", ActionStatus::Open, None),
            action("31-days", "2026-08-31", ActionStatus::Open, None),
            action("90-days", "2026-07-03", ActionStatus::Open, None),
            action("91-days", "2026-07-02", ActionStatus::Open, None),
            action("last-year", "2025-01-01", ActionStatus::Open, None),
            action("due-on-as-of-day", "2026-10-01", ActionStatus::Open, None),
            action("completed-later", "2026-09-01", ActionStatus::Done, Some("2026-10-05T00:00:00Z")),
            action("completed-in-time", "2026-09-01", ActionStatus::Done, Some("2026-09-30T23:59:59Z")),
            action("dropped", "2026-07-01", ActionStatus::WontDo, None),
            Action { due_date: None, ..action("no-due", "2026-07-01", ActionStatus::Open, None) },
        ];
        let overdue = overdue_actions(&q("2026-Q3"), now, &actions);
        // 1-day, 30-days, completed-later (30 days) | 31-days, 90-days | 91-days, last-year.
        assert_eq!(overdue, OverdueActions { count: 7, days_1_30: 3, days_31_90: 2, days_over_90: 2 });
        let none = overdue_actions::<Action>(&q("2026-Q3"), now, &[]);
        assert_eq!(none, OverdueActions::default());
    }

    #[test]
    fn during_the_current_period_overdue_is_judged_at_now() {
        let now = utc("2026-08-15T12:00:00Z");
        let actions = [
            action("late", "2026-08-14", ActionStatus::Open, None),
            action("today", "2026-08-15", ActionStatus::Open, None),
            action("done-this-morning", "2026-08-01", ActionStatus::Done, Some("2026-08-15T08:00:00Z")),
            action("done-tonight", "2026-08-01", ActionStatus::Done, Some("2026-08-15T20:00:00Z")),
        ];
        let overdue = overdue_actions(&q("2026-Q3"), now, &actions);
        assert_eq!(overdue.count, 2);
        assert_eq!(days_overdue(&q("2026-Q3"), now, &actions[3]), Some(14));
    }
}
