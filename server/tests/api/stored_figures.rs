//! Figures of closed periods are stored in the database: a restarted server, or another
//! replica, reads a closed quarter's figures rather than load and compute it again, and an
//! import that reaches only the running quarter leaves them valid.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn_app};

const TREND: &str = "/api/v1/kpis/trend?from=2026-Q2&to=2026-Q4&scope=org";

/// The stored KPI rows: `(key, version, body)`.
async fn stored(app: &TestApp) -> Vec<(String, i64, String)> {
    let backend = app.db.get_database_backend();
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            backend,
            "SELECT key, version, body FROM stored_figure WHERE key LIKE 'kpis|%' ORDER BY key",
        ))
        .await
        .expect("stored figures");
    rows.iter()
        .map(|r| (r.try_get("", "key").unwrap(), r.try_get("", "version").unwrap(), r.try_get("", "body").unwrap()))
        .collect()
}

/// Q3's high-severity count on the trend read through `base`.
async fn q3_high_sev(app: &TestApp, base: &str) -> Value {
    let trend: Value =
        app.client.get(format!("{base}{TREND}")).send().await.expect("trend").json().await.expect("json");
    let q3 = &trend["periods"][1];
    assert_eq!(q3["period"], "2026-Q3", "{trend}");
    q3["kpis"]["high_sev_count"].clone()
}

async fn closed_quarters_are_stored_and_shared(backend: Backend) {
    let a = spawn_app(backend).await;
    crate::kpis::load(&a).await;
    let (status, trend) = a.get(TREND).await;
    assert_eq!(status, 200, "{trend}");
    assert_eq!(trend["periods"][1]["kpis"]["high_sev_count"], 1);

    // Q2 and Q3 are closed and stored; Q4 runs, and moves with the clock.
    let rows = stored(&a).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.iter().all(|(key, ..)| key.contains("|org|")), "{rows:?}");
    let (q3_key, q3_version, body) = rows.iter().find(|(key, ..)| key.starts_with("kpis|2026-07-01")).expect("Q3");

    // Mark Q3's stored figures, so that reading them rather than computing them shows.
    let mut marked: Value = serde_json::from_str(body).expect("stored body");
    marked["high_sev_count"] = json!(777);
    let backend_of = a.db.get_database_backend();
    a.db.execute_raw(server::db::statement(
        backend_of,
        "UPDATE stored_figure SET body = $1 WHERE key = $2",
        [marked.to_string().into(), q3_key.clone().into()],
    ))
    .await
    .expect("mark Q3");

    // A second server, with nothing computed in memory (a restart, or another replica).
    let b = a.replica(0).await;
    assert_eq!(q3_high_sev(&a, &b).await, 777, "the restarted server reads the stored quarter");

    // Today's SLO measurement reaches only the running quarter: Q3's stored row stays valid.
    let today = chrono::Utc::now().date_naive().to_string();
    let measurement = json!([{"service": "checkout", "slo": "availability", "day": today, "good": 999, "total": 1000}]);
    assert_eq!(a.post_json("slo-measurements", &measurement).await.0, 200);
    let c = a.replica(0).await;
    assert_eq!(q3_high_sev(&a, &c).await, 777, "Q3 was not recomputed after an import of today");
    let q3_after = stored(&a).await.into_iter().find(|(key, ..)| key == q3_key).expect("Q3 row");
    assert_eq!(q3_after.1, *q3_version);

    // A late SEV1 in August reaches Q3: its stored figures are outdated, and recomputed.
    let late = json!([{"external_id": "INC-LATE", "title": "Late", "severity": "SEV1", "services": ["search"],
                       "started_at": "2026-08-20T00:00:00Z"}]);
    assert_eq!(a.post_json("incidents", &late).await.0, 200);
    assert_eq!(q3_high_sev(&a, &b).await, 2, "the late incident is counted");
    let d = a.replica(0).await;
    assert_eq!(q3_high_sev(&a, &d).await, 2, "the recomputed quarter was stored in place of the old one");
    let q3_now = stored(&a).await.into_iter().find(|(key, ..)| key == q3_key).expect("Q3 row");
    assert!(q3_now.1 > *q3_version, "stored at the new version");

    // A row that does not read as figures is recomputed, never an error.
    a.db.execute_raw(server::db::statement(
        backend_of,
        "UPDATE stored_figure SET body = 'not json' WHERE key = $1",
        [q3_key.clone().into()],
    ))
    .await
    .expect("spoil Q3");
    let e = a.replica(0).await;
    assert_eq!(q3_high_sev(&a, &e).await, 2);
    a.cleanup().await;
}

#[tokio::test]
async fn closed_quarters_are_stored_and_shared_on_postgres() {
    closed_quarters_are_stored_and_shared(Backend::Postgres).await;
}

#[tokio::test]
async fn closed_quarters_are_stored_and_shared_on_sqlite() {
    closed_quarters_are_stored_and_shared(Backend::Sqlite).await;
}
