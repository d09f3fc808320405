//! Recovery objectives checked against real incidents (docs/kpis.md §10): a service may declare
//! an RTO (how long an outage may last) and an RPO (how much data, in minutes of writes, it may
//! lose). DR tests rehearse them (`dr.rs`); these KPIs say whether real incidents kept them.
//!
//! An incident naming several services is held to the strictest objective among those of the
//! scope that declare one, so a team is judged by its own services' objectives only.

use std::borrow::Borrow;

use chrono::{DateTime, Utc};

use super::incidents::{Incident, SeverityFilter, incidents_started_in};
use super::period::Period;
use super::scope::Service;
use super::slo::ratio;
use super::stats::minutes_between;
use crate::domain::records::Slug;

/// Which recovery objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Objective {
    Rto,
    Rpo,
}

impl Objective {
    fn of(self, service: &Service) -> Option<i64> {
        match self {
            Objective::Rto => service.rto_target_minutes,
            Objective::Rpo => service.rpo_target_minutes,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Objective::Rto => "RTO",
            Objective::Rpo => "RPO",
        }
    }
}

/// The objective an incident is held to: the smallest among the services of `services` it
/// names that declare one, with that service; `None` when none does.
pub fn objective_of<'s, S: Borrow<Service>>(
    objective: Objective,
    incident: &Incident,
    services: &'s [S],
) -> Option<(i64, &'s Slug)> {
    services
        .iter()
        .map(Borrow::borrow)
        .filter(|s| incident.services.contains(&s.slug))
        .filter_map(|s| Some((objective.of(s)?, &s.slug)))
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)))
}

/// How one incident stands against its RTO.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RtoCheck {
    /// Restored (`mitigated_at`) within the target: minutes from start to restore.
    Within { target: i64, minutes: f64 },
    /// Restored after the target, or still not restored at the as-of instant and already past
    /// it (`restored: false`).
    Missed { target: i64, minutes: f64, restored: bool },
    /// Not restored at the as-of instant and still within the target: not judged yet.
    Open { target: i64, minutes: f64 },
    /// Resolved after the target with no restore (`mitigated_at`) recorded: it may have been
    /// restored in time, so it is not judged.
    Unknown { target: i64, resolved_after: f64 },
}

impl RtoCheck {
    /// `Some(met)` when judged.
    pub fn met(self) -> Option<bool> {
        match self {
            RtoCheck::Within { .. } => Some(true),
            RtoCheck::Missed { .. } => Some(false),
            RtoCheck::Open { .. } | RtoCheck::Unknown { .. } => None,
        }
    }
}

/// An incident's standing against a target RTO, at `as_of`: restore time is `mitigated_at −
/// started_at`, also when it was restored after the period (as the duration KPIs read it);
/// an incident resolved without a restore time was restored by `resolved_at` at the latest;
/// one with neither has taken `as_of − started_at` so far.
pub fn rto_check(incident: &Incident, target: i64, as_of: DateTime<Utc>) -> RtoCheck {
    let limit = target as f64;
    if let (None, Some(resolved)) = (incident.mitigated_at, incident.resolved_at) {
        let minutes = minutes_between(incident.started_at, resolved);
        return if minutes <= limit {
            RtoCheck::Within { target, minutes }
        } else {
            RtoCheck::Unknown { target, resolved_after: minutes }
        };
    }
    match incident.mitigated_at {
        Some(mitigated) => {
            let minutes = minutes_between(incident.started_at, mitigated);
            if minutes <= limit {
                RtoCheck::Within { target, minutes }
            } else {
                RtoCheck::Missed { target, minutes, restored: true }
            }
        }
        None => {
            let minutes = minutes_between(incident.started_at, as_of).max(0.0);
            if minutes > limit {
                RtoCheck::Missed { target, minutes, restored: false }
            } else {
                RtoCheck::Open { target, minutes }
            }
        }
    }
}

/// How one incident stands against its RPO: `Some(met)` when its data loss is recorded.
pub fn rpo_met(incident: &Incident, target: i64) -> Option<bool> {
    Some(incident.data_loss_minutes? <= target)
}

/// The incidents the recovery KPIs look at: started in the period, of the filter's severities,
/// held to the objective by a service of the scope.
pub fn held_to<'a, I: Borrow<Incident>, S: Borrow<Service>>(
    objective: Objective,
    period: &Period,
    incidents: &'a [I],
    services: &[S],
    severity: SeverityFilter,
) -> Vec<(&'a Incident, i64)> {
    incidents_started_in(period, incidents)
        .into_iter()
        .filter(|i| severity.matches(i.severity))
        .filter_map(|i| Some((i, objective_of(objective, i, services)?.0)))
        .collect()
}

/// `restores_within_rto`: incidents restored within their RTO ÷ incidents judged (restored, or
/// still open past their RTO at the as-of instant), over [`held_to`]'s incidents.
pub fn restores_within_rto<I: Borrow<Incident>, S: Borrow<Service>>(
    period: &Period,
    now: DateTime<Utc>,
    incidents: &[I],
    services: &[S],
    severity: SeverityFilter,
) -> Option<f64> {
    let as_of = period.as_of(now);
    let judged: Vec<bool> = held_to(Objective::Rto, period, incidents, services, severity)
        .into_iter()
        .filter_map(|(i, target)| rto_check(i, target, as_of).met())
        .collect();
    ratio(judged.iter().filter(|m| **m).count(), judged.len())
}

/// `data_loss_within_rpo`: incidents whose recorded data loss is within their RPO ÷ incidents
/// with data loss recorded, over [`held_to`]'s incidents.
pub fn data_loss_within_rpo<I: Borrow<Incident>, S: Borrow<Service>>(
    period: &Period,
    incidents: &[I],
    services: &[S],
    severity: SeverityFilter,
) -> Option<f64> {
    let judged: Vec<bool> = held_to(Objective::Rpo, period, incidents, services, severity)
        .into_iter()
        .filter_map(|(i, target)| rpo_met(i, target))
        .collect();
    ratio(judged.iter().filter(|m| **m).count(), judged.len())
}

/// A scope's disaster-recovery figures of a period, as the team page shows them together: the
/// DR tests rehearsing recovery and the real incidents held to the objectives. `None`: no data.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RecoveryFigures {
    pub dr_pass_rate: Option<f64>,
    pub rto_compliance: Option<f64>,
    pub rpo_compliance: Option<f64>,
    pub dr_coverage: Option<f64>,
    pub restores_within_rto: Option<f64>,
    pub data_loss_within_rpo: Option<f64>,
}

impl RecoveryFigures {
    pub fn of(values: &super::KpiValues) -> Self {
        RecoveryFigures {
            dr_pass_rate: values.dr_pass_rate,
            rto_compliance: values.rto_compliance,
            rpo_compliance: values.rpo_compliance,
            dr_coverage: values.dr_coverage,
            restores_within_rto: values.restores_within_rto,
            data_loss_within_rpo: values.data_loss_within_rpo,
        }
    }

    /// Each figure with its KPI, in reading order: rehearsals first, then real incidents.
    pub fn rows(&self) -> [(super::KpiId, Option<f64>); 6] {
        use super::KpiId;
        [
            (KpiId::DrPassRate, self.dr_pass_rate),
            (KpiId::RtoCompliance, self.rto_compliance),
            (KpiId::RpoCompliance, self.rpo_compliance),
            (KpiId::DrCoverage, self.dr_coverage),
            (KpiId::RestoresWithinRto, self.restores_within_rto),
            (KpiId::DataLossWithinRpo, self.data_loss_within_rpo),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::incidents::tests::incident;
    use crate::domain::kpi::period::tests::{q, utc};
    use crate::domain::kpi::scope::tests::{service, slug};
    use crate::domain::records::Severity;

    fn with_objectives(mut s: Service, rto: Option<i64>, rpo: Option<i64>) -> Service {
        (s.rto_target_minutes, s.rpo_target_minutes) = (rto, rpo);
        s
    }

    fn on(mut i: Incident, services: &[&str], mitigated: Option<&str>, data_loss: Option<i64>) -> Incident {
        i.services = services.iter().map(|s| slug(s)).collect();
        i.mitigated_at = mitigated.map(utc);
        i.data_loss_minutes = data_loss;
        i
    }

    fn services() -> Vec<Service> {
        vec![
            with_objectives(service("api", "core", 0, true), Some(60), Some(15)),
            with_objectives(service("db", "core", 0, true), Some(30), None),
            service("web", "edge", 2, true),
        ]
    }

    #[test]
    fn an_incident_is_held_to_the_strictest_objective_of_the_scope() {
        let all = services();
        let both = on(incident("I", Severity::Sev1, "2026-07-01T00:00:00Z"), &["api", "db"], None, None);
        assert_eq!(objective_of(Objective::Rto, &both, &all), Some((30, &slug("db"))));
        assert_eq!(objective_of(Objective::Rpo, &both, &all), Some((15, &slug("api"))));
        let only_api = [&all[0]];
        assert_eq!(objective_of(Objective::Rto, &both, &only_api), Some((60, &slug("api"))));
        let web = on(incident("W", Severity::Sev1, "2026-07-01T00:00:00Z"), &["web"], None, None);
        assert_eq!(objective_of(Objective::Rto, &web, &all), None);
    }

    #[test]
    fn restores_are_judged_by_restore_time_and_open_incidents_once_past_their_rto() {
        let period = q("2026-Q3");
        let now = utc("2026-08-01T12:00:00Z");
        let incidents = [
            // 45 min ≤ 60: within.
            on(incident("A", Severity::Sev1, "2026-07-01T10:00:00Z"), &["api"], Some("2026-07-01T10:45:00Z"), None),
            // Exactly 60 min: within (≤).
            on(incident("B", Severity::Sev0, "2026-07-02T10:00:00Z"), &["api"], Some("2026-07-02T11:00:00Z"), None),
            // 61 min: missed.
            on(incident("C", Severity::Sev1, "2026-07-03T10:00:00Z"), &["api"], Some("2026-07-03T11:01:00Z"), None),
            // Still open 2 h after it started: missed already.
            on(incident("D", Severity::Sev1, "2026-08-01T10:00:00Z"), &["api"], None, None),
            // Open 30 min: not judged yet.
            on(incident("E", Severity::Sev1, "2026-08-01T11:30:00Z"), &["api"], None, None),
            // No objective: not held to one.
            on(incident("F", Severity::Sev1, "2026-07-04T10:00:00Z"), &["web"], Some("2026-07-05T10:00:00Z"), None),
            // SEV2: outside the default filter.
            on(incident("G", Severity::Sev2, "2026-07-05T10:00:00Z"), &["api"], Some("2026-07-06T10:00:00Z"), None),
            // Started before the period.
            on(incident("H", Severity::Sev1, "2026-06-30T10:00:00Z"), &["api"], Some("2026-07-01T10:00:00Z"), None),
            // Started in the period, restored after it (and after `now`): missed, as read later.
            on(incident("I", Severity::Sev1, "2026-09-30T23:00:00Z"), &["api"], Some("2026-10-01T01:00:00Z"), None),
        ];
        let all = services();
        let rate = restores_within_rto(&period, now, &incidents, &all, SeverityFilter::HIGH);
        assert_eq!(rate, Some(2.0 / 5.0));
        let every = restores_within_rto(&period, now, &incidents, &all, SeverityFilter::ALL);
        assert_eq!(every, Some(2.0 / 6.0), "the SEV2 incident took a day");
        // Resolved without a restore time: within when resolved in time, else not judged.
        let mut quick = on(incident("R", Severity::Sev1, "2026-07-01T10:00:00Z"), &["api"], None, None);
        quick.resolved_at = Some(utc("2026-07-01T10:30:00Z"));
        assert_eq!(rto_check(&quick, 60, now).met(), Some(true));
        quick.resolved_at = Some(utc("2026-07-01T12:00:00Z"));
        assert_eq!(rto_check(&quick, 60, now).met(), None, "it may have been restored in time");
        assert_eq!(restores_within_rto(&period, now, &incidents, &[&all[2]], SeverityFilter::HIGH), None);
    }

    #[test]
    fn data_loss_counts_only_where_it_is_recorded() {
        let period = q("2026-Q3");
        let incidents = [
            on(incident("A", Severity::Sev1, "2026-07-01T10:00:00Z"), &["api"], None, Some(0)),
            on(incident("B", Severity::Sev1, "2026-07-02T10:00:00Z"), &["api"], None, Some(15)),
            on(incident("C", Severity::Sev1, "2026-07-03T10:00:00Z"), &["api"], None, Some(16)),
            // Not recorded: never read as no loss.
            on(incident("D", Severity::Sev1, "2026-07-04T10:00:00Z"), &["api"], None, None),
            // db declares no RPO.
            on(incident("E", Severity::Sev1, "2026-07-05T10:00:00Z"), &["db"], None, Some(500)),
        ];
        let all = services();
        assert_eq!(data_loss_within_rpo(&period, &incidents, &all, SeverityFilter::HIGH), Some(2.0 / 3.0));
        assert_eq!(data_loss_within_rpo(&period, &incidents[3..], &all, SeverityFilter::HIGH), None);
    }
}
