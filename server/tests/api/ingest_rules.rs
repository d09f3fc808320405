//! Every validation rule answers 422 with the row and field, and leaves the database as it was.

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app_with_limit, to_csv};
use crate::ingest_formats::load_org;

/// (kind, a bad record, the field named in the error, a word the message contains)
fn bad_records() -> Vec<(&'static str, Value, Option<&'static str>, &'static str)> {
    let incident = |extra: Value| {
        let mut base = json!({"external_id": "INC-bad", "title": "t", "severity": "SEV2", "services": ["api-v"],
            "started_at": "2026-07-01T10:00:00Z"});
        for (k, v) in extra.as_object().expect("object") {
            base[k] = v.clone();
        }
        base
    };
    vec![
        ("teams", json!({"slug": "no-name"}), Some("name"), "required"),
        ("services", json!({"slug": "s1", "name": "S", "tier": "zero", "team": "team-v"}), Some("tier"), "integer"),
        ("services", json!({"slug": "s1", "name": "S", "tier": 4, "team": "team-v"}), Some("tier"), "0 to 3"),
        ("services", json!({"slug": "s1", "name": "S", "tier": 1, "team": "ghost"}), Some("team"), "unknown team"),
        (
            "services",
            json!({"slug": "s1", "name": "S", "tier": 1, "team": "team-v", "colour": "red"}),
            Some("colour"),
            "unknown field",
        ),
        (
            "services",
            json!({"slug": "s1", "name": "S", "tier": 1, "team": "team-v", "rto_target_minutes": -5}),
            Some("rto_target_minutes"),
            "negative",
        ),
        (
            "services",
            json!({"slug": "s1", "name": "S", "tier": 1, "team": "team-v", "rpo_target_minutes": "an hour"}),
            Some("rpo_target_minutes"),
            "integer",
        ),
        ("incidents", incident(json!({"data_loss_minutes": -1})), Some("data_loss_minutes"), "negative"),
        ("incidents", incident(json!({"severity": "SEV5"})), Some("severity"), "SEV0"),
        ("incidents", incident(json!({"detected_at": "2026-07-01T09:00:00Z"})), Some("detected_at"), "before"),
        (
            "incidents",
            incident(json!({"detected_at": "2026-07-01T10:05:00Z", "acknowledged_at": "2026-07-01T10:01:00Z"})),
            Some("acknowledged_at"),
            "before",
        ),
        (
            "incidents",
            incident(json!({"mitigated_at": "2026-07-01T12:00:00Z", "resolved_at": "2026-07-01T11:00:00Z"})),
            Some("resolved_at"),
            "before",
        ),
        ("incidents", incident(json!({"customer_impact_minutes": -5})), Some("customer_impact_minutes"), "negative"),
        ("incidents", incident(json!({"started_at": "yesterday"})), Some("started_at"), "RFC 3339"),
        ("incidents", incident(json!({"services": ["nowhere"]})), Some("services"), "unknown service"),
        ("incidents", incident(json!({"repeat_of": "INC-never"})), Some("repeat_of"), "unknown incident"),
        ("incidents", incident(json!({"customer_impacting": "maybe"})), Some("customer_impacting"), "true/false"),
        ("incidents", incident(json!({"mitigated_by": "automation"})), Some("mitigated_by"), "mitigated_at"),
        (
            "incidents",
            incident(json!({"mitigated_at": "2026-07-01T11:00:00Z", "mitigated_by": "robots"})),
            Some("mitigated_by"),
            "automation",
        ),
        (
            "capacity-measurements",
            json!({"service": "api-v", "resource": "cpu", "day": "2026-07-01", "peak_used": 10, "capacity": 0}),
            Some("capacity"),
            "more than 0",
        ),
        (
            "survey-responses",
            json!({"survey": "q3", "respondent": "ada@example.com", "role": "pm", "answered_at": "2026-07-01T00:00:00Z", "score": 4}),
            Some("respondent"),
            "hash",
        ),
        (
            "survey-responses",
            json!({"survey": "q3", "respondent": "ab".repeat(16), "role": "pm", "answered_at": "2026-07-01T00:00:00Z", "score": 6}),
            Some("score"),
            "1 to 5",
        ),
        (
            "costs",
            json!({"service": "api-v", "month": "2026-07", "amount": 10, "currency": "euro", "unit_driver": "request", "units": 5}),
            Some("currency"),
            "ISO 4217",
        ),
        (
            "costs",
            json!({"service": "api-v", "month": "2026-07-15", "amount": 10, "currency": "EUR", "unit_driver": "request", "units": 5}),
            Some("month"),
            "YYYY-MM",
        ),
        (
            "costs",
            json!({"service": "api-v", "month": "2026-07", "amount": 10, "currency": "EUR", "unit_driver": "request", "units": 0}),
            Some("units"),
            "more than 0",
        ),
        (
            "remediations",
            json!({"service": "api-v", "failure_mode": "disk full", "automation": "mostly"}),
            Some("automation"),
            "full",
        ),
        (
            "toil-reports",
            json!({"team": "team-v", "period": "week", "period_start": "2026-07-07", "hours_total": 10,
                   "hours_toil": 1, "method": "survey"}),
            Some("period_start"),
            "Monday",
        ),
        (
            "toil-reports",
            json!({"team": "ghost", "period": "month", "period_start": "2026-07-01", "hours_total": 10,
                   "hours_toil": 1, "method": "survey"}),
            Some("team"),
            "unknown team",
        ),
        (
            "toil-reports",
            json!({"team": "team-v", "period": "month", "period_start": "2026-07-01", "hours_total": 10,
                   "hours_toil": 20, "method": "time_tracking"}),
            Some("hours_toil"),
            "hours_total",
        ),
        (
            "slos",
            json!({"service": "api-v", "slug": "x", "name": "X", "indicator": "availability", "objective": 100}),
            Some("objective"),
            "between 0 and 100",
        ),
        (
            "slos",
            json!({"service": "api-v", "slug": "x", "name": "X", "indicator": "vibes", "objective": 99}),
            Some("indicator"),
            "availability",
        ),
        (
            "slo-measurements",
            json!({"service": "api-v", "slo": "availability", "day": "2026-07-03", "good": 11, "total": 10}),
            Some("good"),
            "exceed",
        ),
        (
            "slo-measurements",
            json!({"service": "api-v", "slo": "availability", "day": "2026-02-30", "good": 1, "total": 10}),
            Some("day"),
            "existing date",
        ),
        (
            "slo-measurements",
            json!({"service": "api-v", "slo": "availability", "day": "2026-07-03", "good": -1, "total": 10}),
            Some("good"),
            "negative",
        ),
        (
            "slo-measurements",
            json!({"service": "api-v", "slo": "latency", "day": "2026-07-03", "good": 1, "total": 10}),
            Some("slo"),
            "unknown SLO",
        ),
        ("postmortems", json!({"incident": "INC-v", "status": "published"}), Some("published_at"), "required"),
        (
            "postmortems",
            json!({"incident": "INC-v", "status": "draft", "url": "javascript:alert(1)"}),
            Some("url"),
            "http",
        ),
        (
            "actions",
            json!({"external_id": "A1", "service": "api-v", "title": "t", "status": "finished"}),
            Some("status"),
            "wont_do",
        ),
        (
            "actions",
            json!({"external_id": "A1", "service": "api-v", "title": "t", "status": "done"}),
            Some("completed_at"),
            "required",
        ),
        (
            "actions",
            json!({"external_id": "A1", "service": "api-v", "title": "t", "status": "open", "due_date": "2026-13-01"}),
            Some("due_date"),
            "existing date",
        ),
        (
            "dr-tests",
            json!({"external_id": "D1", "service": "api-v", "scenario": "failover", "performed_at": "2026-07-01T00:00:00Z", "outcome": "maybe"}),
            Some("outcome"),
            "pass",
        ),
        (
            "dr-tests",
            json!({"external_id": "D1", "service": "api-v", "scenario": "failover", "performed_at": "2026-07-01T00:00:00Z", "outcome": "pass", "rto_achieved_minutes": -1}),
            Some("rto_achieved_minutes"),
            "negative",
        ),
        (
            "deployments",
            json!({"external_id": "P1", "service": "api-v", "deployed_at": "2026-07-01T00:00:00Z", "outcome": "ok"}),
            Some("outcome"),
            "success",
        ),
        (
            "deployments",
            json!({"external_id": "P1", "service": "api-v", "deployed_at": "2026-07-01T00:00:00Z", "outcome": "success", "incident": "INC-zzz"}),
            Some("incident"),
            "unknown incident",
        ),
    ]
}

/// A valid record to place before the bad one, so the error must name row 2.
fn good_record(kind: &str) -> Value {
    match kind {
        "teams" => json!({"slug": "fine", "name": "Fine"}),
        "services" => json!({"slug": "fine", "name": "Fine", "tier": 1, "team": "team-v"}),
        "slos" => {
            json!({"service": "api-v", "slug": "fine", "name": "Fine", "indicator": "latency", "objective": 99, "threshold_ms": 300})
        }
        "slo-measurements" => {
            json!({"service": "api-v", "slo": "availability", "day": "2026-07-04", "good": 5, "total": 5})
        }
        "incidents" => {
            json!({"external_id": "INC-ok", "title": "ok", "severity": "SEV4", "services": ["api-v"], "started_at": "2026-07-01T00:00:00Z"})
        }
        "postmortems" => json!({"incident": "INC-v", "status": "draft"}),
        "capacity-measurements" => {
            json!({"service": "api-v", "resource": "cpu", "day": "2026-07-01", "peak_used": 10, "capacity": 64})
        }
        "survey-responses" => json!({"survey": "q3", "respondent": "ab".repeat(16), "role": "support lead",
                                      "answered_at": "2026-07-01T00:00:00Z", "score": 4}),
        "costs" => {
            json!({"service": "api-v", "month": "2026-07", "amount": 10, "currency": "EUR", "unit_driver": "request",
                           "units": 1000})
        }
        "remediations" => json!({"service": "api-v", "failure_mode": "disk full", "automation": "none"}),
        "toil-reports" => json!({"team": "team-v", "period": "week", "period_start": "2026-07-06", "hours_total": 40,
                                  "hours_toil": 4, "method": "survey"}),
        "actions" => json!({"external_id": "A0", "service": "api-v", "title": "ok", "status": "open"}),
        "dr-tests" => {
            json!({"external_id": "D0", "service": "api-v", "scenario": "restore", "performed_at": "2026-07-01T00:00:00Z", "outcome": "fail"})
        }
        _ => {
            json!({"external_id": "P0", "service": "api-v", "deployed_at": "2026-07-01T00:00:00Z", "outcome": "success"})
        }
    }
}

async fn every_rule_is_answered_with_row_and_field_and_nothing_written(app: &TestApp) {
    load_org(app, "v").await;
    let before = app.snapshot().await;
    for (kind, bad, field, word) in bad_records() {
        let (status, reply) = app.post_json(kind, &json!([good_record(kind), bad])).await;
        assert_eq!(status, 422, "{kind} {bad}: {reply}");
        let errors = reply["errors"].as_array().expect("errors listed");
        let hit = errors.iter().find(|e| e["row"] == 2 && e["field"].as_str() == field);
        let hit = hit.unwrap_or_else(|| panic!("{kind} {bad}: expected row 2 / {field:?} in {reply}"));
        let message = hit["message"].as_str().unwrap_or_default();
        assert!(message.contains(word), "{kind}: '{message}' should mention '{word}'");
        assert!(errors.iter().all(|e| e["row"] != 1), "the good row has no error: {reply}");
        assert_eq!(app.snapshot().await, before, "{kind}: a rejected request wrote something");
    }
}

async fn problems_are_problem_documents(app: &TestApp) {
    let response = app.post("teams", "application/json", "[{\"slug\": \"a\"},]").await;
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    let reply: Value = response.json().await.expect("json");
    assert!(reply["detail"].as_str().unwrap_or_default().contains("row 2"), "says where: {reply}");

    let response = app.post("teams", "text/plain", "slug,name").await;
    assert_eq!(response.status().as_u16(), 415);

    let response = app.post("widgets", "application/json", "[]").await;
    assert_eq!(response.status().as_u16(), 404);

    // An unterminated quote runs to the end of the body: one field where the header has two.
    let response = app.post("teams", "text/csv", "slug,name\n\"unterminated").await;
    assert_eq!(response.status().as_u16(), 422);
    let reply: Value = response.json().await.expect("json");
    assert_eq!(reply["errors"][0]["row"], 1, "{reply}");
    assert!(reply["errors"][0]["message"].as_str().unwrap_or_default().contains("has 1 fields"), "{reply}");
}

async fn duplicate_keys_in_one_request_are_rejected(app: &TestApp) {
    let rows = json!([{"slug": "a", "name": "A"}, {"slug": "b", "name": "B"}, {"slug": "a", "name": "A again"}]);
    let (status, reply) = app.post_json("teams", &rows).await;
    assert_eq!(status, 422);
    assert_eq!(reply["errors"][0]["row"], 3);
    assert!(reply["errors"][0]["message"].as_str().unwrap_or_default().contains("duplicate of row 1"));
    assert_eq!(app.count("team").await, 0);
}

async fn unknown_csv_columns_are_reported_once(app: &TestApp) {
    let csv = "slug,name,colour\na,A,red\nb,B,blue\n";
    let response = app.post("teams", "text/csv", csv).await;
    assert_eq!(response.status().as_u16(), 422);
    let reply: Value = response.json().await.expect("json");
    assert_eq!(
        reply["errors"],
        json!([{"row": null, "field": "colour", "message": "unknown column 'colour'; accepted: slug, name, time_zone"}])
    );
    assert_eq!(app.count("team").await, 0);
}

async fn one_bad_row_among_a_thousand_writes_nothing(app: &TestApp) {
    load_org(app, "k").await;
    let before = app.snapshot().await;
    let mut rows: Vec<Value> = (0..1001)
        .map(|i| {
            let day = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).expect("date") + chrono::Days::new(i);
            json!({"service": "api-k", "slo": "availability", "day": day.to_string(), "good": 90, "total": 100})
        })
        .collect();
    rows[700]["good"] = json!(101);
    let response = app.post("slo-measurements", "text/csv", to_csv(&rows)).await;
    assert_eq!(response.status().as_u16(), 422);
    let reply: Value = response.json().await.expect("json");
    assert_eq!(reply["error_count"], 1);
    assert_eq!(reply["errors"][0]["row"], 701);
    assert_eq!(app.snapshot().await, before);
    // Without the bad row the same batch lands whole.
    rows.remove(700);
    let response = app.post("slo-measurements", "text/csv", to_csv(&rows)).await;
    let reply: Value = response.json().await.expect("json");
    assert_eq!(reply["created"], 1000, "{reply}");
}

/// Referential integrity holds in the database itself, not only in the import code.
async fn the_database_refuses_orphans_and_deleting_referenced_rows(app: &TestApp) {
    use sea_orm::ConnectionTrait;
    load_org(app, "i").await;
    let orphan = "INSERT INTO slo_measurement (slo_id, day, good, total, import_batch_id, created_at, updated_at) \
                  VALUES (999999, '2020-01-01', 1, 1, 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')";
    assert!(app.db.execute_unprepared(orphan).await.is_err(), "a measurement of a missing SLO is refused");
    let delete_slo = "DELETE FROM slo WHERE slug = 'availability'";
    assert!(app.db.execute_unprepared(delete_slo).await.is_err(), "an SLO with measurements cannot be deleted");
    let delete_team = "DELETE FROM team";
    assert!(app.db.execute_unprepared(delete_team).await.is_err(), "a team with services cannot be deleted");
    let bad_tier = "UPDATE service SET tier = 7";
    assert!(app.db.execute_unprepared(bad_tier).await.is_err(), "the tier range is a CHECK");
    let disorder = "UPDATE incident SET detected_at = '2000-01-01T00:00:00Z'";
    assert!(app.db.execute_unprepared(disorder).await.is_err(), "timestamp order is a CHECK");
    assert_eq!(app.count("slo_measurement").await, 2);
}

crate::on_both_backends!(
    the_database_refuses_orphans_and_deleting_referenced_rows,
    every_rule_is_answered_with_row_and_field_and_nothing_written,
    problems_are_problem_documents,
    duplicate_keys_in_one_request_are_rejected,
    unknown_csv_columns_are_reported_once,
    one_bad_row_among_a_thousand_writes_nothing,
);

/// Bodies over PLUMBLINE_MAX_BODY_MB are refused with 413 — from the header when it is declared,
/// mid-stream when it is not — and the server keeps serving.
async fn oversized_bodies_are_refused(backend: Backend) {
    let mut app = spawn_app_with_limit(backend, 1024 * 1024).await;
    let big = format!("slug,name\n{}", "a,A\n".repeat(300_000));
    let url = format!("{}/api/v1/teams", app.base);
    // The server answers 413 and closes the connection while the client may still be sending;
    // the client then sees either the 413 or the connection cut mid-upload. Both are refusals.
    let refused = |sent: Result<reqwest::Response, reqwest::Error>| match sent {
        Ok(response) => response.status().as_u16() == 413,
        Err(error) => error.is_request() || error.is_body(),
    };
    let sent = app.client.post(&url).header("content-type", "text/csv").body(big.clone()).send().await;
    assert!(refused(sent), "a body over the limit is refused");

    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.as_bytes().chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let streamed = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let sent = app.client.post(&url).header("content-type", "text/csv").body(streamed).send().await;
    assert!(refused(sent), "a chunked body is cut off at the limit");

    // The server closes a connection whose body it refused mid-stream; a pooled client could
    // race it by reusing that connection, so the follow-up checks use a fresh client.
    app.client = reqwest::Client::new();

    let (status, _) = app.get("/healthz").await;
    assert_eq!(status, 200);
    let (status, reply) = app.post_json("teams", &json!([{"slug": "after", "name": "After"}])).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(app.count("team").await, 1);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_on_postgres() {
    oversized_bodies_are_refused(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_are_refused_on_sqlite() {
    oversized_bodies_are_refused(Backend::Sqlite).await;
}
