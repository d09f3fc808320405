//! Hostile input and clients: forged approvals, forged sign-in callbacks, slow and silent
//! clients, and the server staying up through all of it.

use std::time::Duration;

use app::domain::access::TokenScope;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::access::{Credential, oidc_app, send, signed_in, token};
use crate::helpers::{Backend, Options, TestApp, spawn_app, spawn_app_with};

async fn setup_payments(app: &TestApp, admin: &Credential) {
    let rows = [
        ("teams", json!([{"slug": "payments", "name": "Payments"}])),
        ("services", json!([{"slug": "checkout", "name": "Checkout", "tier": 2, "team": "payments"}])),
    ];
    for (kind, rows) in rows {
        let status = send(app, Method::POST, &format!("/api/v1/{kind}"), admin, Some(rows)).await.status();
        assert_eq!(status, StatusCode::OK, "{kind}");
    }
}

fn exemption(approver: &str) -> Value {
    json!([{"service": "checkout", "check": "active_slo", "reason": "new service",
            "approver": approver, "expires_at": "2099-01-01T00:00:00Z"}])
}

fn signed_off_answer() -> Value {
    json!([{"service": "checkout", "item": "runbook", "answer": "yes", "answered_by": "eve@example.test",
            "answered_at": "2026-11-01T00:00:00Z", "reviewed_by": "someone-else@example.com",
            "reviewed_at": "2026-11-02T00:00:00Z"}])
}

async fn problem_field(response: reqwest::Response) -> (StatusCode, String, String) {
    let status = response.status();
    let body: Value = response.json().await.expect("problem document");
    let error = &body["errors"][0];
    (
        status,
        error["field"].as_str().unwrap_or_default().to_owned(),
        error["message"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn approvals_are_made_by_their_approver_never_written_by_someone_else(backend: Backend) {
    let app = oidc_app(backend).await;
    let admin = Credential::Cookie(signed_in(&app, "alice@example.test", &["admin"], &[], false).await);
    setup_payments(&app, &admin).await;
    let editor = Credential::Cookie(signed_in(&app, "eve@example.test", &["editor"], &["payments"], false).await);
    let team_token = Credential::Bearer(token(&app, &[TokenScope::Ingest], Some(&["payments"])).await);
    let unlimited_token = Credential::Bearer(token(&app, &[TokenScope::Ingest], None).await);
    for writer in [&editor, &team_token, &unlimited_token] {
        for path in ["/api/v1/exemptions", "/api/v1/exemptions?dry_run=true"] {
            let refused = send(&app, Method::POST, path, writer, Some(exemption("someone-else@example.com"))).await;
            let (status, field, message) = problem_field(refused).await;
            assert_eq!((status, field.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "approver"), "{writer:?} {path}");
            assert!(message.contains("ask for a waiver on the service page"), "{message}");
        }
        let refused = send(&app, Method::POST, "/api/v1/self-assessments", writer, Some(signed_off_answer())).await;
        let (status, field, _) = problem_field(refused).await;
        assert_eq!((status, field.as_str()), (StatusCode::UNPROCESSABLE_ENTITY, "reviewed_by"), "{writer:?}");
    }
    assert_eq!(app.count("exemption").await, 0);
    assert_eq!(app.count("self_assessment").await, 0);
    // An answer awaiting sign-off is the team's to give.
    let mut answer = signed_off_answer();
    answer[0].as_object_mut().expect("row").retain(|k, _| !k.starts_with("reviewed"));
    let answered = send(&app, Method::POST, "/api/v1/self-assessments", &editor, Some(answer)).await;
    assert_eq!(answered.status(), StatusCode::OK);

    // An admin imports an approval made elsewhere: kept, and shown as not verified here.
    let imported = send(&app, Method::POST, "/api/v1/exemptions", &admin, Some(exemption("cto@example.com"))).await;
    assert_eq!(imported.status(), StatusCode::OK);
    let origin = app.count("exemption WHERE approval_origin = 'imported'").await;
    assert_eq!(origin, 1, "stored as imported");
    let card = send(&app, Method::GET, "/api/v1/services/checkout/scorecard", &admin, None).await;
    let card = card.text().await.expect("scorecard");
    let card: Value = serde_json::from_str(&card).unwrap_or_else(|_| panic!("scorecard JSON: {card}"));
    let check =
        card["scorecards"][0]["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "active_slo").cloned();
    let check = check.expect("the check");
    assert_eq!(check["status"], "waived");
    let explanation = check["explanation"].as_str().unwrap_or_default();
    assert!(
        explanation.contains("approval by cto@example.com imported from another system, not verified in Plumbline"),
        "{explanation}"
    );
    let page = send(&app, Method::GET, "/services/checkout", &admin, None).await.text().await.expect("page");
    assert!(page.contains("imported from another system, not verified in Plumbline"), "the service page says so");
    app.cleanup().await;
}

#[tokio::test]
async fn approvals_are_made_by_their_approver_never_written_by_someone_else_on_postgres() {
    approvals_are_made_by_their_approver_never_written_by_someone_else(Backend::Postgres).await;
}

#[tokio::test]
async fn approvals_are_made_by_their_approver_never_written_by_someone_else_on_sqlite() {
    approvals_are_made_by_their_approver_never_written_by_someone_else(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_callback_no_sign_in_started_leaves_nothing_in_the_trail() {
    let app = oidc_app(Backend::Sqlite).await;
    let before = app.count("audit_event").await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    for query in [
        "error=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "error=access_denied&state=forged",
        "code=forged&state=forged",
        "error=x",
    ] {
        let answer = client.get(format!("{}/auth/callback?{query}", app.base)).send().await.expect("sent");
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST, "{query}");
        let bound = client
            .get(format!("{}/auth/callback?{query}", app.base))
            .header("cookie", "plumbline_login=forged")
            .send()
            .await
            .expect("sent");
        assert_eq!(bound.status(), StatusCode::BAD_REQUEST, "{query} with a binding cookie");
    }
    assert_eq!(app.count("audit_event").await, before, "only logged");
    app.cleanup().await;
}

/// A request body that sends `head`, then nothing until the returned sender is dropped.
fn held_body(head: &'static str) -> (reqwest::Body, tokio::sync::oneshot::Sender<()>) {
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let stream = futures::stream::unfold(Some((head, released)), |state| async move {
        let (head, released) = state?;
        if !head.is_empty() {
            return Some((Ok::<_, std::io::Error>(bytes::Bytes::from_static(head.as_bytes())), Some(("", released))));
        }
        let _ = released.await;
        None
    });
    (reqwest::Body::wrap_stream(stream), release)
}

async fn slow_uploads_hold_no_database_connection_or_lock(backend: Backend) {
    let app = spawn_app(backend).await;
    // More slow clients than the pool has connections, each stopped half-way through its body.
    let mut held = Vec::new();
    for n in 0..12 {
        let (body, release) = held_body("slug,name\nslow,Slow\n");
        let request = app
            .client
            .post(format!("{}/api/v1/teams?source=slow{n}", app.base))
            .header("content-type", "text/csv")
            .body(body)
            .send();
        held.push((tokio::spawn(request), release));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let quick = tokio::time::timeout(
        Duration::from_secs(10),
        app.post_json("teams", &json!([{"slug": "quick", "name": "Quick"}])),
    )
    .await
    .expect("an import finishes while slow clients are still sending");
    assert_eq!(quick.0, 200, "{}", quick.1);
    let (status, _) = tokio::time::timeout(Duration::from_secs(10), app.get("/readyz")).await.expect("ready answers");
    assert_eq!(status, 200);
    for (request, release) in held {
        drop(release);
        let answer = request.await.expect("joined").expect("answered");
        assert_eq!(answer.status(), StatusCode::OK);
    }
    assert_eq!(app.count("team").await, 2, "the slow uploads were applied once complete");
    app.cleanup().await;
}

#[tokio::test]
async fn slow_uploads_hold_no_database_connection_or_lock_on_postgres() {
    slow_uploads_hold_no_database_connection_or_lock(Backend::Postgres).await;
}

#[tokio::test]
async fn slow_uploads_hold_no_database_connection_or_lock_on_sqlite() {
    slow_uploads_hold_no_database_connection_or_lock(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let timeouts = server::serve::ConnectionTimeouts { header_read: Duration::from_millis(500) };
    let app = spawn_app_with(Backend::Sqlite, Options { connection_timeouts: timeouts, ..Options::default() }).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut slow = tokio::net::TcpStream::connect(&address).await.expect("connected");
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.expect("partial headers");
    let mut buffer = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut buffer)).await;
    assert!(closed.is_ok(), "the server closed the connection");
    // An idle kept-alive connection is closed too.
    let mut idle = tokio::net::TcpStream::connect(&address).await.expect("connected");
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.expect("request");
    let closed = tokio::time::timeout(Duration::from_secs(5), idle.read_to_end(&mut buffer)).await;
    assert!(closed.is_ok(), "an idle connection is closed");
    assert!(String::from_utf8_lossy(&buffer).contains("200 OK"), "the complete request was answered first");
    app.cleanup().await;
}

/// Posts incidents one per SEV1 row (`id`, `day` of 2026-07).
fn sev1(id: &str, day: u32) -> Value {
    json!([{"external_id": id, "title": id, "severity": "SEV1", "services": ["checkout"],
            "started_at": format!("2026-07-{day:02}T00:00:00Z")}])
}

#[tokio::test]
async fn an_import_that_starts_first_and_commits_last_is_seen_by_cached_figures() {
    use app::domain::ingest::{BodyFormat, RecordKind};
    use server::ingest::{Approvals, IngestRequest, ingest_body};
    let app = spawn_app(Backend::Postgres).await;
    assert_eq!(app.post_json("teams", &json!([{"slug": "payments", "name": "Payments"}])).await.0, 200);
    let service = json!([{"slug": "checkout", "name": "Checkout", "tier": 0, "team": "payments"}]);
    assert_eq!(app.post_json("services", &service).await.0, 200);
    let count = |body: Value| body["kpis"]["high_sev_count"].clone();
    assert_eq!(count(app.get("/api/v1/kpis?period=2026-Q3").await.1), 0);

    // Import A starts (its batch id and transaction taken), then waits for the rest of its body.
    let (release, released) = tokio::sync::oneshot::channel::<()>();
    let parts = futures::stream::unfold(0, |step| async move {
        match step {
            0 => Some((
                Ok::<_, std::io::Error>(bytes::Bytes::from("external_id,title,severity,services,started_at\n")),
                1,
            )),
            1 => Some((Ok(bytes::Bytes::from("INC-A,A,SEV1,checkout,2026-07-02T00:00:00Z\n")), 2)),
            _ => None,
        }
    });
    let held = futures::StreamExt::boxed(futures::StreamExt::then(parts, {
        let released = std::sync::Arc::new(tokio::sync::Mutex::new(Some(released)));
        move |part| {
            let released = released.clone();
            async move {
                if let Ok(bytes) = &part
                    && bytes.starts_with(b"INC-A")
                    && let Some(wait) = released.lock().await.take()
                {
                    let _ = wait.await;
                }
                part
            }
        }
    }));
    let request = IngestRequest {
        kind: RecordKind::Incidents,
        source: "api".into(),
        dry_run: false,
        file_name: None,
        actor: "test".into(),
        allowed_teams: None,
        readiness_items: None,
        approvals: Approvals::Refused,
    };
    let db = app.db.clone();
    let first =
        tokio::spawn(
            async move { ingest_body(&db, request, BodyFormat::Csv, held, 1 << 20, chrono::Utc::now()).await },
        );
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Import B starts later and commits first; the closed quarter's figures are cached after it.
    assert_eq!(app.post_json("incidents", &sev1("INC-B", 3)).await.0, 200);
    assert_eq!(count(app.get("/api/v1/kpis?period=2026-Q3").await.1), 1);
    drop(release);
    first.await.expect("joined").expect("import A applied");
    assert_eq!(count(app.get("/api/v1/kpis?period=2026-Q3").await.1), 2, "A's incident is counted once it commits");
    app.cleanup().await;
}

async fn a_snapshot_is_computed_from_one_data_version_and_published_once(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.post_json("teams", &json!([{"slug": "payments", "name": "Payments"}])).await.0, 200);
    let service = json!([{"slug": "checkout", "name": "Checkout", "tier": 0, "team": "payments"}]);
    assert_eq!(app.post_json("services", &service).await.0, 200);
    assert_eq!(app.post_json("incidents", &sev1("INC-0", 1)).await.0, 200);
    let start = server::db::data_version(&app.db).await.expect("version");
    // Imports keep landing in the quarter while it is published, one SEV1 incident each.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let importer = {
        let (base, stop) = (app.base.clone(), stop.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut n = 1;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 200 {
                let rows = sev1(&format!("INC-{n}"), 1 + n % 28);
                let sent = client.post(format!("{base}/api/v1/incidents")).json(&rows).send().await.expect("sent");
                assert!(sent.status().is_success() || sent.status() == StatusCode::SERVICE_UNAVAILABLE);
                n += 1;
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let publish =
        || app.client.post(format!("{}/api/v1/snapshots", app.base)).json(&json!({"period": "2026-Q3"})).send();
    let (first, second) = tokio::join!(publish(), publish());
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    importer.await.expect("importer");
    let mut statuses = vec![first.expect("sent").status(), second.expect("sent").status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::CREATED, StatusCode::CONFLICT], "one publish wins, the other is told why");
    let (status, snapshot) = app.get("/api/v1/snapshots/2026-Q3").await;
    assert_eq!(status, 200);
    let version = snapshot["data_version"].as_i64().expect("the snapshot records its data version");
    assert!(snapshot["audit_head"]["seq"].as_i64().is_some(), "and the audit head");
    // Each import counted up to that version added one SEV1 incident: every part agrees.
    let expected = 1 + (version - start);
    assert_eq!(snapshot["org"]["high_sev_count"].as_i64(), Some(expected), "org");
    assert_eq!(snapshot["teams"]["payments"]["high_sev_count"].as_i64(), Some(expected), "team");
    assert_eq!(snapshot["tiers"]["0"]["high_sev_count"].as_i64(), Some(expected), "tier");
    assert_eq!(snapshot["report"]["major_incidents_total"].as_i64(), Some(expected), "report");
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_is_computed_from_one_data_version_and_published_once_on_postgres() {
    a_snapshot_is_computed_from_one_data_version_and_published_once(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_is_computed_from_one_data_version_and_published_once_on_sqlite() {
    a_snapshot_is_computed_from_one_data_version_and_published_once(Backend::Sqlite).await;
}

async fn removal_at_the_provider_and_disabling_take_effect(backend: Backend) {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
    use server::entities::{app_user, role_grant};
    let app = oidc_app(backend).await;
    let admin = Credential::Cookie(signed_in(&app, "alice@example.test", &["admin"], &[], false).await);
    // Victor's viewer role came from the provider's groups at his last sign-in.
    let victor_session = signed_in(&app, "victor@example.test", &[], &[], false).await;
    let victor = app_user::Entity::find()
        .filter(app_user::Column::Email.eq("victor@example.test"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("victor");
    role_grant::ActiveModel {
        user_id: Set(victor.id),
        role: Set("viewer".into()),
        source: Set("idp".into()),
        granted_by: Set("idp:test".into()),
        granted_at: Set(victor.last_login_at),
        expires_at: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("grant");
    let victor_token = token(&app, &[TokenScope::Read], None).await;
    let mut owned: server::entities::api_token::ActiveModel =
        server::entities::api_token::Entity::find().one(&app.db).await.expect("query").expect("the token").into();
    owned.owner_user_id = Set(Some(victor.id));
    owned.update(&app.db).await.expect("owned by victor");
    let as_victor = Credential::Cookie(victor_session.clone());
    let by_token = Credential::Bearer(victor_token.clone());
    for who in [&as_victor, &by_token] {
        assert_eq!(send(&app, Method::GET, "/api/v1/kpis", who, None).await.status(), StatusCode::OK, "{who:?}");
    }
    // He has not signed in for longer than the provider's grants last: they lapse, and his
    // token loses what it had through them.
    let mut stale: app_user::ActiveModel = victor.clone().into();
    stale.last_login_at = Set(chrono::Utc::now() - chrono::TimeDelta::days(31));
    stale.update(&app.db).await.expect("stale");
    for who in [&as_victor, &by_token] {
        let status = send(&app, Method::GET, "/api/v1/kpis", who, None).await.status();
        assert!([StatusCode::FORBIDDEN, StatusCode::UNAUTHORIZED].contains(&status), "{who:?}: {status}");
    }
    let mut fresh: app_user::ActiveModel = victor.clone().into();
    fresh.last_login_at = Set(chrono::Utc::now());
    fresh.update(&app.db).await.expect("fresh");
    assert_eq!(send(&app, Method::GET, "/api/v1/kpis", &as_victor, None).await.status(), StatusCode::OK);

    // An admin disables him: his session and token stop at once, and it is in the trail.
    let path = format!("/api/v1/users/{}/disable", victor.id);
    assert_eq!(send(&app, Method::POST, &path, &admin, None).await.status(), StatusCode::NO_CONTENT);
    for who in [&as_victor, &by_token] {
        let status = send(&app, Method::GET, "/api/v1/kpis", who, None).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{who:?}");
    }
    assert_eq!(app.count("audit_event WHERE action = 'user.disabled'").await, 1);
    // Nobody disables themselves, and a viewer disables nobody.
    let alice = app_user::Entity::find()
        .filter(app_user::Column::Email.eq("alice@example.test"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("alice");
    let own = send(&app, Method::POST, &format!("/api/v1/users/{}/disable", alice.id), &admin, None).await;
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    let enable = format!("/api/v1/users/{}/enable", victor.id);
    assert_eq!(send(&app, Method::POST, &enable, &admin, None).await.status(), StatusCode::NO_CONTENT);
    let stored = app_user::Entity::find_by_id(victor.id).one(&app.db).await.expect("query").expect("victor");
    assert!(stored.disabled_at.is_none());
    assert_eq!(
        send(&app, Method::GET, "/api/v1/kpis", &by_token, None).await.status(),
        StatusCode::UNAUTHORIZED,
        "tokens stay revoked"
    );
    // The Access page does the same, and says who is disabled.
    let Credential::Cookie(alice_session) = &admin else { unreachable!() };
    let id = victor.id.to_string();
    let (status, _) =
        crate::waivers::call(&app, alice_session, "set_user_disabled", &[("user_id", &id), ("disabled", "true")]).await;
    assert_eq!(status, 200);
    let stored = app_user::Entity::find_by_id(victor.id).one(&app.db).await.expect("query").expect("victor");
    assert!(stored.disabled_at.is_some(), "disabled from the page");
    let page = send(&app, Method::GET, "/access", &admin, None).await.text().await.expect("page");
    assert!(page.contains("Disabled "), "the Access page shows the user disabled");
    let own = alice.id.to_string();
    let (status, _) =
        crate::waivers::call(&app, alice_session, "set_user_disabled", &[("user_id", &own), ("disabled", "true")])
            .await;
    assert_eq!(status, 403, "not oneself");
    app.cleanup().await;
}

#[tokio::test]
async fn removal_at_the_provider_and_disabling_take_effect_on_postgres() {
    removal_at_the_provider_and_disabling_take_effect(Backend::Postgres).await;
}

#[tokio::test]
async fn removal_at_the_provider_and_disabling_take_effect_on_sqlite() {
    removal_at_the_provider_and_disabling_take_effect(Backend::Sqlite).await;
}

#[tokio::test]
async fn smaller_items_of_the_review_hold() {
    let app = oidc_app(Backend::Sqlite).await;
    let auditor = signed_in(&app, "ada@example.test", &["auditor"], &[], false).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    // Reads that write audit events are refused cross-site, served same-origin.
    for path in ["/api/v1/audit/export.csv", "/api/v1/evidence?from=2026-07-01&to=2026-09-30"] {
        let get = |site: &'static str| {
            client
                .get(format!("{}{path}", app.base))
                .header("cookie", format!("plumbline_session={auditor}"))
                .header("sec-fetch-site", site)
                .send()
        };
        assert_eq!(get("cross-site").await.expect("sent").status(), StatusCode::FORBIDDEN, "{path}");
        let same = get("same-origin").await.expect("sent");
        assert_eq!(same.status(), StatusCode::OK, "{path}");
        // Authenticated answers are never cached.
        assert_eq!(same.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "{path}");
    }
    let kpis = client
        .get(format!("{}/api/v1/kpis", app.base))
        .header("cookie", format!("plumbline_session={auditor}"))
        .send()
        .await
        .expect("sent");
    assert_eq!(kpis.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    // A token asked for without an expiry gets one, a year away.
    let created = send(
        &app,
        Method::POST,
        "/api/v1/tokens",
        &Credential::Cookie(auditor.clone()),
        Some(json!({"name": "ci", "scopes": ["read"]})),
    )
    .await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let body: Value = created.json().await.expect("token");
    let expires = body["expires_at"].as_str().expect("an expiry");
    let expires = chrono::DateTime::parse_from_rfc3339(expires).expect("instant");
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_days();
    assert!((364..=365).contains(&days), "{days}");
    app.cleanup().await;
}

#[tokio::test]
async fn a_token_made_in_local_mode_stops_once_sign_in_is_configured() {
    use server::auth::manage;
    use server::auth::tokens::NewToken;
    let local = spawn_app(Backend::Postgres).await;
    let new =
        NewToken { name: "made locally".into(), scopes: [TokenScope::Read].into(), teams: None, expires_in: None };
    let created =
        manage::create_token(&local.db, &app::domain::access::Principal::local_admin(), new, chrono::Utc::now())
            .await
            .expect("token");
    let read = |app: &TestApp, token: &str| {
        app.client.get(format!("{}/api/v1/kpis", app.base)).header("authorization", format!("Bearer {token}")).send()
    };
    assert_eq!(read(&local, &created.token).await.expect("sent").status(), StatusCode::OK);
    // The same database, with sign-in configured: the token is refused.
    let now = chrono::Utc::now();
    let local_mode = server::auth::AuthMode::Local;
    let known = server::auth::tokens::authenticate(&local.db, &created.token, now, &local_mode).await.expect("query");
    assert!(known.is_some());
    let signed = crate::access::oidc_mode();
    let refused = server::auth::tokens::authenticate(&local.db, &created.token, now, &signed).await.expect("query");
    assert!(refused.is_none(), "refused once sign-in is configured");
    local.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_imports_of_overlapping_keys_end_with_the_last_write_per_key() {
    use std::collections::HashMap;
    let app = spawn_app(Backend::Postgres).await;
    assert_eq!(app.post_json("teams", &json!([{"slug": "payments", "name": "Payments"}])).await.0, 200);
    let services = json!([{"slug": "checkout", "name": "Checkout", "tier": 0, "team": "payments"},
                          {"slug": "wallet", "name": "Wallet", "tier": 1, "team": "payments"}]);
    assert_eq!(app.post_json("services", &services).await.0, 200);
    // 32 clients, each sending batches of 20 incidents drawn from 40 shared ids.
    let clients: Vec<_> = (0..32u64)
        .map(|client| {
            let base = app.base.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let mut sent = Vec::new();
                for request in 0..8u64 {
                    let title = format!("c{client}-r{request}");
                    let ids: Vec<u64> = (0..20).map(|i| (client * 7 + request * 13 + i * 3) % 40).collect();
                    let mut ids = ids;
                    ids.sort_unstable();
                    ids.dedup();
                    let rows: Vec<Value> = ids
                        .iter()
                        .map(|id| {
                            let service = if (id + request) % 2 == 0 { "checkout" } else { "wallet" };
                            json!({"external_id": format!("INC-{id}"), "title": title, "severity": "SEV2",
                                   "services": [service], "started_at": "2026-07-01T00:00:00Z"})
                        })
                        .collect();
                    let answer = http.post(format!("{base}/api/v1/incidents")).json(&rows).send().await.expect("sent");
                    let status = answer.status();
                    let retry = answer.headers().contains_key("retry-after");
                    let body: Value = answer.json().await.unwrap_or(Value::Null);
                    sent.push((status, retry, body["batch_id"].as_i64(), title, ids));
                }
                sent
            })
        })
        .collect();
    let mut applied: HashMap<i64, (String, Vec<u64>)> = HashMap::new();
    for client in clients {
        for (status, retry, batch, title, ids) in client.await.expect("joined") {
            assert!(!status.is_server_error() || (status == StatusCode::SERVICE_UNAVAILABLE && retry), "{status}");
            if status == StatusCode::OK {
                applied.insert(batch.expect("a batch id"), (title, ids));
            }
        }
    }
    assert!(applied.len() > 200, "most imports applied: {}", applied.len());
    // Commit order: the audit trail's sequence (appended under a lock held until commit).
    let seq_of: HashMap<i64, i64> = sea_orm::ConnectionTrait::query_all_raw(
        &app.db,
        sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            "SELECT seq, target FROM audit_event WHERE action = 'import.applied'",
        ),
    )
    .await
    .expect("events")
    .into_iter()
    .filter_map(|row| {
        let target: String = row.try_get("", "target").ok()?;
        let batch = target.strip_prefix("import_batch:")?.parse().ok()?;
        Some((batch, row.try_get::<i64>("", "seq").ok()?))
    })
    .collect();
    let (status, stored) = app.get("/api/v1/incidents?limit=100").await;
    assert_eq!(status, 200);
    for id in 0..40u64 {
        let last = applied
            .iter()
            .filter(|(_, (_, ids))| ids.contains(&id))
            .max_by_key(|(batch, _)| seq_of.get(*batch).copied().unwrap_or(-1))
            .map(|(_, (title, _))| title.clone());
        let Some(expected) = last else { continue };
        let stored_title = stored["items"]
            .as_array()
            .and_then(|items| items.iter().find(|i| i["external_id"] == format!("INC-{id}")))
            .map(|i| i["title"].as_str().unwrap_or_default().to_owned());
        assert_eq!(stored_title.as_deref(), Some(expected.as_str()), "INC-{id} holds the last write");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn a_misspelt_import_parameter_is_refused_and_writes_nothing() {
    let app = spawn_app(Backend::Sqlite).await;
    let teams = json!([{"slug": "payments", "name": "Payments"}]).to_string();
    let response = app.post_query("teams", "?dryrun=true", "application/json", teams.clone()).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.expect("problem document");
    assert!(problem["detail"].as_str().unwrap_or_default().contains("unknown parameter 'dryrun'"), "{problem}");
    let (_, listed) = app.get("/api/v1/teams").await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(0), "nothing written: {listed}");
    let response = app.post_query("teams", "?dry_run=true", "application/json", teams).await;
    assert_eq!(response.status(), StatusCode::OK, "the right spelling is accepted");
}

/// Two replicas starting together on an empty Postgres database: both migrate without error
/// (they take turns on an advisory lock, the second finding the work done), each needing no
/// more than the one connection a pool of size 1 gives it, and every migration is recorded once.
/// Three fresh databases, since a race may not show the first time.
#[tokio::test]
async fn replicas_starting_together_on_an_empty_database_both_migrate() {
    use migrations::MigratorTrait;
    use sea_orm::{ConnectionTrait, Database};
    use server::db::DatabaseTarget;

    let admin = crate::helpers::admin_url();
    let conn = Database::connect(&admin).await.expect("Postgres is reachable for tests");
    for attempt in 0..3 {
        let name = format!(
            "plumbline_test_replicas_{}_{attempt}_{}",
            std::process::id(),
            chrono::Utc::now().timestamp_micros()
        );
        conn.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
        let target = DatabaseTarget::Url(crate::helpers::with_database(&admin, &name));
        let (a, b) = (
            server::db::connect_with_pool(&target, 1).await.expect("replica A connects"),
            server::db::connect_with_pool(&target, 1).await.expect("replica B connects"),
        );
        let (first, second) = tokio::join!(server::db::migrate(&a), server::db::migrate(&b));
        first.expect("replica A migrates");
        second.expect("replica B migrates");
        let recorded = a
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Postgres,
                "SELECT COUNT(*) AS n FROM seaql_migrations".to_owned(),
            ))
            .await
            .expect("count")
            .and_then(|row| row.try_get::<i64>("", "n").ok());
        assert_eq!(recorded, Some(migrations::Migrator::migrations().len() as i64));
        a.close().await.ok();
        b.close().await.ok();
        conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok();
    }
}
