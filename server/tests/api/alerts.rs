//! The on-call kinds on the ingestion path (`alerts`, `oncall-shifts`), and alerts arriving from
//! a real Alertmanager: Debian's `prometheus` evaluates a rule over a series this test serves,
//! `prometheus-alertmanager` posts to Plumbline's webhook receiver with an ingest token, and the
//! alert appears, then gets its `resolved_at` when the rule stops firing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use app::domain::access::TokenScope;
use serde_json::{Value, json};

use crate::access::{oidc_app, token};
use crate::helpers::{Backend, TestApp, eventually_within, spawn_app};
use crate::local_prometheus::free_port;

async fn catalog(app: &TestApp) {
    crate::kpis::load(app).await;
}

fn alert(external_id: &str, extra: Value) -> Value {
    let mut row = json!({"external_id": external_id, "service": "checkout", "rule": "HighErrorRate",
                         "fired_at": "2026-11-20T03:10:00Z", "paged": true});
    if let (Some(row), Some(extra)) = (row.as_object_mut(), extra.as_object()) {
        row.extend(extra.clone());
    }
    row
}

async fn alerts_and_shifts_follow_the_ingestion_contract(backend: Backend) {
    let app = spawn_app(backend).await;
    catalog(&app).await;
    let rows = json!([
        alert(
            "A-1",
            json!({"acknowledged_at": "2026-11-20T03:14:00Z", "resolved_at": "2026-11-20T03:40:00Z",
                            "urgency": "high", "responder": "p-17", "escalations": 1, "auto_resolved": false,
                            "disposition": "actionable", "labels": {"team": "payments", "env": "prod"}})
        ),
        alert("A-2", json!({"paged": false})),
    ]);
    let (status, body) = app.post_json("alerts", &rows).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], 2);

    // Listed back in the ingestion field names, labels as an object.
    let (status, listed) = app.get("/api/v1/alerts?service=checkout&paged=true").await;
    assert_eq!(status, 200, "{listed}");
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(items[0]["external_id"], "A-1");
    assert_eq!(items[0]["disposition"], "actionable");
    assert_eq!(items[0]["labels"], json!({"env": "prod", "team": "payments"}));
    let (_, unreviewed) = app.get("/api/v1/alerts?disposition=unreviewed").await;
    assert_eq!(unreviewed["items"][0]["external_id"], "A-2", "a new alert without disposition is unreviewed");

    // The source re-sends A-1 without a disposition: its triage is kept, the rest updated.
    let resent = json!([alert("A-1", json!({"resolved_at": "2026-11-20T03:45:00Z"}))]);
    let (status, body) = app.post_json("alerts", &resent).await;
    assert_eq!((status, &body["updated"]), (200, &json!(1)), "{body}");
    let (_, listed) = app.get("/api/v1/alerts?rule=HighErrorRate&paged=true").await;
    assert_eq!(listed["items"][0]["disposition"], "actionable");
    assert_eq!(listed["items"][0]["resolved_at"], "2026-11-20T03:45:00+00:00");
    // The same rows again change nothing.
    assert_eq!(app.post_json("alerts", &resent).await.1["unchanged"], 1);

    // Every broken rule is a row error, and nothing is written.
    let before = app.count("alert").await;
    let bad = json!([
        alert("B-1", json!({"acknowledged_at": "2026-11-20T03:00:00Z"})),
        alert("B-2", json!({"service": "nowhere"})),
        alert("B-3", json!({"labels": ["not", "an", "object"]})),
        alert("B-4", json!({"disposition": "maybe"})),
        json!({"external_id": "B-5", "service": "checkout", "rule": "X", "fired_at": "2026-11-20T03:10:00Z"}),
    ]);
    let (status, problem) = app.post_json("alerts", &bad).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<(u64, String)> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| (e["row"].as_u64().unwrap_or(0), e["field"].as_str().unwrap_or_default().to_owned()))
        .collect();
    for expected in [(1, "acknowledged_at"), (3, "labels"), (4, "disposition"), (5, "paged")] {
        assert!(fields.contains(&(expected.0, expected.1.to_owned())), "{expected:?} in {problem}");
    }
    assert_eq!(app.count("alert").await, before);

    // Shifts: keyed by team, schedule, person and start; an end before the start is refused.
    let shifts = json!([
        {"team": "payments", "schedule": "primary", "person": "p-17",
         "starts_at": "2026-11-16T09:00:00Z", "ends_at": "2026-11-23T09:00:00Z"},
        {"team": "payments", "schedule": "primary", "person": "p-21",
         "starts_at": "2026-11-23T09:00:00Z", "ends_at": "2026-11-30T09:00:00Z"},
    ]);
    let (status, body) = app.post_json("oncall-shifts", &shifts).await;
    assert_eq!((status, &body["created"]), (200, &json!(2)), "{body}");
    assert_eq!(app.post_json("oncall-shifts", &shifts).await.1["unchanged"], 2);
    let (_, listed) = app.get("/api/v1/oncall-shifts?team=payments&from=2026-11-24T00:00:00Z").await;
    let people: Vec<&str> =
        listed["items"].as_array().expect("items").iter().filter_map(|s| s["person"].as_str()).collect();
    assert_eq!(people, ["p-21"], "only the shift overlapping the window: {listed}");
    let backwards = json!([{"team": "payments", "schedule": "primary", "person": "p-1",
                            "starts_at": "2026-11-23T09:00:00Z", "ends_at": "2026-11-23T08:00:00Z"}]);
    let (status, problem) = app.post_json("oncall-shifts", &backwards).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "ends_at");
    app.cleanup().await;
}

#[tokio::test]
async fn alerts_and_shifts_follow_the_ingestion_contract_on_postgres() {
    alerts_and_shifts_follow_the_ingestion_contract(Backend::Postgres).await;
}

#[tokio::test]
async fn alerts_and_shifts_follow_the_ingestion_contract_on_sqlite() {
    alerts_and_shifts_follow_the_ingestion_contract(Backend::Sqlite).await;
}

/// A tiny exporter Prometheus scrapes: `plumbline_test_errors` is what the test sets.
async fn exporter(value: Arc<AtomicU8>) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let app = axum::Router::new().route(
        "/metrics",
        axum::routing::get(move || {
            let value = value.load(Ordering::SeqCst);
            async move { format!("# TYPE plumbline_test_errors gauge\nplumbline_test_errors {value}\n") }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    port
}

fn spawn(program: &str, args: &[String]) -> tokio::process::Child {
    tokio::process::Command::new(program)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{program} is installed (cargo xtask ensure-tools): {e}"))
}

#[tokio::test]
async fn a_rule_firing_in_prometheus_reaches_plumbline_through_alertmanager() {
    let app = oidc_app(Backend::Postgres).await;
    // This test's own requests use a read and ingest token; Alertmanager gets an ingest-only one.
    let pipeline = token(&app, &[TokenScope::Read, TokenScope::Ingest], None).await;
    app.bearer.set(pipeline).expect("the token is set once");
    catalog(&app).await;
    let ingest = token(&app, &[TokenScope::Ingest], None).await;
    let errors = Arc::new(AtomicU8::new(1));
    let exporter_port = exporter(Arc::clone(&errors)).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name).display().to_string();

    let am_port = free_port();
    let alertmanager_config = format!(
        "route:\n  receiver: plumbline\n  group_by: ['alertname']\n  group_wait: 1s\n  group_interval: 1s\n  repeat_interval: 1h\n\
         receivers:\n  - name: plumbline\n    webhook_configs:\n      - url: '{}/api/v1/alertmanager'\n        send_resolved: true\n\
         \x20       http_config:\n          authorization:\n            credentials: '{ingest}'\n",
        app.base
    );
    std::fs::write(path("alertmanager.yml"), alertmanager_config).expect("alertmanager config");
    let _alertmanager = spawn(
        "prometheus-alertmanager",
        &[
            format!("--config.file={}", path("alertmanager.yml")),
            format!("--storage.path={}", path("am-data")),
            format!("--web.listen-address=127.0.0.1:{am_port}"),
            "--cluster.listen-address=".to_owned(),
        ],
    );
    let rules = "groups:\n  - name: plumbline-test\n    rules:\n      - alert: CheckoutErrors\n        expr: plumbline_test_errors > 0\n\
                 \x20       labels:\n          service: checkout\n          severity: page\n        annotations:\n          summary: Checkout is failing\n";
    std::fs::write(path("rules.yml"), rules).expect("rules");
    let prometheus_config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: ['{}']\n\
         alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['127.0.0.1:{am_port}']\n\
         scrape_configs:\n  - job_name: exporter\n    static_configs:\n      - targets: ['127.0.0.1:{exporter_port}']\n",
        path("rules.yml")
    );
    std::fs::write(path("prometheus.yml"), prometheus_config).expect("prometheus config");
    let prometheus_port = free_port();
    let _prometheus = spawn(
        "prometheus",
        &[
            format!("--config.file={}", path("prometheus.yml")),
            format!("--storage.tsdb.path={}", path("prom-data")),
            format!("--web.listen-address=127.0.0.1:{prometheus_port}"),
        ],
    );

    let alerts = || async {
        let (status, listed) = app.get("/api/v1/alerts?source=alertmanager").await;
        assert_eq!(status, 200, "{listed}");
        let items = listed["items"].as_array().cloned().unwrap_or_default();
        (!items.is_empty()).then_some(items)
    };
    let fired = eventually_within("the firing alert reached Plumbline", 60, alerts).await;
    assert_eq!(fired.len(), 1, "{fired:?}");
    let first = &fired[0];
    assert_eq!(first["service"], "checkout");
    assert_eq!(first["rule"], "CheckoutErrors");
    assert_eq!(first["paged"], true, "severity=page pages");
    assert_eq!(first["disposition"], "unreviewed");
    assert_eq!(first["labels"]["summary"], "Checkout is failing");
    assert_eq!(first["resolved_at"], Value::Null, "still firing");

    // The rule stops firing: the same alert gets its resolution.
    errors.store(0, Ordering::SeqCst);
    let resolved = eventually_within("the resolution reached Plumbline", 60, || async {
        let items = alerts().await?;
        items.iter().any(|a| !a["resolved_at"].is_null()).then_some(items)
    })
    .await;
    assert_eq!(resolved.len(), 1, "one alert, resolved: {resolved:?}");
    assert_eq!(resolved[0]["external_id"], first["external_id"]);
    assert_eq!(resolved[0]["fired_at"], first["fired_at"]);
    app.cleanup().await;
}

#[tokio::test]
async fn the_webhook_refuses_alerts_of_unknown_services_and_keeps_the_others() {
    let app = spawn_app(Backend::Postgres).await;
    catalog(&app).await;
    let notification = |service: &str, fingerprint: &str| {
        json!({"status": "firing", "labels": {"alertname": "Down", "service": service, "severity": "ticket"},
               "annotations": {}, "startsAt": "2026-12-01T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
               "generatorURL": "http://prometheus.example/graph", "fingerprint": fingerprint})
    };
    let body = json!({"version": "4", "status": "firing", "receiver": "plumbline", "groupKey": "{}",
                      "alerts": [notification("checkout", "f1"), notification("nowhere", "f2")]});
    let response =
        app.client.post(format!("{}/api/v1/alertmanager", app.base)).json(&body).send().await.expect("posted");
    assert_eq!(response.status().as_u16(), 200);
    let receipt: Value = response.json().await.expect("json");
    assert_eq!(receipt["imported"]["created"], 1, "{receipt}");
    assert_eq!(receipt["refused"][0]["fingerprint"], "f2", "{receipt}");
    let (_, listed) = app.get("/api/v1/alerts?source=alertmanager").await;
    assert_eq!(listed["items"][0]["paged"], false, "severity=ticket does not page");
    let metrics =
        app.client.get(format!("{}/metrics", app.base)).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("plumbline_alertmanager_refused_alerts_total "), "counted");
    // Not a webhook payload: 400, which Alertmanager does not retry.
    let garbage = app.client.post(format!("{}/api/v1/alertmanager", app.base)).body("[]").send().await.expect("posted");
    assert_eq!(garbage.status().as_u16(), 400);
    app.cleanup().await;
}
