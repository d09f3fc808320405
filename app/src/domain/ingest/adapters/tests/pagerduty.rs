//! The PagerDuty adapter (Analytics JSON and CSV exports).

use serde_json::{Value, json};

use super::*;

#[test]
fn pagerduty_analytics_incidents_become_native_incidents() {
    let converted = run(Adapter::PagerDuty, PAGERDUTY_JSON, &AdapterOptions::default());
    assert_eq!(converted.rows.len(), 4);
    assert_eq!(
        json_of(ok(&converted.rows[0])),
        json!({
            "external_id": "Q2KXY8PZ4T0R1M",
            "title": "Checkout API: error rate above 5% for 5 minutes",
            "severity": "SEV1",
            "services": ["checkout-api"],
            "started_at": "2026-03-02T17:14:05Z",
            "detected_at": "2026-03-02T17:14:05Z",
            "acknowledged_at": "2026-03-02T17:15:40Z",
            "mitigated_at": "2026-03-02T18:02:41Z",
            "resolved_at": "2026-03-02T18:02:41Z",
            "status": "resolved"
        })
    );
    // No priority, high urgency → SEV2; resolved from seconds_to_resolve.
    let second = json_of(ok(&converted.rows[1]));
    assert_eq!((second["severity"].as_str(), second["services"].clone()), (Some("SEV2"), json!(["payments"])));
    assert_eq!(second["resolved_at"], "2026-03-06T00:10:00Z");
    let third = json_of(ok(&converted.rows[2]));
    assert_eq!((third["severity"].as_str(), third["status"].as_str()), (Some("SEV3"), Some("open")));
    assert_eq!(third["started_at"], "2026-03-07T13:30:12Z");
    assert!(third.get("acknowledged_at").is_none() && third.get("resolved_at").is_none());
    // No description: the title comes from the number; fractional seconds as text are fine.
    let fourth = json_of(ok(&converted.rows[3]));
    assert_eq!((fourth["title"].as_str(), fourth["severity"].as_str()), (Some("Incident #4841"), Some("SEV4")));
    assert_eq!(fourth["acknowledged_at"], "2026-03-09T04:03:03.500Z");
    for row in &converted.rows {
        native_incident(ok(row));
    }
    let notes = converted.notes.join("\n");
    assert!(notes.contains("ignored top-level fields: aggregate_unit, ending_before, filters"), "{notes}");
    assert!(notes.contains("escalation_policy_id, escalation_policy_name"), "{notes}");
    assert!(notes.contains("mitigated_at is set to resolved_at"), "{notes}");
}

#[test]
fn a_pagerduty_csv_export_gives_the_same_rows_as_the_json() {
    let csv = run(Adapter::PagerDuty, PAGERDUTY_CSV, &AdapterOptions::default());
    let json = run(Adapter::PagerDuty, PAGERDUTY_JSON, &AdapterOptions::default());
    assert_eq!(csv.rows.len(), 3);
    for index in 0..2 {
        assert_eq!(json_of(ok(&csv.rows[index])), json_of(ok(&json.rows[index])), "row {}", index + 1);
    }
    let third = json_of(ok(&csv.rows[2]));
    assert_eq!(third["title"], "Search indexer lag above 10 minutes, \"catalog\" shard");
    assert_eq!(third["started_at"], "2026-03-07T13:30:12Z");
    assert!(csv.notes.contains(&"ignored columns: Team Name, Escalation Policy".to_owned()), "{:?}", csv.notes);
    for row in &csv.rows {
        native_incident(ok(row));
    }
}

#[test]
fn pagerduty_csv_columns_can_be_mapped_and_missing_ones_are_format_errors() {
    let csv = "Key,Summary,Svc,Opened,Sev\nINC-7,Disk full,search,2026-04-01T08:00:00Z,P2\n";
    let error = convert(Adapter::PagerDuty, csv.as_bytes(), &AdapterOptions::default(), &known()).expect_err("no id");
    assert!(
        error.message.contains("no id column") && error.message.contains("column_map=id=HEADER"),
        "{}",
        error.message
    );
    let columns = "id=Key, title=Summary, service_name=Svc, created_at=opened, priority_name=Sev";
    let converted = run(Adapter::PagerDuty, csv, &options("", "", columns, ""));
    let row = json_of(ok(&converted.rows[0]));
    assert_eq!((row["external_id"].as_str(), row["severity"].as_str()), (Some("INC-7"), Some("SEV2")));
    let error =
        convert(Adapter::PagerDuty, csv.as_bytes(), &options("", "", "id=Ticket", ""), &known()).expect_err("x");
    assert!(error.message.contains("column_map maps id to 'Ticket'"), "{}", error.message);
    let ragged = "ID,Title,Service,Created At,Urgency\nA-1,t,search\n";
    let converted = run(Adapter::PagerDuty, ragged, &AdapterOptions::default());
    assert_eq!(err(&converted.rows[0]).row, Some(1));
}

fn pagerduty_incident(fields: Value) -> String {
    let mut incident =
        json!({"id": "P1X", "description": "d", "service_name": "Search", "created_at": "2026-01-01T00:00:00Z"});
    for (key, value) in fields.as_object().cloned().unwrap_or_default() {
        incident[key] = value;
    }
    json!({"data": [incident]}).to_string()
}

#[test]
fn pagerduty_severity_comes_from_the_priority_then_major_then_urgency() {
    let cases = [
        (json!({"priority_name": "P2", "major": true}), "", Ok("SEV2")),
        (json!({"priority_name": "p4"}), "", Ok("SEV4")),
        (json!({"priority_name": "P1"}), "p1=SEV0", Ok("SEV0")),
        (json!({"priority_name": "SEV-1 Critical"}), "sev-1 critical=SEV1", Ok("SEV1")),
        (json!({"priority_name": "SEV-1 Critical"}), "", Err("severity_map=SEV-1 Critical=SEVn")),
        (json!({"major": "yes", "urgency": "low"}), "", Ok("SEV1")),
        (json!({"urgency": "High"}), "", Ok("SEV2")),
        (json!({"urgency": "low"}), "", Ok("SEV3")),
        (json!({"urgency": "medium"}), "", Err("neither high nor low")),
        (json!({}), "", Err("severity cannot be told")),
    ];
    for (fields, map, expected) in cases {
        let converted = run(Adapter::PagerDuty, &pagerduty_incident(fields.clone()), &options(map, "", "", ""));
        match (expected, &converted.rows[0]) {
            (Ok(severity), Ok(row)) => assert_eq!(json_of(row)["severity"], severity, "{fields}"),
            (Err(text), Err(error)) => assert!(error.message.contains(text), "{fields}: {}", error.message),
            (_, other) => panic!("{fields}: {other:?}"),
        }
    }
}

#[test]
fn odd_pagerduty_values_are_row_errors() {
    let cases = [
        (json!({"seconds_to_resolve": 1e300}), "data[0].seconds_to_resolve", "more than ten years"),
        (json!({"seconds_to_first_ack": -5}), "data[0].seconds_to_first_ack", "must not be negative"),
        (json!({"seconds_to_first_ack": "soon"}), "data[0].seconds_to_first_ack", "must be a number"),
        (json!({"created_at": "2026-03-01 10:00:00"}), "data[0].created_at", "UTC offset"),
        (json!({"created_at": null}), "data[0].created_at", "is missing"),
        (json!({"service_name": "Warehouse"}), "data[0].service_name", "service_map=Warehouse=SLUG"),
        (json!({"service_name": ["Search"]}), "data[0].service_name", "must be text, got an array"),
        (json!({"major": "perhaps", "priority_name": null}), "data[0].major", "true or false"),
        (json!({"description": null, "id": 12}), "data[0].description", "what is the incident called"),
    ];
    for (mut fields, field, text) in cases {
        if fields.get("priority_name").is_none() {
            fields["priority_name"] = json!("P3");
        }
        let converted = run(Adapter::PagerDuty, &pagerduty_incident(fields.clone()), &AdapterOptions::default());
        let error = err(&converted.rows[0]);
        assert_eq!(error.field.as_deref(), Some(field), "{fields}: {}", error.message);
        assert!(error.message.contains(text), "{fields}: {}", error.message);
    }
    let converted = run(Adapter::PagerDuty, r#"{"data": ["Q1", {"id": "Q2"}]}"#, &AdapterOptions::default());
    assert_eq!(err(&converted.rows[0]).field.as_deref(), Some("data[0]"));
    assert_eq!(err(&converted.rows[1]).row, Some(2));
}

#[test]
fn a_service_name_matching_several_services_is_a_row_error_naming_them() {
    // `checkout` is one service's slug and another's name.
    let services = vec![
        KnownService { slug: "checkout".into(), name: "Checkout (legacy)".into() },
        KnownService { slug: "checkout-v2".into(), name: "Checkout".into() },
    ];
    let file = json!({"data": [{"id": "P1", "created_at": "2026-07-01T00:00:00Z",
        "service_name": "checkout", "priority_name": "P1", "description": "x"}]});
    let converted = convert(Adapter::PagerDuty, file.to_string().as_bytes(), &AdapterOptions::default(), &services)
        .expect("readable");
    let error = err(&converted.rows[0]);
    assert!(error.message.contains("matches several services (checkout, checkout-v2)"), "{}", error.message);
    // Mapped explicitly, it is one.
    let mapped = options("", "checkout=checkout-v2", "", "");
    let converted = convert(Adapter::PagerDuty, file.to_string().as_bytes(), &mapped, &services).expect("readable");
    assert_eq!(json_of(ok(&converted.rows[0]))["services"], json!(["checkout-v2"]));
}

/// The Analytics response as PagerDuty documents it: timestamps without an offset, the zone named
/// once at the top.
fn analytics_in_zone(zone: &str, created_at: &str) -> String {
    json!({"data": [{"id": "P1X", "description": "d", "service_name": "Search", "priority_name": "P3",
                     "created_at": created_at, "resolved_at": "2026-07-01T13:00:00"}],
           "time_zone": zone})
    .to_string()
}

#[test]
fn timestamps_without_an_offset_are_read_in_the_exports_time_zone() {
    let utc = run(Adapter::PagerDuty, &analytics_in_zone("Etc/UTC", "2021-01-08T15:36:37"), &AdapterOptions::default());
    assert_eq!(json_of(ok(&utc.rows[0]))["started_at"], "2021-01-08T15:36:37Z");
    assert!(utc.notes.iter().any(|n| n.contains("read in Etc/UTC")), "{:?}", utc.notes);
    assert!(!utc.notes.iter().any(|n| n.contains("ignored top-level fields")), "time_zone is read: {:?}", utc.notes);

    let new_york = run(
        Adapter::PagerDuty,
        &analytics_in_zone("America/New_York", "2026-07-01T12:00:00"),
        &AdapterOptions::default(),
    );
    let row = json_of(ok(&new_york.rows[0]));
    assert_eq!(
        (row["started_at"].as_str(), row["resolved_at"].as_str()),
        (Some("2026-07-01T16:00:00Z"), Some("2026-07-01T17:00:00Z"))
    );
    // A timestamp with an offset keeps it.
    let explicit = run(
        Adapter::PagerDuty,
        &analytics_in_zone("America/New_York", "2026-07-01T12:00:00Z"),
        &AdapterOptions::default(),
    );
    assert_eq!(json_of(ok(&explicit.rows[0]))["started_at"], "2026-07-01T12:00:00Z");

    // A local time the zone skips is a row error, never a guess; so is an unknown zone.
    let skipped = run(
        Adapter::PagerDuty,
        &analytics_in_zone("America/New_York", "2026-03-08T02:30:00"),
        &AdapterOptions::default(),
    );
    assert!(err(&skipped.rows[0]).message.contains("clocks went forward"), "{:?}", err(&skipped.rows[0]));
    let file = analytics_in_zone("Mars/Olympus", "2026-07-01T12:00:00");
    let unknown = convert(Adapter::PagerDuty, file.as_bytes(), &AdapterOptions::default(), &known()).expect_err("zone");
    assert!(unknown.message.contains("not an IANA time zone"), "{}", unknown.message);
}

#[test]
fn a_pagerduty_export_imported_as_alerts_keeps_its_interruptions() {
    let converted = convert_to(
        Adapter::PagerDuty,
        RecordKind::Alerts,
        PAGERDUTY_JSON.as_bytes(),
        &AdapterOptions::default(),
        &known(),
    )
    .expect("readable");
    assert_eq!(converted.rows.len(), 4);
    let first = json_of(ok(&converted.rows[0]));
    assert_eq!(
        first,
        json!({
            "external_id": "Q2KXY8PZ4T0R1M",
            "rule": "Checkout API: error rate above 5% for 5 minutes",
            "service": "checkout-api",
            "fired_at": "2026-03-02T17:14:05Z",
            "acknowledged_at": "2026-03-02T17:15:40Z",
            "resolved_at": "2026-03-02T18:02:41Z",
            "paged": true,
            "urgency": "high",
            "escalations": 0,
            "labels": {
                "business_hour_interruptions": "1", "off_hour_interruptions": "0", "sleep_hour_interruptions": "0",
                "priority_name": "P1", "escalation_policy_name": "Storefront primary", "major": "true"
            }
        })
    );
    assert!(
        converted.notes.iter().any(|n| n.contains("each PagerDuty incident is one alert")),
        "{:?}",
        converted.notes
    );
    for row in &converted.rows {
        let alert = crate::domain::records::AlertInput::from_row(ok(row))
            .unwrap_or_else(|e| panic!("row {} is not a valid native alert: {e:?}", ok(row).number));
        assert_eq!(alert.disposition, None, "a re-import never undoes a triage");
    }
    // The CSV export reads the same way, without interruption counts: urgency decides.
    let csv = convert_to(
        Adapter::PagerDuty,
        RecordKind::Alerts,
        PAGERDUTY_CSV.as_bytes(),
        &AdapterOptions::default(),
        &known(),
    )
    .expect("readable");
    let second = json_of(ok(&csv.rows[1]));
    assert_eq!((second["paged"].clone(), second["service"].clone()), (json!(true), json!("payments")));
    // A kind the adapter does not make reads as its default (incidents).
    let other = convert_to(
        Adapter::PagerDuty,
        RecordKind::Slos,
        PAGERDUTY_JSON.as_bytes(),
        &AdapterOptions::default(),
        &known(),
    )
    .expect("readable");
    assert!(json_of(ok(&other.rows[0])).get("severity").is_some());
}

#[test]
fn a_csv_export_without_offsets_is_read_in_the_time_zone_given_on_import() {
    let csv = "Incident ID,Title,Service Name,Urgency,Created On\nP1,Disk full,payments,high,2026-03-02 09:14:05\n";
    let refused = run(Adapter::PagerDuty, csv, &AdapterOptions::default());
    assert!(err(&refused.rows[0]).message.contains("offset"), "{:?}", refused.rows[0]);
    let berlin = AdapterOptions::default().with_time_zone("Europe/Berlin").expect("a zone");
    let read = run(Adapter::PagerDuty, csv, &berlin);
    assert_eq!(json_of(ok(&read.rows[0]))["started_at"], "2026-03-02T08:14:05Z", "09:14 in Berlin is 08:14 UTC");
    assert!(read.notes.iter().any(|n| n.contains("Europe/Berlin, the time_zone given on import")), "{:?}", read.notes);
    let error = AdapterOptions::default().with_time_zone("Mars/Olympus").expect_err("not a zone");
    assert!(error.contains("not an IANA time zone"), "{error}");
}
