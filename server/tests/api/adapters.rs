//! The adapters through the HTTP API: Statuspage, PagerDuty and OpenSLO files land as records
//! with the right timestamps, severities and services, on the same path as native bodies
//! (one transaction, idempotent, row errors, provenance).

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::TestApp;

const STATUSPAGE: &str = include_str!("../fixtures/adapters/statuspage.json");
const STATUSPAGE_UNMAPPED: &str = include_str!("../fixtures/adapters/statuspage-unmapped.json");
const PAGERDUTY_JSON: &str = include_str!("../fixtures/adapters/pagerduty.json");
const PAGERDUTY_CSV: &str = include_str!("../fixtures/adapters/pagerduty.csv");
const OPENSLO: &str = include_str!("../fixtures/adapters/openslo.yaml");

async fn services(app: &TestApp) {
    let teams = json!([{"slug": "storefront", "name": "Storefront"}, {"slug": "payments-team", "name": "Payments"},
                       {"slug": "discovery", "name": "Discovery"}]);
    assert_eq!(app.post_json("teams", &teams).await.0, 200);
    let services = json!([
        {"slug": "checkout-api", "name": "Checkout API", "tier": 1, "team": "storefront"},
        {"slug": "payments", "name": "Payments", "tier": 0, "team": "payments-team"},
        {"slug": "search", "name": "Search", "tier": 2, "team": "discovery"}
    ]);
    assert_eq!(app.post_json("services", &services).await.0, 200);
}

async fn post(app: &TestApp, kind: &str, query: &str, content_type: &str, body: &str) -> (u16, Value) {
    let response = app.post_query(kind, query, content_type, body.to_owned()).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn incidents(app: &TestApp, source: &str) -> Vec<Value> {
    let (status, listed) = app.get(&format!("/api/v1/incidents?source={source}&limit=1000")).await;
    assert_eq!(status, 200, "{listed}");
    listed["items"].as_array().cloned().unwrap_or_default()
}

fn by_id<'a>(items: &'a [Value], id: &str) -> &'a Value {
    items.iter().find(|i| i["external_id"] == id).unwrap_or_else(|| panic!("incident {id} in {items:?}"))
}

async fn statuspage_incidents_land_with_their_timestamps_and_timeline(app: &TestApp) {
    services(app).await;
    let (status, reply) =
        post(app, "incidents", "?format=statuspage&source=statuspage", "application/json", STATUSPAGE).await;
    assert_eq!(status, 200, "{reply}");
    let received = reply["received"].as_u64().expect("received");
    assert!(received >= 3, "{reply}");
    assert_eq!(reply["created"], received);
    let notes = reply["notes"].as_array().expect("fields the adapter ignores are noted");
    assert!(notes.iter().any(|n| n.as_str().is_some_and(|n| n.contains("shortlink"))), "{notes:?}");

    let items = incidents(app, "statuspage").await;
    let checkout = by_id(&items, "p31zjtct2jer");
    assert_eq!(checkout["title"], "Elevated checkout errors");
    assert_eq!(checkout["severity"], "SEV2", "major → SEV2 by default");
    assert_eq!(checkout["services"], json!(["checkout-api"]), "the component matched the service's name");
    assert_eq!(checkout["started_at"], "2026-03-18T08:05:00+00:00");
    assert_eq!(checkout["detected_at"], "2026-03-18T08:12:44.512+00:00");
    assert_eq!(checkout["mitigated_at"], "2026-03-18T09:20:31.005+00:00", "monitoring_at is mitigation");
    assert_eq!(checkout["resolved_at"], "2026-03-18T09:58:02.271+00:00");
    assert_eq!(checkout["customer_impacting"], true);
    assert_eq!(checkout["status"], "resolved");
    let timeline = checkout["timeline"].as_array().expect("the updates are kept as the timeline");
    assert_eq!(timeline.len(), 4);
    assert_eq!(timeline[0]["status"], "investigating", "oldest first: {timeline:?}");
    assert_eq!(timeline[3]["status"], "resolved");
    let critical = by_id(&items, "9gw3s0d2rl4x");
    assert_eq!(critical["severity"], "SEV1");
    assert_eq!(critical["services"], json!(["checkout-api", "payments"]));
    assert_eq!(critical["mitigated_at"], critical["resolved_at"], "no monitoring_at: resolution is mitigation");

    // Provenance names the adapter and the file as sent.
    let row = app
        .db
        .query_one_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT format, sha256 FROM import_batch ORDER BY id DESC LIMIT 1".to_owned(),
        ))
        .await
        .expect("query")
        .expect("a batch");
    assert_eq!(row.try_get::<String>("", "format").expect("format"), "statuspage");
    assert_eq!(
        row.try_get::<String>("", "sha256").expect("sha256"),
        hex::encode(Sha256::digest(STATUSPAGE.as_bytes()))
    );

    // Re-importing changes nothing.
    let (status, again) =
        post(app, "incidents", "?format=statuspage&source=statuspage", "application/json", STATUSPAGE).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!((again["created"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(received)), "{again}");

    // A severity map overrides the defaults.
    let (status, mapped) = post(
        app,
        "incidents",
        "?format=statuspage&source=statuspage&severity_map=critical=SEV0",
        "application/json",
        STATUSPAGE,
    )
    .await;
    assert_eq!(status, 200, "{mapped}");
    assert_eq!(mapped["updated"], 1, "only the critical incident changes: {mapped}");
    assert_eq!(by_id(&incidents(app, "statuspage").await, "9gw3s0d2rl4x")["severity"], "SEV0");
}

async fn unmapped_components_are_row_errors_until_mapped(app: &TestApp) {
    services(app).await;
    let before = app.snapshot().await;
    let (status, reply) = post(app, "incidents", "?format=statuspage", "application/json", STATUSPAGE_UNMAPPED).await;
    assert_eq!(status, 422, "{reply}");
    let errors = reply["errors"].as_array().expect("errors");
    assert!(
        errors.iter().any(|e| e["row"] == 1 && e["message"].as_str().is_some_and(|m| m.contains("Legacy Storefront"))),
        "{errors:?}"
    );
    assert_eq!(app.snapshot().await, before, "nothing was written");

    let query = "?format=statuspage&service_map=Legacy%20Storefront%3Dcheckout-api";
    let (status, reply) = post(app, "incidents", query, "application/json", STATUSPAGE_UNMAPPED).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["created"], 1);
}

async fn malformed_files_and_wrong_kinds_are_refused_clearly(app: &TestApp) {
    services(app).await;
    let broken = "{\"incidents\": [\n  {\"id\": \"x\",\n   \"name\": }\n]}";
    let (status, reply) = post(app, "incidents", "?format=statuspage", "application/json", broken).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply["detail"].as_str().is_some_and(|d| d.contains("line 3")), "says where: {reply}");

    let (status, reply) = post(app, "slos", "?format=statuspage", "application/json", STATUSPAGE).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply["detail"].as_str().is_some_and(|d| d.contains("/api/v1/incidents")), "{reply}");

    let (status, reply) = post(app, "incidents", "?format=opsgenie", "application/json", STATUSPAGE).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply["detail"].as_str().is_some_and(|d| d.contains("statuspage")), "{reply}");

    let (status, reply) =
        post(app, "incidents", "?format=statuspage&severity_map=critical=SEV9", "application/json", STATUSPAGE).await;
    assert_eq!(status, 400, "{reply}");
}

async fn pagerduty_json_and_csv_land_on_the_same_path(app: &TestApp) {
    services(app).await;
    let (status, reply) =
        post(app, "incidents", "?format=pagerduty&source=pagerduty", "application/json", PAGERDUTY_JSON).await;
    assert_eq!(status, 200, "{reply}");
    assert!(reply["created"].as_u64().is_some_and(|n| n >= 2), "{reply}");
    let items = incidents(app, "pagerduty").await;
    assert!(items.iter().all(|i| i["started_at"] == i["detected_at"]), "created_at is start and detection");
    assert!(items.iter().all(|i| i["services"].as_array().is_some_and(|s| s.len() == 1)));
    let (status, again) =
        post(app, "incidents", "?format=pagerduty&source=pagerduty", "application/json", PAGERDUTY_JSON).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["created"], 0, "{again}");

    let (status, reply) = post(app, "incidents", "?format=pagerduty&source=pd-csv", "text/csv", PAGERDUTY_CSV).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["created"], 3, "{reply}");
    let items = incidents(app, "pd-csv").await;
    let first = by_id(&items, "Q2KXY8PZ4T0R1M");
    assert_eq!(first["severity"], "SEV1");
    assert_eq!(first["services"], json!(["checkout-api"]));
    assert_eq!(first["started_at"], "2026-03-02T17:14:05+00:00");
    assert_eq!(first["acknowledged_at"], "2026-03-02T17:15:40+00:00", "created + 95 s to the first ack");
    assert_eq!(first["resolved_at"], "2026-03-02T18:02:41+00:00");
    // No priority, high urgency → SEV2.
    assert_eq!(by_id(&items, "Q0PZ3D8W6E1F5H")["severity"], "SEV2");
}

/// The same PagerDuty export imported as alerts: pages with their interruptions, then counted
/// by the on-call KPIs; a triage survives a re-import; other kinds are refused naming both.
async fn pagerduty_exports_import_as_alerts(app: &TestApp) {
    services(app).await;
    let (status, reply) =
        post(app, "alerts", "?format=pagerduty&source=pagerduty", "application/json", PAGERDUTY_JSON).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["created"], 4, "{reply}");
    let (_, listed) = app.get("/api/v1/alerts?source=pagerduty").await;
    let items = listed["items"].as_array().expect("items").clone();
    let first = by_id(&items, "Q2KXY8PZ4T0R1M");
    assert_eq!((first["service"].clone(), first["paged"].clone()), (json!("checkout-api"), json!(true)));
    assert_eq!(first["labels"]["business_hour_interruptions"], "1", "{first}");
    assert_eq!(first["disposition"], "unreviewed");
    // A triage is kept when the same export is sent again.
    app.db
        .execute_unprepared("UPDATE alert SET disposition = 'actionable' WHERE external_id = 'Q2KXY8PZ4T0R1M'")
        .await
        .expect("triage");
    let (status, again) =
        post(app, "alerts", "?format=pagerduty&source=pagerduty", "application/json", PAGERDUTY_JSON).await;
    assert_eq!((status, again["created"].clone()), (200, json!(0)), "{again}");
    let (_, kpis) = app.get("/api/v1/kpis?period=2026-Q1&scope=org").await;
    assert!(kpis["kpis"]["page_count"].as_u64().is_some_and(|n| n >= 1), "{kpis}");
    assert_eq!(kpis["kpis"]["alert_precision"], 1.0, "the kept triage: {kpis}");

    // A CSV export names no zone: its offset-less times are read in the one given on import.
    let csv = "Incident ID,Title,Service Name,Urgency,Created On\nPZONE,Disk full,payments,high,2026-03-02 09:14:05\n";
    let (status, reply) = post(app, "alerts", "?format=pagerduty&source=pd-zone", "text/csv", csv).await;
    assert_eq!((status, reply["error_count"].clone()), (422, json!(1)), "no offset, no zone: {reply}");
    let (status, reply) =
        post(app, "alerts", "?format=pagerduty&source=pd-zone&time_zone=Europe/Berlin", "text/csv", csv).await;
    assert_eq!(status, 200, "{reply}");
    let (_, listed) = app.get("/api/v1/alerts?source=pd-zone").await;
    assert_eq!(listed["items"][0]["fired_at"], "2026-03-02T08:14:05+00:00", "{listed}");
    let (status, reply) = post(app, "alerts", "?format=pagerduty&time_zone=Mars/Olympus", "text/csv", csv).await;
    assert_eq!(status, 400, "{reply}");

    let (status, reply) = post(app, "deployments", "?format=pagerduty", "application/json", PAGERDUTY_JSON).await;
    assert_eq!(status, 400, "{reply}");
    let detail = reply["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("/api/v1/incidents or /api/v1/alerts"), "{reply}");
}

async fn openslo_creates_missing_services_only_with_a_team(app: &TestApp) {
    let teams = json!([{"slug": "payments-team", "name": "Payments"}]);
    assert_eq!(app.post_json("teams", &teams).await.0, 200);
    let before = app.snapshot().await;
    let (status, reply) = post(app, "slos", "?format=openslo", "application/yaml", OPENSLO).await;
    assert_eq!(status, 422, "{reply}");
    let errors = reply["errors"].as_array().expect("errors");
    assert!(errors.iter().any(|e| e["message"].as_str().is_some_and(|m| m.contains("team"))), "{errors:?}");
    assert!(
        errors.iter().all(|e| e["field"] == "spec.service"),
        "only the missing services are errors (calendar windows and ratio timeslices import): {errors:?}"
    );
    assert_eq!(app.snapshot().await, before, "nothing was written");

    // The unsupported documents stay errors even with a team; without them the file lands.
    let supported = SUPPORTED_OPENSLO;
    // A YAML body is read as OpenSLO without ?format=.
    let (status, reply) = post(app, "slos", "?team=payments-team", "application/yaml", supported).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["created"], 3, "one SLO per objective: {reply}");
    let notes = reply["notes"].as_array().expect("notes");
    assert!(notes.iter().any(|n| n.as_str().is_some_and(|n| n.contains("checkout-api"))), "{notes:?}");
    let (_, listed) = app.get("/api/v1/services").await;
    let slugs: Vec<&str> =
        listed["items"].as_array().expect("items").iter().filter_map(|s| s["slug"].as_str()).collect();
    assert_eq!(slugs, ["checkout-api"], "created, owned by the team given");
    assert_eq!(listed["items"][0]["team"], "payments-team");
    assert_eq!(listed["items"][0]["tier"], 1, "from the tier label");
    let (_, slos) = app.get("/api/v1/slos?service=checkout-api").await;
    let slos = slos["items"].as_array().expect("items");
    let availability = slos.iter().find(|s| s["slug"] == "checkout-availability").expect("the SLO, by its name");
    assert_eq!(availability["objective"], 99.5);
    assert_eq!(availability["window_days"], 28);
    assert_eq!(availability["indicator"], "availability");
    assert_eq!(availability["budgeting"], "occurrences");
    let latency: Vec<&Value> =
        slos.iter().filter(|s| s["slug"].as_str().is_some_and(|s| s.starts_with("checkout-latency-"))).collect();
    assert_eq!(latency.len(), 2, "one SLO per objective: {slos:?}");
    assert!(
        latency.iter().all(|s| s["window_days"] == 28 && s["budgeting"] == "timeslices"),
        "4w is 28 days: {latency:?}"
    );

    let (status, again) = post(app, "slos", "?format=openslo&team=payments-team", "application/yaml", supported).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["created"], 0, "idempotent: {again}");
}

/// OpenSLO that Plumbline represents whole: a service it lacks, an SLI referenced by name, and
/// an SLO with an inline indicator and two objectives.
const SUPPORTED_OPENSLO: &str = r#"apiVersion: openslo/v1
kind: Service
metadata:
  name: checkout-api
  displayName: Checkout API
  labels:
    tier: "1"
---
apiVersion: openslo/v1
kind: SLI
metadata:
  name: checkout-success
spec:
  ratioMetric:
    counter: true
    good: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total{code!~"5.."}[5m]))'}}}
    total: {metricSource: {type: Prometheus, spec: {query: 'sum(rate(http_requests_total[5m]))'}}}
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-availability
  displayName: Checkout availability
  labels:
    indicator: availability
spec:
  service: checkout-api
  indicatorRef: checkout-success
  timeWindow:
    - duration: 28d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - displayName: Available
      target: 0.995
---
apiVersion: openslo/v1
kind: SLO
metadata:
  name: checkout-latency
spec:
  service: checkout-api
  indicator:
    metadata:
      name: checkout-latency-sli
    spec:
      thresholdMetric:
        metricSource: {type: Prometheus, spec: {query: 'histogram_quantile(0.95, rate(latency_bucket[5m]))'}}
  timeWindow:
    - duration: 4w
      isRolling: true
  budgetingMethod: Timeslices
  objectives:
    - displayName: Fast
      targetPercent: 99
      timeSliceTarget: 0.95
      timeSliceWindow: 1m
    - displayName: Very fast
      targetPercent: 95
      timeSliceTarget: 0.9
      timeSliceWindow: 1m
"#;

crate::on_both_backends!(
    statuspage_incidents_land_with_their_timestamps_and_timeline,
    unmapped_components_are_row_errors_until_mapped,
    malformed_files_and_wrong_kinds_are_refused_clearly,
    pagerduty_json_and_csv_land_on_the_same_path,
    pagerduty_exports_import_as_alerts,
    openslo_creates_missing_services_only_with_a_team,
);
