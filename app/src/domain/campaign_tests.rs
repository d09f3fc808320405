use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::domain::scorecard::CheckResult;

fn check(id: CheckId, level: Level, status: CheckStatus) -> CheckResult {
    CheckResult {
        id,
        level,
        title: id.as_str().to_owned(),
        weight: 1,
        status,
        value: serde_json::Value::Null,
        threshold: serde_json::Value::Null,
        explanation: format!("{} is {}", id.as_str(), status.as_str()),
        waiver: None,
        judged: None,
    }
}

fn card(service: &str, team: &str, tier: u8, level: Option<Level>, checks: Vec<CheckResult>) -> Scorecard {
    Scorecard {
        service: Slug::parse(service).unwrap(),
        team: Slug::parse(team).unwrap(),
        tier,
        policy_version: "test".into(),
        as_of: Utc.with_ymd_and_hms(2026, 12, 5, 0, 0, 0).unwrap(),
        level,
        score: None,
        checks,
    }
}

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn form() -> CampaignForm {
    CampaignForm {
        title: "Tier-0 DR tests by Q1".into(),
        description: "Every tier-0 service tests its recovery.".into(),
        owner: "sre-leads@example.com".into(),
        goal_kind: "checks".into(),
        goal_checks: "dr_test_recent".into(),
        goal_level: String::new(),
        scope_kind: "tiers".into(),
        scope_values: "0".into(),
        deadline: "2027-03-31".into(),
    }
}

#[test]
fn a_campaign_form_is_checked_field_by_field() {
    let policy = Policy::default_policy().unwrap();
    let today = day("2026-12-05");
    let draft = check_campaign(&form(), &policy, today).unwrap();
    assert_eq!(draft.goal, CampaignGoal::Checks { checks: vec![CheckId::DrTestRecent] });
    assert_eq!(draft.scope, CampaignScope::Tiers { tiers: vec![0] });
    assert_eq!(draft.deadline, day("2027-03-31"));

    let with = |change: fn(&mut CampaignForm)| {
        let mut f = form();
        change(&mut f);
        check_campaign(&f, &policy, today)
    };
    assert!(with(|f| f.title = "  ".into()).unwrap_err().contains("title is required"));
    assert!(with(|f| f.goal_checks = "dr_test_recent, no_such_check".into()).unwrap_err().contains("no_such_check"));
    assert!(with(|f| f.goal_checks = " ".into()).unwrap_err().contains("at least one check"));
    assert!(with(|f| f.scope_values = "0 7".into()).unwrap_err().contains("'7' is not a tier"));
    assert!(with(|f| f.scope_values = String::new()).unwrap_err().contains("at least one"));
    assert!(with(|f| f.deadline = "2026-12-04".into()).unwrap_err().contains("from 2026-12-05"));
    assert!(with(|f| f.deadline = "31/03/2027".into()).unwrap_err().contains("not a date"));
    assert!(with(|f| f.goal_kind = "vibes".into()).unwrap_err().contains("'checks' or 'level'"));
    let level = with(|f| {
        f.goal_kind = "level".into();
        f.goal_level = "Silver".into();
        f.scope_kind = "teams".into();
        f.scope_values = "payments, search payments".into();
    })
    .unwrap();
    assert_eq!(level.goal, CampaignGoal::Level { level: Level::Silver });
    // Repeats are dropped, the order kept.
    assert_eq!(
        level.scope,
        CampaignScope::Teams { teams: vec![Slug::parse("payments").unwrap(), Slug::parse("search").unwrap()] }
    );
    assert!(
        with(|f| {
            f.scope_kind = "services".into();
            f.scope_values = "Checkout".into();
        })
        .unwrap_err()
        .contains("'Checkout' is not a name")
    );
}

#[test]
fn a_checks_goal_is_met_by_passing_waived_or_not_applicable_checks_and_judges_upcoming_ones_on_what_they_find() {
    use CheckStatus::{Fail, NoData, NotApplicable, Pass, Upcoming, Waived};
    let goal = CampaignGoal::Checks { checks: vec![CheckId::DrTestRecent, CheckId::ActiveSlo] };
    let cards = [
        card(
            "a",
            "t",
            0,
            Some(Level::Gold),
            vec![check(CheckId::DrTestRecent, Level::Silver, Pass), check(CheckId::ActiveSlo, Level::Bronze, Pass)],
        ),
        card(
            "b",
            "t",
            0,
            Some(Level::Bronze),
            vec![
                check(CheckId::DrTestRecent, Level::Silver, Waived),
                check(CheckId::ActiveSlo, Level::Bronze, NotApplicable),
            ],
        ),
        card(
            "c",
            "t",
            0,
            Some(Level::Bronze),
            vec![check(CheckId::DrTestRecent, Level::Silver, Fail), check(CheckId::ActiveSlo, Level::Bronze, NoData)],
        ),
    ];
    let judged: Vec<ServiceGoal> = cards.iter().map(|c| judge(&goal, c)).collect();
    assert!(judged[0].met && judged[0].open.is_empty());
    assert!(judged[1].met);
    assert!(!judged[2].met);
    assert_eq!(judged[2].open.iter().map(|o| o.check.as_str()).collect::<Vec<_>>(), ["dr_test_recent", "active_slo"]);

    // An upcoming check: a campaign towards it judges what it finds now, not "upcoming".
    let mut upcoming = check(CheckId::DrTestRecent, Level::Silver, Upcoming);
    upcoming.judged = Some(Fail);
    let d =
        card("d", "t", 0, Some(Level::Gold), vec![upcoming.clone(), check(CheckId::ActiveSlo, Level::Bronze, Pass)]);
    let result = judge(&goal, &d);
    assert!(!result.met);
    assert_eq!(result.open[0].status, Fail);
    upcoming.judged = Some(Pass);
    let e = card("e", "t", 0, None, vec![upcoming, check(CheckId::ActiveSlo, Level::Bronze, Pass)]);
    assert!(judge(&goal, &e).met);
}

#[test]
fn a_level_goal_is_met_at_that_level_or_higher_and_lists_the_blocking_checks_up_to_it() {
    use CheckStatus::{Fail, NoData, NotApplicable, Pass};
    let goal = CampaignGoal::Level { level: Level::Silver };
    let checks = || {
        vec![
            check(CheckId::ActiveSlo, Level::Bronze, Pass),
            check(CheckId::DrTestRecent, Level::Silver, Fail),
            check(CheckId::MttrHighSev, Level::Gold, NoData),
        ]
    };
    let bronze = judge(&goal, &card("a", "t", 1, Some(Level::Bronze), checks()));
    assert!(!bronze.met);
    // The Gold check does not stand between it and Silver.
    assert_eq!(bronze.open.iter().map(|o| o.check.as_str()).collect::<Vec<_>>(), ["dr_test_recent"]);
    assert!(judge(&goal, &card("b", "t", 1, Some(Level::Gold), checks())).met);
    assert!(judge(&goal, &card("c", "t", 1, Some(Level::Silver), checks())).met);
    assert!(!judge(&goal, &card("d", "t", 1, None, checks())).met);

    // A tier whose Silver checks do not apply cannot reach Silver: listed, never counted.
    let bronze_only = || {
        vec![check(CheckId::ActiveSlo, Level::Bronze, Pass), check(CheckId::DrTestRecent, Level::Silver, NotApplicable)]
    };
    let wiki = judge(&goal, &card("wiki", "t", 3, Some(Level::Bronze), bronze_only()));
    assert!(!wiki.met && !wiki.reachable && wiki.open.is_empty());
    let cards =
        [card("wiki", "t", 3, Some(Level::Bronze), bronze_only()), card("b", "t", 1, Some(Level::Gold), checks())];
    let standing = standing(&goal, &CampaignScope::Teams { teams: vec![Slug::parse("t").unwrap()] }, &cards);
    assert_eq!((standing.met, standing.total), (1, 1));
    assert_eq!(standing.teams, vec![TeamProgress { team: "t".into(), met: 1, total: 1 }]);
    assert_eq!(standing.services.last().map(|s| s.service.as_str()), Some("wiki"));
    assert!(standing.open_services().is_empty());
}

#[test]
fn a_standing_counts_the_services_in_scope_per_team_with_the_open_ones_first() {
    use CheckStatus::{Fail, Pass};
    let goal = CampaignGoal::Checks { checks: vec![CheckId::DrTestRecent] };
    let with = |s| vec![check(CheckId::DrTestRecent, Level::Silver, s)];
    let cards = vec![
        card("pay-api", "payments", 0, None, with(Pass)),
        card("ledger", "payments", 0, None, with(Fail)),
        card("search", "discovery", 0, None, with(Fail)),
        card("wiki", "docs", 3, None, with(Fail)),
    ];
    let scope = CampaignScope::Tiers { tiers: vec![0] };
    let standing = standing(&goal, &scope, &cards);
    assert_eq!((standing.met, standing.total), (1, 3));
    assert_eq!(standing.open_services(), ["ledger", "search"]);
    assert_eq!(standing.services.last().map(|s| s.service.as_str()), Some("pay-api"));
    assert_eq!(
        standing.teams,
        vec![
            TeamProgress { team: "discovery".into(), met: 0, total: 1 },
            TeamProgress { team: "payments".into(), met: 1, total: 2 },
        ]
    );
    let payments = team_standing(&goal, &scope, &cards, "payments");
    assert_eq!((payments.met, payments.total), (1, 2));
    let by_name = CampaignScope::Services { services: vec![Slug::parse("wiki").unwrap()] };
    assert_eq!(super::standing(&goal, &by_name, &cards).total, 1);
}

#[test]
fn a_campaign_ends_the_day_after_its_deadline_and_slugs_come_from_titles() {
    let deadline = day("2027-03-31");
    assert_eq!(CampaignState::of(deadline, false, day("2027-03-31")), CampaignState::Running);
    assert_eq!(CampaignState::of(deadline, false, day("2027-04-01")), CampaignState::Ended);
    assert_eq!(CampaignState::of(deadline, true, day("2027-01-01")), CampaignState::Cancelled);
    assert_eq!(slug_of("Tier-0 DR tests by Q1!"), "tier-0-dr-tests-by-q1");
    assert_eq!(slug_of("  Été: résilience  "), "t-r-silience");
    assert_eq!(slug_of("!!!"), "campaign");
    assert!(Slug::parse(&slug_of(&"x".repeat(500))).is_ok());
}
