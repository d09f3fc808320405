//! Figures of closed periods are stored in the database: a restarted server, or another
//! replica, reads a closed quarter's figures rather than load and compute it again, and an
//! import that reaches only the running quarter leaves them valid.

use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, eventually, spawn_app};

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

/// The kept org summaries: `(key, body)`, the body being the basis line and the figures.
async fn kept_summaries(app: &TestApp) -> Vec<(String, String)> {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT key, body FROM stored_figure WHERE key LIKE 'summary|%|org' ORDER BY key",
        ))
        .await
        .expect("kept summaries");
    rows.iter().map(|r| (r.try_get("", "key").unwrap(), r.try_get("", "body").unwrap())).collect()
}

/// Rewrites the high-severity count of the kept summary whose key starts with `prefix`.
async fn mark_summary(app: &TestApp, prefix: &str, count: u64) {
    let (key, body) = kept_summaries(app).await.into_iter().find(|(k, _)| k.starts_with(prefix)).expect("kept");
    let (basis, figures) = body.split_once('\n').expect("a basis line, then the figures");
    let mut figures: Value = serde_json::from_str(figures).expect("kept figures");
    figures["kpis"]["high_sev_count"] = json!(count);
    let marked = format!("{basis}\n{figures}");
    let sql = "UPDATE stored_figure SET body = $1 WHERE key = $2";
    app.db
        .execute_raw(server::db::statement(app.db.get_database_backend(), sql, [marked.into(), key.into()]))
        .await
        .expect("mark the kept summary");
}

async fn a_restarted_server_serves_the_kept_figures_at_once(backend: Backend) {
    use crate::warm_figures::{high_sev, page_at};
    let a = spawn_app(backend).await;
    crate::kpis::load(&a).await;
    let running = page_at(&a, &a.base, "/").await;
    let closed = page_at(&a, &a.base, "/?period=2026-Q3").await;
    let (running_count, closed_count) = (high_sev(&running), high_sev(&closed));
    let kept = kept_summaries(&a).await;
    assert_eq!(kept.len(), 2, "the running quarter's and 2026-Q3's overview are kept: {kept:?}");

    // Mark both, so that serving them rather than computing shows.
    const Q3: &str = "summary|2026-07-01";
    let running_key = kept.iter().map(|(key, _)| key).find(|key| !key.starts_with(Q3)).expect("the running quarter");
    mark_summary(&a, Q3, 777).await;
    mark_summary(&a, running_key, 555).await;

    // A restarted server (no workers: nothing is computed before the first reader).
    let b = a.replica(0).await;
    let closed_on_b = page_at(&a, &b, "/?period=2026-Q3").await;
    assert_eq!(high_sev(&closed_on_b), "777", "a closed quarter's kept figures are current");
    assert!(!closed_on_b.contains("data-testid=\"recomputing\""));
    let running_on_b = page_at(&a, &b, "/").await;
    assert_eq!(high_sev(&running_on_b), "555", "the running quarter's last figures, at once");
    assert!(running_on_b.contains("data-testid=\"recomputing\""), "and newer ones are being computed");
    eventually("the running quarter is recomputed", || async {
        let html = page_at(&a, &b, "/").await;
        (high_sev(&html) == running_count && !html.contains("data-testid=\"recomputing\"")).then_some(())
    })
    .await;

    // An import reaching 2026-Q3 outdates its kept figures: served once more, then recomputed.
    let late = json!([{"external_id": "INC-LATE", "title": "Late", "severity": "SEV1", "services": ["search"],
                       "started_at": "2026-08-20T00:00:00Z"}]);
    assert_eq!(a.post_json("incidents", &late).await.0, 200);
    let c = a.replica(0).await;
    let outdated = page_at(&a, &c, "/?period=2026-Q3").await;
    assert_eq!(high_sev(&outdated), "777");
    assert!(outdated.contains("data-testid=\"recomputing\""));
    let expected = (closed_count.parse::<u64>().expect("a count") + 1).to_string();
    eventually("2026-Q3 is recomputed with the late incident", || async {
        let html = page_at(&a, &c, "/?period=2026-Q3").await;
        (high_sev(&html) == expected).then_some(())
    })
    .await;

    // A kept row that does not read as figures is computed instead, never an error.
    let sql = "UPDATE stored_figure SET body = 'not figures' WHERE key LIKE 'summary|%'";
    a.db.execute_raw(server::db::statement(a.db.get_database_backend(), sql, [])).await.expect("spoil");
    let d = a.replica(0).await;
    assert_eq!(high_sev(&page_at(&a, &d, "/?period=2026-Q3").await), expected);
    a.cleanup().await;
}

#[tokio::test]
async fn a_restarted_server_serves_the_kept_figures_at_once_on_postgres() {
    a_restarted_server_serves_the_kept_figures_at_once(Backend::Postgres).await;
}

#[tokio::test]
async fn a_restarted_server_serves_the_kept_figures_at_once_on_sqlite() {
    a_restarted_server_serves_the_kept_figures_at_once(Backend::Sqlite).await;
}

/// The home page's record counts are kept too: a restarted server shows those of the current
/// data version without counting every table, and counts again once an import outdates them.
async fn a_restarted_server_shows_the_kept_record_counts(backend: Backend) {
    use crate::warm_figures::page_at;
    let teams = |html: &str| {
        let at = html.find("data-kind=\"teams\" data-count=\"").expect("the teams' count") + 30;
        html[at..at + html[at..].find('"').expect("count end")].to_owned()
    };
    let a = spawn_app(backend).await;
    crate::kpis::load(&a).await;
    assert_eq!(teams(&page_at(&a, &a.base, "/").await), "2");

    // Mark the kept counts, so that showing them rather than counting shows.
    let backend = a.db.get_database_backend();
    let select = "SELECT body FROM stored_figure WHERE key = 'record-counts'";
    let row = a.db.query_one_raw(Statement::from_string(backend, select)).await.expect("read").expect("kept counts");
    let mut counts: Value = serde_json::from_str(&row.try_get::<String>("", "body").expect("body")).expect("json");
    let teams_count = counts["counts"].as_array_mut().expect("counts").iter_mut().find(|c| c["kind"] == "teams");
    teams_count.expect("teams")["count"] = json!(4242);
    let sql = "UPDATE stored_figure SET body = $1 WHERE key = 'record-counts'";
    a.db.execute_raw(server::db::statement(backend, sql, [counts.to_string().into()])).await.expect("mark");

    let b = a.replica(0).await;
    assert_eq!(teams(&page_at(&a, &b, "/").await), "4242", "the kept counts, not a count");
    // An import outdates them: a small organisation is counted again at once.
    let team = json!([{"slug": "search", "name": "Search"}]);
    assert_eq!(a.post_json("teams", &team).await.0, 200);
    let c = a.replica(0).await;
    assert_eq!(teams(&page_at(&a, &c, "/").await), "3");
    a.cleanup().await;
}

#[tokio::test]
async fn a_restarted_server_shows_the_kept_record_counts_on_postgres() {
    a_restarted_server_shows_the_kept_record_counts(Backend::Postgres).await;
}

#[tokio::test]
async fn a_restarted_server_shows_the_kept_record_counts_on_sqlite() {
    a_restarted_server_shows_the_kept_record_counts(Backend::Sqlite).await;
}

/// `active_slo`'s status on search's 2026-Q3 scorecard, read through `base`'s REST API.
async fn search_active_slo(app: &TestApp, base: &str) -> Value {
    let url = format!("{base}/api/v1/services/search/scorecard?period=2026-Q3");
    let card: Value = app.client.get(url).send().await.expect("scorecard").json().await.expect("json");
    let checks = card["scorecards"][0]["checks"].as_array().cloned().unwrap_or_default();
    checks.into_iter().find(|c| c["id"] == "active_slo").map(|c| c["status"].clone()).unwrap_or_default()
}

/// A waiver that expires changes no record, yet a closed quarter's scorecards change with it:
/// scorecards computed while it was in force, kept or in a server's memory, are not served as
/// current afterwards.
async fn kept_scorecards_follow_the_exemptions_in_force(backend: Backend) {
    let a = spawn_app(backend).await;
    crate::kpis::load(&a).await;
    let expires = chrono::Utc::now() + chrono::TimeDelta::seconds(3);
    let waiver = json!([{"service": "search", "check": "active_slo", "reason": "SLOs land next quarter",
                         "approver": "cto", "expires_at": expires.to_rfc3339()}]);
    assert_eq!(a.post_json("exemptions", &waiver).await.0, 200);
    assert_eq!(search_active_slo(&a, &a.base).await, "waived");
    let kept =
        a.db.query_all_raw(Statement::from_string(
            a.db.get_database_backend(),
            "SELECT key FROM stored_figure WHERE key LIKE 'scorecards|2026-07-01%'",
        ))
        .await
        .expect("kept scorecards");
    assert_eq!(kept.len(), 1, "2026-Q3's scorecards are kept");

    // Another server while the waiver holds reads the kept scorecards as they are.
    let b = a.replica(0).await;
    assert_eq!(search_active_slo(&a, &b).await, "waived");
    tokio::time::sleep((expires - chrono::Utc::now()).to_std().unwrap_or_default()).await;
    let c = a.replica(0).await;
    assert_eq!(search_active_slo(&a, &c).await, "fail", "the expired waiver no longer holds");
    // Nor in the memory of the servers that computed the scorecards while it held.
    assert_eq!(search_active_slo(&a, &a.base).await, "fail");
    assert_eq!(search_active_slo(&a, &b).await, "fail");
    a.cleanup().await;
}

#[tokio::test]
async fn kept_scorecards_follow_the_exemptions_in_force_on_postgres() {
    kept_scorecards_follow_the_exemptions_in_force(Backend::Postgres).await;
}

#[tokio::test]
async fn kept_scorecards_follow_the_exemptions_in_force_on_sqlite() {
    kept_scorecards_follow_the_exemptions_in_force(Backend::Sqlite).await;
}
