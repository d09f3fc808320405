//! Campaigns: an admin starts one (bad input refused, nothing written), it shows where each
//! service in scope stands on the current scorecards, its first day is recorded at once, changes
//! are audit events, and once its deadline has passed the progress job records its result once
//! (from the standing recorded on the deadline), which evidence packs carry.

use chrono::{TimeDelta, Utc};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::access::Credential;
use crate::helpers::TestApp;
use crate::kpis::load;

/// Calls a server function in local mode (the local user is an admin); returns (status, body).
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

fn day(days_from_today: i64) -> String {
    (Utc::now().date_naive() + TimeDelta::days(days_from_today)).to_string()
}

async fn query(app: &TestApp, sql: &str) -> Vec<sea_orm::QueryResult> {
    app.db.query_all_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.expect(sql)
}

async fn execute(app: &TestApp, sql: &str) {
    app.db.execute_raw(Statement::from_string(app.db.get_database_backend(), sql.to_owned())).await.expect(sql);
}

async fn audit_actions(app: &TestApp) -> Vec<String> {
    let rows = query(app, "SELECT action FROM audit_event ORDER BY seq").await;
    rows.iter().map(|r| r.try_get::<String>("", "action").expect("action")).collect()
}

async fn a_campaign_tracks_its_services_and_records_its_result_once(app: &TestApp) {
    load(app).await;
    // checkout (tier 0) passes "Recent passing DR test" with yesterday's test; search (tier 1)
    // has none; ledger (tier 2) is out of scope.
    let yesterday = format!("{}T09:00:00Z", day(-1));
    let test = json!([{"external_id": "DR-NEW", "service": "checkout", "scenario": "failover",
                       "performed_at": yesterday, "outcome": "pass"}]);
    assert_eq!(app.post_json("dr-tests", &test).await.0, 200);

    let deadline = day(30);
    let form = |title: &'static str, scope: &'static str, deadline: String| {
        vec![
            ("title", title.to_owned()),
            ("description", "Every tier-0 and tier-1 service tests its recovery.".to_owned()),
            ("owner", "sre-leads@example.test".to_owned()),
            ("goal_kind", "checks".to_owned()),
            ("goal_checks[dr_test_recent]", "on".to_owned()),
            ("scope_kind", "tiers".to_owned()),
            ("scope_values", scope.to_owned()),
            ("deadline", deadline),
        ]
    };
    let send = |fields: Vec<(&'static str, String)>| async move {
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        call(app, "create_campaign", &borrowed).await
    };

    // Bad input: refused with the reason, nothing written.
    let (status, reply) = send(form("DR everywhere", "0, 9", deadline.clone())).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply.to_string().contains("'9' is not a tier"), "{reply}");
    let (status, reply) = send(form("DR everywhere", "0 1", day(-1))).await;
    assert_eq!(status, 400, "a deadline in the past: {reply}");
    let mut no_checks = form("DR everywhere", "0 1", deadline.clone());
    no_checks.retain(|(k, _)| *k != "goal_checks[dr_test_recent]");
    let (status, reply) = send(no_checks).await;
    assert_eq!(status, 400, "{reply}");
    let mut unknown_team = form("DR everywhere", "ghosts", deadline.clone());
    unknown_team[5].1 = "teams".to_owned();
    let (status, reply) = send(unknown_team).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply.to_string().contains("no team 'ghosts'"), "{reply}");
    assert_eq!(app.count("campaign").await, 0);

    let (status, reply) = send(form("DR everywhere!", "0 1", deadline.clone())).await;
    assert_eq!(status, 200, "{reply}");
    // The same title again gets a slug of its own.
    assert_eq!(send(form("DR everywhere!", "3", deadline.clone())).await.0, 200);
    // Even when two admins send it at the same instant.
    let (a, b) = tokio::join!(send(form("Race", "3", day(40))), send(form("Race", "3", day(40))));
    assert_eq!((a.0, b.0), (200, 200), "{a:?} {b:?}");
    let slugs = query(app, "SELECT slug FROM campaign WHERE title = 'Race' ORDER BY slug").await;
    let slugs: Vec<String> = slugs.iter().map(|r| r.try_get::<String>("", "slug").expect("slug")).collect();
    assert_eq!(slugs, ["race", "race-2"]);
    execute(app, "DELETE FROM campaign_point WHERE campaign_id IN (SELECT id FROM campaign WHERE title = 'Race')")
        .await;
    execute(app, "DELETE FROM campaign WHERE title = 'Race'").await;

    let (status, list) = app.get("/api/v1/campaigns").await;
    assert_eq!(status, 200, "{list}");
    let slugs: Vec<&str> =
        list["campaigns"].as_array().expect("list").iter().filter_map(|c| c["slug"].as_str()).collect();
    assert_eq!(slugs, ["dr-everywhere", "dr-everywhere-2"], "same deadline: oldest first");
    assert_eq!((list["campaigns"][0]["met"].as_u64(), list["campaigns"][0]["total"].as_u64()), (Some(1), Some(2)));
    assert_eq!(list["campaigns"][0]["goal"], "Recent passing DR test passes");
    assert_eq!(list["campaigns"][0]["scope"], "tiers 0, 1");
    // Tier 3 has no service here: nothing to meet, not "0 of 0 failing".
    assert_eq!(list["campaigns"][1]["total"], 0);

    let (status, campaign) = app.get("/api/v1/campaigns/dr-everywhere").await;
    assert_eq!(status, 200, "{campaign}");
    assert_eq!(campaign["state"], "running");
    assert_eq!(campaign["days_left"], 30);
    let now = &campaign["now"];
    assert_eq!((now["met"].as_u64(), now["total"].as_u64()), (Some(1), Some(2)));
    assert_eq!(now["services"][0]["service"], "search", "open ones first");
    assert_eq!(now["services"][0]["open"][0]["check"], "dr_test_recent");
    assert!(now["services"][0]["open"][0]["explanation"].as_str().is_some_and(|e| e.contains("Fix:")), "{now}");
    assert_eq!(
        now["teams"],
        json!([{"team": "discovery", "met": 0, "total": 1}, {"team": "payments", "met": 1, "total": 1}])
    );
    let burn_up = campaign["burn_up"].as_array().expect("burn-up");
    assert_eq!(burn_up.len(), 1, "the day it started");
    assert_eq!((burn_up[0]["day"].as_str(), burn_up[0]["met"].as_u64()), (Some(day(0).as_str()), Some(1)));
    assert_eq!(app.get("/api/v1/campaigns/nope").await.0, 404);

    // The team page's panel: the team's share.
    let (status, mine) = call(app, "team_campaigns", &[("team", "discovery")]).await;
    assert_eq!(status, 200, "{mine}");
    assert_eq!(mine[0]["slug"], "dr-everywhere");
    assert_eq!((mine[0]["met"].as_u64(), mine[0]["total"].as_u64()), (Some(0), Some(1)));
    assert_eq!(mine[0]["open"], json!(["search"]));

    // Search tests its recovery: the campaign moves with the scorecards.
    let test = json!([{"external_id": "DR-S", "service": "search", "scenario": "restore",
                       "performed_at": yesterday, "outcome": "pass"}]);
    assert_eq!(app.post_json("dr-tests", &test).await.0, 200);
    let (_, campaign) = app.get("/api/v1/campaigns/dr-everywhere").await;
    assert_eq!(campaign["now"]["met"], 2);

    // Changes: checked, audited; a cancelled campaign cannot change again.
    let change = |deadline: String, cancel: bool| {
        let mut fields = vec![
            ("slug", "dr-everywhere-2".to_owned()),
            ("title", "Tier 3 DR".to_owned()),
            ("description", String::new()),
            ("owner", "ops@example.test".to_owned()),
            ("deadline", deadline),
        ];
        if cancel {
            fields.push(("cancel", "yes".to_owned()));
        }
        fields
    };
    let update = |fields: Vec<(&'static str, String)>| async move {
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        call(app, "update_campaign", &borrowed).await
    };
    assert_eq!(update(change(day(-3), false)).await.0, 400, "no deadline in the past");
    assert_eq!(update(change(day(60), false)).await.0, 200);
    let (_, changed) = app.get("/api/v1/campaigns/dr-everywhere-2").await;
    assert_eq!((changed["title"].as_str(), changed["deadline"].as_str()), (Some("Tier 3 DR"), Some(day(60).as_str())));
    assert_eq!(update(change(day(60), true)).await.0, 200);
    let (status, reply) = update(change(day(60), false)).await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply.to_string().contains("cancelled"), "{reply}");

    // The deadline passes. The standing recorded on it (both services open) is the result, not
    // where the campaign stands today.
    let deadline = day(-2);
    execute(app, &format!("UPDATE campaign SET deadline = '{deadline}' WHERE slug = 'dr-everywhere'")).await;
    let campaign = server::campaigns::by_slug(&app.db, "dr-everywhere").await.expect("read").expect("campaign");
    let open = |service: &str, team: &str| app::domain::campaign::ServiceGoal {
        service: service.to_owned(),
        team: team.to_owned(),
        tier: 0,
        level: None,
        met: false,
        open: Vec::new(),
        reachable: true,
    };
    let on_deadline = app::domain::campaign::Standing {
        met: 0,
        total: 2,
        teams: Vec::new(),
        services: vec![open("checkout", "payments"), open("search", "discovery")],
    };
    let deadline_day = deadline.parse().expect("day");
    let recorded_at = server::clock_now() - TimeDelta::days(2);
    server::campaigns::record_point(&app.db, &campaign, deadline_day, &on_deadline, recorded_at).await.expect("point");
    let policy = app::domain::scorecard::Policy::default_policy().expect("policy");
    let figures = server::kpis::Figures::new(app.db.clone(), policy, app::domain::kpi::ReportingCalendar::default());
    let first = server::campaigns::record_progress(&figures, server::clock_now()).await.expect("recorded");
    assert_eq!((first.points, first.results), (0, 1), "the cancelled one is left alone");
    let again = server::campaigns::record_progress(&figures, server::clock_now()).await.expect("recorded");
    assert_eq!((again.points, again.results), (0, 0), "a result is recorded once");

    let (_, ended) = app.get("/api/v1/campaigns/dr-everywhere").await;
    assert_eq!(ended["state"], "ended");
    let result = &ended["result"];
    assert_eq!((result["met"].as_u64(), result["total"].as_u64()), (Some(0), Some(2)), "{ended}");
    assert_eq!(result["day"], deadline.as_str());
    assert_eq!(result["open"], json!(["checkout", "search"]));
    assert_eq!(ended["now"]["met"], 2, "today's standing is shown beside it, not instead");
    let (_, list) = app.get("/api/v1/campaigns").await;
    let states: Vec<(&str, &str)> = list["campaigns"]
        .as_array()
        .expect("list")
        .iter()
        .map(|c| (c["slug"].as_str().unwrap_or(""), c["state"].as_str().unwrap_or("")))
        .collect();
    // Neither runs: the latest deadline first.
    assert_eq!(states, [("dr-everywhere-2", "cancelled"), ("dr-everywhere", "ended")]);
    assert_eq!(list["campaigns"][1]["met"], 0, "an ended campaign lists its result");

    let actions = audit_actions(app).await;
    let count = |action: &str| actions.iter().filter(|a| *a == action).count();
    assert_eq!(
        (count("campaign.created"), count("campaign.changed"), count("campaign.cancelled"), count("campaign.result")),
        (4, 1, 1, 1), // two, and the two that raced
        "{actions:?}"
    );

    // Evidence: the campaigns of the window, with the result.
    let window = format!("from={}&to={}", day(-10), day(0));
    let pack = crate::evidence::download(app, &Credential::None, &window).await;
    let rows = pack.rows("campaigns.csv");
    let ended_row = rows.iter().find(|r| r["slug"] == "dr-everywhere").expect("the ended campaign");
    assert_eq!((ended_row["result_met"].as_str(), ended_row["result_total"].as_str()), ("0", "2"));
    assert_eq!(ended_row["result_open"], "checkout search");
    assert!(rows.iter().any(|r| r["slug"] == "dr-everywhere-2" && !r["cancelled_at"].is_empty()));
}

crate::on_both_backends!(a_campaign_tracks_its_services_and_records_its_result_once);
