//! DR tests (with follow-up actions for the ones that did not pass) and deployments.

use app::domain::ingest::RawRow;
use chrono::{DateTime, Datelike, TimeDelta, Utc};
use rand::Rng;

use super::catalog;
use super::incidents::{incident_id, owner, settle};
use super::org::{Health, Org, Service};
use super::support::{
    DemoRng, RowExt, Stream, Window, chance, date, flag, instant, int, poisson, rng_for, row, text, weighted,
};

/// A DR exercise repeated every `every_days`.
struct Cadence {
    scenario: &'static str,
    /// For external ids.
    short: &'static str,
    every_days: u32,
}

const fn cadence(scenario: &'static str, short: &'static str, every_days: u32) -> Cadence {
    Cadence { scenario, short, every_days }
}

static TIER0: [Cadence; 4] = [
    cadence("backup_verification", "backup", 30),
    cadence("failover", "failover", 91),
    cadence("restore", "restore", 91),
    cadence("region_evacuation", "evacuation", 182),
];
static TIER1: [Cadence; 3] = [
    cadence("failover", "failover", 91),
    cadence("backup_verification", "backup", 91),
    cadence("restore", "restore", 182),
];
static TIER2: [Cadence; 1] = [cadence("backup_verification", "backup", 182)];

fn cadences(tier: u8) -> &'static [Cadence] {
    match tier {
        0 => &TIER0,
        1 => &TIER1,
        2 => &TIER2,
        _ => &[],
    }
}

/// Roughly how many DR tests a service is scheduled for over the window (progress estimate).
pub(super) fn scheduled_tests(service: &Service, window: &Window) -> f64 {
    let days = f64::from(service.active_days(window));
    cadences(service.tier).iter().map(|c| days / f64::from(c.every_days)).sum()
}

#[derive(Debug, Clone)]
pub(super) struct DrTest {
    pub external_id: String,
    pub scenario: &'static str,
    pub performed: DateTime<Utc>,
    pub outcome: &'static str,
    pub rto_target: Option<i64>,
    pub rto_achieved: Option<i64>,
    pub rpo_target: Option<i64>,
    pub rpo_achieved: Option<i64>,
    pub evidence_url: Option<String>,
    /// What went wrong, for tests that did not pass.
    pub problem: Option<&'static str>,
    pub notes: Option<String>,
}

/// The DR tests of one service: tier 0 verifies backups monthly, fails over and restores every
/// quarter and evacuates a region twice a year; tier 1 fails over and verifies backups every
/// quarter and restores twice a year; tier 2 verifies backups twice a year. Some tests are
/// skipped (struggling services skip many), so DR coverage has gaps.
pub(super) fn dr_tests(org: &Org, window: &Window, seed: u64, service_index: usize) -> Vec<DrTest> {
    let service = &org.services[service_index];
    let mut rng = rng_for(seed, Stream::DrTests, service_index as u64);
    let mut tests = Vec::new();
    for cadence in cadences(service.tier) {
        let mut scheduled = rng.gen_range(0..cadence.every_days);
        let mut occurrence = 0_u32;
        while scheduled < window.days {
            occurrence += 1;
            let day = scheduled + rng.gen_range(0..10);
            scheduled += cadence.every_days;
            if day >= window.days || !service.runs_on(day) {
                continue;
            }
            let skip = match (service.health, cadence.scenario) {
                (Health::Struggling, "region_evacuation") => 0.5,
                (Health::Struggling, _) => 0.3,
                (Health::Steady, _) => 0.07,
                (Health::Exemplary, _) => 0.02,
            };
            if chance(&mut rng, skip) {
                continue;
            }
            let second = rng.gen_range(8 * 3_600..18 * 3_600);
            let performed = window.at(day, second);
            tests.push(dr_test(&mut rng, service, cadence, occurrence, performed));
        }
    }
    tests.sort_by_key(|test| test.performed);
    tests
}

fn dr_test(
    rng: &mut DemoRng,
    service: &Service,
    cadence: &Cadence,
    occurrence: u32,
    performed: DateTime<Utc>,
) -> DrTest {
    let outcome = match service.health {
        Health::Exemplary => weighted(rng, &[("pass", 96.0), ("partial", 3.0), ("fail", 1.0)]),
        Health::Steady => weighted(rng, &[("pass", 78.0), ("partial", 15.0), ("fail", 7.0)]),
        Health::Struggling => weighted(rng, &[("pass", 50.0), ("partial", 25.0), ("fail", 25.0)]),
    };
    let external_id = format!("DR-{}-{}-{occurrence:02}", service.slug, cadence.short);
    let (rto, rpo) = match service.tier {
        0 => (30, 5),
        1 => (60, 15),
        _ => (240, 60),
    };
    // One test in ten did not record recovery objectives at all; backup verification only
    // speaks to the recovery point.
    let measured = chance(rng, 0.9);
    let rto_target = (measured && cadence.scenario != "backup_verification").then_some(rto);
    let rto_achieved = rto_target.and_then(|target| achieved(rng, target, outcome));
    let rpo_target = measured.then_some(rpo);
    let rpo_achieved = rpo_target.and_then(|target| achieved(rng, target, outcome));
    let problem = if outcome == "pass" {
        None
    } else {
        let variant = rng.gen_range(0..3);
        Some(catalog::dr_problem(cadence.scenario, variant))
    };
    let notes = match problem {
        Some(problem) => Some(problem.to_owned()),
        None if chance(rng, 0.2) => Some("Completed within targets; runbook followed without changes.".to_owned()),
        None => None,
    };
    let evidence_url = chance(rng, 0.85).then(|| format!("https://evidence.example.com/dr/{external_id}"));
    DrTest {
        external_id,
        scenario: cadence.scenario,
        performed,
        outcome,
        rto_target,
        rto_achieved,
        rpo_target,
        rpo_achieved,
        evidence_url,
        problem,
        notes,
    }
}

/// The achieved RTO or RPO against `target`: passes mostly meet it, failures mostly do not,
/// and some aborted or sloppy tests recorded nothing.
fn achieved(rng: &mut DemoRng, target: i64, outcome: &str) -> Option<i64> {
    if (outcome == "fail" && chance(rng, 0.3)) || chance(rng, 0.04) {
        return None;
    }
    let within = match outcome {
        "pass" => 0.93,
        "partial" => 0.45,
        _ => 0.15,
    };
    let target = target as f64;
    let value = if chance(rng, within) {
        (target * rng.gen_range(0.2..=1.0)).floor()
    } else {
        (target * rng.gen_range(1.05..=3.0)).ceil()
    };
    Some(value as i64)
}

pub(super) fn dr_test_rows(org: &Org, service_index: usize, tests: &[DrTest], out: &mut Vec<RawRow>) {
    let service = &org.services[service_index];
    for test in tests {
        out.push(
            row()
                .with("external_id", text(&test.external_id))
                .with("service", text(&service.slug))
                .with("scenario", text(test.scenario))
                .with("performed_at", instant(test.performed))
                .with("outcome", text(test.outcome))
                .maybe("rto_target_minutes", test.rto_target.map(int))
                .maybe("rto_achieved_minutes", test.rto_achieved.map(int))
                .maybe("rpo_target_minutes", test.rpo_target.map(int))
                .maybe("rpo_achieved_minutes", test.rpo_achieved.map(int))
                .maybe("evidence_url", test.evidence_url.as_deref().map(text))
                .maybe("notes", test.notes.as_deref().map(text)),
        );
    }
}

/// One follow-up action (not tied to an incident) per DR test that did not pass.
pub(super) fn dr_follow_up_rows(
    org: &Org,
    window: &Window,
    seed: u64,
    service_index: usize,
    tests: &[DrTest],
    out: &mut Vec<RawRow>,
) {
    let service = &org.services[service_index];
    let mut rng = rng_for(seed, Stream::DrFollowUps, service_index as u64);
    for test in tests.iter().filter(|test| test.outcome != "pass") {
        let created = test.performed + TimeDelta::hours(rng.gen_range(2..72));
        if created >= window.horizon {
            continue;
        }
        let (priority, due_in) =
            if test.outcome == "fail" { ("P1", rng.gen_range(14..=30)) } else { ("P2", rng.gen_range(30..=60)) };
        let due = created.date_naive() + TimeDelta::days(due_in);
        let (status, completed) = settle(&mut rng, service.health, created, Some(due), window.horizon);
        let problem = test.problem.unwrap_or("gaps found");
        let scenario = test.scenario.replace('_', " ");
        let assignee = owner(&mut rng);
        out.push(
            row()
                .with("external_id", text(format!("ACT-{}", test.external_id)))
                .with("service", text(&service.slug))
                .with("title", text(format!("Fix {scenario} test finding on {}: {problem}", service.name)))
                .maybe("owner", assignee.map(text))
                .with("priority", text(priority))
                .with("due_date", date(due))
                .with("status", text(status))
                .maybe("completed_at", completed.map(instant)),
        );
    }
}

/// Deployments of one service: a few a week, mostly on weekdays and in working hours, some
/// rolled back or failed. `culprits` are the service's deploy-caused incidents
/// `(started_at, number)`; most get the deployment that caused them, linked.
pub(super) fn deployment_rows(
    org: &Org,
    window: &Window,
    seed: u64,
    service_index: usize,
    culprits: &[(DateTime<Utc>, u32)],
    out: &mut Vec<RawRow>,
) {
    let service = &org.services[service_index];
    let mut rng = rng_for(seed, Stream::Deployments, service_index as u64);
    let (rolled_back, failed) = match service.health {
        Health::Exemplary => (2.5, 0.5),
        Health::Steady => (5.0, 2.0),
        Health::Struggling => (11.0, 6.0),
    };
    let outcomes = [("success", 100.0 - rolled_back - failed), ("rolled_back", rolled_back), ("failed", failed)];
    // Weekday weights sum to 6.1 over a week, so the weekly mean stays `deploys_per_week`.
    let per_weight = service.deploys_per_week / 6.1;
    let mut deploys: Vec<(DateTime<Utc>, &'static str, Option<u32>)> = Vec::new();
    for day in 0..service.active_days(window) {
        let weight = match window.date(day).weekday().num_days_from_monday() {
            0..=3 => 1.3,
            4 => 0.7,
            _ => 0.1,
        };
        for _ in 0..poisson(&mut rng, per_weight * weight) {
            let second = rng.gen_range(7 * 3_600..19 * 3_600);
            let outcome = weighted(&mut rng, &outcomes);
            deploys.push((window.at(day, second), outcome, None));
        }
    }
    for &(started, number) in culprits {
        if chance(&mut rng, 0.75) {
            let at = started - TimeDelta::seconds(rng.gen_range(120..5_400));
            let outcome = weighted(&mut rng, &[("rolled_back", 55.0), ("success", 40.0), ("failed", 5.0)]);
            deploys.push((at, outcome, Some(number)));
        }
    }
    deploys.sort_by_key(|deploy| deploy.0);
    out.reserve(deploys.len());
    // A stream of its own, so approvals leave every other figure of the demo as it was.
    let mut approvals = rng_for(seed, Stream::Approvals, service_index as u64);
    let team = &org.teams[service.team].slug;
    for (n, (at, outcome, incident)) in deploys.into_iter().enumerate() {
        let approval = approval(&mut approvals, team, service.tier);
        out.push(
            row()
                .with("external_id", text(format!("DEP-{}-{:05}", service.slug, n + 1)))
                .with("service", text(&service.slug))
                .with("deployed_at", instant(at))
                .with("outcome", text(outcome))
                .maybe("incident", incident.map(|number| text(incident_id(number))))
                .with("author", text(&approval.author))
                .maybe("approved_by", approval.approved_by.map(text))
                .maybe("change_ticket", approval.ticket.map(text))
                .with("emergency", flag(approval.emergency)),
        );
    }
}

struct Approval {
    author: String,
    approved_by: Option<String>,
    ticket: Option<String>,
    emergency: bool,
}

/// Who made and approved a change: tier-0/1 changes are nearly always approved by a teammate,
/// with a rare self-approval, a rare missing approval and a rare emergency change, so the
/// change-approval control test has a few deviations to show (docs/control-tests.md).
fn approval(rng: &mut DemoRng, team: &str, tier: u8) -> Approval {
    let person = |rng: &mut DemoRng| format!("{team}-dev{}@example.com", rng.gen_range(1..=6));
    let author = person(rng);
    let emergency = chance(rng, 0.01);
    let approved = if tier <= 1 { !chance(rng, if emergency { 0.5 } else { 0.004 }) } else { chance(rng, 0.6) };
    let approved_by = approved.then(|| {
        if tier <= 1 && chance(rng, 0.004) {
            return author.clone();
        }
        loop {
            let other = person(rng);
            if other != author {
                return other;
            }
        }
    });
    let ticket = approved_by.as_ref().map(|_| format!("CHG-{}", rng.gen_range(10_000..99_999)));
    Approval { author, approved_by, ticket, emergency }
}
