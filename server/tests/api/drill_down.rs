//! `GET /api/v1/kpis/{kpi}/population`: the records behind a value, over the organisation of
//! [`crate::kpis::load`], with the value beside them.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::kpis::load;

async fn population(app: &TestApp, kpi: &str, query: &str) -> Value {
    let (status, body) = app.get(&format!("/api/v1/kpis/{kpi}/population?{query}")).await;
    assert_eq!(status, 200, "{kpi}?{query}: {body}");
    body
}

fn records(body: &Value) -> &Vec<Value> {
    body["records"].as_array().expect("records")
}

async fn a_duration_lists_its_incidents_and_the_value_they_give(app: &TestApp) {
    load(app).await;
    let body = population(app, "mttr", "period=2026-Q3&scope=org").await;
    assert_eq!(body["kpi"], "mttr");
    assert_eq!(body["period"], "2026-Q3");
    assert_eq!(body["scope"], "org");
    assert_eq!(body["definitions_version"], "1");
    assert_eq!(body["severity"], json!(["SEV0", "SEV1"]));
    assert_eq!(body["value"], json!({"mean": 60.0, "median": 60.0, "p90": 60.0, "count": 1}));
    let filter = body["filter"].as_str().expect("filter");
    assert!(filter.contains("[2026-07-01T00:00:00Z, 2026-10-01T00:00:00Z)"), "{filter}");
    assert!(filter.contains("SEV0, SEV1"), "{filter}");
    assert!(body["definition"].as_str().is_some_and(|d| d.contains("mitigated − detected")));
    // INC-2 is SEV3: outside the default filter; INC-0 started in Q2.
    let rows = records(&body);
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0]["record"], "incident");
    assert_eq!(rows[0]["id"], "INC-1");
    assert_eq!(rows[0]["value"], 60.0);
    assert_eq!((rows[0]["included"].clone(), rows[0]["counted"].clone()), (json!(true), json!(true)));

    let all = population(app, "mttr", "period=2026-Q3&scope=org&severity=all").await;
    let values: Vec<f64> = records(&all).iter().filter_map(|r| r["value"].as_f64()).collect();
    assert_eq!(values, [60.0, 90.0]);
    assert_eq!(all["value"]["count"], 2);

    let none = population(app, "mttr", "period=2026-Q3&scope=team:discovery").await;
    assert_eq!((none["count"].clone(), none["value"].clone()), (json!(0), Value::Null));
}

async fn rates_list_their_population_with_what_counts(app: &TestApp) {
    load(app).await;
    let repeats = population(app, "repeat_incident_rate", "period=2026-Q3&scope=org").await;
    assert_eq!(repeats["value"], 0.5);
    assert_eq!((repeats["included"].clone(), repeats["counted"].clone()), (json!(2), json!(1)));
    let inc1 = records(&repeats).iter().find(|r| r["id"] == "INC-1").expect("INC-1");
    assert_eq!(inc1["counted"], true);
    assert!(inc1["note"].as_str().is_some_and(|n| n.starts_with("implicit")), "{inc1}");

    let slos = population(app, "slo_met_rate", "period=2026-Q3&scope=org").await;
    assert_eq!(slos["value"], 1.0);
    let slo = &records(&slos)[0];
    assert_eq!((slo["record"].clone(), slo["service"].clone()), (json!("slo"), json!("checkout")));
    assert_eq!(slo["value"], 3965.0 / 4000.0);

    let overdue = population(app, "overdue_actions", "period=2026-Q3&scope=org").await;
    assert_eq!(overdue["value"]["count"], 1);
    let act = &records(&overdue)[0];
    assert_eq!(
        (act["id"].clone(), act["value"].clone(), act["note"].clone()),
        (json!("ACT-2"), json!(47.0), json!("days_31_90"))
    );

    let coverage = population(app, "dr_coverage", "period=2026-Q3&scope=org").await;
    assert_eq!(coverage["value"], 0.5);
    let covered: Vec<(&str, bool)> = records(&coverage)
        .iter()
        .map(|r| (r["slug"].as_str().unwrap_or_default(), r["counted"].as_bool().unwrap_or_default()))
        .collect();
    assert_eq!(covered, [("checkout", true), ("search", false)]);

    let changes = population(app, "change_failure_rate", "period=2026-Q3&scope=service:checkout").await;
    assert_eq!(changes["value"], 0.5);
    assert_eq!(changes["count"], 2);
}

async fn unknown_kpis_scopes_and_parameters_are_problems(app: &TestApp) {
    load(app).await;
    let (status, body) = app.get("/api/v1/kpis/nope/population?period=2026-Q3").await;
    assert_eq!(status, 404, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("mttr")), "the known ids are listed: {body}");
    let (status, _) = app.get("/api/v1/kpis/mttr/population?period=2026-Q3&scope=team:ghost").await;
    assert_eq!(status, 404);
    let (status, _) = app.get("/api/v1/kpis/mttr/population?period=2026-Q3&sort=x").await;
    assert_eq!(status, 400);
}

async fn rollups_match_the_single_scope_reports(app: &TestApp) {
    load(app).await;
    let (status, rollups) = app.get("/api/v1/kpis/rollups?period=2026-Q3").await;
    assert_eq!(status, 200, "{rollups}");
    assert_eq!(rollups["period"], "2026-Q3");
    let teams: Vec<&String> = rollups["teams"].as_object().expect("teams").keys().collect();
    assert_eq!(teams, ["discovery", "payments"]);
    for (path, scope) in
        [("/org", "org"), ("/teams/payments", "team:payments"), ("/tiers/2", "tier:2"), ("/tiers/3", "tier:3")]
    {
        let (_, single) = app.get(&format!("/api/v1/kpis?period=2026-Q3&scope={scope}")).await;
        assert_eq!(rollups.pointer(path), Some(&single["kpis"]), "{scope}");
    }
    let (status, _) = app.get("/api/v1/kpis/rollups?period=2026-Q3&scope=org").await;
    assert_eq!(status, 400, "rollups cover every scope: no scope parameter");
}

crate::on_both_backends!(
    rollups_match_the_single_scope_reports,
    a_duration_lists_its_incidents_and_the_value_they_give,
    rates_list_their_population_with_what_counts,
    unknown_kpis_scopes_and_parameters_are_problems,
);
