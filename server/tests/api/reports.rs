//! The quarterly report: `/reports/{period}` (HTML) and `/reports/{period}.pdf` (made on the
//! server). A published quarter renders from its snapshot: the same bytes whatever is imported
//! later.

use serde_json::json;

use app::domain::access::TokenScope;

use crate::access::{oidc_app, signed_in, token};
use crate::helpers::TestApp;
use crate::kpis::load;
use crate::waivers::call;

async fn fetch(app: &TestApp, path: &str) -> (u16, String, Vec<u8>) {
    let response = app.client.get(format!("{}{path}", app.base)).send().await.expect("request");
    let status = response.status().as_u16();
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, kind, response.bytes().await.expect("body").to_vec())
}

/// The PDF's text, read back by an independent PDF parser (which also checks its structure).
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let document = lopdf::Document::load_mem(bytes).expect("a valid PDF");
    let pages: Vec<u32> = document.get_pages().keys().copied().collect();
    assert!(!pages.is_empty());
    document.extract_text(&pages).expect("text")
}

/// The charts in the PDF: form XObjects (svg2pdf's conversion of the pages' charts-rs SVG), and
/// whether the charts' font is embedded.
fn pdf_charts(bytes: &[u8]) -> (usize, bool) {
    let document = lopdf::Document::load_mem(bytes).expect("a valid PDF");
    let name = |dict: &lopdf::Dictionary, key: &[u8]| dict.get(key).and_then(|v| v.as_name()).map(<[u8]>::to_vec).ok();
    let forms = document
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .filter(|s| name(&s.dict, b"Subtype").as_deref() == Some(b"Form"))
        .count();
    let roboto = document
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .any(|d| name(d, b"BaseFont").is_some_and(|font| font.windows(6).any(|w| w == b"Roboto")));
    (forms, roboto)
}

async fn publish(app: &TestApp, period: &str) -> u16 {
    let response = app
        .client
        .post(format!("{}/api/v1/snapshots", app.base))
        .header("content-type", "application/json")
        .body(json!({"period": period}).to_string())
        .send()
        .await
        .expect("sent");
    response.status().as_u16()
}

async fn the_pdf_report_is_a_valid_pdf_with_the_quarters_figures(app: &TestApp) {
    load(app).await;
    let (status, kind, bytes) = fetch(app, "/reports/2026-Q3.pdf").await;
    assert_eq!((status, kind.as_str()), (200, "application/pdf"));
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(&bytes);
    for expected in [
        "Quarterly reliability report",
        "2026-Q3",
        "DRAFT",
        "Headline KPIs",
        "SLOs met",
        "INC-1",
        "Checkout down",
        "Payments",
        "Discovery",
        "KPI definitions version 7",
        "Executive summary",
        "Target",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from the PDF text:\n{text}");
    }
    let (forms, font) = pdf_charts(&bytes);
    assert!(forms >= 6 && font, "every trend is a vector chart with its text: {forms} forms, Roboto {font}");
    // The HTML report shows the same quarter, drafted.
    let (status, _, html) = fetch(app, "/reports/2026-Q3").await;
    let html = String::from_utf8(html).expect("utf-8").replace("<!>", "");
    assert_eq!(status, 200);
    assert!(html.contains("Quarterly reliability report · 2026-Q3"));
    assert!(html.contains("data-incident=\"INC-1\""));
    assert!(html.contains("Draft."));
    assert!(html.contains("href=\"/reports/2026-Q3.pdf\""));
}

async fn a_published_report_renders_the_same_bytes_after_more_imports(app: &TestApp) {
    load(app).await;
    assert_eq!(publish(app, "2026-Q3").await, 201);
    let (_, _, first) = fetch(app, "/reports/2026-Q3.pdf").await;
    let (_, _, html_before) = fetch(app, "/reports/2026-Q3").await;
    // A late SEV0 in the quarter changes the live figures, not the published report.
    let late = json!([{"external_id": "INC-LATE", "title": "Late", "severity": "SEV0", "services": ["search"],
                       "started_at": "2026-08-20T00:00:00Z"}]);
    assert_eq!(app.post_json("incidents", &late).await.0, 200);
    let (_, _, second) = fetch(app, "/reports/2026-Q3.pdf").await;
    assert!(first == second, "a published report's PDF must not change");
    // The page shows the live figures' differences once they are recomputed (in the background).
    let html_after = crate::helpers::eventually("the report page shows the late incident", || async {
        let (_, _, html) = fetch(app, "/reports/2026-Q3").await;
        String::from_utf8_lossy(&html).contains("data-testid=\"live-changes\"").then_some(html)
    })
    .await;
    // The page's content, without the per-request script nonces around it.
    let main = |html: &[u8]| {
        let text = String::from_utf8_lossy(html).into_owned();
        let start = text.find("<main").expect("main");
        let end = text.find("</main>").expect("/main");
        text[start..end].to_owned()
    };
    // Its figures stay as published; the page adds a notice of what the live data now gives.
    let table = |html: &str| {
        let start = html.find("<table class=\"data report-kpis\"").expect("headline table");
        html[start..start + html[start..].find("</table>").expect("/table")].to_owned()
    };
    let (before, after) = (main(&html_before), main(&html_after));
    assert!(table(&before) == table(&after), "nor its figures");
    assert!(after.contains("Published") && !before.contains("data-testid=\"live-changes\""));
    assert!(after.contains("data-testid=\"live-changes\""), "{after}");
    assert!(after.replace("<!>", "").contains("SEV0–1 incidents: published 1, now 2"), "{after}");
    let text = pdf_text(&second);
    assert!(text.contains("Published") && !text.contains("INC-LATE"), "{text}");
    let (_, api) = app.get("/api/v1/kpis?period=2026-Q3").await;
    assert_eq!(api["kpis"]["high_sev_count"], 2, "the live figure moved");
    // The unpublished quarter before it is still a draft computed now.
    let (_, _, q2) = fetch(app, "/reports/2026-Q2.pdf").await;
    assert!(pdf_text(&q2).contains("DRAFT"));
}

async fn reports_are_quarterly_and_periods_are_checked(app: &TestApp) {
    for path in ["/reports/2026-07.pdf", "/reports/nonsense.pdf", "/reports/2026-07", "/reports/2026-Q5"] {
        let (status, _, _) = fetch(app, path).await;
        assert_eq!(status, 400, "{path}");
    }
}

/// The page's markup without Leptos's hydration markers and comments, for matching rows.
fn without_comments(html: &str) -> String {
    let html = html.replace("<!>", "");
    let mut out = String::with_capacity(html.len());
    let mut rest = html.as_str();
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("-->").map_or("", |end| &rest[start + end + 3..]);
    }
    out.push_str(rest);
    out
}

/// Incidents by root cause, on the team page, in the report and in its PDF: the quarter's
/// incidents of every severity per category (the uncategorised last), with their share, their
/// SEV0–1 and their repeats; a category is ingested text, escaped.
async fn incidents_are_broken_down_by_root_cause_on_the_team_page_and_in_the_report(app: &TestApp) {
    load(app).await;
    let row = |cause: &str, counts: [&str; 4]| {
        format!(
            "<th scope=\"row\">{cause}</th><td class=\"numeric\">{}</td><td class=\"numeric\">{}</td>\
             <td class=\"numeric\">{}</td><td class=\"numeric\">{}</td>",
            counts[0], counts[1], counts[2], counts[3]
        )
    };
    // Payments in Q3: INC-1 (SEV1, "deploy", repeating June's INC-0) and INC-2 (SEV3, none).
    let (status, _, body) = fetch(app, "/teams/payments?period=2026-Q3").await;
    assert_eq!(status, 200);
    let team = without_comments(&String::from_utf8_lossy(&body));
    let deploy = row("deploy", ["1", "50 %", "1", "1"]);
    let none = row("<em>Not categorised</em>", ["1", "50 %", "0", "0"]);
    let (at_deploy, at_none) = (team.find(&deploy), team.find(&none));
    assert!(at_deploy.is_some() && at_deploy < at_none, "deploy, then the uncategorised:\n{team}");
    assert!(team.contains("/kpis/repeat_incident_rate?period=2026-Q3&amp;scope=team%3Apayments"), "the records");

    let late = json!([{"external_id": "INC-9", "title": "Odd", "severity": "SEV3", "services": ["search"],
                       "started_at": "2026-09-02T00:00:00Z", "root_cause_category": "<b>config</b>"}]);
    assert_eq!(app.post_json("incidents", &late).await.0, 200);
    let escaped = row("&lt;b&gt;config&lt;/b&gt;", ["1", "33 %", "0", "0"]);
    // A page is served the last figures at once; the import shows once they are recomputed.
    let report = crate::helpers::eventually("the report includes the late incident", || async {
        let (status, _, body) = fetch(app, "/reports/2026-Q3").await;
        assert_eq!(status, 200);
        let report = without_comments(&String::from_utf8_lossy(&body));
        report.contains(&escaped).then_some(report)
    })
    .await;
    assert!(report.contains("Incidents by root cause"), "{report}");
    assert!(!report.contains("<b>config</b>"), "ingested markup reached the page");
    let (at_deploy, at_escaped, at_none) = (
        report.find(&row("deploy", ["1", "33 %", "1", "1"])),
        report.find(&escaped),
        report.find(&none.replace("50 %", "33 %")),
    );
    assert!(at_escaped.is_some() && at_escaped < at_deploy && at_deploy < at_none, "ties by name:\n{report}");

    let (_, _, pdf) = fetch(app, "/reports/2026-Q3.pdf").await;
    let text = pdf_text(&pdf);
    for expected in ["Incidents by root cause", "<b>config</b>", "Not categorised", "3 incidents of every severity"] {
        assert!(text.contains(expected), "{expected:?} missing from the PDF text:\n{text}");
    }
    // A quarter without incidents says so, with no table of zeros.
    let (_, _, body) = fetch(app, "/teams/payments?period=2026-Q1").await;
    assert!(String::from_utf8_lossy(&body).contains("No incident started in this period."));
}

crate::on_both_backends!(
    incidents_are_broken_down_by_root_cause_on_the_team_page_and_in_the_report,
    the_pdf_report_is_a_valid_pdf_with_the_quarters_figures,
    a_published_report_renders_the_same_bytes_after_more_imports,
    reports_are_quarterly_and_periods_are_checked
);

/// Signed-in admins and viewers: publishing from the page.
mod publishing {
    use super::*;

    /// Publishing from the report page: admins only, confirmed, ended quarters only. Afterwards a
    /// late record shows as a difference on the report, the overview, the reports index and the
    /// drill-down the figure links to, never as a silent change.
    async fn a_quarter_is_published_from_its_page_and_later_differences_are_shown(app: &TestApp) {
        let pipeline = token(app, &[TokenScope::Ingest, TokenScope::Read], None).await;
        app.bearer.set(pipeline).expect("the token is set once");
        load(app).await;
        let viewer = signed_in(app, "vera@example.test", &["viewer"], &[], false).await;
        let admin = signed_in(app, "ada@example.test", &["admin"], &[], false).await;
        let q3 = [("period", "2026-Q3")];
        let (status, view) = call(app, &admin, "report", &q3).await;
        assert_eq!((status, &view["can_publish"], &view["publication"]["state"]), (200, &json!(true), &json!("draft")));
        assert_eq!(call(app, &viewer, "report", &q3).await.1["can_publish"], false);
        let confirmed = [("period", "2026-Q3"), ("confirmed", "true")];
        assert_eq!(call(app, &viewer, "publish_report", &confirmed).await.0, 403, "viewers cannot publish");
        let (status, reply) =
            call(app, &admin, "publish_report", &[("period", "2026-Q3"), ("confirmed", "false")]).await;
        assert_eq!(status, 400, "{reply}");
        assert!(reply.to_string().contains("Confirm"), "{reply}");
        let (status, reply) =
            call(app, &admin, "publish_report", &[("period", "2026-07"), ("confirmed", "true")]).await;
        assert_eq!(status, 400, "months have no report: {reply}");
        let (_, overview) = call(app, &admin, "org_overview", &q3).await;
        assert_eq!(overview["header"]["state"]["state"], "draft");
        assert_eq!(call(app, &admin, "publish_report", &confirmed).await.0, 200);
        let (status, reply) = call(app, &admin, "publish_report", &confirmed).await;
        assert_eq!(status, 400, "published once: {reply}");
        let (_, view) = call(app, &admin, "report", &q3).await;
        assert_eq!(view["publication"]["state"], "published");
        assert!(view["publication"]["published_by"].as_str().is_some_and(|by| by.ends_with(":ada@example.test")));
        assert_eq!(view["publication"]["changes"], json!([]));
        assert_eq!(view["can_publish"], false);
        // A late SEV0 in the quarter.
        let late = json!([{"external_id": "INC-LATE", "title": "Late", "severity": "SEV0", "services": ["search"],
                           "started_at": "2026-08-20T00:00:00Z"}]);
        assert_eq!(app.post_json("incidents", &late).await.0, 200);
        // Pages are served the last figures while newer ones are computed in the background.
        let view = crate::helpers::eventually("the report lists the late incident's change", || async {
            let (_, view) = call(app, &admin, "report", &q3).await;
            (view["publication"]["changes"] != json!([])).then_some(view)
        })
        .await;
        let changes = &view["publication"]["changes"];
        assert_eq!(changes[0]["kpi"], "high_sev_count", "{changes}");
        assert_eq!((&changes[0]["published"], &changes[0]["live"]), (&json!(1.0), &json!(2.0)));
        // The overview's own figures are recomputed in the background too.
        let overview = crate::helpers::eventually("the overview shows the late incident's change", || async {
            let (_, overview) = call(app, &admin, "org_overview", &q3).await;
            (overview["header"]["state"]["changes"] != json!([])).then_some(overview)
        })
        .await;
        assert_eq!(overview["header"]["state"]["state"], "published");
        assert_eq!(overview["header"]["state"]["changes"][0]["kpi"], "high_sev_count");
        // So is the reports list's.
        crate::helpers::eventually("the reports list says the live figures differ", || async {
            let (_, reports) = call(app, &admin, "reports", &[]).await;
            let quarters = reports["quarters"].as_array().cloned().unwrap_or_default();
            let row = quarters.into_iter().find(|q| q["period"] == "2026-Q3")?;
            (row["state"] == "published_live_differs").then_some(())
        })
        .await;
        let (_, drill) =
            call(app, &admin, "population", &[("kpi", "high_sev_count"), ("period", "2026-Q3"), ("scope", "org")])
                .await;
        assert_eq!(drill["published"]["value"], "1");
        assert_eq!(drill["published"]["differs"], true);
        assert_eq!(drill["count"], 2, "the drill-down lists today's records");
        // A team the late incident did not touch still agrees with what was published.
        let (_, team) = call(app, &admin, "team", &[("slug", "payments"), ("period", "2026-Q3")]).await;
        assert_eq!(team["header"]["state"]["changes"], json!([]), "{}", team["header"]);
        let events = app
            .client
            .get(format!("{}/api/v1/audit?action=snapshot.published", app.base))
            .header("cookie", format!("plumbline_session={admin}"))
            .send()
            .await
            .expect("sent")
            .text()
            .await
            .expect("body");
        assert!(events.contains("snapshot:2026-Q3") && events.contains("ada@example.test"), "{events}");
    }

    crate::on_both_backends_with!(oidc_app; a_quarter_is_published_from_its_page_and_later_differences_are_shown);
}
