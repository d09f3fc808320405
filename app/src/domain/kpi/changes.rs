//! Change KPIs (docs/kpis.md) over the deployments made in the period.

use std::borrow::Borrow;

use chrono::{DateTime, Utc};

use super::period::Period;
use super::scope::ServiceRecord;
use super::slo::ratio;
use crate::domain::records::{DeploymentOutcome, Slug};

/// A deployment (change record) as the KPIs see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub id: String,
    pub service: Slug,
    pub deployed_at: DateTime<Utc>,
    pub outcome: DeploymentOutcome,
    /// The external id of an incident the change is linked to.
    pub incident: Option<String>,
}

impl ServiceRecord for Deployment {
    fn service_slugs(&self) -> &[Slug] {
        std::slice::from_ref(&self.service)
    }
}

impl Deployment {
    /// Rolled back, failed, or linked to an incident.
    pub fn is_failed_change(&self) -> bool {
        matches!(self.outcome, DeploymentOutcome::RolledBack | DeploymentOutcome::Failed) || self.incident.is_some()
    }
}

/// The deployments made in the period.
pub fn deployments_in<'a, D: Borrow<Deployment>>(period: &Period, deployments: &'a [D]) -> Vec<&'a Deployment> {
    let (start, end) = (period.start(), period.end());
    deployments.iter().map(Borrow::borrow).filter(|d| start <= d.deployed_at && d.deployed_at < end).collect()
}

/// `change_failure_rate`: failed changes ÷ deployments in the period.
pub fn change_failure_rate<D: Borrow<Deployment>>(period: &Period, deployments: &[D]) -> Option<f64> {
    let population = deployments_in(period, deployments);
    ratio(population.iter().filter(|d| d.is_failed_change()).count(), population.len())
}

/// `deployment_frequency`: deployments in the period ÷ (days in the period ÷ 7), i.e. per week;
/// `None` when there are none.
pub fn deployment_frequency<D: Borrow<Deployment>>(period: &Period, deployments: &[D]) -> Option<f64> {
    let count = deployments_in(period, deployments).len();
    let days = period.day_count();
    (count > 0 && days > 0).then(|| count as f64 / (f64::from(days) / 7.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::{q, utc};
    use crate::domain::kpi::scope::tests::slug;

    fn deployment(at: &str, outcome: DeploymentOutcome, incident: Option<&str>) -> Deployment {
        Deployment {
            id: at.to_owned(),
            service: slug("api"),
            deployed_at: utc(at),
            outcome,
            incident: incident.map(str::to_owned),
        }
    }

    #[test]
    fn rollbacks_failures_and_incident_links_are_failed_changes() {
        let deployments = [
            deployment("2026-07-01T00:00:00Z", DeploymentOutcome::Success, None),
            deployment("2026-07-02T00:00:00Z", DeploymentOutcome::RolledBack, None),
            deployment("2026-07-03T00:00:00Z", DeploymentOutcome::Failed, None),
            deployment("2026-07-04T00:00:00Z", DeploymentOutcome::Success, Some("inc-1")),
            deployment("2026-06-30T23:59:59Z", DeploymentOutcome::Failed, None),
        ];
        assert_eq!(change_failure_rate(&q("2026-07"), &deployments), Some(0.75));
        assert_eq!(change_failure_rate::<Deployment>(&q("2026-07"), &[]), None);
    }

    #[test]
    fn deployment_frequency_is_per_week_of_the_period() {
        // 31 days in July: 62 deployments → 62 / (31 / 7) = 14 a week.
        let deployments: Vec<Deployment> = (0..62)
            .map(|i| Deployment {
                deployed_at: utc("2026-07-01T00:00:00Z") + chrono::TimeDelta::hours(12 * i),
                ..deployment("2026-07-01T00:00:00Z", DeploymentOutcome::Success, None)
            })
            .collect();
        assert!((deployment_frequency(&q("2026-07"), &deployments).unwrap() - 14.0).abs() < 1e-12);
        assert_eq!(deployment_frequency(&q("2026-08"), &deployments), None);
    }
}
