//! `GET /api/v1/{kind}`: filters and cursor pagination.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::ingest_formats::load_org;

async fn pages_follow_the_cursor_to_the_end(app: &TestApp) {
    let teams: Vec<Value> = (0..5).map(|i| json!({"slug": format!("t{i}"), "name": format!("T{i}")})).collect();
    app.post_json("teams", &Value::Array(teams)).await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/teams?limit=2".to_owned();
    loop {
        let (status, page) = app.get(&path).await;
        assert_eq!(status, 200);
        for item in page["items"].as_array().expect("items") {
            seen.push(item["slug"].as_str().expect("slug").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/teams?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, ["t0", "t1", "t2", "t3", "t4"]);
}

async fn filters_narrow_the_list(app: &TestApp) {
    load_org(app, "f").await;
    load_org(app, "g").await;
    let (_, tier0) = app.get("/api/v1/services?tier=0").await;
    assert_eq!(tier0["items"].as_array().map(Vec::len), Some(2));
    let (_, team) = app.get("/api/v1/services?team=team-f").await;
    assert_eq!(team["items"].as_array().map(Vec::len), Some(2));
    let (_, incidents) = app.get("/api/v1/incidents?service=web-g").await;
    assert_eq!(incidents["items"][0]["external_id"], "INC-g");
    let (_, days) = app.get("/api/v1/slo-measurements?service=api-f&from=2026-07-02&to=2026-07-03").await;
    assert_eq!(days["items"].as_array().map(Vec::len), Some(1));
    let (status, reply) = app.get("/api/v1/teams?colour=red").await;
    assert_eq!(status, 400, "unknown parameters are refused: {reply}");
    let (status, _) = app.get("/api/v1/teams?cursor=garbage").await;
    assert_eq!(status, 400);
}

crate::on_both_backends!(pages_follow_the_cursor_to_the_end, filters_narrow_the_list);
