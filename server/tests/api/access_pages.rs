//! The Access and API tokens pages' server functions: an admin grants and revokes roles (not
//! their own admin role), anyone signed in creates tokens within their own reach, sees the
//! secret once and revokes; tokens and other roles are refused; each change is audited.

use chrono::{TimeDelta, Utc};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use app::domain::access::TokenScope;

use crate::access::{Credential, oidc_app, send, signed_in, token};
use crate::helpers::TestApp;
use crate::waivers::call;

fn in_days(days: i64) -> String {
    (Utc::now().date_naive() + TimeDelta::days(days)).to_string()
}

async fn audit_events(app: &TestApp, action: &str) -> Vec<(String, String)> {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            format!("SELECT actor, target FROM audit_event WHERE action = '{action}' ORDER BY seq"),
        ))
        .await
        .expect("audit query");
    rows.iter()
        .map(|r| (r.try_get::<String>("", "actor").expect("actor"), r.try_get::<String>("", "target").expect("target")))
        .collect()
}

fn user<'a>(view: &'a Value, email: &str) -> &'a Value {
    view["users"]
        .as_array()
        .and_then(|users| users.iter().find(|u| u["email"] == email))
        .unwrap_or_else(|| panic!("{email} in {view}"))
}

async fn audit_log_status(app: &TestApp, session: &str) -> StatusCode {
    send(app, reqwest::Method::GET, "/api/v1/audit", &Credential::Cookie(session.to_owned()), None).await.status()
}

async fn an_admin_grants_and_revokes_roles(app: &TestApp) {
    let alice = signed_in(app, "alice@example.test", &["admin"], &[], false).await;
    let victor = signed_in(app, "victor@example.test", &["viewer"], &[], false).await;
    let nora = signed_in(app, "nora@example.test", &[], &[], false).await;

    assert_eq!(call(app, &victor, "access_users", &[]).await.0, 403);
    let (status, view) = call(app, &alice, "access_users", &[]).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(user(&view, "nora@example.test")["grants"], serde_json::json!([]));
    assert_eq!(user(&view, "alice@example.test")["is_viewer"], true);
    let nora_id = user(&view, "nora@example.test")["id"].as_i64().expect("id").to_string();

    assert_eq!(audit_log_status(app, &nora).await, StatusCode::FORBIDDEN);
    let grant = [("user_id", nora_id.as_str()), ("role", "auditor"), ("expires_on", &in_days(14))];
    assert_eq!(call(app, &victor, "grant_role", &grant).await.0, 403, "only admins grant");
    let (status, body) = call(app, &alice, "grant_role", &grant).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(audit_log_status(app, &nora).await, StatusCode::OK, "the auditor reads the audit log at once");

    for (bad, why) in [
        ([("user_id", nora_id.as_str()), ("role", "root"), ("expires_on", "")], "unknown role"),
        ([("user_id", nora_id.as_str()), ("role", "viewer"), ("expires_on", &in_days(-1))], "ended yesterday"),
        ([("user_id", nora_id.as_str()), ("role", "viewer"), ("expires_on", "31/12/2030")], "not a date"),
        ([("user_id", "999999"), ("role", "viewer"), ("expires_on", "")], "no such user"),
    ] {
        let (status, body) = call(app, &alice, "grant_role", &bad).await;
        assert!(status == 400 || status == 404, "{why}: {status} {body}");
    }

    let (_, view) = call(app, &alice, "access_users", &[]).await;
    let granted = &user(&view, "nora@example.test")["grants"][0];
    assert_eq!(
        (&granted["role"], &granted["by_admin"], &granted["expired"]),
        (&"auditor".into(), &true.into(), &false.into())
    );
    assert_eq!(granted["ends"], format!("last day {}", in_days(14)), "{granted}");
    let own_admin = user(&view, "alice@example.test")["grants"][0]["id"].as_i64().expect("id").to_string();
    let (status, body) = call(app, &alice, "revoke_grant", &[("id", own_admin.as_str())]).await;
    assert_eq!(status, 403, "an admin cannot revoke their own admin role: {body}");

    let grant_id = granted["id"].as_i64().expect("id").to_string();
    assert_eq!(call(app, &alice, "revoke_grant", &[("id", grant_id.as_str())]).await.0, 200);
    assert_eq!(audit_log_status(app, &nora).await, StatusCode::FORBIDDEN, "revoked at once");
    assert_eq!(call(app, &alice, "revoke_grant", &[("id", grant_id.as_str())]).await.0, 404);

    let target = format!("user:{nora_id}");
    let granted = audit_events(app, "role.granted").await;
    let revoked = audit_events(app, "role.revoked").await;
    assert_eq!(granted.len(), 1, "{granted:?}");
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert!(granted[0].0.contains("alice") && granted[0].1 == target, "{granted:?}");
    assert!(revoked[0].0.contains("alice") && revoked[0].1 == target, "{revoked:?}");
}

/// Two admins revoking each other at once: the second to commit finds it no longer holds the
/// admin role (its principal, read at the start of its request, is stale) and is refused.
async fn admins_cannot_revoke_each_other_into_a_lockout(app: &TestApp) {
    use server::auth::manage::{self, ManageError};
    let alice = signed_in(app, "alice@example.test", &["admin"], &[], false).await;
    signed_in(app, "bob@example.test", &["admin"], &[], false).await;
    let (_, view) = call(app, &alice, "access_users", &[]).await;
    let id_of = |email: &str| user(&view, email)["id"].as_i64().expect("id");
    let grant_of = |email: &str| user(&view, email)["grants"][0]["id"].as_i64().expect("grant");
    let principal = |email: &str| app::domain::access::Principal {
        id: app::domain::access::PrincipalId::User(id_of(email)),
        name: email.to_owned(),
        email: Some(email.to_owned()),
        roles: [app::domain::access::Role::Admin].into(),
        teams: Default::default(),
        token: None,
    };
    let (as_alice, as_bob) = (principal("alice@example.test"), principal("bob@example.test"));
    manage::revoke_grant(&app.db, &as_alice, grant_of("bob@example.test"), Utc::now()).await.expect("alice revokes");
    let refused = manage::revoke_grant(&app.db, &as_bob, grant_of("alice@example.test"), Utc::now()).await;
    assert!(matches!(refused, Err(ManageError::Forbidden(_))), "{refused:?}");
    let (status, _) = call(app, &alice, "access_users", &[]).await;
    assert_eq!(status, 200, "alice is still an admin");
}

async fn create(app: &TestApp, session: &str, read: bool, ingest: bool, teams: &str) -> (u16, Value) {
    let (read, ingest) = (read.to_string(), ingest.to_string());
    let form =
        [("name", "pipeline"), ("read", &read), ("ingest", &ingest), ("teams", teams), ("expires_in_days", "30")];
    call(app, session, "create_api_token", &form).await
}

async fn tokens_are_made_within_reach_shown_once_and_revocable(app: &TestApp) {
    let eve = signed_in(app, "eve@example.test", &["editor"], &["payments"], false).await;
    let victor = signed_in(app, "victor@example.test", &["viewer"], &[], false).await;
    let nora = signed_in(app, "nora@example.test", &[], &[], false).await;
    let alice = signed_in(app, "alice@example.test", &["admin"], &[], false).await;

    let response = app
        .client
        .post(format!("{}/api/create_api_token", app.base))
        .header("origin", &app.base)
        .header("cookie", format!("plumbline_session={eve}"))
        .form(&[("name", "deploys"), ("read", "false"), ("ingest", "true"), ("teams", ""), ("expires_in_days", "30")])
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers().get("cache-control").map(|v| v.to_str().unwrap_or("")), Some("no-store"));
    let created: Value = response.json().await.expect("json");
    let secret = created["token"].as_str().expect("token").to_owned();
    assert!(secret.starts_with("plb_") && secret.len() > 40, "{created}");
    assert!(created["expires_at"].as_str().expect("expiry").starts_with(&in_days(30)), "{created}");

    let stored = app
        .db
        .query_all_raw(Statement::from_string(app.db.get_database_backend(), "SELECT * FROM api_token".to_owned()))
        .await
        .expect("tokens");
    let dump = format!("{stored:?}");
    assert!(!dump.contains(&secret[4..]), "the database never holds the token");

    let (status, listed) = call(app, &eve, "api_tokens", &[]).await;
    assert_eq!(status, 200, "{listed}");
    assert_eq!(listed["tokens"][0]["teams"], serde_json::json!(["payments"]), "limited to eve's team");
    assert_eq!(listed["tokens"][0]["state"], "active");
    assert!(listed.to_string().find(&secret[4..]).is_none(), "the list never shows the secret");
    let id = listed["tokens"][0]["id"].as_i64().expect("id").to_string();

    // Within reach only.
    assert_eq!(create(app, &eve, false, true, "search").await.0, 403, "not eve's team");
    assert_eq!(create(app, &victor, false, true, "").await.0, 403, "a viewer cannot write");
    assert_eq!(create(app, &victor, true, false, "").await.0, 200, "a viewer may read");
    assert_eq!(create(app, &nora, true, false, "").await.0, 403, "no role, no token");
    assert_eq!(create(app, &eve, false, false, "").await.0, 400, "no scope");
    let reader = token(app, &[TokenScope::Read, TokenScope::Ingest], None).await;
    let by_token = app
        .client
        .post(format!("{}/api/create_api_token", app.base))
        .header("authorization", format!("Bearer {reader}"))
        .form(&[("name", "x"), ("read", "true"), ("ingest", "false"), ("teams", ""), ("expires_in_days", "0")])
        .send()
        .await
        .expect("sent");
    assert_eq!(by_token.status(), StatusCode::FORBIDDEN, "tokens cannot make tokens");

    // The token works until revoked; someone else cannot revoke it (nor learn it exists).
    let bearer = Credential::Bearer(secret.clone());
    let ingest = serde_json::json!([]);
    assert_eq!(
        send(app, reqwest::Method::POST, "/api/v1/incidents", &bearer, Some(ingest.clone())).await.status(),
        200
    );
    assert_eq!(call(app, &victor, "revoke_api_token", &[("id", id.as_str())]).await.0, 404);
    assert_eq!(call(app, &eve, "revoke_api_token", &[("id", id.as_str())]).await.0, 200);
    let refused = send(app, reqwest::Method::POST, "/api/v1/incidents", &bearer, Some(ingest)).await.status();
    assert_eq!(refused, StatusCode::UNAUTHORIZED);
    let (_, listed) = call(app, &eve, "api_tokens", &[]).await;
    assert_eq!(listed["tokens"][0]["state"], "revoked");

    let (_, everyone) = call(app, &alice, "api_tokens", &[]).await;
    assert_eq!(everyone["all_tokens"], true);
    assert!(everyone["tokens"].as_array().expect("tokens").len() >= 3, "{everyone}");
    assert_eq!(audit_events(app, "token.created").await.len(), 2, "eve's and victor's");
    let revoked = audit_events(app, "token.revoked").await;
    assert_eq!(revoked.len(), 1, "{revoked:?}");
    assert!(revoked[0].0.ends_with(":eve@example.test") && revoked[0].1 == format!("api_token:{id}"), "{revoked:?}");
}

crate::on_both_backends_with!(
    oidc_app;
    an_admin_grants_and_revokes_roles,
    admins_cannot_revoke_each_other_into_a_lockout,
    tokens_are_made_within_reach_shown_once_and_revocable
);

/// Creates a token as the local admin, from `forwarded_for` as a proxy would say.
async fn create_from(app: &TestApp, forwarded_for: &str) -> StatusCode {
    app.client
        .post(format!("{}/api/v1/tokens", app.base))
        .header("x-forwarded-for", forwarded_for)
        .json(&serde_json::json!({"name": "limited", "scopes": ["read"]}))
        .send()
        .await
        .expect("sent")
        .status()
}

/// Token creation allows 20 per client and minute. Behind a trusted proxy each client has its
/// own count; without one, `X-Forwarded-For` is ignored, so sending it cannot dodge the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_count_the_client_a_trusted_proxy_names_and_no_other() {
    use crate::helpers::{Backend, Options, spawn_app_with};
    let trusted = server::auth::client_address::TrustedProxies::parse("127.0.0.1").expect("trusted");
    let behind_proxy =
        spawn_app_with(Backend::Sqlite, Options { trusted_proxies: trusted, ..Options::default() }).await;
    crate::helpers::early_in_a_minute().await;
    for _ in 0..20 {
        assert_eq!(create_from(&behind_proxy, "203.0.113.5").await, StatusCode::CREATED);
    }
    assert_eq!(create_from(&behind_proxy, "203.0.113.5").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(create_from(&behind_proxy, "203.0.113.6").await, StatusCode::CREATED, "another client");
    behind_proxy.cleanup().await;

    let direct = spawn_app_with(Backend::Sqlite, Options::default()).await;
    crate::helpers::early_in_a_minute().await;
    for n in 0..20 {
        assert_eq!(create_from(&direct, &format!("198.51.100.{n}")).await, StatusCode::CREATED);
    }
    assert_eq!(create_from(&direct, "198.51.100.99").await, StatusCode::TOO_MANY_REQUESTS, "spoofing does not help");
    direct.cleanup().await;
}
