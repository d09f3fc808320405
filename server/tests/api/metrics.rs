//! `/metrics`: route patterns (never raw URLs), imports, jobs, caches and the pool, in the
//! Prometheus text format, scraped by a real Prometheus (Debian's `prometheus`, started here on
//! loopback) and read back through its HTTP API; and who may scrape.

use app::domain::access::TokenScope;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::access::{Credential, oidc_app, send, signed_in, token};
use crate::helpers::{Backend, Options, TestApp, eventually, spawn_app_with};

async fn scrape(app: &TestApp) -> String {
    let response = app.client.get(format!("{}/metrics", app.base)).send().await.expect("scrape");
    assert_eq!(response.status().as_u16(), 200);
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    response.text().await.expect("text")
}

/// A port nobody listens on now.
#[tokio::test]
async fn a_real_prometheus_scrapes_the_metrics_and_answers_queries_over_them() {
    let app = spawn_app_with(Backend::Postgres, Options { workers: 1, ..Options::default() }).await;
    crate::kpis::load(&app).await;
    let page = app.client.get(format!("{}/services/checkout?period=2026-Q3", app.base)).send().await.expect("page");
    assert_eq!(page.status().as_u16(), 200);
    // The import had the figures recomputed by a job.
    let succeeded = "plumbline_jobs{kind=\"warm-figures\",state=\"succeeded\"}";
    eventually("a job ran", || async { scrape(&app).await.contains(succeeded).then_some(()) }).await;

    let text = scrape(&app).await;
    for expected in [
        "# TYPE plumbline_http_request_duration_seconds histogram",
        "plumbline_http_request_duration_seconds_bucket{method=\"GET\",route=\"/services/{slug}\",status=\"200\",le=\"+Inf\"} ",
        "plumbline_http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/{kind}\",status=\"200\"}",
        "plumbline_import_batches_total{kind=\"teams\",outcome=\"applied\"} ",
        "plumbline_import_rows_total{kind=\"services\",outcome=\"applied\"} ",
        "plumbline_jobs{kind=\"warm-figures\",state=\"succeeded\"}",
        "plumbline_job_run_duration_seconds_count{kind=\"warm-figures\",outcome=\"succeeded\"}",
        "plumbline_figures_cache_lookups_total{cache=",
        "plumbline_db_pool_connections{state=\"idle\"}",
        "plumbline_db_pool_max_connections 10",
        "plumbline_data_version ",
    ] {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
    assert!(!text.contains("route=\"/services/checkout"), "never a raw URL as a label");

    // Prometheus, on loopback, scraping every second.
    let target = app.base.trim_start_matches("http://");
    let config = format!(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: plumbline\n    static_configs:\n      - targets: ['{target}']\n"
    );
    let prometheus = crate::local_prometheus::start(&config, None).await;
    let query = |expr: &'static str| {
        let url = format!("{}/api/v1/query", prometheus.url);
        async move {
            let reply = reqwest::Client::new().get(url).query(&[("query", expr)]).send().await.ok()?;
            let body: Value = reply.json().await.ok()?;
            let result = body["data"]["result"].as_array()?.clone();
            (!result.is_empty()).then_some(result)
        }
    };
    let up = eventually("Prometheus scraped Plumbline", || query("up{job=\"plumbline\"} == 1")).await;
    assert_eq!(up[0]["value"][1], "1");
    let imports = eventually("a series read back through Prometheus", || {
        query("plumbline_import_batches_total{kind=\"incidents\",outcome=\"applied\"}")
    })
    .await;
    // Counters are per process (other tests in this one import too): at least this test's.
    let count: f64 = imports[0]["value"][1].as_str().and_then(|v| v.parse().ok()).unwrap_or(0.0);
    assert!(count >= 1.0, "{imports:?}");
    let latency = eventually("a latency quantile per route pattern", || {
        query("histogram_quantile(0.99, sum by (le, route) (plumbline_http_request_duration_seconds_bucket{route=\"/services/{slug}\"}))")
    })
    .await;
    assert_eq!(latency[0]["metric"]["route"], "/services/{slug}");
    drop(prometheus);
    app.cleanup().await;
}

#[tokio::test]
async fn metrics_need_a_metrics_token_an_admin_or_a_scraper_on_this_machine() {
    let app = oidc_app(Backend::Postgres).await;
    let viewer = Credential::Cookie(signed_in(&app, "victor@example.test", &["viewer"], &[], false).await);
    let admin = Credential::Cookie(signed_in(&app, "alice@example.test", &["admin"], &[], false).await);
    let read = Credential::Bearer(token(&app, &[TokenScope::Read], None).await);
    let metrics = Credential::Bearer(token(&app, &[TokenScope::Metrics], None).await);
    let proxied = |credential: &Credential| {
        let client = reqwest::Client::new();
        let request = client.get(format!("{}/metrics", app.base)).header("x-forwarded-for", "203.0.113.9");
        let request = match credential {
            Credential::None => request,
            Credential::Cookie(value) => request.header("cookie", format!("plumbline_session={value}")),
            Credential::Bearer(value) => request.header("authorization", format!("Bearer {value}")),
        };
        async move { request.send().await.expect("sent").status() }
    };
    // Through a proxy: a token with the metrics scope or an admin; nobody else.
    assert_eq!(proxied(&Credential::None).await, StatusCode::UNAUTHORIZED);
    assert_eq!(proxied(&read).await, StatusCode::FORBIDDEN);
    assert_eq!(proxied(&viewer).await, StatusCode::FORBIDDEN);
    assert_eq!(proxied(&metrics).await, StatusCode::OK);
    assert_eq!(proxied(&admin).await, StatusCode::OK);
    // A scraper on this machine, not through a proxy, needs nothing.
    assert_eq!(send(&app, reqwest::Method::GET, "/metrics", &Credential::None, None).await.status(), StatusCode::OK);
    // Only an admin creates a metrics token.
    let asked = json!({"name": "prometheus", "scopes": ["metrics"]});
    let by_viewer = send(&app, reqwest::Method::POST, "/api/v1/tokens", &viewer, Some(asked.clone())).await;
    assert_eq!(by_viewer.status(), StatusCode::FORBIDDEN);
    let by_admin = send(&app, reqwest::Method::POST, "/api/v1/tokens", &admin, Some(asked)).await;
    assert_eq!(by_admin.status(), StatusCode::CREATED);
    app.cleanup().await;
}
