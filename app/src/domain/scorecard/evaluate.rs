//! Evaluating a policy for one service and period (docs/scorecard-policy.md). Every check is judged at the
//! period's as-of instant with the KPI engine's population rules; exemptions are judged at `now`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::policy::{CheckId, CheckSpec, Level, Policy, Threshold, Unit, format_in_unit, number_json};
use crate::domain::kpi::actions::days_overdue;
use crate::domain::kpi::incidents::{RepeatIndex, incidents_mitigated_in, incidents_started_in};
use crate::domain::kpi::{
    Action, Alert, CapacityDay, Dataset, DrTest, Incident, OncallShift, Period, ScopedInputs, Service, SeverityFilter,
    Slo, action_on_time_rate, error_budget_remaining, mttr, service_headroom, slo_attainment,
};

mod oncall;
use crate::domain::kpi::{dr::has_passing_test_within, incidents::postmortem_coverage_within};
use crate::domain::records::Slug;

/// The status of one check for one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckStatus {
    Pass,
    Fail,
    /// Failing (or without data) but covered by an unexpired exemption: does not block a level,
    /// never counts as passed in the score.
    Waived,
    /// The check does not apply to this service (its tier, or nothing happened to judge).
    NotApplicable,
    /// The data to judge the check is missing. Never passes.
    NoData,
    /// The policy announces the check from a later date (`counts_from`): judged and shown, but
    /// until then it changes neither level nor score.
    Upcoming,
}

impl CheckStatus {
    /// Whether the status lets the service reach the check's level.
    pub fn clears_level(self) -> bool {
        matches!(self, CheckStatus::Pass | CheckStatus::Waived | CheckStatus::NotApplicable | CheckStatus::Upcoming)
    }

    /// Whether the check counts in the score and can decide a level: not `not_applicable`, not
    /// `upcoming`.
    pub fn counts(self) -> bool {
        !matches!(self, CheckStatus::NotApplicable | CheckStatus::Upcoming)
    }

    /// Failing or without data: what "what to fix next" lists.
    pub fn needs_fixing(self) -> bool {
        matches!(self, CheckStatus::Fail | CheckStatus::NoData)
    }

    /// The status as serialised (`no_data`), also the stylesheet's class suffix with `-`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Waived => "waived",
            CheckStatus::NotApplicable => "not_applicable",
            CheckStatus::NoData => "no_data",
            CheckStatus::Upcoming => "upcoming",
        }
    }

    /// The status for reading.
    pub fn label(self) -> &'static str {
        match self {
            CheckStatus::Pass => "Pass",
            CheckStatus::Fail => "Fail",
            CheckStatus::Waived => "Waived",
            CheckStatus::NotApplicable => "Not applicable",
            CheckStatus::NoData => "No data",
            CheckStatus::Upcoming => "Upcoming",
        }
    }
}

/// Where an approval (a waiver, a readiness sign-off) was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalOrigin {
    /// By the approver themselves, signed in to Plumbline (the waiver and sign-off flows).
    Plumbline,
    /// In another system, imported by an admin: it counts, but Plumbline cannot vouch for who
    /// approved, and says so wherever the approval is shown.
    #[default]
    Imported,
}

impl ApprovalOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalOrigin::Plumbline => "plumbline",
            ApprovalOrigin::Imported => "imported",
        }
    }

    /// Anything but `plumbline` is imported: an unknown origin is never taken as verified.
    pub fn parse(text: Option<&str>) -> Self {
        match text {
            Some("plumbline") => ApprovalOrigin::Plumbline,
            _ => ApprovalOrigin::Imported,
        }
    }

    /// How an approval by `approver` is named where it is shown.
    pub fn describe(self, approver: &str) -> String {
        match self {
            ApprovalOrigin::Plumbline => format!("approved by {approver}"),
            ApprovalOrigin::Imported => {
                format!("approval by {approver} imported from another system, not verified in Plumbline")
            }
        }
    }
}

/// A waiver of one check of one service (docs/data-model.md `exemption`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exemption {
    pub service: Slug,
    pub check: CheckId,
    pub reason: String,
    pub approver: String,
    pub expires_at: DateTime<Utc>,
    /// Made in Plumbline or imported; a form without it is taken as imported.
    #[serde(default)]
    pub approval: ApprovalOrigin,
}

impl Exemption {
    /// An exemption waives its check while `now < expires_at`.
    pub fn is_active_at(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at
    }
}

/// How a waived check was waived, and what it would have been.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiver {
    pub reason: String,
    pub approver: String,
    pub approval: ApprovalOrigin,
    pub expires_at: DateTime<Utc>,
    /// `fail` or `no_data`.
    pub underlying_status: CheckStatus,
}

/// The answer to one readiness checklist item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReadinessAnswer {
    #[serde(rename = "yes")]
    Yes,
    #[serde(rename = "no")]
    No,
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl ReadinessAnswer {
    /// `yes`, `no` or `n/a` (case-insensitive).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "yes" => Some(ReadinessAnswer::Yes),
            "no" => Some(ReadinessAnswer::No),
            "n/a" => Some(ReadinessAnswer::NotApplicable),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReadinessAnswer::Yes => "yes",
            ReadinessAnswer::No => "no",
            ReadinessAnswer::NotApplicable => "n/a",
        }
    }

    pub fn expected() -> String {
        "one of yes, no, n/a".to_owned()
    }
}

/// One self-assessment answer (docs/data-model.md `self_assessment`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelfAssessmentAnswer {
    pub service: Slug,
    pub item: String,
    pub answer: ReadinessAnswer,
    pub answered_at: DateTime<Utc>,
    /// When someone else signed it off (only signed-off answers are judged).
    pub reviewed_at: DateTime<Utc>,
}

/// The result of one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    pub id: CheckId,
    pub level: Level,
    pub title: String,
    pub weight: u32,
    pub status: CheckStatus,
    /// The measured value (shape depends on the check; `null` when there is nothing to show).
    pub value: Value,
    /// The threshold for the service's tier: a number, `true`, or `null` when not applicable.
    pub threshold: Value,
    /// One line: what was found and, unless it passes, how to fix it.
    pub explanation: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiver: Option<Waiver>,
    /// For an `upcoming` check, the status it has now had it counted (what a campaign for it
    /// judges).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judged: Option<CheckStatus>,
}

/// One service's scorecard for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    pub service: Slug,
    pub team: Slug,
    pub tier: u8,
    pub policy_version: String,
    pub as_of: DateTime<Utc>,
    /// The highest level reached; `None` below Bronze.
    pub level: Option<Level>,
    /// 0–100: weighted share of applicable checks that pass (floored, so 100 means all pass);
    /// `None` when no check applies.
    pub score: Option<u8>,
    pub checks: Vec<CheckResult>,
}

/// The records one service's checks look at. SLOs carry measurements of the period and of the
/// error-budget window; `incident_history` holds every incident an earlier occurrence (repeat)
/// may be among, whatever its service.
#[derive(Debug, Clone, Default)]
pub struct ServiceInputs<'a> {
    pub slos: Vec<&'a Slo>,
    pub incidents: Vec<&'a Incident>,
    pub incident_history: &'a [Incident],
    /// `incident_history` already indexed for repeats (built from it when absent).
    pub repeat_index: Option<&'a RepeatIndex>,
    pub actions: Vec<&'a Action>,
    pub dr_tests: Vec<&'a DrTest>,
    pub self_assessment: Vec<&'a SelfAssessmentAnswer>,
    pub alerts: Vec<&'a Alert>,
    /// The on-call shifts of the service's team.
    pub shifts: Vec<&'a OncallShift>,
    /// The service's days with their smallest capacity headroom.
    pub capacity_days: Vec<&'a CapacityDay>,
}

impl<'a> ServiceInputs<'a> {
    /// The inputs of a `Scope::Service` view of a dataset, with the service's self-assessment.
    pub fn from_scoped(scoped: &ScopedInputs<'a>, self_assessment: Vec<&'a SelfAssessmentAnswer>) -> Self {
        ServiceInputs {
            slos: scoped.slos.clone(),
            incidents: scoped.incidents.clone(),
            incident_history: scoped.incident_history,
            repeat_index: Some(scoped.repeat_index),
            actions: scoped.actions.clone(),
            dr_tests: scoped.dr_tests.clone(),
            self_assessment,
            alerts: scoped.alerts.clone(),
            shifts: scoped.shifts.clone(),
            capacity_days: scoped.capacity_days.clone(),
        }
    }
}

/// What a check found, before exemptions.
struct Outcome {
    status: CheckStatus,
    value: Value,
    detail: String,
}

impl Outcome {
    fn new(status: CheckStatus, value: Value, detail: impl Into<String>) -> Self {
        Outcome { status, value, detail: detail.into() }
    }

    fn judged(pass: bool, value: Value, detail: impl Into<String>) -> Self {
        Outcome::new(if pass { CheckStatus::Pass } else { CheckStatus::Fail }, value, detail)
    }
}

struct Context<'a, 'b> {
    policy: &'a Policy,
    service: &'a Service,
    period: &'a Period,
    now: DateTime<Utc>,
    as_of: DateTime<Utc>,
    inputs: &'a ServiceInputs<'b>,
}

impl Context<'_, '_> {
    fn active_slos(&self) -> Vec<&Slo> {
        self.inputs.slos.iter().copied().filter(|s| s.active && s.service == self.service.slug).collect()
    }
}

fn slugs(list: &[&Slo]) -> Vec<String> {
    list.iter().map(|s| s.slug.as_str().to_owned()).collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") }
}

fn pct(v: f64) -> String {
    format_in_unit(Unit::Fraction, v)
}

/// Evaluates one check against a numeric (or flag) threshold `t`.
fn run_check(cx: &Context<'_, '_>, id: CheckId, t: f64) -> Outcome {
    let unit = id.unit();
    let shown = format_in_unit(unit, t);
    match id {
        CheckId::OwningTeam => Outcome::new(
            CheckStatus::Pass,
            json!(cx.service.team.as_str()),
            format!("Owned by team {}.", cx.service.team),
        ),
        CheckId::ActiveSlo => {
            let n = cx.active_slos().len();
            Outcome::judged(
                n as f64 >= t,
                json!(n),
                format!("{} (needs ≥ {shown}).", plural(n, "active SLO", "active SLOs")),
            )
        }
        CheckId::SloDataFresh => slo_data_fresh(cx, t, &shown),
        CheckId::DrTestOnRecord => {
            let n =
                cx.inputs.dr_tests.iter().filter(|d| d.service == cx.service.slug && d.performed_at < cx.as_of).count();
            Outcome::judged(n > 0, json!(n), format!("{} on record.", plural(n, "DR test", "DR tests")))
        }
        CheckId::SlosMet => slos_met(cx),
        CheckId::PostmortemCoverage => {
            let days = t as i64;
            let high = incidents_mitigated_in(cx.period, &cx.inputs.incidents)
                .into_iter()
                .filter(|i| i.severity.is_high())
                .count();
            match postmortem_coverage_within(cx.period, &cx.inputs.incidents, days) {
                None => Outcome::new(
                    CheckStatus::NotApplicable,
                    Value::Null,
                    "No SEV0/SEV1 incident was mitigated this period.",
                ),
                Some(c) => Outcome::judged(
                    c >= 1.0,
                    number_json(c),
                    format!(
                        "{} of {} had a published postmortem within {shown} (needs 100 %).",
                        pct(c),
                        plural(high, "high-severity incident", "high-severity incidents")
                    ),
                ),
            }
        }
        CheckId::ActionOnTimeRate => match action_on_time_rate(cx.period, &cx.inputs.actions) {
            None => Outcome::new(CheckStatus::NotApplicable, Value::Null, "No postmortem action was due this period."),
            Some(r) => Outcome::judged(
                r >= t,
                number_json(r),
                format!("{} of actions due this period were done on time (needs ≥ {shown}).", pct(r)),
            ),
        },
        CheckId::NoLongOverdueActions => {
            let overdue: Vec<i64> = cx
                .inputs
                .actions
                .iter()
                .filter_map(|a| days_overdue(cx.period, cx.now, a))
                .filter(|d| *d as f64 > t)
                .collect();
            let worst = overdue.iter().max().copied();
            Outcome::judged(
                overdue.is_empty(),
                json!({"count": overdue.len(), "max_days_overdue": worst}),
                format!("{} overdue by more than {shown}.", plural(overdue.len(), "action", "actions")),
            )
        }
        CheckId::DrTestRecent => {
            let days = t as i64;
            let pass = has_passing_test_within(&cx.service.slug, &cx.inputs.dr_tests, cx.as_of, days);
            let latest = cx
                .inputs
                .dr_tests
                .iter()
                .filter(|d| {
                    d.service == cx.service.slug
                        && d.outcome == crate::domain::records::DrOutcome::Pass
                        && d.performed_at < cx.as_of
                })
                .map(|d| d.performed_at)
                .max();
            let age = latest.map(|at| (cx.as_of - at).num_days());
            let detail = match age {
                Some(a) => format!("Latest passing DR test was {a} days before the as-of date (needs ≤ {shown})."),
                None => "No passing DR test on record.".to_owned(),
            };
            Outcome::judged(pass, json!({"days_since_passing_test": age}), detail)
        }
        CheckId::ErrorBudgetRemaining => error_budget(cx, t, &shown),
        CheckId::MttrHighSev => match mttr(cx.period, &cx.inputs.incidents, SeverityFilter::HIGH) {
            Some(stats) => Outcome::judged(
                stats.median <= t,
                number_json(stats.median),
                format!(
                    "Median SEV0/SEV1 time to restore is {} over {} (needs ≤ {shown}).",
                    format_in_unit(Unit::Minutes, stats.median),
                    plural(stats.count, "incident", "incidents")
                ),
            ),
            None => {
                let high = incidents_started_in(cx.period, &cx.inputs.incidents)
                    .into_iter()
                    .filter(|i| i.severity.is_high())
                    .count();
                if high == 0 {
                    Outcome::new(CheckStatus::NotApplicable, Value::Null, "No SEV0/SEV1 incident started this period.")
                } else {
                    Outcome::new(
                        CheckStatus::NoData,
                        Value::Null,
                        format!(
                            "{} lack detected or mitigated times.",
                            plural(high, "high-severity incident", "high-severity incidents")
                        ),
                    )
                }
            }
        },
        CheckId::NoRepeatIncidents => {
            let built;
            let index = match cx.inputs.repeat_index {
                Some(index) => index,
                None => {
                    built = RepeatIndex::new(cx.inputs.incident_history);
                    &built
                }
            };
            let repeats = incidents_started_in(cx.period, &cx.inputs.incidents)
                .into_iter()
                .filter(|i| index.is_repeat(i))
                .count();
            Outcome::judged(
                repeats as f64 <= t,
                json!(repeats),
                format!("{} this period (allowed: {shown}).", plural(repeats, "repeat incident", "repeat incidents")),
            )
        }
        CheckId::DrLatestMetObjectives => dr_latest(cx),
        CheckId::SelfAssessmentCurrent => self_assessment(cx, t, &shown),
        CheckId::PagesReviewed | CheckId::AlertPrecision | CheckId::PagingLoad => oncall::check(cx, id, t, &shown),
        CheckId::CapacityHeadroom => capacity_headroom(cx, t, &shown),
    }
}

/// The share of the service's measured days of the period on which it kept its tier's headroom
/// (docs/kpis.md §10d); a service measured on no day has nothing to judge.
fn capacity_headroom(cx: &Context<'_, '_>, t: f64, shown: &str) -> Outcome {
    let as_of_day = cx.period.as_of_day(cx.now);
    let service = std::slice::from_ref(cx.service);
    let rows = service_headroom(cx.period, as_of_day, service, &cx.inputs.capacity_days, &cx.policy.kpi);
    let Some(row) = rows.first() else {
        return Outcome::new(CheckStatus::NotApplicable, Value::Null, "No capacity was measured this period.");
    };
    let share = row.compliance().unwrap_or(0.0);
    Outcome::judged(
        share >= t,
        number_json(share),
        format!(
            "Kept its {} headroom on {} of {} measured days, {} (needs ≥ {shown}); least {} ({} on {}).",
            pct(row.required),
            row.days_meeting,
            row.days_with_data,
            pct(share),
            pct(row.worst),
            row.worst_resource,
            row.worst_day
        ),
    )
}

fn slo_data_fresh(cx: &Context<'_, '_>, t: f64, shown: &str) -> Outcome {
    let slos = cx.active_slos();
    if slos.is_empty() {
        return Outcome::new(CheckStatus::NoData, Value::Null, "The service has no active SLO.");
    }
    let as_of_day = cx.period.as_of_day(cx.now);
    let ages: Vec<(&Slo, Option<i64>)> = slos
        .iter()
        .map(|slo| {
            let latest = slo.data.latest_day_before(as_of_day);
            (*slo, latest.map(|d| (as_of_day - d).num_days()))
        })
        .collect();
    if ages.iter().all(|(_, age)| age.is_none()) {
        return Outcome::new(CheckStatus::NoData, Value::Null, "No SLO measurement has been received.");
    }
    let stale: Vec<&Slo> = ages.iter().filter(|(_, age)| age.is_none_or(|a| a as f64 > t)).map(|(s, _)| *s).collect();
    let oldest = ages.iter().filter_map(|(_, a)| *a).max();
    let detail = if stale.is_empty() {
        format!("Every active SLO has data from the last {shown}.")
    } else {
        format!("Stale SLO data (older than {shown}): {}.", slugs(&stale).join(", "))
    };
    Outcome::judged(stale.is_empty(), json!({"oldest_age_days": oldest, "stale_slos": slugs(&stale)}), detail)
}

fn slos_met(cx: &Context<'_, '_>) -> Outcome {
    let slos = cx.active_slos();
    if slos.is_empty() {
        return Outcome::new(CheckStatus::NoData, Value::Null, "The service has no active SLO.");
    }
    let (mut met, mut missed, mut unknown) = (Vec::new(), Vec::new(), Vec::new());
    for slo in slos {
        match slo_attainment(cx.period, slo).met {
            Some(true) => met.push(slo),
            Some(false) => missed.push(slo),
            None => unknown.push(slo),
        }
    }
    let value = json!({"met": met.len(), "missed": slugs(&missed), "without_data": slugs(&unknown)});
    if !missed.is_empty() {
        Outcome::new(CheckStatus::Fail, value, format!("Missed this period: {}.", slugs(&missed).join(", ")))
    } else if !unknown.is_empty() {
        Outcome::new(CheckStatus::NoData, value, format!("No data this period for: {}.", slugs(&unknown).join(", ")))
    } else {
        Outcome::new(CheckStatus::Pass, value, format!("All {} met their objective.", plural(met.len(), "SLO", "SLOs")))
    }
}

fn error_budget(cx: &Context<'_, '_>, t: f64, shown: &str) -> Outcome {
    let slos = cx.active_slos();
    if slos.is_empty() {
        return Outcome::new(CheckStatus::NoData, Value::Null, "The service has no active SLO.");
    }
    let (mut below, mut unknown, mut lowest) = (Vec::new(), Vec::new(), None::<f64>);
    for slo in slos {
        match error_budget_remaining(cx.period, cx.now, slo) {
            Some(r) => {
                lowest = Some(lowest.map_or(r, |l| l.min(r)));
                if r < t {
                    below.push(slo);
                }
            }
            None => unknown.push(slo),
        }
    }
    let value = json!({"lowest": lowest.map(number_json), "below": slugs(&below), "without_data": slugs(&unknown)});
    if !below.is_empty() {
        let detail = format!(
            "Error budget below {shown} on: {} (lowest {}).",
            slugs(&below).join(", "),
            pct(lowest.unwrap_or_default())
        );
        Outcome::new(CheckStatus::Fail, value, detail)
    } else if !unknown.is_empty() {
        let detail = format!("No events in the budget window for: {}.", slugs(&unknown).join(", "));
        Outcome::new(CheckStatus::NoData, value, detail)
    } else {
        let detail = format!(
            "Every SLO keeps at least {shown} of its error budget (lowest {}).",
            pct(lowest.unwrap_or_default())
        );
        Outcome::new(CheckStatus::Pass, value, detail)
    }
}

fn dr_latest(cx: &Context<'_, '_>) -> Outcome {
    let latest = cx
        .inputs
        .dr_tests
        .iter()
        .filter(|d| d.service == cx.service.slug && d.performed_at < cx.as_of)
        .max_by(|a, b| a.performed_at.cmp(&b.performed_at).then_with(|| a.id.cmp(&b.id)));
    let Some(test) = latest else {
        return Outcome::new(CheckStatus::NoData, Value::Null, "No DR test on record.");
    };
    let (rto, rpo) = (test.met_rto(), test.met_rpo());
    let value = json!({"test": test.id, "performed_at": test.performed_at, "rto_met": rto, "rpo_met": rpo});
    let shown = |m: Option<bool>| match m {
        Some(true) => "met",
        Some(false) => "missed",
        None => "not recorded",
    };
    let detail = format!("Latest DR test {}: RTO {}, RPO {}.", test.id, shown(rto), shown(rpo));
    match (rto, rpo) {
        (Some(true), Some(true)) => Outcome::new(CheckStatus::Pass, value, detail),
        (Some(false), _) | (_, Some(false)) => Outcome::new(CheckStatus::Fail, value, detail),
        _ => Outcome::new(CheckStatus::NoData, value, detail),
    }
}

fn self_assessment(cx: &Context<'_, '_>, t: f64, shown: &str) -> Outcome {
    // The latest answer per item that was given and signed off by the as-of instant: a sign-off
    // given later does not change a past period.
    let mut latest: BTreeMap<&str, &SelfAssessmentAnswer> = BTreeMap::new();
    let known = cx
        .inputs
        .self_assessment
        .iter()
        .filter(|a| a.service == cx.service.slug && a.answered_at <= cx.as_of && a.reviewed_at <= cx.as_of);
    for answer in known {
        let slot = latest.entry(answer.item.as_str()).or_insert(answer);
        if answer.answered_at > slot.answered_at {
            *slot = answer;
        }
    }
    let items = cx.policy.checklist_for(cx.service.tier.value());
    if items.is_empty() {
        return Outcome::new(CheckStatus::NotApplicable, Value::Null, "No checklist item applies to this tier.");
    }
    if latest.is_empty() {
        return Outcome::new(CheckStatus::NoData, Value::Null, "No readiness self-assessment on record.");
    }
    let (mut missing, mut answered_no, mut stale) = (Vec::new(), Vec::new(), Vec::new());
    // Stale items as the explanation names them, with a validity of their own when they have one.
    let mut stale_named = Vec::new();
    for item in &items {
        // Each item may keep its answers valid for its own number of days.
        let days = item.validity_days(t as i64);
        let oldest_allowed = cx.as_of.checked_sub_signed(TimeDelta::days(days)).unwrap_or(DateTime::<Utc>::MIN_UTC);
        match latest.get(item.id.as_str()) {
            None => missing.push(item.id.as_str()),
            Some(a) if a.answered_at < oldest_allowed => {
                stale.push(item.id.as_str());
                stale_named.push(match item.valid_days {
                    Some(days) => format!("{} (valid {days} days)", item.id),
                    None => item.id.clone(),
                });
            }
            Some(a) if a.answer == ReadinessAnswer::No => answered_no.push(item.id.as_str()),
            Some(_) => {}
        }
    }
    let value = json!({
        "items": items.len(),
        "missing": missing,
        "answered_no": answered_no,
        "stale": stale,
    });
    let mut problems = Vec::new();
    if !missing.is_empty() {
        problems.push(format!("unanswered: {}", missing.join(", ")));
    }
    if !answered_no.is_empty() {
        problems.push(format!("answered no: {}", answered_no.join(", ")));
    }
    if !stale.is_empty() {
        problems.push(format!("older than {shown}: {}", stale_named.join(", ")));
    }
    if problems.is_empty() {
        Outcome::new(CheckStatus::Pass, value, format!("All {} items answered within their validity.", items.len()))
    } else {
        Outcome::new(CheckStatus::Fail, value, format!("Self-assessment incomplete ({}).", problems.join("; ")))
    }
}

fn evaluate_check(cx: &Context<'_, '_>, spec: &CheckSpec, exemptions: &[&Exemption]) -> CheckResult {
    let tier = cx.service.tier.value();
    let threshold = spec.threshold_for(tier);
    let outcome = match threshold {
        Threshold::NotApplicable => {
            Outcome::new(CheckStatus::NotApplicable, Value::Null, format!("Does not apply to tier {tier} services."))
        }
        Threshold::Required => run_check(cx, spec.id, 1.0),
        Threshold::Value(t) => run_check(cx, spec.id, t),
    };
    let waiver = outcome
        .status
        .needs_fixing()
        .then(|| {
            exemptions.iter().filter(|e| e.check == spec.id && e.is_active_at(cx.now)).max_by_key(|e| e.expires_at)
        })
        .flatten()
        .map(|e| Waiver {
            reason: e.reason.clone(),
            approver: e.approver.clone(),
            approval: e.approval,
            expires_at: e.expires_at,
            underlying_status: outcome.status,
        });
    let (status, explanation) = match (&waiver, outcome.status) {
        (Some(w), _) => (
            CheckStatus::Waived,
            format!(
                "Waived until {} ({}: {}). {}",
                crate::domain::format::instant(w.expires_at),
                w.approval.describe(&w.approver),
                w.reason,
                outcome.detail
            ),
        ),
        (None, CheckStatus::Fail) => (CheckStatus::Fail, format!("{} Fix: {}", outcome.detail, spec.fix_for(tier))),
        (None, CheckStatus::NoData) => {
            (CheckStatus::NoData, format!("No data: {} Fix: {}", outcome.detail, spec.fix_for(tier)))
        }
        (None, status) => (status, outcome.detail),
    };
    // A check announced for later is judged (so teams see where they stand) but does not count.
    // One that never applies to the service's tier stays not applicable: it will not count then
    // either.
    let applies = !matches!(threshold, Threshold::NotApplicable);
    let (status, judged, explanation) = match spec.counts_from {
        Some(day) if applies && cx.as_of <= cx.period.calendar().day_start(day) => (
            CheckStatus::Upcoming,
            Some(status),
            format!(
                "Counts from {day}; until then it changes neither level nor score. Now: {} — {explanation}",
                status.label()
            ),
        ),
        _ => (status, None, explanation),
    };
    CheckResult {
        id: spec.id,
        level: spec.level,
        title: spec.title.clone(),
        weight: spec.weight,
        status,
        value: outcome.value,
        threshold: threshold.to_json(),
        explanation,
        waiver,
        judged,
    }
}

/// The highest level whose checks, and those of every level below, all pass or are waived or
/// not applicable. A level none of whose checks applies to the service is not reached (so a
/// tier-3 service, judged on Bronze checks only, tops out at Bronze).
pub fn level_of(checks: &[CheckResult]) -> Option<Level> {
    let mut reached = None;
    for level in Level::ALL {
        let at: Vec<&CheckResult> = checks.iter().filter(|c| c.level == level).collect();
        let applies = at.iter().any(|c| c.status.counts());
        if !applies || !at.iter().all(|c| c.status.clears_level()) {
            break;
        }
        reached = Some(level);
    }
    reached
}

/// Weighted share of applicable checks that pass, floored to a whole percent. Applicable means
/// any status but `not_applicable` and `upcoming`: waived and `no_data` checks count in the
/// denominator and never as passed. `None` when nothing applies.
pub fn score_of(checks: &[CheckResult]) -> Option<u8> {
    let applicable: u64 = checks.iter().filter(|c| c.status.counts()).map(|c| u64::from(c.weight)).sum();
    let passed: u64 = checks.iter().filter(|c| c.status == CheckStatus::Pass).map(|c| u64::from(c.weight)).sum();
    (applicable > 0).then(|| u8::try_from(passed * 100 / applicable).unwrap_or(100))
}

/// Evaluates the policy for one service and period. `now` is the caller's clock (it fixes the
/// as-of instant of a current period and decides which exemptions are still in force).
/// `inputs` and `exemptions` may include other services' records, which are ignored.
pub fn evaluate_service(
    policy: &Policy,
    service: &Service,
    period: &Period,
    now: DateTime<Utc>,
    inputs: &ServiceInputs<'_>,
    exemptions: &[Exemption],
) -> Scorecard {
    // Only the service's own records count, whatever the caller passed.
    let slug = &service.slug;
    let own = ServiceInputs {
        slos: inputs.slos.iter().copied().filter(|s| s.service == *slug).collect(),
        incidents: inputs.incidents.iter().copied().filter(|i| i.services.contains(slug)).collect(),
        incident_history: inputs.incident_history,
        repeat_index: inputs.repeat_index,
        actions: inputs.actions.iter().copied().filter(|a| a.service == *slug).collect(),
        dr_tests: inputs.dr_tests.iter().copied().filter(|d| d.service == *slug).collect(),
        self_assessment: inputs.self_assessment.iter().copied().filter(|a| a.service == *slug).collect(),
        alerts: inputs.alerts.iter().copied().filter(|a| a.service == *slug).collect(),
        shifts: inputs.shifts.iter().copied().filter(|s| s.team == service.team).collect(),
        capacity_days: inputs.capacity_days.iter().copied().filter(|d| d.service == *slug).collect(),
    };
    let cx = Context { policy, service, period, now, as_of: period.as_of(now), inputs: &own };
    let mine: Vec<&Exemption> = exemptions.iter().filter(|e| e.service == service.slug).collect();
    let checks: Vec<CheckResult> = policy.checks.iter().map(|spec| evaluate_check(&cx, spec, &mine)).collect();
    Scorecard {
        service: service.slug.clone(),
        team: service.team.clone(),
        tier: service.tier.value(),
        policy_version: policy.version.clone(),
        as_of: cx.as_of,
        level: level_of(&checks),
        score: score_of(&checks),
        checks,
    }
}

/// Evaluates every service of a dataset (in the dataset's order), grouping the records by
/// service in one pass.
pub fn evaluate_dataset(
    policy: &Policy,
    data: &Dataset,
    period: &Period,
    now: DateTime<Utc>,
    exemptions: &[Exemption],
    self_assessment: &[SelfAssessmentAnswer],
) -> Vec<Scorecard> {
    let mut by_service: HashMap<&Slug, ServiceInputs<'_>> = data
        .services
        .iter()
        .map(|s| {
            let inputs = ServiceInputs {
                incident_history: &data.incidents,
                repeat_index: Some(data.repeat_index()),
                ..ServiceInputs::default()
            };
            (&s.slug, inputs)
        })
        .collect();
    for slo in &data.slos {
        if let Some(inputs) = by_service.get_mut(&slo.service) {
            inputs.slos.push(slo);
        }
    }
    for incident in &data.incidents {
        let mut named: Vec<&Slug> = incident.services.iter().collect();
        named.sort_unstable();
        named.dedup();
        for slug in named {
            if let Some(inputs) = by_service.get_mut(slug) {
                inputs.incidents.push(incident);
            }
        }
    }
    for action in &data.actions {
        if let Some(inputs) = by_service.get_mut(&action.service) {
            inputs.actions.push(action);
        }
    }
    for test in &data.dr_tests {
        if let Some(inputs) = by_service.get_mut(&test.service) {
            inputs.dr_tests.push(test);
        }
    }
    for answer in self_assessment {
        if let Some(inputs) = by_service.get_mut(&answer.service) {
            inputs.self_assessment.push(answer);
        }
    }
    for alert in &data.alerts {
        if let Some(inputs) = by_service.get_mut(&alert.service) {
            inputs.alerts.push(alert);
        }
    }
    for day in &data.capacity_days {
        if let Some(inputs) = by_service.get_mut(&day.service) {
            inputs.capacity_days.push(day);
        }
    }
    let mut shifts_of_team: HashMap<&Slug, Vec<&OncallShift>> = HashMap::new();
    for shift in &data.shifts {
        shifts_of_team.entry(&shift.team).or_default().push(shift);
    }
    for service in &data.services {
        if let (Some(inputs), Some(shifts)) = (by_service.get_mut(&service.slug), shifts_of_team.get(&service.team)) {
            inputs.shifts.clone_from(shifts);
        }
    }
    data.services
        .iter()
        .map(|service| {
            let empty = ServiceInputs {
                incident_history: &data.incidents,
                repeat_index: Some(data.repeat_index()),
                ..ServiceInputs::default()
            };
            let inputs = by_service.get(&service.slug).unwrap_or(&empty);
            evaluate_service(policy, service, period, now, inputs, exemptions)
        })
        .collect()
}
