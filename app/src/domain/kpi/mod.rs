//! The KPI engine of docs/kpis.md: pure functions from a period (and the caller's `now`) and an
//! already-loaded population to the pinned KPI values. Each KPI function applies its own
//! population rule (incidents by `started_at`, postmortem coverage by `mitigated_at`, actions
//! by due date, DR tests by `performed_at`, deployments by `deployed_at`, measurements by day),
//! so callers may pass a superset; scoping is done beforehand with [`scope::ServiceDirectory`]
//! or [`Dataset::scoped`].
//!
//! Rates, shares and durations of an empty population are `None` ("no data"), never 0; counts
//! and sums over an empty population are 0.

pub mod actions;
pub mod automation;
pub mod capacity;
pub mod causes;
pub mod changes;
pub mod cost;
pub mod dr;
pub mod effectiveness;
pub mod incidents;
pub mod indicators;
pub mod oncall;
pub mod period;
pub mod population;
pub mod population_table;
pub mod quality;
pub mod recovery;
pub mod satisfaction;
pub mod scope;
pub mod settings;
pub mod slo;
pub mod slo_window;
pub mod stats;
pub mod toil;

mod dataset;
mod ids;
#[cfg(test)]
pub(crate) mod tests;
mod values;

pub use actions::{Action, OverdueActions, action_on_time_rate, overdue_actions};
pub use automation::{
    FailureMode, MitigationCounts, Remediation, automated_mitigation_share, failure_modes_automated,
    failure_modes_seen, mitigation_counts,
};
pub use capacity::{CapacityDay, ServiceHeadroom, capacity_headroom_compliance, service_headroom};
pub use causes::{CauseRow, root_cause_breakdown};
pub use changes::{Deployment, change_failure_rate, deployment_frequency};
pub use cost::{Cost, UnitCost, costs_in, unit_costs};
pub use dataset::*;
pub use dr::{DrTest, dr_coverage, dr_pass_rate, rpo_compliance, rto_compliance};
pub use effectiveness::{
    ActionsStanding, FollowUpCounts, FollowUps, RepeatFollowUp, follow_up_counts, repeat_follow_ups,
    repeats_after_actions_done,
};
pub use ids::*;
pub use incidents::{
    CustomerImpact, DurationKind, Incident, RepeatIndex, SeverityFilter, customer_impact_minutes, high_sev_count,
    impact_duration, incident_count, mtta, mttd, mttr, postmortem_coverage, repeat_incident_rate,
    repeat_incident_rate_indexed, time_to_resolve,
};
pub use indicators::{IndicatorRow, indicator_in_words, slo_measures, slo_met_rate_by_indicator};
pub use oncall::{Alert, OncallSettings, OncallShift, PagingHours, RuleNoise, ShiftLoad};
pub use period::{Elapsed, Period, PeriodError, PeriodSpan, ReportingCalendar};
pub use population::{Population, PopulationRow, RecordView, population};
pub use population_table::{
    Cell, Column, PopulationTable, RecordDetails, SortOrder, TableRow, population_table, value_in_words,
};
pub use quality::{DataQuality, data_quality};
pub use recovery::{Objective, RecoveryFigures, RtoCheck, data_loss_within_rpo, restores_within_rto};
pub use satisfaction::{Satisfaction, SurveyResponse, responses_in, satisfaction};
pub use scope::{Scope, ScopeError, Service, ServiceDirectory, ServiceRecord};
pub use settings::{DEFAULT_CAPACITY_HEADROOM, DEFAULT_MIN_SURVEY_RESPONSES, KpiSettings};
pub use slo::{
    BurnRates, DayRange, Slo, SloAttainment, SloData, SloDay, SloJudging, SloMeasurement, SloStatus, SloTotals,
    budget_exhausted_count, budget_window, burn_rate, daily_series, error_budget_remaining, meets_objective,
    slo_attainment, slo_coverage, slo_day_ranges, slo_met_rate, slo_status,
};
pub use slo_window::{CalendarLength, MAX_WINDOW_DAYS, SloWindow, default_calendar_start};
pub use stats::DurationStats;
pub use toil::{
    TeamToil, ToilBreakdown, ToilHours, ToilReport, reporting_teams, toil_breakdown, toil_ratio,
    toil_reporting_coverage,
};
pub use values::*;
