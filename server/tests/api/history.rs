//! Score history and movers (`GET /api/v1/services/{slug}/history`, `GET
//! /api/v1/scorecards/movers`) on the KPI fixture, against the scorecards they summarise.

use serde_json::Value;

use crate::helpers::TestApp;
use crate::kpis::load;

async fn get_ok(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// A service's level and score in a period as its scorecard reports them.
async fn standing(app: &TestApp, service: &str, period: &str) -> Value {
    let card = get_ok(app, &format!("/api/v1/services/{service}/scorecard?period={period}")).await;
    serde_json::json!({"level": card["scorecards"][0]["level"], "score": card["scorecards"][0]["score"]})
}

async fn a_history_shows_each_periods_scorecard_and_nothing_before_the_first_record(app: &TestApp) {
    load(app).await;
    let history = get_ok(app, "/api/v1/services/checkout/history?from=2026-Q1&to=2026-Q3").await;
    assert_eq!(history["service"], "checkout");
    let points = history["periods"].as_array().expect("periods");
    let names: Vec<&str> = points.iter().filter_map(|p| p["period"].as_str()).collect();
    assert_eq!(names, ["2026-Q1", "2026-Q2", "2026-Q3"]);
    // The first record is INC-0 of 2026-06-20: Q1 has no figures at all (never a zero).
    assert_eq!(points[0]["standing"], Value::Null);
    for point in &points[1..] {
        let period = point["period"].as_str().unwrap_or_default();
        assert_eq!(point["standing"], standing(app, "checkout", period).await, "{period}");
        assert_eq!(point["partial"], false);
    }
    // In Q2 checkout had no SLO data yet (below Bronze); in Q3 it reaches a level.
    assert_eq!(points[1]["standing"]["level"], Value::Null);
    assert_ne!(points[2]["standing"]["level"], Value::Null);

    // Months too; the default is the eight quarters up to the current one, the last running.
    let months = get_ok(app, "/api/v1/services/checkout/history?from=2026-07&to=2026-09").await;
    assert_eq!(months["periods"].as_array().map(Vec::len), Some(3));
    let default = get_ok(app, "/api/v1/services/checkout/history").await;
    let default = default["periods"].as_array().expect("periods");
    assert_eq!(default.len(), 8);
    assert_eq!(default[7]["partial"], true);

    for (query, status) in [
        ("from=2026-Q3&to=2026-Q1", 400),
        ("from=2026-01&to=2026-Q3", 400),
        ("from=2020-Q1&to=2026-Q3", 400),
        ("from=2099-Q1", 400),
        ("colour=red", 400),
    ] {
        let (got, body) = app.get(&format!("/api/v1/services/checkout/history?{query}")).await;
        assert_eq!(got, status, "{query}: {body}");
        assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()), "{query}: {body}");
    }
    let (status, _) = app.get("/api/v1/services/ghost/history").await;
    assert_eq!(status, 404);
}

async fn movers_name_who_moved_since_the_previous_period_and_the_checks_that_changed(app: &TestApp) {
    load(app).await;
    let movers = get_ok(app, "/api/v1/scorecards/movers?period=2026-Q3&scope=org").await;
    assert_eq!((movers["period"].as_str(), movers["previous"].as_str()), (Some("2026-Q3"), Some("2026-Q2")));
    assert_eq!(movers["partial"], false);
    assert_eq!(movers["previous_has_data"], true);
    // checkout: below Bronze in Q2 (no SLO data before 2026-07-01), a level in Q3 once its data
    // is fresh.
    let improved = movers["improved"].as_array().expect("improved");
    let checkout = improved.iter().find(|m| m["service"] == "checkout").unwrap_or_else(|| panic!("{movers}"));
    assert_eq!(checkout["before"], standing(app, "checkout", "2026-Q2").await);
    assert_eq!(checkout["after"], standing(app, "checkout", "2026-Q3").await);
    assert!(checkout["level_change"].as_i64().is_some_and(|n| n >= 1), "{checkout}");
    let fresh = checkout["checks"].as_array().and_then(|c| c.iter().find(|c| c["check"] == "slo_data_fresh"));
    assert_eq!(fresh.map(|c| (&c["before"], &c["after"])), Some((&"no_data".into(), &"pass".into())), "{checkout}");
    // Every mover's standings are its scorecards'; none appears in both lists.
    let regressed = movers["regressed"].as_array().expect("regressed");
    for mover in improved.iter().chain(regressed) {
        let service = mover["service"].as_str().unwrap_or_default();
        assert_eq!(mover["after"], standing(app, service, "2026-Q3").await, "{service}");
    }
    let total = improved.len() + regressed.len() + movers["unchanged"].as_u64().unwrap_or(99) as usize;
    assert_eq!(total + movers["new_services"].as_u64().unwrap_or(99) as usize, 3, "{movers}");

    // A team's movers are its services only; a period whose previous one has no data compares
    // nothing.
    let discovery = get_ok(app, "/api/v1/scorecards/movers?period=2026-Q3&scope=team:discovery").await;
    assert!(discovery["improved"].as_array().expect("improved").iter().all(|m| m["team"] == "discovery"));
    let first = get_ok(app, "/api/v1/scorecards/movers?period=2026-Q2").await;
    assert_eq!(first["previous_has_data"], false);
    assert_eq!(first["improved"], serde_json::json!([]));

    for query in ["limit=0", "limit=many", "scope=service:checkout", "period=2026-Q9", "colour=red"] {
        let (status, body) = app.get(&format!("/api/v1/scorecards/movers?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
    }
    let (status, _) = app.get("/api/v1/scorecards/movers?scope=team:ghost").await;
    assert_eq!(status, 404);
}

crate::on_both_backends!(
    a_history_shows_each_periods_scorecard_and_nothing_before_the_first_record,
    movers_name_who_moved_since_the_previous_period_and_the_checks_that_changed,
);
