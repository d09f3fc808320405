//! `/services`: the list page, rendered on the server from the scorecards of a period.

use crate::helpers::TestApp;
use crate::kpis::load;

async fn page(app: &TestApp, query: &str) -> (u16, String) {
    let response = app.client.get(format!("{}/services?{query}", app.base)).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("html"))
}

/// The service slugs in the table, in order.
fn listed(html: &str) -> Vec<String> {
    let body = html.split("<tbody>").nth(1).and_then(|rest| rest.split("</tbody>").next()).unwrap_or_default();
    body.split("<tr data-service=")
        .skip(1)
        .filter_map(|row| row.split("<code>").nth(1)?.split("</code>").next())
        .map(|s| s.replace("<!>", ""))
        .collect()
}

async fn services_are_listed_filtered_and_sorted(app: &TestApp) {
    load(app).await;
    let (status, html) = page(app, "period=2026-Q3").await;
    assert_eq!(status, 200);
    let all = listed(&html);
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(html.contains("3 services · 2026-Q3"), "the count and period are shown");
    assert!(html.contains("Below Bronze") || html.contains("Bronze"), "levels are named, not only coloured");

    let (_, html) = page(app, "period=2026-Q3&team=payments").await;
    let mut payments = listed(&html);
    payments.sort();
    assert_eq!(payments, ["checkout", "ledger"]);

    let (_, html) = page(app, "period=2026-Q3&sort=service").await;
    assert_eq!(listed(&html), ["checkout", "ledger", "search"]);
    let (_, html) = page(app, "period=2026-Q3&sort=service&desc=1").await;
    assert_eq!(listed(&html), ["search", "ledger", "checkout"]);
    let (_, html) = page(app, "period=2026-Q3&q=LED").await;
    assert_eq!(listed(&html), ["ledger"]);
    let (_, html) = page(app, "period=2026-Q3&tier=1").await;
    assert_eq!(listed(&html), ["search"]);

    let (_, html) = page(app, "period=2026-Q3&tier=9").await;
    assert!(html.contains("tier must be 0–3"), "a bad filter is explained");
    assert!(listed(&html).is_empty());
}

async fn an_empty_organisation_says_what_to_do(app: &TestApp) {
    let (status, html) = page(app, "").await;
    assert_eq!(status, 200);
    assert!(html.contains("No service matches"), "empty state");
    assert!(html.contains("POST /api/v1/services"));
}

crate::on_both_backends!(
    services_are_listed_filtered_and_sorted,
    an_empty_organisation_says_what_to_do,
    pages_do_not_stall_while_other_servers_start
);

/// Leptos marks "rendering only to find the routes" with a process-wide flag that stops
/// resources loading in every thread, so a page rendered while another server in the process
/// was being built used to wait forever. Pages are requested here while servers start.
async fn pages_do_not_stall_while_other_servers_start(app: &TestApp) {
    load(app).await;
    let starting = tokio::spawn(async {
        for _ in 0..3 {
            crate::helpers::spawn_app(crate::helpers::Backend::Sqlite).await.cleanup().await;
        }
    });
    for _ in 0..30 {
        let request = page(app, "period=2026-Q3&tier=1");
        let (status, html) =
            tokio::time::timeout(std::time::Duration::from_secs(20), request).await.expect("the page is served");
        assert_eq!(status, 200);
        assert_eq!(listed(&html), ["search"]);
    }
    starting.await.expect("servers started");
}
