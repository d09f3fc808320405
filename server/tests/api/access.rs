//! Identity and access through the HTTP API in identity-provider mode. The provider itself is
//! not contacted here (the browser test in end2end/ signs in through a real one): users, grants
//! and sessions are made in the database exactly as a sign-in makes them.
//!
//! The RBAC matrix walks every REST route of `server::routes::route_specs()` (the list the
//! router is built from), every Leptos server function and every page, for every kind of caller.

use std::collections::BTreeSet;
use std::sync::Arc;

use app::domain::access::{Access, Principal, TokenScope};
use chrono::{TimeDelta, Utc};
use reqwest::{Method, StatusCode};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use serde_json::{Value, json};
use server::auth::oidc::{OidcConfig, OidcSettings};
use server::auth::tokens::{self, NewToken};
use server::auth::{AuthMode, SessionPolicy, sessions};
use server::entities::{app_user, role_grant, team_membership};

use crate::helpers::{Backend, Options, TestApp, spawn_app_with};

pub fn oidc_mode() -> AuthMode {
    AuthMode::Oidc(Arc::new(OidcSettings::new(OidcConfig {
        // Never contacted by these tests.
        issuer: "http://127.0.0.1:9".into(),
        client_id: "plumbline".into(),
        client_secret: "not-a-secret".into(),
        public_url: "http://127.0.0.1:9".into(),
        groups_claim: "groups".into(),
        roles: Default::default(),
        team_prefix: "team:".into(),
        sign_ins_per_minute: 30,
        idp_grant_lapse: chrono::TimeDelta::days(30),
    })))
}

pub async fn oidc_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Options { auth: oidc_mode(), ..Options::default() }).await
}

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Credential {
    None,
    Cookie(String),
    Bearer(String),
}

/// A user with these grants (`expired` makes every grant already expired) and team memberships,
/// signed in: returns the session cookie value.
pub async fn signed_in(app: &TestApp, email: &str, roles: &[&str], teams: &[&str], expired: bool) -> String {
    let now = Utc::now();
    let user = app_user::ActiveModel {
        subject: Set(format!("test|{email}")),
        name: Set(email.split('@').next().unwrap_or(email).to_owned()),
        email: Set(Some(email.to_owned())),
        groups: Set("[]".into()),
        created_at: Set(now),
        last_login_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("user");
    for role in roles {
        role_grant::ActiveModel {
            user_id: Set(user.id),
            role: Set((*role).to_owned()),
            source: Set("admin".into()),
            granted_by: Set("test".into()),
            granted_at: Set(now - TimeDelta::days(30)),
            expires_at: Set(expired.then(|| now - TimeDelta::days(1))),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .expect("grant");
    }
    for team in teams {
        team_membership::ActiveModel {
            user_id: Set(user.id),
            team_slug: Set((*team).to_owned()),
            source: Set("idp".into()),
            ..Default::default()
        }
        .insert(&app.db)
        .await
        .expect("membership");
    }
    sessions::start(&app.db, user.id, &SessionPolicy::default(), now).await.expect("session")
}

pub async fn token(app: &TestApp, scopes: &[TokenScope], teams: Option<&[&str]>) -> String {
    let new = NewToken {
        name: "pipeline".into(),
        scopes: scopes.iter().copied().collect(),
        teams: teams.map(|t| t.iter().map(|s| (*s).to_owned()).collect::<BTreeSet<_>>()),
        expires_in: None,
    };
    tokens::create(&app.db, &Principal::local_admin(), None, new, false, Utc::now()).await.expect("token").token
}

pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    credential: &Credential,
    body: Option<Value>,
) -> reqwest::Response {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let mut request = client.request(method, format!("{}{path}", app.base));
    request = match credential {
        Credential::None => request,
        Credential::Cookie(value) => request.header("cookie", format!("plumbline_session={value}")),
        Credential::Bearer(value) => request.header("authorization", format!("Bearer {value}")),
    };
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_string());
    }
    request.send().await.expect("request sent")
}

/// A concrete path and a harmless body for a route pattern.
fn concrete(method: &Method, path: &str) -> (String, Option<Value>) {
    // Writes use a kind an editor may write (teams are admin-only; tested on their own).
    let kind = if method == Method::POST { "slos" } else { "teams" };
    let path = path
        .replace("{kind}", kind)
        .replace("{kpi}", "mttr")
        .replace("{slug}", "checkout")
        .replace("{period}", "2026-Q3")
        .replace("{id}", "999999");
    let body = match (method.as_str(), path.as_str()) {
        ("POST", "/api/v1/tokens") => Some(json!({"name": "matrix", "scopes": ["read"]})),
        ("POST", "/api/v1/snapshots") => Some(json!({"period": "2026-Q3"})),
        ("POST", p) if p.ends_with("/grants") => Some(json!({"role": "viewer"})),
        ("POST", _) => Some(json!([])),
        _ => None,
    };
    (path, body)
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Who {
    Anonymous,
    Viewer,
    Editor,
    Auditor,
    ExpiredAuditor,
    NoRole,
    Admin,
    ReadToken,
    IngestToken,
}

/// The expected decision, written out independently of the code under test.
fn allowed(who: Who, method: &Method, access: Access, path: &str) -> bool {
    use Who::*;
    let token = matches!(who, ReadToken | IngestToken);
    match access {
        Access::Public => true,
        // The matrix creates a read token, which needs read access.
        Access::Person if path == "/api/v1/tokens" && method == Method::POST => {
            matches!(who, Viewer | Editor | Auditor | Admin)
        }
        // Tokens cannot manage tokens.
        Access::Person => who != Anonymous && !token,
        Access::SignedIn => who != Anonymous,
        Access::Read => matches!(who, Viewer | Editor | Auditor | Admin | ReadToken),
        Access::Ingest => matches!(who, Editor | Admin | IngestToken),
        Access::Audit => matches!(who, Auditor | Admin),
        Access::Admin => who == Admin,
        // The matrix calls from this machine without a proxy: a local scraper needs no token
        // (the metrics tests cover callers behind a proxy).
        Access::Metrics => true,
    }
}

async fn every_route_answers_every_caller_as_the_access_rules_say(backend: Backend) {
    let app = oidc_app(backend).await;
    let callers = [
        (Who::Anonymous, Credential::None),
        (Who::Viewer, Credential::Cookie(signed_in(&app, "victor@example.test", &["viewer"], &[], false).await)),
        (Who::Editor, Credential::Cookie(signed_in(&app, "eve@example.test", &["editor"], &["payments"], false).await)),
        (Who::Auditor, Credential::Cookie(signed_in(&app, "ada@example.test", &["auditor"], &[], false).await)),
        (Who::ExpiredAuditor, Credential::Cookie(signed_in(&app, "old@example.test", &["auditor"], &[], true).await)),
        (Who::NoRole, Credential::Cookie(signed_in(&app, "nobody@example.test", &[], &[], false).await)),
        (Who::Admin, Credential::Cookie(signed_in(&app, "alice@example.test", &["admin"], &[], false).await)),
        (Who::ReadToken, Credential::Bearer(token(&app, &[TokenScope::Read], None).await)),
        (Who::IngestToken, Credential::Bearer(token(&app, &[TokenScope::Ingest], None).await)),
    ];
    // The REST routes, the server functions and the pages, each with the access it needs.
    let mut routes: Vec<(Method, String, Access)> = server::routes::route_specs()
        .iter()
        .map(|s| (Method::from_bytes(s.method.as_str().as_bytes()).expect("method"), s.path.to_owned(), s.access))
        .collect();
    // Pages and server functions need read access unless the table asks for more.
    let beyond_read = |path: &str| {
        server::routes::PAGE_AND_FUNCTION_ACCESS.iter().find(|(p, _)| *p == path).map_or(Access::Read, |(_, a)| *a)
    };
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        let method = Method::from_bytes(method.as_str().as_bytes()).expect("method");
        routes.push((method, path.to_owned(), beyond_read(path)));
    }
    for route in server::startup::page_routes() {
        routes.push((Method::GET, route.path().to_owned(), beyond_read(route.path())));
    }
    assert!(routes.len() > 25, "the route list is complete: {routes:?}");
    // Signing out ends the caller's session: do it last.
    routes.sort_by_key(|(_, path, _)| path == "/auth/logout");
    // The table the gate reads, written out here independently: a route added, removed or given
    // another rule must be reviewed here too.
    use Access::*;
    let golden: [(&str, &str, Access); 58] = [
        ("GET", "/healthz", Public),
        ("GET", "/readyz", Public),
        ("GET", "/unsubscribe/{token}", Public),
        ("POST", "/unsubscribe/{token}", Public),
        ("GET", "/calendar/{token}", Public),
        ("GET", "/metrics", Metrics),
        // The site's script, module and stylesheet: the sign-in pages need them too.
        ("GET", "/pkg/{file}", Public),
        ("GET", "/auth/login", Public),
        ("GET", "/auth/callback", Public),
        ("POST", "/auth/logout", Public),
        ("GET", "/auth/signed-out", Public),
        // The API's description: no data, so public like the sign-in pages.
        ("GET", "/api/v1/openapi.json", Public),
        ("GET", "/api/v1/me", SignedIn),
        ("GET", "/api/v1/tokens", Person),
        ("POST", "/api/v1/tokens", Person),
        ("DELETE", "/api/v1/tokens/{id}", Person),
        ("GET", "/api/v1/users", Admin),
        ("POST", "/api/v1/users/{id}/grants", Admin),
        ("POST", "/api/v1/users/{id}/disable", Admin),
        ("POST", "/api/v1/users/{id}/enable", Admin),
        ("DELETE", "/api/v1/grants/{id}", Admin),
        ("GET", "/api/v1/audit", Audit),
        ("GET", "/api/v1/audit/verify", Audit),
        ("GET", "/api/v1/audit/export.csv", Audit),
        ("GET", "/api/v1/audit/checkpoints", Audit),
        ("GET", "/api/v1/evidence", Audit),
        // The key packs and checkpoints are signed with: public so anyone can check them.
        ("GET", "/api/v1/evidence/public-key", Public),
        ("GET", "/api/v1/evidence/control-tests", Audit),
        ("GET", "/api/v1/jobs", Admin),
        ("POST", "/api/v1/jobs/{id}/retry", Admin),
        ("GET", "/api/v1/kpis", Read),
        ("GET", "/api/v1/kpis/trend", Read),
        ("GET", "/api/v1/kpis/rollups", Read),
        ("GET", "/api/v1/kpis/{kpi}/population", Read),
        ("GET", "/api/v1/kpis/{kpi}/population.csv", Read),
        ("GET", "/api/v1/scorecards", Read),
        ("GET", "/api/v1/services/{slug}/scorecard", Read),
        ("GET", "/api/v1/services/{slug}/history", Read),
        ("GET", "/api/v1/scorecards/movers", Read),
        ("GET", "/api/v1/forecast", Read),
        ("GET", "/api/v1/teams/{slug}/forecast.ics", Read),
        ("GET", "/api/v1/campaigns", Read),
        ("POST", "/api/v1/campaigns", Admin),
        ("GET", "/api/v1/campaigns/{slug}", Read),
        ("GET", "/api/v1/snapshots", Read),
        ("POST", "/api/v1/snapshots", Admin),
        ("GET", "/api/v1/snapshots/{period}", Read),
        ("GET", "/api/v1/snapshots/{period}/restatements", Read),
        ("GET", "/api/v1/{kind}", Read),
        ("POST", "/api/v1/{kind}", Ingest),
        // Alertmanager's webhook receiver: an ingest token in its http_config.
        ("POST", "/api/v1/alertmanager", Ingest),
        ("GET", "/audit", Audit),
        ("GET", "/evidence", Audit),
        ("GET", "/samples", Audit),
        ("GET", "/access", Admin),
        ("GET", "/jobs", Admin),
        ("GET", "/notifications", Admin),
        ("GET", "/tokens", Person),
    ];
    let mut table: Vec<(String, String, Access)> = server::routes::route_specs()
        .iter()
        .map(|s| (s.method.to_string(), s.path.to_owned(), s.access))
        .chain(
            server::routes::PAGE_AND_FUNCTION_ACCESS
                .iter()
                .filter(|(p, _)| !p.starts_with("/api/"))
                .map(|(p, a)| ("GET".to_owned(), (*p).to_owned(), *a)),
        )
        .collect();
    let mut expected: Vec<(String, String, Access)> =
        golden.iter().map(|(m, p, a)| ((*m).to_owned(), (*p).to_owned(), *a)).collect();
    table.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    expected.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    assert_eq!(table, expected, "the access table changed: review it and update this list");
    let functions: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_owned()).collect();
    assert_eq!(
        functions,
        BTreeSet::from(
            [
                "/api/access_users",
                "/api/answer_readiness",
                "/api/api_tokens",
                "/api/audit_events",
                "/api/campaign",
                "/api/campaigns",
                "/api/control_tests",
                "/api/create_sample",
                "/api/create_api_token",
                "/api/create_campaign",
                "/api/end_subscription",
                "/api/follow_state",
                "/api/follow_team",
                "/api/decide_waiver",
                "/api/grant_role",
                "/api/import",
                "/api/import_history",
                "/api/jobs",
                "/api/kpis",
                "/api/notifications",
                "/api/org_overview",
                "/api/overview",
                "/api/population",
                "/api/publish_report",
                "/api/report",
                "/api/reports",
                "/api/restatements",
                "/api/request_waiver",
                "/api/review_sample",
                "/api/samples",
                "/api/revoke_api_token",
                "/api/retry_job",
                "/api/revoke_grant",
                "/api/service",
                "/api/service_waivers",
                "/api/services",
                "/api/set_user_disabled",
                "/api/sign_off_readiness",
                "/api/subscribe",
                "/api/team",
                "/api/team_campaigns",
                "/api/team_oncall",
                "/api/team_readiness",
                "/api/teams",
                "/api/triage_alert",
                "/api/triage_rule",
                "/api/update_campaign",
                "/api/viewer",
                "/api/waiver_requests"
            ]
            .map(str::to_owned)
        )
    );
    let pages: BTreeSet<String> = server::startup::page_routes().iter().map(|r| r.path().to_owned()).collect();
    assert_eq!(
        pages,
        BTreeSet::from(
            [
                "/",
                "/access",
                "/audit",
                "/campaigns",
                "/campaigns/{slug}",
                "/evidence",
                "/import",
                "/jobs",
                "/kpis",
                "/kpis/{kpi}",
                "/notifications",
                "/reports",
                "/reports/{period}",
                "/restatements/{period}",
                "/samples",
                "/services",
                "/services/{slug}",
                "/teams",
                "/teams/{slug}",
                "/teams/{slug}/oncall",
                "/teams/{slug}/self-assessment",
                "/tokens",
                "/waivers",
            ]
            .map(str::to_owned)
        )
    );
    // A few rules the table itself must keep.
    let rule = |method: &str, path: &str| {
        routes.iter().find(|(m, p, _)| m.as_str() == method && p == path).map(|(_, _, a)| *a)
    };
    assert_eq!(rule("POST", "/api/v1/{kind}"), Some(Access::Ingest));
    assert_eq!(rule("POST", "/api/v1/snapshots"), Some(Access::Admin));
    assert_eq!(rule("GET", "/api/v1/kpis"), Some(Access::Read));
    assert_eq!(rule("POST", "/api/v1/users/{id}/grants"), Some(Access::Admin));
    assert_eq!(rule("GET", "/healthz"), Some(Access::Public));
    assert_eq!(rule("GET", "/audit"), Some(Access::Audit));
    assert_eq!(rule("POST", "/api/audit_events"), Some(Access::Audit));
    assert_eq!(rule("POST", "/api/import"), Some(Access::Ingest));

    let mut failures = Vec::new();
    // The report's PDF shares its page's pattern (and so its rule): check it as well, first
    // (signing out comes last).
    let report_pdf = (Method::GET, "/reports/{period}.pdf".to_owned(), beyond_read("/reports/{period}"));
    for (method, pattern, access) in std::iter::once(&report_pdf).chain(&routes) {
        let (path, body) = concrete(method, pattern);
        for (who, credential) in &callers {
            let status = send(&app, method.clone(), &path, credential, body.clone()).await.status();
            let expected = allowed(*who, method, *access, &path);
            let denied = status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN;
            // An anonymous page view is sent to sign in instead.
            let redirected_to_sign_in = status == StatusCode::SEE_OTHER
                && *method == Method::GET
                && !path.starts_with("/api/")
                && !path.starts_with("/auth/");
            let ok = if expected {
                !denied && !redirected_to_sign_in
            } else if *who == Who::Anonymous {
                status == StatusCode::UNAUTHORIZED || redirected_to_sign_in
            } else {
                status == StatusCode::FORBIDDEN
            };
            if !ok {
                failures.push(format!("{method} {path} as {who:?} ({access:?}): {status}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} wrong answers:\n{}", failures.len(), failures.join("\n"));
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_access_rules_say_on_postgres() {
    every_route_answers_every_caller_as_the_access_rules_say(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_caller_as_the_access_rules_say_on_sqlite() {
    every_route_answers_every_caller_as_the_access_rules_say(Backend::Sqlite).await;
}

async fn tokens_are_stored_hashed_and_stop_working_when_revoked_or_expired(app: &TestApp) {
    let admin = Credential::Cookie(signed_in(app, "alice@example.test", &["admin"], &[], false).await);
    let created =
        send(app, Method::POST, "/api/v1/tokens", &admin, Some(json!({"name": "ci", "scopes": ["read"]}))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    let created: Value = created.json().await.expect("json");
    let secret = created["token"].as_str().expect("token shown once").to_owned();
    assert!(secret.starts_with("plb_"));
    let id = created["id"].as_i64().expect("id");

    // No column of the token table holds the secret.
    let row = app
        .db
        .query_one_raw(sea_orm::Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT name, prefix, token_hash, scopes, created_by FROM api_token WHERE id = {id}"),
        ))
        .await
        .expect("query")
        .expect("row");
    for column in ["name", "prefix", "token_hash", "scopes", "created_by"] {
        let value: String = row.try_get("", column).expect("text");
        assert!(!value.contains(&secret), "{column} holds the token");
    }
    let listed = send(app, Method::GET, "/api/v1/tokens", &admin, None).await.text().await.expect("body");
    assert!(!listed.contains(&secret), "listings never show the secret");

    let bearer = Credential::Bearer(secret.clone());
    assert_eq!(send(app, Method::GET, "/api/v1/kpis?period=2026-Q3", &bearer, None).await.status(), StatusCode::OK);
    let listed: Value = send(app, Method::GET, "/api/v1/tokens", &admin, None).await.json().await.expect("json");
    assert!(listed[0]["last_used_at"].is_string(), "last use is recorded: {listed}");

    assert_eq!(
        send(app, Method::DELETE, &format!("/api/v1/tokens/{id}"), &admin, None).await.status(),
        StatusCode::NO_CONTENT
    );
    let revoked = send(app, Method::GET, "/api/v1/kpis?period=2026-Q3", &bearer, None).await;
    assert_eq!(revoked.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(revoked.headers().get("www-authenticate").and_then(|v| v.to_str().ok()), Some("Bearer"));

    let expiring = token(app, &[TokenScope::Read], None).await;
    let past = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            "UPDATE api_token SET expires_at = now() - interval '1 minute' WHERE revoked_at IS NULL"
        }
        _ => "UPDATE api_token SET expires_at = '2000-01-01 00:00:00+00:00' WHERE revoked_at IS NULL",
    };
    app.db.execute_unprepared(past).await.expect("expire");
    let expired = send(app, Method::GET, "/api/v1/kpis?period=2026-Q3", &Credential::Bearer(expiring), None).await;
    assert_eq!(expired.status(), StatusCode::UNAUTHORIZED);
    let garbage = send(app, Method::GET, "/api/v1/kpis", &Credential::Bearer("plb_nope".into()), None).await;
    assert_eq!(garbage.status(), StatusCode::UNAUTHORIZED);
}

async fn an_editor_token_cannot_reach_beyond_its_creator(app: &TestApp) {
    let editor = Credential::Cookie(signed_in(app, "eve@example.test", &["editor"], &["payments"], false).await);
    let outside = json!({"name": "x", "scopes": ["ingest"], "teams": ["search"]});
    assert_eq!(send(app, Method::POST, "/api/v1/tokens", &editor, Some(outside)).await.status(), StatusCode::FORBIDDEN);
    let own =
        send(app, Method::POST, "/api/v1/tokens", &editor, Some(json!({"name": "x", "scopes": ["ingest"]}))).await;
    assert_eq!(own.status(), StatusCode::CREATED);
    let own: Value = own.json().await.expect("json");
    assert_eq!(own["teams"], json!(["payments"]), "limited to the editor's teams by default");
    let viewer = Credential::Cookie(signed_in(app, "victor@example.test", &["viewer"], &[], false).await);
    let ingest = json!({"name": "x", "scopes": ["ingest"]});
    assert_eq!(send(app, Method::POST, "/api/v1/tokens", &viewer, Some(ingest)).await.status(), StatusCode::FORBIDDEN);
    // Another user's token is not theirs to revoke (and not even visible).
    let id = own["id"].as_i64().expect("id");
    assert_eq!(
        send(app, Method::DELETE, &format!("/api/v1/tokens/{id}"), &viewer, None).await.status(),
        StatusCode::NOT_FOUND
    );
}

async fn cross_site_state_changes_are_refused(app: &TestApp) {
    let admin = Credential::Cookie(signed_in(app, "alice@example.test", &["admin"], &[], false).await);
    let body = json!([{"slug": "payments", "name": "Payments"}]);
    let client = reqwest::Client::new();
    let post = |headers: &[(&str, &str)]| {
        let mut request = client
            .post(format!("{}/api/v1/teams", app.base))
            .header("content-type", "application/json")
            .header(
                "cookie",
                match &admin {
                    Credential::Cookie(c) => format!("plumbline_session={c}"),
                    _ => String::new(),
                },
            )
            .body(body.to_string());
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        request.send()
    };
    assert_eq!(post(&[("sec-fetch-site", "cross-site")]).await.expect("sent").status(), StatusCode::FORBIDDEN);
    assert_eq!(post(&[("origin", "https://evil.example")]).await.expect("sent").status(), StatusCode::FORBIDDEN);
    assert_eq!(app.count("team").await, 0, "nothing was written");
    let same = post(&[("sec-fetch-site", "same-origin")]).await.expect("sent");
    assert_eq!(same.status(), StatusCode::OK);
    // A server function posted cross-site is refused the same way.
    let cross_fn = client
        .post(format!("{}/api/overview", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .header(
            "cookie",
            match &admin {
                Credential::Cookie(c) => format!("plumbline_session={c}"),
                _ => String::new(),
            },
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(cross_fn.status(), StatusCode::FORBIDDEN);
}

async fn signing_out_ends_the_session(app: &TestApp) {
    let cookie = signed_in(app, "alice@example.test", &["admin"], &[], false).await;
    let me = send(app, Method::GET, "/api/v1/me", &Credential::Cookie(cookie.clone()), None).await;
    assert_eq!(me.status(), StatusCode::OK);
    let me: Value = me.json().await.expect("json");
    assert_eq!(
        (me["name"].clone(), me["roles"].clone(), me["mode"].clone()),
        (json!("alice"), json!(["admin"]), json!("oidc"))
    );
    let out = send(app, Method::POST, "/auth/logout", &Credential::Cookie(cookie.clone()), None).await;
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    assert!(out.headers().get("set-cookie").and_then(|v| v.to_str().ok()).is_some_and(|c| c.contains("Max-Age=0")));
    let after = send(app, Method::GET, "/api/v1/me", &Credential::Cookie(cookie), None).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    let page = send(app, Method::GET, "/", &Credential::None, None).await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers().get("location").and_then(|v| v.to_str().ok()), Some("/auth/login?return_to=%2F"));
}

async fn sessions_end_after_the_idle_timeout(app: &TestApp) {
    let cookie = signed_in(app, "alice@example.test", &["admin"], &[], false).await;
    let stale = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "UPDATE user_session SET last_seen_at = now() - interval '2 hours'",
        _ => "UPDATE user_session SET last_seen_at = '2000-01-01 00:00:00+00:00'",
    };
    app.db.execute_unprepared(stale).await.expect("age the session");
    let me = send(app, Method::GET, "/api/v1/me", &Credential::Cookie(cookie), None).await;
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.count("user_session").await, 0, "the dead session is removed");
}

async fn every_response_carries_the_security_headers(app: &TestApp) {
    let admin = Credential::Cookie(signed_in(app, "alice@example.test", &["admin"], &[], false).await);
    for path in ["/", "/api/v1/kpis?period=2026-Q3", "/healthz", "/auth/signed-out", "/no-such-page"] {
        let response = send(app, Method::GET, path, &admin, None).await;
        let header =
            |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert!(!header("referrer-policy").is_empty(), "{path}");
        let csp = header("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(!header("x-request-id").is_empty(), "{path}");
        if path == "/" {
            assert!(csp.contains("'nonce-"), "pages allow their own inline scripts by nonce: {csp}");
            let html = response.text().await.expect("html");
            let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce");
            assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the page's scripts carry the nonce");
            assert!(html.contains("data-testid=\"current-user\""), "the header shows who is signed in");
        }
    }
}

async fn local_mode_is_the_local_admin_but_still_refuses_cross_site_posts(backend: Backend) {
    let app = crate::helpers::spawn_app(backend).await;
    let me: Value = send(&app, Method::GET, "/api/v1/me", &Credential::None, None).await.json().await.expect("json");
    assert_eq!((me["mode"].clone(), me["roles"].clone()), (json!("local"), json!(["admin"])));
    let page = send(&app, Method::GET, "/", &Credential::None, None).await.text().await.expect("html");
    assert!(page.contains("data-testid=\"local-mode-banner\""), "every page says it runs in local mode");
    let cross = reqwest::Client::new()
        .post(format!("{}/api/v1/teams", app.base))
        .header("content-type", "application/json")
        .header("sec-fetch-site", "cross-site")
        .body(json!([{"slug": "x", "name": "X"}]).to_string())
        .send()
        .await
        .expect("sent");
    assert_eq!(cross.status(), StatusCode::FORBIDDEN, "a page on another site cannot use the local admin");
    // Nor can a site that points its own name at 127.0.0.1 (DNS rebinding).
    let rebound = reqwest::Client::new()
        .get(format!("{}/api/v1/me", app.base))
        .header("host", "evil.example:3000")
        .send()
        .await
        .expect("sent");
    assert_eq!(rebound.status(), StatusCode::MISDIRECTED_REQUEST);
    // Tokens still carry only their own scopes in local mode.
    let read = token(&app, &[TokenScope::Read], None).await;
    let write = send(&app, Method::POST, "/api/v1/teams", &Credential::Bearer(read), Some(json!([]))).await;
    assert_eq!(write.status(), StatusCode::FORBIDDEN);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_mode_is_the_local_admin_but_still_refuses_cross_site_posts_on_postgres() {
    local_mode_is_the_local_admin_but_still_refuses_cross_site_posts(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_mode_is_the_local_admin_but_still_refuses_cross_site_posts_on_sqlite() {
    local_mode_is_the_local_admin_but_still_refuses_cross_site_posts(Backend::Sqlite).await;
}

async fn editors_and_team_tokens_write_only_their_teams_records(app: &TestApp) {
    let admin = Credential::Cookie(signed_in(app, "alice@example.test", &["admin"], &[], false).await);
    let setup = [
        ("teams", json!([{"slug": "payments", "name": "Payments"}, {"slug": "search", "name": "Search"}])),
        (
            "services",
            json!([{"slug": "checkout", "name": "Checkout", "tier": 0, "team": "payments"},
                            {"slug": "finder", "name": "Finder", "tier": 1, "team": "search"}]),
        ),
    ];
    for (kind, rows) in setup {
        let status = send(app, Method::POST, &format!("/api/v1/{kind}"), &admin, Some(rows)).await.status();
        assert_eq!(status, StatusCode::OK, "{kind}");
    }
    let slo = |service: &str| {
        json!([{"service": service, "slug": "availability", "name": "Availability", "indicator": "availability",
                "objective": 99.9}])
    };
    let editor = Credential::Cookie(signed_in(app, "eve@example.test", &["editor"], &["payments"], false).await);
    let limited = Credential::Bearer(token(app, &[TokenScope::Ingest], Some(&["payments"])).await);
    for writer in [&editor, &limited] {
        let theirs = send(app, Method::POST, "/api/v1/slos", writer, Some(slo("checkout"))).await;
        assert_eq!(theirs.status(), StatusCode::OK, "{writer:?}");
        let other = send(app, Method::POST, "/api/v1/slos", writer, Some(slo("finder"))).await;
        assert_eq!(other.status(), StatusCode::FORBIDDEN, "{writer:?}");
        let detail = other.json::<Value>().await.expect("problem")["detail"].as_str().unwrap_or_default().to_owned();
        assert!(detail.contains("search"), "the refusal names the team: {detail}");
        let team = json!([{"slug": "payments", "name": "Renamed"}]);
        assert_eq!(send(app, Method::POST, "/api/v1/teams", writer, Some(team)).await.status(), StatusCode::FORBIDDEN);
        // Moving someone else's service into their team would be a takeover.
        let take = json!([{"slug": "finder", "name": "Finder", "tier": 1, "team": "payments"}]);
        assert_eq!(
            send(app, Method::POST, "/api/v1/services", writer, Some(take)).await.status(),
            StatusCode::FORBIDDEN
        );
    }
    // Re-sending another team's incident (or action) with their own service would take it over.
    let incident = |services: Value| {
        json!([{"external_id": "INC-S", "title": "Search down", "severity": "SEV1", "services": services,
                "started_at": "2026-07-01T00:00:00Z"}])
    };
    let action =
        |service: &str| json!([{"external_id": "ACT-S", "service": service, "title": "Fix search", "status": "open"}]);
    assert_eq!(
        send(app, Method::POST, "/api/v1/incidents", &admin, Some(incident(json!(["finder"])))).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        send(app, Method::POST, "/api/v1/actions", &admin, Some(action("finder"))).await.status(),
        StatusCode::OK
    );
    for writer in [&editor, &limited] {
        let takeover = send(app, Method::POST, "/api/v1/incidents", writer, Some(incident(json!(["checkout"])))).await;
        assert_eq!(takeover.status(), StatusCode::FORBIDDEN, "{writer:?}");
        let takeover = send(app, Method::POST, "/api/v1/actions", writer, Some(action("checkout"))).await;
        assert_eq!(takeover.status(), StatusCode::FORBIDDEN, "{writer:?}");
    }
    let still = app.count("incident_service l JOIN service s ON s.id = l.service_id WHERE s.slug = 'finder'").await;
    assert_eq!(still, 1, "the incident still belongs to search's service");
    // Nor may they hang their own records on another team's incident; one that involves their
    // service too is fine.
    let shared = json!([{"external_id": "INC-B", "title": "Both down", "severity": "SEV2",
                         "services": ["finder", "checkout"], "started_at": "2026-07-02T00:00:00Z"}]);
    assert_eq!(send(app, Method::POST, "/api/v1/incidents", &admin, Some(shared)).await.status(), StatusCode::OK);
    for writer in [&editor, &limited] {
        for (kind, row) in [
            ("actions", json!({"external_id": "ACT-P", "service": "checkout", "title": "Fix", "status": "open"})),
            (
                "deployments",
                json!({"external_id": "DEP-P", "service": "checkout", "deployed_at": "2026-07-01T00:00:00Z",
                                    "outcome": "failed"}),
            ),
            (
                "incidents",
                json!({"external_id": "INC-P", "title": "Checkout slow", "severity": "SEV3",
                                  "services": ["checkout"], "started_at": "2026-07-03T00:00:00Z"}),
            ),
        ] {
            let refer = |incident: &str| {
                let mut row = row.clone();
                let field = if kind == "incidents" { "repeat_of" } else { "incident" };
                row[field] = json!(incident);
                json!([row])
            };
            let foreign = send(app, Method::POST, &format!("/api/v1/{kind}"), writer, Some(refer("INC-S"))).await;
            assert_eq!(foreign.status(), StatusCode::FORBIDDEN, "{kind} as {writer:?}");
            let detail =
                foreign.json::<Value>().await.expect("problem")["detail"].as_str().unwrap_or_default().to_owned();
            assert!(detail.contains("INC-S"), "the refusal names the incident: {detail}");
            let shared = send(app, Method::POST, &format!("/api/v1/{kind}"), writer, Some(refer("INC-B"))).await;
            assert_eq!(shared.status(), StatusCode::OK, "{kind} as {writer:?}");
        }
    }
    let new_service = json!([{"slug": "wallet", "name": "Wallet", "tier": 2, "team": "payments"}]);
    assert_eq!(send(app, Method::POST, "/api/v1/services", &editor, Some(new_service)).await.status(), StatusCode::OK);
    // Refused writes left nothing behind: one SLO (checkout's), finder still in search.
    assert_eq!(app.count("slo").await, 1);
    let in_search = app.count("service s JOIN team t ON t.id = s.team_id WHERE t.slug = 'search'").await;
    assert_eq!(in_search, 1, "finder stayed with its team");
    let forbidden = app.count("audit_event WHERE action = 'import.forbidden'").await;
    assert_eq!(forbidden, 16, "every refused write is audit-logged (10, and 6 foreign references)");
}

async fn auditors_read_and_export_the_audit_log(app: &TestApp) {
    let admin = Credential::Cookie(signed_in(app, "alice@example.test", &["admin"], &[], false).await);
    let rows = json!([{"slug": "payments", "name": "=HYPERLINK(\"http://evil.example\",\"x\")"}]);
    assert_eq!(send(app, Method::POST, "/api/v1/teams", &admin, Some(rows)).await.status(), StatusCode::OK);
    let auditor = Credential::Cookie(signed_in(app, "ada@example.test", &["auditor"], &[], false).await);
    let page = send(app, Method::GET, "/audit?action=import.applied", &auditor, None).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.expect("html");
    assert!(html.contains("data-testid=\"audit-head\""), "the page shows the chain head");
    assert!(html.contains("import.applied") && html.contains("Export CSV"), "{html}");
    let viewer = Credential::Cookie(signed_in(app, "victor@example.test", &["viewer"], &[], false).await);
    assert_eq!(send(app, Method::GET, "/audit", &viewer, None).await.status(), StatusCode::FORBIDDEN);

    // More than one page of events (the export streams them a page at a time).
    for n in 0..1100 {
        let entry = server::audit::AuditEntry::new("test", "test.filler", &format!("n:{n}"), json!({}));
        server::audit::append(&app.db, entry, Utc::now()).await.expect("append");
    }
    let events = app.count("audit_event").await;
    let csv = send(app, Method::GET, "/api/v1/audit/export.csv", &auditor, None).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.headers().get("content-type").and_then(|v| v.to_str().ok()).is_some_and(|c| c.starts_with("text/csv")));
    let text = csv.text().await.expect("csv");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "seq,at,actor,action,target,details,prev_hash,hash");
    assert_eq!(lines.len() as i64, events + 1, "one line per event");
    let seqs: Vec<i64> =
        lines[1..].iter().map(|l| l.split(',').next().and_then(|s| s.parse().ok()).expect("seq")).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "oldest first, each once");
    // The export's own event comes after the head it stopped at.
    assert_eq!(app.count("audit_event").await, events + 1);
    assert_eq!(app.count("audit_event WHERE action = 'audit.exported'").await, 1, "the export is itself logged");
}

async fn a_users_token_never_outlives_their_access(app: &TestApp) {
    let auditor = Credential::Cookie(signed_in(app, "ada@example.test", &["auditor"], &[], false).await);
    let created =
        send(app, Method::POST, "/api/v1/tokens", &auditor, Some(json!({"name": "x", "scopes": ["read"]}))).await;
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(created.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let secret = created.json::<Value>().await.expect("json")["token"].as_str().expect("token").to_owned();
    let bearer = Credential::Bearer(secret);
    assert_eq!(send(app, Method::GET, "/api/v1/kpis?period=2026-Q3", &bearer, None).await.status(), StatusCode::OK);
    // The auditor's grant runs out: so does what their token may do.
    let expire = match app.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => "UPDATE role_grant SET expires_at = now() - interval '1 minute'",
        _ => "UPDATE role_grant SET expires_at = '2000-01-01 00:00:00+00:00'",
    };
    app.db.execute_unprepared(expire).await.expect("expire the grant");
    assert_eq!(
        send(app, Method::GET, "/api/v1/kpis?period=2026-Q3", &bearer, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

crate::on_both_backends_with!(
    oidc_app;
    a_users_token_never_outlives_their_access,
    auditors_read_and_export_the_audit_log,
    editors_and_team_tokens_write_only_their_teams_records,
    tokens_are_stored_hashed_and_stop_working_when_revoked_or_expired,
    an_editor_token_cannot_reach_beyond_its_creator,
    cross_site_state_changes_are_refused,
    signing_out_ends_the_session,
    sessions_end_after_the_idle_timeout,
    every_response_carries_the_security_headers,
);
