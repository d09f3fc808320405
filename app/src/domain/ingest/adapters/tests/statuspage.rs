//! The Statuspage adapter.

use serde_json::{Value, json};

use super::*;

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
