//! `data_quality` (docs/kpis.md): how complete the data behind the other KPIs is, plus the
//! counts of records the other KPIs had to leave out.

use std::borrow::Borrow;

use serde::Serialize;

use super::actions::Action;
use super::incidents::incidents_started_in;
use super::incidents::{DurationKind, Incident, SeverityFilter, customer_impact_minutes, duration_left_out};
use super::period::Period;
use super::slo::{Slo, period_days, ratio};

/// Incidents left out of each duration KPI for lacking one of its timestamps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct DurationsLeftOut {
    pub mttd: u64,
    pub mtta: u64,
    pub mttr: u64,
    pub impact_duration: u64,
    pub time_to_resolve: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DataQuality {
    /// High-severity incidents started in the period with `detected_at` and `mitigated_at` set ÷
    /// high-severity incidents started in the period.
    pub incident_timestamps: Option<f64>,
    /// Active SLOs with ≥ 1 day of data in the period ÷ active SLOs.
    pub slo_data: Option<f64>,
    /// Actions of incidents started in the period that have a due date ÷ those actions.
    pub action_due_dates: Option<f64>,
    /// Customer-impacting incidents left out of `customer_impact_minutes` (no explicit minutes
    /// and no `mitigated_at`).
    pub customer_impact_left_out: u64,
    /// Incidents (of the duration KPIs' severity filter) left out of each duration.
    pub durations_left_out: DurationsLeftOut,
}

/// `data_quality` over already-scoped populations. `severity` is the duration KPIs' filter,
/// used only for `durations_left_out`.
pub fn data_quality<I: Borrow<Incident>, L: Borrow<Slo>, A: Borrow<Action>>(
    period: &Period,
    incidents: &[I],
    slos: &[L],
    actions: &[A],
    severity: SeverityFilter,
) -> DataQuality {
    let high: Vec<&Incident> =
        incidents_started_in(period, incidents).into_iter().filter(|i| i.severity.is_high()).collect();
    let timed = high.iter().filter(|i| i.detected_at.is_some() && i.mitigated_at.is_some()).count();

    let days = period_days(period);
    let active: Vec<&Slo> = slos.iter().map(Borrow::borrow).filter(|s| s.active).collect();
    let with_data = active.iter().filter(|s| s.data.totals(days).days > 0).count();

    let (start, stop) = (period.start(), period.end());
    let followed_up: Vec<&Action> = actions
        .iter()
        .map(Borrow::borrow)
        .filter(|a| a.incident_started_at.is_some_and(|t| start <= t && t < stop))
        .collect();
    let dated = followed_up.iter().filter(|a| a.due_date.is_some()).count();

    let left_out = |kind| duration_left_out(kind, period, incidents, severity);
    DataQuality {
        incident_timestamps: ratio(timed, high.len()),
        slo_data: ratio(with_data, active.len()),
        action_due_dates: ratio(dated, followed_up.len()),
        customer_impact_left_out: customer_impact_minutes(period, incidents).left_out,
        durations_left_out: DurationsLeftOut {
            mttd: left_out(DurationKind::Mttd),
            mtta: left_out(DurationKind::Mtta),
            mttr: left_out(DurationKind::Mttr),
            impact_duration: left_out(DurationKind::ImpactDuration),
            time_to_resolve: left_out(DurationKind::TimeToResolve),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::incidents::tests::incident;
    use crate::domain::kpi::period::tests::{day, q, utc};
    use crate::domain::kpi::scope::tests::slug;
    use crate::domain::kpi::slo::{SloData, SloMeasurement};
    use crate::domain::records::{ActionStatus, Severity};

    fn slo(active: bool, days: &[&str]) -> Slo {
        Slo {
            service: slug("api"),
            slug: slug("avail"),
            objective: 99.0,
            window: crate::domain::kpi::SloWindow::Rolling { days: 28 },
            budgeting: crate::domain::records::Budgeting::Occurrences,
            active,
            indicator: crate::domain::records::Indicator::Availability,
            threshold_ms: None,
            data: SloData::Days(days.iter().map(|d| SloMeasurement { day: day(d), good: 1, total: 1 }).collect()),
        }
    }

    fn action(incident_started: Option<&str>, due: Option<&str>) -> Action {
        Action {
            id: "a".into(),
            service: slug("api"),
            incident: incident_started.map(|_| "inc".to_owned()),
            incident_started_at: incident_started.map(utc),
            due_date: due.map(day),
            status: ActionStatus::Open,
            completed_at: None,
        }
    }

    #[test]
    fn incidents_missing_timestamps_lower_incident_timestamp_quality() {
        let complete = Incident {
            detected_at: Some(utc("2026-07-01T00:05:00Z")),
            mitigated_at: Some(utc("2026-07-01T01:00:00Z")),
            ..incident("a", Severity::Sev0, "2026-07-01T00:00:00Z")
        };
        let undetected = Incident {
            mitigated_at: Some(utc("2026-07-02T01:00:00Z")),
            customer_impacting: true,
            ..incident("b", Severity::Sev1, "2026-07-02T00:00:00Z")
        };
        let bare = Incident { customer_impacting: true, ..incident("c", Severity::Sev1, "2026-07-03T00:00:00Z") };
        let low = incident("d", Severity::Sev3, "2026-07-04T00:00:00Z");
        let incidents = [complete, undetected, bare, low];
        let dq = data_quality::<Incident, Slo, Action>(&q("2026-Q3"), &incidents, &[], &[], SeverityFilter::HIGH);
        assert_eq!(dq.incident_timestamps, Some(1.0 / 3.0));
        assert_eq!(dq.customer_impact_left_out, 1);
        assert_eq!(dq.durations_left_out.mttd, 2);
        assert_eq!(dq.durations_left_out.mttr, 2);
        assert_eq!(dq.durations_left_out.impact_duration, 1);
        assert_eq!(dq.durations_left_out.mtta, 3);
        let all = data_quality::<Incident, Slo, Action>(&q("2026-Q3"), &incidents, &[], &[], SeverityFilter::ALL);
        assert_eq!(all.durations_left_out.mtta, 4);
        assert_eq!(all.incident_timestamps, Some(1.0 / 3.0));
    }

    #[test]
    fn slo_data_counts_active_slos_with_a_day_of_data_in_the_period() {
        let slos = [
            slo(true, &["2026-07-10"]),
            slo(true, &["2026-06-30"]),
            slo(true, &[]),
            slo(false, &["2026-07-10"]),
            slo(false, &[]),
        ];
        let dq = data_quality::<Incident, Slo, Action>(&q("2026-Q3"), &[], &slos, &[], SeverityFilter::HIGH);
        assert_eq!(dq.slo_data, Some(1.0 / 3.0));
    }

    #[test]
    fn action_due_dates_look_at_actions_of_incidents_started_in_the_period() {
        let actions = [
            action(Some("2026-07-01T00:00:00Z"), Some("2026-12-01")),
            action(Some("2026-09-30T23:00:00Z"), None),
            action(Some("2026-06-30T23:00:00Z"), None),
            action(None, None),
        ];
        let dq = data_quality::<Incident, Slo, Action>(&q("2026-Q3"), &[], &[], &actions, SeverityFilter::HIGH);
        assert_eq!(dq.action_due_dates, Some(0.5));
    }

    #[test]
    fn empty_populations_give_no_data_quality_ratios() {
        let dq = data_quality::<Incident, Slo, Action>(&q("2026-Q3"), &[], &[], &[], SeverityFilter::HIGH);
        assert_eq!((dq.incident_timestamps, dq.slo_data, dq.action_due_dates), (None, None, None));
        assert_eq!(dq.customer_impact_left_out, 0);
        assert_eq!(dq.durations_left_out, DurationsLeftOut::default());
    }
}
