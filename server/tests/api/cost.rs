//! Cost to serve: monthly `costs` divided by their unit driver, kept apart per currency and
//! driver, through the KPI API, its drill-down and CSV, the listing, and the Cost to serve panel
//! of the overview and team pages, where a change is only shown beside the SLO met rate.

use serde_json::{Value, json};

use crate::helpers::{TestApp, section};

/// Team core runs api (USD per request) and shop (EUR per order); team edge runs web (USD per
/// request). In 2026-Q2 only api cost: 900 USD for 2,000,000 requests (0.00045). In 2026-Q3:
/// - api: 300 USD in July and 500 USD in August, 1,000,000 requests each;
/// - web: 200 USD in July for 3,000,000 requests;
/// - shop: 60 EUR in September for 1,200 orders (0.05 EUR per order).
///
/// The organisation's USD unit cost is 1,000 ÷ 5,000,000 = 0.0002, 55.6 % below Q2's; api's one
/// SLO met its objective in Q2 and missed it in Q3, so the SLO met rate fell from 100 % to 0 %.
async fn load(app: &TestApp) {
    let cost = |service: &str, month: &str, amount: f64, currency: &str, driver: &str, units: f64| json!({"service": service, "month": month, "amount": amount, "currency": currency, "unit_driver": driver, "units": units});
    let batches = [
        ("teams", json!([{"slug": "core", "name": "Core"}, {"slug": "edge", "name": "Edge"}])),
        (
            "services",
            json!([
                {"slug": "api", "name": "API", "tier": 0, "team": "core"},
                {"slug": "shop", "name": "Shop", "tier": 1, "team": "core"},
                {"slug": "web", "name": "Web", "tier": 1, "team": "edge"}
            ]),
        ),
        (
            "slos",
            json!([{"service": "api", "slug": "availability", "name": "Availability", "indicator": "availability",
                    "objective": 99}]),
        ),
        (
            "slo-measurements",
            json!([
                {"service": "api", "slo": "availability", "day": "2026-05-01", "good": 1000, "total": 1000},
                {"service": "api", "slo": "availability", "day": "2026-08-01", "good": 900, "total": 1000}
            ]),
        ),
        (
            "costs",
            json!([
                cost("api", "2026-06", 900.0, "USD", "request", 2_000_000.0),
                cost("api", "2026-07", 300.0, "USD", "request", 1_000_000.0),
                cost("api", "2026-08-01", 500.0, "USD", "request", 1_000_000.0),
                cost("web", "2026-07", 200.0, "USD", "request", 3_000_000.0),
                cost("shop", "2026-09", 60.0, "EUR", "order", 1_200.0),
            ]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
}

/// `(currency, driver, unit cost)` of a scope's `unit_cost` value.
fn unit_costs(body: &Value) -> Vec<(String, String, f64)> {
    body["kpis"]["unit_cost"]
        .as_array()
        .map(|groups| {
            groups
                .iter()
                .map(|g| {
                    let text = |k: &str| g[k].as_str().unwrap_or("").to_owned();
                    let per_unit = g["amount"].as_f64().unwrap_or(f64::NAN) / g["units"].as_f64().unwrap_or(f64::NAN);
                    (text("currency"), text("unit_driver"), per_unit)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn group(currency: &str, driver: &str, per_unit: f64) -> (String, String, f64) {
    (currency.to_owned(), driver.to_owned(), per_unit)
}

async fn unit_costs_stay_apart_per_currency_and_read_beside_the_slo_met_rate(app: &TestApp) {
    load(app).await;
    let expected = [
        ("org", vec![group("USD", "request", 1000.0 / 5e6), group("EUR", "order", 0.05)]),
        ("team:core", vec![group("USD", "request", 800.0 / 2e6), group("EUR", "order", 0.05)]),
        ("team:edge", vec![group("USD", "request", 200.0 / 3e6)]),
        ("service:shop", vec![group("EUR", "order", 0.05)]),
        ("tier:1", vec![group("USD", "request", 200.0 / 3e6), group("EUR", "order", 0.05)]),
    ];
    for (scope, groups) in expected {
        let (status, body) = app.get(&format!("/api/v1/kpis?period=2026-Q3&scope={scope}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(unit_costs(&body), groups, "{scope}");
    }
    let (_, org) = app.get("/api/v1/kpis?period=2026-Q3&scope=org").await;
    assert_eq!(org["kpis"]["unit_cost"][0]["services"], json!(2));
    assert_eq!(org["kpis"]["unit_cost"][0]["months"], json!(2));
    let (_, q1) = app.get("/api/v1/kpis?period=2026-Q1&scope=org").await;
    assert_eq!(q1["kpis"]["unit_cost"], json!([]), "no costs in Q1: no unit cost, never 0");

    // The drill-down lists each cost with its own unit cost, grouped as the value is.
    let (_, body) = app.get("/api/v1/kpis/unit_cost/population?period=2026-Q3&scope=org").await;
    let rows: Vec<(String, String, String, f64)> = body["records"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let text = |k: &str| r[k].as_str().unwrap_or("").to_owned();
                    (text("currency"), text("service"), text("month"), r["value"].as_f64().unwrap_or(f64::NAN))
                })
                .collect()
        })
        .unwrap_or_default();
    let row = |currency: &str, service: &str, month: &str, value: f64| {
        (currency.to_owned(), service.to_owned(), month.to_owned(), value)
    };
    assert_eq!(
        rows,
        [
            row("EUR", "shop", "2026-09-01", 0.05),
            row("USD", "api", "2026-07-01", 0.0003),
            row("USD", "api", "2026-08-01", 0.0005),
            row("USD", "web", "2026-07-01", 200.0 / 3e6),
        ]
    );
    assert_eq!(body["records"][0]["note"], json!("EUR 0.05 per order"));
    let csv = app
        .authorized(
            app.client.get(format!("{}/api/v1/kpis/unit_cost/population.csv?period=2026-Q3&scope=org", app.base)),
        )
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("csv");
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("Currency,Unit driver,Service,Month,Amount,Units") && header.contains("Unit cost"),
        "{header}"
    );
    assert!(csv.lines().any(|l| l.starts_with("USD,request,api,2026-08,500,1000000,true,true,0.0005")), "{csv}");

    let (_, listed) = app.get("/api/v1/costs?currency=EUR").await;
    let items = listed["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "{listed}");
    assert_eq!((items[0]["month"].clone(), items[0]["unit_cost"].clone()), (json!("2026-09"), json!(0.05)));

    let page = app.page("/?period=2026-Q3").await;
    let panel = section(&page, "cost-panel").unwrap_or_else(|| panic!("no cost panel on the overview"));
    for part in [
        "USD per request",
        "0.0002",
        "0.00045",
        "−55.6 %",
        "0.0 % (in 2026-Q2: 100.0 %)",
        "Cheaper, but less reliable",
        "EUR per order",
        "No cost in the previous period to compare with",
        "/kpis/unit_cost?period=2026-Q3&amp;scope=org",
    ] {
        assert!(panel.contains(part), "the cost panel lacks {part:?}: {panel}");
    }
    let team = app.page("/teams/edge?period=2026-Q3").await;
    let panel = section(&team, "cost-panel").unwrap_or_default();
    assert!(panel.contains("0.0000667") && panel.contains("No cost in the previous period"), "{panel}");
    let empty = app.page("/?period=2025-Q3").await;
    assert!(section(&empty, "cost-panel").unwrap_or_default().contains("cost-empty"), "no costs before 2026-Q2");

    // The quarterly report carries the same section, on its page and in its PDF.
    let report = app.page("/reports/2026-Q3").await;
    let section_html = section(&report, "cost-panel").unwrap_or_else(|| panic!("no cost section in the report"));
    assert!(section_html.contains("Cheaper, but less reliable") && section_html.contains("0.00045"), "{section_html}");
    let pdf = app.authorized(app.client.get(format!("{}/reports/2026-Q3.pdf", app.base))).send().await.expect("pdf");
    let text = crate::reports::pdf_text(&pdf.bytes().await.expect("bytes"));
    for part in ["Cost to serve", "USD per request", "0.0002", "Cheaper, but less reliable"] {
        assert!(text.contains(part), "{part:?} missing from the PDF:\n{text}");
    }
    assert!(!text.contains("Stakeholder satisfaction"), "no survey on record: no empty section in the report");
    assert!(section(&report, "satisfaction-panel").is_none(), "nor on its page");

    // A corrected July bill for web moves the figure.
    let corrected = json!([{"service": "web", "month": "2026-07", "amount": 700, "currency": "USD", "unit_driver": "request", "units": 3_000_000}]);
    assert_eq!(app.post_json("costs", &corrected).await.0, 200);
    let (_, org) = app.get("/api/v1/kpis?period=2026-Q3&scope=org").await;
    assert_eq!(unit_costs(&org)[0], group("USD", "request", 1500.0 / 5e6));
}

crate::on_both_backends!(unit_costs_stay_apart_per_currency_and_read_beside_the_slo_met_rate);
