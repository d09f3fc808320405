//! Every KPI of a period over already-scoped inputs, computed at once.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::*;
use crate::domain::records::Severity;

/// Every KPI of one scope and period, keyed as in `GET /api/v1/kpis`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct KpiValues {
    pub slo_met_rate: Option<f64>,
    pub budget_exhausted_count: u64,
    pub slo_coverage: Option<f64>,
    pub high_sev_count: u64,
    pub incident_count: BTreeMap<Severity, u64>,
    pub customer_impact_minutes: f64,
    pub mttd: Option<DurationStats>,
    pub mtta: Option<DurationStats>,
    pub mttr: Option<DurationStats>,
    pub impact_duration: Option<DurationStats>,
    pub time_to_resolve: Option<DurationStats>,
    pub repeat_incident_rate: Option<f64>,
    pub postmortem_coverage: Option<f64>,
    pub action_on_time_rate: Option<f64>,
    pub overdue_actions: OverdueActions,
    pub repeats_after_actions_done: Option<f64>,
    pub dr_pass_rate: Option<f64>,
    pub rto_compliance: Option<f64>,
    pub rpo_compliance: Option<f64>,
    pub dr_coverage: Option<f64>,
    pub restores_within_rto: Option<f64>,
    pub data_loss_within_rpo: Option<f64>,
    pub change_failure_rate: Option<f64>,
    pub deployment_frequency: Option<f64>,
    pub page_count: u64,
    pub alert_precision: Option<f64>,
    pub alert_disposition_coverage: Option<f64>,
    pub pages_per_shift: Option<oncall::ShiftLoad>,
    pub off_hours_page_share: Option<f64>,
    pub sleep_hours_page_share: Option<f64>,
    pub page_mtta: Option<DurationStats>,
    pub noisiest_rules: Vec<oncall::RuleNoise>,
    pub capacity_headroom_compliance: Option<f64>,
    pub automated_mitigation_share: Option<f64>,
    pub failure_modes_automated: Option<f64>,
    pub toil_ratio: Option<f64>,
    pub toil_reporting_coverage: Option<f64>,
    /// One per (currency, unit driver), the largest amount first; empty without costs.
    pub unit_cost: Vec<UnitCost>,
    /// The mean score and its response count; the mean is withheld below the policy's minimum.
    pub stakeholder_satisfaction: Satisfaction,
    pub data_quality: DataQuality,
}

/// Computes every KPI of a scope for a period. `severity` filters the duration KPIs (high
/// severity by default).
pub fn compute_kpis(
    period: &Period,
    now: DateTime<Utc>,
    inputs: &ScopedInputs<'_>,
    severity: SeverityFilter,
) -> KpiValues {
    let incidents = inputs.incidents.as_slice();
    KpiValues {
        slo_met_rate: slo_met_rate(period, &inputs.slos),
        budget_exhausted_count: budget_exhausted_count(period, now, &inputs.slos),
        slo_coverage: slo_coverage(period, now, &inputs.services, &inputs.slos),
        high_sev_count: high_sev_count(period, incidents),
        incident_count: incident_count(period, incidents),
        customer_impact_minutes: customer_impact_minutes(period, incidents).minutes,
        mttd: mttd(period, incidents, severity),
        mtta: mtta(period, incidents, severity),
        mttr: mttr(period, incidents, severity),
        impact_duration: impact_duration(period, incidents, severity),
        time_to_resolve: time_to_resolve(period, incidents, severity),
        repeat_incident_rate: repeat_incident_rate_indexed(period, incidents, inputs.repeat_index),
        postmortem_coverage: postmortem_coverage(period, incidents),
        action_on_time_rate: action_on_time_rate(period, &inputs.actions),
        overdue_actions: overdue_actions(period, now, &inputs.actions),
        repeats_after_actions_done: repeats_after_actions_done(
            period,
            incidents,
            inputs.repeat_index,
            inputs.follow_ups,
        ),
        dr_pass_rate: dr_pass_rate(period, &inputs.dr_tests),
        rto_compliance: rto_compliance(period, &inputs.dr_tests),
        rpo_compliance: rpo_compliance(period, &inputs.dr_tests),
        dr_coverage: dr_coverage(period, now, &inputs.services, &inputs.dr_tests),
        restores_within_rto: restores_within_rto(period, now, incidents, &inputs.services, severity),
        data_loss_within_rpo: data_loss_within_rpo(period, incidents, &inputs.services, severity),
        change_failure_rate: change_failure_rate(period, &inputs.deployments),
        deployment_frequency: deployment_frequency(period, &inputs.deployments),
        page_count: oncall::page_count(period, &inputs.alerts),
        alert_precision: oncall::alert_precision(period, &inputs.alerts),
        alert_disposition_coverage: oncall::alert_disposition_coverage(period, &inputs.alerts),
        pages_per_shift: oncall::pages_per_shift(period, &inputs.alerts, &inputs.shifts),
        off_hours_page_share: oncall::off_hours_page_share(period, &inputs.alerts, inputs.oncall),
        sleep_hours_page_share: oncall::sleep_hours_page_share(period, &inputs.alerts, inputs.oncall),
        page_mtta: oncall::page_mtta(period, &inputs.alerts),
        noisiest_rules: oncall::noisiest_rules(period, &inputs.alerts),
        capacity_headroom_compliance: capacity_headroom_compliance(&inputs.service_headroom(period, now)),
        automated_mitigation_share: automated_mitigation_share(period, incidents),
        failure_modes_automated: failure_modes_automated(&inputs.failure_modes(period, now)),
        toil_ratio: toil_ratio(period, &inputs.toil_reports),
        toil_reporting_coverage: toil_reporting_coverage(
            period,
            &inputs.toil_reports,
            &inputs.toil_teams,
            inputs.toil_history,
        ),
        unit_cost: unit_costs(period, period.as_of_day(now), &inputs.costs),
        stakeholder_satisfaction: satisfaction(
            period,
            now,
            &inputs.survey_responses,
            inputs.settings.min_survey_responses,
        ),
        data_quality: data_quality(period, incidents, &inputs.slos, &inputs.actions, severity),
    }
}

/// The per-SLO rows (`GET /api/v1/slos`) of a scope.
pub fn slo_statuses(period: &Period, now: DateTime<Utc>, inputs: &ScopedInputs<'_>) -> Vec<SloStatus> {
    inputs.slos.iter().map(|slo| slo_status(period, now, slo)).collect()
}
