//! Waiver requests: a team editor asks to waive a failing check, an admin who did not ask
//! approves (the check shows as waived, through an `exemptions` record) or rejects; only the
//! right people may do each step, and every step leaves an audit event.

use chrono::{Datelike, TimeDelta, Utc};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use app::domain::access::TokenScope;

use crate::access::{oidc_app, signed_in, token};
use crate::helpers::TestApp;
use crate::kpis::load;

fn current_quarter() -> String {
    let today = Utc::now().date_naive();
    format!("{}-Q{}", today.year(), (today.month() - 1) / 3 + 1)
}

fn in_days(days: i64) -> String {
    (Utc::now().date_naive() + TimeDelta::days(days)).to_string()
}

/// Calls a server function as the holder of `session`; returns (status, body).
pub async fn call(app: &TestApp, session: &str, function: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/{function}", app.base))
        .header("origin", &app.base)
        .header("cookie", format!("plumbline_session={session}"))
        .form(form)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn check_status(app: &TestApp, session: &str, check: &str) -> Value {
    let response = app
        .client
        .get(format!("{}/api/v1/services/checkout/scorecard?period={}", app.base, current_quarter()))
        .header("cookie", format!("plumbline_session={session}"))
        .send()
        .await
        .expect("sent");
    let card: Value = response.json().await.expect("json");
    card["scorecards"][0]["checks"]
        .as_array()
        .and_then(|checks| checks.iter().find(|c| c["id"] == check).cloned())
        .unwrap_or_else(|| panic!("check {check} in {card}"))
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT action FROM audit_event ORDER BY seq".to_owned(),
        ))
        .await
        .expect("audit query");
    rows.iter().map(|r| r.try_get::<String>("", "action").expect("action")).collect()
}

async fn a_waiver_takes_a_team_request_and_another_admins_approval(app: &TestApp) {
    let pipeline = token(app, &[TokenScope::Ingest, TokenScope::Read], None).await;
    app.bearer.set(pipeline).expect("the token is set once");
    load(app).await;
    let eve = signed_in(app, "eve@example.test", &["editor"], &["payments"], false).await;
    let alice = signed_in(app, "alice@example.test", &["admin"], &[], false).await;
    let bob = signed_in(app, "bob@example.test", &["admin"], &[], false).await;
    let victor = signed_in(app, "victor@example.test", &["viewer"], &[], false).await;

    let (status, section) = call(app, &eve, "service_waivers", &[("service", "checkout")]).await;
    assert_eq!(status, 200, "{section}");
    let waivable = section["waivable"].as_array().expect("waivable checks");
    let check = waivable.first().and_then(|c| c["id"].as_str()).expect("checkout fails some check this quarter");
    let before = check_status(app, &eve, check).await;
    assert!(before["status"] == "fail" || before["status"] == "no_data", "{before}");

    // Asking: reasons and days are checked; someone else's service is refused.
    let eve_ref = eve.as_str();
    let ask = |reason: &'static str, last_day: String| {
        let check = check.to_owned();
        async move {
            let form = [
                ("service", "checkout"),
                ("check", check.as_str()),
                ("reason", reason),
                ("last_day", last_day.as_str()),
            ];
            call(app, eve_ref, "request_waiver", &form).await
        }
    };
    assert_eq!(ask("", in_days(30)).await.0, 400, "a reason is needed");
    let (status, reply) = ask("DR drill moved", in_days(-1)).await;
    assert_eq!(status, 400, "the last day must be ahead: {reply}");
    let form = [("service", "search"), ("check", check), ("reason", "not ours"), ("last_day", "2099-01-01")];
    assert_eq!(call(app, &eve, "request_waiver", &form).await.0, 403, "search belongs to another team");
    let (status, reply) = call(app, &victor, "request_waiver", &form).await;
    assert_eq!(status, 403, "a viewer cannot ask: {reply}");

    // A person follows a team with their own address, and stops.
    let state = |session: String| async move { call(app, &session, "follow_state", &[("team", "payments")]).await.1 };
    assert_eq!(state(eve.clone()).await["email"], "eve@example.test");
    assert_eq!(state(eve.clone()).await["following"], Value::Null);
    let follow = |on: &'static str| [("team", "payments"), ("follow", on)];
    assert_eq!(call(app, &eve, "follow_team", &follow("true")).await.0, 200);
    assert!(state(eve.clone()).await["following"].is_i64());
    assert_eq!(state(victor.clone()).await["following"], Value::Null, "only eve follows");
    assert_eq!(call(app, &eve, "follow_team", &follow("false")).await.0, 200);
    assert_eq!(state(eve.clone()).await["following"], Value::Null);
    let ghost = [("team", "ghosts"), ("follow", "true")];
    assert_eq!(call(app, &eve, "follow_team", &ghost).await.0, 400, "no such team");

    // The admins' notices are told of each request (delivery is tested in notifications.rs).
    let admins = [("team", "*"), ("channel", "email"), ("target", "admins@example.test")];
    let (status, reply) = call(app, &alice, "subscribe", &admins).await;
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = ask("Waiting for the new region", in_days(30)).await;
    assert_eq!(status, 200, "{reply}");
    let (_, view) = call(app, &alice, "notifications", &[]).await;
    let told = &view["log"][0];
    assert_eq!(told["subject"], format!("Admins · eve@example.test asks to waive {check} on checkout"), "{view}");
    assert_eq!(told["status"], "queued");
    assert_eq!(ask("again", in_days(30)).await.0, 400, "one pending request per check");
    let (_, section) = call(app, &eve, "service_waivers", &[("service", "checkout")]).await;
    let request = &section["requests"][0];
    assert_eq!(request["status"], "pending");
    assert_eq!(request["requested_by"], "eve@example.test");
    assert_eq!(request["last_day"], in_days(30));
    assert_eq!(request["can_decide"], false, "eve is no admin");
    assert!(section["waivable"].as_array().is_some_and(|w| w.iter().all(|c| c["id"] != check)), "no second request");
    let id = request["id"].as_i64().expect("id").to_string();
    assert_eq!(check_status(app, &eve, check).await["status"], before["status"], "pending is not waived");

    // Deciding: admins only (the gate), and never on one's own request.
    let approve = [("id", id.as_str()), ("decision", "approve"), ("note", "OK until the move")];
    assert_eq!(call(app, &eve, "decide_waiver", &approve).await.0, 403);
    let (status, reply) = call(app, &alice, "decide_waiver", &approve).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(call(app, &bob, "decide_waiver", &approve).await.0, 400, "decided already");

    let after = check_status(app, &eve, check).await;
    assert_eq!(after["status"], "waived", "{after}");
    assert_eq!(after["waiver"]["approver"], "alice@example.test");
    assert_eq!(after["waiver"]["reason"], "Waiting for the new region");
    let (_, section) = call(app, &victor, "service_waivers", &[("service", "checkout")]).await;
    assert_eq!(section["requests"][0]["status"], "approved");
    assert_eq!(section["requests"][0]["decided_by"], "alice@example.test");
    assert_eq!(section["requests"][0]["decision_note"], "OK until the move");
    assert!(section["waivable"].as_array().is_some_and(Vec::is_empty), "a viewer may not ask");
    let (_, listed) = app.get("/api/v1/exemptions?service=checkout").await;
    let exemption = &listed["items"][0];
    assert_eq!(exemption["check"], check);
    assert_eq!(exemption["approver"], "alice@example.test");

    // An admin's own request waits for another admin, who may reject it.
    let second = waivable.get(1).and_then(|c| c["id"].as_str()).unwrap_or(check);
    if second != check {
        let form = [("service", "checkout"), ("check", second), ("reason", "mine"), ("last_day", &in_days(10))];
        assert_eq!(call(app, &alice, "request_waiver", &form).await.0, 200);
        let (_, listed) = call(app, &alice, "waiver_requests", &[]).await;
        let pending = &listed["pending"][0];
        assert_eq!(pending["can_decide"], false, "{listed}");
        let id = pending["id"].as_i64().expect("id").to_string();
        let reject = [("id", id.as_str()), ("decision", "reject"), ("note", "")];
        let (status, reply) = call(app, &alice, "decide_waiver", &reject).await;
        assert_eq!(status, 403, "{reply}");
        assert!(reply.to_string().contains("another admin"), "{reply}");
        assert_eq!(call(app, &bob, "decide_waiver", &reject).await.0, 200);
        assert_ne!(check_status(app, &eve, second).await["status"], "waived", "a rejected request waives nothing");
    }

    let actions = audit_actions(app).await;
    for action in ["waiver.requested", "waiver.approved", "import.applied"] {
        assert!(actions.iter().any(|a| a == action), "{action} in {actions:?}");
    }
}

crate::on_both_backends_with!(oidc_app; a_waiver_takes_a_team_request_and_another_admins_approval);

/// In local mode: the exemption is sent to the API directly.
mod expiry {
    use super::*;

    /// What an approval writes is an exemption: once its end passes, the check counts again.
    async fn a_waiver_ends_when_it_expires(app: &TestApp) {
        load(app).await;
        let (_, card) = app.get(&format!("/api/v1/services/checkout/scorecard?period={}", current_quarter())).await;
        let failing = card["scorecards"][0]["checks"]
            .as_array()
            .and_then(|checks| checks.iter().find(|c| c["status"] == "fail" || c["status"] == "no_data").cloned())
            .expect("a failing check");
        let check = failing["id"].as_str().expect("id");
        let ends = Utc::now() + TimeDelta::seconds(2);
        let exemption = json!([{"service": "checkout", "check": check, "reason": "short", "approver": "alice",
                                "expires_at": ends.to_rfc3339()}]);
        assert_eq!(app.post_json("exemptions", &exemption).await.0, 200);
        let status = |card: &Value| {
            card["scorecards"][0]["checks"].as_array().and_then(|c| c.iter().find(|c| c["id"] == check).cloned())
        };
        let (_, card) = app.get(&format!("/api/v1/services/checkout/scorecard?period={}", current_quarter())).await;
        assert_eq!(status(&card).expect("check")["status"], "waived");
        tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
        // Any import refreshes the open quarter's figures at once (else within a minute).
        assert_eq!(app.post_json("teams", &json!([{"slug": "later", "name": "Later"}])).await.0, 200);
        let (_, card) = app.get(&format!("/api/v1/services/checkout/scorecard?period={}", current_quarter())).await;
        assert_eq!(status(&card).expect("check")["status"], failing["status"], "the waiver has ended");
    }

    crate::on_both_backends!(a_waiver_ends_when_it_expires);
}
