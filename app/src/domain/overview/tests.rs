use super::*;
use crate::domain::kpi::incidents::tests::incident;
use crate::domain::kpi::period::tests::{day, q, utc};
use crate::domain::kpi::scope::tests::{service, slug};
use crate::domain::kpi::{Action, BurnRates, Dataset, DrTest, KpiValues, Scope, SloStatus};
use crate::domain::records::{ActionStatus, DrOutcome, Severity};
use crate::domain::scorecard::{Level, Scorecard};

fn card(tier: u8, level: Option<Level>) -> Scorecard {
    Scorecard {
        service: slug("svc"),
        team: slug("team"),
        tier,
        policy_version: "1".into(),
        as_of: utc("2026-09-30T00:00:00Z"),
        level,
        score: None,
        checks: Vec::new(),
    }
}

#[test]
fn levels_are_counted_per_tier_and_every_tier_is_listed() {
    let cards = [card(0, Some(Level::Gold)), card(0, None), card(1, Some(Level::Bronze)), card(1, Some(Level::Bronze))];
    let policy = crate::domain::scorecard::Policy::default_policy().expect("default policy");
    let tiers = level_distribution(&cards, &policy);
    assert_eq!(tiers.len(), 4);
    let gold = Some(Level::Gold);
    assert_eq!(tiers[0], TierLevels { tier: 0, gold: 1, silver: 0, bronze: 0, none: 1, ceiling: gold });
    assert_eq!(tiers[1], TierLevels { tier: 1, gold: 0, silver: 0, bronze: 2, none: 0, ceiling: gold });
    assert_eq!((tiers[0].share_at_silver(), tiers[1].share_at_silver()), (Some(0.5), Some(0.0)));
    assert_eq!(tiers[3].total(), 0);
    assert_eq!(tiers[3].ceiling, Some(Level::Bronze));
    // Tier 3 cannot reach Silver: it has no share at Silver to miss.
    let tier3 = TierLevels { tier: 3, bronze: 4, ceiling: Some(Level::Bronze), ..Default::default() };
    assert_eq!(tier3.share_at_silver(), None);
}

fn action(id: &str, service: &str, due: &str, status: ActionStatus) -> Action {
    Action {
        id: id.into(),
        service: slug(service),
        incident: None,
        incident_started_at: None,
        due_date: Some(day(due)),
        status,
        completed_at: None,
    }
}

fn dr(service: &str, at: &str, outcome: DrOutcome) -> DrTest {
    DrTest {
        id: format!("{service}-{at}"),
        service: slug(service),
        performed_at: utc(at),
        outcome,
        rto_target_minutes: None,
        rto_achieved_minutes: None,
        rpo_target_minutes: None,
        rpo_achieved_minutes: None,
    }
}

fn slo_status(service: &str, name: &str, remaining: Option<f64>) -> SloStatus {
    SloStatus {
        service: slug(service),
        slo: slug(name),
        objective: 0.999,
        attainment: Some(0.99),
        met: Some(false),
        error_budget_remaining: remaining,
        burn_rate: BurnRates { d1: None, d7: None, window: None },
        days_with_data: 90,
    }
}

#[test]
fn risks_list_the_worst_first_with_the_kpis_own_predicates() {
    let period = q("2026-Q3");
    let now = utc("2026-11-01T00:00:00Z"); // the quarter is closed: as of 2026-10-01
    let mut sev1 = incident("i1", Severity::Sev1, "2026-08-01T00:00:00Z");
    sev1.services = vec![slug("api"), slug("db")];
    let mut sev0 = incident("i2", Severity::Sev0, "2026-08-02T00:00:00Z");
    sev0.services = vec![slug("db")];
    let sev3 = incident("i3", Severity::Sev3, "2026-08-03T00:00:00Z"); // not high severity
    let before = incident("i4", Severity::Sev0, "2026-06-30T00:00:00Z"); // before the period
    let data = Dataset {
        services: vec![
            service("api", "core", 0, true),
            service("db", "core", 1, true),
            service("web", "edge", 1, true),
        ],
        incidents: vec![sev1, sev0, sev3, before],
        actions: vec![
            action("a-old", "api", "2026-06-01", ActionStatus::Open),
            action("a-new", "db", "2026-09-20", ActionStatus::Open),
            action("a-done", "db", "2026-06-01", ActionStatus::Done),
            action("a-later", "db", "2026-10-15", ActionStatus::Open), // due after the as-of day
        ],
        dr_tests: vec![
            dr("api", "2026-08-01T00:00:00Z", DrOutcome::Pass), // within 90 days: covered
            dr("db", "2025-12-01T00:00:00Z", DrOutcome::Pass),  // > 180 days before as-of
            dr("db", "2026-09-01T00:00:00Z", DrOutcome::Fail),
        ],
        ..Default::default()
    };
    let slos = [
        slo_status("api", "latency", Some(-0.5)),
        slo_status("db", "avail", Some(0.0)),
        slo_status("web", "ok", Some(0.2)),
    ];
    let risks = top_risks(&period, now, &data.scoped(&Scope::Org), &slos);

    let budgets: Vec<_> = risks.exhausted_budgets.iter().map(|b| (b.service.as_str(), b.remaining)).collect();
    assert_eq!(budgets, [("api", -0.5), ("db", 0.0)]);

    let overdue: Vec<_> = risks.overdue_actions.iter().map(|a| (a.id.as_str(), a.days_overdue)).collect();
    assert_eq!(overdue, [("a-old", 122), ("a-new", 11)]);
    assert_eq!(risks.overdue_total, 2);

    let gaps: Vec<_> = risks.dr_gaps.iter().map(|g| (g.service.as_str(), g.last_pass.as_deref())).collect();
    assert_eq!(gaps, [("web", None), ("db", Some("2025-12-01"))]);

    let hotspots: Vec<_> = risks.incident_hotspots.iter().map(|h| (h.service.as_str(), h.high_sev)).collect();
    assert_eq!(hotspots, [("db", 2), ("api", 1)]);
}

#[test]
fn trend_series_keep_the_period_order_and_no_data_as_none() {
    let a = KpiValues { slo_met_rate: Some(0.5), high_sev_count: 3, ..Default::default() };
    let b = KpiValues { slo_met_rate: None, high_sev_count: 1, ..Default::default() };
    let series = trend_series(&[(q("2025-Q1"), None), (q("2026-Q2"), Some(a)), (q("2026-Q3"), Some(b))], false);
    assert_eq!(series.len(), TRENDED.len());
    let met = series.iter().find(|s| s.kpi == "slo_met_rate").unwrap();
    assert_eq!(
        met.points,
        [("2025-Q1".to_owned(), None), ("2026-Q2".to_owned(), Some(0.5)), ("2026-Q3".to_owned(), None)]
    );
    let high = series.iter().find(|s| s.kpi == "high_sev_count").unwrap();
    assert_eq!(high.direction, Direction::LowerIsBetter);
    assert_eq!(high.points[2].1, Some(1.0));
}

#[test]
fn the_picker_offers_recent_quarters_and_months_newest_first() {
    let (quarters, months) = period_choices(utc("2026-11-27T03:00:00Z"), Default::default());
    assert_eq!(quarters.len(), 8);
    assert_eq!((quarters[0].as_str(), quarters[7].as_str()), ("2026-Q4", "2025-Q1"));
    assert_eq!((months[0].as_str(), months[11].as_str()), ("2026-11", "2025-12"));
}

fn counted(unit: Unit, values: &[Option<f64>]) -> TrendSeries {
    TrendSeries {
        kpi: "x".into(),
        label: "x".into(),
        unit,
        direction: Direction::LowerIsBetter,
        points: values.iter().map(|v| ("2026-Q3".to_owned(), *v)).collect(),
        partial_last: false,
    }
}

#[test]
fn counts_get_a_round_axis_and_fractions_a_full_one() {
    assert_eq!(axis_max(&counted(Unit::Count, &[Some(13.0)])), 20.0);
    assert_eq!(axis_max(&counted(Unit::Count, &[Some(0.0), None])), 1.0);
    assert_eq!(axis_max(&counted(Unit::Fraction, &[Some(0.3)])), 1.0);
    assert_eq!(axis_max(&counted(Unit::Minutes, &[Some(45.0)])), 50.0);
}
