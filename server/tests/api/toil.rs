//! Toil: the reports teams send (`toil-reports`), the two KPIs they feed at the organisation and
//! team scopes (and not at a service's), their drill-downs, the listing, and the Toil panel of the
//! overview and team pages.

use serde_json::{Value, json};

use crate::helpers::{TestApp, section};

/// Red, blue and green own an active service each; gone owns only a retired one; solo owns
/// none. Reports, counted in the quarter of their counted day (a week's Thursday):
/// - red: the week of Mon 29 Jun (Thu 2 Jul: Q3) 100 h / 50 h of toil, August 160 / 16, the week
///   of Mon 10 Aug 40 / 40 (August reported whole: not counted), the week of Mon 28 Sep (Thu 1
///   Oct: Q4) 100 / 100;
/// - blue: July 200 / 20 (tickets);
/// - gone: September 100 / 40;
/// - green: June 100 / 10 (Q2 only).
async fn load(app: &TestApp) {
    let report = |team: &str, period: &str, start: &str, total: f64, toil: f64| {
        json!({"team": team, "period": period, "period_start": start, "hours_total": total,
               "hours_toil": toil, "category": "deploys", "method": "survey"})
    };
    let mut blue = report("blue", "month", "2026-07-01", 200.0, 20.0);
    blue["category"] = json!("tickets");
    blue["method"] = json!("ticket_labels");
    let batches = [
        (
            "teams",
            json!(["red", "blue", "green", "gone", "solo"].map(|t| json!({"slug": t, "name": t.to_uppercase()}))),
        ),
        (
            "services",
            json!([
                {"slug": "r1", "name": "R1", "tier": 0, "team": "red"},
                {"slug": "b1", "name": "B1", "tier": 1, "team": "blue"},
                {"slug": "g1", "name": "G1", "tier": 2, "team": "green"},
                {"slug": "x1", "name": "X1", "tier": 2, "team": "gone", "lifecycle": "retired"}
            ]),
        ),
        (
            "toil-reports",
            json!([
                report("red", "week", "2026-06-29", 100.0, 50.0),
                report("red", "month", "2026-08-01", 160.0, 16.0),
                report("red", "week", "2026-08-10", 40.0, 40.0),
                report("red", "week", "2026-09-28", 100.0, 100.0),
                blue,
                report("gone", "month", "2026-09-01", 100.0, 40.0),
                report("green", "month", "2026-06-01", 100.0, 10.0),
            ]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-12)
}

async fn teams_toil_is_reported_by_the_organisation_and_each_team(app: &TestApp) {
    load(app).await;
    // Q3: red (50 + 16) + blue 20 + gone 40 over 100 + 160 + 200 + 100 hours. Red, blue and green
    // are expected to report (gone's only service is retired); red and blue did.
    let (status, org) = app.get("/api/v1/kpis?period=2026-Q3&scope=org").await;
    assert_eq!(status, 200, "{org}");
    assert!(close(&org["kpis"]["toil_ratio"], 126.0 / 560.0), "{}", org["kpis"]["toil_ratio"]);
    assert!(close(&org["kpis"]["toil_reporting_coverage"], 2.0 / 3.0), "{}", org["kpis"]);
    let (_, red) = app.get("/api/v1/kpis?period=2026-Q3&scope=team:red").await;
    assert!(close(&red["kpis"]["toil_ratio"], 66.0 / 260.0), "{}", red["kpis"]["toil_ratio"]);
    assert_eq!(red["kpis"]["toil_reporting_coverage"], json!(1.0));
    let (_, green) = app.get("/api/v1/kpis?period=2026-Q3&scope=team:green").await;
    assert_eq!(green["kpis"]["toil_ratio"], Value::Null, "green sent nothing for Q3: no data, not 0");
    assert_eq!(green["kpis"]["toil_reporting_coverage"], json!(0.0));
    for scope in ["service:r1", "tier:0"] {
        let (_, body) = app.get(&format!("/api/v1/kpis?period=2026-Q3&scope={scope}")).await;
        assert_eq!(body["kpis"]["toil_ratio"], Value::Null, "{scope}: toil is a team figure");
        assert_eq!(body["kpis"]["toil_reporting_coverage"], Value::Null, "{scope}");
    }
    let (_, q2) = app.get("/api/v1/kpis?period=2026-Q2&scope=org").await;
    assert!(close(&q2["kpis"]["toil_ratio"], 0.1), "only green's June: {}", q2["kpis"]["toil_ratio"]);
    assert!(close(&q2["kpis"]["toil_reporting_coverage"], 1.0 / 3.0));

    // The drill-downs re-perform both values.
    let (status, body) = app.get("/api/v1/kpis/toil_ratio/population?period=2026-Q3&scope=org").await;
    assert_eq!(status, 200, "{body}");
    let records = body["records"].as_array().cloned().unwrap_or_default();
    let counted: Vec<(&str, &str)> = records
        .iter()
        .filter(|r| r["counted"] == true)
        .map(|r| (r["team"].as_str().unwrap_or(""), r["period_start"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        counted,
        [("blue", "2026-07-01"), ("gone", "2026-09-01"), ("red", "2026-06-29"), ("red", "2026-08-01")],
        "{records:?}"
    );
    let week = records.iter().find(|r| r["period_start"] == "2026-08-10").expect("the covered week is listed");
    assert_eq!((week["included"].clone(), week["counted"].clone()), (json!(false), json!(false)));
    assert!(week["note"].as_str().unwrap_or("").contains("as a whole"), "{week}");
    assert_eq!(records.len(), 5, "Q4's week is not in Q3: {records:?}");
    let (_, body) = app.get("/api/v1/kpis/toil_reporting_coverage/population?period=2026-Q3&scope=org").await;
    let teams: Vec<(&str, bool)> = body["records"]
        .as_array()
        .map(|rows| rows.iter().map(|r| (r["team"].as_str().unwrap_or(""), r["counted"] == true)).collect())
        .unwrap_or_default();
    assert_eq!(teams, [("blue", true), ("green", false), ("red", true)]);

    let csv = app
        .authorized(
            app.client.get(format!("{}/api/v1/kpis/toil_ratio/population.csv?period=2026-Q3&scope=team:red", app.base)),
        )
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("csv");
    let header = csv.lines().next().unwrap_or_default();
    assert!(header.contains("Hours of toil") && header.contains("Toil share"), "{header}");
    assert!(csv.lines().any(|l| l.starts_with("red,month,2026-08-01,160,16,deploys,survey,true,true,0.1")), "{csv}");

    // The listing gives the reports back in the ingestion field names.
    let (_, listed) = app.get("/api/v1/toil-reports?team=blue").await;
    let items = listed["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!(
        (items[0]["period"].clone(), items[0]["method"].clone(), items[0]["hours_toil"].clone()),
        (json!("month"), json!("ticket_labels"), json!(20.0))
    );

    // The overview's Toil panel: both figures, toil by team (most first) and by category, and who
    // sent nothing; each linked to its records.
    let page = app.page("/?period=2026-Q3").await;
    let panel = section(&page, "toil-panel");
    let panel = panel.unwrap_or_else(|| panic!("no toil panel on the overview"));
    for part in [
        "22.5 %",
        "66.7 %",
        "/kpis/toil_ratio?period=2026-Q3&amp;scope=org",
        "/kpis/toil_reporting_coverage?period=2026-Q3&amp;scope=org",
        "tickets: 20 h",
        "from 1 team: green.",
    ] {
        assert!(panel.contains(part), "the overview's toil panel lacks {part:?}: {panel}");
    }
    let table = panel.split("data-testid=\"toil-teams\"").nth(1).unwrap_or_default();
    let order: Vec<usize> = ["gone", "red", "blue"].iter().filter_map(|t| table.find(&format!(">{t}</a>"))).collect();
    assert!(order.len() == 3 && order.windows(2).all(|w| w[0] < w[1]), "most toil first: {table}");
    // The team page: the team's own figures, linked to its records; a team without reports says so.
    let page = app.page("/teams/red?period=2026-Q3").await;
    let panel = section(&page, "toil-panel");
    let panel = panel.unwrap_or_default();
    assert!(panel.contains("25.4 %") && panel.contains("scope=team%3Ared"), "red's panel: {panel}");
    let page = app.page("/teams/green?period=2026-Q3").await;
    let panel = section(&page, "toil-panel");
    assert!(panel.unwrap_or_default().contains("no data"), "green's Q3 is no data, not 0 %");

    // A later report moves the figure: blue's August.
    let august = json!([{"team": "blue", "period": "month", "period_start": "2026-08-01", "hours_total": 240,
                         "hours_toil": 240, "method": "survey"}]);
    assert_eq!(app.post_json("toil-reports", &august).await.0, 200);
    let (_, org) = app.get("/api/v1/kpis?period=2026-Q3&scope=org").await;
    assert!(close(&org["kpis"]["toil_ratio"], 366.0 / 800.0), "{}", org["kpis"]["toil_ratio"]);
}

crate::on_both_backends!(teams_toil_is_reported_by_the_organisation_and_each_team);
