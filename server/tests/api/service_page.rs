//! `/services/{slug}`: one service's scorecard and records for a period, rendered on the server.

use serde_json::json;

use crate::helpers::TestApp;
use crate::kpis::load;

async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let response = app.client.get(format!("{}{path}", app.base)).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("html").replace("<!>", ""))
}

/// The table row (from its `<tr`) whose opening tag carries `attribute="value"`.
fn row<'a>(html: &'a str, attribute: &str, value: &str) -> &'a str {
    let marker = format!("{attribute}=\"{value}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("no row {marker}"));
    let start = html[..at].rfind("<tr").unwrap_or(at);
    let rest = &html[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}

async fn a_service_shows_its_checks_slos_and_records(app: &TestApp) {
    load(app).await;
    let (status, html) = page(app, "/services/checkout?period=2026-Q3").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Checkout</h1>"), "the service's name heads the page");
    assert!(html.contains("2026-07-01 to 2026-09-30"), "the period's days are named");

    // Level, score and every check agree with the scorecard API.
    let (_, api) = app.get("/api/v1/services/checkout/scorecard?period=2026-Q3").await;
    let card = &api["scorecards"][0];
    let score = card["score"].as_u64().expect("score");
    assert!(html.contains(&format!("{score} / 100")), "score {score} shown");
    for check in card["checks"].as_array().expect("checks") {
        let id = check["id"].as_str().expect("id");
        let shown = row(&html, "data-check", id);
        let label = match check["status"].as_str().expect("status") {
            "pass" => "Pass",
            "fail" => "Fail",
            "waived" => "Waived",
            "not_applicable" => "Not applicable",
            "upcoming" => "Upcoming",
            _ => "No data",
        };
        assert!(shown.contains(&format!(">{label}</span>")), "{id}: {label} in {shown}");
        let explanation = check["explanation"].as_str().expect("explanation");
        assert!(
            shown.contains(&explanation.replace('\'', "&#x27;").replace('"', "&quot;")) || shown.contains(explanation),
            "{id}: {explanation}"
        );
        // Thresholds read in the check's unit, never as a bare fraction.
        if let Some(fraction) = check["threshold"].as_f64().filter(|_| id == "action_on_time_rate") {
            let percent = format!("{} %", (fraction * 100.0).round());
            assert!(shown.contains(&format!(">{percent}</td>")), "{id}: {percent} in {shown}");
        }
    }

    // The SLO: (990 + 1000 + 980 + 995) / 4000 good, and half the 28-day budget left (5 bad of 10).
    assert!(html.contains("99.125 %"), "attainment");
    assert!(html.contains(">Met</span>"));
    assert!(html.contains("50.0 %"), "budget remaining");
    assert!(html.contains("<title id=\"chart-availability--daily-attainment-title\">"), "charts are titled");
    assert!(html.contains("lowest 98.00 % on 2026-07-03"), "the chart's text alternative names the worst day");

    // Only this service's records: INC-1 with its durations, ACT-1 done on time, DR-1's RTO met.
    let incident = row(&html, "data-incident", "INC-1");
    for expected in ["Checkout down", "SEV1", "5 min", "15 min", "2.0 h"] {
        assert!(incident.contains(expected), "{expected} in {incident}");
    }
    assert!(!html.contains("INC-2") && !html.contains("INC-0"), "another service's or period's incident");
    assert!(row(&html, "data-action", "ACT-1").contains("2026-07-20"));
    assert!(!html.contains("ACT-2"));
    assert!(row(&html, "data-dr-test", "DR-1").contains("42 min of 60 min"));
    assert!(row(&html, "data-dr-test", "DR-1").contains(">met</span>"));

    // Ledger's open action was due 2026-08-15: 47 days overdue as of the quarter's end.
    let (_, ledger) = page(app, "/services/ledger?period=2026-Q3").await;
    let action = row(&ledger, "data-action", "ACT-2");
    assert!(action.contains("class=\"overdue\""), "the overdue action is highlighted: {action}");
    assert!(action.contains("47 days overdue"), "{action}");
}

async fn unknown_services_and_bad_periods_are_explained(app: &TestApp) {
    load(app).await;
    let (status, html) = page(app, "/services/ghost").await;
    assert_eq!(status, 404);
    assert!(html.contains("There is no service &#x27;ghost&#x27;.") || html.contains("There is no service 'ghost'."));
    let (status, html) = page(app, "/services/checkout?period=2026-Q9").await;
    assert_eq!(status, 400);
    assert!(html.contains("role=\"alert\""));
}

/// Ingested text is data: names and titles made of markup are shown as text, in HTML and SVG.
async fn ingested_markup_is_escaped(app: &TestApp) {
    let script = "<script>alert(1)</script>";
    let svg = "\"><svg onload=alert(2)>";
    let batches = [
        ("teams", json!([{"slug": "web", "name": "Web"}])),
        ("services", json!([{"slug": "shop", "name": script, "tier": 1, "team": "web"}])),
        (
            "slos",
            json!([{"service": "shop", "slug": "ok", "name": svg, "indicator": "availability",
                         "objective": 99.0, "window_days": 28}]),
        ),
        ("slo-measurements", json!([{"service": "shop", "slo": "ok", "day": "2026-07-01", "good": 9, "total": 10}])),
        (
            "incidents",
            json!([{"external_id": "X-1", "title": svg, "severity": "SEV2", "services": ["shop"],
                              "started_at": "2026-07-02T00:00:00Z"}]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
    let (status, html) = page(app, "/services/shop?period=2026-Q3").await;
    assert_eq!(status, 200);
    assert!(!html.contains(script) && !html.contains("<svg onload"), "raw markup reached the page");
    assert!(!html.contains("<title><svg"), "nor the document title");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the name is shown as text");
    assert!(html.contains("&lt;svg onload=alert(2)&gt;"), "the title is shown as text");
}

/// A page's reads are kept per data version: a page read again after an import shows it, and an
/// exemption shown in force is shown expired once it expires, with no import in between.
async fn a_kept_page_shows_every_import_and_every_expiry(app: &TestApp) {
    load(app).await;
    let now = chrono::Utc::now();
    let expires = now + chrono::TimeDelta::seconds(3);
    let exemption = json!([{"service": "checkout", "check": "active_slo", "reason": "soon over",
                            "approver": "cto", "expires_at": expires.to_rfc3339()}]);
    let (status, reply) = app.post_json("exemptions", &exemption).await;
    assert_eq!(status, 200, "{reply}");
    let (_, html) = page(app, "/services/checkout").await;
    let shown = row(&html, "data-exemption", "active_slo");
    assert!(!shown.contains("(expired)"), "in force: {shown}");
    assert!(!html.contains("INC-LATE"));

    let incident = json!([{"external_id": "INC-LATE", "title": "Late", "severity": "SEV3", "services": ["checkout"],
                           "started_at": (now - chrono::TimeDelta::minutes(5)).to_rfc3339()}]);
    let (status, reply) = app.post_json("incidents", &incident).await;
    assert_eq!(status, 200, "{reply}");
    let (_, html) = page(app, "/services/checkout").await;
    assert!(html.contains("data-incident=\"INC-LATE\""), "the import is on the page read again");

    tokio::time::sleep(
        (expires - chrono::Utc::now()).to_std().unwrap_or_default() + std::time::Duration::from_millis(500),
    )
    .await;
    let (_, html) = page(app, "/services/checkout").await;
    let shown = row(&html, "data-exemption", "active_slo");
    assert!(shown.contains("(expired)"), "expired since: {shown}");
}

crate::on_both_backends!(
    a_kept_page_shows_every_import_and_every_expiry,
    a_service_shows_its_checks_slos_and_records,
    unknown_services_and_bad_periods_are_explained,
    ingested_markup_is_escaped
);
