//! The org overview (`/`), team pages (`/teams/{slug}`) and KPI drill-downs (`/kpis/{kpi}`),
//! rendered on the server: their figures must be the KPI API's.

use app::domain::overview::format_value;
use app::domain::overview::headline::HEADLINES;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::kpis::load;

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(format!("{}{path}", app.base)).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("html").replace("<!>", ""))
}

/// The element (from its opening tag to `closing`) whose opening tag carries `attribute="value"`.
fn element<'a>(html: &'a str, tag: &str, attribute: &str, value: &str, closing: &str) -> &'a str {
    let marker = format!("{attribute}=\"{value}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no element with {marker}"));
    let start = html[..at].rfind(&format!("<{tag}")).unwrap_or(at);
    let rest = &html[start..];
    &rest[..rest.find(closing).unwrap_or(rest.len())]
}

/// Each headline card shows the KPI API's value for the scope, formatted as the page does.
fn assert_headlines_match(html: &str, kpis: &Value) {
    for headline in &HEADLINES {
        let card = element(html, "li", "data-kpi", headline.kpi.as_str(), "</li>");
        let value = match headline.kpi.as_str() {
            "overdue_actions" => kpis["overdue_actions"]["count"].as_f64(),
            "mttd" | "mttr" => kpis[headline.kpi.as_str()]["median"].as_f64(),
            other => kpis[other].as_f64(),
        };
        let shown = format_value(headline.unit, value);
        assert!(card.contains(&format!(">{shown}</a>")), "{}: {shown} in {card}", headline.kpi);
    }
}

async fn the_overview_shows_the_org_kpis_levels_and_risks(app: &TestApp) {
    load(app).await;
    let (status, html) = page(app, "/?period=2026-Q3").await;
    assert_eq!(status, 200);
    assert!(html.contains("Reliability overview · 2026-Q3"));
    let (_, api) = app.get("/api/v1/kpis?period=2026-Q3&scope=org").await;
    assert_headlines_match(&html, &api["kpis"]);

    // One SEV1 in Q3 against none in Q2: worse, and linked to its records.
    let high = element(&html, "li", "data-kpi", "high_sev_count", "</li>");
    assert!(high.contains("data-verdict=\"worse\""), "{high}");
    assert!(high.contains("+1 · worse than 2026-Q2 (0)"), "{high}");
    assert!(high.contains("href=\"/kpis/high_sev_count?period=2026-Q3&amp;scope=org\""), "{high}");

    // Levels: every active service once, by tier, as the scorecards API has them.
    let (_, cards) = app.get("/api/v1/scorecards?period=2026-Q3").await;
    for card in cards["scorecards"].as_array().expect("scorecards") {
        let tier = card["tier"].as_u64().expect("tier");
        let level = card["level"].as_str().unwrap_or("none");
        let row = element(&html, "tr", "data-tier", &tier.to_string(), "</tr>");
        assert!(row.contains(&format!("tier={tier}&amp;level={level}\">1</a>")), "{level} in {row}");
    }

    // Risks: ACT-2 is 47 days overdue at the quarter's end; search (tier 1) never had a DR test;
    // checkout's SEV1 makes it the incident hotspot.
    let overdue = element(&html, "section", "data-testid", "risk-overdue", "</section>");
    assert!(overdue.contains("ACT-2") && overdue.contains("47 days overdue (due 2026-08-15)"), "{overdue}");
    let dr = element(&html, "section", "data-testid", "risk-dr", "</section>");
    assert!(dr.contains("search") && dr.contains("never passed"), "{dr}");
    assert!(!dr.contains(">checkout<"), "checkout passed a DR test on 2026-08-01: {dr}");
    let hot = element(&html, "section", "data-testid", "risk-incidents", "</section>");
    assert!(hot.contains("checkout") && hot.contains("1 SEV0–1 incidents"), "{hot}");

    // The trends end with the period and describe every value for screen readers.
    // Quarters before the first record are "no data" (—), not zero.
    assert!(html.contains("SEV0–1 incidents by period (lower is better): 2024-Q4 —,"), "trend text alternative");
    assert!(html.contains("2026-Q2 0, 2026-Q3 1."));
}

async fn a_team_page_shows_its_services_kpis_and_what_to_fix(app: &TestApp) {
    load(app).await;
    let (status, html) = page(app, "/teams/payments?period=2026-Q3").await;
    assert_eq!(status, 200);
    assert!(html.contains("Payments · 2026-Q3"));
    assert!(html.contains("/services/checkout?period=2026-Q3") && html.contains("/services/ledger?period=2026-Q3"));
    assert!(!html.contains("/services/search?"), "another team's service");
    let (_, api) = app.get("/api/v1/kpis?period=2026-Q3&scope=team:payments").await;
    assert_headlines_match(&html, &api["kpis"]);
    assert!(html.contains("/kpis/slo_met_rate?period=2026-Q3&amp;scope=team%3Apayments"), "drill-down keeps the scope");

    // "What to fix next" is the scorecards API's list for the team, in its order.
    let (_, cards) = app.get("/api/v1/scorecards?period=2026-Q3&team=payments").await;
    let expected: Vec<String> = cards["fix_next"]
        .as_array()
        .expect("fix_next")
        .iter()
        .map(|item| {
            format!(
                "data-service=\"{}\" data-check=\"{}\"",
                item["service"].as_str().unwrap(),
                item["check"].as_str().unwrap()
            )
        })
        .collect();
    assert!(!expected.is_empty());
    let mut at = 0;
    for item in expected.iter().take(25) {
        let found = html[at..].find(item.as_str()).unwrap_or_else(|| panic!("{item} missing or out of order"));
        at += found + item.len();
    }

    let (status, html) = page(app, "/teams/nobody").await;
    assert_eq!(status, 404);
    assert!(html.contains("There is no team"));
    let (status, _) = page(app, "/teams/payments?period=2026-13").await;
    assert_eq!(status, 400);
}

async fn a_drill_down_lists_the_records_behind_a_value(app: &TestApp) {
    load(app).await;
    let (status, html) = page(app, "/kpis/overdue_actions?period=2026-Q3").await;
    assert_eq!(status, 200);
    let (_, api) = app.get("/api/v1/kpis/overdue_actions/population?period=2026-Q3&scope=org").await;
    assert_eq!(api["count"], 1);
    assert!(html.contains(">1</p>"), "the value");
    assert!(
        html.contains(&api["filter"].as_str().unwrap().replace('\'', "&#x27;"))
            || html.contains(api["filter"].as_str().unwrap())
    );
    assert!(
        html.contains(">ACT-2</td><td class=\"\">Index</td>")
            && html.contains("31–90 days overdue")
            && html.contains(">47 days</td>"),
        "the overdue action with its title, bucket in words and days overdue: {}",
        &html[html.find("<tbody").unwrap_or(0)..]
    );
    assert!(!html.contains(">ACT-1</td>"), "a done action is not overdue");
    assert!(html.contains("/api/v1/kpis/overdue_actions/population.csv?period=2026-Q3"), "the CSV download");

    let (status, html) = page(app, "/kpis/mttr?period=2026-Q3&scope=team:payments").await;
    assert_eq!(status, 200);
    assert!(html.contains(">INC-1</td>") && !html.contains(">INC-2</td>"), "SEV1 only by default");
    let (status, html) = page(app, "/kpis/mttr?period=2026-Q3&scope=team:payments&severity=all").await;
    assert_eq!(status, 200);
    assert!(html.contains(">INC-2</td>"), "every severity when asked");

    assert_eq!(page(app, "/kpis/happiness?period=2026-Q3").await.0, 404);
    assert_eq!(page(app, "/kpis/mttr?scope=team:ghosts").await.0, 404);
    assert_eq!(page(app, "/kpis/mttr?scope=galaxy").await.0, 400);
}

/// Record ids are ingested text: shown as text on the overview's risk lists.
async fn risk_lists_escape_ingested_ids(app: &TestApp) {
    load(app).await;
    let rows = json!([{"external_id": "<img/src=x/onerror=alert(1)>", "service": "ledger", "title": "x",
                        "due_date": "2026-08-01", "status": "open"}]);
    let (status, reply) = app.post_json("actions", &rows).await;
    assert_eq!(status, 200, "{reply}");
    let (_, html) = page(app, "/?period=2026-Q3").await;
    assert!(!html.contains("<img/src=x"), "raw markup reached the page");
    assert!(html.contains("&lt;img/src=x/onerror=alert(1)&gt;"));
}

/// SLOs met by indicator kind on the overview and the team page, latency thresholds named;
/// each SLO's on its service page.
async fn slos_met_are_broken_down_by_indicator(app: &TestApp) {
    load(app).await;
    let slos = json!([
        {"service": "ledger", "slug": "p99", "name": "Ledger p99", "indicator": "latency",
         "objective": 99.5, "window_days": 28, "threshold_ms": 300},
        {"service": "search", "slug": "p95", "name": "Search p95", "indicator": "latency",
         "objective": 99.0, "window_days": 28, "threshold_ms": 500}
    ]);
    assert_eq!(app.post_json("slos", &slos).await.0, 200);
    let day = json!([{"service": "ledger", "slo": "p99", "day": "2026-08-01", "good": 980, "total": 1000}]);
    assert_eq!(app.post_json("slo-measurements", &day).await.0, 200);
    let cells = |row: &str| -> Vec<String> {
        row.split("<td class=\"numeric\">")
            .skip(1)
            .map(|cell| cell.split('<').next().unwrap_or("").to_owned())
            .collect()
    };

    let (status, html) = page(app, "/?period=2026-Q3").await;
    assert_eq!(status, 200);
    let availability = element(&html, "tr", "data-indicator", "availability", "</tr>");
    assert!(availability.contains(">availability</th>"), "{availability}");
    assert_eq!(cells(availability), ["1", "1", "1", "100.0 %"]);
    // Two latency SLOs, one without data: judged 1, met 0 — 0 %, not "no data".
    let latency = element(&html, "tr", "data-indicator", "latency", "</tr>");
    assert!(latency.contains("latency (within 300–500 ms)"), "{latency}");
    assert_eq!(cells(latency), ["2", "1", "0", "0.0 %"]);
    assert!(html.contains("/kpis/slo_met_rate?period=2026-Q3&amp;scope=org"), "the SLOs behind the rows");

    let (_, html) = page(app, "/teams/discovery?period=2026-Q3").await;
    let latency = element(&html, "tr", "data-indicator", "latency", "</tr>");
    assert!(latency.contains("latency (within 500 ms)"), "{latency}");
    assert_eq!(cells(latency), ["1", "0", "0", "—"], "no SLO to judge is no data, never 0 %");

    let (_, html) = page(app, "/services/ledger?period=2026-Q3").await;
    let card = element(&html, "article", "data-slo", "p99", "</article>");
    assert!(card.contains("latency (within 300 ms)"), "{card}");

    // The drill-down the rows link to says what each SLO measures, on the page and in the API.
    let (_, html) = page(app, "/kpis/slo_met_rate?period=2026-Q3&scope=org").await;
    assert!(html.contains(">Measures </a></th>"), "the column, sortable");
    assert!(html.contains("latency (within 300 ms)") && html.contains("latency (within 500 ms)"), "{html}");
    let (_, population) = app.get("/api/v1/kpis/slo_met_rate/population?period=2026-Q3&scope=org").await;
    let p99 = population["records"].as_array().expect("records").iter().find(|r| r["slo"] == "p99").cloned();
    let p99 = p99.expect("the latency SLO is in the population");
    assert_eq!((&p99["indicator"], &p99["threshold_ms"]), (&json!("latency"), &json!(300)), "{p99}");
}

crate::on_both_backends!(
    slos_met_are_broken_down_by_indicator,
    the_overview_shows_the_org_kpis_levels_and_risks,
    a_team_page_shows_its_services_kpis_and_what_to_fix,
    a_drill_down_lists_the_records_behind_a_value,
    risk_lists_escape_ingested_ids
);
