//! Calendar-aligned windows and ratio timeslices (docs/kpis.md §7), imported from files shaped
//! as the OpenSLO specification's examples (fixtures/adapters/openslo-examples/), judged on
//! hand-computed measurements, and shown where the SLO is read.

use serde_json::{Value, json};

use crate::helpers::TestApp;

const EXAMPLES: [(&str, &str); 4] = [
    ("occurrences", include_str!("../fixtures/adapters/openslo-examples/occurrences.yaml")),
    ("ratio-timeslices", include_str!("../fixtures/adapters/openslo-examples/ratio-timeslices.yaml")),
    ("calendar-month", include_str!("../fixtures/adapters/openslo-examples/calendar-month-timeslices.yaml")),
    ("calendar-week", include_str!("../fixtures/adapters/openslo-examples/calendar-week-timeslices.yaml")),
];

async fn import_examples(app: &TestApp) -> Vec<String> {
    let setup = [
        ("teams", json!([{"slug": "net", "name": "Network"}])),
        (
            "services",
            json!([{"slug": "web", "name": "Web shop", "tier": 1, "team": "net"},
                   {"slug": "line", "name": "Access line", "tier": 0, "team": "net"}]),
        ),
    ];
    for (kind, rows) in setup {
        assert_eq!(app.post_json(kind, &rows).await.0, 200, "{kind}");
    }
    let mut notes = Vec::new();
    for (name, file) in EXAMPLES {
        let query = "?format=openslo&service_map=shop-front=web,access-line=line";
        let response = app.post_query("slos", query, "application/yaml", file.to_owned()).await;
        let status = response.status().as_u16();
        let reply: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(status, 200, "{name} imports: {reply}");
        assert!(reply["created"].as_u64().is_some_and(|n| n >= 1), "{name}: {reply}");
        notes.extend(reply["notes"].as_array().into_iter().flatten().filter_map(|n| n.as_str().map(str::to_owned)));
    }
    notes
}

/// Each day's measurement of August 2026 for the SLOs judged below.
async fn measure(app: &TestApp) {
    let mut rows = Vec::new();
    // The weekly SLA (99.95 % of one-minute slices, weeks from Saturday 2022-01-01): an outage
    // on Thursday 27 August lies in the rolling week before 1 September but not in the calendar
    // week, which began on Saturday 29 August.
    for (day, good) in [("2026-08-27", 1000), ("2026-08-29", 1440), ("2026-08-30", 1439), ("2026-08-31", 1440)] {
        rows.push(json!({"service": "line", "slo": "line-uptime", "day": day, "good": good, "total": 1440}));
    }
    // The landing page (99 %, ratio timeslices, 14 rolling days): 98 % of a busy day and all of
    // a quiet one. Their mean is exactly 99 %; their events are 981 of 1001, 98 %.
    for (day, good, total) in [("2026-08-30", 980, 1000), ("2026-08-31", 1, 1)] {
        rows.push(json!({"service": "web", "slo": "landing-page", "day": day, "good": good, "total": total}));
    }
    let (status, reply) = app.post_json("slo-measurements", &json!(rows)).await;
    assert_eq!(status, 200, "{reply}");
}

async fn the_specifications_example_shapes_import_with_their_windows_and_methods(app: &TestApp) {
    let notes = import_examples(app).await.join("\n");
    assert!(notes.contains("line-uptime (1m → 1M)"), "the minutes read as months are said: {notes}");
    assert!(notes.contains("line-uptime (2022-01-01 12:00:00 America/New_York)"), "{notes}");

    let (_, listed) = app.get("/api/v1/slos?limit=100").await;
    let items = listed["items"].as_array().expect("items");
    let by_slug = |slug: &str| items.iter().find(|s| s["slug"] == slug).unwrap_or_else(|| panic!("{slug}: {listed}"));
    let shape = |slug: &str| {
        let s = by_slug(slug);
        (s["window_days"].clone(), s["calendar_window"].clone(), s["calendar_start"].clone(), s["budgeting"].clone())
    };
    assert_eq!(shape("search-speed"), (json!(14), Value::Null, Value::Null, json!("occurrences")));
    assert_eq!(shape("landing-page"), (json!(14), Value::Null, Value::Null, json!("ratio_timeslices")));
    assert_eq!(shape("line-uptime-sla"), (Value::Null, json!("1M"), json!("2022-01-01"), json!("timeslices")));
    assert_eq!(shape("line-uptime"), (Value::Null, json!("1w"), json!("2022-01-01"), json!("timeslices")));

    // The listing reads back as an import: the same rows change nothing.
    let again: Vec<Value> = items
        .iter()
        .map(|s| {
            let mut row = s.clone();
            let object = row.as_object_mut().expect("object");
            object.retain(|_, v| !v.is_null());
            for provenance in ["id", "import_batch_id", "created_at", "updated_at", "source", "history"] {
                object.remove(provenance);
            }
            row
        })
        .collect();
    let (status, reply) = app.post_json("slos", &json!(again)).await;
    assert_eq!((status, reply["created"].clone(), reply["updated"].clone()), (200, json!(0), json!(0)), "{reply}");
}

async fn a_calendar_week_and_ratio_timeslices_are_judged_as_defined(app: &TestApp) {
    import_examples(app).await;
    measure(app).await;
    let (status, body) = app.get("/api/v1/slos?period=2026-08&scope=org").await;
    assert_eq!(status, 200, "{body}");
    let slos = body["slos"].as_array().expect("slos");
    let slo = |slug: &str| slos.iter().find(|s| s["slo"] == slug).unwrap_or_else(|| panic!("{slug}: {body}"));

    // The week of Saturday 29 August to Monday 31 August: 1 bad slice of 4,320, with 0.05 %
    // allowed (2.16 slices): 1 − 1 ÷ 2.16 of the budget left. A rolling week would hold
    // Thursday's outage; a Monday week only the 31st (the whole budget).
    let remaining = slo("line-uptime")["error_budget_remaining"].as_f64().expect("remaining");
    assert!((remaining - (1.0 - 1.0 / 2.16)).abs() < 1e-12, "{remaining}");
    // Every day of August is in the month: Thursday's outage misses 99.95 %.
    assert_eq!(slo("line-uptime")["met"], false);

    // Ratio timeslices: the mean of 98 % and 100 % is exactly the 99 % objective: met, with
    // exactly nothing left to spend. Σgood ÷ Σtotal (98 %) would have missed it.
    let landing = slo("landing-page");
    assert_eq!(landing["attainment"].as_f64(), Some(0.99), "{landing}");
    assert_eq!(landing["met"], true, "{landing}");
    assert_eq!(landing["error_budget_remaining"].as_f64(), Some(0.0), "{landing}");
    let (_, kpis) = app.get("/api/v1/kpis?period=2026-08&scope=org").await;
    assert_eq!(kpis["kpis"]["budget_exhausted_count"], 1, "the landing page's budget is spent: {kpis}");

    // The drill-down names the rule, and the service page the window.
    let (_, drill) = app.get("/api/v1/kpis/slo_attainment/population?period=2026-08&scope=org").await;
    let rows = drill["records"].as_array().expect("records");
    let landing_row = rows.iter().find(|r| r.to_string().contains("landing-page")).expect("landing row");
    assert!(landing_row.to_string().contains("met (mean of the daily ratios)"), "{landing_row}");
    let page = app.page("/services/line?period=2026-08").await;
    assert!(page.contains("calendar week, windows from 2022-01-01"), "the chart names the window");
    let page = app.page("/services/web?period=2026-08").await;
    assert!(page.contains("14-day rolling window, mean of daily ratios"), "the chart names the method");

    // The evidence pack judges the month as the KPI does, and names each SLO's window.
    let pack = crate::evidence::download(app, &crate::access::Credential::None, "from=2026-08-01&to=2026-08-31").await;
    let attainment = pack.rows("slo_attainment.csv");
    let month = attainment.iter().find(|r| r["slo"] == "landing-page" && r["period"] == "2026-08").expect("row");
    let judged = ["good", "total", "attainment", "met"].map(|c| month[c].as_str());
    assert_eq!(judged, ["981", "1001", "99.000000", "true"], "the mean of the daily ratios, beside the events");
    let slos = pack.rows("slos.csv");
    let week = slos.iter().find(|r| r["slo"] == "line-uptime").expect("the weekly SLA");
    let window = ["calendar_window", "calendar_start", "budgeting"].map(|c| week[c].as_str());
    assert_eq!(window, ["1w", "2022-01-01", "timeslices"]);
    let landing = slos.iter().find(|r| r["slo"] == "landing-page").expect("the landing page");
    assert_eq!(landing["budgeting"], "ratio_timeslices");
}

/// The database takes each day's ratio (the loader sums them there, for the KPIs and the
/// evidence pack) exactly as the domain does: the same 10⁻¹¹ units, rounded down, on ratios
/// whose digits run past the last unit and on totals far above any day's events.
async fn the_database_takes_each_days_ratio_exactly_as_the_domain_does(app: &TestApp) {
    use app::domain::kpi::{DayRange, SloData, SloMeasurement};
    use sea_orm::{ConnectionTrait, Statement};

    let day = chrono::NaiveDate::from_ymd_opt(2026, 8, 1).expect("day");
    let domain = |good: i64, total: i64| {
        let range = DayRange { from: day, to: day.succ_opt().expect("next day") };
        SloData::Days(vec![SloMeasurement { day, good, total }]).totals(range).ratio_units
    };
    let mut pairs = vec![
        (0, 1),
        (1, 1),
        (1, 3),
        (2, 3),
        (1, 7),
        (980, 1000),
        (999, 1000),
        (86_399, 86_400),
        (123_456_789, 987_654_321),
        (999_999_999_999, 1_000_000_000_000),
        (1, 900_000_000_000_000),
        (899_999_999_999_999, 900_000_000_000_000),
    ];
    // And some drawn from a fixed sequence, over totals of every size.
    let mut seed: u64 = 0x5eed;
    for _ in 0..64 {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let total =
            i64::try_from((seed >> 20) % 10_u64.pow(1 + u32::try_from(seed % 12).expect("small"))).expect("fits") + 1;
        let good = i64::try_from((seed >> 7) % u64::try_from(total + 1).expect("positive")).expect("fits");
        pairs.push((good, total));
    }
    let backend = app.db.get_database_backend();
    let units = server::kpis::daily_ratio_units_sql(backend);
    for (good, total) in pairs {
        let sql = format!(
            "SELECT CAST({units} AS BIGINT) AS units FROM \
             (SELECT CAST({good} AS BIGINT) AS \"good\", CAST({total} AS BIGINT) AS \"total\") AS m"
        );
        let row = app.db.query_one_raw(Statement::from_string(backend, sql)).await.expect("query").expect("a row");
        let taken: Option<i64> = row.try_get("", "units").expect("units");
        assert_eq!(taken.map(i128::from), Some(domain(good, total)), "{good} of {total}");
    }
    // A day without events is no slice: no ratio at all.
    let sql = format!("SELECT CAST({units} AS BIGINT) AS units FROM (SELECT 0 AS \"good\", 0 AS \"total\") AS m");
    let row = app.db.query_one_raw(Statement::from_string(backend, sql)).await.expect("query").expect("a row");
    assert_eq!(row.try_get::<Option<i64>>("", "units").expect("units"), None);
}

crate::on_both_backends!(
    the_specifications_example_shapes_import_with_their_windows_and_methods,
    a_calendar_week_and_ratio_timeslices_are_judged_as_defined,
    the_database_takes_each_days_ratio_exactly_as_the_domain_does,
);
