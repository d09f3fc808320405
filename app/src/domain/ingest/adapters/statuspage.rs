//! Atlassian Statuspage incidents, as `GET /api/v2/incidents.json` returns them
//! (`{"page": {…}, "incidents": […]}`) or as a bare array of incidents, into native incidents.
//!
//! Mapping, one native row per incident:
//! - `external_id` = `id`; `title` = `name`.
//! - `severity` from `impact` through `severity_map`, else the defaults critical → SEV1,
//!   major → SEV2, minor → SEV3, none → SEV4. Another impact is a row error.
//! - A scheduled maintenance (impact `maintenance`, or status `scheduled`, `in_progress`,
//!   `verifying`, `completed`) is not an incident: a row error, unless `severity_map` has a
//!   `maintenance` key, whose severity it then gets.
//! - `services` from `components[].name` (service matching, see the parent module). An
//!   incident without components is a row error: nothing says which service was affected.
//! - `started_at` = `started_at`, else `created_at`; `detected_at` = `created_at` (the incident
//!   was posted then), or `started_at` when `created_at` is earlier (a posted incident cannot
//!   be detected before it started); `mitigated_at` = `monitoring_at`, else `resolved_at`;
//!   `resolved_at` = `resolved_at`.
//! - `customer_impacting` = impact is not `none` (a status page is customer-facing).
//! - `status`: investigating, identified, monitoring, resolved → the same; postmortem →
//!   resolved; for mapped maintenances scheduled and in_progress → open, verifying →
//!   monitoring, completed → resolved. Another status is a row error; none → left to the
//!   native default (from the timestamps).
//! - `timeline` = `incident_updates` as `{"at", "status", "body"}`, oldest first, `at` being
//!   `display_at` (the time shown on the page), else `created_at`.
//! - Every other field (`shortlink`, `page_id`, `updated_at`, `postmortem_body`, components'
//!   other fields, updates' `affected_components`, …) is ignored and listed in one note.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::{
    Context, Converted, DecodedRow, FormatError, IgnoredFields, ObjectReader, Place, RawRow, RowError, format_error,
    format_instant, item_path, parse_instant, parse_json, type_name, unmapped_service,
};
use crate::domain::ingest::Cell;
use crate::domain::records::Severity;

const IMPACT_SEVERITY: [(&str, Severity); 4] =
    [("critical", Severity::Sev1), ("major", Severity::Sev2), ("minor", Severity::Sev3), ("none", Severity::Sev4)];
const MAINTENANCE_STATUSES: [&str; 4] = ["scheduled", "in_progress", "verifying", "completed"];
const INCIDENT_FIELDS: [&str; 10] = [
    "id",
    "name",
    "impact",
    "status",
    "components",
    "started_at",
    "created_at",
    "monitoring_at",
    "resolved_at",
    "incident_updates",
];
const UPDATE_FIELDS: [&str; 4] = ["display_at", "created_at", "status", "body"];

pub(super) fn convert(bytes: &[u8], context: &Context) -> Result<Converted, FormatError> {
    let document = parse_json(bytes)?;
    let mut notes = Vec::new();
    let (array, items) = match &document {
        Value::Array(items) => ("", items),
        Value::Object(top) => match top.get("incidents") {
            Some(Value::Array(items)) => {
                let others: Vec<&str> = top.keys().map(String::as_str).filter(|k| *k != "incidents").collect();
                if !others.is_empty() {
                    notes.push(format!("ignored top-level fields: {}", others.join(", ")));
                }
                ("incidents", items)
            }
            Some(other) => {
                return Err(format_error(format!(
                    "$.incidents must be an array of incidents, got {}",
                    type_name(other)
                )));
            }
            None => {
                return Err(format_error(
                    "$: expected Statuspage's {\"incidents\": […]} (as /api/v2/incidents.json returns it) or an \
                     array of incidents, but the object has no \"incidents\" member",
                ));
            }
        },
        other => {
            return Err(format_error(format!(
                "$: expected an object with an \"incidents\" array or an array of incidents, got {}",
                type_name(other)
            )));
        }
    };
    let mut ignored = IgnoredFields::new(("incident", "incidents"));
    let rows = items
        .iter()
        .enumerate()
        .map(|(index, item)| incident(index, item_path(array, index), item, context, &mut ignored))
        .collect();
    notes.extend(ignored.note());
    Ok(Converted { services: Vec::new(), rows, notes })
}

fn incident(index: usize, path: String, item: &Value, context: &Context, ignored: &mut IgnoredFields) -> DecodedRow {
    let number = index as u64 + 1;
    let Value::Object(fields) = item else {
        let message = format!("must be an incident object, got {}", type_name(item));
        return Err(RowError { row: Some(number), field: Some(path), message });
    };
    ignored.object(unused_fields(fields));
    let mut r = ObjectReader::new(fields, Place::Json(path));
    let mut row = RawRow::new(number);
    let mut put = |name: &str, value: Value| row.cells.push((name.to_owned(), Cell::Json(value)));

    if let Some(id) = r.required_text("id", "every incident needs its Statuspage id") {
        put("external_id", json!(id));
    }
    if let Some(title) = r.required_text("name", "every incident needs a title") {
        put("title", json!(title));
    }
    let impact = r.text("impact").map(|i| i.to_ascii_lowercase());
    let status = r.text("status").map(|s| s.to_ascii_lowercase());
    let maintenance = impact.as_deref() == Some("maintenance")
        || status.as_deref().is_some_and(|s| MAINTENANCE_STATUSES.contains(&s));
    if let Some(severity) = severity(&mut r, context, impact.as_deref(), maintenance) {
        put("severity", json!(severity.as_str()));
    }
    if let Some(services) = services(&mut r, context) {
        put("services", json!(services));
    }

    let created = r.instant("created_at");
    let started = r.instant("started_at").or(created);
    if started.is_none() && !r.problems.has(&r.path("created_at")) && !r.problems.has(&r.path("started_at")) {
        r.fail("created_at", "is missing, and so is started_at: when did the incident start?");
    }
    let detected = match (created, started) {
        (Some(created), Some(started)) => Some(created.max(started)),
        _ => None,
    };
    let resolved = r.instant("resolved_at");
    let mitigated = r.instant("monitoring_at").or(resolved);
    for (name, instant) in
        [("started_at", started), ("detected_at", detected), ("mitigated_at", mitigated), ("resolved_at", resolved)]
    {
        if let Some(instant) = instant {
            put(name, json!(format_instant(instant)));
        }
    }
    if let Some(impact) = &impact {
        put("customer_impacting", json!(impact != "none"));
    }
    if let Some(status) = status.as_deref().and_then(|s| native_status(&mut r, s, maintenance)) {
        put("status", json!(status));
    }
    let timeline = timeline(&mut r);
    if !timeline.is_empty() {
        put("timeline", Value::Array(timeline));
    }
    r.problems.finish(row)
}

fn severity(r: &mut ObjectReader, context: &Context, impact: Option<&str>, maintenance: bool) -> Option<Severity> {
    if maintenance {
        let mapped = context.mapped_severity("maintenance");
        if mapped.is_none() {
            let field = if impact == Some("maintenance") { "impact" } else { "status" };
            r.fail(
                field,
                "is a scheduled maintenance, which is not an incident: remove it from the file, or import \
                 maintenances as incidents with severity_map=maintenance=SEVn",
            );
        }
        return mapped;
    }
    let Some(impact) = impact else {
        if !r.problems.has(&r.path("impact")) {
            r.fail("impact", "is missing: the severity is read from it (critical, major, minor or none)");
        }
        return None;
    };
    let severity = context.severity(impact, &IMPACT_SEVERITY);
    if severity.is_none() {
        r.fail(
            "impact",
            format!("'{impact}' has no severity: add severity_map={impact}=SEVn (known: critical, major, minor, none)"),
        );
    }
    severity
}

/// The affected services' slugs, from the components' names.
fn services(r: &mut ObjectReader, context: &Context) -> Option<Vec<String>> {
    let no_components = "lists no components, so nothing says which service was affected: add the affected \
                         components to the incident in Statuspage, or import it as a native incident";
    let components = match r.fields.get("components") {
        None | Some(Value::Null) => {
            r.fail("components", no_components);
            return None;
        }
        Some(Value::Array(components)) if components.is_empty() => {
            r.fail("components", no_components);
            return None;
        }
        Some(Value::Array(components)) => components,
        Some(other) => {
            r.fail("components", format!("must be an array of components, got {}", type_name(other)));
            return None;
        }
    };
    let mut slugs: Vec<String> = Vec::new();
    let mut complete = true;
    for (index, component) in components.iter().enumerate() {
        let key = format!("components[{index}].name");
        match component.get("name") {
            Some(Value::String(name)) if !name.trim().is_empty() => match context.service_slug(name) {
                Ok(Some(slug)) if !slugs.contains(&slug) => slugs.push(slug),
                Ok(Some(_)) => {}
                Ok(None) => {
                    r.fail(&key, unmapped_service(name.trim()));
                    complete = false;
                }
                Err(ambiguous) => {
                    r.fail(&key, ambiguous);
                    complete = false;
                }
            },
            _ => {
                r.fail(&key, "is missing: a component is matched to a service by its name");
                complete = false;
            }
        }
    }
    complete.then_some(slugs)
}

fn native_status(r: &mut ObjectReader, status: &str, maintenance: bool) -> Option<&'static str> {
    let native = match status {
        "investigating" => "investigating",
        "identified" => "identified",
        "monitoring" => "monitoring",
        "resolved" | "postmortem" => "resolved",
        "scheduled" | "in_progress" if maintenance => "open",
        "verifying" if maintenance => "monitoring",
        "completed" if maintenance => "resolved",
        // Maintenance statuses without a mapping are already reported by `severity`.
        _ if MAINTENANCE_STATUSES.contains(&status) => return None,
        other => {
            r.fail(
                "status",
                format!(
                    "'{other}' is not a Statuspage incident status \
                     (investigating, identified, monitoring, resolved, postmortem)"
                ),
            );
            return None;
        }
    };
    Some(native)
}

/// The incident's updates, oldest first, as native timeline entries.
fn timeline(r: &mut ObjectReader) -> Vec<Value> {
    let updates = match r.fields.get("incident_updates") {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(updates)) => updates,
        Some(other) => {
            r.fail("incident_updates", format!("must be an array of updates, got {}", type_name(other)));
            return Vec::new();
        }
    };
    let mut entries = Vec::new();
    for (index, update) in updates.iter().enumerate() {
        let path = format!("incident_updates[{index}]");
        let Value::Object(update) = update else {
            r.fail(&path, format!("must be an update object, got {}", type_name(update)));
            continue;
        };
        let text = |key: &str| update.get(key).and_then(Value::as_str).map(str::trim).filter(|t| !t.is_empty());
        let (at_key, at) = match (text("display_at"), text("created_at")) {
            (Some(at), _) => ("display_at", at),
            (None, Some(at)) => ("created_at", at),
            (None, None) => {
                r.fail(&path, "has neither display_at nor created_at: when was it posted?");
                continue;
            }
        };
        match parse_instant(at) {
            Ok(at) => entries.push((at, text("status").unwrap_or_default(), text("body").unwrap_or_default())),
            Err(message) => r.fail(&format!("{path}.{at_key}"), message),
        }
    }
    // Statuspage lists updates newest first; a stable sort keeps same-time updates in order.
    entries.sort_by_key(|(at, _, _)| *at);
    entries
        .into_iter()
        .map(|(at, status, body)| json!({"at": format_instant(at), "status": status, "body": body}))
        .collect()
}

/// The incident's fields no rule reads, including those of its components and updates.
fn unused_fields(fields: &Map<String, Value>) -> BTreeSet<String> {
    let mut unused: BTreeSet<String> =
        fields.keys().filter(|k| !INCIDENT_FIELDS.contains(&k.as_str())).cloned().collect();
    let nested = [("components", &["name"][..]), ("incident_updates", &UPDATE_FIELDS[..])];
    for (array, used) in nested {
        let Some(Value::Array(items)) = fields.get(array) else { continue };
        for item in items.iter().filter_map(Value::as_object) {
            unused.extend(item.keys().filter(|k| !used.contains(&k.as_str())).map(|k| format!("{array}[].{k}")));
        }
    }
    unused
}
