//! Drill-down (docs/kpis.md): the exact records behind a KPI value, each marked with whether it
//! is in the KPI's population (`included`), whether it counts towards the value (`counted`: the
//! numerator of a rate, the members of a count), its own figure (`value`) and, where the
//! classification is not obvious, a `note`. Records a definition deliberately leaves out (an
//! incident lacking a timestamp, an SLO without data) are listed with `included: false`, so the
//! value can be re-performed from this list alone.
//!
//! Every row is derived with the same predicates the KPI functions use.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::Serialize;

use super::actions::{Action, actions_due_in, days_overdue};
use super::changes::{Deployment, deployments_in};
use super::dr::{DrTest, dr_coverage_interval_days, dr_tests_performed_in, has_passing_test_within};
use super::effectiveness::{ActionsStanding, repeat_follow_ups};
use super::incidents::{
    DurationKind, Incident, POSTMORTEM_DEADLINE_DAYS, SeverityFilter, impact_minutes_of, incidents_mitigated_in,
    incidents_started_in, postmortem_published_within,
};
use super::period::Period;
use super::recovery::{Objective, RtoCheck, objective_of, rpo_met, rto_check};
use super::scope::Service;
use super::slo::{Slo, error_budget_remaining, period_days, slo_attainment, slo_covers_period, slo_status};
use super::slo_window::SloWindow;
use super::{KpiId, ScopedInputs};
use crate::domain::records::{ActionStatus, AlertDisposition, Budgeting, DeploymentOutcome, DrOutcome, Severity, Slug};

mod cost;
mod oncall;
mod survey;
mod toil;

/// A record as the drill-down shows it: its natural key and the fields definitions read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum RecordView {
    Incident {
        id: String,
        severity: Severity,
        services: Vec<Slug>,
        started_at: DateTime<Utc>,
        detected_at: Option<DateTime<Utc>>,
        acknowledged_at: Option<DateTime<Utc>>,
        mitigated_at: Option<DateTime<Utc>>,
        resolved_at: Option<DateTime<Utc>>,
        customer_impacting: bool,
        customer_impact_minutes: Option<i64>,
        data_loss_minutes: Option<i64>,
        mitigated_by: Option<crate::domain::records::MitigatedBy>,
        root_cause_category: Option<String>,
        repeat_of: Option<String>,
        postmortem_published_at: Option<DateTime<Utc>>,
    },
    Slo {
        service: Slug,
        slo: Slug,
        objective: f64,
        /// A rolling window's days, or the most days one calendar window spans.
        window_days: u32,
        /// A calendar window in words ("calendar month"); `None` when rolling.
        calendar_window: Option<String>,
        budgeting: crate::domain::records::Budgeting,
        active: bool,
        indicator: crate::domain::records::Indicator,
        threshold_ms: Option<i64>,
    },
    Action {
        id: String,
        service: Slug,
        incident: Option<String>,
        due_date: Option<NaiveDate>,
        status: ActionStatus,
        completed_at: Option<DateTime<Utc>>,
    },
    DrTest {
        id: String,
        service: Slug,
        performed_at: DateTime<Utc>,
        outcome: DrOutcome,
        rto_target_minutes: Option<i64>,
        rto_achieved_minutes: Option<i64>,
        rpo_target_minutes: Option<i64>,
        rpo_achieved_minutes: Option<i64>,
    },
    Deployment {
        id: String,
        service: Slug,
        deployed_at: DateTime<Utc>,
        outcome: DeploymentOutcome,
        incident: Option<String>,
    },
    Service {
        slug: Slug,
        team: Slug,
        tier: u8,
        active: bool,
    },
    Alert {
        /// `source/external_id`.
        id: String,
        service: Slug,
        rule: String,
        fired_at: DateTime<Utc>,
        acknowledged_at: Option<DateTime<Utc>>,
        paged: bool,
        responder: Option<String>,
        disposition: AlertDisposition,
    },
    Shift {
        team: Slug,
        schedule: String,
        person: String,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
    },
    ToilReport {
        team: Slug,
        /// `week` or `month`.
        period: crate::domain::records::ToilSpan,
        period_start: NaiveDate,
        hours_total: f64,
        hours_toil: f64,
        category: Option<String>,
        method: crate::domain::records::ToilMethod,
    },
    /// A service's failure mode met in the look-back (`failure_modes_automated`).
    FailureMode {
        service: Slug,
        failure_mode: String,
        incidents: u32,
        last_seen: DateTime<Utc>,
        automation: Option<crate::domain::records::Automation>,
        runbook_url: Option<String>,
    },
    /// A service's smallest headroom on one day (`capacity_headroom_compliance`).
    CapacityDay {
        service: Slug,
        day: NaiveDate,
        /// The resource that had the smallest headroom.
        resource: String,
        tier: u8,
    },
    /// A service's cost of one month (`unit_cost`).
    Cost {
        service: Slug,
        month: NaiveDate,
        amount: f64,
        currency: String,
        unit_driver: String,
        units: f64,
    },
    /// How many of the period's survey responses gave one score (`stakeholder_satisfaction`):
    /// responses are only listed as counts per score, never one by one.
    ScoreCount {
        score: u8,
        responses: u32,
    },
    /// A team expected to report (toil reporting coverage).
    Team {
        team: Slug,
    },
}

impl From<&Incident> for RecordView {
    fn from(i: &Incident) -> Self {
        RecordView::Incident {
            id: i.id.clone(),
            severity: i.severity,
            services: i.services.clone(),
            started_at: i.started_at,
            detected_at: i.detected_at,
            acknowledged_at: i.acknowledged_at,
            mitigated_at: i.mitigated_at,
            resolved_at: i.resolved_at,
            customer_impacting: i.customer_impacting,
            customer_impact_minutes: i.customer_impact_minutes,
            data_loss_minutes: i.data_loss_minutes,
            mitigated_by: i.mitigated_by,
            root_cause_category: i.root_cause_category.clone(),
            repeat_of: i.repeat_of.clone(),
            postmortem_published_at: i.postmortem_published_at,
        }
    }
}

impl From<&Slo> for RecordView {
    fn from(s: &Slo) -> Self {
        RecordView::Slo {
            service: s.service.clone(),
            slo: s.slug.clone(),
            objective: s.objective,
            window_days: s.window.max_days(),
            calendar_window: match s.window {
                SloWindow::Rolling { .. } => None,
                calendar @ SloWindow::Calendar { .. } => Some(calendar.in_words()),
            },
            budgeting: s.budgeting,
            active: s.active,
            indicator: s.indicator,
            threshold_ms: s.threshold_ms,
        }
    }
}

impl From<&Action> for RecordView {
    fn from(a: &Action) -> Self {
        RecordView::Action {
            id: a.id.clone(),
            service: a.service.clone(),
            incident: a.incident.clone(),
            due_date: a.due_date,
            status: a.status,
            completed_at: a.completed_at,
        }
    }
}

impl From<&DrTest> for RecordView {
    fn from(t: &DrTest) -> Self {
        RecordView::DrTest {
            id: t.id.clone(),
            service: t.service.clone(),
            performed_at: t.performed_at,
            outcome: t.outcome,
            rto_target_minutes: t.rto_target_minutes,
            rto_achieved_minutes: t.rto_achieved_minutes,
            rpo_target_minutes: t.rpo_target_minutes,
            rpo_achieved_minutes: t.rpo_achieved_minutes,
        }
    }
}

impl From<&Deployment> for RecordView {
    fn from(d: &Deployment) -> Self {
        RecordView::Deployment {
            id: d.id.clone(),
            service: d.service.clone(),
            deployed_at: d.deployed_at,
            outcome: d.outcome,
            incident: d.incident.clone(),
        }
    }
}

impl From<&Service> for RecordView {
    fn from(s: &Service) -> Self {
        RecordView::Service { slug: s.slug.clone(), team: s.team.clone(), tier: s.tier.value(), active: s.active }
    }
}

/// One record behind a KPI value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PopulationRow {
    #[serde(flatten)]
    pub record: RecordView,
    /// In the KPI's population (the denominator of a rate, the values of a duration).
    pub included: bool,
    /// Counts towards the value: in the numerator of a rate, a member of a count or sum.
    pub counted: bool,
    /// The record's own figure: minutes, days overdue, attainment, budget remaining.
    pub value: Option<f64>,
    pub note: Option<String>,
}

impl PopulationRow {
    fn new(record: impl Into<RecordView>, included: bool, counted: bool) -> Self {
        PopulationRow { record: record.into(), included, counted, value: None, note: None }
    }

    fn value(mut self, value: Option<f64>) -> Self {
        self.value = value;
        self
    }

    fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// The records behind one KPI value and the filter that selected them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Population {
    pub kpi: KpiId,
    pub definition: &'static str,
    /// The population rule applied, with the period's bounds filled in (the scope is applied
    /// before, and reported beside it).
    pub filter: String,
    #[serde(rename = "records")]
    pub rows: Vec<PopulationRow>,
}

fn instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn severities(filter: SeverityFilter) -> String {
    filter.severities().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}

/// The records behind `kpi` for a period over already-scoped inputs (see
/// [`super::compute_kpis`]); `severity` is the duration KPIs' filter.
pub fn population(
    kpi: KpiId,
    period: &Period,
    now: DateTime<Utc>,
    inputs: &ScopedInputs<'_>,
    severity: SeverityFilter,
) -> Population {
    let (start, end) = (instant(period.start()), instant(period.end()));
    let started = format!("incidents with started_at in [{start}, {end})");
    let days = period_days(period);
    let slo_days = format!("SLOs of the scope, measurement days in [{}, {})", days.from, days.to);
    let critical = "active services of tier 0 or 1";
    let (filter, rows) = match kpi {
        KpiId::SloAttainment | KpiId::SloMetRate => (slo_days, slo_rows(period, inputs, kpi == KpiId::SloMetRate)),
        KpiId::ErrorBudgetRemaining | KpiId::BudgetExhaustedCount | KpiId::BurnRate => {
            let filter = format!(
                "SLOs of the scope, their window (the last window_days days, or the calendar window to date) before the as-of day {}",
                period.as_of_day(now)
            );
            (filter, budget_rows(period, now, inputs, kpi))
        }
        KpiId::SloCoverage => (critical.to_owned(), slo_coverage_rows(period, now, inputs)),
        KpiId::HighSevCount => {
            let rows = incidents_started_in(period, &inputs.incidents)
                .into_iter()
                .filter(|i| i.severity.is_high())
                .map(|i| PopulationRow::new(i, true, true))
                .collect();
            (format!("{started} and severity SEV0 or SEV1"), rows)
        }
        KpiId::IncidentCount => {
            let rows = incidents_started_in(period, &inputs.incidents)
                .into_iter()
                .map(|i| PopulationRow::new(i, true, true).note(i.severity.as_str()))
                .collect();
            (started, rows)
        }
        KpiId::CustomerImpactMinutes => (format!("customer-impacting {started}"), impact_rows(period, inputs)),
        KpiId::Mttd => duration_rows(DurationKind::Mttd, period, inputs, severity, &started),
        KpiId::Mtta => duration_rows(DurationKind::Mtta, period, inputs, severity, &started),
        KpiId::Mttr => duration_rows(DurationKind::Mttr, period, inputs, severity, &started),
        KpiId::ImpactDuration => duration_rows(DurationKind::ImpactDuration, period, inputs, severity, &started),
        KpiId::TimeToResolve => duration_rows(DurationKind::TimeToResolve, period, inputs, severity, &started),
        KpiId::RepeatIncidentRate => (format!("{started} (all severities)"), repeat_rows(period, inputs)),
        KpiId::RepeatsAfterActionsDone => (
            format!(
                "repeats among the {started} (all severities); the earlier incident's actions (wont_do \
                 excluded) as they stood when the repeat started"
            ),
            follow_up_rows(period, inputs),
        ),
        KpiId::PostmortemCoverage => (
            format!("incidents of severity SEV0 or SEV1 with mitigated_at in [{start}, {end})"),
            postmortem_rows(period, inputs),
        ),
        KpiId::ActionOnTimeRate => (
            format!("actions with due_date in [{}, {}), status wont_do excluded", days.from, days.to),
            on_time_rows(period, inputs),
        ),
        KpiId::OverdueActions => {
            let as_of = period.as_of(now);
            let filter = format!(
                "actions open at {} (not wont_do, not completed before it) with due_date before {}",
                instant(as_of),
                period.as_of_day(now)
            );
            (filter, overdue_rows(period, now, inputs))
        }
        KpiId::DrPassRate | KpiId::RtoCompliance | KpiId::RpoCompliance => {
            (format!("DR tests with performed_at in [{start}, {end})"), dr_rows(period, inputs, kpi))
        }
        KpiId::DrCoverage => {
            let filter = format!(
                "{critical}; a passing DR test in [as-of − 90 days (tier 0) or 180 days (tier 1), {})",
                instant(period.as_of(now))
            );
            (filter, dr_coverage_rows(period, now, inputs))
        }
        KpiId::RestoresWithinRto | KpiId::DataLossWithinRpo => (
            format!(
                "{started}, of severity {}; the objective: the strictest among the scope's services the \
                 incident names",
                severities(severity)
            ),
            recovery_rows(kpi, period, now, inputs, severity),
        ),
        KpiId::ChangeFailureRate | KpiId::DeploymentFrequency => {
            let rows = deployments_in(period, &inputs.deployments)
                .into_iter()
                .map(|d| {
                    let counted = kpi == KpiId::DeploymentFrequency || d.is_failed_change();
                    PopulationRow::new(d, true, counted)
                })
                .collect();
            (format!("deployments with deployed_at in [{start}, {end})"), rows)
        }
        KpiId::PagesPerShift => (oncall::shifts_filter(period), oncall::shift_rows(period, inputs)),
        KpiId::PageCount
        | KpiId::AlertPrecision
        | KpiId::AlertDispositionCoverage
        | KpiId::OffHoursPageShare
        | KpiId::SleepHoursPageShare
        | KpiId::PageMtta
        | KpiId::NoisiestRules => (oncall::pages_filter(period), oncall::page_rows(kpi, period, inputs)),
        KpiId::CapacityHeadroomCompliance => (
            format!(
                "days in [{}, {}) before the as-of day {} of the scope's active services, each at its smallest \
                 headroom over its resources",
                period.first_day(),
                period.end_day(),
                period.as_of_day(now)
            ),
            toil::headroom_rows(period, now, inputs),
        ),
        KpiId::AutomatedMitigationShare => (
            format!("incidents with mitigated_at in [{start}, {end}) (all severities)"),
            toil::mitigation_rows(period, inputs),
        ),
        KpiId::FailureModesAutomated => {
            let as_of = period.as_of(now);
            let from = as_of
                .checked_sub_signed(chrono::TimeDelta::days(super::automation::FAILURE_MODE_LOOKBACK_DAYS))
                .unwrap_or(as_of);
            let filter = format!(
                "root-cause categories of the scope's services' incidents with started_at in [{}, {})",
                instant(from),
                instant(as_of)
            );
            (filter, toil::failure_mode_rows(period, now, inputs))
        }
        KpiId::ToilRatio => (toil::reports_filter(period), toil::report_rows(period, inputs)),
        KpiId::ToilReportingCoverage => (toil::teams_filter(period), toil::team_rows(period, inputs)),
        KpiId::UnitCost => (cost::costs_filter(period, now), cost::cost_rows(period, now, inputs)),
        KpiId::StakeholderSatisfaction => survey::score_rows(period, now, inputs),
        KpiId::DataQuality => (
            format!(
                "incident_timestamps: SEV0/SEV1 {started}; slo_data: active SLOs, days in [{}, {}); \
                 action_due_dates: actions of incidents started in the period",
                days.from, days.to
            ),
            quality_rows(period, inputs),
        ),
    };
    Population { kpi, definition: kpi.definition(), filter, rows }
}

fn slo_rows(period: &Period, inputs: &ScopedInputs<'_>, met_rate: bool) -> Vec<PopulationRow> {
    inputs
        .slos
        .iter()
        .map(|slo| {
            let a = slo_attainment(period, slo);
            let row = PopulationRow::new(*slo, a.met.is_some(), a.met == Some(true)).value(a.attainment);
            // A ratio-timeslices SLO's value is the mean of its daily ratios, not Σgood ÷ Σtotal.
            let ratio = slo.budgeting == Budgeting::RatioTimeslices;
            match a.met {
                Some(true) if ratio => row.note("met (mean of the daily ratios)"),
                Some(false) if ratio => row.note("missed (mean of the daily ratios)"),
                Some(true) => row.note("met"),
                Some(false) => row.note("missed"),
                None if met_rate => row.note("no data in the period: not judged"),
                None => row.note("no data in the period"),
            }
        })
        .collect()
}

fn budget_rows(period: &Period, now: DateTime<Utc>, inputs: &ScopedInputs<'_>, kpi: KpiId) -> Vec<PopulationRow> {
    inputs
        .slos
        .iter()
        .map(|slo| {
            let (value, counted) = if kpi == KpiId::BurnRate {
                let rates = slo_status(period, now, slo).burn_rate;
                (rates.window, rates.window.is_some_and(|r| r >= 1.0))
            } else {
                let remaining = error_budget_remaining(period, now, slo);
                let exhausted = remaining.is_some_and(|r| r <= 0.0);
                (remaining, if kpi == KpiId::BudgetExhaustedCount { exhausted } else { remaining.is_some() })
            };
            let row = PopulationRow::new(*slo, value.is_some(), counted).value(value);
            match (value, kpi) {
                (None, _) => row.note(format!("no events in {}", slo.window.span_in_words())),
                (Some(_), KpiId::BudgetExhaustedCount) if counted => row.note("exhausted (remaining ≤ 0)"),
                (Some(_), KpiId::BurnRate) if counted => row.note("burning at or above budget over the window"),
                _ => row,
            }
        })
        .collect()
}

fn slo_coverage_rows(period: &Period, now: DateTime<Utc>, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    inputs
        .services
        .iter()
        .filter(|s| s.is_critical_and_active())
        .map(|service| {
            let covering: Vec<&str> = inputs
                .slos
                .iter()
                .filter(|slo| slo.service == service.slug && slo_covers_period(period, now, slo) == Some(true))
                .map(|slo| slo.slug.as_str())
                .collect();
            let row = PopulationRow::new(*service, true, !covering.is_empty());
            if covering.is_empty() {
                row.note("no SLO with measurements on ≥ 90 % of the period's days")
            } else {
                row.note(format!("covered by {}", covering.join(", ")))
            }
        })
        .collect()
}

fn impact_rows(period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    incidents_started_in(period, &inputs.incidents)
        .into_iter()
        .filter(|i| i.customer_impacting)
        .map(|i| {
            let minutes = impact_minutes_of(i);
            let row = PopulationRow::new(i, minutes.is_some(), minutes.is_some()).value(minutes);
            match (i.customer_impact_minutes, i.mitigated_at) {
                (Some(_), _) => row.note("explicit customer_impact_minutes"),
                (None, Some(_)) => row.note("derived: mitigated_at − started_at"),
                (None, None) => row.note("left out: neither customer_impact_minutes nor mitigated_at"),
            }
        })
        .collect()
}

fn duration_rows(
    kind: DurationKind,
    period: &Period,
    inputs: &ScopedInputs<'_>,
    severity: SeverityFilter,
    started: &str,
) -> (String, Vec<PopulationRow>) {
    let rows = incidents_started_in(period, &inputs.incidents)
        .into_iter()
        .filter(|i| severity.matches(i.severity))
        .map(|i| {
            let minutes = kind.minutes(i);
            let row = PopulationRow::new(i, minutes.is_some(), minutes.is_some()).value(minutes);
            if minutes.is_some() { row } else { row.note("left out: a timestamp of this duration is missing") }
        })
        .collect();
    (format!("{started} and severity in {}", severities(severity)), rows)
}

fn repeat_rows(period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    let index = inputs.repeat_index;
    incidents_started_in(period, &inputs.incidents)
        .into_iter()
        .map(|i| {
            let repeat = index.is_repeat(i);
            let row = PopulationRow::new(i, true, repeat);
            match (&i.repeat_of, repeat) {
                (Some(of), true) if !of.trim().is_empty() => row.note(format!("explicit repeat of {of}")),
                (_, true) => row.note("implicit: a service and root cause shared within the previous 90 days"),
                _ => row,
            }
        })
        .collect()
}

fn follow_up_rows(period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    repeat_follow_ups(period, &inputs.incidents, inputs.repeat_index, inputs.follow_ups)
        .into_iter()
        .map(|r| {
            let ActionsStanding { total, done } = r.actions;
            let row = PopulationRow::new(r.incident, total > 0, r.actions.all_done());
            match total {
                0 => row.note(format!("repeats {}, which has no follow-up action: left out", r.earlier)),
                _ => row.note(format!(
                    "repeats {}: {done} of {total} action{} done before this started",
                    r.earlier,
                    if total == 1 { "" } else { "s" }
                )),
            }
        })
        .collect()
}

fn postmortem_rows(period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    incidents_mitigated_in(period, &inputs.incidents)
        .into_iter()
        .filter(|i| i.severity.is_high())
        .map(|i| {
            let on_time = postmortem_published_within(i, POSTMORTEM_DEADLINE_DAYS);
            let row = PopulationRow::new(i, true, on_time);
            match (on_time, i.postmortem_published_at) {
                (true, _) => row.note("published within 7 days of mitigation"),
                (false, Some(_)) => row.note("published later than 7 days after mitigation"),
                (false, None) => row.note("no published postmortem with a published_at"),
            }
        })
        .collect()
}

fn on_time_rows(period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    let calendar = period.calendar();
    actions_due_in(period, &inputs.actions)
        .into_iter()
        .map(|a| {
            let on_time = a.is_done_on_time(&calendar);
            let row = PopulationRow::new(a, true, on_time);
            if on_time {
                row.note("done by the end of its due day")
            } else {
                row.note("not done by the end of its due day")
            }
        })
        .collect()
}

fn overdue_rows(period: &Period, now: DateTime<Utc>, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    inputs
        .actions
        .iter()
        .filter_map(|a| {
            let days = days_overdue(period, now, a)?;
            let bucket = match days {
                1..=30 => "days_1_30",
                31..=90 => "days_31_90",
                _ => "days_over_90",
            };
            Some(PopulationRow::new(*a, true, true).value(Some(days as f64)).note(bucket))
        })
        .collect()
}

fn dr_rows(period: &Period, inputs: &ScopedInputs<'_>, kpi: KpiId) -> Vec<PopulationRow> {
    dr_tests_performed_in(period, &inputs.dr_tests)
        .into_iter()
        .map(|t| {
            let judged = match kpi {
                KpiId::RtoCompliance => t.met_rto(),
                KpiId::RpoCompliance => t.met_rpo(),
                _ => Some(t.outcome == DrOutcome::Pass),
            };
            let row = PopulationRow::new(t, judged.is_some(), judged == Some(true));
            if judged.is_none() { row.note("left out: target or achieved value missing") } else { row }
        })
        .collect()
}

/// Every incident of the filter started in the period: held to an objective or not, judged or
/// not, and why.
fn recovery_rows(
    kpi: KpiId,
    period: &Period,
    now: DateTime<Utc>,
    inputs: &ScopedInputs<'_>,
    severity: SeverityFilter,
) -> Vec<PopulationRow> {
    let objective = if kpi == KpiId::RestoresWithinRto { Objective::Rto } else { Objective::Rpo };
    let as_of = period.as_of(now);
    let minutes = |m: f64| format!("{:.0} min", m.floor());
    incidents_started_in(period, &inputs.incidents)
        .into_iter()
        .filter(|i| severity.matches(i.severity))
        .map(|i| {
            let Some((target, service)) = objective_of(objective, i, &inputs.services) else {
                let none = format!("no {} declared for its services: not held to one", objective.label());
                return PopulationRow::new(i, false, false).note(none);
            };
            let held = format!("{} {target} min ({service})", objective.label());
            if objective == Objective::Rpo {
                return match rpo_met(i, target) {
                    None => PopulationRow::new(i, false, false).note(format!("{held}: data loss not recorded")),
                    Some(met) => PopulationRow::new(i, true, met)
                        .value(i.data_loss_minutes.map(|m| m as f64))
                        .note(format!("{held}: {}", if met { "within" } else { "exceeded" })),
                };
            }
            let check = rto_check(i, target, as_of);
            let row = PopulationRow::new(i, check.met().is_some(), check.met() == Some(true));
            match check {
                RtoCheck::Within { minutes: m, .. } => {
                    row.value(Some(m)).note(format!("{held}: restored in {}, within", minutes(m)))
                }
                RtoCheck::Missed { minutes: m, restored: true, .. } => {
                    row.value(Some(m)).note(format!("{held}: restored in {}, over it", minutes(m)))
                }
                RtoCheck::Missed { minutes: m, .. } => row
                    .value(Some(m))
                    .note(format!("{held}: not restored {} after it started, already over it", minutes(m))),
                RtoCheck::Open { minutes: m, .. } => {
                    row.note(format!("{held}: not restored yet ({} so far): not judged", minutes(m)))
                }
                RtoCheck::Unknown { resolved_after: m, .. } => row.note(format!(
                    "{held}: resolved {} after it started with no restore time recorded: not judged",
                    minutes(m)
                )),
            }
        })
        .collect()
}

fn dr_coverage_rows(period: &Period, now: DateTime<Utc>, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    let as_of = period.as_of(now);
    inputs
        .services
        .iter()
        .filter(|s| s.is_critical_and_active())
        .map(|service| {
            let days = dr_coverage_interval_days(service.tier.value());
            let covered = days.is_some_and(|d| has_passing_test_within(&service.slug, &inputs.dr_tests, as_of, d));
            let row = PopulationRow::new(*service, true, covered);
            let interval = days.unwrap_or_default();
            if covered {
                row.note(format!("passing DR test within {interval} days"))
            } else {
                row.note(format!("no passing DR test within {interval} days"))
            }
        })
        .collect()
}

fn quality_rows(period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    let incidents =
        incidents_started_in(period, &inputs.incidents).into_iter().filter(|i| i.severity.is_high()).map(|i| {
            let timed = i.detected_at.is_some() && i.mitigated_at.is_some();
            PopulationRow::new(i, true, timed).note("incident_timestamps")
        });
    let days = period_days(period);
    let slos = inputs
        .slos
        .iter()
        .filter(|s| s.active)
        .map(|s| PopulationRow::new(*s, true, s.data.totals(days).days > 0).note("slo_data"));
    let (start, end) = (period.start(), period.end());
    let actions = inputs
        .actions
        .iter()
        .filter(|a| a.incident_started_at.is_some_and(|t| start <= t && t < end))
        .map(|a| PopulationRow::new(*a, true, a.due_date.is_some()).note("action_due_dates"));
    incidents.chain(slos).chain(actions).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::{day, q, utc};
    use crate::domain::kpi::tests::dataset;
    use crate::domain::kpi::{Scope, compute_kpis};
    use crate::domain::kpi::{SloData, SloMeasurement};

    fn slo(service: &str, objective: f64, days: &[(&str, i64, i64)]) -> Slo {
        let rows = days.iter().map(|(d, good, total)| SloMeasurement { day: day(d), good: *good, total: *total });
        Slo {
            service: Slug::parse(service).unwrap(),
            slug: Slug::parse("availability").unwrap(),
            objective,
            window: crate::domain::kpi::SloWindow::Rolling { days: 28 },
            budgeting: crate::domain::records::Budgeting::Occurrences,
            active: true,
            indicator: crate::domain::records::Indicator::Availability,
            threshold_ms: None,
            data: SloData::Days(rows.collect()),
        }
    }

    fn share(p: &Population) -> Option<f64> {
        let included = p.rows.iter().filter(|r| r.included).count();
        let counted = p.rows.iter().filter(|r| r.included && r.counted).count();
        (included > 0).then(|| counted as f64 / included as f64)
    }

    fn counted(p: &Population) -> u64 {
        p.rows.iter().filter(|r| r.counted).count() as u64
    }

    #[test]
    fn every_rate_and_count_is_re_performed_from_its_population() {
        let mut data = dataset();
        data.slos = vec![
            slo("checkout", 99.0, &[("2026-07-01", 995, 1000), ("2026-09-30", 980, 1000)]),
            slo("ledger", 99.9, &[("2026-08-01", 1000, 1000)]),
            slo("search", 99.0, &[]),
        ];
        data.follow_ups = data.actions.clone();
        let now = utc("2027-01-15T00:00:00Z");
        for scope in [Scope::Org, Scope::Team(Slug::parse("payments").unwrap())] {
            let inputs = data.scoped(&scope);
            let period = q("2026-Q3");
            let kpis = compute_kpis(&period, now, &inputs, SeverityFilter::HIGH);
            let p = |kpi| population(kpi, &period, now, &inputs, SeverityFilter::HIGH);
            assert_eq!(share(&p(KpiId::SloMetRate)), kpis.slo_met_rate);
            assert_eq!(counted(&p(KpiId::BudgetExhaustedCount)), kpis.budget_exhausted_count);
            assert_eq!(share(&p(KpiId::SloCoverage)), kpis.slo_coverage);
            assert_eq!(counted(&p(KpiId::HighSevCount)), kpis.high_sev_count);
            assert_eq!(counted(&p(KpiId::IncidentCount)), kpis.incident_count.values().sum::<u64>());
            let impact: f64 = p(KpiId::CustomerImpactMinutes).rows.iter().filter_map(|r| r.value).sum();
            assert_eq!(impact, kpis.customer_impact_minutes);
            let mttr: Vec<f64> = p(KpiId::Mttr).rows.iter().filter_map(|r| r.value).collect();
            assert_eq!(mttr.len(), kpis.mttr.map_or(0, |m| m.count));
            assert_eq!(share(&p(KpiId::RepeatIncidentRate)), kpis.repeat_incident_rate);
            assert_eq!(share(&p(KpiId::RepeatsAfterActionsDone)), kpis.repeats_after_actions_done);
            assert_eq!(share(&p(KpiId::PostmortemCoverage)), kpis.postmortem_coverage);
            assert_eq!(share(&p(KpiId::ActionOnTimeRate)), kpis.action_on_time_rate);
            assert_eq!(counted(&p(KpiId::OverdueActions)), kpis.overdue_actions.count);
            assert_eq!(share(&p(KpiId::DrPassRate)), kpis.dr_pass_rate);
            assert_eq!(share(&p(KpiId::RtoCompliance)), kpis.rto_compliance);
            assert_eq!(share(&p(KpiId::RpoCompliance)), kpis.rpo_compliance);
            assert_eq!(share(&p(KpiId::DrCoverage)), kpis.dr_coverage);
            assert_eq!(share(&p(KpiId::ChangeFailureRate)), kpis.change_failure_rate);
        }
    }

    #[test]
    fn left_out_incidents_are_listed_with_the_reason() {
        let data = dataset();
        let inputs = data.scoped(&Scope::Org);
        let p = population(KpiId::Mttr, &q("2026-Q3"), utc("2027-01-15T00:00:00Z"), &inputs, SeverityFilter::ALL);
        assert!(p.filter.starts_with("incidents with started_at in [2026-07-01T00:00:00Z, 2026-10-01T00:00:00Z)"));
        assert!(
            p.rows.iter().filter(|r| !r.included).all(|r| r.note.as_deref().is_some_and(|n| n.contains("missing")))
        );
        assert_eq!(p.definition, KpiId::Mttr.definition());
    }
}
