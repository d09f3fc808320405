//! A reporting calendar other than the default: fiscal year from April, days in New York.
//! Fiscal 2026-Q1 is April–June 2026 and its days begin at local midnight (04:00Z in summer).

use app::domain::kpi::ReportingCalendar;
use serde_json::json;

use crate::helpers::{Backend, spawn_app_with_calendar};

async fn fiscal_quarters_in_the_reporting_time_zone(backend: Backend) {
    let calendar = ReportingCalendar::parse(4, "America/New_York").expect("calendar");
    let app = spawn_app_with_calendar(backend, calendar).await;
    let batches = [
        ("teams", json!([{"slug": "core", "name": "Core"}])),
        ("services", json!([{"slug": "api", "name": "API", "tier": 1, "team": "core"}])),
        (
            "incidents",
            json!([
                // 23:00 on 31 March in New York (input with an offset): fiscal 2025-Q4.
                {"external_id": "A", "title": "Late March", "severity": "SEV1", "services": ["api"],
                 "started_at": "2026-03-31T23:00:00-04:00"},
                // 01:00 on 1 April in New York: fiscal 2026-Q1.
                {"external_id": "B", "title": "Early April", "severity": "SEV0", "services": ["api"],
                 "started_at": "2026-04-01T05:00:00Z"}
            ]),
        ),
        (
            "actions",
            json!([
                // Done at 23:30 on its due day in New York (03:30Z the next day): on time.
                {"external_id": "ACT", "service": "api", "title": "Fix", "due_date": "2026-06-30",
                 "status": "done", "completed_at": "2026-07-01T03:30:00Z"}
            ]),
        ),
    ];
    for (kind, rows) in batches {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
    let (status, q1) = app.get("/api/v1/kpis?period=2026-Q1&scope=org").await;
    assert_eq!(status, 200, "{q1}");
    assert_eq!(q1["from"], "2026-04-01T04:00:00Z");
    assert_eq!(q1["to"], "2026-07-01T04:00:00Z");
    assert_eq!(q1["kpis"]["incident_count"]["SEV0"], 1);
    assert_eq!(q1["kpis"]["high_sev_count"], 1);
    assert_eq!(q1["kpis"]["action_on_time_rate"], 1.0);
    let (_, q4) = app.get("/api/v1/kpis?period=2025-Q4&scope=org").await;
    assert_eq!(q4["from"], "2026-01-01T05:00:00Z");
    assert_eq!(q4["to"], "2026-04-01T04:00:00Z");
    assert_eq!(q4["kpis"]["incident_count"]["SEV1"], 1);
    assert_eq!(q4["kpis"]["high_sev_count"], 1);
    // Months stay calendar months, in the same zone.
    let (_, march) = app.get("/api/v1/kpis?period=2026-03&scope=org").await;
    assert_eq!(march["kpis"]["high_sev_count"], 1);
    app.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fiscal_quarters_in_the_reporting_time_zone_on_postgres() {
    fiscal_quarters_in_the_reporting_time_zone(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fiscal_quarters_in_the_reporting_time_zone_on_sqlite() {
    fiscal_quarters_in_the_reporting_time_zone(Backend::Sqlite).await;
}
