//! SLO measurements pulled from a real Prometheus (Debian's `prometheus`, on loopback), whose
//! data the test writes with `promtool tsdb create-blocks-from openmetrics`: the days pulled
//! equal the counts computed from the generated series, a counter reset included; days without
//! data stay without measurements; a refused query and a server not allowed are shown on the
//! service page; a pull asked again changes nothing.

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
use serde_json::{Value, json};
use server::entities::{prometheus_pull, slo_measurement};
use server::ingest::{AdapterLimits, Ingestion};
use server::prometheus::{PullSettings, pull};

use crate::helpers::TestApp;
use crate::local_prometheus::{self, LocalPrometheus};

/// Every five minutes from 2026-11-01 00:00 through 2026-11-05 00:00 UTC.
const STEP_SECONDS: i64 = 300;

fn first_sample() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).single().expect("instant")
}

/// The OpenMetrics text of two counters, `requests_total{code="200"}` (10 to 16 requests a
/// step) and `requests_total{code="500"}` (one every third step), whose process restarts on
/// 2026-11-02 at 12:00 (both start again from zero); and the good (200) and all requests each
/// UTC day counted, step by step.
fn series() -> (String, BTreeMap<NaiveDate, (i64, i64)>) {
    let steps = 4 * 24 * 3600 / STEP_SECONDS;
    let restart = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).single().expect("instant");
    let mut expected: BTreeMap<NaiveDate, (i64, i64)> = BTreeMap::new();
    let (mut ok_lines, mut error_lines) = (String::new(), String::new());
    let (mut ok, mut errors) = (0_i64, 0_i64);
    for step in 0..=steps {
        let at = first_sample() + TimeDelta::seconds(step * STEP_SECONDS);
        if step > 0 {
            let (ok_inc, error_inc) = (10 + step % 7, i64::from(step % 3 == 0));
            if at == restart {
                (ok, errors) = (0, 0);
            }
            ok += ok_inc;
            errors += error_inc;
            // A sample at midnight closes the day before it.
            let day = (at - TimeDelta::seconds(1)).date_naive();
            let counts = expected.entry(day).or_default();
            counts.0 += ok_inc;
            counts.1 += ok_inc + error_inc;
        }
        let _ = writeln!(ok_lines, "requests_total{{code=\"200\"}} {ok} {}", at.timestamp());
        let _ = writeln!(error_lines, "requests_total{{code=\"500\"}} {errors} {}", at.timestamp());
    }
    (format!("# HELP requests Requests served.\n# TYPE requests counter\n{ok_lines}{error_lines}# EOF\n"), expected)
}

async fn start_prometheus(openmetrics: &str) -> LocalPrometheus {
    local_prometheus::start("global:\n  scrape_interval: 1m\n", Some(openmetrics)).await
}

async fn html(app: &TestApp, path: &str) -> String {
    let response = app.client.get(format!("{}{path}", app.base)).send().await.expect("request");
    assert_eq!(response.status().as_u16(), 200, "{path}");
    response.text().await.expect("html").replace("<!>", "")
}

/// The measurements kept for the SLO `slo`, by day.
async fn measurements(app: &TestApp, slo: &str) -> BTreeMap<NaiveDate, (i64, i64)> {
    let slo_id = {
        let sql = format!("SELECT id FROM slo WHERE slug = '{slo}'");
        let row = app.db.query_one_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), sql)).await;
        row.expect("query").expect("slo").try_get::<i64>("", "id").expect("id")
    };
    slo_measurement::Entity::find()
        .order_by_asc(slo_measurement::Column::Day)
        .all(&app.db)
        .await
        .expect("measurements")
        .into_iter()
        .filter(|m| m.slo_id == slo_id)
        .map(|m| (m.day, (m.good, m.total)))
        .collect()
}

async fn problems(app: &TestApp) -> Vec<String> {
    let rows = prometheus_pull::Entity::find().all(&app.db).await.expect("pull states");
    rows.into_iter().filter_map(|row| row.problem).collect()
}

async fn each_day_is_pulled_as_prometheus_counts_it(app: &TestApp) {
    let (openmetrics, expected) = series();
    let prometheus = start_prometheus(&openmetrics).await;
    let slo = |slug: &str, url: &str, good: &str| {
        json!({"service": "api", "slug": slug, "name": slug, "indicator": "availability", "objective": 99.0,
               "prometheus_url": url, "good_query": good, "total_query": "requests_total"})
    };
    let batches = [
        ("teams", json!([{"slug": "core", "name": "Core"}])),
        ("services", json!([{"slug": "api", "name": "API", "tier": 1, "team": "core"}])),
        (
            "slos",
            json!([
                slo("availability", &prometheus.url, "requests_total{code=\"200\"}"),
                // A selector Plumbline accepts and Prometheus refuses (the regex does not compile).
                slo("broken", &prometheus.url, "requests_total{code=~\"(\"}"),
                slo("elsewhere", "http://127.0.0.1:9", "requests_total{code=\"200\"}"),
                // No series ever counted a 204: 0 good events on days with traffic, and said.
                slo("no-good", &prometheus.url, "requests_total{code=\"204\"}"),
            ]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
    // Wrong sources are refused at import, each with its field.
    for (field, bad) in [
        ("good_query", slo("x", &prometheus.url, "rate(requests_total[5m])")),
        ("good_query", slo("x", &prometheus.url, "requests_total{code=}")),
        ("good_query", slo("x", &prometheus.url, "a{l='\"'}[1d])) or vector(1e9) or sum(increase(x")),
        ("prometheus_url", slo("x", "http://user:secret@127.0.0.1:9090", "requests_total")),
        (
            "total_query",
            json!({"service": "api", "slug": "x", "name": "x", "indicator": "availability",
                                "objective": 99.0, "prometheus_url": prometheus.url, "good_query": "a"}),
        ),
    ] {
        let (status, reply) = app.post_json("slos", &json!([bad])).await;
        assert_eq!(status, 422, "{reply}");
        assert_eq!(reply["errors"][0]["field"], field, "{reply}");
    }

    // On 2026-11-05 at 06:00 UTC, a new SLO is filled with the seven days ending yesterday.
    let settings = PullSettings::parse(Some(&prometheus.url), 7).expect("settings");
    let now = Utc.with_ymd_and_hms(2026, 11, 5, 6, 0, 0).single().expect("instant");
    let calendar = app::domain::kpi::ReportingCalendar::default();
    let ingestion = Ingestion::new(app.db.clone(), u64::MAX, AdapterLimits::new(0, 1), Vec::new());
    let pulled = pull(&ingestion, calendar, &settings, now).await.expect("pull");
    assert_eq!((pulled.slos, pulled.days), (4, 8), "{pulled:?}");
    assert_eq!(expected.len(), 4);
    assert_eq!(measurements(app, "availability").await, expected, "each day as the counters counted it");
    assert!(measurements(app, "broken").await.is_empty() && measurements(app, "elsewhere").await.is_empty());
    let zero_good: BTreeMap<NaiveDate, (i64, i64)> =
        expected.iter().map(|(day, (_, total))| (*day, (0, *total))).collect();
    assert_eq!(measurements(app, "no-good").await, zero_good);

    let problems = problems(app).await;
    let said = |words: &str| problems.iter().any(|p| p.contains(words));
    assert!(said("no data for 3 days between 2026-10-29 and 2026-10-31"), "{problems:?}");
    assert!(said("2026-10-29: Prometheus refused the query"), "{problems:?}");
    assert!(said("http://127.0.0.1:9 is not among the servers PLUMBLINE_PROMETHEUS_URLS allows"), "{problems:?}");
    assert!(said("no good events for 4 days between 2026-11-01 and 2026-11-04"), "{problems:?}");
    assert_eq!(pulled.problems.len(), 4, "each SLO's problem: {:?}", pulled.problems);
    assert_eq!(pulled.failures.len(), 1, "only the refused query fails the job (retrying may help): {pulled:?}");

    // The service page says where each SLO comes from and what its last pull could not do.
    let page = html(app, "/services/api?period=2026-11").await;
    assert!(page.contains("Pulled through 2026-11-04"), "the pulled SLO's state");
    assert!(page.contains("Prometheus refused the query"), "the broken SLO's problem");
    assert!(page.contains("is not among the servers PLUMBLINE_PROMETHEUS_URLS allows"));
    let (_, slos) = app.get("/api/v1/slos?period=2026-11&scope=service:api").await;
    let availability = slos["slos"].as_array().and_then(|s| s.iter().find(|s| s["slo"] == "availability")).cloned();
    let availability = availability.unwrap_or(Value::Null);
    let (good, total) = expected.values().fold((0, 0), |(g, t), (dg, dt)| (g + dg, t + dt));
    assert_eq!(availability["attainment"], json!(good as f64 / total as f64), "{availability}");

    // An OpenSLO SLI counting with Prometheus queries, as its specification's examples write
    // them, imports as a pulled SLO (the server given on import) and fills the same days.
    let openslo = "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: openslo-ok\nspec:\n  service: api\n  \
        budgetingMethod: Occurrences\n  timeWindow:\n    - duration: 28d\n      isRolling: true\n  objectives:\n    \
        - target: 0.99\n  indicator:\n    metadata:\n      name: ok\n    spec:\n      ratioMetric:\n        \
        counter: true\n        good:\n          metricSource:\n            type: Prometheus\n            spec:\n              \
        query: sum(rate(requests_total{code=\"200\"}[5m]))\n        total:\n          metricSource:\n            \
        type: Prometheus\n            spec:\n              query: sum(rate(requests_total[5m]))\n";
    let query = format!("?format=openslo&prometheus_url={}", prometheus.url);
    let response = app.post_query("slos", &query, "application/yaml", openslo).await;
    let status = response.status().as_u16();
    let reply: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, 200, "{reply}");
    assert!(reply["notes"].to_string().contains("SLOs pulled from Prometheus"), "{reply}");
    pull(&ingestion, calendar, &settings, now).await.expect("pull the OpenSLO SLO");
    assert_eq!(measurements(app, "openslo-ok").await, expected, "the counter inside sum(rate(...))");

    // A run with no day left to ask for keeps what the last one found.
    let idle = pull(&ingestion, calendar, &settings, now + TimeDelta::hours(1)).await.expect("idle pull");
    assert_eq!(idle.days, 0);
    assert!(crate::prometheus_pull::problems(app).await.iter().any(|p| p.contains("no data for 3 days")));

    // The same days pulled again (the state lost) change nothing; a later run asks only for
    // the days since.
    let backend = app.db.get_database_backend();
    app.db.execute_raw(sea_orm::Statement::from_string(backend, "DELETE FROM prometheus_pull")).await.expect("reset");
    let again = pull(&ingestion, calendar, &settings, now).await.expect("pull again");
    assert_eq!(again.days, 12, "four days of each of the three pulled SLOs");
    assert_eq!(measurements(app, "availability").await, expected, "a re-pull is idempotent");
    let later = pull(&ingestion, calendar, &settings, now + TimeDelta::days(1)).await.expect("next day");
    assert_eq!(later.days, 0, "2026-11-05 has no data: nothing written, never a zero");
    assert!(!measurements(app, "availability").await.contains_key(&NaiveDate::from_ymd_opt(2026, 11, 5).expect("day")));
}

crate::on_both_backends!(each_day_is_pulled_as_prometheus_counts_it);
