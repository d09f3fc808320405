//! Stakeholder satisfaction: survey responses (`survey-responses`) averaged per quarter, never
//! shown below the policy's minimum of responses, through the KPI API, its drill-down (counts per
//! score only), and the Stakeholder satisfaction panel of the overview and team pages.

use app::domain::access::TokenScope;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::access::{Credential, oidc_app, send, token};
use crate::helpers::{Backend, TestApp, section};

/// A respondent's hash: 64 hex digits made from a number.
fn hash(person: u32) -> String {
    format!("{person:064x}")
}

/// In 2026-Q2 five stakeholders of core score 3. In 2026-Q3 five score core 5, 4, 4, 3 and 5
/// (mean 4.2), two score edge 1 and 2 (too few: withheld), and one answers about no team with 3:
/// the organisation's mean is 27 ÷ 8 = 3.375.
async fn load(app: &TestApp) {
    let answer = |survey: &str, person: u32, team: Option<&str>, at: &str, score: u32| {
        let mut row = json!({"survey": survey, "respondent": hash(person), "role": "product manager", "answered_at": at, "score": score});
        if let Some(team) = team {
            row["team"] = json!(team);
        }
        row
    };
    let mut rows: Vec<Value> = (0..5).map(|p| answer("q2", p, Some("core"), "2026-05-04T09:00:00Z", 3)).collect();
    for (p, score) in [5, 4, 4, 3, 5].into_iter().enumerate() {
        rows.push(answer("q3", p as u32, Some("core"), "2026-08-03T09:00:00Z", score));
    }
    rows.push(answer("q3", 10, Some("edge"), "2026-08-04T09:00:00Z", 1));
    rows.push(answer("q3", 11, Some("edge"), "2026-08-04T10:00:00Z", 2));
    rows.push(answer("q3", 20, None, "2026-08-05T09:00:00Z", 3));
    let batches = [
        ("teams", json!([{"slug": "core", "name": "Core"}, {"slug": "edge", "name": "Edge"}])),
        (
            "services",
            json!([
                {"slug": "api", "name": "API", "tier": 0, "team": "core"},
                {"slug": "web", "name": "Web", "tier": 1, "team": "edge"}
            ]),
        ),
        ("survey-responses", Value::Array(rows)),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
}

async fn satisfaction(app: &TestApp, base: &str, period: &str, scope: &str) -> Value {
    let url = format!("{base}/api/v1/kpis?period={period}&scope={scope}");
    let body: Value = app.authorized(app.client.get(url)).send().await.expect("request").json().await.expect("json");
    body["kpis"]["stakeholder_satisfaction"].clone()
}

async fn the_mean_is_shown_only_from_the_policys_minimum_of_responses(app: &TestApp) {
    load(app).await;
    let base = app.base.clone();
    let org = satisfaction(app, &base, "2026-Q3", "org").await;
    assert_eq!((org["mean"].clone(), org["responses"].clone()), (json!(3.375), json!(8)));
    let core = satisfaction(app, &base, "2026-Q3", "team:core").await;
    assert_eq!((core["mean"].clone(), core["by_score"].clone()), (json!(4.2), json!([0, 0, 1, 2, 2])));
    let edge = satisfaction(app, &base, "2026-Q3", "team:edge").await;
    assert_eq!(
        (edge["mean"].clone(), edge["responses"].clone(), edge["by_score"].clone()),
        (Value::Null, json!(2), json!([0, 0, 0, 0, 0])),
        "two responses are fewer than five: neither the mean nor the scores are shown"
    );
    let service = satisfaction(app, &base, "2026-Q3", "service:api").await;
    assert_eq!((service["mean"].clone(), service["responses"].clone()), (Value::Null, json!(0)));
    let q1 = satisfaction(app, &base, "2026-Q1", "org").await;
    assert_eq!((q1["mean"].clone(), q1["responses"].clone()), (Value::Null, json!(0)));

    // The drill-down counts responses per score, never one by one, and nothing below the minimum.
    let (_, body) = app.get("/api/v1/kpis/stakeholder_satisfaction/population?period=2026-Q3&scope=team:core").await;
    let counts: Vec<(i64, i64)> = body["records"]
        .as_array()
        .map(|rows| {
            rows.iter().map(|r| (r["score"].as_i64().unwrap_or(0), r["responses"].as_i64().unwrap_or(-1))).collect()
        })
        .unwrap_or_default();
    assert_eq!(counts, [(1, 0), (2, 0), (3, 1), (4, 2), (5, 2)]);
    assert!(!body.to_string().contains(&hash(0)), "no respondent in the drill-down");
    let (_, withheld) =
        app.get("/api/v1/kpis/stakeholder_satisfaction/population?period=2026-Q3&scope=team:edge").await;
    assert_eq!(withheld["records"], json!([]));
    assert!(withheld["filter"].as_str().unwrap_or("").contains("fewer than 5"), "{withheld}");
    let (status, listed) = app.get("/api/v1/survey-responses").await;
    assert_eq!(status, 404, "responses are not listed one by one: {listed}");

    let page = app.page("/?period=2026-Q3").await;
    let panel = section(&page, "satisfaction-panel").unwrap_or_else(|| panic!("no satisfaction panel on the overview"));
    assert!(panel.contains("3.38 / 5") && panel.contains("8 responses in 2026-Q3"), "{panel}");
    let core_page = app.page("/teams/core?period=2026-Q3").await;
    let panel = section(&core_page, "satisfaction-panel").unwrap_or_default();
    for part in [
        "4.20 / 5",
        "3.00 / 5",
        "satisfaction-scores",
        "/kpis/stakeholder_satisfaction?period=2026-Q3&amp;scope=team%3Acore",
    ] {
        assert!(panel.contains(part), "the core panel lacks {part:?}: {panel}");
    }
    let edge_page = app.page("/teams/edge?period=2026-Q3").await;
    let panel = section(&edge_page, "satisfaction-panel").unwrap_or_default();
    assert!(
        panel.contains("satisfaction-withheld") && panel.contains("2 responses in 2026-Q3: fewer than the 5"),
        "{panel}"
    );
    assert!(!panel.contains("satisfaction-scores"), "{panel}");

    // A lower minimum in the policy shows edge's mean; a second answer replaces the first.
    let default = app::domain::scorecard::DEFAULT_POLICY_TOML;
    let policy = default.replace("min_responses = 5", "min_responses = 2");
    assert_ne!(policy, default, "the default policy sets min_responses");
    let lenient = app.replica_with_policy(&policy).await;
    let edge = satisfaction(app, &lenient, "2026-Q3", "team:edge").await;
    assert_eq!(edge["mean"], json!(1.5));
    let again = json!([{"survey": "q3", "respondent": hash(3), "role": "product manager", "team": "core",
                        "answered_at": "2026-08-10T09:00:00Z", "score": 5}]);
    assert_eq!(app.post_json("survey-responses", &again).await.0, 200);
    let core = satisfaction(app, &base, "2026-Q3", "team:core").await;
    assert_eq!((core["mean"].clone(), core["responses"].clone()), (json!(4.6), json!(5)));
}

crate::on_both_backends!(the_mean_is_shown_only_from_the_policys_minimum_of_responses);

/// A writer limited to core may answer about core only: not about the organisation, and not by
/// re-sending an answer about edge as one about core.
#[tokio::test]
async fn a_team_writer_sends_only_its_teams_answers() {
    let app = oidc_app(Backend::Sqlite).await;
    let admin = token(&app, &[TokenScope::Ingest, TokenScope::Read], None).await;
    app.bearer.set(admin).expect("the token is set once");
    load(&app).await;
    let core = Credential::Bearer(token(&app, &[TokenScope::Ingest], Some(&["core"])).await);
    let answer = |person: u32, team: Option<&str>| {
        let mut row = json!({"survey": "q4", "respondent": hash(person), "role": "support lead",
                             "answered_at": "2026-11-02T09:00:00Z", "score": 4});
        if let Some(team) = team {
            row["team"] = json!(team);
        }
        json!([row])
    };
    let post = |body: Value| send(&app, Method::POST, "/api/v1/survey-responses", &core, Some(body));
    assert_eq!(post(answer(1, Some("core"))).await.status(), StatusCode::OK);
    let org = post(answer(2, None)).await;
    assert_eq!(org.status(), StatusCode::FORBIDDEN);
    let detail = org.json::<Value>().await.unwrap_or_default()["detail"].as_str().unwrap_or_default().to_owned();
    assert!(detail.contains("(the organisation)"), "{detail}");
    // Edge's answer of person 10 in q3, re-sent as core's, would take it over.
    let takeover = json!([{"survey": "q3", "respondent": hash(10), "role": "product manager", "team": "core",
                           "answered_at": "2026-08-04T09:00:00Z", "score": 5}]);
    assert_eq!(post(takeover).await.status(), StatusCode::FORBIDDEN);
    let edge = app.count("survey_response r JOIN team t ON t.id = r.team_id WHERE t.slug = 'edge'").await;
    assert_eq!(edge, 2, "edge's answers stay edge's");
    app.cleanup().await;
}
