//! On-call KPIs through the API, against hand-computed values: pages on both sides of a shift
//! hand-over, a night page, a page nobody reviewed, a notification that paged nobody, and a team
//! without shifts that reads its hours in its own time zone; then triage on the On-call page
//! moves precision in the KPIs and the drill-down, and leaves an audit event with its note.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const Q3: &str = "period=2026-Q3";

async fn load(app: &TestApp) {
    let batches = [
        (
            "teams",
            json!([{"slug": "payments", "name": "Payments"},
                   {"slug": "search", "name": "Search", "time_zone": "America/New_York"}]),
        ),
        (
            "services",
            json!([{"slug": "checkout", "name": "Checkout", "tier": 0, "team": "payments"},
                   {"slug": "search-api", "name": "Search API", "tier": 1, "team": "search"}]),
        ),
        (
            "oncall-shifts",
            json!([
                {"team": "payments", "schedule": "primary", "person": "alice",
                 "starts_at": "2026-08-03T09:00:00Z", "ends_at": "2026-08-10T09:00:00Z"},
                {"team": "payments", "schedule": "primary", "person": "bob",
                 "starts_at": "2026-08-10T09:00:00Z", "ends_at": "2026-08-17T09:00:00Z"}
            ]),
        ),
        (
            "alerts",
            json!([
                // Tuesday 10:00 UTC: business hours; alice's shift.
                {"external_id": "a1", "service": "checkout", "rule": "HighLatency", "fired_at": "2026-08-04T10:00:00Z",
                 "acknowledged_at": "2026-08-04T10:05:00Z", "paged": true, "responder": "alice", "disposition": "actionable"},
                // Wednesday 02:00: off hours and asleep.
                {"external_id": "a2", "service": "checkout", "rule": "QueueBacklog", "fired_at": "2026-08-05T02:00:00Z",
                 "acknowledged_at": "2026-08-05T02:15:00Z", "paged": true, "disposition": "non_actionable"},
                // Monday 09:00, the hand-over instant: bob's shift; nobody reviewed it.
                {"external_id": "a3", "service": "checkout", "rule": "QueueBacklog", "fired_at": "2026-08-10T09:00:00Z",
                 "paged": true},
                // Saturday noon: off hours.
                {"external_id": "a4", "service": "checkout", "rule": "QueueBacklog", "fired_at": "2026-08-08T12:00:00Z",
                 "acknowledged_at": "2026-08-08T12:30:00Z", "paged": true, "disposition": "duplicate"},
                // Paged nobody: not a page.
                {"external_id": "a5", "service": "checkout", "rule": "HighLatency", "fired_at": "2026-08-06T12:00:00Z",
                 "paged": false, "disposition": "actionable"},
                // 12:30 UTC is 08:30 in New York: off hours for search, which has no shifts.
                {"external_id": "a6", "service": "search-api", "rule": "SlowQuery", "fired_at": "2026-08-11T12:30:00Z",
                 "acknowledged_at": "2026-08-11T12:40:00Z", "paged": true, "disposition": "false_positive"}
            ]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, body) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {body}");
    }
}

async fn kpis(app: &TestApp, scope: &str) -> Value {
    let (status, body) = app.get(&format!("/api/v1/kpis?{Q3}&scope={scope}")).await;
    assert_eq!(status, 200, "{body}");
    body["kpis"].clone()
}

async fn triage(app: &TestApp, function: &str, form: &[(&str, &str)]) -> (u16, String) {
    let response = app
        .client
        .post(format!("{}/api/{function}", app.base))
        .header("origin", &app.base)
        .form(form)
        .send()
        .await
        .expect("sent");
    (response.status().as_u16(), response.text().await.unwrap_or_default())
}

async fn on_call_kpis_match_hand_computed_values(app: &TestApp) {
    load(app).await;
    let k = kpis(app, "org").await;
    assert_eq!(k["page_count"], 5, "{k}");
    assert_eq!(k["alert_precision"], 0.25, "1 actionable of 4 reviewed");
    assert_eq!(k["alert_disposition_coverage"], 0.8);
    assert_eq!(k["off_hours_page_share"], 0.6, "a2, a4 and a6 (in New York)");
    assert_eq!(k["sleep_hours_page_share"], 0.2, "a2 only");
    let mtta = &k["page_mtta"];
    assert_eq!(
        (mtta["count"].clone(), mtta["mean"].clone(), mtta["median"].clone()),
        (json!(4), json!(15.0), json!(12.5))
    );
    assert!((mtta["p90"].as_f64().unwrap() - 25.5).abs() < 1e-9, "5, 10, 15, 30 minutes: {mtta}");
    let load = &k["pages_per_shift"];
    assert_eq!((load["shifts"].clone(), load["pages"].clone()), (json!(2), json!(4)), "{load}");
    assert_eq!((load["mean"].clone(), load["median"].clone()), (json!(2.0), json!(2.0)));
    assert!((load["p90"].as_f64().unwrap() - 2.8).abs() < 1e-9, "{load}");
    let rules: Vec<(&str, u64)> = k["noisiest_rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rule"].as_str().unwrap(), r["pages"].as_u64().unwrap()))
        .collect();
    assert_eq!(rules, [("QueueBacklog", 3), ("SlowQuery", 1), ("HighLatency", 1)], "lower precision first on a tie");

    // The team without shifts: pages, but no pages per shift ("no data", not 0).
    let search = kpis(app, "team:search").await;
    assert_eq!((search["page_count"].clone(), search["pages_per_shift"].clone()), (json!(1), Value::Null));
    assert_eq!(search["off_hours_page_share"], 1.0);

    // The drill-down lists every alert of the period; the one that paged nobody is left out.
    let (status, drill) = app.get(&format!("/api/v1/kpis/alert_precision/population?{Q3}&scope=org")).await;
    assert_eq!(status, 200, "{drill}");
    let records = drill["records"].as_array().unwrap();
    assert_eq!(records.len(), 6);
    let row = |id: &str| records.iter().find(|r| r["id"].as_str().is_some_and(|k| k.ends_with(id))).unwrap().clone();
    assert_eq!(
        (row("/a5")["included"].clone(), row("/a5")["note"].clone()),
        (json!(false), json!("notified nobody: not a page"))
    );
    assert_eq!(row("/a3")["included"], false, "unreviewed: not judged");
    assert_eq!((row("/a1")["counted"].clone(), row("/a2")["counted"].clone()), (json!(true), json!(false)));
    let (_, shifts) = app.get(&format!("/api/v1/kpis/pages_per_shift/population?{Q3}&scope=org")).await;
    let values: Vec<(Value, Value)> =
        shifts["records"].as_array().unwrap().iter().map(|r| (r["record"].clone(), r["value"].clone())).collect();
    assert_eq!(values, [(json!("shift"), json!(3.0)), (json!("shift"), json!(1.0)), (json!("alert"), Value::Null)]);
}

async fn triage_moves_precision_and_is_audited(app: &TestApp) {
    load(app).await;
    let untriaged = kpis(app, "org").await["alert_precision"].clone();
    let (status, published) = app.publish("2026-Q3").await;
    assert_eq!(status, 201, "{published}");
    // Every unreviewed page of QueueBacklog in Q3 (only a3) becomes actionable.
    let form = [
        ("team", "payments"),
        ("rule", "QueueBacklog"),
        ("period", "2026-Q3"),
        ("disposition", "actionable"),
        ("note", "queue depth alert tuned"),
    ];
    let (status, body) = triage(app, "triage_rule", &form).await;
    assert_eq!((status, body.as_str()), (200, "1"));
    let k = kpis(app, "org").await;
    assert_eq!((k["alert_precision"].clone(), k["alert_disposition_coverage"].clone()), (json!(0.4), json!(1.0)));

    // With "also reviewed ones", every page of the rule changes.
    let mut all = form.to_vec();
    all[3] = ("disposition", "non_actionable");
    all.push(("all", "on"));
    let (status, body) = triage(app, "triage_rule", &all).await;
    assert_eq!((status, body.as_str()), (200, "3"));
    assert_eq!(kpis(app, "org").await["alert_precision"], 0.2, "a1 of a1–a4 and a6");

    // One page, by id; another team's alert is not found; a made-up disposition is refused.
    let id = |external: &str| {
        let app = app.db.clone();
        let external = external.to_owned();
        async move {
            use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
            server::entities::alert::Entity::find()
                .filter(server::entities::alert::Column::ExternalId.eq(external))
                .one(&app)
                .await
                .unwrap()
                .unwrap()
                .id
                .to_string()
        }
    };
    let a2 = id("a2").await;
    let (status, _) =
        triage(app, "triage_alert", &[("team", "payments"), ("alert", &a2), ("disposition", "actionable")]).await;
    assert_eq!(status, 200);
    let a6 = id("a6").await;
    let (status, body) =
        triage(app, "triage_alert", &[("team", "payments"), ("alert", &a6), ("disposition", "actionable")]).await;
    assert_eq!(status, 404, "{body}");
    let (status, body) =
        triage(app, "triage_alert", &[("team", "payments"), ("alert", &a2), ("disposition", "maybe")]).await;
    assert!(status == 400 && body.contains("unknown disposition"), "{status} {body}");
    assert_eq!(kpis(app, "org").await["alert_precision"], 0.4);

    // Each change is one audit event with who, what and the note; refused ones leave none.
    let (_, audit) = app.get("/api/v1/audit?action=alerts.triaged").await;
    let events: Vec<&Value> =
        audit["items"].as_array().unwrap().iter().filter(|e| e["action"] == "alerts.triaged").collect();
    assert_eq!(events.len(), 3, "{audit}");
    let first = events.iter().find(|e| e["details"]["note"] == "queue depth alert tuned").expect("the note is kept");
    assert_eq!((first["target"].clone(), first["details"]["alerts"].clone()), (json!("team:payments"), json!(1)));
    assert_eq!(first["details"]["rule"], "QueueBacklog");

    // Triage keeps the versions it replaces: as known at publication, nothing was triaged, and
    // the restatement names the pages changed on a page, not by an import.
    let at = published["published_at"].as_str().expect("published_at").replace(':', "%3A").replace('+', "%2B");
    let (_, then) = app.get(&format!("/api/v1/kpis?{Q3}&scope=org&as_known_at={at}")).await;
    assert_eq!(then["kpis"]["alert_precision"], untriaged, "{then}");
    let (_, restated) = app.get("/api/v1/snapshots/2026-Q3/restatements").await;
    assert_eq!(restated["reproduced"], true, "{restated}");
    let changes = restated["changes"].as_array().expect("changes");
    assert!(!changes.is_empty() && changes.iter().all(|c| c["table"] == "alert"), "{restated}");
    assert!(changes.iter().all(|c| c["changed_on_a_page"] == true && c["batches"] == json!([])), "{restated}");
}

crate::on_both_backends!(on_call_kpis_match_hand_computed_values, triage_moves_precision_and_is_audited);
