//! Hand-built fixtures for the control tests: each seeds known deviations among records that
//! pass, and the tests must find exactly those (by record and reason).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};

use super::control_tests::*;
use crate::domain::scorecard::Policy;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().expect("an RFC 3339 instant")
}

fn day(text: &str) -> NaiveDate {
    text.parse().expect("a day")
}

/// Q3 2026 (UTC) under the default policy: postmortems within 5 / 7 / 10 days for tiers 0–2,
/// actions at most 30 days overdue, DR tests within 90 / 180 / 365 days.
fn window() -> ControlRecords {
    let service =
        |slug: &str, tier: u8, active: bool| ServiceFacts { slug: slug.to_owned(), tier, active, in_scope: true };
    ControlRecords {
        start: at("2026-07-01T00:00:00Z"),
        end: at("2026-10-01T00:00:00Z"),
        last_day: day("2026-09-30"),
        thresholds: ControlThresholds::from_policy(&Policy::default_policy().expect("default policy")),
        services: HashMap::from([
            (1, service("checkout", 0, true)),
            (2, service("ledger", 0, true)),
            (3, service("search", 1, true)),
            (4, service("wiki", 3, true)),
            (5, service("old-billing", 0, false)),
        ]),
        incidents: Vec::new(),
        actions: Vec::new(),
        waivers: Vec::new(),
        dr_tests: Vec::new(),
        deployments: Vec::new(),
    }
}

fn incident(id: i64, severity: u8, started: &str, services: &[i64]) -> IncidentFacts {
    let started_at = at(started);
    IncidentFacts {
        id,
        external_id: format!("INC-{id}"),
        severity,
        started_at,
        detected_at: Some(started_at),
        mitigated_at: Some(started_at + chrono::TimeDelta::hours(1)),
        resolved_at: Some(started_at + chrono::TimeDelta::hours(2)),
        services: services.to_vec(),
        postmortem_published_at: Some(started_at + chrono::TimeDelta::days(2)),
    }
}

fn result(records: &ControlRecords, test: ControlTestId) -> ControlTestResult {
    run(records).into_iter().find(|r| r.test == test).expect("every test runs")
}

/// (record id, reason) of each deviation.
fn found(result: &ControlTestResult) -> Vec<(i64, String)> {
    result.deviations.iter().map(|d| (d.record_id, d.reason.clone())).collect()
}

#[test]
fn an_empty_window_tests_nothing_and_passes_nothing() {
    let mut records = window();
    records.services.clear();
    for result in run(&records) {
        assert_eq!((result.population, result.status), (0, ControlStatus::NotTested), "{:?}", result.test);
    }
}

#[test]
fn incident_times_flag_exactly_the_missing_ones() {
    let mut records = window();
    let mut no_detection = incident(2, 0, "2026-07-10T10:00:00Z", &[1]);
    no_detection.detected_at = None;
    let mut resolved_unmitigated = incident(3, 1, "2026-08-01T10:00:00Z", &[3]);
    resolved_unmitigated.mitigated_at = None;
    let mut still_open = incident(4, 1, "2026-09-30T23:00:00Z", &[3]);
    (still_open.mitigated_at, still_open.resolved_at) = (None, None);
    let mut low_severity = incident(5, 2, "2026-07-10T10:00:00Z", &[1]);
    low_severity.detected_at = None;
    let mut before_window = incident(6, 0, "2026-06-30T23:00:00Z", &[1]);
    before_window.detected_at = None;
    // Resolved only after the window's end: still open then, not judged.
    let mut resolved_later = incident(7, 1, "2026-09-30T20:00:00Z", &[3]);
    (resolved_later.mitigated_at, resolved_later.resolved_at) = (None, Some(at("2026-10-01T02:00:00Z")));
    // Both missing: one deviation naming both.
    let mut neither = incident(8, 0, "2026-09-01T10:00:00Z", &[1]);
    (neither.detected_at, neither.mitigated_at) = (None, None);
    records.incidents = vec![
        incident(1, 0, "2026-07-05T10:00:00Z", &[1]),
        no_detection,
        resolved_unmitigated,
        still_open,
        low_severity,
        before_window,
        resolved_later,
        neither,
    ];
    let result = result(&records, ControlTestId::IncidentTimesRecorded);
    assert_eq!(result.population, 6, "SEV0/1 started in the window");
    assert_eq!(
        found(&result),
        [
            (2, "SEV0: no detected time".to_owned()),
            (3, "SEV1: resolved at 2026-08-01 12:00 UTC without a mitigated time".to_owned()),
            (8, "SEV0: no detected time; resolved at 2026-09-01 12:00 UTC without a mitigated time".to_owned())
        ]
    );
    assert_eq!(result.status, ControlStatus::Failed);
    assert_eq!(result.deviations[1].services, "search");
}

#[test]
fn postmortems_are_due_by_the_strictest_tier_and_only_once_due() {
    let mut records = window();
    // Mitigated 2026-07-10 11:00 on a tier-0 and a tier-1 service: due in 5 days.
    let mut six_days = incident(2, 0, "2026-07-10T10:00:00Z", &[1, 3]);
    six_days.postmortem_published_at = Some(at("2026-07-16T12:00:00Z"));
    // Tier 1 alone: 7 days, so six days is on time.
    let mut on_time_tier1 = incident(3, 1, "2026-07-10T10:00:00Z", &[3]);
    on_time_tier1.postmortem_published_at = Some(at("2026-07-16T12:00:00Z"));
    let mut never = incident(4, 1, "2026-08-10T10:00:00Z", &[2]);
    never.postmortem_published_at = None;
    // Mitigated on the window's last day: not due until October.
    let mut not_due = incident(5, 0, "2026-09-30T20:00:00Z", &[1]);
    not_due.postmortem_published_at = None;
    // Tier 3 only: the check does not apply.
    let mut not_applicable = incident(6, 0, "2026-07-20T10:00:00Z", &[4]);
    not_applicable.postmortem_published_at = None;
    // Not due by the window's end, though already published: not in the population either.
    let mut published_early = incident(7, 0, "2026-09-30T20:00:00Z", &[1]);
    published_early.postmortem_published_at = Some(at("2026-09-30T23:00:00Z"));
    // A tier-0 service outside the team filter still makes the incident due in 5 days.
    records.services.insert(9, ServiceFacts { slug: "payments".into(), tier: 0, active: true, in_scope: false });
    let mut strictest_elsewhere = incident(8, 1, "2026-08-20T10:00:00Z", &[9, 3]);
    strictest_elsewhere.postmortem_published_at = Some(at("2026-08-26T12:00:00Z"));
    records.incidents = vec![
        incident(1, 0, "2026-07-05T10:00:00Z", &[1]),
        six_days,
        on_time_tier1,
        never,
        not_due,
        not_applicable,
        published_early,
        strictest_elsewhere,
    ];
    let result = result(&records, ControlTestId::PostmortemsOnTime);
    assert_eq!(result.population, 5);
    assert_eq!(
        found(&result),
        [
            (2, "postmortem published 2026-07-16 12:00 UTC, 6 days after mitigation; due within 5 days".to_owned()),
            (4, "no postmortem published; due 2026-08-15 11:00 UTC (5 days after mitigation)".to_owned()),
            (8, "postmortem published 2026-08-26 12:00 UTC, 6 days after mitigation; due within 5 days".to_owned())
        ]
    );
    assert_eq!(result.deviations[2].services, "payments search", "every service of the incident");
}

#[test]
fn overdue_actions_count_to_the_windows_last_day_and_respect_waivers() {
    let mut records = window();
    let action = |id: i64, service: i64, due: &str, status: &str, completed: Option<&str>| ActionFacts {
        id,
        external_id: format!("ACT-{id}"),
        service,
        due: Some(day(due)),
        status: status.to_owned(),
        completed_at: completed.map(at),
    };
    records.actions = vec![
        // 31 days overdue on 2026-09-30: a deviation.
        action(1, 1, "2026-08-30", "open", None),
        // 30 days: at the limit, not over it.
        action(2, 1, "2026-08-31", "open", None),
        // Done after the window: open at its end, 92 days overdue.
        action(3, 3, "2026-06-30", "done", Some("2026-10-05T00:00:00Z")),
        // Done inside the window, dropped, or on a tier-3 service: not in the population.
        action(4, 1, "2026-06-01", "done", Some("2026-09-01T00:00:00Z")),
        action(5, 1, "2026-06-01", "wont_do", None),
        action(6, 4, "2026-06-01", "open", None),
        // Long overdue but waived at the window's end.
        action(7, 2, "2026-06-01", "open", None),
        // Dropped only after the window: open at its end.
        action(8, 1, "2026-07-01", "wont_do", Some("2026-10-10T00:00:00Z")),
    ];
    records.waivers = vec![WaiverFacts {
        service: 2,
        check: "no_long_overdue_actions".to_owned(),
        granted_at: at("2026-09-01T00:00:00Z"),
        expires_at: at("2026-12-31T00:00:00Z"),
    }];
    let result = result(&records, ControlTestId::NoLongOverdueActions);
    assert_eq!(result.population, 5);
    assert_eq!(
        found(&result),
        [
            (1, "open at the window's end, 31 days overdue (due 2026-08-30; limit 30 days)".to_owned()),
            (3, "open at the window's end, 92 days overdue (due 2026-06-30; limit 30 days)".to_owned()),
            (8, "open at the window's end, 91 days overdue (due 2026-07-01; limit 30 days)".to_owned())
        ]
    );
    // The waiver had ended by the window's end: a deviation again.
    records.waivers[0].expires_at = at("2026-09-15T00:00:00Z");
    assert_eq!(found(&self::result(&records, ControlTestId::NoLongOverdueActions)).len(), 4);
}

#[test]
fn tier0_services_need_a_passing_test_within_90_days() {
    let mut records = window();
    let test = |service: i64, performed: &str, outcome: &str| DrTestFacts {
        service,
        performed_at: at(performed),
        outcome: outcome.to_owned(),
    };
    records.dr_tests = vec![
        test(1, "2026-07-15T00:00:00Z", "pass"),
        // ledger: passed too long ago, failed recently.
        test(2, "2026-06-01T00:00:00Z", "pass"),
        test(2, "2026-09-01T00:00:00Z", "fail"),
        // After the window: does not count.
        test(2, "2026-10-02T00:00:00Z", "pass"),
    ];
    records.services.insert(9, ServiceFacts { slug: "payments".into(), tier: 0, active: true, in_scope: false });
    let result = result(&records, ControlTestId::Tier0DrTested);
    assert_eq!(result.population, 2, "active tier-0 services in scope only");
    assert_eq!(
        found(&result),
        [(2, "last passing DR test 2026-06-01 00:00 UTC: more than 90 days before the window's end".to_owned())]
    );
}

#[test]
fn changes_failed_unlinked_and_unapproved_are_named() {
    let mut records = window();
    let deploy =
        |id: i64, service: i64, outcome: &str, incident: Option<i64>, author: Option<&str>, approver: Option<&str>| {
            DeploymentFacts {
                id,
                external_id: format!("DEP-{id}"),
                service,
                deployed_at: at("2026-08-01T10:00:00Z"),
                outcome: outcome.to_owned(),
                incident,
                author: author.map(str::to_owned),
                approved_by: approver.map(str::to_owned),
                emergency: false,
            }
        };
    let mut emergency = deploy(6, 1, "success", None, Some("ann"), None);
    emergency.emergency = true;
    let mut outside = deploy(9, 1, "failed", None, Some("ann"), None);
    outside.deployed_at = at("2026-10-01T00:00:00Z");
    records.deployments = vec![
        deploy(1, 1, "success", None, Some("ann"), Some("bob")),
        deploy(2, 1, "rolled_back", Some(7), Some("ann"), Some("bob")),
        deploy(3, 3, "failed", None, Some("Ann  Lee"), Some(" ANNLEE ")),
        deploy(4, 1, "success", None, Some("ann"), None),
        deploy(5, 3, "success", None, None, Some("bob")),
        emergency,
        // Tier 3: not a tier-0/1 change, but a failed change all the same.
        deploy(8, 4, "rolled_back", None, None, None),
        outside,
    ];
    let linked = result(&records, ControlTestId::FailedChangesLinked);
    assert_eq!(linked.population, 3);
    assert_eq!(
        found(&linked),
        [
            (3, "failed change with no incident linked".to_owned()),
            (8, "rolled back change with no incident linked".to_owned())
        ]
    );
    let approved = result(&records, ControlTestId::ChangesApproved);
    assert_eq!(approved.population, 6);
    assert_eq!(
        found(&approved),
        [
            (3, "approved by its author (Ann  Lee)".to_owned()),
            (4, "no approver".to_owned()),
            (5, "no author recorded: independent approval cannot be shown".to_owned()),
            (6, "emergency change without an approval".to_owned())
        ]
    );
}

#[test]
fn a_clean_window_passes_every_test() {
    let mut records = window();
    records.incidents = vec![incident(1, 0, "2026-07-05T10:00:00Z", &[1, 2])];
    records.actions = vec![ActionFacts {
        id: 1,
        external_id: "ACT-1".into(),
        service: 1,
        due: Some(day("2026-09-20")),
        status: "open".into(),
        completed_at: None,
    }];
    records.dr_tests = [1, 2]
        .map(|service| DrTestFacts { service, performed_at: at("2026-09-01T00:00:00Z"), outcome: "pass".into() })
        .to_vec();
    records.deployments = vec![DeploymentFacts {
        id: 1,
        external_id: "DEP-1".into(),
        service: 1,
        deployed_at: at("2026-08-01T00:00:00Z"),
        outcome: "rolled_back".into(),
        incident: Some(1),
        author: Some("ann".into()),
        approved_by: Some("bob".into()),
        emergency: false,
    }];
    for result in run(&records) {
        assert_eq!(result.status, ControlStatus::Passed, "{:?}: {:?}", result.test, result.deviations);
        assert!(result.population > 0);
    }
}
