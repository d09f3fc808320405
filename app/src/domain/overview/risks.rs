//! Top risks of a period (docs/reports.md): exhausted error budgets, overdue postmortem actions
//! with their aging, tier-0/1 services without a recent passing DR test, and the services with
//! the most high-severity incidents. Each list uses the same predicates as the KPI it explains,
//! so the overview's lists and its figures agree.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::kpi::actions::days_overdue;
use crate::domain::kpi::dr::{dr_coverage_interval_days, has_passing_test_within};
use crate::domain::kpi::incidents::incidents_started_in;
use crate::domain::kpi::{Period, ScopedInputs, SloStatus};
use crate::domain::records::DrOutcome;

/// Most entries one risk list shows.
pub const MAX_RISKS: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetRisk {
    pub service: String,
    pub slo: String,
    /// Remaining share of the error budget (≤ 0 when exhausted).
    pub remaining: f64,
    pub objective: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverdueRisk {
    pub id: String,
    pub service: String,
    pub due_date: String,
    pub days_overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrGap {
    pub service: String,
    pub team: String,
    pub tier: u8,
    /// Days a passing test may be old for the tier.
    pub interval_days: i64,
    /// The last passing DR test before the as-of instant, if any.
    pub last_pass: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentHotspot {
    pub service: String,
    /// SEV0 + SEV1 incidents started in the period.
    pub high_sev: u64,
}

/// The risk lists, each worst first and cut at [`MAX_RISKS`], with the full counts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Risks {
    pub exhausted_budgets: Vec<BudgetRisk>,
    pub exhausted_total: usize,
    pub overdue_actions: Vec<OverdueRisk>,
    pub overdue_total: usize,
    pub dr_gaps: Vec<DrGap>,
    pub dr_gaps_total: usize,
    pub incident_hotspots: Vec<IncidentHotspot>,
}

pub fn top_risks(period: &Period, now: DateTime<Utc>, inputs: &ScopedInputs<'_>, slos: &[SloStatus]) -> Risks {
    let mut budgets: Vec<BudgetRisk> = slos
        .iter()
        .filter_map(|s| {
            let remaining = s.error_budget_remaining.filter(|r| *r <= 0.0)?;
            Some(BudgetRisk {
                service: s.service.to_string(),
                slo: s.slo.to_string(),
                remaining,
                objective: s.objective,
            })
        })
        .collect();
    budgets.sort_by(|a, b| {
        a.remaining.total_cmp(&b.remaining).then_with(|| (&a.service, &a.slo).cmp(&(&b.service, &b.slo)))
    });

    let mut overdue: Vec<OverdueRisk> = inputs
        .actions
        .iter()
        .filter_map(|a| {
            let days = days_overdue(period, now, a)?;
            Some(OverdueRisk {
                id: a.id.clone(),
                service: a.service.to_string(),
                due_date: a.due_date.map(|d| d.to_string()).unwrap_or_default(),
                days_overdue: days,
            })
        })
        .collect();
    overdue.sort_by(|a, b| b.days_overdue.cmp(&a.days_overdue).then_with(|| a.id.cmp(&b.id)));

    let as_of = period.as_of(now);
    let mut gaps: Vec<DrGap> = inputs
        .services
        .iter()
        .filter(|s| s.is_critical_and_active())
        .filter_map(|s| {
            let interval = dr_coverage_interval_days(s.tier.value())?;
            if has_passing_test_within(&s.slug, &inputs.dr_tests, as_of, interval) {
                return None;
            }
            let last_pass = inputs
                .dr_tests
                .iter()
                .filter(|t| t.service == s.slug && t.outcome == DrOutcome::Pass && t.performed_at < as_of)
                .map(|t| t.performed_at)
                .max();
            Some(DrGap {
                service: s.slug.to_string(),
                team: s.team.to_string(),
                tier: s.tier.value(),
                interval_days: interval,
                last_pass: last_pass.map(|at| at.format("%Y-%m-%d").to_string()),
            })
        })
        .collect();
    // Never tested first, then the longest since a pass; tier 0 before tier 1.
    gaps.sort_by(|a, b| {
        (a.last_pass.is_some(), &a.last_pass, a.tier, &a.service).cmp(&(
            b.last_pass.is_some(),
            &b.last_pass,
            b.tier,
            &b.service,
        ))
    });

    let mut by_service: BTreeMap<String, u64> = BTreeMap::new();
    for incident in incidents_started_in(period, &inputs.incidents).into_iter().filter(|i| i.severity.is_high()) {
        for service in &incident.services {
            *by_service.entry(service.to_string()).or_default() += 1;
        }
    }
    let mut hotspots: Vec<IncidentHotspot> =
        by_service.into_iter().map(|(service, high_sev)| IncidentHotspot { service, high_sev }).collect();
    hotspots.sort_by(|a, b| b.high_sev.cmp(&a.high_sev).then_with(|| a.service.cmp(&b.service)));

    let (exhausted_total, overdue_total, dr_gaps_total) = (budgets.len(), overdue.len(), gaps.len());
    budgets.truncate(MAX_RISKS);
    overdue.truncate(MAX_RISKS);
    gaps.truncate(MAX_RISKS);
    hotspots.truncate(5);
    Risks {
        exhausted_budgets: budgets,
        exhausted_total,
        overdue_actions: overdue,
        overdue_total,
        dr_gaps: gaps,
        dr_gaps_total,
        incident_hotspots: hotspots,
    }
}
