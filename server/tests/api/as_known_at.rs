//! Record history and "as known at" (docs/as-known-at.md): import → publish → correct a record
//! → the figures as known at publication are the snapshot's, and the restatement lists exactly
//! the corrected record.

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::access::{Credential, send};
use crate::evidence::download;
use crate::helpers::TestApp;
use crate::kpis::load;

const INC_1: &str = "INC-1";

fn incident(mitigated_at: &str, services: &[&str]) -> Value {
    json!([{"external_id": INC_1, "title": "Checkout down", "severity": "SEV1", "services": services,
        "started_at": "2026-07-10T10:00:00Z", "detected_at": "2026-07-10T10:05:00Z",
        "acknowledged_at": "2026-07-10T10:15:00Z", "mitigated_at": mitigated_at,
        "resolved_at": "2026-07-10T14:00:00Z", "customer_impacting": true, "root_cause_category": "deploy"}])
}

async fn get_ok(app: &TestApp, path: &str) -> Value {
    let (status, body) = app.get(path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

fn encoded(at: &str) -> String {
    at.replace('+', "%2B").replace(':', "%3A")
}

async fn figures_as_known_at_publication_are_the_snapshots_and_restatements_list_the_correction(app: &TestApp) {
    load(app).await;
    let (status, published) = app.publish("2026-Q3").await;
    assert_eq!(status, 201, "{published}");
    let at = published["published_at"].as_str().expect("published_at").to_owned();
    let snapshot = get_ok(app, "/api/v1/snapshots/2026-Q3").await;
    assert_eq!(snapshot["org"]["mttr"]["mean"], 60.0, "{}", snapshot["org"]["mttr"]);

    // Nothing changed yet: reproduced, no changes, no figure moved.
    let restated = get_ok(app, "/api/v1/snapshots/2026-Q3/restatements").await;
    assert_eq!(restated["reproduced"], true, "{restated}");
    assert_eq!(restated["changes"], json!([]));
    assert!(restated["figures"].as_array().expect("figures").iter().all(|f| f["changed"] == false));

    // A correction of INC-1 (mitigated an hour later, and ledger was hit too); a measurement of
    // a later period; the same deployments again (unchanged: no new version).
    let (status, reply) = app.post_json("incidents", &incident("2026-07-10T12:05:00Z", &["checkout", "ledger"])).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["updated"], 1);
    let later = json!([{"service": "checkout", "slo": "availability", "day": "2026-12-01", "good": 1, "total": 1}]);
    assert_eq!(app.post_json("slo-measurements", &later).await.0, 200);
    let same = json!([{"external_id": "DEP-1", "service": "checkout", "deployed_at": "2026-07-09T12:00:00Z", "outcome": "success"}]);
    let (_, reply) = app.post_json("deployments", &same).await;
    assert_eq!(reply["unchanged"], 1, "{reply}");

    let now = get_ok(app, "/api/v1/kpis?period=2026-Q3").await;
    assert_eq!(now["kpis"]["mttr"]["mean"], 120.0, "the live figures move on: {}", now["kpis"]["mttr"]);
    let then = get_ok(app, &format!("/api/v1/kpis?period=2026-Q3&as_known_at={}", encoded(&at))).await;
    assert_eq!(then["kpis"], snapshot["org"], "as known at publication: the snapshot's org figures");
    assert_eq!(
        then["as_known_at"].as_str().map(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok()),
        Some(at.parse().ok())
    );
    for team in ["payments", "discovery"] {
        let scoped =
            get_ok(app, &format!("/api/v1/kpis?period=2026-Q3&scope=team:{team}&as_known_at={}", encoded(&at))).await;
        assert_eq!(scoped["kpis"], snapshot["teams"][team], "{team}");
    }
    let population =
        get_ok(app, &format!("/api/v1/kpis/mttr/population?period=2026-Q3&as_known_at={}", encoded(&at))).await;
    assert_eq!(population["value"], snapshot["org"]["mttr"]);
    let rows = population["records"].as_array().expect("records");
    assert_eq!((rows.len(), rows[0]["id"].as_str(), rows[0]["value"].as_f64()), (1, Some(INC_1), Some(60.0)));

    let csv = |query: String| async move {
        let url = format!("{}/api/v1/kpis/mttr/population.csv?period=2026-Q3{query}", app.base);
        let response = app.client.get(url).send().await.expect("sent");
        assert_eq!(response.status().as_u16(), 200);
        response.text().await.expect("text")
    };
    let (then_csv, now_csv) = (csv(format!("&as_known_at={}", encoded(&at))).await, csv(String::new()).await);
    assert!(then_csv.contains("INC-1") && then_csv.contains(",60"), "{then_csv}");
    assert!(now_csv.contains(",120"), "{now_csv}");
    let restated = get_ok(app, "/api/v1/snapshots/2026-Q3/restatements").await;
    assert_eq!(restated["reproduced"], true, "recomputed as known at publication: {restated}");
    let changes = restated["changes"].as_array().expect("changes");
    assert_eq!(changes.len(), 1, "exactly the corrected record: {changes:?}");
    assert_eq!(
        (changes[0]["table"].as_str(), changes[0]["key"].as_str(), changes[0]["change"].as_str()),
        (Some("incident"), Some(INC_1), Some("corrected"))
    );
    let batches = changes[0]["batches"].as_array().expect("batches");
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0]["kind"], "incidents");
    assert!(!batches[0]["actor"].as_str().unwrap_or_default().is_empty());
    let moved: Vec<&str> = restated["figures"]
        .as_array()
        .expect("figures")
        .iter()
        .filter(|f| f["changed"] == true)
        .filter_map(|f| f["kpi"].as_str())
        .collect();
    assert!(moved.contains(&"mttr"), "{moved:?}");
    assert!(!moved.contains(&"high_sev_count"), "{moved:?}");
    let mttr = restated["figures"].as_array().expect("figures").iter().find(|f| f["kpi"] == "mttr").expect("mttr");
    assert_eq!((mttr["published"]["mean"].as_f64(), mttr["now"]["mean"].as_f64()), (Some(60.0), Some(120.0)));

    // A second correction: both batches are named, and the instant between them gives the first.
    let between = chrono::Utc::now().to_rfc3339();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(app.post_json("incidents", &incident("2026-07-10T13:05:00Z", &["checkout"])).await.0, 200);
    let restated = get_ok(app, "/api/v1/snapshots/2026-Q3/restatements").await;
    assert_eq!(restated["changes"][0]["batches"].as_array().map(Vec::len), Some(2), "{restated}");
    let middle = get_ok(app, &format!("/api/v1/kpis?period=2026-Q3&as_known_at={}", encoded(&between))).await;
    assert_eq!(middle["kpis"]["mttr"]["mean"], 120.0, "{}", middle["kpis"]["mttr"]);
    let ledger =
        get_ok(app, &format!("/api/v1/kpis?period=2026-Q3&scope=service:ledger&as_known_at={}", encoded(&between)))
            .await;
    assert_eq!(ledger["kpis"]["high_sev_count"], 1, "INC-1 hit ledger as known then");
    let ledger_now = get_ok(app, "/api/v1/kpis?period=2026-Q3&scope=service:ledger").await;
    assert_eq!(ledger_now["kpis"]["high_sev_count"], 0, "and no longer");

    // The evidence pack as known at publication has INC-1 as it was then.
    let pack =
        download(app, &Credential::None, &format!("from=2026-07-01&to=2026-09-30&as_known_at={}", encoded(&at))).await;
    let manifest = pack.manifest();
    assert_eq!(
        manifest["as_known_at"].as_str().map(|t| t.parse::<chrono::DateTime<chrono::Utc>>().ok()),
        Some(at.parse().ok())
    );
    let incidents = pack.rows("incidents.csv");
    let inc1 = incidents.iter().find(|r| r["external_id"] == INC_1).expect("INC-1");
    assert_eq!((inc1["minutes_to_restore"].as_str(), inc1["services"].as_str()), ("60.00", "checkout"));
    let live = download(app, &Credential::None, "from=2026-07-01&to=2026-09-30").await;
    let inc1 = live.rows("incidents.csv").into_iter().find(|r| r["external_id"] == INC_1).expect("INC-1");
    assert_eq!(inc1["minutes_to_restore"], "180.00");

    // Refusals, and the history cannot be rewritten.
    for (query, why) in
        [("as_known_at=yesterday", "not an instant"), ("as_known_at=2999-01-01T00%3A00%3A00Z", "the future")]
    {
        let (status, body) = app.get(&format!("/api/v1/kpis?period=2026-Q3&{query}")).await;
        assert_eq!(status, 400, "{why}: {body}");
    }
    let response = send(
        app,
        reqwest::Method::GET,
        "/api/v1/evidence?from=2026-07-01&to=2026-09-30&as_known_at=2999-01-01T00%3A00%3A00Z",
        &Credential::None,
        None,
    )
    .await;
    assert_eq!(response.status().as_u16(), 400, "refused before any byte");
    let (status, body) = app
        .get(&format!("/api/v1/evidence/control-tests?from=2026-07-01&to=2026-09-30&as_known_at={}", encoded(&at)))
        .await;
    assert_eq!(status, 400, "control tests as known at an instant are in the pack, not here: {body}");
    assert_eq!(app.get("/api/v1/snapshots/2026-Q2/restatements").await.0, 404);
    assert!(app.db.execute_unprepared("UPDATE record_history SET payload = payload").await.is_err());
    assert!(app.db.execute_unprepared("DELETE FROM record_history").await.is_err());

    // A service moved to another team since: a pack filtered by team selects it by its team then.
    let moved = json!([{"slug": "ledger", "name": "Ledger", "tier": 2, "team": "discovery"}]);
    assert_eq!(app.post_json("services", &moved).await.0, 200);
    let query = |known: &str| format!("from=2026-07-01&to=2026-09-30&team=payments{known}");
    let then = download(app, &Credential::None, &query(&format!("&as_known_at={}", encoded(&at)))).await;
    let ids = |pack: &crate::evidence::Pack| -> Vec<String> {
        pack.rows("incidents.csv").into_iter().map(|r| r["external_id"].clone()).collect()
    };
    assert_eq!(ids(&then), ["INC-1", "INC-2"], "ledger's INC-2 belonged to payments then");
    let now = download(app, &Credential::None, &query("")).await;
    assert_eq!(ids(&now), ["INC-1"]);
}

/// On one connection, reads alternate between the live tables and the views: a statement the
/// connection prepared for one must never answer for the other (Postgres caches plans by text).
async fn one_connection_alternates_between_live_and_known_at(app: &TestApp) {
    use app::domain::kpi::{KpiSettings, Period, ReportingCalendar, Scope, SeverityFilter};
    use server::kpis::{KpiQuery, kpi_report};
    use server::record_history::known_at;
    load(app).await;
    let db = server::db::connect_with_pool(&app.database, 1).await.expect("one connection");
    let period = Period::parse("2026-Q3", ReportingCalendar::default()).expect("period");
    let query = KpiQuery { period, scope: Scope::Org, severity: SeverityFilter::HIGH };
    let settings = KpiSettings::default();
    let mttr = |report: server::kpis::KpiReport| report.kpis.mttr.map(|m| m.mean);
    let before = server::clock_now();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert_eq!(app.post_json("incidents", &incident("2026-07-10T12:05:00Z", &["checkout"])).await.0, 200);
    let now = server::clock_now();
    for round in 0..3 {
        let live = kpi_report(&db, &query, now, &settings).await.expect("live");
        assert_eq!(mttr(live), Some(120.0), "round {round}: live");
        let txn = known_at::begin(&db, before, now).await.expect("known at");
        let then = kpi_report(&txn, &query, now, &settings).await.expect("known at");
        txn.rollback().await.expect("rollback");
        assert_eq!(mttr(then), Some(60.0), "round {round}: as known before the correction");
    }
    db.close().await.ok();
}

/// A database that had records before the history was kept: the migration dates the history's
/// start at the last import then, and nothing before it is told (not a figure that only looks
/// historical); from it on, versions are kept.
async fn before_the_history_starts_nothing_is_told(app: &TestApp) {
    use migrations::MigratorTrait;
    let before_the_records = chrono::Utc::now().to_rfc3339();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    load(app).await;
    // Q2 published, then one more import before the upgrade.
    assert_eq!(app.publish("2026-Q2").await.0, 201);
    let late = json!([{"external_id": "DEP-9", "service": "ledger", "deployed_at": "2026-09-02T12:00:00Z", "outcome": "success"}]);
    assert_eq!(app.post_json("deployments", &late).await.0, 200);
    // The upgrade, replayed: the history's migration undone and applied again over the records.
    // Later migrations are undone with it (and redone after).
    let names: Vec<String> = migrations::Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
    let history = names.iter().position(|n| n.ends_with("_record_history")).expect("the history's migration");
    let steps = u32::try_from(names.len() - history).expect("few migrations");
    migrations::Migrator::down(&app.db, Some(steps)).await.expect("down");
    migrations::Migrator::up(&app.db, None).await.expect("up");
    let (status, body) = app.get("/api/v1/snapshots/2026-Q2/restatements").await;
    assert_eq!(status, 422, "published before the history is complete: {body}");
    let (status, published) = app.publish("2026-Q3").await;
    assert_eq!(status, 201, "{published}");
    let at = published["published_at"].as_str().expect("at").to_owned();
    let (status, body) =
        app.get(&format!("/api/v1/kpis?period=2026-Q3&as_known_at={}", encoded(&before_the_records))).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("from when Plumbline keeps every version")), "{body}");

    assert_eq!(app.post_json("incidents", &incident("2026-07-10T12:05:00Z", &["checkout"])).await.0, 200);
    let then = get_ok(app, &format!("/api/v1/kpis?period=2026-Q3&as_known_at={}", encoded(&at))).await;
    assert_eq!(then["kpis"]["mttr"]["mean"], 60.0, "the version replaced after the upgrade is kept");
    let now = get_ok(app, "/api/v1/kpis?period=2026-Q3").await;
    assert_eq!(now["kpis"]["mttr"]["mean"], 120.0);
    let restated = get_ok(app, "/api/v1/snapshots/2026-Q3/restatements").await;
    assert_eq!((restated["reproduced"].clone(), restated["changes"].as_array().map(Vec::len)), (json!(true), Some(1)));
}

/// An import stamped before the version it replaces (it began earlier, and committed later):
/// the new version does not begin before the old one, so no instant sees both.
async fn an_import_that_began_earlier_never_overlaps_the_version_it_replaces(app: &TestApp) {
    use app::domain::ingest::{Cell, RawRow, RecordKind};
    load(app).await;
    let loaded = chrono::Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let row = incident("2026-07-10T12:05:00Z", &["checkout"])[0].as_object().expect("object").clone();
    let cells: Vec<(String, Cell)> = row.into_iter().map(|(name, value)| (name, Cell::Json(value))).collect();
    let request = server::ingest::IngestRequest::new(RecordKind::Incidents, "api", "test".into());
    let began = loaded - chrono::TimeDelta::hours(1);
    let summary = server::ingest::ingest_rows(&app.db, request, vec![RawRow { number: 1, cells }], began)
        .await
        .expect("imported");
    assert_eq!(summary.updated, 1);
    let mttr = |query: String| async move {
        let body = get_ok(app, &format!("/api/v1/kpis?period=2026-Q3{query}")).await;
        (body["kpis"]["mttr"]["mean"].as_f64(), body["kpis"]["mttr"]["count"].as_u64())
    };
    let half_hour_before = (loaded - chrono::TimeDelta::minutes(30)).to_rfc3339();
    // Before the first import nothing was known, also not the version stamped an hour back.
    assert_eq!(mttr(format!("&as_known_at={}", encoded(&half_hour_before))).await, (None, None));
    // The new version begins where the one it replaced began (that one held for no time): one
    // version of INC-1 at every instant, never two or none.
    assert_eq!(mttr(format!("&as_known_at={}", encoded(&loaded.to_rfc3339()))).await, (Some(120.0), Some(1)));
    assert_eq!(mttr(String::new()).await, (Some(120.0), Some(1)));
}

crate::on_both_backends!(
    an_import_that_began_earlier_never_overlaps_the_version_it_replaces,
    figures_as_known_at_publication_are_the_snapshots_and_restatements_list_the_correction,
    one_connection_alternates_between_live_and_known_at,
    before_the_history_starts_nothing_is_told
);
