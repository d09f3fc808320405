//! Notifications end to end: an admin subscribes teams (an email address, a webhook, a webhook
//! that fails); the weekly digest is made once per subscription and week even when two runs race
//! (two replicas); it reaches a real SMTP server (npm `maildev`, started here on loopback, whose
//! API lists what it received) as plain text and HTML with an unsubscribe link, and a local
//! webhook receiver with a signature it can verify; the failing receiver is retried, then given
//! up and reported on the log.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{TimeZone, Utc};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

use crate::helpers::TestApp;
use crate::kpis::load;
use crate::local_prometheus::free_port;

/// What the webhook receiver got: (signature, timestamp, body).
type Received = Arc<Mutex<Vec<(String, String, Vec<u8>)>>>;

async fn receiver() -> (String, Received) {
    let received: Received = Arc::default();
    let app = axum::Router::new()
        .route(
            "/hook",
            axum::routing::post(
                |State(seen): State<Received>, headers: HeaderMap, body: axum::body::Bytes| async move {
                    let header =
                        |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                    seen.lock().expect("lock").push((
                        header("x-plumbline-signature"),
                        header("x-plumbline-timestamp"),
                        body.to_vec(),
                    ));
                    StatusCode::NO_CONTENT
                },
            ),
        )
        .route("/broken", axum::routing::post(|| async { StatusCode::SERVICE_UNAVAILABLE }))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}"), received)
}

/// Starts maildev from end2end/node_modules (installed by `cargo xtask test`): SMTP and API ports.
async fn maildev() -> (tokio::process::Child, u16, u16) {
    let bin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../end2end/node_modules/.bin/maildev");
    let (smtp, web) = (free_port(), free_port());
    let child = tokio::process::Command::new(&bin)
        .args(["--ip", "127.0.0.1", "--smtp", &smtp.to_string(), "--web", &web.to_string(), "--silent"])
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("maildev at {} (npm ci in end2end): {e}", bin.display()));
    let client = reqwest::Client::new();
    crate::helpers::eventually("maildev answers", || {
        let client = client.clone();
        async move {
            client.get(format!("http://127.0.0.1:{web}/email")).send().await.ok().filter(|r| r.status().is_success())
        }
    })
    .await;
    (child, smtp, web)
}

async fn emails_count(web: u16) -> usize {
    let emails: Value =
        reqwest::get(format!("http://127.0.0.1:{web}/email")).await.expect("api").json().await.expect("json");
    emails.as_array().map_or(0, Vec::len)
}

async fn call(app: &TestApp, function: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/{function}", app.base))
        .header("origin", &app.base)
        .form(form)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// Each notification: (id, where it goes, status, attempts), oldest first.
async fn notifications(app: &TestApp) -> Vec<(i64, String, String, i64)> {
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT n.id, s.target, n.status, n.attempts FROM notification n \
             JOIN subscription s ON s.id = n.subscription_id ORDER BY n.id"
                .to_owned(),
        ))
        .await
        .expect("query");
    rows.iter()
        .map(|r| {
            (
                r.try_get::<i64>("", "id").expect("id"),
                r.try_get::<String>("", "target").expect("target"),
                r.try_get::<String>("", "status").expect("status"),
                i64::from(r.try_get::<i32>("", "attempts").expect("attempts")),
            )
        })
        .collect()
}

/// The state of the notification to the target ending with `suffix` (the latest one).
async fn state_of(app: &TestApp, suffix: &str) -> (i64, String, i64) {
    let all = notifications(app).await;
    let (id, _, status, attempts) = all.iter().rev().find(|n| n.1.ends_with(suffix)).cloned().expect("notification");
    (id, status, attempts)
}

async fn a_weekly_digest_reaches_email_and_webhooks_once_and_failures_are_retried_then_reported(app: &TestApp) {
    load(app).await;
    let (hooks, received) = receiver().await;
    let (_maildev, smtp, web) = maildev().await;

    // Subscribing: checked, admins only (the gate), audited.
    let (status, reply) =
        call(app, "subscribe", &[("team", "payments"), ("channel", "email"), ("target", "nobody")]).await;
    assert_eq!(status, 400, "{reply}");
    let (status, reply) =
        call(app, "subscribe", &[("team", "ghosts"), ("channel", "email"), ("target", "a@b.c")]).await;
    assert_eq!(status, 400, "{reply}");
    for (channel, target) in [
        ("email", "payments-oncall@example.test".to_owned()),
        ("webhook", format!("{hooks}/hook")),
        ("webhook", format!("{hooks}/broken")),
    ] {
        let (status, reply) =
            call(app, "subscribe", &[("team", "payments"), ("channel", channel), ("target", &target)]).await;
        assert_eq!(status, 200, "{reply}");
    }
    let (status, view) = call(app, "notifications", &[]).await;
    assert_eq!(status, 200, "{view}");
    let subscriptions = view["subscriptions"].as_array().expect("subscriptions");
    assert_eq!(subscriptions.len(), 3);
    let secret = subscriptions
        .iter()
        .find(|s| s["target"].as_str().is_some_and(|t| t.ends_with("/hook")))
        .and_then(|s| s["secret"].as_str())
        .expect("a webhook has a secret")
        .to_owned();

    let policy = app::domain::scorecard::Policy::default_policy().expect("policy");
    let figures = server::kpis::Figures::new(app.db.clone(), policy, app::domain::kpi::ReportingCalendar::default());
    let mailer = server::notify::Mailer::new(&format!("smtp://127.0.0.1:{smtp}"), "Plumbline <plumbline@example.test>")
        .expect("mailer");
    let notifier =
        server::notify::Notifier::new(figures, Some(mailer), "https://plumbline.example".to_owned()).expect("notifier");

    // Monday morning, two replicas (each with its own pool) at once: one digest per subscription.
    let replica = {
        let db = server::db::connect(&app.database).await.expect("the replica's pool");
        let policy = app::domain::scorecard::Policy::default_policy().expect("policy");
        let figures = server::kpis::Figures::new(db, policy, app::domain::kpi::ReportingCalendar::default());
        server::notify::Notifier::new(figures, None, "https://plumbline.example".to_owned()).expect("notifier")
    };
    let monday = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).single().expect("instant");
    let (a, b) = tokio::join!(notifier.weekly_digests(monday), replica.weekly_digests(monday));
    assert_eq!(a.expect("run a") + b.expect("run b"), 3, "three subscriptions, three digests");
    assert_eq!(notifier.weekly_digests(monday).await.expect("again"), 0, "once per week");
    assert_eq!(app.count("notification").await, 3);
    let queued = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT payload FROM job WHERE kind = 'deliver-notification' ORDER BY id".to_owned(),
        ))
        .await
        .expect("jobs");
    assert_eq!(queued.len(), 3, "a delivery job per notification");

    // Deliveries, as the jobs make them.
    for (id, ..) in notifications(app).await {
        let _ = notifier.deliver(id, monday).await;
    }
    // The email: plain text and HTML, with the sections and an unsubscribe link.
    let emails: Value =
        reqwest::get(format!("http://127.0.0.1:{web}/email")).await.expect("api").json().await.expect("json");
    let emails = emails.as_array().expect("emails");
    assert_eq!(emails.len(), 1, "{emails:?}");
    let email = &emails[0];
    assert_eq!(email["subject"], "Payments · weekly reliability digest · 2026-W50");
    assert_eq!(email["to"][0]["address"], "payments-oncall@example.test");
    let text = email["text"].as_str().expect("text part");
    assert!(text.contains("This is the first digest"), "{text}");
    assert!(text.contains("Overdue postmortem actions"), "{text}");
    assert!(text.contains("https://plumbline.example/teams/payments"), "{text}");
    let html = email["html"].as_str().expect("html part");
    assert!(html.contains("<h2>What breaks in the next 30 days</h2>"), "{html}");
    let token = text
        .lines()
        .find_map(|l| l.strip_prefix("Stop these emails: https://plumbline.example/unsubscribe/"))
        .expect("an unsubscribe link")
        .to_owned();

    // The webhook: Slack-compatible, signed with the subscription's secret.
    let (signature, timestamp, body) = received.lock().expect("lock").first().cloned().expect("one webhook call");
    assert_eq!(received.lock().expect("lock").len(), 1);
    let timestamp: i64 = timestamp.parse().expect("timestamp");
    assert_eq!(timestamp, monday.timestamp());
    assert_eq!(signature, server::notify::sign(&secret, timestamp, &body), "the receiver can verify it");
    assert_ne!(signature, server::notify::sign("another secret", timestamp, &body));
    let json: Value = serde_json::from_slice(&body).expect("json");
    assert!(json["text"].as_str().is_some_and(|t| t.contains("Payments")), "{json}");
    assert!(json["blocks"].as_array().is_some_and(|b| b.len() == 4), "{json}");
    assert_eq!(json["plumbline"]["team"], "payments");

    // The broken receiver: failed (to be retried by its job), then given up after the last try.
    assert_eq!(state_of(app, ".test").await.1, "sent");
    assert_eq!(state_of(app, "/hook").await.1, "sent");
    let (broken, status, attempts) = state_of(app, "/broken").await;
    assert_eq!((status.as_str(), attempts), ("failed", 1));
    for _ in 0..(server::notify::DELIVERY_ATTEMPTS - 2) {
        assert!(notifier.deliver(broken, monday).await.is_err(), "an error makes the job try again");
    }
    assert!(notifier.deliver(broken, monday).await.is_ok(), "the last attempt gives up: nothing to retry");
    let (_, status, attempts) = state_of(app, "/broken").await;
    assert_eq!((status.as_str(), attempts), ("given_up", i64::from(server::notify::DELIVERY_ATTEMPTS)));
    let (_, view) = call(app, "notifications", &[]).await;
    let broken = view["log"].as_array().and_then(|log| log.iter().find(|n| n["status"] == "given_up").cloned());
    let broken = broken.expect("the log lists it");
    assert_eq!(broken["last_error"], "the webhook answered 503 Service Unavailable");

    // The next week's digest says what changed since this one.
    let next = monday + chrono::TimeDelta::days(7);
    assert_eq!(notifier.weekly_digests(next).await.expect("next week"), 3);
    let (second_email, ..) = state_of(app, ".test").await;
    let _ = notifier.deliver(second_email, next).await;
    let emails: Value =
        reqwest::get(format!("http://127.0.0.1:{web}/email")).await.expect("api").json().await.expect("json");
    let second =
        emails.as_array().and_then(|e| e.get(1)).and_then(|e| e["text"].as_str()).expect("second email").to_owned();
    assert!(second.contains("Level changes since last week"), "{second}");
    assert!(!second.contains("This is the first digest"), "{second}");

    // The day's notices: a waiver ending within 7 days, a campaign's deadline within 14.
    let waiver = serde_json::json!([{"service": "checkout", "check": "dr_test_recent", "reason": "new region",
                                      "approver": "alice", "expires_at": "2026-12-10T00:00:00Z"}]);
    assert_eq!(app.post_json("exemptions", &waiver).await.0, 200);
    let campaign = [
        ("title", "Payments DR"),
        ("description", ""),
        ("owner", "sre"),
        ("goal_kind", "checks"),
        ("goal_checks[dr_test_recent]", "on"),
        ("scope_kind", "teams"),
        ("scope_values", "payments"),
        ("deadline", "2026-12-17"),
    ];
    let (status, reply) = call(app, "create_campaign", &campaign).await;
    assert_eq!(status, 200, "{reply}");
    let (a, b) = tokio::join!(notifier.team_events(monday), notifier.team_events(monday));
    assert_eq!(a.expect("a") + b.expect("b"), 6, "two notices for each of three subscriptions, once");
    assert_eq!(notifier.team_events(monday).await.expect("again"), 0);
    let before = emails_count(web).await;
    for (id, target, status, _) in notifications(app).await {
        if target.ends_with(".test") && status == "queued" {
            notifier.deliver(id, monday).await.expect("delivered");
        }
    }
    let emails: Value =
        reqwest::get(format!("http://127.0.0.1:{web}/email")).await.expect("api").json().await.expect("json");
    let subjects: Vec<&str> =
        emails.as_array().expect("emails")[before..].iter().filter_map(|e| e["subject"].as_str()).collect();
    assert!(
        subjects.contains(&"Payments · The waiver of dr_test_recent on checkout ends 2026-12-10 00:00 UTC"),
        "{subjects:?}"
    );
    assert!(subjects.contains(&"Payments · Campaign \"Payments DR\" ends 2026-12-17"), "{subjects:?}");

    // A bad day: 10 % of events failed against a 99 % objective — burning 10× too fast (the
    // default policy warns above 3×) and the budget of its 28 days used up. Told once each.
    let bad_day = serde_json::json!([{"service": "checkout", "slo": "availability", "day": "2026-12-06",
                                       "good": 900, "total": 1000}]);
    assert_eq!(app.post_json("slo-measurements", &bad_day).await.0, 200);
    assert_eq!(notifier.team_events(monday).await.expect("budgets"), 6, "two notices for each subscription");
    assert_eq!(notifier.team_events(monday).await.expect("again"), 0);
    let before = emails_count(web).await;
    for (id, target, status, _) in notifications(app).await {
        if target.ends_with(".test") && status == "queued" {
            notifier.deliver(id, monday).await.expect("delivered");
        }
    }
    let emails: Value =
        reqwest::get(format!("http://127.0.0.1:{web}/email")).await.expect("api").json().await.expect("json");
    let told: Vec<&str> =
        emails.as_array().expect("emails")[before..].iter().filter_map(|e| e["subject"].as_str()).collect();
    assert!(told.contains(&"Payments · checkout/availability burns its error budget 10.0× too fast"), "{told:?}");
    assert!(told.contains(&"Payments · The error budget of checkout/availability is used up"), "{told:?}");

    // The unsubscribe link ends the subscription: no third email.
    // Opening the link only asks (mail scanners open links); the button ends it.
    let page = app.client.get(format!("{}/unsubscribe/{token}", app.base)).send().await.expect("sent");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("page").contains("<form method=\"post\""));
    let ended = app
        .client
        .post(format!("{}/unsubscribe/{token}", app.base))
        .header("origin", &app.base)
        .send()
        .await
        .expect("sent");
    assert_eq!(ended.status(), 200);
    assert!(ended.text().await.expect("page").contains("no longer sent"));
    assert_eq!(
        app.client.get(format!("{}/unsubscribe/{}", app.base, "0".repeat(48))).send().await.expect("s").status(),
        404
    );
    let after = next + chrono::TimeDelta::days(7);
    assert_eq!(notifier.weekly_digests(after).await.expect("after"), 2, "the two webhooks only");

    // A calendar subscription is a private link to the team's forecast feed, for calendar apps
    // (which cannot send a token); it sends nothing and ends like any subscription.
    let (status, reply) =
        call(app, "subscribe", &[("team", "payments"), ("channel", "calendar"), ("target", "")]).await;
    assert_eq!(status, 200, "{reply}");
    let (_, view) = call(app, "notifications", &[]).await;
    let feed = view["subscriptions"].as_array().and_then(|s| s.iter().find(|s| s["channel"] == "calendar").cloned());
    let feed = feed.expect("the calendar subscription");
    let url = feed["feed_url"].as_str().expect("its link").to_owned();
    assert!(url.starts_with(&format!("{}/calendar/", app.base)) && url.ends_with(".ics"), "{url}");
    let response = app.client.get(&url).send().await.expect("sent");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().is_ok_and(|t| t.starts_with("text/calendar")));
    assert!(response.text().await.expect("feed").starts_with("BEGIN:VCALENDAR"));
    assert_eq!(
        notifier.weekly_digests(after + chrono::TimeDelta::days(7)).await.expect("later"),
        2,
        "a feed gets no digest"
    );
    let id = feed["id"].as_i64().expect("id").to_string();
    assert_eq!(call(app, "end_subscription", &[("id", &id)]).await.0, 200);
    assert_eq!(app.client.get(&url).send().await.expect("sent").status(), 404, "an ended feed is gone");

    // A person following a team gets its mail only while they may read Plumbline.
    use sea_orm::{ActiveModelTrait, Set};
    let now = server::clock_now();
    let user = server::entities::app_user::ActiveModel {
        subject: Set("fol".into()),
        name: Set("Fol".into()),
        email: Set(Some("fol@example.test".into())),
        groups: Set("[]".into()),
        created_at: Set(now),
        last_login_at: Set(now),
        disabled_at: Set(None),
        disabled_by: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("user");
    server::entities::role_grant::ActiveModel {
        user_id: Set(user.id),
        role: Set("viewer".into()),
        source: Set("admin".into()),
        granted_by: Set("test".into()),
        granted_at: Set(now),
        expires_at: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("grant");
    let draft = app::domain::notify::check_subscription("payments", "email", "fol@example.test").expect("draft");
    server::notify::subscribe(&app.db, draft, "fol@example.test", now).await.expect("follow");
    let later = after + chrono::TimeDelta::days(14);
    for (week, disabled) in [(later, false), (later + chrono::TimeDelta::days(7), true)] {
        if disabled {
            let mut row: server::entities::app_user::ActiveModel = user.clone().into();
            row.disabled_at = Set(Some(now));
            row.update(&app.db).await.expect("disabled");
        }
        notifier.weekly_digests(week).await.expect("digests");
        let (id, ..) = state_of(app, "fol@example.test").await;
        let _ = notifier.deliver(id, week).await;
        let (_, status, _) = state_of(app, "fol@example.test").await;
        assert_eq!(status, if disabled { "given_up" } else { "sent" }, "disabled: {disabled}");
    }
}

crate::on_both_backends!(a_weekly_digest_reaches_email_and_webhooks_once_and_failures_are_retried_then_reported);
