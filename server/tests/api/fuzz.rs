//! Malformed input everywhere: every GET route of the route table (REST and pages) with broken
//! path and query parameters, every server function with broken form fields, and broken bodies
//! for every record kind and adapter. Nothing may answer 5xx, no page may carry an internal
//! error, and the server must be healthy afterwards. Run on both backends, as the local admin
//! (every route reachable), over a small organisation so that lookups find rows.

use app::domain::ingest::RecordKind;
use app::domain::ingest::adapters::Adapter;
use futures::StreamExt;
use serde_json::json;

use crate::helpers::{Backend, TestApp, spawn_app};

/// Query parameter names the routes read.
const PARAMS: &[&str] = &[
    "period", "from", "to", "scope", "team", "service", "tier", "severity", "level", "kpi", "sort", "desc", "q",
    "page", "limit", "cursor", "after", "before", "actor", "action", "samples", "seed", "status",
];

/// Values, percent-encoded where they need it.
const VALUES: &[&str] = &[
    "9999-Q4",
    "2026-02-30",
    "-1",
    "99999999999999999999999",
    "1e309",
    "%00",
    "%FF%FE",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
];

/// What an internal error looks like once rendered (see `AppError::Internal`).
const INTERNAL_ERROR: &str = "Something went wrong on our side";

async fn seed(app: &TestApp) {
    let rows = [
        ("teams", json!([{"slug": "payments", "name": "Payments"}])),
        ("services", json!([{"slug": "checkout", "name": "Checkout", "tier": 0, "team": "payments"}])),
        (
            "incidents",
            json!([{"external_id": "INC-1", "title": "Down", "severity": "SEV1", "services": ["checkout"],
                    "started_at": "2026-07-01T00:00:00Z", "mitigated_at": "2026-07-01T01:00:00Z"}]),
        ),
    ];
    for (kind, rows) in rows {
        assert_eq!(app.post_json(kind, &rows).await.0, 200, "{kind}");
    }
}

/// Every GET route pattern of the app (REST and pages), but the sign-in redirects.
fn get_routes() -> Vec<String> {
    let rest = server::routes::route_specs().iter().filter(|s| s.method == axum::http::Method::GET).map(|s| s.path);
    let pages: Vec<String> = server::startup::page_routes().iter().map(|r| r.path().to_owned()).collect();
    let mut routes: Vec<String> = rest.map(str::to_owned).chain(pages).filter(|p| !p.starts_with("/auth/")).collect();
    routes.sort();
    routes.dedup();
    routes
}

/// `route` with its parameters filled in: with `malformed`, else with a value that exists.
fn fill(route: &str, malformed: Option<&str>) -> String {
    route
        .split('/')
        .map(|segment| {
            let name = segment.trim_start_matches(['{', ':']).trim_end_matches('}');
            if name == segment {
                return segment.to_owned();
            }
            if let Some(value) = malformed {
                return value.to_owned();
            }
            match name {
                "kind" => "incidents".to_owned(),
                "kpi" => "mttr".to_owned(),
                "period" => "2026-Q3".to_owned(),
                "id" => "1".to_owned(),
                "slug" if route.starts_with("/teams") => "payments".to_owned(),
                _ => "checkout".to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct Finding(String);

async fn probe(app: &TestApp, client: &reqwest::Client, url: String) -> Option<Finding> {
    let response = match client.get(format!("{}{url}", app.base)).send().await {
        Ok(response) => response,
        Err(error) => return Some(Finding(format!("GET {url}: no answer ({error})"))),
    };
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    if status.is_server_error() || text.contains(INTERNAL_ERROR) {
        let start: String = text.chars().take(300).collect();
        return Some(Finding(format!("GET {url}: {status}: {start}")));
    }
    None
}

async fn every_route_survives_malformed_input(backend: Backend) {
    let app = spawn_app(backend).await;
    seed(&app).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let mut urls: Vec<String> = Vec::new();
    for route in get_routes() {
        let path = fill(&route, None);
        urls.push(path.clone());
        urls.extend(VALUES.iter().map(|value| fill(&route, Some(value))));
        for param in PARAMS {
            urls.extend(VALUES.iter().map(|value| format!("{path}?{param}={value}")));
        }
    }
    urls.sort();
    urls.dedup();
    assert!(urls.len() > 3000, "the harness covers the routes: {}", urls.len());
    let started = std::time::Instant::now();
    let findings: Vec<Finding> = futures::stream::iter(urls)
        .map(|url| probe(&app, &client, url))
        .buffer_unordered(8)
        .filter_map(|finding| async move { finding })
        .collect()
        .await;
    let report: Vec<&str> = findings.iter().map(|f| f.0.as_str()).take(20).collect();
    assert!(findings.is_empty(), "{} answer(s) failed:\n{}", findings.len(), report.join("\n"));
    eprintln!("GET routes probed in {:?}", started.elapsed());

    // Server functions with broken form fields.
    let functions: Vec<String> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p.to_owned()).collect();
    let forms = ["", "period=9999-Q4", "slug=%00", "kind=%FF&content=%00", "x=1&x=2", "service=checkout&item=%00"];
    let mut failures = Vec::new();
    for function in &functions {
        for form in forms {
            let answer = client
                .post(format!("{}{function}", app.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(form)
                .send()
                .await
                .expect("sent");
            let status = answer.status();
            let text = answer.text().await.unwrap_or_default();
            if status.is_server_error() {
                failures.push(format!(
                    "POST {function} {form:?}: {status}: {}",
                    text.chars().take(200).collect::<String>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    every_body_is_answered_without_a_server_error(&app, &client).await;
    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, 200, "healthy afterwards");
    app.cleanup().await;
}

/// Broken bodies for every kind in every format, and for every adapter.
async fn every_body_is_answered_without_a_server_error(app: &TestApp, client: &reqwest::Client) {
    let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let weird_values = [
        json!("\u{0}"),
        json!(-1),
        json!(1e308),
        json!("x".repeat(5000)),
        json!({"nested": [1, {"a": null}]}),
        json!([]),
        json!(true),
        json!("9999-12-31T23:59:59Z"),
        json!("0001-01-01T00:00:00+14:00"),
        json!("+275760-09-13T00:00:00Z"),
    ];
    let mut bodies: Vec<(String, &str)> = vec![
        (String::new(), "application/json"),
        ("[".into(), "application/json"),
        ("{}".into(), "application/json"),
        ("[1, null, \"x\"]".into(), "application/json"),
        (deep.clone(), "application/json"),
        ("\u{feff}[{\"a\":1}]".into(), "application/json"),
        ("{\"a\":1}\n{".into(), "application/x-ndjson"),
        ("a,b\n\"unterminated\n".into(), "text/csv"),
        ("\u{0},\u{0}\n\u{0},\u{0}\n".into(), "text/csv"),
        ("a\n".into(), "text/csv"),
    ];
    for kind in RecordKind::ALL {
        for value in &weird_values {
            let row: serde_json::Map<String, serde_json::Value> =
                kind.fields().iter().map(|field| ((*field).to_owned(), value.clone())).collect();
            bodies.push((json!([row]).to_string(), "application/json"));
        }
        let header = kind.fields().join(",");
        let cells = vec!["\u{0}"; kind.fields().len()].join(",");
        bodies.push((format!("{header}\n{cells}\n"), "text/csv"));
    }
    let mut failures = Vec::new();
    for kind in RecordKind::ALL {
        for (body, content_type) in &bodies {
            for query in ["", "?dry_run=true"] {
                let answer = client
                    .post(format!("{}/api/v1/{}{query}", app.base, kind.slug()))
                    .header("content-type", *content_type)
                    .body(body.clone())
                    .send()
                    .await
                    .expect("sent");
                if answer.status().is_server_error() {
                    let start: String = body.chars().take(80).collect();
                    let text = answer.text().await.unwrap_or_default();
                    failures.push(format!("{} {content_type} {start:?}: {text}", kind.slug()));
                }
            }
        }
    }
    let yaml = [
        "a: &a [*a]\n",
        "!!binary AAAA\n",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: *missing\n",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: [1, 2]}\nspec: {objectives: [{targetPercent: 1e309}]}\n",
        "--- \u{0}\n",
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: x}\nspec: {service: \"\u{0}\", timeWindow: [{duration: 99999999999999999999d, isRolling: true}]}\n",
    ];
    for adapter in Adapter::ALL {
        let bodies: Vec<String> =
            bodies.iter().map(|(b, _)| b.clone()).chain(yaml.iter().map(|y| (*y).to_owned())).collect();
        for body in bodies {
            let url = format!("{}/api/v1/{}?format={}&team=payments", app.base, adapter.kind().slug(), adapter.name());
            let answer = client.post(url).header("content-type", "application/octet-stream").body(body.clone()).send();
            let answer = answer.await.expect("sent");
            if answer.status().is_server_error() {
                let start: String = body.chars().take(80).collect();
                failures.push(format!("{} {start:?}: {}", adapter.name(), answer.text().await.unwrap_or_default()));
            }
        }
    }
    assert!(failures.is_empty(), "{} bodies failed:\n{}", failures.len(), failures.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_survives_malformed_input_on_postgres() {
    every_route_survives_malformed_input(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_survives_malformed_input_on_sqlite() {
    every_route_survives_malformed_input(Backend::Sqlite).await;
}
