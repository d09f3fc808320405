//! Adapter tests: the sample files under `server/tests/fixtures/adapters/` converted into
//! native rows that the native readers accept, and every error path the rules promise.

use serde_json::{Value, json};

use super::*;
use crate::domain::ingest::{Cell, IngestRecord, RowError};
use crate::domain::records::{IncidentInput, ServiceInput, SloInput};

const OPENSLO: &str = include_str!("../../../../../server/tests/fixtures/adapters/openslo.yaml");
const STATUSPAGE: &str = include_str!("../../../../../server/tests/fixtures/adapters/statuspage.json");
const STATUSPAGE_BARE: &str = include_str!("../../../../../server/tests/fixtures/adapters/statuspage-bare.json");
const STATUSPAGE_UNMAPPED: &str =
    include_str!("../../../../../server/tests/fixtures/adapters/statuspage-unmapped.json");
const PAGERDUTY_JSON: &str = include_str!("../../../../../server/tests/fixtures/adapters/pagerduty.json");
const PAGERDUTY_CSV: &str = include_str!("../../../../../server/tests/fixtures/adapters/pagerduty.csv");

fn known() -> Vec<KnownService> {
    [("checkout-api", "Checkout API"), ("payments", "Payments"), ("search", "Search")]
        .into_iter()
        .map(|(slug, name)| KnownService { slug: slug.into(), name: name.into() })
        .collect()
}

fn run(adapter: Adapter, text: &str, options: &AdapterOptions) -> Converted {
    convert(adapter, text.as_bytes(), options, &known()).expect("the file is readable")
}

fn options(severity: &str, service: &str, column: &str, team: &str) -> AdapterOptions {
    AdapterOptions::from_texts(severity, service, column, team).expect("valid options")
}

/// A row's cells as one JSON object, to compare with a literal.
fn json_of(row: &RawRow) -> Value {
    let cells = row.cells.iter().map(|(name, cell)| {
        let value = match cell {
            Cell::Json(value) => value.clone(),
            Cell::Text(text) => Value::String(text.clone()),
        };
        (name.clone(), value)
    });
    Value::Object(cells.collect())
}

fn ok(row: &DecodedRow) -> &RawRow {
    row.as_ref().unwrap_or_else(|e| panic!("expected a row, got {e:?}"))
}

fn err(row: &DecodedRow) -> &RowError {
    row.as_ref().err().unwrap_or_else(|| panic!("expected an error, got {row:?}"))
}

/// Reads an incident row natively. Tolerates exactly an "unknown field 'timeline'" error,
/// for a native reader that does not know timelines yet.
fn native_incident(row: &RawRow) -> IncidentInput {
    match IncidentInput::from_row(row) {
        Ok(incident) => incident,
        Err(errors) if errors.iter().all(|e| e.message.starts_with("unknown field 'timeline'")) => {
            let mut without = row.clone();
            without.cells.retain(|(name, _)| name != "timeline");
            IncidentInput::from_row(&without).unwrap_or_else(|e| panic!("row {}: {e:?}", row.number))
        }
        Err(errors) => panic!("row {} is not a valid native incident: {errors:?}", row.number),
    }
}

#[test]
fn statuspage_incidents_become_native_incidents() {
    let converted = run(Adapter::Statuspage, STATUSPAGE, &AdapterOptions::default());
    assert!(converted.services.is_empty());
    assert_eq!(converted.rows.len(), 4);
    let first = ok(&converted.rows[0]);
    assert_eq!(first.number, 1);
    assert_eq!(
        json_of(first),
        json!({
            "external_id": "p31zjtct2jer",
            "title": "Elevated checkout errors",
            "severity": "SEV2",
            "services": ["checkout-api"],
            "started_at": "2026-03-18T08:05:00Z",
            "detected_at": "2026-03-18T08:12:44.512Z",
            "mitigated_at": "2026-03-18T09:20:31.005Z",
            "resolved_at": "2026-03-18T09:58:02.271Z",
            "customer_impacting": true,
            "status": "resolved",
            "timeline": [
                {"at": "2026-03-18T08:12:44.700Z", "status": "investigating",
                 "body": "Some customers see errors when placing orders. We are investigating."},
                {"at": "2026-03-18T08:41:17.330Z", "status": "identified",
                 "body": "The issue has been identified: a bad configuration of the payment gateway client. \
                          A fix is being rolled out."},
                {"at": "2026-03-18T09:20:31.001Z", "status": "monitoring",
                 "body": "A fix has been deployed and we are monitoring the results."},
                {"at": "2026-03-18T09:58:02.265Z", "status": "resolved",
                 "body": "Checkout error rates have been back to normal for 30 minutes. This incident is resolved."}
            ]
        })
    );
    // No started_at: created_at starts it; no monitoring_at: resolved_at mitigates it.
    let second = json_of(ok(&converted.rows[1]));
    assert_eq!(second["severity"], "SEV1");
    assert_eq!(second["services"], json!(["payments", "checkout-api"]));
    assert_eq!(second["started_at"], "2026-03-11T22:47:09.004Z");
    assert_eq!(second["detected_at"], second["started_at"]);
    assert_eq!(second["mitigated_at"], "2026-03-12T00:31:55.812Z");
    assert_eq!(second["status"], "resolved", "postmortem → resolved");
    let third = json_of(ok(&converted.rows[2]));
    assert_eq!((third["severity"].as_str(), third["status"].as_str()), (Some("SEV3"), Some("monitoring")));
    assert_eq!(third["started_at"], "2026-03-20T17:40:00Z");
    assert!(third.get("resolved_at").is_none());
    // Optional fields missing are fine; impact none is not customer-impacting.
    let fourth = json_of(ok(&converted.rows[3]));
    assert_eq!((fourth["severity"].as_str(), fourth["customer_impacting"].as_bool()), (Some("SEV4"), Some(false)));
    assert_eq!(fourth["services"], json!(["search"]));
    assert!(fourth.get("timeline").is_none());
    for row in &converted.rows {
        native_incident(ok(row));
    }
}

#[test]
fn statuspage_unused_fields_are_noted_with_counts() {
    let notes = run(Adapter::Statuspage, STATUSPAGE, &AdapterOptions::default()).notes;
    assert!(notes.contains(&"ignored top-level fields: page".to_owned()), "{notes:?}");
    let fields = notes.iter().find(|n| n.starts_with("ignored fields: ")).expect("a note of ignored fields");
    for expected in
        ["page_id, shortlink, updated_at (in 3 of 4 incidents)", "postmortem_published_at", "components[].id"]
    {
        assert!(fields.contains(expected), "{expected} in {fields}");
    }
    assert!(fields.contains("incident_updates[].affected_components"), "{fields}");
}

#[test]
fn a_bare_statuspage_array_is_read_too() {
    let converted = run(Adapter::Statuspage, STATUSPAGE_BARE, &AdapterOptions::default());
    let second = json_of(ok(&converted.rows[1]));
    assert_eq!(second["started_at"], "2026-02-14T06:30:00Z");
    assert_eq!(second["detected_at"], "2026-02-14T07:00:00Z");
    assert_eq!(second["status"], "identified");
    assert!(second.get("mitigated_at").is_none());
    assert_eq!(json_of(ok(&converted.rows[0]))["mitigated_at"], "2026-02-10T16:50:00Z");
    for row in &converted.rows {
        native_incident(ok(row));
    }
}

#[test]
fn an_unmapped_component_is_a_row_error_until_mapped() {
    let converted = run(Adapter::Statuspage, STATUSPAGE_UNMAPPED, &AdapterOptions::default());
    let error = err(&converted.rows[0]);
    assert_eq!(error.row, Some(1));
    assert_eq!(error.field.as_deref(), Some("incidents[0].components[1].name"));
    assert!(error.message.contains("'Legacy Storefront'"), "{}", error.message);
    assert!(error.message.contains("service_map=Legacy Storefront=SLUG"), "{}", error.message);
    let mapped = run(Adapter::Statuspage, STATUSPAGE_UNMAPPED, &options("", "legacy storefront=checkout-api", "", ""));
    assert_eq!(json_of(ok(&mapped.rows[0]))["services"], json!(["checkout-api"]));
}

fn statuspage_incident(fields: Value) -> String {
    let mut incident = json!({
        "id": "abc", "name": "Down", "impact": "major", "status": "resolved",
        "created_at": "2026-01-01T10:00:00Z", "resolved_at": "2026-01-01T11:00:00Z",
        "components": [{"name": "Payments"}]
    });
    for (key, value) in fields.as_object().cloned().unwrap_or_default() {
        incident[key] = value;
    }
    json!([incident]).to_string()
}

#[test]
fn statuspage_severity_map_overrides_defaults_and_unknown_impacts_are_errors() {
    let mapped = run(Adapter::Statuspage, &statuspage_incident(json!({})), &options("MAJOR=SEV0", "", "", ""));
    assert_eq!(json_of(ok(&mapped.rows[0]))["severity"], "SEV0");
    let body = statuspage_incident(json!({"impact": "catastrophic"}));
    let error = err(&run(Adapter::Statuspage, &body, &AdapterOptions::default()).rows[0]).clone();
    assert_eq!(error.field.as_deref(), Some("[0].impact"));
    assert!(error.message.contains("severity_map=catastrophic=SEVn"), "{}", error.message);
    let mapped = run(Adapter::Statuspage, &body, &options("catastrophic=SEV0", "", "", ""));
    assert_eq!(json_of(ok(&mapped.rows[0]))["severity"], "SEV0");
}

#[test]
fn a_maintenance_is_not_an_incident_unless_mapped() {
    let body = statuspage_incident(json!({"impact": "maintenance", "status": "completed"}));
    let error = err(&run(Adapter::Statuspage, &body, &AdapterOptions::default()).rows[0]).clone();
    assert_eq!(error.field.as_deref(), Some("[0].impact"));
    assert!(error.message.contains("severity_map=maintenance=SEVn"), "{}", error.message);
    let body = statuspage_incident(json!({"impact": "minor", "status": "in_progress"}));
    let error = err(&run(Adapter::Statuspage, &body, &AdapterOptions::default()).rows[0]).clone();
    assert_eq!(error.field.as_deref(), Some("[0].status"));
    let mapped = run(Adapter::Statuspage, &body, &options("maintenance=SEV4", "", "", ""));
    let row = json_of(ok(&mapped.rows[0]));
    assert_eq!((row["severity"].as_str(), row["status"].as_str()), (Some("SEV4"), Some("open")));
}

#[test]
fn statuspage_problems_are_row_errors_naming_the_source_path() {
    let no_components = statuspage_incident(json!({"components": []}));
    let error = err(&run(Adapter::Statuspage, &no_components, &AdapterOptions::default()).rows[0]).clone();
    assert_eq!(error.field.as_deref(), Some("[0].components"));
    assert!(error.message.contains("which service"), "{}", error.message);
    // Several problems in one incident: one error, naming the first field, listing all.
    let odd =
        statuspage_incident(json!({"id": null, "created_at": 17, "status": "exploded", "incident_updates": "no"}));
    let error = err(&run(Adapter::Statuspage, &odd, &AdapterOptions::default()).rows[0]).clone();
    assert_eq!(error.field.as_deref(), Some("[0].id"));
    for part in ["[0].created_at: '17' is not a timestamp", "[0].status: 'exploded'", "[0].incident_updates: must be"] {
        assert!(error.message.contains(part), "{part} in {}", error.message);
    }
    let not_object = run(Adapter::Statuspage, "[42]", &AdapterOptions::default());
    assert_eq!(err(&not_object.rows[0]).field.as_deref(), Some("[0]"));
}

#[test]
fn malformed_or_misshapen_json_is_a_format_error_saying_where() {
    let broken = "{\n  \"incidents\": [\n    {\"id\": \"x\",, }\n  ]\n}";
    for adapter in [Adapter::Statuspage, Adapter::PagerDuty] {
        let error = convert(adapter, broken.as_bytes(), &AdapterOptions::default(), &[]).expect_err("broken");
        assert!(error.message.contains("line 3 column"), "{}", error.message);
    }
    let error = convert(Adapter::Statuspage, br#"{"data": []}"#, &AdapterOptions::default(), &[]).expect_err("shape");
    assert!(error.message.contains("\"incidents\""), "{}", error.message);
    let error =
        convert(Adapter::Statuspage, br#"{"incidents": {}}"#, &AdapterOptions::default(), &[]).expect_err("shape");
    assert!(error.message.starts_with("$.incidents must be an array"), "{}", error.message);
    let error =
        convert(Adapter::PagerDuty, br#"{"incidents": []}"#, &AdapterOptions::default(), &[]).expect_err("REST");
    assert!(error.message.contains("Analytics"), "{}", error.message);
    let error = convert(Adapter::Statuspage, br#"  "x" "#, &AdapterOptions::default(), &[]).expect_err("a string");
    assert!(error.message.ends_with("got a string"), "{}", error.message);
}

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
fn openslo_slos_become_native_slos_and_unsupported_ones_row_errors() {
    let all = known();
    let converted = convert(Adapter::OpenSlo, OPENSLO.as_bytes(), &AdapterOptions::default(), &all[..2]).expect("ok");
    assert!(converted.services.is_empty());
    assert_eq!(converted.rows.len(), 7);
    let expected = [
        json!({"service": "checkout-api", "slug": "checkout-availability",
               "name": "Checkout availability (Non-5xx responses)",
               "indicator": "availability", "objective": 99.9, "window_days": 28, "budgeting": "occurrences"}),
        json!({"service": "payments", "slug": "payments-authorisation", "name": "Payment authorisation success",
               "indicator": "correctness", "objective": 99.5, "window_days": 28, "budgeting": "timeslices"}),
        json!({"service": "checkout-api", "slug": "checkout-latency-fast", "name": "Checkout latency (Fast)",
               "indicator": "latency", "objective": 95.0, "window_days": 7, "budgeting": "occurrences"}),
        json!({"service": "checkout-api", "slug": "checkout-latency-not-slow", "name": "Checkout latency (Not slow)",
               "indicator": "latency", "objective": 99.0, "window_days": 7, "budgeting": "occurrences"}),
    ];
    for (index, expected) in expected.iter().enumerate() {
        let row = ok(&converted.rows[index]);
        assert_eq!((row.number, &json_of(row)), (index as u64 + 1, expected));
        SloInput::from_row(row).unwrap_or_else(|e| panic!("row {}: {e:?}", index + 1));
    }
    let search = err(&converted.rows[4]);
    assert_eq!(search.field.as_deref(), Some("spec.service"));
    assert!(search.message.contains("SLO 'search-freshness' (document 8, line 147)"), "{}", search.message);
    assert!(search.message.contains("service 'search' does not exist; create it first or give team=SLUG"));
    let calendar = err(&converted.rows[5]);
    assert_eq!(calendar.field.as_deref(), Some("spec.timeWindow[0]"));
    assert!(calendar.message.contains("calendar windows are not supported; use a rolling window"));
    assert!(calendar.message.contains("document 9, line 173"), "{}", calendar.message);
    let ratio = err(&converted.rows[6]);
    assert_eq!((ratio.row, ratio.field.as_deref()), (Some(7), Some("spec.budgetingMethod")));
    assert!(ratio.message.contains("RatioTimeslices is not supported"), "{}", ratio.message);
    let notes = converted.notes.join("\n");
    for expected in [
        "DataSource 'prometheus-prod' (document 3, line 23)",
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
    let cases = [
        (window("1M"), "spec.timeWindow[0].duration", "not a whole number of days"),
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
fn pairs_are_split_on_commas_and_on_the_last_equals_sign() {
    let pairs = |text: &str| AdapterOptions::parse_pairs(text);
    assert_eq!(pairs(""), Ok(vec![]));
    assert_eq!(pairs("  ,  "), Ok(vec![]));
    let expected = vec![("a".to_owned(), "b".to_owned()), ("c=d".to_owned(), "e".to_owned())];
    assert_eq!(pairs(" a = b , c=d=e, "), Ok(expected.clone()));
    assert_eq!(pairs("a=b\nc=d=e"), Ok(expected));
    assert!(pairs("a=b,oops").is_err_and(|e| e.contains("'oops'")));
    assert!(pairs("=b").is_err_and(|e| e.contains("'=b'")));
    assert!(pairs("a= ").is_err_and(|e| e.contains("'a='")));
    assert!(pairs("P1=SEV1,p1=SEV2").is_err_and(|e| e.contains("'p1' is given twice")));
}

#[test]
fn options_are_checked_when_built_from_texts() {
    let built = AdapterOptions::from_texts("P1=sev0, minor = SEV2", "Legacy=checkout-api", "id=Key", " platform ");
    let built = built.expect("valid");
    assert_eq!(built.severity_map, vec![("P1".into(), Severity::Sev0), ("minor".into(), Severity::Sev2)]);
    assert_eq!(built.team.as_deref(), Some("platform"));
    let error = |s: &str, m: &str, c: &str, t: &str| AdapterOptions::from_texts(s, m, c, t).expect_err("invalid");
    assert!(error("P1=SEV9", "", "", "").contains("severity_map: 'P1=SEV9'"));
    assert!(error("", "Legacy=Checkout API", "", "").starts_with("service_map: 'Legacy=Checkout API'"));
    assert!(error("", "", "team=Team", "").contains("'team' is not a field"));
    assert!(error("", "", "", "Platform Team").starts_with("team: 'Platform Team'"));
    assert_eq!(AdapterOptions::from_texts("", "", "", "").expect("empty"), AdapterOptions::default());
}

#[test]
fn adapters_have_names_labels_and_kinds() {
    for adapter in Adapter::ALL {
        assert_eq!(Adapter::from_name(&adapter.name().to_uppercase()), Some(adapter));
        assert!(!adapter.label().is_empty());
    }
    assert_eq!(Adapter::from_name("jira"), None);
    assert_eq!(Adapter::OpenSlo.kind(), RecordKind::Slos);
    assert_eq!(Adapter::PagerDuty.kind(), RecordKind::Incidents);
}

#[test]
fn detect_recognises_each_sample_from_its_first_bytes() {
    let head = |text: &'static str| &text.as_bytes()[..text.len().min(1024)];
    assert_eq!(Adapter::detect(head(OPENSLO), "slos.yaml"), Some(Adapter::OpenSlo));
    for file in [STATUSPAGE, STATUSPAGE_BARE, STATUSPAGE_UNMAPPED] {
        assert_eq!(Adapter::detect(head(file), "incidents.json"), Some(Adapter::Statuspage));
    }
    assert_eq!(Adapter::detect(head(PAGERDUTY_JSON), "export.json"), Some(Adapter::PagerDuty));
    assert_eq!(Adapter::detect(head(PAGERDUTY_CSV), "export.csv"), Some(Adapter::PagerDuty));
    assert_eq!(Adapter::detect(b"{}", "data.json"), None);
    assert_eq!(Adapter::detect(b"[]", "statuspage-march.json"), Some(Adapter::Statuspage));
    assert_eq!(Adapter::detect(b"external_id,title,severity,services\n", "x.csv"), None);
    assert_eq!(Adapter::detect(br#"[{"impact": "major", "service_name": "x"}]"#, "x.json"), None);
    assert_eq!(Adapter::detect(b"\xEF\xBB\xBF  {\"data\": [", "x.json"), Some(Adapter::PagerDuty));
}

#[test]
fn converting_the_same_bytes_twice_gives_the_same_result() {
    let options = options("", "", "", "platform");
    for (adapter, file) in [
        (Adapter::OpenSlo, OPENSLO),
        (Adapter::Statuspage, STATUSPAGE),
        (Adapter::PagerDuty, PAGERDUTY_JSON),
        (Adapter::PagerDuty, PAGERDUTY_CSV),
    ] {
        let once = convert(adapter, file.as_bytes(), &options, &known());
        assert_eq!(once, convert(adapter, file.as_bytes(), &options, &known()), "{adapter:?}");
    }
}

/// Never a panic, whatever the bytes: random ones, and the samples mutated byte by byte and
/// value by value (so the per-object code sees nulls, huge numbers and wrong types).
mod robustness {
    use proptest::prelude::*;
    use serde::Deserialize;

    use super::*;
    use crate::domain::ingest::{BodyFormat, Decoder};

    const FIXTURES: [(Adapter, &str); 6] = [
        (Adapter::OpenSlo, OPENSLO),
        (Adapter::Statuspage, STATUSPAGE),
        (Adapter::Statuspage, STATUSPAGE_BARE),
        (Adapter::Statuspage, STATUSPAGE_UNMAPPED),
        (Adapter::PagerDuty, PAGERDUTY_JSON),
        (Adapter::PagerDuty, PAGERDUTY_CSV),
    ];

    fn everything(bytes: &[u8], chunk: usize) {
        let options = AdapterOptions {
            team: Some("platform".into()),
            severity_map: vec![("maintenance".into(), Severity::Sev4)],
            ..AdapterOptions::default()
        };
        for adapter in Adapter::ALL {
            let _ = convert(adapter, bytes, &options, &known());
            let _ = convert(adapter, bytes, &AdapterOptions::default(), &[]);
        }
        let _ = Adapter::detect(bytes, "file.json");
        for format in [BodyFormat::Csv, BodyFormat::JsonArray, BodyFormat::Ndjson] {
            let mut decoder = Decoder::new(format);
            let mut out = Vec::new();
            let pushed = bytes.chunks(chunk.max(1)).try_for_each(|piece| decoder.push(piece, &mut out));
            if pushed.is_ok() {
                let _ = decoder.finish(&mut out);
            }
        }
    }

    fn odd_value(choice: u8) -> Value {
        match choice % 12 {
            0 => Value::Null,
            1 => json!(-1),
            2 => json!(1e308),
            3 => json!(u64::MAX),
            4 => json!(""),
            5 => json!("P9"),
            6 => json!([[[]]]),
            7 => json!({"name": {}}),
            8 => json!(true),
            9 => json!("2026-13-45T99:99:99Z"),
            10 => json!("9999999999d"),
            _ => json!("\u{0}\u{7f}é"),
        }
    }

    /// Replaces the value at a path chosen by `steps` (each taken modulo the width there).
    fn replace(value: &mut Value, steps: &[usize], replacement: Value) {
        let Some((step, rest)) = steps.split_first() else {
            *value = replacement;
            return;
        };
        match value {
            Value::Array(items) if !items.is_empty() => {
                let index = step % items.len();
                replace(&mut items[index], rest, replacement);
            }
            Value::Object(map) if !map.is_empty() => {
                let index = step % map.len();
                let child = map.values_mut().nth(index).expect("in range");
                replace(child, rest, replacement);
            }
            other => *other = replacement,
        }
    }

    /// The sample with one value replaced, written back as JSON (one JSON document per YAML
    /// document for OpenSLO, JSON being YAML too).
    fn mutate_values(adapter: Adapter, text: &str, steps: &[usize], choice: u8) -> Option<String> {
        match adapter {
            Adapter::OpenSlo => {
                let mut documents: Vec<Value> = serde_yaml_ng::Deserializer::from_str(text)
                    .map(|d| Value::deserialize(d).expect("the sample is valid YAML"))
                    .collect();
                let index = steps.first().copied().unwrap_or_default() % documents.len();
                replace(&mut documents[index], steps.get(1..).unwrap_or_default(), odd_value(choice));
                Some(documents.iter().map(Value::to_string).collect::<Vec<_>>().join("\n---\n"))
            }
            _ if text.starts_with(['{', '[']) => {
                let mut document: Value = serde_json::from_str(text).expect("the sample is valid JSON");
                replace(&mut document, steps, odd_value(choice));
                Some(document.to_string())
            }
            _ => None,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600), chunk in 1usize..64) {
            everything(&bytes, chunk);
        }

        #[test]
        fn yaml_and_json_like_text_never_panics(
            text in concat!(
                r"(apiVersion: openslo/v1\n|kind: (SLO|SLI|Service)\n|---\n|\.\.\.\n|  |- |spec:|metadata:|name: x",
                r#"|target: |[{}\[\]",:&*!|>]|[a-z0-9.]{1,6}|\n)*"#
            )
        ) {
            everything(text.as_bytes(), 7);
        }

        #[test]
        fn byte_mutated_samples_never_panic(
            fixture in 0..FIXTURES.len(),
            edits in proptest::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8),
        ) {
            let (_, text) = FIXTURES[fixture];
            let mut bytes = text.as_bytes().to_vec();
            for (position, byte, operation) in edits {
                let at = position % bytes.len().max(1);
                match operation {
                    0 if at < bytes.len() => bytes[at] = byte,
                    1 => bytes.insert(at.min(bytes.len()), byte),
                    _ if at < bytes.len() => {
                        bytes.remove(at);
                    }
                    _ => {}
                }
            }
            everything(&bytes, 97);
        }

        #[test]
        fn value_mutated_samples_never_panic(
            fixture in 0..FIXTURES.len(),
            steps in proptest::collection::vec(any::<usize>(), 0..6),
            choice in any::<u8>(),
        ) {
            let (adapter, text) = FIXTURES[fixture];
            if let Some(mutated) = mutate_values(adapter, text, &steps, choice) {
                everything(mutated.as_bytes(), 4096);
                // Below the top level, an odd value is an object's problem. (YAML refuses some
                // characters JSON leaves unescaped, so OpenSLO is left out of this check.)
                if adapter != Adapter::OpenSlo && steps.len() >= 2 {
                    let converted = convert(adapter, mutated.as_bytes(), &AdapterOptions::default(), &known());
                    prop_assert!(converted.is_ok(), "an odd value is a row problem, not a format error: {converted:?}");
                }
            }
        }
    }
}
