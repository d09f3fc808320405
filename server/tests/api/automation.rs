//! Automation: who mitigated each incident (`mitigated_by`) and how services remediate their
//! failure modes (`remediations`), through the two KPIs, their drill-downs, the listings and the
//! Automation panel of the overview and team pages.

use serde_json::{Value, json};

use crate::helpers::{TestApp, section};

/// Team core runs api and db, team edge runs web. In 2026-Q3 (as of 1 October, so failure modes
/// count from 3 July):
/// - INC-1 on api, "disk full", mitigated by automation; INC-2 on api, "disk full", by people;
/// - INC-3 on db, "bad deploy", by automation and people; INC-4 on web, "bad deploy", by
///   automation; INC-5 on web, no cause, mitigation not recorded;
/// - INC-0 on db, "failover", started 1 June (outside the look-back), mitigated by automation
///   in Q2.
///
/// Remediations: api/"disk full" full (with a runbook), db/"bad deploy" partial, web has none.
async fn load(app: &TestApp) {
    let incident = |id: &str, service: &str, started: &str, cause: Option<&str>, by: Option<&str>| {
        let mut row = json!({"external_id": id, "title": format!("Outage {id}"), "severity": "SEV2",
                             "services": [service], "started_at": started,
                             "mitigated_at": started.replace("T10:", "T11:")});
        if let Some(cause) = cause {
            row["root_cause_category"] = json!(cause);
        }
        if let Some(by) = by {
            row["mitigated_by"] = json!(by);
        }
        row
    };
    let batches = [
        ("teams", json!([{"slug": "core", "name": "Core"}, {"slug": "edge", "name": "Edge"}])),
        (
            "services",
            json!([
                {"slug": "api", "name": "API", "tier": 0, "team": "core"},
                {"slug": "db", "name": "DB", "tier": 1, "team": "core"},
                {"slug": "web", "name": "Web", "tier": 2, "team": "edge"}
            ]),
        ),
        (
            "incidents",
            json!([
                incident("INC-0", "db", "2026-06-01T10:00:00Z", Some("failover"), Some("automation")),
                incident("INC-1", "api", "2026-07-10T10:00:00Z", Some("disk full"), Some("automation")),
                incident("INC-2", "api", "2026-08-10T10:00:00Z", Some("disk full"), Some("human")),
                incident("INC-3", "db", "2026-08-20T10:00:00Z", Some("bad deploy"), Some("mixed")),
                incident("INC-4", "web", "2026-09-01T10:00:00Z", Some("bad deploy"), Some("automation")),
                incident("INC-5", "web", "2026-09-02T10:00:00Z", None, None),
            ]),
        ),
        (
            "remediations",
            json!([
                {"service": "api", "failure_mode": "disk full", "automation": "full",
                 "runbook_url": "https://runbooks.example.com/api/disk", "last_exercised_at": "2026-09-01T00:00:00Z"},
                {"service": "db", "failure_mode": "bad deploy", "automation": "partial"},
                {"service": "db", "failure_mode": "failover", "automation": "full"}
            ]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
}

async fn automation_is_measured_from_mitigations_and_remediations(app: &TestApp) {
    // An unknown service is refused.
    let (status, reply) = app
        .post_json("remediations", &json!([{"service": "nowhere", "failure_mode": "x", "automation": "full"}]))
        .await;
    assert_eq!(status, 422, "{reply}");
    load(app).await;
    // A javascript: runbook is refused on its field, so it can never become a link.
    let (_, bad) = app
        .post_json(
            "remediations",
            &json!([{"service": "api", "failure_mode": "x", "automation": "full",
                                              "runbook_url": "javascript:alert(1)"}]),
        )
        .await;
    assert_eq!(bad["errors"][0]["field"], json!("runbook_url"), "{bad}");

    // Q3 mitigations recorded: INC-1 automation, INC-2 human, INC-3 mixed, INC-4 automation.
    // Failure modes seen: api/disk full (full), db/bad deploy (partial), web/bad deploy (none
    // recorded); db/failover is older than the look-back.
    let expected = [
        ("org", json!(0.5), json!(1.0 / 3.0)),
        ("team:core", json!(1.0 / 3.0), json!(0.5)),
        ("team:edge", json!(1.0), json!(0.0)),
        ("service:api", json!(0.5), json!(1.0)),
    ];
    for (scope, share, modes) in expected {
        let (status, body) = app.get(&format!("/api/v1/kpis?period=2026-Q3&scope={scope}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["kpis"]["automated_mitigation_share"], share, "{scope}: mitigations");
        assert_eq!(body["kpis"]["failure_modes_automated"], modes, "{scope}: failure modes");
    }
    let (_, q2) = app.get("/api/v1/kpis?period=2026-Q2&scope=team:edge").await;
    assert_eq!(q2["kpis"]["automated_mitigation_share"], Value::Null, "edge mitigated nothing in Q2: no data");

    let (_, body) = app.get("/api/v1/kpis/automated_mitigation_share/population?period=2026-Q3&scope=org").await;
    let rows: Vec<(String, bool, bool)> = body["records"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| (r["id"].as_str().unwrap_or("").to_owned(), r["included"] == true, r["counted"] == true))
                .collect()
        })
        .unwrap_or_default();
    let find = |id: &str| rows.iter().find(|r| r.0 == id).map(|r| (r.1, r.2));
    assert_eq!(find("INC-1"), Some((true, true)));
    assert_eq!(find("INC-3"), Some((true, false)), "mixed is not automated");
    assert_eq!(find("INC-5"), Some((false, false)), "not recorded: not judged");
    assert_eq!(find("INC-0"), None, "mitigated in Q2");
    let (_, body) = app.get("/api/v1/kpis/failure_modes_automated/population?period=2026-Q3&scope=org").await;
    let modes: Vec<(String, String, bool, Value)> = body["records"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let text = |k: &str| r[k].as_str().unwrap_or("").to_owned();
                    (text("service"), text("failure_mode"), r["counted"] == true, r["value"].clone())
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        modes,
        [
            ("api".to_owned(), "disk full".to_owned(), true, json!(2.0)),
            ("db".to_owned(), "bad deploy".to_owned(), false, json!(1.0)),
            ("web".to_owned(), "bad deploy".to_owned(), false, json!(1.0)),
        ]
    );

    // The listings give back what was imported.
    let (_, listed) = app.get("/api/v1/remediations?team=core&automation=full").await;
    let items = listed["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "{listed}");
    let (_, incidents) = app.get("/api/v1/incidents?service=db").await;
    let inc3 = incidents["items"].as_array().and_then(|i| i.iter().find(|i| i["external_id"] == "INC-3")).cloned();
    assert_eq!(inc3.map(|i| i["mitigated_by"].clone()), Some(json!("mixed")));

    // The overview's panel: both figures, the mitigations by maker, and the failure modes left
    // to automate.
    let page = app.page("/?period=2026-Q3").await;
    let panel = section(&page, "automation-panel");
    let panel = panel.unwrap_or_else(|| panic!("no automation panel on the overview"));
    for part in [
        "50.0 %",
        "33.3 %",
        "2 by automation, 1 by automation and people, 1 by people, 1 not recorded",
        "/kpis/failure_modes_automated?period=2026-Q3&amp;scope=org",
        "2 of 3 failure modes met are not fully automated",
        "none recorded",
        "partial",
    ] {
        assert!(panel.contains(part), "the automation panel lacks {part:?}: {panel}");
    }
    let table = panel.split("data-testid=\"failure-modes\"").nth(1).unwrap_or_default();
    assert!(!table.contains("disk full"), "a fully automated failure mode is not listed to automate: {table}");
    let team = app.page("/teams/edge?period=2026-Q3").await;
    let panel = section(&team, "automation-panel");
    let panel = panel.unwrap_or_default();
    assert!(panel.contains("100.0 %") && panel.contains("scope=team%3Aedge"), "edge's panel: {panel}");

    // Automating web's deploys moves the figure.
    let now_full = json!([{"service": "web", "failure_mode": "bad deploy", "automation": "full"}]);
    assert_eq!(app.post_json("remediations", &now_full).await.0, 200);
    let (_, org) = app.get("/api/v1/kpis?period=2026-Q3&scope=org").await;
    assert_eq!(org["kpis"]["failure_modes_automated"], json!(2.0 / 3.0));
}

crate::on_both_backends!(automation_is_measured_from_mitigations_and_remediations);
