use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::domain::kpi::period::tests::{day, q, utc};
use crate::domain::kpi::scope::tests::{service, slug};
use crate::domain::kpi::{Action, DrTest};
use crate::domain::records::{ActionStatus, DrOutcome};
use crate::domain::scorecard::{ApprovalOrigin, Level, ReadinessAnswer};

fn now() -> DateTime<Utc> {
    utc("2026-11-20T12:00:00Z")
}

fn dr_pass(svc: &str, at: &str) -> DrTest {
    DrTest {
        id: format!("dr-{svc}"),
        service: slug(svc),
        performed_at: utc(at),
        outcome: DrOutcome::Pass,
        rto_target_minutes: Some(60),
        rto_achieved_minutes: Some(30),
        rpo_target_minutes: Some(15),
        rpo_achieved_minutes: Some(5),
    }
}

fn open_action(svc: &str, due: &str) -> Action {
    Action {
        id: format!("act-{svc}"),
        service: slug(svc),
        incident: None,
        incident_started_at: None,
        due_date: Some(day(due)),
        status: ActionStatus::Open,
        completed_at: None,
    }
}

/// Days `from..to` of `good` of 1000 events each.
fn days(from: &str, to: &str, good: i64) -> Vec<SloMeasurement> {
    day(from).iter_days().take_while(|d| *d < day(to)).map(|d| SloMeasurement { day: d, good, total: 1000 }).collect()
}

struct Org {
    policy: Policy,
    quarters: Vec<(Period, Dataset)>,
    slo_days: HashMap<(Slug, Slug), SloHistory>,
    exemptions: Vec<Exemption>,
    answers: Vec<SelfAssessmentAnswer>,
}

/// checkout (tier 0) has an SLO burning faster lately, a DR test, readiness answers and an
/// exempted check; ledger (tier 1) has no SLO, an ageing DR test and an open action.
fn org() -> Org {
    let policy = Policy::default_policy().unwrap();
    let calendar = q("2026-Q4").calendar();
    let slo = Slo {
        service: slug("checkout"),
        slug: slug("availability"),
        objective: 99.0,
        window: crate::domain::kpi::SloWindow::Rolling { days: 28 },
        budgeting: crate::domain::records::Budgeting::Occurrences,
        active: true,
        indicator: crate::domain::records::Indicator::Availability,
        threshold_ms: None,
        data: SloData::Days(Vec::new()),
    };
    let mut rows = days("2026-08-01", "2026-11-13", 996);
    // The last seven days burn 1.5 % of events against a 1 % budget.
    rows.extend(days("2026-11-13", "2026-11-20", 985));
    let slo_days =
        HashMap::from([((slug("checkout"), slug("availability")), SloHistory::new(rows, calendar.day_of(now())))]);
    let dataset = Dataset {
        services: vec![service("checkout", "shop", 0, true), service("ledger", "money", 1, true)],
        slos: vec![slo],
        actions: vec![open_action("ledger", "2026-11-25")],
        dr_tests: vec![dr_pass("checkout", "2026-10-05T09:00:00Z"), dr_pass("ledger", "2026-06-01T10:00:00Z")],
        ..Dataset::default()
    };
    let quarters = forecast_quarters(calendar, now(), 90).into_iter().map(|p| (p, dataset.clone())).collect();
    let answers = policy
        .self_assessment_items()
        .into_iter()
        .flat_map(|item| {
            ["checkout", "ledger"].map(|svc| SelfAssessmentAnswer {
                service: slug(svc),
                item: item.clone(),
                answer: ReadinessAnswer::Yes,
                answered_at: utc("2026-08-15T08:00:00Z"),
                reviewed_at: utc("2026-08-16T08:00:00Z"),
            })
        })
        .collect();
    // ledger has no SLO yet: its two SLO checks of Bronze are waived until 2026-12-15.
    let exemptions = [CheckId::ActiveSlo, CheckId::SloDataFresh]
        .map(|check| Exemption {
            service: slug("ledger"),
            check,
            reason: "moving to a new metrics pipeline".into(),
            approver: "cto@example.com".into(),
            expires_at: utc("2026-12-15T00:00:00Z"),
            approval: ApprovalOrigin::Plumbline,
        })
        .to_vec();
    Org { policy, quarters, slo_days, exemptions, answers }
}

impl Org {
    fn data(&self) -> ForecastData<'_> {
        ForecastData {
            policy: &self.policy,
            calendar: q("2026-Q4").calendar(),
            quarters: &self.quarters,
            slo_days: &self.slo_days,
            exemptions: &self.exemptions,
            answers: &self.answers,
        }
    }

    /// Each service's scorecard now, as the page shows it (the real rows only).
    fn current(&self) -> Vec<Scorecard> {
        let (quarter, dataset) = &self.quarters[0];
        let data = self.data();
        let today = day("2026-11-20");
        dataset
            .services
            .iter()
            .map(|svc| {
                let mut card = scorecard_on(&data, svc, quarter, dataset, today);
                // Evaluated at `now` rather than at the day's start: the same records today.
                card.as_of = now();
                card
            })
            .collect()
    }
}

fn statuses(card: &Scorecard) -> Vec<(String, CheckStatus)> {
    card.checks.iter().map(|c| (c.id.as_str().to_owned(), c.status)).collect()
}

/// The statuses the forecast gives for `day`: today's, with every change up to that day applied.
fn statuses_on(start: &Scorecard, forecast: &ServiceForecast, day: NaiveDate) -> Vec<(String, CheckStatus)> {
    let mut statuses = statuses(start);
    for event in forecast.events.iter().filter(|e| e.day <= day) {
        for change in &event.changes {
            if let Some(slot) = statuses.iter_mut().find(|(id, _)| *id == change.change.check) {
                slot.1 = change.change.after;
            }
        }
    }
    statuses
}

#[test]
fn on_every_day_of_the_horizon_the_forecast_is_the_scorecard_of_that_day() {
    let org = org();
    let data = org.data();
    let current = org.current();
    let forecasts = forecast(&data, &current, now(), 90);
    assert_eq!(forecasts.len(), 2);
    for (card, forecast) in current.iter().zip(&forecasts) {
        let svc = org.quarters[0].1.services.iter().find(|s| s.slug == card.service).unwrap();
        for day in day("2026-11-20").iter_days().take(91) {
            let (quarter, dataset) = org.quarters.iter().find(|(q, _)| q.contains_day(day)).unwrap();
            let expected = scorecard_on(&data, svc, quarter, dataset, day);
            assert_eq!(forecast.standing_on(day), standing(&expected), "{} on {day}", card.service);
            assert_eq!(statuses_on(card, forecast, day), statuses(&expected), "{} on {day}", card.service);
        }
    }
}

#[test]
fn the_changes_ahead_are_dated_with_the_level_they_cause() {
    let org = org();
    let current = org.current();
    let forecasts = forecast(&org.data(), &current, now(), 90);
    let ledger = forecasts.iter().find(|f| f.service == "ledger").unwrap();
    let on = |day_text: &str| {
        ledger
            .events
            .iter()
            .find(|e| e.day == day(day_text))
            .unwrap_or_else(|| panic!("{day_text}: {:#?}", ledger.events))
    };
    let changed = |event: &ForecastEvent, check: &str| {
        event.changes.iter().find(|c| c.change.check == check).map(|c| (c.change.before, c.change.after))
    };
    // The DR test of 2026-06-01 10:00 is 180 days old at 2026-11-28 10:00: by that day's end,
    // tier 1 fails.
    let dr = on("2026-11-28");
    assert_eq!(changed(dr, "dr_test_recent"), Some((CheckStatus::Pass, CheckStatus::Fail)));
    // The action due 2026-11-25 is 31 days overdue at the end of 2026-12-25 (as of 2026-12-26).
    assert_eq!(changed(on("2026-12-25"), "no_long_overdue_actions"), Some((CheckStatus::Pass, CheckStatus::Fail)));
    // The waivers end 2026-12-15 00:00, the end of their last day 2026-12-14: ledger drops
    // below Bronze.
    let waiver = on("2026-12-14");
    assert_eq!(changed(waiver, "active_slo"), Some((CheckStatus::Waived, CheckStatus::Fail)));
    assert_eq!((waiver.before.level, waiver.after.level), (Some(Level::Bronze), None));
    assert_eq!(waiver.level_change, -1);
    // A new quarter is marked as such.
    assert!(ledger.events.iter().filter(|e| e.new_quarter).all(|e| e.day == day("2027-01-01")));

    // checkout burns 1.5 % a day against a 1 % budget: its budget check fails on a dated day.
    let checkout = forecasts.iter().find(|f| f.service == "checkout").unwrap();
    let budget = checkout
        .events
        .iter()
        .find(|e| {
            e.changes.iter().any(|c| c.change.check == "error_budget_remaining" && c.change.after == CheckStatus::Fail)
        })
        .unwrap_or_else(|| panic!("{:#?}", checkout.events));
    assert!(budget.day > day("2026-11-20") && budget.day < day("2026-12-20"), "{}", budget.day);
}

#[test]
fn an_slo_is_projected_at_its_last_seven_days_average() {
    // Seven days: totals 1000 each, bad 10 on four days and 24 on three: mean bad 16.
    let mut rows = days("2026-11-13", "2026-11-17", 990);
    rows.extend(days("2026-11-17", "2026-11-20", 976));
    rows.push(SloMeasurement { day: day("2026-11-01"), good: 0, total: 5 });
    let history = SloHistory::new(rows, day("2026-11-20"));
    assert_eq!(history.rate, Some((984, 1000)));
    let known = history.rows_before(day("2026-11-23"));
    assert_eq!(known.len(), 8 + 3);
    assert_eq!(known.last(), Some(&SloMeasurement { day: day("2026-11-22"), good: 984, total: 1000 }));
    // Real rows only before the projection starts.
    assert_eq!(history.rows_before(day("2026-11-14")).len(), 2);
    // Nothing measured in the last seven days: nothing projected, so the data goes stale.
    let stale = SloHistory::new(days("2026-10-01", "2026-11-01", 999), day("2026-11-20"));
    assert_eq!(stale.rate, None);
    assert_eq!(stale.rows_before(day("2026-12-01")).len(), 31);
}
