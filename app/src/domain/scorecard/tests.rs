use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::*;
use crate::domain::kpi::incidents::tests::incident;
use crate::domain::kpi::period::tests::{day, q, utc};
use crate::domain::kpi::scope::tests::{service, slug};
use crate::domain::kpi::{Action, Dataset, DrTest, Incident, Period, Service, Slo, SloData, SloMeasurement};
use crate::domain::records::{ActionStatus, DrOutcome, Severity};

fn policy() -> Policy {
    Policy::default_policy().unwrap()
}

fn period() -> Period {
    q("2026-Q3")
}

/// After Q3 2026: the as-of instant is 2026-10-01T00:00Z.
fn now() -> DateTime<Utc> {
    utc("2026-10-15T12:00:00Z")
}

/// An active SLO of `svc` at 99 % with a fully good day for every day of Q3.
fn good_slo(svc: &str) -> Slo {
    let mut measurements = Vec::new();
    let mut d = day("2026-07-01");
    while d < day("2026-10-01") {
        measurements.push(SloMeasurement { day: d, good: 1000, total: 1000 });
        d = d.succ_opt().unwrap();
    }
    Slo {
        service: slug(svc),
        slug: slug("availability"),
        objective: 99.0,
        window: crate::domain::kpi::SloWindow::Rolling { days: 28 },
        budgeting: crate::domain::records::Budgeting::Occurrences,
        active: true,
        indicator: crate::domain::records::Indicator::Availability,
        threshold_ms: None,
        data: SloData::Days(measurements),
    }
}

fn dr_pass(svc: &str, at: &str) -> DrTest {
    DrTest {
        id: format!("dr-{svc}-{at}"),
        service: slug(svc),
        performed_at: utc(at),
        outcome: DrOutcome::Pass,
        rto_target_minutes: Some(60),
        rto_achieved_minutes: Some(30),
        rpo_target_minutes: Some(15),
        rpo_achieved_minutes: Some(5),
    }
}

fn answers(svc: &str, at: &str) -> Vec<SelfAssessmentAnswer> {
    policy()
        .self_assessment_items()
        .iter()
        .map(|item| SelfAssessmentAnswer {
            service: slug(svc),
            item: item.clone(),
            answer: ReadinessAnswer::Yes,
            answered_at: utc(at),
            reviewed_at: utc(at),
        })
        .collect()
}

fn overdue_action(svc: &str, due: NaiveDate) -> Action {
    Action {
        id: format!("act-{svc}"),
        service: slug(svc),
        incident: None,
        incident_started_at: None,
        due_date: Some(due),
        status: ActionStatus::Open,
        completed_at: None,
    }
}

/// Everything a service needs to reach Gold.
struct Fixture {
    slos: Vec<Slo>,
    incidents: Vec<Incident>,
    actions: Vec<Action>,
    dr_tests: Vec<DrTest>,
    answers: Vec<SelfAssessmentAnswer>,
}

impl Fixture {
    fn gold(svc: &str) -> Self {
        Fixture {
            slos: vec![good_slo(svc)],
            incidents: vec![],
            actions: vec![],
            dr_tests: vec![dr_pass(svc, "2026-09-01T10:00:00Z")],
            answers: answers(svc, "2026-09-01T00:00:00Z"),
        }
    }

    fn inputs(&self) -> ServiceInputs<'_> {
        ServiceInputs {
            slos: self.slos.iter().collect(),
            incidents: self.incidents.iter().collect(),
            incident_history: &self.incidents,
            repeat_index: None,
            actions: self.actions.iter().collect(),
            dr_tests: self.dr_tests.iter().collect(),
            self_assessment: self.answers.iter().collect(),
            alerts: Vec::new(),
            shifts: Vec::new(),
            capacity_days: Vec::new(),
        }
    }

    fn evaluate(&self, svc: &Service, exemptions: &[Exemption]) -> Scorecard {
        evaluate_service(&policy(), svc, &period(), now(), &self.inputs(), exemptions)
    }
}

fn status(card: &Scorecard, id: CheckId) -> CheckStatus {
    card.checks.iter().find(|c| c.id == id).unwrap().status
}

fn result(card: &Scorecard, id: CheckId) -> &CheckResult {
    card.checks.iter().find(|c| c.id == id).unwrap()
}

fn exemption(svc: &str, check: CheckId, expires: &str) -> Exemption {
    Exemption {
        service: slug(svc),
        check,
        reason: "migration to new queue in progress".into(),
        approver: "cto@example.com".into(),
        expires_at: utc(expires),
        approval: ApprovalOrigin::Plumbline,
    }
}

#[test]
fn the_default_policy_parses_with_every_check_of_the_design() {
    let p = policy();
    assert_eq!(p.version, "2026.3");
    let at = |level: Level| p.checks.iter().filter(|c| c.level == level).count();
    assert_eq!((at(Level::Bronze), at(Level::Silver), at(Level::Gold)), (4, 6, 8));
    assert_eq!(p.checks.len(), CheckId::ALL.len());
    let pm = p.check(CheckId::PostmortemCoverage).unwrap();
    assert_eq!(
        pm.thresholds,
        [Threshold::Value(5.0), Threshold::Value(7.0), Threshold::Value(10.0), Threshold::NotApplicable]
    );
    assert_eq!(pm.fix_for(1), "Publish a postmortem for every SEV0/SEV1 incident within 7 days of mitigation.");
    assert_eq!(
        p.check(CheckId::ActionOnTimeRate).unwrap().fix_for(0),
        "Complete at least 90 % of postmortem actions by their due date."
    );
    // Tier 3 is judged on Bronze only.
    for check in &p.checks {
        let tier3 = check.threshold_for(3);
        assert_eq!(
            tier3 == Threshold::NotApplicable,
            check.level != Level::Bronze || check.id == CheckId::DrTestOnRecord
        );
    }
}

#[test]
fn a_service_meeting_every_check_is_gold_with_a_full_score() {
    let svc = service("checkout", "payments", 0, true);
    let card = Fixture::gold("checkout").evaluate(&svc, &[]);
    let not_passing: Vec<_> = card
        .checks
        .iter()
        .filter(|c| !matches!(c.status, CheckStatus::Pass | CheckStatus::NotApplicable | CheckStatus::Upcoming))
        .map(|c| (c.id, c.explanation.clone()))
        .collect();
    assert!(not_passing.is_empty(), "{not_passing:?}");
    assert_eq!(card.level, Some(Level::Gold));
    assert_eq!(card.score, Some(100));
    assert_eq!(card.as_of, utc("2026-10-01T00:00:00Z"));
    // Nothing happened to judge these: not applicable, not no_data.
    assert_eq!(status(&card, CheckId::PostmortemCoverage), CheckStatus::NotApplicable);
    assert_eq!(status(&card, CheckId::MttrHighSev), CheckStatus::NotApplicable);
    assert_eq!(status(&card, CheckId::ActionOnTimeRate), CheckStatus::NotApplicable);
    assert_eq!(result(&card, CheckId::SloDataFresh).value["oldest_age_days"], 1);
    assert_eq!(result(&card, CheckId::DrTestRecent).threshold, 90);
}

#[test]
fn a_tier_3_service_only_gets_bronze_checks_and_tops_out_at_bronze() {
    let svc = service("wiki", "tools", 3, true);
    let card = Fixture::gold("wiki").evaluate(&svc, &[]);
    for check in &card.checks {
        if check.level == Level::Bronze && check.id != CheckId::DrTestOnRecord {
            assert_eq!(check.status, CheckStatus::Pass, "{:?}", check.id);
        } else {
            assert_eq!(check.status, CheckStatus::NotApplicable, "{:?}", check.id);
            assert!(check.threshold.is_null());
            assert_eq!(check.explanation, "Does not apply to tier 3 services.");
        }
    }
    assert_eq!(card.level, Some(Level::Bronze));
    assert_eq!(card.score, Some(100));
}

#[test]
fn no_data_never_passes_and_blocks_the_level() {
    let svc = service("checkout", "payments", 0, true);
    // No self-assessment: Gold's readiness check has no data.
    let mut fx = Fixture::gold("checkout");
    fx.answers.clear();
    let card = fx.evaluate(&svc, &[]);
    assert_eq!(status(&card, CheckId::SelfAssessmentCurrent), CheckStatus::NoData);
    assert!(result(&card, CheckId::SelfAssessmentCurrent).explanation.starts_with("No data: "));
    assert_eq!(card.level, Some(Level::Silver));
    // 12 weight applicable at Bronze, 10 at Silver (one n/a of 5), 3 at Gold of 4 applicable.
    let applicable = 12 + 2 * 3 + 4;
    assert_eq!(card.score, Some(((12 + 6 + 3) * 100 / applicable) as u8));

    // An SLO that never received a measurement: freshness has no data, so not even Bronze.
    let mut fx = Fixture::gold("checkout");
    fx.slos[0].data = SloData::Days(Vec::new());
    let card = fx.evaluate(&svc, &[]);
    assert_eq!(status(&card, CheckId::SloDataFresh), CheckStatus::NoData);
    assert_eq!(status(&card, CheckId::SlosMet), CheckStatus::NoData);
    assert_eq!(status(&card, CheckId::ErrorBudgetRemaining), CheckStatus::NoData);
    assert_eq!(card.level, None);

    // High-severity incidents without timestamps: MTTR has no data (not "not applicable").
    let mut fx = Fixture::gold("checkout");
    let mut i = incident("inc-1", Severity::Sev1, "2026-08-01T00:00:00Z");
    i.services = vec![slug("checkout")];
    fx.incidents.push(i);
    let card = fx.evaluate(&svc, &[]);
    assert_eq!(status(&card, CheckId::MttrHighSev), CheckStatus::NoData);
}

#[test]
fn a_failing_check_at_silver_keeps_bronze_and_one_at_gold_keeps_silver() {
    let svc = service("checkout", "payments", 0, true);
    let mut fx = Fixture::gold("checkout");
    // Open since its due date 2026-06-01: 122 days overdue at the as-of day 2026-10-01.
    fx.actions.push(overdue_action("checkout", day("2026-06-01")));
    let card = fx.evaluate(&svc, &[]);
    let check = result(&card, CheckId::NoLongOverdueActions);
    assert_eq!(check.status, CheckStatus::Fail);
    assert_eq!(check.value["max_days_overdue"], 122);
    assert!(check.explanation.contains("Fix: Close, re-plan or drop"), "{}", check.explanation);
    assert_eq!(card.level, Some(Level::Bronze));

    let mut fx = Fixture::gold("checkout");
    fx.dr_tests[0].rpo_achieved_minutes = Some(30);
    let card = fx.evaluate(&svc, &[]);
    assert_eq!(status(&card, CheckId::DrLatestMetObjectives), CheckStatus::Fail);
    assert_eq!(card.level, Some(Level::Silver));

    // A Bronze failure: no level at all.
    let mut fx = Fixture::gold("checkout");
    fx.slos.clear();
    let card = fx.evaluate(&svc, &[]);
    assert_eq!(status(&card, CheckId::ActiveSlo), CheckStatus::Fail);
    assert_eq!(card.level, None);
}

#[test]
fn an_exempt_failing_check_is_waived_unblocks_the_level_but_does_not_score_as_passed() {
    let svc = service("checkout", "payments", 0, true);
    let mut fx = Fixture::gold("checkout");
    fx.actions.push(overdue_action("checkout", day("2026-06-01")));
    let exemptions = [
        exemption("checkout", CheckId::NoLongOverdueActions, "2026-12-31T00:00:00Z"),
        // Another service's exemption changes nothing here.
        exemption("ledger", CheckId::SlosMet, "2026-12-31T00:00:00Z"),
    ];
    let card = fx.evaluate(&svc, &exemptions);
    let check = result(&card, CheckId::NoLongOverdueActions);
    assert_eq!(check.status, CheckStatus::Waived);
    let waiver = check.waiver.as_ref().unwrap();
    assert_eq!(waiver.underlying_status, CheckStatus::Fail);
    assert_eq!(waiver.approver, "cto@example.com");
    assert!(check.explanation.starts_with("Waived until 2026-12-31"), "{}", check.explanation);
    assert_eq!(card.level, Some(Level::Gold));
    // Applicable weight: Bronze 12, Silver 3 × 2 (two n/a), Gold 4 × 1 (MTTR n/a); the waived
    // Silver check (weight 2) is in the denominator, not the numerator.
    assert_eq!(card.score, Some(((22 - 2) * 100 / 22) as u8));

    // An exemption of a passing check leaves it passing.
    let card =
        Fixture::gold("checkout").evaluate(&svc, &[exemption("checkout", CheckId::SlosMet, "2026-12-31T00:00:00Z")]);
    assert_eq!(status(&card, CheckId::SlosMet), CheckStatus::Pass);
}

#[test]
fn an_expired_exemption_no_longer_waives() {
    let svc = service("checkout", "payments", 0, true);
    let mut fx = Fixture::gold("checkout");
    fx.actions.push(overdue_action("checkout", day("2026-06-01")));
    // Expires exactly at `now`: no longer in force.
    let card = fx.evaluate(&svc, &[exemption("checkout", CheckId::NoLongOverdueActions, "2026-10-15T12:00:00Z")]);
    assert_eq!(status(&card, CheckId::NoLongOverdueActions), CheckStatus::Fail);
    assert!(result(&card, CheckId::NoLongOverdueActions).waiver.is_none());
    assert_eq!(card.level, Some(Level::Bronze));
    // One second later than now it still waives.
    let card = fx.evaluate(&svc, &[exemption("checkout", CheckId::NoLongOverdueActions, "2026-10-15T12:00:01Z")]);
    assert_eq!(status(&card, CheckId::NoLongOverdueActions), CheckStatus::Waived);
}

#[test]
fn thresholds_follow_the_service_tier() {
    // A SEV1 mitigated 2026-08-01 with its postmortem published six days later, restored in
    // 90 minutes: too slow a postmortem and restore for tier 0, fine for tier 1.
    let mut fx = Fixture::gold("checkout");
    let mut i = incident("inc-1", Severity::Sev1, "2026-08-01T00:00:00Z");
    i.services = vec![slug("checkout")];
    i.detected_at = Some(utc("2026-08-01T00:00:00Z"));
    i.mitigated_at = Some(utc("2026-08-01T01:30:00Z"));
    i.postmortem_published_at = Some(utc("2026-08-07T01:30:00Z"));
    fx.incidents.push(i);
    let tier0 = fx.evaluate(&service("checkout", "payments", 0, true), &[]);
    assert_eq!(status(&tier0, CheckId::PostmortemCoverage), CheckStatus::Fail);
    assert_eq!(status(&tier0, CheckId::MttrHighSev), CheckStatus::Fail);
    assert_eq!(result(&tier0, CheckId::MttrHighSev).value, 90);
    let tier1 = fx.evaluate(&service("checkout", "payments", 1, true), &[]);
    assert_eq!(status(&tier1, CheckId::PostmortemCoverage), CheckStatus::Pass);
    assert_eq!(status(&tier1, CheckId::MttrHighSev), CheckStatus::Pass);
    assert_eq!(tier1.level, Some(Level::Gold));

    // A passing DR test 100 days before the as-of date: too old for tier 0 (90), fine for 1 (180).
    let mut fx = Fixture::gold("checkout");
    fx.dr_tests = vec![dr_pass("checkout", "2026-06-23T00:00:00Z")];
    let tier0 = fx.evaluate(&service("checkout", "payments", 0, true), &[]);
    assert_eq!(status(&tier0, CheckId::DrTestRecent), CheckStatus::Fail);
    assert_eq!(result(&tier0, CheckId::DrTestRecent).value["days_since_passing_test"], 100);
    let tier1 = fx.evaluate(&service("checkout", "payments", 1, true), &[]);
    assert_eq!(status(&tier1, CheckId::DrTestRecent), CheckStatus::Pass);
    // Tier 2 needs no DR test on record for Bronze.
    let mut fx = Fixture::gold("checkout");
    fx.dr_tests.clear();
    let tier2 = fx.evaluate(&service("checkout", "payments", 2, true), &[]);
    assert_eq!(status(&tier2, CheckId::DrTestOnRecord), CheckStatus::NotApplicable);
    assert_eq!(status(&tier2, CheckId::DrTestRecent), CheckStatus::Fail);
    assert_eq!(tier2.level, Some(Level::Bronze));
}

#[test]
fn a_stale_or_answered_no_self_assessment_fails() {
    let svc = service("checkout", "payments", 0, true);
    let mut fx = Fixture::gold("checkout");
    // 181 days before the as-of instant 2026-10-01T00:00Z.
    fx.answers[0].answered_at = utc("2026-10-01T00:00:00Z") - TimeDelta::days(181);
    fx.answers[1].answer = ReadinessAnswer::No;
    fx.answers.pop();
    let card = fx.evaluate(&svc, &[]);
    let check = result(&card, CheckId::SelfAssessmentCurrent);
    assert_eq!(check.status, CheckStatus::Fail);
    assert_eq!(check.value["stale"][0], "runbook");
    assert_eq!(check.value["answered_no"][0], "on_call_rotation");
    assert_eq!(check.value["missing"][0], "backup_and_restore");
}

#[test]
fn what_to_fix_next_orders_by_levels_blocked_then_tier() {
    let policy = policy();
    let eval = |svc: &Service, fx: &Fixture| evaluate_service(&policy, svc, &period(), now(), &fx.inputs(), &[]);
    // Gold failure on a tier-0 service.
    let mut gold_fail = Fixture::gold("a-core");
    gold_fail.answers.clear();
    // Silver failure on a tier-0 service.
    let mut silver_fail = Fixture::gold("b-core");
    silver_fail.actions.push(overdue_action("b-core", day("2026-06-01")));
    // Bronze failures on a tier-2 and a tier-1 service.
    let mut bronze2 = Fixture::gold("c-edge");
    bronze2.slos.clear();
    bronze2.dr_tests = vec![dr_pass("c-edge", "2026-09-01T10:00:00Z")];
    let mut bronze1 = Fixture::gold("d-mid");
    bronze1.dr_tests.clear();
    let cards = vec![
        eval(&service("a-core", "core", 0, true), &gold_fail),
        eval(&service("b-core", "core", 0, true), &silver_fail),
        eval(&service("c-edge", "edge", 2, true), &bronze2),
        eval(&service("d-mid", "edge", 1, true), &bronze1),
    ];
    let order: Vec<(String, CheckId, u8)> =
        fix_next(&cards).into_iter().map(|f| (f.service.to_string(), f.check, f.levels_blocked)).collect();
    let expected_head = [
        ("d-mid".to_owned(), CheckId::DrTestOnRecord, 3),
        ("c-edge".to_owned(), CheckId::ActiveSlo, 3),
        ("c-edge".to_owned(), CheckId::SloDataFresh, 3),
    ];
    assert_eq!(order[..3], expected_head[..]);
    let silver_pos = order.iter().position(|(s, c, _)| s == "b-core" && *c == CheckId::NoLongOverdueActions).unwrap();
    let gold_pos = order.iter().position(|(s, c, _)| s == "a-core" && *c == CheckId::SelfAssessmentCurrent).unwrap();
    assert!(silver_pos < gold_pos);
    assert_eq!(order.last().map(|o| o.2), Some(1));
    // Levels blocked never increase along the list; within equal blocks tiers never decrease.
    let items = fix_next(&cards);
    for pair in items.windows(2) {
        assert!(
            pair[0].levels_blocked > pair[1].levels_blocked
                || (pair[0].levels_blocked == pair[1].levels_blocked && pair[0].tier <= pair[1].tier)
        );
    }
    // Per team: only that team's services.
    let edge = fix_next(cards.iter().filter(|c| c.team.as_str() == "edge"));
    assert!(edge.iter().all(|f| f.team.as_str() == "edge"));
    assert!(!edge.is_empty());
    // Waived checks are not listed.
    let waived = evaluate_service(
        &policy,
        &service("b-core", "core", 0, true),
        &period(),
        now(),
        &silver_fail.inputs(),
        &[exemption("b-core", CheckId::NoLongOverdueActions, "2027-01-01T00:00:00Z")],
    );
    assert!(fix_next([&waived]).is_empty());
}

#[test]
fn evaluating_a_dataset_matches_evaluating_each_service() {
    let a = Fixture::gold("checkout");
    let mut b = Fixture::gold("ledger");
    b.actions.push(overdue_action("ledger", day("2026-06-01")));
    let services = vec![service("checkout", "payments", 0, true), service("ledger", "payments", 1, true)];
    let data = Dataset {
        services: services.clone(),
        slos: a.slos.iter().chain(&b.slos).cloned().collect(),
        actions: b.actions.clone(),
        dr_tests: a.dr_tests.iter().chain(&b.dr_tests).cloned().collect(),
        ..Dataset::default()
    };
    let answers: Vec<SelfAssessmentAnswer> = a.answers.iter().chain(&b.answers).cloned().collect();
    let all = evaluate_dataset(&policy(), &data, &period(), now(), &[], &answers);
    assert_eq!(all.len(), 2);
    assert_eq!(all[0], a.evaluate(&services[0], &[]));
    assert_eq!(all[1], b.evaluate(&services[1], &[]));
    assert_eq!(all[1].level, Some(Level::Bronze));
}

#[test]
fn a_scorecard_serializes_with_snake_case_statuses_and_levels() {
    let mut fx = Fixture::gold("checkout");
    fx.answers.clear();
    let card = fx.evaluate(&service("checkout", "payments", 0, true), &[]);
    let json = serde_json::to_value(&card).unwrap();
    assert_eq!(json["level"], "silver");
    assert_eq!(json["policy_version"], "2026.3");
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks[0]["id"], "owning_team");
    assert_eq!(checks[0]["level"], "bronze");
    assert_eq!(checks[0]["status"], "pass");
    assert_eq!(checks[0]["threshold"], true);
    let readiness = checks.iter().find(|c| c["id"] == "self_assessment_current").unwrap();
    assert_eq!(readiness["status"], "no_data");
    assert!(readiness.get("waiver").is_none());
    let pm = checks.iter().find(|c| c["id"] == "postmortem_coverage").unwrap();
    assert_eq!(pm["status"], "not_applicable");
    assert_eq!(pm["threshold"], 5);
}

const MINIMAL: &str = r#"
version = "test-1"

[[checks]]
id = "active_slo"
level = "bronze"
title = "Has an SLO"
weight = 1
thresholds = { tier0 = 1, tier1 = 1, tier2 = 1, tier3 = "not_applicable" }
fix = "Define {threshold} SLO."
"#;

#[test]
fn a_policy_with_an_unknown_check_id_is_rejected_with_a_clear_message() {
    assert!(Policy::from_toml(MINIMAL).is_ok());
    let err = Policy::from_toml(&MINIMAL.replace("\"active_slo\"", "\"has_slo\"")).unwrap_err();
    assert!(matches!(err, PolicyError::UnknownCheck { .. }));
    let message = err.to_string();
    assert!(
        message.starts_with("checks[0]: unknown check id \"has_slo\"; known ids: owning_team, active_slo"),
        "{message}"
    );
}

#[test]
fn a_policy_missing_a_tier_threshold_is_rejected_with_a_clear_message() {
    let err = Policy::from_toml(&MINIMAL.replace("tier2 = 1, ", "")).unwrap_err();
    assert_eq!(err, PolicyError::MissingThreshold { check: "active_slo".into(), tier: 2 });
    assert_eq!(
        err.to_string(),
        "check \"active_slo\": missing threshold for tier 2 (give a value or \"not_applicable\")"
    );
}

#[test]
fn malformed_policies_are_rejected_naming_what_is_wrong() {
    let cases = [
        (MINIMAL.replace("tier3 = \"not_applicable\"", "tier4 = 1"), "unknown threshold key \"tier4\""),
        (MINIMAL.replace("tier0 = 1,", "tier0 = 1.5,"), "tier 0: expected a whole number, got 1.5"),
        (MINIMAL.replace("tier0 = 1,", "tier0 = true,"), "tier 0: expected a number, got true"),
        (MINIMAL.replace("tier0 = 1,", "tier0 = \"n/a\","), "expected a threshold or \"not_applicable\""),
        (MINIMAL.replace("\"bronze\"", "\"platinum\""), "unknown level \"platinum\""),
        (MINIMAL.replace("weight = 1", "weight = 0"), "`weight` must be a whole number from 1 to 1000, got 0"),
        (MINIMAL.replace("{threshold}", "{value}"), "unknown placeholder {value}"),
        (MINIMAL.replace("version = \"test-1\"", "version = \" \""), "`version` must not be empty"),
        (MINIMAL.replace("weight = 1", "weight = 1\ncounts_from = \"next year\""), "`counts_from` must be a date"),
        (MINIMAL.replace("weight = 1", "weight = 1\ncolour = \"red\""), "unknown field `colour`"),
        (format!("{MINIMAL}\n{}", &MINIMAL[MINIMAL.find("[[checks]]").unwrap()..]), "listed more than once"),
        ("version = \"x\"".to_owned(), "policy defines no checks"),
        ("version = ".to_owned(), "not valid TOML"),
    ];
    for (text, expected) in cases {
        let message = Policy::from_toml(&text).unwrap_err().to_string();
        assert!(message.contains(expected), "expected {expected:?} in {message:?}");
    }
    let with_readiness = MINIMAL.replace("\"active_slo\"", "\"self_assessment_current\"");
    let message = Policy::from_toml(&with_readiness).unwrap_err().to_string();
    assert!(message.contains("needs a non-empty checklist"), "{message}");
    let flag = MINIMAL.replace("\"active_slo\"", "\"owning_team\"");
    let message = Policy::from_toml(&flag).unwrap_err().to_string();
    assert!(message.contains("expected true (required) or \"not_applicable\""), "{message}");
}

#[test]
fn checklist_items_may_be_limited_to_tiers_and_keep_their_own_validity() {
    let policy = policy();
    assert_eq!(policy.checklist_for(0).len(), 9);
    assert_eq!(policy.checklist_for(1).len(), 9);
    let tier2: Vec<&str> = policy.checklist_for(2).iter().map(|item| item.id.as_str()).collect();
    assert_eq!(tier2.len(), 6);
    assert!(!tier2.contains(&"capacity_plan") && !tier2.contains(&"dr_plan"), "{tier2:?}");
    let capacity = policy.checklist.iter().find(|item| item.id == "capacity_plan").unwrap();
    assert_eq!((capacity.validity_days(180), policy.checklist[0].validity_days(180)), (90, 180));

    let with_items = |items: &str| {
        let text = MINIMAL.replace("\"active_slo\"", "\"self_assessment_current\"");
        format!("{text}\n[self_assessment]\nitems = [{items}]\n")
    };
    let custom =
        Policy::from_toml(&with_items("\"runbook\", { id = \"dr_plan\", tiers = [1, 0, 1], valid_days = 30 }"))
            .unwrap();
    assert_eq!(custom.self_assessment_items(), ["runbook", "dr_plan"]);
    assert_eq!(custom.checklist[1].tiers, Some(vec![0, 1]), "sorted, without repeats");
    for (items, expected) in [
        ("{ id = \"x\", tiers = [5] }", "tier 5 is not one of 0, 1, 2, 3"),
        ("{ id = \"x\", tiers = [] }", "`tiers` must not be empty"),
        ("{ id = \"x\", valid_days = 0 }", "`valid_days` must be from 1 to 3650, got 0"),
        ("\"Not A Slug\"", "item \"Not A Slug\""),
        ("\"x\", { id = \"x\" }", "listed more than once"),
    ] {
        let message = Policy::from_toml(&with_items(items)).unwrap_err().to_string();
        assert!(message.contains(expected), "expected {expected:?} in {message:?}");
    }
}

#[test]
fn a_sign_off_after_the_as_of_instant_does_not_count_yet() {
    let svc = service("checkout", "payments", 0, true);
    let mut fx = Fixture::gold("checkout");
    // Answered in the period, signed off on 2026-10-02: after the as-of instant 2026-10-01.
    for answer in &mut fx.answers {
        answer.reviewed_at = utc("2026-10-02T00:00:00Z");
    }
    let card = fx.evaluate(&svc, &[]);
    assert_eq!(status(&card, CheckId::SelfAssessmentCurrent), CheckStatus::NoData);
    fx.answers[0].reviewed_at = utc("2026-09-30T00:00:00Z");
    let card = fx.evaluate(&svc, &[]);
    let check = result(&card, CheckId::SelfAssessmentCurrent);
    assert_eq!(check.status, CheckStatus::Fail, "only the one signed off in time counts");
    assert_eq!(check.value["missing"].as_array().map(Vec::len), Some(8));
}

#[test]
fn check_ids_round_trip() {
    for id in CheckId::ALL {
        assert_eq!(CheckId::parse(id.as_str()), Some(*id));
    }
    assert_eq!(CheckId::parse("nope"), None);
    assert_eq!(Level::parse("Gold"), Some(Level::Gold));
    assert!(Level::Bronze < Level::Silver && Level::Silver < Level::Gold);
}

#[test]
fn other_services_records_passed_in_are_ignored() {
    let svc = service("checkout", "payments", 0, true);
    let mut fx = Fixture::gold("checkout");
    fx.actions.push(overdue_action("ledger", day("2026-06-01")));
    fx.dr_tests.push(DrTest { outcome: DrOutcome::Fail, ..dr_pass("ledger", "2026-09-20T00:00:00Z") });
    let mut other = incident("inc-ledger", Severity::Sev0, "2026-08-01T00:00:00Z");
    other.services = vec![slug("ledger")];
    fx.incidents.push(other);
    let card = fx.evaluate(&svc, &[]);
    assert_eq!(card.level, Some(Level::Gold));
    assert_eq!(card.score, Some(100));
}

#[test]
fn exemptions_and_answers_deserialize_from_their_json_form() {
    let e: Exemption = serde_json::from_value(serde_json::json!({
        "service": "checkout",
        "check": "dr_test_recent",
        "reason": "datacenter move",
        "approver": "cto@example.com",
        "expires_at": "2026-12-31T00:00:00Z",
    }))
    .unwrap();
    assert_eq!(e.check, CheckId::DrTestRecent);
    assert!(e.is_active_at(utc("2026-12-30T23:59:59Z")) && !e.is_active_at(utc("2026-12-31T00:00:00Z")));
    let bad = serde_json::from_value::<Exemption>(serde_json::json!({
        "service": "checkout", "check": "nope", "reason": "r", "approver": "a", "expires_at": "2026-12-31T00:00:00Z",
    }))
    .unwrap_err()
    .to_string();
    assert!(bad.contains("unknown check id \"nope\""), "{bad}");
    let a: SelfAssessmentAnswer = serde_json::from_value(serde_json::json!({
        "service": "checkout", "item": "runbook", "answer": "n/a", "answered_at": "2026-09-01T00:00:00Z",
        "reviewed_at": "2026-09-02T00:00:00Z",
    }))
    .unwrap();
    assert_eq!(a.answer, ReadinessAnswer::NotApplicable);
    assert_eq!(ReadinessAnswer::parse(" YES "), Some(ReadinessAnswer::Yes));
}

/// The default policy with the recent-DR-test check counting from `day` (`counts_from = …`,
/// written as TOML writes a date).
fn policy_counting_dr_from(day: &str) -> Policy {
    let marker = "id = \"dr_test_recent\"\n";
    let text = crate::domain::scorecard::policy::DEFAULT_POLICY_TOML.replacen(
        marker,
        &format!("{marker}counts_from = {day}\n"),
        1,
    );
    Policy::from_toml(&text).unwrap()
}

#[test]
fn a_check_counting_from_a_later_date_is_upcoming_until_then_and_changes_nothing() {
    let svc = service("checkout", "payments", 0, true);
    let mut fixture = Fixture::gold("checkout");
    // The last passing DR test is too old for tier 0 (90 days): the check fails today.
    fixture.dr_tests = vec![dr_pass("checkout", "2026-03-01T10:00:00Z")];
    let evaluate = |policy: &Policy, period: &Period, now: DateTime<Utc>| {
        evaluate_service(policy, &svc, period, now, &fixture.inputs(), &[])
    };
    let counting = evaluate(&policy(), &period(), now());
    assert_eq!(status(&counting, CheckId::DrTestRecent), CheckStatus::Fail);
    assert_eq!(counting.level, Some(Level::Bronze));

    // Announced for the first day of Q4: Q3's scorecard (as of 2026-10-01T00:00Z, the start of
    // that day) does not count it yet, and shows what it would be.
    let later = policy_counting_dr_from("2026-10-01");
    assert_eq!(later.check(CheckId::DrTestRecent).unwrap().counts_from, Some(day("2026-10-01")));
    let upcoming = evaluate(&later, &period(), now());
    let check = result(&upcoming, CheckId::DrTestRecent);
    assert_eq!(check.status, CheckStatus::Upcoming);
    assert!(
        check
            .explanation
            .starts_with("Counts from 2026-10-01; until then it changes neither level nor score. Now: Fail"),
        "{}",
        check.explanation
    );
    assert!(!check.status.needs_fixing());
    assert_eq!(upcoming.level, Some(Level::Gold));
    // Left out of the score as a check that does not apply would be.
    let without: Vec<CheckResult> = counting.checks.iter().filter(|c| c.id != CheckId::DrTestRecent).cloned().collect();
    assert_eq!(upcoming.score, score_of(&without));

    // From that day on it counts: Q4, as of 2026-10-15, fails it again.
    let q4 = evaluate(&later, &q("2026-Q4"), now());
    assert_eq!(status(&q4, CheckId::DrTestRecent), CheckStatus::Fail);
    // The string form is read too.
    let quoted = crate::domain::scorecard::policy::DEFAULT_POLICY_TOML.replacen(
        "id = \"dr_test_recent\"\n",
        "id = \"dr_test_recent\"\ncounts_from = \"2027-01-01\"\n",
        1,
    );
    assert_eq!(
        Policy::from_toml(&quoted).unwrap().check(CheckId::DrTestRecent).unwrap().counts_from,
        Some(day("2027-01-01"))
    );
}

#[test]
fn the_survey_minimum_is_five_unless_the_policy_sets_a_whole_number_from_1() {
    let default = crate::domain::scorecard::policy::DEFAULT_POLICY_TOML;
    assert_eq!(crate::domain::scorecard::Policy::default_policy().unwrap().kpi.min_survey_responses, 5);
    let set = |n: &str| {
        crate::domain::scorecard::Policy::from_toml(
            &default.replace("min_responses = 5", &format!("min_responses = {n}")),
        )
    };
    assert_eq!(set("3").unwrap().kpi.min_survey_responses, 3);
    assert!(set("0").is_err() && set("-2").is_err());
    let without = default.replace("[surveys]\nmin_responses = 5\n", "");
    assert_eq!(
        crate::domain::scorecard::Policy::from_toml(&without).unwrap().kpi.min_survey_responses,
        5,
        "the default without the table"
    );
}

#[test]
fn capacity_headroom_is_judged_on_measured_days_against_the_policys_headroom() {
    let svc = service("checkout", "payments", 0, true);
    let day = |date: &str, headroom: f64| crate::domain::kpi::CapacityDay {
        service: slug("checkout"),
        day: date.parse().unwrap(),
        headroom,
        resource: "cpu".into(),
    };
    // Tier 0 keeps 30 %: two of three days do (66.7 %), short of the default policy's 90 %.
    let days = [day("2026-07-01", 0.35), day("2026-07-02", 0.25), day("2026-07-03", 0.40)];
    let judge = |policy: &Policy, days: &[crate::domain::kpi::CapacityDay]| {
        let inputs = ServiceInputs { capacity_days: days.iter().collect(), ..ServiceInputs::default() };
        let card = evaluate_service(policy, &svc, &period(), now(), &inputs, &[]);
        let check = card.checks.iter().find(|c| c.id == CheckId::CapacityHeadroom).cloned().unwrap();
        (check.status, check.explanation)
    };
    let (status, why) = judge(&policy(), &days);
    assert_eq!(status, CheckStatus::Upcoming, "the default policy counts it from 2027: {why}");
    assert!(why.contains("Fail"), "{why}");
    let mut counting = policy();
    for check in counting.checks.iter_mut().filter(|c| c.id == CheckId::CapacityHeadroom) {
        check.counts_from = None;
    }
    let (status, why) = judge(&counting, &days);
    assert_eq!(status, CheckStatus::Fail);
    assert!(why.contains("2 of 3 measured days") && why.contains("least 25"), "{why}");
    assert_eq!(judge(&counting, &[]).0, CheckStatus::NotApplicable, "nothing measured: nothing to judge");
    let mut lenient = counting.clone();
    lenient.kpi.capacity_headroom[0] = 0.2;
    assert_eq!(judge(&lenient, &days).0, CheckStatus::Pass, "with 20 % for tier 0 every day keeps it");
}
