//! PagerDuty incident exports into native incidents: the Analytics raw-incidents JSON
//! (`{"data": […], …}` or a bare array) or a CSV export, told apart by the first character.
//!
//! Mapping, one native row per incident:
//! - `external_id` = `id`; `title` = `description`, else `title`, else `Incident #N` from
//!   `incident_number`.
//! - `severity` from `priority_name` through `severity_map`, else the defaults P1 → SEV1,
//!   P2 → SEV2, P3 → SEV3, P4 and P5 → SEV4; another priority is a row error. Without a
//!   priority (many accounts have none): `major: true` → SEV1, else urgency high → SEV2 and
//!   low → SEV3, because a major incident and a high-urgency page are PagerDuty's own signals of
//!   how bad it is.
//! - `services` = the one service named by `service_name` (service matching, parent module).
//! - `started_at` = `detected_at` = `created_at` (PagerDuty learns of an incident when it opens
//!   it); `acknowledged_at` = `created_at` + `seconds_to_first_ack` when present.
//! - `resolved_at` = `resolved_at`, else `created_at` + `seconds_to_resolve`; `mitigated_at` =
//!   `resolved_at`, since PagerDuty records no separate mitigation (noted).
//! - `status` resolved when resolved, else open. `customer_impacting` is not set: PagerDuty
//!   does not record it (noted).
//! - Timestamps may carry any offset and are written in UTC. The Analytics response gives them
//!   without an offset and names their zone once, in its top-level `time_zone`
//!   (`"Etc/UTC"`): such timestamps are read in that zone (a local time the zone skips or
//!   repeats is a row error). Without a `time_zone`, the `time_zone` option given on import is
//!   used (CSV exports name no zone); without either, a timestamp needs an offset. Seconds may be fractional; a
//!   negative or absurd (over ten years) duration is a row error.
//! - Other fields (`urgency` when a priority is set, `team_name`, `escalation_policy_name`, …)
//!   are ignored and listed in one note.
//!
//! **As alerts** (`POST /api/v1/alerts?format=pagerduty`, `plumbline import --kind alerts`), one
//! alert per incident: `external_id` = `id`; `rule` = `title`, else `description`, else
//! `Incident #N`; `service` from `service_name`; `fired_at` = `created_at`; `acknowledged_at` and
//! `resolved_at` as for incidents; `paged` when `total_interruptions` (else the sum of the
//! business-, off- and sleep-hour ones) is above 0, else (no counts) when urgency is high; `urgency`; `escalations` = `escalation_count`; `auto_resolved`; and in
//! `labels` the four interruption counts (total, business-hour, off-hour, sleep-hour), the
//! priority, the escalation policy and `major`. No disposition is sent, so a re-import never
//! undoes a triage.
//!
//! CSV: each field above is read from a column found by header, ignoring case, spaces,
//! underscores and punctuation: its JSON name or a common export header (see [`FIELDS`]);
//! `column_map` (adapter field → header) overrides. A missing `id`, `service_name`,
//! `created_at` or title column (`description` or `title`) is a [`FormatError`] naming the
//! `column_map` option. Rows are the CSV data rows, numbered from 1.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value, json};

use super::{
    Context, Converted, DecodedRow, FormatError, IgnoredFields, ObjectReader, Place, RawRow, RowError, format_error,
    format_instant, item_path, parse_json, type_name, unmapped_service,
};
use crate::domain::ingest::{BodyFormat, Cell, Decoder, RecordKind};
use crate::domain::records::Severity;

/// The adapter fields: the JSON name, then the CSV headers accepted by default.
const FIELDS: [(&str, &[&str]); 19] = [
    ("id", &["Incident ID", "ID"]),
    ("incident_number", &["Incident Number", "#", "Number"]),
    ("description", &["Description"]),
    ("title", &["Title"]),
    ("service_name", &["Service Name", "Service"]),
    ("priority_name", &["Priority Name", "Priority"]),
    ("urgency", &["Urgency"]),
    ("major", &["Major"]),
    ("created_at", &["Created At", "Created On", "Opened At"]),
    ("resolved_at", &["Resolved At", "Resolved On"]),
    ("seconds_to_first_ack", &["Seconds To First Ack", "Time to First Ack (s)"]),
    ("seconds_to_resolve", &["Seconds To Resolve", "Time to Resolve (s)"]),
    // Read when importing as alerts: who was interrupted, when, and how it ended.
    ("total_interruptions", &["Total Interruptions", "Interruptions"]),
    ("business_hour_interruptions", &["Business Hour Interruptions"]),
    ("off_hour_interruptions", &["Off Hour Interruptions"]),
    ("sleep_hour_interruptions", &["Sleep Hour Interruptions"]),
    ("escalation_count", &["Escalation Count", "Escalations"]),
    ("auto_resolved", &["Auto Resolved"]),
    ("escalation_policy_name", &["Escalation Policy Name", "Escalation Policy"]),
];
/// How many of [`FIELDS`] an incident reads (the rest are read for alerts only).
const INCIDENT_FIELDS: usize = 12;
/// The interruption counts kept in an alert's labels.
const INTERRUPTIONS: [&str; 4] =
    ["total_interruptions", "business_hour_interruptions", "off_hour_interruptions", "sleep_hour_interruptions"];
const PRIORITY_SEVERITY: [(&str, Severity); 5] = [
    ("P1", Severity::Sev1),
    ("P2", Severity::Sev2),
    ("P3", Severity::Sev3),
    ("P4", Severity::Sev4),
    ("P5", Severity::Sev4),
];
/// Normalised headers only PagerDuty exports tend to have, for [`looks_like_csv_header`].
const TELLING_HEADERS: [&str; 10] = [
    "incidentnumber",
    "servicename",
    "priorityname",
    "urgency",
    "secondstofirstack",
    "timetofirstacks",
    "secondstoresolve",
    "escalationpolicy",
    "escalationpolicyname",
    "createdon",
];
/// Ten years: longer durations are data errors, and bounding them keeps the arithmetic exact.
const MAX_SECONDS: f64 = 10.0 * 366.0 * 86_400.0;
const NOTE: &str = "PagerDuty records no mitigation time or customer impact: mitigated_at is set to resolved_at \
                    and customer_impacting is left unset (false)";
const ALERT_NOTE: &str = "each PagerDuty incident is one alert: rule = title (else description), paged = any \
                          interruption (else high urgency); the interruption counts, priority and escalation \
                          policy are kept in labels; disposition is left as it is (unreviewed when new)";

pub(super) fn is_field(name: &str) -> bool {
    FIELDS.iter().any(|(field, _)| field.eq_ignore_ascii_case(name.trim()))
}

pub(super) fn field_names() -> Vec<&'static str> {
    FIELDS.iter().map(|(field, _)| *field).collect()
}

/// Whether a CSV header line has at least two columns only PagerDuty exports tend to have.
pub(super) fn looks_like_csv_header(line: &str) -> bool {
    line.split(',').filter(|name| TELLING_HEADERS.contains(&normalise(name.trim_matches([' ', '"'])).as_str())).count()
        >= 2
}

/// A header without case, spaces, underscores or punctuation; `#` stays itself.
fn normalise(header: &str) -> String {
    let folded: String = header.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    if folded.is_empty() { header.trim().to_owned() } else { folded }
}

pub(super) fn convert(bytes: &[u8], context: &Context) -> Result<Converted, FormatError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{' | b'[') => convert_json(bytes, context),
        _ => convert_csv(bytes, context),
    }
}

/// The response's top-level `time_zone` (Analytics gives timestamps without an offset and names
/// their zone once).
fn time_zone(document: &Value) -> Result<Option<chrono_tz::Tz>, FormatError> {
    match document.get("time_zone") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) => name
            .trim()
            .parse::<chrono_tz::Tz>()
            .map(Some)
            .map_err(|_| format_error(format!("$.time_zone: '{name}' is not an IANA time zone (e.g. Etc/UTC)"))),
        Some(other) => Err(format_error(format!("$.time_zone must be a time zone name, got {}", type_name(other)))),
    }
}

fn convert_json(bytes: &[u8], context: &Context) -> Result<Converted, FormatError> {
    let document = parse_json(bytes)?;
    let mut notes = Vec::new();
    let zone = time_zone(&document)?;
    if let Some(zone) = zone {
        notes.push(format!("timestamps without a UTC offset are read in {zone}, the export's time_zone"));
    } else if let Some(zone) = context.options.time_zone {
        notes.push(format!("timestamps without a UTC offset are read in {zone}, the time_zone given on import"));
    }
    let zone = zone.or(context.options.time_zone);
    let (array, items) = match &document {
        Value::Array(items) => ("", items),
        Value::Object(top) => match top.get("data") {
            Some(Value::Array(items)) => {
                let others: Vec<&str> =
                    top.keys().map(String::as_str).filter(|k| *k != "data" && *k != "time_zone").collect();
                if !others.is_empty() {
                    notes.push(format!("ignored top-level fields: {}", others.join(", ")));
                }
                ("data", items)
            }
            Some(other) => {
                return Err(format_error(format!("$.data must be an array of incidents, got {}", type_name(other))));
            }
            None if top.contains_key("incidents") => {
                return Err(format_error(
                    "$: this is the REST API's {\"incidents\": […]}; export Analytics raw incidents \
                     ({\"data\": […]}) or a CSV instead",
                ));
            }
            None => {
                return Err(format_error(
                    "$: expected PagerDuty Analytics raw incidents ({\"data\": […]}) or an array of incidents, \
                     but the object has no \"data\" member",
                ));
            }
        },
        other => {
            return Err(format_error(format!(
                "$: expected an object with a \"data\" array or an array of incidents, got {}",
                type_name(other)
            )));
        }
    };
    let mut ignored = IgnoredFields::new(("incident", "incidents"));
    let mut rows = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let number = index as u64 + 1;
        let path = item_path(array, index);
        let Value::Object(fields) = item else {
            let message = format!("must be an incident object, got {}", type_name(item));
            rows.push(Err(RowError { row: Some(number), field: Some(path), message }));
            continue;
        };
        ignored.object(fields.keys().filter(|k| !is_json_field(k, context)).cloned().collect());
        rows.push(record(number, ObjectReader::new(fields, Place::Json(path)).in_zone(zone), context));
    }
    notes.extend(ignored.note());
    if !rows.is_empty() {
        notes.push(note(context).to_owned());
    }
    Ok(Converted { services: Vec::new(), rows, notes })
}

/// The fields read for the kind being written.
fn fields_read(context: &Context) -> &'static [(&'static str, &'static [&'static str])] {
    if context.target == RecordKind::Alerts { &FIELDS } else { &FIELDS[..INCIDENT_FIELDS] }
}

fn is_json_field(key: &str, context: &Context) -> bool {
    fields_read(context).iter().any(|(field, _)| *field == key)
}

fn convert_csv(bytes: &[u8], context: &Context) -> Result<Converted, FormatError> {
    let mut decoder = Decoder::new(BodyFormat::Csv);
    let mut decoded = Vec::new();
    let csv_error = |e: FormatError| format_error(format!("CSV: {}", e.message));
    decoder.push(bytes, &mut decoded).map_err(csv_error)?;
    decoder.finish(&mut decoded).map_err(csv_error)?;
    let header = decoder.columns().map(<[String]>::to_vec).unwrap_or_default();
    let columns = locate_columns(&header, &context.options.column_map, fields_read(context))?;
    let mut notes = Vec::new();
    let unused: Vec<&str> =
        header.iter().filter(|h| !columns.iter().any(|(_, used)| used == *h)).map(String::as_str).collect();
    if !unused.is_empty() {
        notes.push(format!("ignored columns: {}", unused.join(", ")));
    }
    if let Some(zone) = context.options.time_zone {
        notes.push(format!("timestamps without a UTC offset are read in {zone}, the time_zone given on import"));
    }
    let rows: Vec<DecodedRow> = decoded
        .into_iter()
        .map(|row| {
            let row = row?;
            let mut fields = Map::new();
            for (field, column) in &columns {
                let cell = row.cells.iter().find(|(name, _)| name == column).map(|(_, cell)| cell);
                if let Some(Cell::Text(text)) = cell {
                    fields.insert((*field).to_owned(), Value::String(text.clone()));
                }
            }
            record(
                row.number,
                ObjectReader::new(&fields, Place::Csv(&columns)).in_zone(context.options.time_zone),
                context,
            )
        })
        .collect();
    if !rows.is_empty() {
        notes.push(note(context).to_owned());
    }
    Ok(Converted { services: Vec::new(), rows, notes })
}

/// The note on what PagerDuty does not record, for the kind being written.
fn note(context: &Context) -> &'static str {
    if context.target == RecordKind::Alerts { ALERT_NOTE } else { NOTE }
}

/// One source incident as the kind being written.
fn record(number: u64, r: ObjectReader, context: &Context) -> DecodedRow {
    if context.target == RecordKind::Alerts { alert(number, r, context) } else { incident(number, r, context) }
}

/// A PagerDuty incident as an alert (a page): see the module docs.
fn alert(number: u64, mut r: ObjectReader, context: &Context) -> DecodedRow {
    let mut row = RawRow::new(number);
    let mut put = |name: &str, value: Value| row.cells.push((name.to_owned(), Cell::Json(value)));
    if let Some(id) = r.required_text("id", "every incident needs its PagerDuty id") {
        put("external_id", json!(id));
    }
    let rule = r
        .text("title")
        .or_else(|| r.text("description"))
        .or_else(|| r.text("incident_number").map(|n| format!("Incident #{n}")));
    match rule {
        Some(rule) => put("rule", json!(rule)),
        None if ["description", "title", "incident_number"].iter().all(|k| !r.problems.has(&r.path(k))) => {
            r.fail("title", "is missing, and so are description and incident_number: what paged?");
        }
        None => {}
    }
    if let Some(name) = r.required_text("service_name", "the incident's service is found by its name") {
        match context.service_slug(&name) {
            Ok(Some(slug)) => put("service", json!(slug)),
            Ok(None) => r.fail("service_name", unmapped_service(&name)),
            Err(ambiguous) => r.fail("service_name", ambiguous),
        }
    }
    let created = if r.value("created_at").is_none() {
        r.fail("created_at", "is missing: when was the incident opened?");
        None
    } else {
        r.instant("created_at")
    };
    let acknowledged = seconds_after(&mut r, created, "seconds_to_first_ack");
    let resolved = match r.value("resolved_at") {
        Some(_) => r.instant("resolved_at"),
        None => seconds_after(&mut r, created, "seconds_to_resolve"),
    };
    for (name, instant) in [("fired_at", created), ("acknowledged_at", acknowledged), ("resolved_at", resolved)] {
        if let Some(instant) = instant {
            put(name, json!(format_instant(instant)));
        }
    }
    // PagerDuty counts the notifications a person received: any interruption is a page; without
    // the counts, a high-urgency incident paged and a low-urgency one did not.
    let mut labels = Map::new();
    let (mut total, mut parts) = (None, None::<f64>);
    for key in INTERRUPTIONS {
        if let Some(count) = r.number(key) {
            if count < 0.0 {
                r.fail(key, format!("must not be negative, got {count}"));
                continue;
            }
            labels.insert(key.to_owned(), json!(format!("{count}")));
            if key == "total_interruptions" {
                total = Some(count);
            } else {
                parts = Some(parts.unwrap_or(0.0) + count);
            }
        }
    }
    let urgency = r.text("urgency").map(|u| u.to_ascii_lowercase());
    let paged = match total.or(parts) {
        Some(count) => count > 0.0,
        None => urgency.as_deref() == Some("high"),
    };
    put("paged", json!(paged));
    if let Some(urgency) = &urgency {
        put("urgency", json!(urgency));
    }
    if let Some(count) = r.number("escalation_count") {
        if count < 0.0 || count.fract() != 0.0 {
            r.fail("escalation_count", format!("must be a whole number ≥ 0, got {count}"));
        } else {
            put("escalations", json!(count as i64));
        }
    }
    if let Some(auto) = r.flag("auto_resolved") {
        put("auto_resolved", json!(auto));
    }
    for key in ["priority_name", "escalation_policy_name"] {
        if let Some(text) = r.text(key) {
            labels.insert(key.to_owned(), json!(text));
        }
    }
    if r.flag("major") == Some(true) {
        labels.insert("major".to_owned(), json!("true"));
    }
    if !labels.is_empty() {
        put("labels", Value::Object(labels));
    }
    r.problems.finish(row)
}

/// The column of each adapter field the header has: `column_map` first, then the defaults.
fn locate_columns(
    header: &[String],
    column_map: &[(String, String)],
    fields: &[(&'static str, &'static [&'static str])],
) -> Result<Vec<(&'static str, String)>, FormatError> {
    let find = |wanted: &str| {
        let wanted = wanted.trim();
        (header.iter().find(|h| h.as_str() == wanted))
            .or_else(|| header.iter().find(|h| normalise(h) == normalise(wanted)))
            .cloned()
    };
    let mut columns = Vec::new();
    for &(field, defaults) in fields {
        let column = match column_map.iter().find(|(key, _)| key.trim().eq_ignore_ascii_case(field)) {
            Some((_, wanted)) => Some(find(wanted).ok_or_else(|| {
                format_error(format!(
                    "column_map maps {field} to '{wanted}', but the CSV has no such column (columns: {})",
                    header.join(", ")
                ))
            })?),
            None => std::iter::once(field).chain(defaults.iter().copied()).find_map(find),
        };
        if let Some(column) = column {
            columns.push((field, column));
        }
    }
    let has = |field: &str| columns.iter().any(|(f, _)| *f == field);
    for (field, present) in [
        ("id", has("id")),
        ("description", has("description") || has("title")),
        ("service_name", has("service_name")),
        ("created_at", has("created_at")),
    ] {
        if !present {
            let looked: Vec<&str> = FIELDS
                .iter()
                .filter(|(f, _)| *f == field || (field == "description" && *f == "title"))
                .flat_map(|(f, defaults)| std::iter::once(*f).chain(defaults.iter().copied()))
                .collect();
            return Err(format_error(format!(
                "CSV: no {field} column (looked for {}); name yours with column_map={field}=HEADER (columns: {})",
                looked.join(", "),
                header.join(", ")
            )));
        }
    }
    Ok(columns)
}

fn incident(number: u64, mut r: ObjectReader, context: &Context) -> DecodedRow {
    let mut row = RawRow::new(number);
    let mut put = |name: &str, value: Value| row.cells.push((name.to_owned(), Cell::Json(value)));
    if let Some(id) = r.required_text("id", "every incident needs its PagerDuty id") {
        put("external_id", json!(id));
    }
    let title = r
        .text("description")
        .or_else(|| r.text("title"))
        .or_else(|| r.text("incident_number").map(|n| format!("Incident #{n}")));
    match title {
        Some(title) => put("title", json!(title)),
        None if ["description", "title", "incident_number"].iter().all(|k| !r.problems.has(&r.path(k))) => {
            r.fail("description", "is missing, and so are title and incident_number: what is the incident called?");
        }
        None => {}
    }
    if let Some(severity) = severity(&mut r, context) {
        put("severity", json!(severity.as_str()));
    }
    if let Some(name) = r.required_text("service_name", "the incident's service is found by its name") {
        match context.service_slug(&name) {
            Ok(Some(slug)) => put("services", json!([slug])),
            Ok(None) => r.fail("service_name", unmapped_service(&name)),
            Err(ambiguous) => r.fail("service_name", ambiguous),
        }
    }
    let created = if r.value("created_at").is_none() {
        r.fail("created_at", "is missing: when was the incident opened?");
        None
    } else {
        r.instant("created_at")
    };
    let acknowledged = seconds_after(&mut r, created, "seconds_to_first_ack");
    let resolved = match r.value("resolved_at") {
        Some(_) => r.instant("resolved_at"),
        None => seconds_after(&mut r, created, "seconds_to_resolve"),
    };
    let times = [
        ("started_at", created),
        ("detected_at", created),
        ("acknowledged_at", acknowledged),
        ("mitigated_at", resolved),
        ("resolved_at", resolved),
    ];
    for (name, instant) in times {
        if let Some(instant) = instant {
            put(name, json!(format_instant(instant)));
        }
    }
    put("status", json!(if resolved.is_some() { "resolved" } else { "open" }));
    r.problems.finish(row)
}

fn severity(r: &mut ObjectReader, context: &Context) -> Option<Severity> {
    if let Some(priority) = r.text("priority_name") {
        let severity = context.severity(&priority, &PRIORITY_SEVERITY);
        if severity.is_none() {
            r.fail(
                "priority_name",
                format!(
                    "priority '{priority}' has no severity: add severity_map={priority}=SEVn \
                     (defaults: P1→SEV1, P2→SEV2, P3→SEV3, P4 and P5→SEV4)"
                ),
            );
        }
        return severity;
    }
    if r.flag("major") == Some(true) {
        return Some(Severity::Sev1);
    }
    match r.text("urgency").map(|u| u.to_ascii_lowercase()).as_deref() {
        Some("high") => Some(Severity::Sev2),
        Some("low") => Some(Severity::Sev3),
        Some(other) => {
            r.fail(
                "urgency",
                format!("'{other}' is neither high nor low, and there is no priority to read the severity from"),
            );
            None
        }
        None => {
            r.fail("priority_name", "is missing, and so are major and urgency: the severity cannot be told");
            None
        }
    }
}

/// `start` plus the seconds in `key`, when both are known.
fn seconds_after(r: &mut ObjectReader, start: Option<DateTime<Utc>>, key: &str) -> Option<DateTime<Utc>> {
    let seconds = r.number(key)?;
    if seconds < 0.0 {
        r.fail(key, format!("must not be negative, got {seconds}"));
        return None;
    }
    if seconds > MAX_SECONDS {
        r.fail(key, "is more than ten years: is it really in seconds?");
        return None;
    }
    // Bounded above, so the cast is exact to the millisecond.
    let delta = TimeDelta::try_milliseconds((seconds * 1000.0).round() as i64)?;
    let instant = start?.checked_add_signed(delta);
    if instant.is_none() {
        r.fail(key, "points past the last representable time");
    }
    instant
}
