//! The OpenSLO adapter.

use serde_json::{Value, json};

use super::*;

#[test]
fn openslo_slos_become_native_slos_and_unknown_services_row_errors() {
    let all = known();
    let converted = convert(Adapter::OpenSlo, OPENSLO.as_bytes(), &AdapterOptions::default(), &all[..2]).expect("ok");
    assert!(converted.services.is_empty());
    assert_eq!(converted.rows.len(), 7);
    let expected = [
        json!({"service": "checkout-api", "slug": "checkout-availability",
               "name": "Checkout availability (Non-5xx responses)",
               "indicator": "availability", "objective": 99.9, "window_days": 28, "budgeting": "occurrences",
               "prometheus_url": "https://prometheus.prod.example.internal",
               "good_query": "http_requests_total{service=\"checkout-api\",code!~\"5..\"}",
               "total_query": "http_requests_total{service=\"checkout-api\"}"}),
        json!({"service": "payments", "slug": "payments-authorisation", "name": "Payment authorisation success",
               "indicator": "correctness", "objective": 99.5, "window_days": 28, "budgeting": "timeslices",
               "prometheus_url": "https://prometheus.prod.example.internal",
               "good_query": "payment_authorisations_total{outcome=\"approved\"}",
               "total_query": "payment_authorisations_total{outcome!=\"declined\"}"}),
        json!({"service": "checkout-api", "slug": "checkout-latency-fast", "name": "Checkout latency (Fast)",
               "indicator": "latency", "objective": 95.0, "window_days": 7, "budgeting": "occurrences"}),
        json!({"service": "checkout-api", "slug": "checkout-latency-not-slow", "name": "Checkout latency (Not slow)",
               "indicator": "latency", "objective": 99.0, "window_days": 7, "budgeting": "occurrences"}),
    ];
    let prometheus = json!({
        "prometheus_url": "https://prometheus.prod.example.internal",
        "good_query": "payment_authorisations_total{outcome=\"approved\"}",
        "total_query": "payment_authorisations_total{outcome!=\"declined\"}"});
    let with_source = |mut row: Value| {
        row.as_object_mut().expect("object").extend(prometheus.as_object().expect("object").clone());
        row
    };
    // A calendar month (its Berlin time zone cannot be kept: noted) and ratio timeslices.
    let calendar = with_source(json!({"service": "checkout-api", "slug": "checkout-monthly-availability",
        "name": "Checkout availability per calendar month", "indicator": "availability", "objective": 99.5,
        "budgeting": "occurrences", "calendar_window": "1M", "calendar_start": "2026-01-01"}));
    let ratio = with_source(json!({"service": "payments", "slug": "payments-ratio-timeslices",
        "name": "Payments success per minute slice", "indicator": "correctness", "objective": 99.0,
        "budgeting": "ratio_timeslices", "window_days": 28}));
    for (index, expected) in expected.iter().chain([&calendar, &ratio]).enumerate() {
        let number = if index < 4 { index } else { index + 1 };
        let row = ok(&converted.rows[number]);
        assert_eq!((row.number, &json_of(row)), (number as u64 + 1, expected));
        SloInput::from_row(row).unwrap_or_else(|e| panic!("row {}: {e:?}", number + 1));
    }
    let search = err(&converted.rows[4]);
    assert_eq!(search.field.as_deref(), Some("spec.service"));
    assert!(search.message.contains("SLO 'search-freshness' (document 8, line 147)"), "{}", search.message);
    assert!(search.message.contains("service 'search' does not exist; create it first or give team=SLUG"));
    let notes = converted.notes.join("\n");
    assert!(notes.contains("calendar windows counted in whole days of Plumbline's reporting time zone"), "{notes}");
    assert!(notes.contains("checkout-monthly-availability (Europe/Berlin)"), "{notes}");
    assert!(notes.contains("spec.objectives[].timeSliceWindow"), "{notes}");
    for expected in [
        "AlertPolicy 'checkout-fast-burn'",
        "Service documents of existing services were not applied (their name and tier stay): checkout-api, payments",
        "SLI metric queries",
        "(set metadata.labels.indicator): search-freshness",
        "spec.alertPolicies",
        "spec.objectives[].timeSliceTarget",
        "ignored fields: spec.description (in all 2 Service documents)",
    ] {
        assert!(notes.contains(expected), "{expected} in {notes}");
    }
}

#[test]
fn openslo_creates_missing_services_for_a_team() {
    let converted =
        convert(Adapter::OpenSlo, OPENSLO.as_bytes(), &options("", "", "", "platform"), &[]).expect("readable");
    let services: Vec<Value> = converted.services.iter().map(json_of).collect();
    assert_eq!(
        services,
        vec![
            json!({"slug": "checkout-api", "name": "Checkout API", "tier": 1, "team": "platform"}),
            json!({"slug": "payments", "name": "Payments", "tier": 0, "team": "platform"}),
            json!({"slug": "search", "name": "search", "tier": 3, "team": "platform"}),
        ]
    );
    for row in &converted.services {
        ServiceInput::from_row(row).unwrap_or_else(|e| panic!("service {}: {e:?}", row.number));
    }
    let search = ok(&converted.rows[4]);
    assert_eq!(json_of(search)["indicator"], "other");
    assert_eq!(
        (json_of(search)["objective"].as_f64(), json_of(search)["window_days"].as_i64()),
        (Some(99.0), Some(28))
    );
    assert!(converted.notes.iter().any(|n| n.starts_with("tier 3 (least critical)") && n.ends_with(": search")));
}

fn slo(spec: &str) -> String {
    format!(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: api-availability\nspec:\n  service: search\n  \
         indicator:\n    metadata:\n      name: x\n  budgetingMethod: Occurrences\n{spec}"
    )
}

#[test]
fn openslo_windows_and_targets_outside_the_native_model_are_row_errors() {
    let window = |duration: &str| {
        format!("  timeWindow:\n    - duration: {duration}\n      isRolling: true\n  objectives:\n    - target: 0.99\n")
    };
    let target = |t: &str| format!("  timeWindow:\n    - duration: 30d\n  objectives:\n    - {t}\n");
    let calendar = |duration: &str, start: &str| {
        format!(
            "  timeWindow:\n    - duration: {duration}\n      calendar:\n        startTime: {start}\n  \
             objectives:\n    - target: 0.99\n"
        )
    };
    let cases = [
        (window("1M"), "spec.timeWindow[0].duration", "not a whole number of days"),
        (calendar("2Y", "2026-01-01"), "spec.timeWindow[0].duration", "longer than a year"),
        (calendar("36h", "2026-01-01"), "spec.timeWindow[0].duration", "not a whole number of days"),
        (calendar("1M", "next year"), "spec.timeWindow[0].calendar.startTime", "not a date"),
        (window("1Q"), "spec.timeWindow[0].duration", "not a whole number of days"),
        (window("36h"), "spec.timeWindow[0].duration", "not a whole number of days"),
        (window("400d"), "spec.timeWindow[0].duration", "from 1 to 366 days"),
        (window("soon"), "spec.timeWindow[0].duration", "not a duration"),
        (target("target: 1"), "spec.objectives[0].target", "not strictly between 0 and 100"),
        (target("target: 99.9"), "spec.objectives[0].target", "targetPercent takes 99.9"),
        (target("targetPercent: 0"), "spec.objectives[0].targetPercent", "not strictly between"),
        (target("target: high"), "spec.objectives[0].target", "must be a number"),
        (target("displayName: nothing"), "spec.objectives[0]", "neither target nor targetPercent"),
        (target("{target: 0.9, targetPercent: 95}"), "spec.objectives[0].target", "disagrees"),
        ("  objectives:\n    - target: 0.9\n".to_owned(), "spec.timeWindow", "is missing"),
    ];
    for (spec, field, text) in cases {
        let converted = run(Adapter::OpenSlo, &slo(&spec), &AdapterOptions::default());
        let error = err(&converted.rows[0]);
        assert_eq!(error.field.as_deref(), Some(field), "{spec}: {}", error.message);
        assert!(error.message.contains(text), "{spec}: {}", error.message);
    }
    let converted = run(Adapter::OpenSlo, &slo(&window("672h").replace("0.99", "\"0.9\"")), &AdapterOptions::default());
    let row = json_of(ok(&converted.rows[0]));
    assert_eq!((row["window_days"].as_i64(), row["objective"].as_f64()), (Some(28), Some(90.0)));
}

#[test]
fn openslo_documents_that_cannot_be_read_are_row_errors() {
    let file = "apiVersion: openslo/v2alpha\nkind: SLO\nmetadata:\n  name: a\n---\napiVersion: openslo/v1\n\
                metadata:\n  name: b\n---\n- just\n- a list\n---\napiVersion: openslo/v1\nkind: SLO\nmetadata:\n  \
                name: c\nspec:\n  service: search\n  indicatorRef: nowhere\n";
    let converted = run(Adapter::OpenSlo, file, &AdapterOptions::default());
    let errors: Vec<(Option<u64>, Option<&str>)> =
        converted.rows.iter().map(|r| (err(r).row, err(r).field.as_deref())).collect();
    assert_eq!(
        errors,
        vec![
            (Some(1), Some("apiVersion")),
            (Some(2), Some("kind")),
            (Some(3), Some(".")),
            (Some(4), Some("spec.indicatorRef"))
        ]
    );
    assert!(
        err(&converted.rows[0])
            .message
            .starts_with("document 1, line 1: apiVersion: 'openslo/v2alpha' is not supported")
    );
    assert!(err(&converted.rows[1]).message.starts_with("document 2, line 5: kind: is missing"));
    assert!(err(&converted.rows[3]).message.contains("'nowhere' names no kind: SLI document"));
}

#[test]
fn malformed_yaml_is_a_format_error_with_its_line() {
    let file = "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: [unclosed\nspec: {}\n";
    let error = convert(Adapter::OpenSlo, file.as_bytes(), &AdapterOptions::default(), &[]).expect_err("bad YAML");
    assert!(error.message.contains("line 5"), "{}", error.message);
    let error = convert(Adapter::OpenSlo, b"# nothing\n", &AdapterOptions::default(), &[]).expect_err("empty");
    assert!(error.message.starts_with("no YAML documents"), "{}", error.message);
    let error = convert(Adapter::OpenSlo, STATUSPAGE.as_bytes(), &AdapterOptions::default(), &[]).expect_err("JSON");
    assert_eq!(error.message, "not OpenSLO: no document has apiVersion: openslo/v1");
}

#[test]
fn openslo_alias_expansion_is_refused_before_it_is_built() {
    // One anchored list of 3,000 items and 3,000 aliases to it: about 9 million values once
    // expanded, from a file of some 60 KB.
    let items: String = (0..3000).map(|i| format!("      - item-{i}\n")).collect();
    let aliases: String = (0..3000).map(|i| format!("    copy{i}: *list\n")).collect();
    let file = format!(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: bomb\n  annotations:\n    list: &list\n{items}{aliases}"
    );
    let error = convert(Adapter::OpenSlo, file.as_bytes(), &AdapterOptions::default(), &known()).expect_err("refused");
    assert!(error.message.contains("more than 16 times its size"), "{}", error.message);
    // The same annotations written out once are read.
    let plain =
        format!("apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: fine\n  annotations:\n    list:\n{items}");
    let converted = convert(Adapter::OpenSlo, plain.as_bytes(), &AdapterOptions::default(), &known());
    assert!(converted.is_ok(), "{converted:?}");
}

/// An SLI counting with Prometheus queries is pulled: its counter selectors (from inside
/// `sum(rate(...[5m]))`), at the server the import names, else the DataSource it refers to.
#[test]
fn openslo_prometheus_ratio_metrics_become_pulled_slos() {
    let all = known();
    let with_url = options("", "", "", "").with_prometheus_url("http://prometheus:9090/").expect("url");
    let converted = convert(Adapter::OpenSlo, OPENSLO.as_bytes(), &with_url, &all[..2]).expect("ok");
    let first = json_of(ok(&converted.rows[0]));
    assert_eq!(first["prometheus_url"], "http://prometheus:9090", "the import's server wins");
    let notes = converted.notes.join("\n");
    assert!(notes.contains("SLOs pulled from Prometheus"), "{notes}");
    assert!(notes.contains("checkout-availability (http://prometheus:9090)"), "{notes}");
    assert!(options("", "", "", "").with_prometheus_url("http://user:pw@prom").is_err(), "no credentials");

    let sli = |good: &str, source: &str| {
        format!(
            "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: api-ok\nspec:\n  service: checkout-api\n  \
             budgetingMethod: Occurrences\n  timeWindow:\n    - duration: 28d\n      isRolling: true\n  \
             objectives:\n    - target: 0.99\n  indicator:\n    metadata:\n      name: ok\n    spec:\n      \
             ratioMetric:\n        counter: true\n        good:\n          metricSource:\n            \
             metricSourceRef: {source}\n            type: Prometheus\n            spec:\n              query: '{good}'\n        \
             total:\n          metricSource:\n            type: Prometheus\n            spec:\n              query: 'requests_total'\n"
        )
    };
    let read =
        |yaml: String| convert(Adapter::OpenSlo, yaml.as_bytes(), &AdapterOptions::default(), &all[..2]).expect("ok");
    // No server named anywhere: imported, not pulled, and the note says how to pull it.
    let unknown = read(sli("sum(increase(requests_total{code=\"200\"}[1h]))", "nowhere"));
    assert!(json_of(ok(&unknown.rows[0])).get("prometheus_url").is_none());
    assert!(unknown.notes.join("\n").contains("because no server is known: give prometheus_url=URL"));
    // A ratio of sums is not a counter: imported, not pulled.
    let ratio = read(sli("sum(rate(a[5m])) / sum(rate(b[5m]))", "nowhere"));
    assert!(json_of(ok(&ratio.rows[0])).get("good_query").is_none());
    assert!(ratio.notes.join("\n").contains("each query must be a counter series selector"));
}

/// The four files shaped as the OpenSLO specification's examples
/// (`server/tests/fixtures/adapters/openslo-examples/`) all import once their services are
/// mapped; what daily counts cannot keep is said in the notes.
#[test]
fn the_specifications_example_shapes_all_import() {
    let examples = [
        include_str!("../../../../../../server/tests/fixtures/adapters/openslo-examples/occurrences.yaml"),
        include_str!("../../../../../../server/tests/fixtures/adapters/openslo-examples/ratio-timeslices.yaml"),
        include_str!(
            "../../../../../../server/tests/fixtures/adapters/openslo-examples/calendar-month-timeslices.yaml"
        ),
        include_str!("../../../../../../server/tests/fixtures/adapters/openslo-examples/calendar-week-timeslices.yaml"),
    ];
    let mapped = options("", "shop-front=checkout-api,access-line=payments", "", "");
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for example in examples {
        let converted = run(Adapter::OpenSlo, example, &mapped);
        for row in &converted.rows {
            let row = ok(row);
            SloInput::from_row(row).unwrap_or_else(|e| panic!("{}: {e:?}", json_of(row)));
            rows.push(json_of(row));
        }
        notes.extend(converted.notes);
    }
    let window = |row: &Value| {
        (row["slug"].clone(), row["window_days"].clone(), row["calendar_window"].clone(), row["budgeting"].clone())
    };
    assert_eq!(
        rows.iter().map(window).collect::<Vec<_>>(),
        vec![
            (json!("search-speed"), json!(14), Value::Null, json!("occurrences")),
            (json!("landing-page"), json!(14), Value::Null, json!("ratio_timeslices")),
            (json!("line-uptime-internal-objective"), Value::Null, json!("1M"), json!("timeslices")),
            (json!("line-uptime-sla"), Value::Null, json!("1M"), json!("timeslices")),
            (json!("line-uptime"), Value::Null, json!("1w"), json!("timeslices")),
        ]
    );
    assert!(rows[2..].iter().all(|row| row["calendar_start"] == "2022-01-01"), "{rows:?}");
    assert_eq!((rows[2]["objective"].as_f64(), rows[3]["objective"].as_f64()), (Some(99.5), Some(99.0)));
    assert_eq!(rows[4]["objective"].as_f64(), Some(99.95));
    let notes = notes.join("\n");
    assert!(notes.contains("line-uptime (1m → 1M)"), "{notes}");
    assert!(notes.contains("line-uptime (2022-01-01 12:00:00 America/New_York)"), "{notes}");
}
