//! Generator tests, without a database: determinism, every row valid under the ingestion
//! contract, references that resolve, and the shape and story of the small organisation.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use app::domain::ingest::{IngestRecord, RawRow, RecordKind};
use app::domain::records::{
    ActionInput, ActionStatus, AlertDisposition, AlertInput, CapacityMeasurementInput, CostInput, DeploymentInput,
    DeploymentOutcome, DrOutcome, DrTestInput, IncidentInput, Lifecycle, OncallShiftInput, PostmortemInput,
    PostmortemStatus, RemediationInput, ServiceInput, Severity, SloInput, SloMeasurementInput, SurveyResponseInput,
    TeamInput, ToilReportInput,
};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::Scale;
use super::batches::Batches;
use super::org::Org;
use super::support::{Window, midnight};

type Dataset = Vec<(RecordKind, Vec<RawRow>)>;

fn anchor() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 7, 15).expect("a valid date")
}

fn horizon() -> DateTime<Utc> {
    midnight(anchor())
}

fn generate(seed: u64) -> Dataset {
    Batches::new(Scale::Small, seed, anchor()).collect()
}

/// The small organisation for seed 42, generated once for all tests.
fn small() -> &'static Dataset {
    static SMALL: OnceLock<Dataset> = OnceLock::new();
    SMALL.get_or_init(|| generate(42))
}

fn rows(kind: RecordKind) -> Vec<&'static RawRow> {
    small().iter().filter(|(k, _)| *k == kind).flat_map(|(_, rows)| rows.iter()).collect()
}

/// Every row of `kind`, read by the real ingestion parser; panics on the first invalid one.
fn parse<T: IngestRecord>(kind: RecordKind) -> Vec<T> {
    rows(kind)
        .into_iter()
        .map(|row| {
            T::from_row(row).unwrap_or_else(|errors| panic!("invalid {kind} row {}: {errors:?}\n{row:?}", row.number))
        })
        .collect()
}

#[test]
fn the_same_seed_gives_identical_rows_and_another_seed_different_ones() {
    let again = generate(42);
    // Not assert_eq!: a failure would print tens of thousands of rows.
    assert!(*small() == again, "seed 42 generated different rows on a second run");
    assert!(generate(43) != again, "seeds 42 and 43 generated the same rows");
}

#[test]
fn kinds_come_in_import_order_in_numbered_non_empty_batches() {
    let mut order: Vec<RecordKind> = Vec::new();
    for (kind, rows) in small() {
        if order.last() != Some(kind) {
            order.push(*kind);
        }
        assert!(!rows.is_empty(), "empty {kind} batch");
        for (index, row) in rows.iter().enumerate() {
            assert_eq!(row.number, index as u64 + 1, "{kind} rows must be numbered from 1 in each batch");
        }
    }
    // The demo organisation has no exemptions or readiness answers: every other kind, in order.
    let expected: Vec<RecordKind> = RecordKind::ALL
        .into_iter()
        .filter(|k| !matches!(k, RecordKind::Exemptions | RecordKind::SelfAssessments))
        .collect();
    assert_eq!(order, expected);
}

#[test]
fn every_row_passes_the_ingestion_contract() {
    assert!(!parse::<TeamInput>(RecordKind::Teams).is_empty());
    assert!(!parse::<ServiceInput>(RecordKind::Services).is_empty());
    assert!(!parse::<SloInput>(RecordKind::Slos).is_empty());
    assert!(!parse::<SloMeasurementInput>(RecordKind::SloMeasurements).is_empty());
    assert!(!parse::<IncidentInput>(RecordKind::Incidents).is_empty());
    assert!(!parse::<PostmortemInput>(RecordKind::Postmortems).is_empty());
    assert!(!parse::<ActionInput>(RecordKind::Actions).is_empty());
    assert!(!parse::<DrTestInput>(RecordKind::DrTests).is_empty());
    assert!(!parse::<DeploymentInput>(RecordKind::Deployments).is_empty());
    assert!(!parse::<AlertInput>(RecordKind::Alerts).is_empty());
    assert!(!parse::<OncallShiftInput>(RecordKind::OncallShifts).is_empty());
    assert!(!parse::<ToilReportInput>(RecordKind::ToilReports).is_empty());
    assert!(!parse::<RemediationInput>(RecordKind::Remediations).is_empty());
    assert!(!parse::<CapacityMeasurementInput>(RecordKind::CapacityMeasurements).is_empty());
    assert!(!parse::<CostInput>(RecordKind::Costs).is_empty());
    assert!(!parse::<SurveyResponseInput>(RecordKind::SurveyResponses).is_empty());
}

#[test]
fn toil_reports_leave_some_teams_out_and_never_report_an_unfinished_span() {
    let reports = parse::<ToilReportInput>(RecordKind::ToilReports);
    let teams: std::collections::BTreeSet<&str> = reports.iter().map(|r| r.team.as_str()).collect();
    let all = parse::<TeamInput>(RecordKind::Teams).len();
    assert!(!teams.is_empty() && teams.len() < all, "{} of {all} teams report toil", teams.len());
    let today = anchor();
    assert!(reports.iter().all(|r| r.span.end_after(r.period_start) <= today), "a span still running was reported");
    assert!(reports.iter().all(|r| r.hours_toil <= r.hours_total));
}

#[test]
fn struggling_services_page_more_and_less_usefully_than_exemplary_ones() {
    let alerts = parse::<AlertInput>(RecordKind::Alerts);
    let share = |service: &str| {
        let pages: Vec<&AlertInput> = alerts.iter().filter(|a| a.service.as_str() == service && a.paged).collect();
        let reviewed: Vec<&&AlertInput> =
            pages.iter().filter(|a| a.disposition.is_some_and(|d| d != AlertDisposition::Unreviewed)).collect();
        let actionable = reviewed.iter().filter(|a| a.disposition == Some(AlertDisposition::Actionable)).count();
        (pages.len(), actionable as f64 / reviewed.len().max(1) as f64)
    };
    let (struggling_pages, struggling_precision) = share("checkout-api");
    let (exemplary_pages, exemplary_precision) = share("payments-gateway");
    assert!(struggling_pages > 3 * exemplary_pages, "{struggling_pages} vs {exemplary_pages}");
    assert!(struggling_precision < 0.6 && exemplary_precision > 0.8, "{struggling_precision} vs {exemplary_precision}");
    let night = alerts.iter().filter(|a| a.paged && chrono::Timelike::hour(&a.fired_at) < 6).count();
    assert!(night > 0, "some pages wake someone up");
}

#[test]
fn small_scale_has_8_teams_and_40_services_over_all_tiers() {
    let teams = parse::<TeamInput>(RecordKind::Teams);
    assert_eq!(teams.len(), 8);
    let services = parse::<ServiceInput>(RecordKind::Services);
    assert_eq!(services.len(), 40);
    let slugs: HashSet<&str> = services.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(slugs.len(), 40, "service slugs are unique");

    let mut per_tier = [0; 4];
    for service in &services {
        per_tier[usize::from(service.tier.value())] += 1;
    }
    assert!(per_tier.iter().all(|&n| n > 0), "every tier is used: {per_tier:?}");
    assert!(per_tier[0] < per_tier[3], "few tier-0 services, more tier-3 ones: {per_tier:?}");
    let retired = services.iter().filter(|s| s.lifecycle == Lifecycle::Retired).count();
    assert!((1..=5).contains(&retired), "{retired} retired services");
    let critical = services.iter().filter(|s| s.tier.value() <= 1);
    assert!(critical.clone().all(|s| s.rto_target_minutes.is_some() && s.rpo_target_minutes.is_some()));
    assert!(services.iter().any(|s| s.rto_target_minutes.is_none()), "some services declare no objective");

    let slos = parse::<SloInput>(RecordKind::Slos);
    let mut per_service: HashMap<&str, usize> = HashMap::new();
    for slo in &slos {
        *per_service.entry(slo.service.as_str()).or_default() += 1;
        if slo.indicator.as_str() == "latency" {
            assert!(slo.threshold_ms.is_some(), "latency SLOs have a threshold");
        }
    }
    assert!(slugs.iter().all(|s| (1..=2).contains(per_service.get(s).unwrap_or(&0))), "1–2 SLOs per service");
}

#[test]
fn every_incident_respects_timestamp_order_and_repeats_point_back() {
    let incidents = parse::<IncidentInput>(RecordKind::Incidents);
    assert!((200..=420).contains(&incidents.len()), "{} incidents", incidents.len());
    let mut earlier: HashSet<&str> = HashSet::new();
    let mut previous_start = None;
    for incident in &incidents {
        let chain = [
            Some(incident.started_at),
            incident.detected_at,
            incident.acknowledged_at,
            incident.mitigated_at,
            incident.resolved_at,
        ];
        let present: Vec<DateTime<Utc>> = chain.into_iter().flatten().collect();
        assert!(present.windows(2).all(|pair| pair[0] <= pair[1]), "{} timestamps out of order", incident.external_id);
        assert!(present.iter().all(|at| *at < horizon()), "{} is dated today or later", incident.external_id);
        if let Some(repeat_of) = &incident.repeat_of {
            assert!(earlier.contains(repeat_of.as_str()), "{} repeats a later incident", incident.external_id);
        }
        assert!(previous_start.is_none_or(|start| start <= incident.started_at), "incidents come in start order");
        previous_start = Some(incident.started_at);
        earlier.insert(&incident.external_id);
    }

    for severity in Severity::ALL {
        assert!(incidents.iter().any(|i| i.severity == *severity), "no {severity} incident");
    }
    let sev4 = count(&incidents, |i| i.severity == Severity::Sev4);
    let sev0 = count(&incidents, |i| i.severity == Severity::Sev0);
    assert!(sev0 < sev4, "SEV0 is rare ({sev0}), SEV4 common ({sev4})");
    assert!(count(&incidents, |i| i.detected_at.is_none()) > 0, "some incidents lack detected_at");
    assert!(count(&incidents, |i| i.acknowledged_at.is_none()) > 0, "some incidents lack acknowledged_at");
    assert!(count(&incidents, |i| i.customer_impacting && i.customer_impact_minutes.is_some()) > 0);
    assert!(count(&incidents, |i| i.customer_impacting && i.customer_impact_minutes.is_none()) > 0);
    assert!(count(&incidents, |i| i.change_related) > 0);
    let high = |i: &IncidentInput| i.severity.is_high() && i.mitigated_at.is_some();
    assert!(count(&incidents, |i| high(i) && i.data_loss_minutes.is_some_and(|m| m > 15)) > 0, "some lose data");
    assert!(count(&incidents, |i| high(i) && i.data_loss_minutes == Some(0)) > 0, "some lose none");
    assert!(count(&incidents, |i| high(i) && i.data_loss_minutes.is_none()) > 0, "some do not say");
    assert!(count(&incidents, |i| i.repeat_of.is_some()) > 0);
    assert!(count(&incidents, |i| i.services.len() > 1) > 0);
    assert!(count(&incidents, |i| i.root_cause_category.is_some()) > incidents.len() / 2);
}

fn count<T>(items: &[T], test: impl Fn(&T) -> bool) -> usize {
    items.iter().filter(|&item| test(item)).count()
}

#[test]
fn every_done_action_has_a_completion_time_and_open_ones_have_none() {
    let actions = parse::<ActionInput>(RecordKind::Actions);
    assert!(actions.len() > 300, "{} actions", actions.len());
    for action in &actions {
        match action.status {
            ActionStatus::Done => {
                assert!(action.completed_at.is_some(), "{} is done without completed_at", action.external_id)
            }
            ActionStatus::Open => {
                assert!(action.completed_at.is_none(), "{} is open with completed_at", action.external_id)
            }
            ActionStatus::WontDo => {}
        }
        if let Some(completed) = action.completed_at {
            assert!(completed < horizon(), "{} completed in the future", action.external_id);
        }
    }
    let end_of = |day: NaiveDate| midnight(day) + TimeDelta::days(1);
    let on_time = |a: &ActionInput| match (a.completed_at, a.due_date) {
        (Some(completed), Some(due)) => completed < end_of(due),
        _ => false,
    };
    let late = |a: &ActionInput| match (a.completed_at, a.due_date) {
        (Some(completed), Some(due)) => completed >= end_of(due),
        _ => false,
    };
    let overdue = |a: &ActionInput| a.status == ActionStatus::Open && a.due_date.is_some_and(|due| due < anchor());
    assert!(count(&actions, on_time) > actions.len() / 3, "most actions are done on time");
    assert!(count(&actions, late) > 0, "some actions are done late");
    assert!(count(&actions, overdue) > 0, "some actions are overdue");
    assert!(actions.iter().any(|a| a.status == ActionStatus::WontDo));
    assert!(actions.iter().any(|a| a.due_date.is_none()), "some actions lack a due date");
    assert!(actions.iter().any(|a| a.incident.is_none()), "DR follow-ups are not tied to incidents");
}

#[test]
fn references_resolve_and_nothing_is_dated_today_or_later() {
    let teams: HashSet<String> =
        parse::<TeamInput>(RecordKind::Teams).into_iter().map(|t| t.slug.to_string()).collect();
    let services = parse::<ServiceInput>(RecordKind::Services);
    assert!(services.iter().all(|s| teams.contains(s.team.as_str())));
    let services: HashSet<String> = services.into_iter().map(|s| s.slug.to_string()).collect();
    let slos: HashSet<(String, String)> = parse::<SloInput>(RecordKind::Slos)
        .into_iter()
        .inspect(|slo| assert!(services.contains(slo.service.as_str())))
        .map(|slo| (slo.service.to_string(), slo.slug.to_string()))
        .collect();
    let first_day = anchor() - TimeDelta::days(730);
    for m in parse::<SloMeasurementInput>(RecordKind::SloMeasurements) {
        assert!(slos.contains(&(m.service.to_string(), m.slo.to_string())), "unknown SLO {}/{}", m.service, m.slo);
        assert!((first_day..anchor()).contains(&m.day), "measurement outside the window: {}", m.day);
        assert!(m.good <= m.total);
    }
    let incidents = parse::<IncidentInput>(RecordKind::Incidents);
    assert!(incidents.iter().all(|i| i.services.iter().all(|s| services.contains(s.as_str()))));
    let incidents: HashSet<String> = incidents.into_iter().map(|i| i.external_id).collect();
    for postmortem in parse::<PostmortemInput>(RecordKind::Postmortems) {
        assert!(incidents.contains(&postmortem.incident));
        assert!(postmortem.published_at.is_none_or(|at| at < horizon()));
    }
    for action in parse::<ActionInput>(RecordKind::Actions) {
        assert!(services.contains(action.service.as_str()));
        assert!(action.incident.is_none_or(|incident| incidents.contains(&incident)));
    }
    for test in parse::<DrTestInput>(RecordKind::DrTests) {
        assert!(services.contains(test.service.as_str()));
        assert!(test.performed_at < horizon());
    }
    for deployment in parse::<DeploymentInput>(RecordKind::Deployments) {
        assert!(services.contains(deployment.service.as_str()));
        assert!(deployment.deployed_at < horizon());
        assert!(deployment.incident.is_none_or(|incident| incidents.contains(&incident)));
    }
}

#[test]
fn slo_data_has_exhausted_budgets_healthy_ones_and_gaps() {
    let objectives: HashMap<(String, String), f64> = parse::<SloInput>(RecordKind::Slos)
        .into_iter()
        .map(|slo| ((slo.service.to_string(), slo.slug.to_string()), slo.objective))
        .collect();
    // Σbad and Σtotal over the last 28 days, and days with data, per SLO.
    let recent = anchor() - TimeDelta::days(28);
    let mut sums: HashMap<(String, String), (i64, i64, usize)> = HashMap::new();
    for m in parse::<SloMeasurementInput>(RecordKind::SloMeasurements) {
        let entry = sums.entry((m.service.to_string(), m.slo.to_string())).or_default();
        entry.2 += 1;
        if m.day >= recent {
            entry.0 += m.total - m.good;
            entry.1 += m.total;
        }
    }
    let remaining: Vec<f64> = sums
        .iter()
        .filter(|(_, (_, total, _))| *total > 0)
        .map(|(key, (bad, total, _))| 1.0 - *bad as f64 / ((1.0 - objectives[key] / 100.0) * *total as f64))
        .collect();
    let exhausted = remaining.iter().filter(|r| **r <= 0.0).count();
    assert!(exhausted > 0, "some error budgets are exhausted");
    assert!(exhausted < remaining.len() / 2, "most error budgets are not ({exhausted} of {})", remaining.len());
    assert!(sums.values().any(|(_, _, days)| *days < 700), "some SLOs have gaps in their data");
}

#[test]
fn high_severity_incidents_mostly_have_timely_postmortems() {
    let incidents: HashMap<String, IncidentInput> =
        parse::<IncidentInput>(RecordKind::Incidents).into_iter().map(|i| (i.external_id.clone(), i)).collect();
    let postmortems = parse::<PostmortemInput>(RecordKind::Postmortems);
    let mut timely = 0;
    let mut late = 0;
    for postmortem in &postmortems {
        let incident = &incidents[&postmortem.incident];
        if let (Some(published), Some(mitigated)) = (postmortem.published_at, incident.mitigated_at) {
            if published <= mitigated + TimeDelta::days(7) {
                timely += 1;
            } else {
                late += 1;
            }
        }
    }
    let high = incidents.values().filter(|i| i.severity.is_high()).count();
    assert!(timely > late && timely * 2 > high, "{timely} timely, {late} late, {high} high-severity incidents");
    assert!(late > 0, "some postmortems are late");
    assert!(postmortems.iter().any(|p| p.status == PostmortemStatus::Draft), "some postmortems are drafts");
}

#[test]
fn dr_tests_cover_tier_0_and_1_with_every_outcome() {
    let tests = parse::<DrTestInput>(RecordKind::DrTests);
    let tested: HashSet<&str> = tests.iter().map(|t| t.service.as_str()).collect();
    for service in parse::<ServiceInput>(RecordKind::Services) {
        if service.tier.value() <= 1 && service.lifecycle == Lifecycle::Active {
            assert!(tested.contains(service.slug.as_str()), "{} has no DR test", service.slug);
        }
    }
    for outcome in [DrOutcome::Pass, DrOutcome::Partial, DrOutcome::Fail] {
        assert!(tests.iter().any(|t| t.outcome == outcome), "no {outcome} DR test");
    }
    let rto = |t: &DrTestInput| t.rto_target_minutes.zip(t.rto_achieved_minutes);
    let met = |t: &DrTestInput| rto(t).is_some_and(|(target, achieved)| achieved <= target);
    let missed = |t: &DrTestInput| rto(t).is_some_and(|(target, achieved)| achieved > target);
    assert!(count(&tests, met) > 0 && count(&tests, missed) > 0, "RTO both met and missed");
    assert!(tests.iter().any(|t| t.rto_target_minutes.is_none()), "some tests have no RTO values");
}

#[test]
fn deployments_are_several_a_week_with_failures_and_incident_links() {
    let deployments = parse::<DeploymentInput>(RecordKind::Deployments);
    // 40 services over 104 weeks, a few deployments each a week (retired ones stopped).
    assert!(deployments.len() > 40 * 104, "{} deployments", deployments.len());
    assert!(deployments.iter().any(|d| d.outcome == DeploymentOutcome::RolledBack));
    assert!(deployments.iter().any(|d| d.outcome == DeploymentOutcome::Failed));
    assert!(deployments.iter().any(|d| d.incident.is_some()));
    let ids: HashSet<&str> = deployments.iter().map(|d| d.external_id.as_str()).collect();
    assert_eq!(ids.len(), deployments.len(), "deployment ids are unique");
}

#[test]
fn large_scale_has_about_2000_services_100_teams_and_6000_slos() {
    let window = Window::ending_before(anchor());
    let org = Org::build(Scale::Large, 42, &window);
    assert_eq!(org.teams.len(), 100);
    assert_eq!(org.services.len(), 2_000);
    assert!((5_500..=6_500).contains(&org.slos.len()), "{} SLOs", org.slos.len());
    let slugs: HashSet<&str> = org.services.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(slugs.len(), org.services.len(), "service slugs are unique");
}

#[test]
fn extra_large_scale_has_10000_services_500_teams_and_about_30000_slos() {
    let window = Window::ending_before(anchor());
    let org = Org::build(Scale::Xlarge, 42, &window);
    assert_eq!(org.teams.len(), 500);
    assert_eq!(org.services.len(), 10_000);
    assert!((28_000..=32_000).contains(&org.slos.len()), "{} SLOs", org.slos.len());
    let slugs: HashSet<&str> = org.services.iter().map(|s| s.slug.as_str()).collect();
    assert_eq!(slugs.len(), org.services.len(), "service slugs are unique");
    let teams: HashSet<&str> = org.teams.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(teams.len(), org.teams.len(), "team slugs are unique");
}
