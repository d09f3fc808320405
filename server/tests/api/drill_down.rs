//! `GET /api/v1/kpis/{kpi}/population`: the records behind a value, over the organisation of
//! [`crate::kpis::load`], with the value beside them.

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::kpis::load;

async fn population(app: &TestApp, kpi: &str, query: &str) -> Value {
    let (status, body) = app.get(&format!("/api/v1/kpis/{kpi}/population?{query}")).await;
    assert_eq!(status, 200, "{kpi}?{query}: {body}");
    body
}

fn records(body: &Value) -> &Vec<Value> {
    body["records"].as_array().expect("records")
}

async fn a_duration_lists_its_incidents_and_the_value_they_give(app: &TestApp) {
    load(app).await;
    let body = population(app, "mttr", "period=2026-Q3&scope=org").await;
    assert_eq!(body["kpi"], "mttr");
    assert_eq!(body["period"], "2026-Q3");
    assert_eq!(body["scope"], "org");
    assert_eq!(body["definitions_version"], "7");
    assert_eq!(body["severity"], json!(["SEV0", "SEV1"]));
    assert_eq!(body["value"], json!({"mean": 60.0, "median": 60.0, "p90": 60.0, "count": 1}));
    let filter = body["filter"].as_str().expect("filter");
    assert!(filter.contains("[2026-07-01T00:00:00Z, 2026-10-01T00:00:00Z)"), "{filter}");
    assert!(filter.contains("SEV0, SEV1"), "{filter}");
    assert!(body["definition"].as_str().is_some_and(|d| d.contains("mitigated − detected")));
    // INC-2 is SEV3: outside the default filter; INC-0 started in Q2.
    let rows = records(&body);
    assert_eq!(rows.len(), 1, "{body}");
    assert_eq!(rows[0]["record"], "incident");
    assert_eq!(rows[0]["id"], "INC-1");
    assert_eq!(rows[0]["value"], 60.0);
    assert_eq!((rows[0]["included"].clone(), rows[0]["counted"].clone()), (json!(true), json!(true)));

    let all = population(app, "mttr", "period=2026-Q3&scope=org&severity=all").await;
    let values: Vec<f64> = records(&all).iter().filter_map(|r| r["value"].as_f64()).collect();
    assert_eq!(values, [60.0, 90.0]);
    assert_eq!(all["value"]["count"], 2);

    let none = population(app, "mttr", "period=2026-Q3&scope=team:discovery").await;
    assert_eq!((none["count"].clone(), none["value"].clone()), (json!(0), Value::Null));
}

async fn rates_list_their_population_with_what_counts(app: &TestApp) {
    load(app).await;
    let repeats = population(app, "repeat_incident_rate", "period=2026-Q3&scope=org").await;
    assert_eq!(repeats["value"], 0.5);
    assert_eq!((repeats["included"].clone(), repeats["counted"].clone()), (json!(2), json!(1)));
    let inc1 = records(&repeats).iter().find(|r| r["id"] == "INC-1").expect("INC-1");
    assert_eq!(inc1["counted"], true);
    assert!(inc1["note"].as_str().is_some_and(|n| n.starts_with("implicit")), "{inc1}");

    let slos = population(app, "slo_met_rate", "period=2026-Q3&scope=org").await;
    assert_eq!(slos["value"], 1.0);
    let slo = &records(&slos)[0];
    assert_eq!((slo["record"].clone(), slo["service"].clone()), (json!("slo"), json!("checkout")));
    assert_eq!(slo["value"], 3965.0 / 4000.0);

    let overdue = population(app, "overdue_actions", "period=2026-Q3&scope=org").await;
    assert_eq!(overdue["value"]["count"], 1);
    let act = &records(&overdue)[0];
    assert_eq!(
        (act["id"].clone(), act["value"].clone(), act["note"].clone()),
        (json!("ACT-2"), json!(47.0), json!("days_31_90"))
    );

    let coverage = population(app, "dr_coverage", "period=2026-Q3&scope=org").await;
    assert_eq!(coverage["value"], 0.5);
    let covered: Vec<(&str, bool)> = records(&coverage)
        .iter()
        .map(|r| (r["slug"].as_str().unwrap_or_default(), r["counted"].as_bool().unwrap_or_default()))
        .collect();
    assert_eq!(covered, [("checkout", true), ("search", false)]);

    let changes = population(app, "change_failure_rate", "period=2026-Q3&scope=service:checkout").await;
    assert_eq!(changes["value"], 0.5);
    assert_eq!(changes["count"], 2);
}

async fn unknown_kpis_scopes_and_parameters_are_problems(app: &TestApp) {
    load(app).await;
    let (status, body) = app.get("/api/v1/kpis/nope/population?period=2026-Q3").await;
    assert_eq!(status, 404, "{body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains("mttr")), "the known ids are listed: {body}");
    let (status, _) = app.get("/api/v1/kpis/mttr/population?period=2026-Q3&scope=team:ghost").await;
    assert_eq!(status, 404);
    let (status, _) = app.get("/api/v1/kpis/mttr/population?period=2026-Q3&sort=x").await;
    assert_eq!(status, 400);
}

async fn rollups_match_the_single_scope_reports(app: &TestApp) {
    load(app).await;
    let (status, rollups) = app.get("/api/v1/kpis/rollups?period=2026-Q3").await;
    assert_eq!(status, 200, "{rollups}");
    assert_eq!(rollups["period"], "2026-Q3");
    let teams: Vec<&String> = rollups["teams"].as_object().expect("teams").keys().collect();
    assert_eq!(teams, ["discovery", "payments"]);
    for (path, scope) in
        [("/org", "org"), ("/teams/payments", "team:payments"), ("/tiers/2", "tier:2"), ("/tiers/3", "tier:3")]
    {
        let (_, single) = app.get(&format!("/api/v1/kpis?period=2026-Q3&scope={scope}")).await;
        assert_eq!(rollups.pointer(path), Some(&single["kpis"]), "{scope}");
    }
    let (status, _) = app.get("/api/v1/kpis/rollups?period=2026-Q3&scope=org").await;
    assert_eq!(status, 400, "rollups cover every scope: no scope parameter");
}

/// The CSV download: the same records as the JSON population, in the KPI's columns, sorted on
/// request, titles included, values machine-readable.
async fn the_csv_lists_the_populations_records_in_the_kpis_columns(app: &TestApp) {
    load(app).await;
    let json = population(app, "mttr", "period=2026-Q3&scope=org&severity=all").await;
    let url = format!("{}/api/v1/kpis/mttr/population.csv?period=2026-Q3&scope=org&severity=all&sort=-9", app.base);
    let response = app.client.get(url).send().await.expect("sent");
    assert_eq!(response.status().as_u16(), 200);
    let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = response.text().await.expect("body");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().expect("headers").iter().map(str::to_owned).collect();
    assert_eq!(
        headers,
        ["ID", "Title", "Severity", "Service", "Detected", "Mitigated", "In population", "Counted", "Duration", "Note"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let mut ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids, ["INC-2", "INC-1"], "sorted by duration, longest first: {text}");
    ids.sort_unstable();
    let mut expected: Vec<&str> = records(&json).iter().filter_map(|r| r["id"].as_str()).collect();
    expected.sort_unstable();
    assert_eq!(ids, expected, "the same records as the JSON population");
    assert_eq!(&rows[1][8], "60", "minutes, machine-readable: {text}");
    assert!(rows.iter().all(|r| !r[1].is_empty() && r[4].ends_with('Z')), "titles and RFC 3339 instants: {text}");

    let (status, _) = app.get("/api/v1/kpis/nope/population.csv").await;
    assert_eq!(status, 404);
    let (status, _) = app.get("/api/v1/kpis/mttr/population.csv?period=2026-Q9").await;
    assert_eq!(status, 400);
}

crate::on_both_backends!(
    the_csv_lists_the_populations_records_in_the_kpis_columns,
    summed_slo_figures_equal_the_daily_computation,
    rollups_match_the_single_scope_reports,
    a_duration_lists_its_incidents_and_the_value_they_give,
    rates_list_their_population_with_what_counts,
    unknown_kpis_scopes_and_parameters_are_problems,
);

/// Equal JSON, numbers to 1e-12 (JSON text does not carry every float bit for bit).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            (x - y).abs() <= 1e-12 * x.abs().max(1.0)
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w)),
        _ => a == b,
    }
}

/// The per-SLO figures summed in SQL equal those the engine computes from the daily rows, for
/// several window lengths, calendar windows and budgeting methods, months and quarters (periods
/// shorter and longer than the windows).
async fn summed_slo_figures_equal_the_daily_computation(app: &TestApp) {
    use app::domain::kpi::{
        CalendarLength, Period, ReportingCalendar, Slo, SloData, SloMeasurement, SloWindow, default_calendar_start,
        slo_status,
    };
    use app::domain::records::{Budgeting, Slug};
    use chrono::NaiveDate;

    let setup = [
        ("teams", json!([{"slug": "core", "name": "Core"}])),
        ("services", json!([{"slug": "api", "name": "API", "tier": 0, "team": "core"}])),
        (
            "slos",
            json!([
                {"service": "api", "slug": "w7", "name": "W7", "indicator": "availability", "objective": 99.0, "window_days": 7},
                {"service": "api", "slug": "w28", "name": "W28", "indicator": "latency", "objective": 99.9, "window_days": 28},
                {"service": "api", "slug": "w90", "name": "W90", "indicator": "other", "objective": 95.0, "window_days": 90},
                {"service": "api", "slug": "month", "name": "Month", "indicator": "availability", "objective": 99.0,
                 "calendar_window": "1M"},
                {"service": "api", "slug": "quarter", "name": "Quarter", "indicator": "availability", "objective": 99.5,
                 "calendar_window": "1Q", "calendar_start": "2026-02-15"},
                {"service": "api", "slug": "ratio", "name": "Ratio", "indicator": "availability", "objective": 99.4,
                 "window_days": 28, "budgeting": "ratio_timeslices"},
                {"service": "api", "slug": "ratio-week", "name": "Ratio week", "indicator": "availability",
                 "objective": 99.4, "calendar_window": "1w", "calendar_start": "2022-01-01", "budgeting": "ratio_timeslices"}
            ]),
        ),
    ];
    for (kind, rows) in setup {
        let (status, reply) = app.post_json(kind, &rows).await;
        assert_eq!(status, 200, "{kind}: {reply}");
    }
    let start = NaiveDate::from_ymd_opt(2026, 4, 1).expect("date");
    let rolling = |days| (SloWindow::Rolling { days }, Budgeting::Occurrences);
    let calendar = |start: NaiveDate, length| SloWindow::Calendar { start, length };
    let week_start = NaiveDate::from_ymd_opt(2022, 1, 1).expect("date");
    let quarter_start = NaiveDate::from_ymd_opt(2026, 2, 15).expect("date");
    let slos = [
        ("w7", rolling(7)),
        ("w28", rolling(28)),
        ("w90", rolling(90)),
        ("month", (calendar(default_calendar_start(), CalendarLength::Months(1)), Budgeting::Occurrences)),
        ("quarter", (calendar(quarter_start, CalendarLength::Months(3)), Budgeting::Occurrences)),
        ("ratio", (SloWindow::Rolling { days: 28 }, Budgeting::RatioTimeslices)),
        ("ratio-week", (calendar(week_start, CalendarLength::Days(7)), Budgeting::RatioTimeslices)),
    ];
    let mut daily: Vec<(&str, (SloWindow, Budgeting), SloMeasurement)> = Vec::new();
    let mut rows = Vec::new();
    for (s, (slug, window)) in slos.into_iter().enumerate() {
        for offset in 0..200u64 {
            // Gaps on some days, different error rates per SLO.
            if (offset + s as u64) % 5 == 3 {
                continue;
            }
            let day = start.checked_add_days(chrono::Days::new(offset)).expect("day");
            let total = 1000 + (offset * 37 + s as u64 * 11) % 500;
            let good = total - (offset * 13 + s as u64) % (7 + 5 * s as u64);
            rows.push(json!({"service": "api", "slo": slug, "day": day.to_string(), "good": good, "total": total}));
            let (good, total) = (i64::try_from(good).expect("i64"), i64::try_from(total).expect("i64"));
            daily.push((slug, window, SloMeasurement { day, good, total }));
        }
    }
    let (status, reply) = app.post_json("slo-measurements", &json!(rows)).await;
    assert_eq!(status, 200, "{reply}");

    let now = chrono::Utc::now();
    for period_text in ["2026-Q2", "2026-Q3", "2026-07", "2026-09", "2026-05"] {
        let period = Period::parse(period_text, ReportingCalendar::default()).expect("period");
        let (status, body) = app.get(&format!("/api/v1/slos?period={period_text}&scope=org")).await;
        assert_eq!(status, 200, "{body}");
        for reported in body["slos"].as_array().expect("slos") {
            let slug = reported["slo"].as_str().expect("slug");
            let (window, budgeting) = daily.iter().find(|(s, _, _)| *s == slug).map(|(_, w, _)| *w).expect("window");
            let objective = reported["objective"].as_f64().expect("objective");
            let days = daily.iter().filter(|(s, _, _)| *s == slug).map(|(_, _, m)| *m).collect();
            let slo = Slo {
                service: Slug::parse("api").expect("slug"),
                slug: Slug::parse(slug).expect("slug"),
                objective,
                window,
                budgeting,
                active: true,
                indicator: app::domain::records::Indicator::Availability,
                threshold_ms: None,
                data: SloData::Days(days),
            };
            let expected = serde_json::to_value(slo_status(&period, now, &slo)).expect("json");
            assert!(same(reported, &expected), "{period_text} {slug}: {reported} ≠ {expected}");
        }
    }
}
