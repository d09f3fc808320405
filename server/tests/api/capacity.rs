//! Capacity headroom: daily peaks per resource (`capacity-measurements`) judged against each
//! tier's headroom, through the KPI API, its drill-down, the listing and the Capacity headroom
//! panel of the overview and team pages.

use serde_json::{Value, json};

use crate::helpers::{TestApp, section};

/// Team core runs api (tier 0: 30 %), batch (tier 2: 10 %) and old (tier 0, retired); team edge
/// runs web (tier 1: 20 %). In 2026-Q3:
/// - api on 1 Jul: CPU at 70 of 100 (30 % left) but memory at 80 (20 %): the day misses; on 2 Jul
///   CPU at 60 (40 %): kept;
/// - batch at 95 (5 %) on 1 Jul: missed; at 90 (10 %) on 2 Jul: kept;
/// - web at 120 of 100 on 1 Jul: over capacity, missed;
/// - old: retired, left out.
async fn load(app: &TestApp) {
    let peak = |service: &str, resource: &str, day: &str, used: f64| json!({"service": service, "resource": resource, "day": day, "peak_used": used, "capacity": 100});
    let batches = [
        ("teams", json!([{"slug": "core", "name": "Core"}, {"slug": "edge", "name": "Edge"}])),
        (
            "services",
            json!([
                {"slug": "api", "name": "API", "tier": 0, "team": "core"},
                {"slug": "batch", "name": "Batch", "tier": 2, "team": "core"},
                {"slug": "old", "name": "Old", "tier": 0, "team": "core", "lifecycle": "retired"},
                {"slug": "web", "name": "Web", "tier": 1, "team": "edge"}
            ]),
        ),
        (
            "capacity-measurements",
            json!([
                peak("api", "cpu", "2026-07-01", 70.0),
                peak("api", "memory", "2026-07-01", 80.0),
                peak("api", "cpu", "2026-07-02", 60.0),
                peak("batch", "cpu", "2026-07-01", 95.0),
                peak("batch", "cpu", "2026-07-02", 90.0),
                peak("web", "cpu", "2026-07-01", 120.0),
                peak("old", "cpu", "2026-07-01", 0.0),
            ]),
        ),
        (
            "incidents",
            json!([{"external_id": "INC-1", "title": "Out of connections", "severity": "SEV2", "services": ["web"],
                    "started_at": "2026-07-01T12:00:00Z", "root_cause_category": "Capacity"}]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
}

async fn service_days_are_held_to_their_tiers_headroom(app: &TestApp) {
    load(app).await;
    let expected = [
        ("org", json!(0.4)),
        ("team:core", json!(0.5)),
        ("team:edge", json!(0.0)),
        ("service:api", json!(0.5)),
        ("tier:2", json!(0.5)),
        ("service:old", Value::Null),
    ];
    for (scope, value) in expected {
        let (status, body) = app.get(&format!("/api/v1/kpis?period=2026-Q3&scope={scope}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["kpis"]["capacity_headroom_compliance"], value, "{scope}");
    }
    let (_, q2) = app.get("/api/v1/kpis?period=2026-Q2&scope=org").await;
    assert_eq!(q2["kpis"]["capacity_headroom_compliance"], Value::Null, "nothing measured in Q2: no data, not 0");

    let (_, body) = app.get("/api/v1/kpis/capacity_headroom_compliance/population?period=2026-Q3&scope=org").await;
    // One row per service-day, at its smallest headroom: re-performs 2 of 5.
    let rows: Vec<(String, String, String, bool)> = body["records"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let text = |k: &str| r[k].as_str().unwrap_or("").to_owned();
                    (text("service"), text("day"), text("resource"), r["counted"] == true)
                })
                .collect()
        })
        .unwrap_or_default();
    let day = |service: &str, day: &str, resource: &str, counted: bool| {
        (service.to_owned(), day.to_owned(), resource.to_owned(), counted)
    };
    assert_eq!(
        rows,
        [
            day("api", "2026-07-01", "memory", false),
            day("api", "2026-07-02", "cpu", true),
            day("batch", "2026-07-01", "cpu", false),
            day("batch", "2026-07-02", "cpu", true),
            day("web", "2026-07-01", "cpu", false),
        ]
    );
    let web = body["records"].as_array().and_then(|r| r.last()).cloned().unwrap_or_default();
    assert!(web["value"].as_f64().is_some_and(|v| (v + 0.2).abs() < 1e-9), "over capacity: {web}");
    assert_eq!(web["note"], json!("tier 1 keeps 20 %"));

    let (_, listed) = app.get("/api/v1/capacity-measurements?service=api&from=2026-07-02").await;
    let items = listed["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!((items[0]["resource"].clone(), items[0]["peak_used"].clone()), (json!("cpu"), json!(60.0)));

    let page = app.page("/?period=2026-Q3").await;
    let panel = section(&page, "capacity-panel");
    let panel = panel.unwrap_or_else(|| panic!("no capacity panel on the overview"));
    for part in [
        "40.0 %",
        "Capacity-caused incidents started in this period: 1 incident.",
        "/kpis/capacity_headroom_compliance?period=2026-Q3&amp;scope=org",
        "3 services measured.",
        "0 of 1",
    ] {
        assert!(panel.contains(part), "the capacity panel lacks {part:?}: {panel}");
    }
    let team = app.page("/teams/core?period=2026-Q3").await;
    let panel = section(&team, "capacity-panel");
    let panel = panel.unwrap_or_default();
    assert!(panel.contains("50.0 %") && panel.contains("incidents started in this period: 0 incidents"), "{panel}");

    // Each measured service is judged by the check, announced to count from 2027.
    let (_, cards) = app.get("/api/v1/scorecards?period=2026-Q3").await;
    let check_of = |service: &str| {
        cards["scorecards"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["service"] == service))
            .and_then(|c| c["checks"].as_array())
            .and_then(|checks| checks.iter().find(|c| c["id"] == "capacity_headroom"))
            .cloned()
            .unwrap_or_default()
    };
    let api = check_of("api");
    assert_eq!(api["status"], "upcoming", "{api}");
    assert!(api["explanation"].as_str().unwrap_or("").contains("1 of 2 measured days"), "{api}");
    let web = check_of("web");
    assert!(web["explanation"].as_str().unwrap_or("").contains("Now: Fail"), "{web}");

    // A policy asking tier 2 for 5 % spare lets batch's 1 July (5 % left) count as kept: 3 of 5.
    let default = app::domain::scorecard::DEFAULT_POLICY_TOML;
    let policy = default.replace("tier2 = 0.10, tier3 = 0.0 }", "tier2 = 0.05, tier3 = 0.0 }");
    assert_ne!(policy, default, "the default policy sets [capacity] headroom");
    let lenient = app.replica_with_policy(&policy).await;
    let url = format!("{lenient}/api/v1/kpis?period=2026-Q3&scope=org");
    let body: Value = app.client.get(url).send().await.expect("request").json().await.expect("json");
    assert_eq!(body["kpis"]["capacity_headroom_compliance"], json!(0.6));

    // Adding capacity to web the next day moves the figure.
    let more = json!([{"service": "web", "resource": "cpu", "day": "2026-07-02", "peak_used": 120, "capacity": 200}]);
    assert_eq!(app.post_json("capacity-measurements", &more).await.0, 200);
    let (_, org) = app.get("/api/v1/kpis?period=2026-Q3&scope=org").await;
    assert_eq!(org["kpis"]["capacity_headroom_compliance"], json!(0.5), "web kept 40 % on 2 Jul: 3 of 6");
}

crate::on_both_backends!(service_days_are_held_to_their_tiers_headroom);
