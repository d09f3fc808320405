//! What breaks next (`GET /api/v1/forecast`, `GET /api/v1/teams/{slug}/forecast.ics`) on records
//! dated from today, so the changes ahead fall on known days.

use chrono::{Days, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// A tier-0 service without SLOs whose two SLO checks are waived for 20 days, with a DR test
/// that passed 85 days ago (tier 0 needs one every 90 days).
async fn load(app: &TestApp) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let now = Utc::now();
    let tested = now - TimeDelta::days(85);
    let waived_until = (now + TimeDelta::days(20)).date_naive();
    let rows = [
        ("teams", json!([{"slug": "shop", "name": "Shop"}])),
        ("services", json!([{"slug": "checkout", "name": "Checkout", "tier": 0, "team": "shop"}])),
        (
            "dr-tests",
            json!([{"external_id": "DR-1", "service": "checkout", "scenario": "failover",
                "performed_at": tested.to_rfc3339(), "outcome": "pass",
                "rto_target_minutes": 60, "rto_achieved_minutes": 30, "rpo_target_minutes": 15, "rpo_achieved_minutes": 5}]),
        ),
        (
            "exemptions",
            json!(["active_slo", "slo_data_fresh"].map(|check| json!({"service": "checkout", "check": check,
                "reason": "metrics pipeline moving", "approver": "cto", "expires_at": format!("{waived_until}T00:00:00Z")}))),
        ),
    ];
    for (kind, body) in rows {
        let (status, reply) = app.post_json(kind, &body).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
    // The DR test falls out of the 90 days during the day 90 days after it: the check has
    // failed by that day's end (UTC is the reporting zone here). The waivers' last day is the
    // one before they end.
    let dr_fails = (tested + TimeDelta::days(90)).date_naive();
    (dr_fails, waived_until - Days::new(1))
}

fn event_on(forecast: &Value, day: chrono::NaiveDate) -> &Value {
    forecast["services"][0]["events"]
        .as_array()
        .and_then(|events| events.iter().find(|e| e["day"] == day.to_string()))
        .unwrap_or_else(|| panic!("no event on {day}: {forecast}"))
}

fn change<'a>(event: &'a Value, check: &str) -> (&'a Value, &'a Value) {
    let found = event["changes"].as_array().and_then(|c| c.iter().find(|c| c["check"] == check));
    let found = found.unwrap_or_else(|| panic!("no {check} change in {event}"));
    (&found["before"], &found["after"])
}

async fn the_forecast_dates_each_change_ahead_with_the_level_it_causes(app: &TestApp) {
    let (dr_fails, waived_until) = load(app).await;
    let (status, forecast) = app.get("/api/v1/forecast?scope=service:checkout&horizon_days=30").await;
    assert_eq!(status, 200, "{forecast}");
    assert_eq!(forecast["horizon_days"], 30);
    assert!(forecast["assumption"].as_str().is_some_and(|a| a.starts_with("If nothing else happens")));
    // Today's standing is the scorecard's.
    let (_, card) = app.get("/api/v1/services/checkout/scorecard").await;
    assert_eq!(forecast["services"][0]["now"]["level"], card["scorecards"][0]["level"], "{forecast}");
    assert_eq!(forecast["services"][0]["now"]["level"], "bronze");

    let dr = event_on(&forecast, dr_fails);
    assert_eq!(change(dr, "dr_test_recent"), (&json!("pass"), &json!("fail")));
    let waiver = event_on(&forecast, waived_until);
    assert_eq!(change(waiver, "active_slo"), (&json!("waived"), &json!("fail")));
    assert_eq!((&waiver["before"]["level"], &waiver["after"]["level"]), (&json!("bronze"), &Value::Null));
    assert_eq!(waiver["level_change"], -1);

    // The same for the team, and as the team's calendar feed.
    let (_, team) = app.get("/api/v1/forecast?scope=team:shop&horizon_days=30").await;
    assert_eq!(team["services"], forecast["services"]);
    let response = app
        .authorized(app.client.get(format!("{}/api/v1/teams/shop/forecast.ics?horizon_days=30", app.base)))
        .send()
        .await
        .expect("feed");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().is_ok_and(|t| t.starts_with("text/calendar")));
    let feed = response.text().await.unwrap_or_default().replace("\r\n ", "");
    assert!(feed.contains("SUMMARY:checkout drops Bronze → below Bronze\r\n"), "{feed}");
    assert!(feed.contains(&format!("DTSTART;VALUE=DATE:{}", waived_until.format("%Y%m%d"))), "{feed}");

    for query in ["horizon_days=0", "horizon_days=400", "horizon_days=soon", "colour=red", "scope=galaxy"] {
        let (status, body) = app.get(&format!("/api/v1/forecast?{query}")).await;
        assert_eq!(status, 400, "{query}: {body}");
    }
    for path in [
        "/api/v1/forecast?scope=team:ghost",
        "/api/v1/forecast?scope=service:ghost",
        "/api/v1/teams/ghost/forecast.ics",
    ] {
        let (status, _) = app.get(path).await;
        assert_eq!(status, 404, "{path}");
    }
}

crate::on_both_backends!(the_forecast_dates_each_change_ahead_with_the_level_it_causes);
