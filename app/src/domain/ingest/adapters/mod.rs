//! Import adapters: files in formats teams already have, converted into the native ingestion
//! rows of docs/ingestion.md, so they take the same validation and write path as any other import.
//!
//! Pure: no IO and no clock. Each adapter reads a whole file and returns native rows; the
//! native readers (`IncidentInput`, `SloInput`, `ServiceInput`) still validate every row.
//!
//! Rules shared by every adapter (each adapter module documents its own mapping):
//! - **Honest**: a source value the native model cannot hold is a row error saying how to fix
//!   it, never silently changed; a source field no rule reads is listed in a note.
//! - **Service matching** (Statuspage component names, PagerDuty `service_name`, OpenSLO
//!   `spec.service`): `service_map` first (case-insensitive key), else the known service whose
//!   slug or name equals the text case-insensitively; otherwise a row error naming the text and
//!   the `service_map=NAME=SLUG` option (OpenSLO may instead create the service, see there).
//! - **Severity**: `severity_map` (case-insensitive key) first, then the adapter's defaults.
//! - **Errors**: a file that cannot be read as a whole (bad JSON/YAML/CSV, wrong top-level
//!   shape) is a [`FormatError`] giving the line and column or the JSON path; a problem with
//!   one source object is a [`RowError`] for that object (one per object, listing every
//!   problem), `field` being the source path such as `incidents[2].components[0].name`.
//! - **Timestamps** are written as RFC 3339 UTC with at most microsecond precision (what the
//!   database keeps). Input needs an explicit offset: RFC 3339, or the export variants
//!   `2026-07-01 12:00:00 +0200`, `2026-07-01 12:00:00+02:00` and `2026-07-01 12:00:00 UTC`.

mod budget;
mod formats;
mod openslo;
mod pagerduty;
mod statuspage;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, SecondsFormat, SubsecRound, Utc};
use serde_json::{Map, Value};

use super::fields::type_name;
use super::{DecodedRow, FormatError, RawRow, RecordKind, RowError};
use crate::domain::records::Severity;

pub use formats::{Adapter, AdapterOptions};

/// A service the database already has, for name matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownService {
    pub slug: String,
    pub name: String,
}

/// What an adapter made of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Converted {
    /// Native `services` rows to write first (OpenSLO services missing from the database,
    /// when a team is given).
    pub services: Vec<RawRow>,
    /// Native rows of `adapter.kind()`, numbered from 1 by source object (incident / SLO
    /// objective), or a problem with that object.
    pub rows: Vec<DecodedRow>,
    /// Notes for the user: ignored fields and documents, assumptions made.
    pub notes: Vec<String>,
}

/// Reads a whole file (see the module docs for what is a [`FormatError`] and what a row error).
pub fn convert(
    adapter: Adapter,
    bytes: &[u8],
    options: &AdapterOptions,
    services: &[KnownService],
) -> Result<Converted, FormatError> {
    let context = Context { options, services };
    match adapter {
        Adapter::OpenSlo => openslo::convert(bytes, &context),
        Adapter::Statuspage => statuspage::convert(bytes, &context),
        Adapter::PagerDuty => pagerduty::convert(bytes, &context),
    }
}

/// What every adapter needs besides the bytes.
struct Context<'a> {
    options: &'a AdapterOptions,
    services: &'a [KnownService],
}

impl Context<'_> {
    /// The severity the user mapped `value` to, if any.
    fn mapped_severity(&self, value: &str) -> Option<Severity> {
        let value = value.trim();
        self.options.severity_map.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(value)).map(|(_, s)| *s)
    }

    /// `value`'s severity: the user's map first, then `defaults`.
    fn severity(&self, value: &str, defaults: &[(&str, Severity)]) -> Option<Severity> {
        let value = value.trim();
        self.mapped_severity(value)
            .or_else(|| defaults.iter().find(|(k, _)| k.eq_ignore_ascii_case(value)).map(|(_, s)| *s))
    }

    /// The slug of the service `name` refers to: `service_map`, then a known slug or name;
    /// `Ok(None)` when nothing matches, and an error naming the candidates when several
    /// services do (a guess would file records under the wrong service).
    fn service_slug(&self, name: &str) -> Result<Option<String>, String> {
        let name = name.trim();
        let mapped = self.options.service_map.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(name));
        if let Some((_, slug)) = mapped {
            return Ok(Some(slug.trim().to_owned()));
        }
        let mut candidates: Vec<&str> = self
            .services
            .iter()
            .filter(|s| s.slug.eq_ignore_ascii_case(name) || s.name.trim().eq_ignore_ascii_case(name))
            .map(|s| s.slug.as_str())
            .collect();
        candidates.sort_unstable();
        candidates.dedup();
        match candidates.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some((*one).to_owned())),
            several => Err(format!(
                "'{name}' matches several services ({}) by slug or name: add service_map={name}=SLUG to choose",
                several.join(", ")
            )),
        }
    }
}

/// The message for a service name that matches nothing.
fn unmapped_service(name: &str) -> String {
    format!(
        "'{name}' is not a known service (by slug or name): add service_map={name}=SLUG to map it, \
         or create the service first"
    )
}

/// The problems of one source object, reported as one row error (a row carries one error).
#[derive(Debug, Default, Clone)]
struct Problems(Vec<(String, String)>);

impl Problems {
    fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    /// `row` when there were no problems, else one error on the first field listing them all.
    fn finish(self, row: RawRow) -> DecodedRow {
        match self.into_error(row.number, "") {
            Some(error) => Err(error),
            None => Ok(row),
        }
    }

    /// One error for row `number`. A non-empty `context` (where the object is, for sources
    /// without row-shaped paths) starts the message, followed by the field.
    fn into_error(self, number: u64, context: &str) -> Option<RowError> {
        let mut problems = self.0.into_iter();
        let (field, mut message) = problems.next()?;
        if !context.is_empty() {
            message.insert_str(0, &format!("{context}{field}: "));
        }
        for (other_field, other) in problems {
            message.push_str(&format!("; also {other_field}: {other}"));
        }
        Some(RowError { row: Some(number), field: Some(field), message })
    }
}

/// Counts, for each source field no rule reads, how many objects carried it, so the user is
/// told what was left out instead of it vanishing.
struct IgnoredFields {
    /// What one object is, and several (`incident`, `incidents`).
    noun: (&'static str, &'static str),
    objects: usize,
    counts: BTreeMap<String, usize>,
}

impl IgnoredFields {
    fn new(noun: (&'static str, &'static str)) -> Self {
        IgnoredFields { noun, objects: 0, counts: BTreeMap::new() }
    }

    /// Records one object and the names of its unused fields.
    fn object(&mut self, unused: BTreeSet<String>) {
        self.objects += 1;
        for name in unused {
            *self.counts.entry(name).or_default() += 1;
        }
    }

    /// `ignored fields: a, b (in all 4 incidents); c (in 1 of 4 incidents)`, most common first.
    fn note(&self) -> Option<String> {
        let mut by_count: BTreeMap<std::cmp::Reverse<usize>, Vec<&str>> = BTreeMap::new();
        for (name, count) in &self.counts {
            by_count.entry(std::cmp::Reverse(*count)).or_default().push(name);
        }
        let groups: Vec<String> = by_count
            .into_iter()
            .map(|(std::cmp::Reverse(count), names)| {
                let (names, (one, several), total) = (names.join(", "), self.noun, self.objects);
                match total {
                    1 => format!("{names} (in the one {one})"),
                    _ if count == total => format!("{names} (in all {total} {several})"),
                    _ => format!("{names} (in {count} of {total} {several})"),
                }
            })
            .collect();
        (!groups.is_empty()).then(|| format!("ignored fields: {}", groups.join("; ")))
    }
}

/// Where a source object's fields are, for the `field` of its errors.
enum Place<'a> {
    /// A JSON object at this path (`incidents[2]`; `[2]` in a bare array).
    Json(String),
    /// A CSV row: adapter field → the header it was read from.
    Csv(&'a [(&'static str, String)]),
}

/// Reads typed fields of one source object, collecting every problem instead of stopping.
struct ObjectReader<'a> {
    fields: &'a Map<String, Value>,
    place: Place<'a>,
    problems: Problems,
}

impl<'a> ObjectReader<'a> {
    fn new(fields: &'a Map<String, Value>, place: Place<'a>) -> Self {
        ObjectReader { fields, place, problems: Problems::default() }
    }

    fn path(&self, key: &str) -> String {
        match &self.place {
            Place::Json(prefix) if prefix.is_empty() => key.to_owned(),
            Place::Json(prefix) => format!("{prefix}.{key}"),
            Place::Csv(columns) => {
                columns.iter().find(|(field, _)| *field == key).map_or_else(|| key.to_owned(), |(_, h)| h.clone())
            }
        }
    }

    fn fail(&mut self, key: &str, message: impl Into<String>) {
        let path = self.path(key);
        self.problems.add(path, message);
    }

    /// The value of `key`, treating null and blank text as absent.
    fn value(&self, key: &str) -> Option<&'a Value> {
        self.fields.get(key).filter(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            _ => true,
        })
    }

    fn text(&mut self, key: &str) -> Option<String> {
        let value = self.value(key)?;
        match value {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            other => {
                self.fail(key, format!("must be text, got {}", type_name(other)));
                None
            }
        }
    }

    /// Text that must be present; `why` says what it is needed for.
    fn required_text(&mut self, key: &str, why: &str) -> Option<String> {
        if self.value(key).is_none() {
            self.fail(key, format!("is missing: {why}"));
            return None;
        }
        self.text(key)
    }

    fn instant(&mut self, key: &str) -> Option<DateTime<Utc>> {
        let text = self.text(key)?;
        match parse_instant(&text) {
            Ok(instant) => Some(instant),
            Err(message) => {
                self.fail(key, message);
                None
            }
        }
    }

    /// A finite number; numeric text is accepted (CSV cells, quoted JSON numbers).
    fn number(&mut self, key: &str) -> Option<f64> {
        let parsed = match self.value(key)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            other => {
                self.fail(key, format!("must be a number, got {}", type_name(other)));
                return None;
            }
        };
        match parsed.filter(|n| n.is_finite()) {
            Some(n) => Some(n),
            None => {
                self.fail(key, "must be a number");
                None
            }
        }
    }

    /// A boolean; true/false/yes/no/1/0 text is accepted.
    fn flag(&mut self, key: &str) -> Option<bool> {
        match self.value(key)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) if n.as_f64() == Some(1.0) => Some(true),
            Value::Number(n) if n.as_f64() == Some(0.0) => Some(false),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Some(true),
                "false" | "no" | "0" => Some(false),
                other => {
                    self.fail(key, format!("must be true or false, got '{other}'"));
                    None
                }
            },
            other => {
                self.fail(key, format!("must be true or false, got {}", type_name(other)));
                None
            }
        }
    }
}

fn format_error(message: impl Into<String>) -> FormatError {
    FormatError { message: message.into() }
}

/// Parses a whole JSON file (a UTF-8 byte-order mark is skipped); errors give line and column.
/// A file that would parse into more than its allowance (module `budget`) is refused first.
fn parse_json(bytes: &[u8]) -> Result<Value, FormatError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let invalid = |e: serde_json::Error| format_error(format!("invalid JSON: {e}"));
    let mut budget = budget::Budget::new(budget::allowance(bytes.len()));
    if let Err(error) = budget.check(&mut serde_json::Deserializer::from_slice(bytes)) {
        return Err(if budget.exceeded() {
            format_error(budget::exceeded_message(bytes.len()))
        } else {
            invalid(error)
        });
    }
    serde_json::from_slice(bytes).map_err(invalid)
}

/// The path of item `index` of an array at `array` (`incidents[2]`, or `[2]` at the top).
fn item_path(array: &str, index: usize) -> String {
    format!("{array}[{index}]")
}

/// An instant with an explicit offset: RFC 3339 or a common export variant (module docs).
fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f %z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M:%S%.f%z"] {
        if let Ok(instant) = DateTime::parse_from_str(text, format) {
            return Ok(instant.with_timezone(&Utc));
        }
    }
    let utc = text.strip_suffix(" UTC").or_else(|| text.strip_suffix(" utc"));
    if let Some(Ok(naive)) = utc.map(|t| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S%.f")) {
        return Ok(naive.and_utc());
    }
    Err(format!("'{text}' is not a timestamp with a UTC offset (e.g. 2026-07-01T12:00:00Z)"))
}

/// RFC 3339 in UTC at microsecond precision, the form the database keeps.
fn format_instant(instant: DateTime<Utc>) -> String {
    instant.trunc_subsecs(6).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `text` as a slug: lowercase ASCII letters and digits, other runs as one `-`.
fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}
