//! `repeats_after_actions_done`: repeats whose earlier incident had every follow-up action done
//! before they started, through the KPI API, its drill-down and the team page.

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// Team web runs api and db. INC-A (June, config, on api) has two actions done in June and one
/// won't-do; INC-B (July) repeats it implicitly; INC-C (August) repeats INC-B, whose one action
/// was done only after INC-C started; INC-X (August, on db) names INC-OLD (January, one action
/// still open) explicitly; INC-E (September) repeats INC-N (July, dns), which had no action.
async fn load(app: &TestApp) {
    let incident = |id: &str, started: &str, service: &str, cause: &str| {
        json!({"external_id": id, "title": id, "severity": "SEV2", "services": [service],
               "started_at": started, "root_cause_category": cause})
    };
    let batches = [
        ("teams", json!([{"slug": "web", "name": "Web"}])),
        (
            "services",
            json!([
                {"slug": "api", "name": "API", "tier": 1, "team": "web"},
                {"slug": "db", "name": "DB", "tier": 1, "team": "web"}
            ]),
        ),
        (
            "incidents",
            json!([
                incident("INC-OLD", "2026-01-05T00:00:00Z", "db", "disk"),
                incident("INC-A", "2026-06-10T00:00:00Z", "api", "config"),
                incident("INC-N", "2026-07-01T00:00:00Z", "api", "dns"),
                incident("INC-B", "2026-07-10T00:00:00Z", "api", "config"),
                incident("INC-E", "2026-09-05T00:00:00Z", "api", "dns"),
                incident("INC-C", "2026-08-10T00:00:00Z", "api", "config"),
            ]),
        ),
        (
            "incidents",
            json!([{"external_id": "INC-X", "title": "Disk again", "severity": "SEV3", "services": ["db"],
                    "started_at": "2026-08-15T00:00:00Z", "repeat_of": "INC-OLD"}]),
        ),
        (
            "actions",
            json!([
                {"external_id": "A-1", "incident": "INC-A", "service": "api", "title": "Lint config",
                 "status": "done", "completed_at": "2026-06-20T00:00:00Z"},
                {"external_id": "A-2", "incident": "INC-A", "service": "db", "title": "Alert on config",
                 "status": "done", "completed_at": "2026-06-25T00:00:00Z"},
                {"external_id": "A-3", "incident": "INC-A", "service": "api", "title": "Rewrite", "status": "wont_do"},
                {"external_id": "B-1", "incident": "INC-B", "service": "api", "title": "Canary",
                 "status": "done", "completed_at": "2026-08-10T00:00:01Z"},
                {"external_id": "O-1", "incident": "INC-OLD", "service": "db", "title": "Bigger disk",
                 "due_date": "2026-02-01", "status": "open"},
                {"external_id": "N-1", "incident": "INC-N", "service": "api", "title": "Second resolver",
                 "status": "wont_do"}
            ]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
}

fn page_text(html: &str) -> String {
    html.replace("<!>", "")
}

async fn html(app: &TestApp, path: &str) -> String {
    let response = app.client.get(format!("{}{path}", app.base)).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 200, "{path}");
    page_text(&response.text().await.expect("html"))
}

/// Of INC-B, INC-C and INC-X (INC-E's earlier incident had no action), only INC-B came back
/// after every action was done: 1 ÷ 3, for the team, the org and the service api (INC-X is db's).
async fn a_repeat_counts_when_the_actions_before_it_were_all_done(app: &TestApp) {
    load(app).await;
    for (scope, expected) in [("org", json!(1.0 / 3.0)), ("team:web", json!(1.0 / 3.0)), ("service:api", json!(0.5))] {
        let (status, body) = app.get(&format!("/api/v1/kpis?period=2026-Q3&scope={scope}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["kpis"]["repeats_after_actions_done"], expected, "{scope}");
    }
    let (_, q2) = app.get("/api/v1/kpis?period=2026-Q2&scope=org").await;
    assert_eq!(q2["kpis"]["repeats_after_actions_done"], Value::Null, "no repeat in Q2: no data, not 0");

    let (status, body) =
        app.get("/api/v1/kpis/repeats_after_actions_done/population?period=2026-Q3&scope=team:web").await;
    assert_eq!(status, 200, "{body}");
    let rows: Vec<(String, bool, bool, String)> = body["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or_default().to_owned();
            (text("id"), r["included"] == true, r["counted"] == true, text("note"))
        })
        .collect();
    let expected = [
        ("INC-B", true, true, "repeats INC-A: 2 of 2 actions done before this started"),
        ("INC-C", true, false, "repeats INC-B: 0 of 1 action done before this started"),
        ("INC-X", true, false, "repeats INC-OLD: 0 of 1 action done before this started"),
        ("INC-E", false, false, "repeats INC-N, which has no follow-up action: left out"),
    ];
    for (id, included, counted, note) in expected {
        let row = rows.iter().find(|r| r.0 == id).unwrap_or_else(|| panic!("{id} missing: {rows:?}"));
        assert_eq!((row.1, row.2, row.3.as_str()), (included, counted, note), "{id}");
    }
    assert_eq!(rows.len(), 4, "only the repeats are listed: {rows:?}");

    // The team page's panel: the three kinds of repeats and the rate, linked to the drill-down.
    let team = html(app, "/teams/web?period=2026-Q3").await;
    for (label, count) in [("Every action done before the repeat", 1), ("Actions still open", 2), ("No action", 1)] {
        let cell = format!("<th scope=\"row\">{label}</th><td class=\"numeric\">{count}</td>");
        assert!(team.contains(&cell), "{cell} missing");
    }
    assert!(team.contains("Repeats after actions done: 33 % (1 of the 3 whose earlier incident had actions)."));
    assert!(team.contains("/kpis/repeats_after_actions_done?period=2026-Q3&amp;scope=team%3Aweb"), "the records");
    let q2 = html(app, "/teams/web?period=2026-Q2").await;
    assert!(q2.contains("No repeat started in this period."));

    // Finishing INC-B's action before INC-C started makes INC-C count.
    let done = json!([{"external_id": "B-1", "incident": "INC-B", "service": "api", "title": "Canary",
                       "status": "done", "completed_at": "2026-08-01T00:00:00Z"}]);
    assert_eq!(app.post_json("actions", &done).await.0, 200);
    let (_, body) = app.get("/api/v1/kpis?period=2026-Q3&scope=team:web").await;
    assert_eq!(body["kpis"]["repeats_after_actions_done"], json!(2.0 / 3.0));
}

crate::on_both_backends!(a_repeat_counts_when_the_actions_before_it_were_all_done);
