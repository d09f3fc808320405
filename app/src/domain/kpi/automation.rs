//! Automation (docs/kpis.md §10c): how often incidents are mitigated by automation, and how many
//! of the failure modes the services met recently have a fully automated remediation.
//!
//! A *failure mode* is a service and a root-cause category (trimmed, matched exactly, as the
//! repeat rule matches them); a cause recorded as `unknown` names none. A service's
//! `remediations` record says how it remediates one.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::incidents::{Incident, incidents_mitigated_in, root_cause};
use super::period::Period;
use super::scope::ServiceRecord;
use crate::domain::records::{Automation, MitigatedBy, Slug};

/// How far back failure modes count as "seen".
pub const FAILURE_MODE_LOOKBACK_DAYS: i64 = 90;

/// A service's remediation of one failure mode, as the KPIs see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Remediation {
    pub service: Slug,
    pub failure_mode: String,
    pub automation: Automation,
    pub runbook_url: Option<String>,
    pub last_exercised_at: Option<DateTime<Utc>>,
}

impl ServiceRecord for Remediation {
    fn service_slugs(&self) -> &[Slug] {
        std::slice::from_ref(&self.service)
    }
}

/// Incidents mitigated in the period by automation ÷ those mitigated in it whose `mitigated_by`
/// is recorded (all severities); `None` without one.
pub fn automated_mitigation_share<I: std::borrow::Borrow<Incident>>(period: &Period, incidents: &[I]) -> Option<f64> {
    let judged: Vec<MitigatedBy> =
        incidents_mitigated_in(period, incidents).iter().filter_map(|i| i.mitigated_by).collect();
    if judged.is_empty() {
        return None;
    }
    let automated = judged.iter().filter(|by| **by == MitigatedBy::Automation).count();
    Some(automated as f64 / judged.len() as f64)
}

/// One failure mode met in the look-back, with how it is remediated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailureMode {
    pub service: Slug,
    pub failure_mode: String,
    /// Incidents of the scope started in the look-back with it.
    pub incidents: u32,
    pub last_seen: DateTime<Utc>,
    /// `None`: no remediation recorded.
    pub automation: Option<Automation>,
    pub runbook_url: Option<String>,
}

impl FailureMode {
    pub fn is_fully_automated(&self) -> bool {
        self.automation == Some(Automation::Full)
    }
}

/// The failure modes of the incidents (of the scope) started in the 90 days before the as-of
/// instant, each with its remediation; the most incidents first.
pub fn failure_modes_seen<I: std::borrow::Borrow<Incident>, R: std::borrow::Borrow<Remediation>>(
    period: &Period,
    now: DateTime<Utc>,
    incidents: &[I],
    remediations: &[R],
    in_scope: impl Fn(&Slug) -> bool,
) -> Vec<FailureMode> {
    let as_of = period.as_of(now);
    let from = as_of.checked_sub_signed(TimeDelta::days(FAILURE_MODE_LOOKBACK_DAYS)).unwrap_or(as_of);
    let known: HashMap<(&Slug, &str), &Remediation> = remediations
        .iter()
        .map(std::borrow::Borrow::borrow)
        .map(|r| ((&r.service, r.failure_mode.trim()), r))
        .collect();
    let mut seen: BTreeMap<(&Slug, &str), (u32, DateTime<Utc>)> = BTreeMap::new();
    for incident in incidents.iter().map(std::borrow::Borrow::borrow) {
        if incident.started_at < from || incident.started_at >= as_of {
            continue;
        }
        let Some(cause) = root_cause(incident).filter(|c| !c.eq_ignore_ascii_case("unknown")) else { continue };
        for service in incident.services.iter().filter(|s| in_scope(s)) {
            let entry = seen.entry((service, cause)).or_insert((0, incident.started_at));
            entry.0 += 1;
            entry.1 = entry.1.max(incident.started_at);
        }
    }
    let mut modes: Vec<FailureMode> = seen
        .into_iter()
        .map(|((service, mode), (incidents, last_seen))| {
            let remediation = known.get(&(service, mode));
            FailureMode {
                service: service.clone(),
                failure_mode: mode.to_owned(),
                incidents,
                last_seen,
                automation: remediation.map(|r| r.automation),
                runbook_url: remediation.and_then(|r| r.runbook_url.clone()),
            }
        })
        .collect();
    modes.sort_by(|a, b| {
        b.incidents.cmp(&a.incidents).then_with(|| (&a.service, &a.failure_mode).cmp(&(&b.service, &b.failure_mode)))
    });
    modes
}

/// Failure modes seen with a fully automated remediation ÷ failure modes seen; `None` without
/// one.
pub fn failure_modes_automated(modes: &[FailureMode]) -> Option<f64> {
    if modes.is_empty() {
        return None;
    }
    Some(modes.iter().filter(|m| m.is_fully_automated()).count() as f64 / modes.len() as f64)
}

/// The period's mitigations by who or what made them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct MitigationCounts {
    pub automation: u32,
    pub mixed: u32,
    pub human: u32,
    /// Mitigated in the period without `mitigated_by`.
    pub unrecorded: u32,
}

pub fn mitigation_counts<I: std::borrow::Borrow<Incident>>(period: &Period, incidents: &[I]) -> MitigationCounts {
    let mut counts = MitigationCounts::default();
    for incident in incidents_mitigated_in(period, incidents) {
        match incident.mitigated_by {
            Some(MitigatedBy::Automation) => counts.automation += 1,
            Some(MitigatedBy::Mixed) => counts.mixed += 1,
            Some(MitigatedBy::Human) => counts.human += 1,
            None => counts.unrecorded += 1,
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::q;
    use crate::domain::kpi::scope::tests::slug;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    fn incident(id: &str, service: &str, started: &str, cause: Option<&str>, by: Option<MitigatedBy>) -> Incident {
        let started = at(started);
        Incident {
            id: id.into(),
            severity: crate::domain::records::Severity::Sev2,
            services: vec![slug(service)],
            started_at: started,
            detected_at: None,
            acknowledged_at: None,
            mitigated_at: Some(started + TimeDelta::minutes(30)),
            resolved_at: None,
            customer_impacting: false,
            customer_impact_minutes: None,
            data_loss_minutes: None,
            mitigated_by: by,
            root_cause_category: cause.map(str::to_owned),
            repeat_of: None,
            postmortem_published_at: None,
        }
    }

    fn remediation(service: &str, mode: &str, automation: Automation) -> Remediation {
        Remediation {
            service: slug(service),
            failure_mode: mode.into(),
            automation,
            runbook_url: None,
            last_exercised_at: None,
        }
    }

    #[test]
    fn the_share_counts_only_mitigations_whose_maker_is_recorded() {
        let incidents = [
            incident("A", "api", "2026-07-01T00:00:00Z", None, Some(MitigatedBy::Automation)),
            incident("B", "api", "2026-07-02T00:00:00Z", None, Some(MitigatedBy::Mixed)),
            incident("C", "api", "2026-07-03T00:00:00Z", None, Some(MitigatedBy::Human)),
            incident("D", "api", "2026-07-04T00:00:00Z", None, None),
            incident("E", "api", "2026-09-30T23:50:00Z", None, Some(MitigatedBy::Automation)),
        ];
        // E is mitigated on 1 October: Q4's. Of A, B, C one is automation.
        assert_eq!(automated_mitigation_share(&q("2026-Q3"), &incidents), Some(1.0 / 3.0));
        assert_eq!(automated_mitigation_share(&q("2026-Q4"), &incidents), Some(1.0));
        assert_eq!(automated_mitigation_share(&q("2026-Q2"), &incidents), None, "none mitigated: no data, not 0");
        let counts = mitigation_counts(&q("2026-Q3"), &incidents);
        assert_eq!((counts.automation, counts.mixed, counts.human, counts.unrecorded), (1, 1, 1, 1));
    }

    #[test]
    fn failure_modes_of_the_last_90_days_are_judged_by_their_remediation() {
        let incidents = [
            incident("A", "api", "2026-09-01T00:00:00Z", Some("disk full"), None),
            incident("B", "api", "2026-09-20T00:00:00Z", Some(" disk full "), None),
            incident("C", "api", "2026-08-01T00:00:00Z", Some("bad deploy"), None),
            incident("D", "db", "2026-08-15T00:00:00Z", Some("disk full"), None),
            incident("E", "db", "2026-06-01T00:00:00Z", Some("failover"), None),
            incident("F", "web", "2026-09-10T00:00:00Z", None, None),
            incident("G", "web", "2026-09-11T00:00:00Z", Some("Unknown"), None),
        ];
        let remediations = [
            remediation("api", "disk full", Automation::Full),
            remediation("api", "bad deploy", Automation::Partial),
            remediation("db", "failover", Automation::Full),
        ];
        // As of 1 Oct: the look-back starts on 3 Jul, so E (1 Jun) is out; F has no cause, and
        // G's unknown cause names no failure mode.
        let modes = failure_modes_seen(&q("2026-Q3"), at("2026-12-01T00:00:00Z"), &incidents, &remediations, |_| true);
        let seen: Vec<(&str, &str, u32, Option<Automation>)> =
            modes.iter().map(|m| (m.service.as_str(), m.failure_mode.as_str(), m.incidents, m.automation)).collect();
        assert_eq!(
            seen,
            [
                ("api", "disk full", 2, Some(Automation::Full)),
                ("api", "bad deploy", 1, Some(Automation::Partial)),
                ("db", "disk full", 1, None),
            ]
        );
        assert_eq!(failure_modes_automated(&modes), Some(1.0 / 3.0));
        let only_db = failure_modes_seen(&q("2026-Q3"), at("2026-12-01T00:00:00Z"), &incidents, &remediations, |s| {
            s.as_str() == "db"
        });
        assert_eq!(failure_modes_automated(&only_db), Some(0.0));
        assert_eq!(failure_modes_automated(&[]), None);
    }
}
