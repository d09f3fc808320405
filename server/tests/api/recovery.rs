//! Recovery objectives: a service's RTO and RPO checked against its real incidents
//! (`restores_within_rto`, `data_loss_within_rpo`), through the KPI API, its drill-down, the
//! record listings and the service page.

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Team core runs api (tier 0: RTO 60, RPO 15) and db (tier 1: RTO 240, no RPO); team edge runs
/// web, which declares none. In 2026-Q3, all SEV1 unless said:
/// - INC-A on api: restored after 45 min, nothing lost;
/// - INC-B on api and db: restored after 90 min, 20 min of data lost;
/// - INC-C on api: never restored;
/// - INC-D on web: restored after 5 h;
/// - INC-E on db, SEV3: restored after 10 h (outside the default severity filter).
async fn load(app: &TestApp) {
    let incident = |id: &str, services: Value, started: &str, mitigated: Option<&str>, loss: Option<i64>| {
        let mut row = json!({"external_id": id, "title": format!("Outage {id}"), "severity": "SEV1",
                             "services": services, "started_at": started});
        if let Some(at) = mitigated {
            row["mitigated_at"] = json!(at);
        }
        if let Some(minutes) = loss {
            row["data_loss_minutes"] = json!(minutes);
        }
        row
    };
    let mut sev3 = incident("INC-E", json!(["db"]), "2026-08-05T00:00:00Z", Some("2026-08-05T10:00:00Z"), None);
    sev3["severity"] = json!("SEV3");
    let batches = [
        ("teams", json!([{"slug": "core", "name": "Core"}, {"slug": "edge", "name": "Edge"}])),
        (
            "services",
            json!([
                {"slug": "api", "name": "API", "tier": 0, "team": "core",
                 "rto_target_minutes": 60, "rpo_target_minutes": 15},
                {"slug": "db", "name": "DB", "tier": 1, "team": "core", "rto_target_minutes": 240},
                {"slug": "web", "name": "Web", "tier": 2, "team": "edge"}
            ]),
        ),
        (
            "incidents",
            json!([
                incident("INC-A", json!(["api"]), "2026-07-01T10:00:00Z", Some("2026-07-01T10:45:00Z"), Some(0)),
                incident("INC-B", json!(["api", "db"]), "2026-07-02T10:00:00Z", Some("2026-07-02T11:30:00Z"), Some(20)),
                incident("INC-C", json!(["api"]), "2026-09-29T10:00:00Z", None, None),
                incident("INC-D", json!(["web"]), "2026-08-01T10:00:00Z", Some("2026-08-01T15:00:00Z"), None),
                sev3,
            ]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
}

async fn real_incidents_are_held_to_their_services_recovery_objectives(app: &TestApp) {
    load(app).await;
    // RTO: A within; B held to api's 60 (missed), or to db's 240 at db's scope (within); C still
    // open long past 60 min (missed). RPO: A within, B over api's 15; C reports nothing.
    let expected = [
        ("org", json!(1.0 / 3.0), json!(0.5)),
        ("team:core", json!(1.0 / 3.0), json!(0.5)),
        ("service:api", json!(1.0 / 3.0), json!(0.5)),
        ("service:db", json!(1.0), Value::Null),
        ("team:edge", Value::Null, Value::Null),
    ];
    for (scope, rto, rpo) in expected {
        let (status, body) = app.get(&format!("/api/v1/kpis?period=2026-Q3&scope={scope}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["kpis"]["restores_within_rto"], rto, "{scope}: RTO");
        assert_eq!(body["kpis"]["data_loss_within_rpo"], rpo, "{scope}: RPO");
    }
    let (_, every) = app.get("/api/v1/kpis?period=2026-Q3&scope=service:db&severity=all").await;
    assert_eq!(every["kpis"]["restores_within_rto"], json!(0.5), "with SEV3, INC-E's 10 h misses db's 4 h");
    let (_, q2) = app.get("/api/v1/kpis?period=2026-Q2&scope=org").await;
    assert_eq!(q2["kpis"]["restores_within_rto"], Value::Null, "no incident in Q2: no data, not 0");

    let (status, body) = app.get("/api/v1/kpis/restores_within_rto/population?period=2026-Q3&scope=org").await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<(String, bool, bool, String)> = body["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (text("id"), r["included"] == true, r["counted"] == true, text("note"))
        })
        .collect();
    let expected = [
        ("INC-A", true, true, "RTO 60 min (api): restored in 45 min, within"),
        ("INC-B", true, false, "RTO 60 min (api): restored in 90 min, over it"),
        ("INC-D", false, false, "no RTO declared for its services: not held to one"),
    ];
    for (id, included, counted, note) in expected {
        let row = rows.iter().find(|r| r.0 == id).unwrap_or_else(|| panic!("{id} missing: {rows:?}"));
        assert_eq!((row.1, row.2, row.3.as_str()), (included, counted, note), "{id}");
    }
    let open = rows.iter().find(|r| r.0 == "INC-C").expect("INC-C listed");
    assert!((open.1, open.2) == (true, false) && open.3.contains("already over it"), "{open:?}");
    assert_eq!(rows.len(), 4, "the SEV3 incident is outside the filter: {rows:?}");

    let csv = app
        .authorized(
            app.client
                .get(format!("{}/api/v1/kpis/data_loss_within_rpo/population.csv?period=2026-Q3&scope=org", app.base)),
        )
        .send()
        .await
        .expect("request");
    let csv = csv.text().await.expect("csv");
    let header = csv.lines().next().unwrap_or_default();
    assert!(header.contains("Data lost"), "the CSV has the data-loss column: {header}");
    let b = csv.lines().find(|l| l.starts_with("INC-B,")).unwrap_or_default();
    assert!(b.contains(",20,") && b.contains("RPO 15 min (api): exceeded"), "INC-B's row: {b}");

    // The records as imported come back with their objectives and data loss.
    let (_, services) = app.get("/api/v1/services?team=core").await;
    let api = services["items"].as_array().and_then(|s| s.iter().find(|s| s["slug"] == "api")).cloned();
    let api = api.unwrap_or_else(|| panic!("api listed: {services}"));
    assert_eq!((api["rto_target_minutes"].clone(), api["rpo_target_minutes"].clone()), (json!(60), json!(15)));

    // The service page: the objectives, the period's figures linked to their records, the DR
    // tests against them, and each incident's time to recover and data lost.
    let dr = json!([{"external_id": "DR-1", "service": "api", "scenario": "failover",
                     "performed_at": "2026-08-20T00:00:00Z", "outcome": "pass",
                     "rto_achieved_minutes": 50, "rpo_achieved_minutes": 20}]);
    assert_eq!(app.post_json("dr-tests", &dr).await.0, 200);
    let page = app.page("/services/api?period=2026-Q3").await;
    assert!(page.contains("Recovery objectives"), "the panel");
    let rto_row = page.split("data-objective=\"rto\"").nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or_default();
    for part in
        ["60 min", "33.3 % within", "/kpis/restores_within_rto?period=2026-Q3&amp;scope=service%3Aapi", "1 of 1 within"]
    {
        assert!(rto_row.contains(part), "RTO row lacks {part:?}: {rto_row}");
    }
    let rpo_row = page.split("data-objective=\"rpo\"").nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or_default();
    for part in ["15 min", "50.0 % within", "0 of 1 within"] {
        assert!(rpo_row.contains(part), "RPO row lacks {part:?}: {rpo_row}");
    }
    assert!(page.contains("<th scope=\"col\">Data lost</th>"), "the incidents table shows data lost");
    // The team page: DR tests and real incidents together, each linked to its records.
    let team = app.page("/teams/core?period=2026-Q3").await;
    let row = |kpi: &str| {
        let marker = format!("data-kpi=\"{kpi}\"");
        team.split(marker.as_str()).nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or_default().to_owned()
    };
    let restores = row("restores_within_rto");
    assert!(restores.contains("33.3 %") && restores.contains("scope=team%3Acore"), "{restores}");
    assert!(row("data_loss_within_rpo").contains("50.0 %"));
    assert!(row("rto_compliance").contains("no data"), "the DR test has no RTO target of its own: no data, not 0");
    let web = app.page("/services/web?period=2026-Q3").await;
    assert!(web.contains("No recovery objectives declared."), "web declares none");

    // Declaring db's RPO later brings INC-B's loss under it for db.
    let db = json!([{"slug": "db", "name": "DB", "tier": 1, "team": "core",
                     "rto_target_minutes": 240, "rpo_target_minutes": 30}]);
    assert_eq!(app.post_json("services", &db).await.0, 200);
    let (_, body) = app.get("/api/v1/kpis?period=2026-Q3&scope=service:db").await;
    assert_eq!(body["kpis"]["data_loss_within_rpo"], json!(1.0), "20 min lost is within db's new 30 min");
}

crate::on_both_backends!(real_incidents_are_held_to_their_services_recovery_objectives);
