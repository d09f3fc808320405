//! Every kind in every body format; idempotent re-sends; updates; in-request references.

use serde_json::{Value, json};

use crate::helpers::{TestApp, to_csv, to_ndjson};

/// Valid records of `kind` whose keys end in `tag`, referring to records made for `tag` earlier.
fn records(kind: &str, tag: &str) -> Vec<Value> {
    match kind {
        "teams" => vec![json!({"slug": format!("team-{tag}"), "name": format!("Team {tag}")})],
        "services" => vec![
            json!({"slug": format!("api-{tag}"), "name": "API, public", "tier": 0, "team": format!("team-{tag}")}),
            json!({"slug": format!("web-{tag}"), "name": "Web", "tier": 2, "team": format!("team-{tag}"), "lifecycle": "retired"}),
        ],
        "slos" => vec![json!({
            "service": format!("api-{tag}"), "slug": "availability", "name": "Availability",
            "indicator": "availability", "objective": 99.9, "window_days": 28, "budgeting": "occurrences"
        })],
        "slo-measurements" => vec![
            json!({"service": format!("api-{tag}"), "slo": "availability", "day": "2026-07-01", "good": 999, "total": 1000}),
            json!({"service": format!("api-{tag}"), "slo": "availability", "day": "2026-07-02", "good": 1000, "total": 1000}),
        ],
        "incidents" => vec![json!({
            "external_id": format!("INC-{tag}"), "title": "Checkout \"down\"", "severity": "SEV1",
            "services": [format!("api-{tag}"), format!("web-{tag}")],
            "started_at": "2026-07-01T10:00:00+02:00", "detected_at": "2026-07-01T08:05:00Z",
            "acknowledged_at": "2026-07-01T08:10:00Z", "mitigated_at": "2026-07-01T09:00:00Z",
            "resolved_at": "2026-07-01T12:00:00Z", "customer_impacting": true, "change_related": false,
            "root_cause_category": "deploy"
        })],
        "postmortems" => vec![json!({
            "incident": format!("INC-{tag}"), "status": "published", "published_at": "2026-07-05T12:00:00Z",
            "url": "https://wiki.example/pm/1"
        })],
        "actions" => vec![json!({
            "external_id": format!("ACT-{tag}"), "incident": format!("INC-{tag}"), "service": format!("api-{tag}"),
            "title": "Add canary", "owner": "ana", "priority": "P1", "due_date": "2026-07-20", "status": "done",
            "completed_at": "2026-07-18T15:00:00Z"
        })],
        "dr-tests" => vec![json!({
            "external_id": format!("DR-{tag}"), "service": format!("api-{tag}"), "scenario": "failover",
            "performed_at": "2026-08-01T09:00:00Z", "outcome": "pass", "rto_target_minutes": 60,
            "rto_achieved_minutes": 42, "rpo_target_minutes": 15, "rpo_achieved_minutes": 5
        })],
        "deployments" => vec![json!({
            "external_id": format!("DEP-{tag}"), "service": format!("api-{tag}"), "deployed_at": "2026-07-01T07:55:00Z",
            "outcome": "rolled_back", "incident": format!("INC-{tag}")
        })],
        "exemptions" => vec![json!({
            "service": format!("api-{tag}"), "check": "dr_test_recent", "reason": "Region move, tested in Q1",
            "approver": "cto", "expires_at": "2099-01-01T00:00:00+01:00"
        })],
        other => panic!("no fixture for {other}"),
    }
}

pub const KINDS: [&str; 10] = [
    "teams",
    "services",
    "slos",
    "slo-measurements",
    "incidents",
    "postmortems",
    "actions",
    "dr-tests",
    "deployments",
    "exemptions",
];

const FORMATS: [(&str, &str); 3] =
    [("json", "application/json"), ("ndjson", "application/x-ndjson"), ("csv", "text/csv")];

fn body(format: &str, rows: &[Value]) -> String {
    match format {
        "json" => Value::Array(rows.to_vec()).to_string(),
        "ndjson" => to_ndjson(rows),
        _ => to_csv(rows),
    }
}

/// Loads one small organisation through JSON (used by other tests).
pub async fn load_org(app: &TestApp, tag: &str) {
    for kind in KINDS {
        let (status, reply) = app.post_json(kind, &Value::Array(records(kind, tag))).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
}

async fn each_kind_is_accepted_in_each_format(app: &TestApp) {
    for kind in KINDS {
        for (format, content_type) in FORMATS {
            let rows = records(kind, format);
            let response = app.post(kind, content_type, body(format, &rows)).await;
            let status = response.status().as_u16();
            let reply: Value = response.json().await.expect("json");
            assert_eq!(status, 200, "{kind} as {format}: {reply}");
            assert_eq!(reply["received"], rows.len(), "{kind} as {format}");
            assert_eq!(reply["created"], rows.len(), "{kind} as {format}: {reply}");
        }
        let (_, listed) = app.get(&format!("/api/v1/{kind}?limit=1000")).await;
        let expected: usize = FORMATS.iter().map(|(f, _)| records(kind, f).len()).sum();
        assert_eq!(listed["items"].as_array().map(Vec::len), Some(expected), "{kind} listed");
    }
    // What went in is what comes out, whatever the format.
    let (_, incidents) = app.get("/api/v1/incidents?limit=10").await;
    for incident in incidents["items"].as_array().expect("items") {
        assert_eq!(incident["started_at"], "2026-07-01T08:00:00+00:00");
        assert_eq!(incident["title"], "Checkout \"down\"");
        assert_eq!(incident["services"].as_array().map(Vec::len), Some(2));
    }
}

async fn resending_a_batch_reports_everything_unchanged(app: &TestApp) {
    for kind in KINDS {
        let rows = Value::Array(records(kind, "x"));
        let (_, first) = app.post_json(kind, &rows).await;
        assert_eq!(first["created"], first["received"], "{kind}: {first}");
        let (status, again) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200);
        assert_eq!(again["unchanged"], again["received"], "{kind}: {again}");
        assert_eq!((again["created"].as_u64(), again["updated"].as_u64()), (Some(0), Some(0)), "{kind}");
        // CSV of the same records is the same data.
        let (status, csv) = {
            let response = app.post(kind, "text/csv", to_csv(rows.as_array().expect("rows"))).await;
            (response.status().as_u16(), response.json::<Value>().await.expect("json"))
        };
        assert_eq!(status, 200);
        assert_eq!(csv["unchanged"], csv["received"], "{kind} as CSV: {csv}");
    }
}

async fn changing_one_field_reports_one_update(app: &TestApp) {
    load_org(app, "u").await;
    let mut services = records("services", "u");
    services[1]["name"] = json!("Web storefront");
    let (_, reply) = app.post_json("services", &Value::Array(services)).await;
    assert_eq!((reply["updated"].as_u64(), reply["unchanged"].as_u64()), (Some(1), Some(1)), "{reply}");

    let mut incident = records("incidents", "u");
    incident[0]["services"] = json!(["api-u"]);
    let (_, reply) = app.post_json("incidents", &Value::Array(incident)).await;
    assert_eq!(reply["updated"], 1, "a changed service list is an update: {reply}");
    let (_, listed) = app.get("/api/v1/incidents?source=api").await;
    assert_eq!(listed["items"][0]["services"], json!(["api-u"]));
    assert_eq!(app.count("incident_service").await, 1);

    let mut measurement = records("slo-measurements", "u");
    measurement[0]["good"] = json!(990);
    let (_, reply) = app.post_json("slo-measurements", &Value::Array(measurement)).await;
    assert_eq!((reply["updated"].as_u64(), reply["unchanged"].as_u64()), (Some(1), Some(1)), "{reply}");
}

async fn references_to_earlier_rows_of_the_same_request_work(app: &TestApp) {
    load_org(app, "r").await;
    let incidents = json!([
        {"external_id": "INC-a", "title": "First", "severity": "SEV2", "services": ["api-r"], "started_at": "2026-07-01T00:00:00Z"},
        {"external_id": "INC-b", "title": "Again", "severity": "SEV2", "services": ["api-r"], "started_at": "2026-07-09T00:00:00Z", "repeat_of": "INC-a"}
    ]);
    let (status, reply) = app.post_json("incidents", &incidents).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["created"], 2);
    let (_, listed) = app.get("/api/v1/incidents?severity=SEV2").await;
    assert_eq!(listed["items"][1]["repeat_of"], "INC-a");

    // A reference to a later row is not "earlier in the same request".
    let forward = json!([
        {"external_id": "INC-c", "title": "c", "severity": "SEV3", "services": ["api-r"], "started_at": "2026-07-01T00:00:00Z", "repeat_of": "INC-d"},
        {"external_id": "INC-d", "title": "d", "severity": "SEV3", "services": ["api-r"], "started_at": "2026-07-02T00:00:00Z"}
    ]);
    let (status, reply) = app.post_json("incidents", &forward).await;
    assert_eq!(status, 422, "{reply}");
    assert_eq!(reply["errors"][0]["field"], "repeat_of");
}

async fn source_separates_external_ids(app: &TestApp) {
    load_org(app, "s").await;
    let incident = Value::Array(records("incidents", "s"));
    let response = app.post_query("incidents", "?source=pagerduty", "application/json", incident.to_string()).await;
    let reply: Value = response.json().await.expect("json");
    assert_eq!(reply["created"], 1, "same external id, other source: a new record: {reply}");
    let (_, listed) = app.get("/api/v1/incidents?source=pagerduty").await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1));
}

async fn dry_run_counts_but_writes_nothing(app: &TestApp) {
    let before = app.snapshot().await;
    let rows = Value::Array(records("teams", "d"));
    let response = app.post_query("teams", "?dry_run=true", "application/json", rows.to_string()).await;
    let reply: Value = response.json().await.expect("json");
    assert_eq!(reply["created"], 1);
    assert_eq!(reply["dry_run"], true);
    assert_eq!(reply["batch_id"], Value::Null);
    assert_eq!(app.snapshot().await, before);
    assert_eq!(app.count("import_batch").await, 0, "a dry run records no batch");
}

async fn every_batch_is_recorded_with_its_hash_and_counts(app: &TestApp) {
    use sha2::{Digest, Sha256};
    let csv = to_csv(&records("teams", "h"));
    let response = app.post("teams", "text/csv", csv.clone()).await;
    let reply: Value = response.json().await.expect("json");
    let batch_id = reply["batch_id"].as_i64().expect("batch id");
    let batch = server::entities::import_batch::Entity::find_by_id(batch_id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("batch row");
    assert_eq!(batch.sha256, hex::encode(Sha256::digest(csv.as_bytes())));
    assert_eq!((batch.kind.as_str(), batch.format.as_str(), batch.status.as_str()), ("teams", "csv", "applied"));
    assert_eq!((batch.received, batch.created), (1, 1));
    let (_, teams) = app.get("/api/v1/teams").await;
    assert_eq!(teams["items"][0]["import_batch_id"], batch_id);

    let (status, _) = app.post_json("teams", &json!([{"slug": "Bad Slug", "name": "x"}])).await;
    assert_eq!(status, 422);
    let rejected = server::entities::import_batch::Entity::find()
        .filter(server::entities::import_batch::Column::Status.eq("rejected"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("rejected batches are recorded too");
    assert_eq!((rejected.status.as_str(), rejected.rejected), ("rejected", 1));
}

async fn concurrent_imports_all_land(app: &TestApp) {
    let batches: Vec<Value> = (0..4)
        .map(|b| Value::Array((0..300).map(|i| json!({"slug": format!("c{b}-{i}"), "name": "T"})).collect()))
        .collect();
    let replies = futures::future::join_all(batches.iter().map(|rows| app.post_json("teams", rows))).await;
    for (status, reply) in replies {
        assert_eq!(status, 200, "{reply}");
    }
    assert_eq!(app.count("team").await, 1200);
}

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

crate::on_both_backends!(
    each_kind_is_accepted_in_each_format,
    resending_a_batch_reports_everything_unchanged,
    changing_one_field_reports_one_update,
    references_to_earlier_rows_of_the_same_request_work,
    source_separates_external_ids,
    dry_run_counts_but_writes_nothing,
    every_batch_is_recorded_with_its_hash_and_counts,
    concurrent_imports_all_land,
);
