//! Reading source objects the way every adapter does: problems collected per object, fields no
//! rule reads, typed getters with source paths, instants and slugs.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDateTime, SecondsFormat, SubsecRound, Utc};
use serde_json::{Map, Value};

use super::super::fields::type_name;
use super::super::{DecodedRow, FormatError, RawRow, RowError};
use super::budget;

/// The problems of one source object, reported as one row error (a row carries one error).
#[derive(Debug, Default, Clone)]
pub(super) struct Problems(pub(super) Vec<(String, String)>);

impl Problems {
    pub(super) fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    pub(super) fn has(&self, field: &str) -> bool {
        self.0.iter().any(|(f, _)| f == field)
    }

    /// `row` when there were no problems, else one error on the first field listing them all.
    pub(super) fn finish(self, row: RawRow) -> DecodedRow {
        match self.into_error(row.number, "") {
            Some(error) => Err(error),
            None => Ok(row),
        }
    }

    /// One error for row `number`. A non-empty `context` (where the object is, for sources
    /// without row-shaped paths) starts the message, followed by the field.
    pub(super) fn into_error(self, number: u64, context: &str) -> Option<RowError> {
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
pub(super) struct IgnoredFields {
    /// What one object is, and several (`incident`, `incidents`).
    pub(super) noun: (&'static str, &'static str),
    pub(super) objects: usize,
    pub(super) counts: BTreeMap<String, usize>,
}

impl IgnoredFields {
    pub(super) fn new(noun: (&'static str, &'static str)) -> Self {
        IgnoredFields { noun, objects: 0, counts: BTreeMap::new() }
    }

    /// Records one object and the names of its unused fields.
    pub(super) fn object(&mut self, unused: BTreeSet<String>) {
        self.objects += 1;
        for name in unused {
            *self.counts.entry(name).or_default() += 1;
        }
    }

    /// `ignored fields: a, b (in all 4 incidents); c (in 1 of 4 incidents)`, most common first.
    pub(super) fn note(&self) -> Option<String> {
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
pub(super) enum Place<'a> {
    /// A JSON object at this path (`incidents[2]`; `[2]` in a bare array).
    Json(String),
    /// A CSV row: adapter field → the header it was read from.
    Csv(&'a [(&'static str, String)]),
}

/// Reads typed fields of one source object, collecting every problem instead of stopping.
pub(super) struct ObjectReader<'a> {
    pub(super) fields: &'a Map<String, Value>,
    pub(super) place: Place<'a>,
    pub(super) problems: Problems,
    /// The zone a timestamp without an offset is read in (the file names it); none: such a
    /// timestamp is a problem.
    pub(super) zone: Option<chrono_tz::Tz>,
}

impl<'a> ObjectReader<'a> {
    pub(super) fn new(fields: &'a Map<String, Value>, place: Place<'a>) -> Self {
        ObjectReader { fields, place, problems: Problems::default(), zone: None }
    }

    /// Reads timestamps without an offset in `zone`.
    pub(super) fn in_zone(self, zone: Option<chrono_tz::Tz>) -> Self {
        ObjectReader { zone, ..self }
    }

    pub(super) fn path(&self, key: &str) -> String {
        match &self.place {
            Place::Json(prefix) if prefix.is_empty() => key.to_owned(),
            Place::Json(prefix) => format!("{prefix}.{key}"),
            Place::Csv(columns) => {
                columns.iter().find(|(field, _)| *field == key).map_or_else(|| key.to_owned(), |(_, h)| h.clone())
            }
        }
    }

    pub(super) fn fail(&mut self, key: &str, message: impl Into<String>) {
        let path = self.path(key);
        self.problems.add(path, message);
    }

    /// The value of `key`, treating null and blank text as absent.
    pub(super) fn value(&self, key: &str) -> Option<&'a Value> {
        self.fields.get(key).filter(|v| match v {
            Value::Null => false,
            Value::String(s) => !s.trim().is_empty(),
            _ => true,
        })
    }

    pub(super) fn text(&mut self, key: &str) -> Option<String> {
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
    pub(super) fn required_text(&mut self, key: &str, why: &str) -> Option<String> {
        if self.value(key).is_none() {
            self.fail(key, format!("is missing: {why}"));
            return None;
        }
        self.text(key)
    }

    pub(super) fn instant(&mut self, key: &str) -> Option<DateTime<Utc>> {
        let text = self.text(key)?;
        match parse_instant_in(&text, self.zone) {
            Ok(instant) => Some(instant),
            Err(message) => {
                self.fail(key, message);
                None
            }
        }
    }

    /// A finite number; numeric text is accepted (CSV cells, quoted JSON numbers).
    pub(super) fn number(&mut self, key: &str) -> Option<f64> {
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
    pub(super) fn flag(&mut self, key: &str) -> Option<bool> {
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

pub(super) fn format_error(message: impl Into<String>) -> FormatError {
    FormatError { message: message.into() }
}

/// Parses a whole JSON file (a UTF-8 byte-order mark is skipped); errors give line and column.
/// A file that would parse into more than its allowance (module `budget`) is refused first.
pub(super) fn parse_json(bytes: &[u8]) -> Result<Value, FormatError> {
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
pub(super) fn item_path(array: &str, index: usize) -> String {
    format!("{array}[{index}]")
}

/// An instant with an explicit offset: RFC 3339 or a common export variant (module docs).
pub(super) fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
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

/// [`parse_instant`], and a timestamp without an offset read in `zone` when one is given. A
/// local time the zone skips (clocks going forward) or repeats (going back) is an error, never
/// a guess.
pub(super) fn parse_instant_in(text: &str, zone: Option<chrono_tz::Tz>) -> Result<DateTime<Utc>, String> {
    use chrono::TimeZone;
    let with_offset = parse_instant(text);
    let Some(zone) = zone else { return with_offset };
    if with_offset.is_ok() {
        return with_offset;
    }
    let text = text.trim();
    let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok());
    let Some(naive) = naive else { return with_offset };
    match zone.from_local_datetime(&naive) {
        chrono::LocalResult::Single(at) => Ok(at.with_timezone(&Utc)),
        chrono::LocalResult::Ambiguous(..) => {
            Err(format!("'{text}' happened twice in {zone} (clocks went back): give it with a UTC offset"))
        }
        chrono::LocalResult::None => {
            Err(format!("'{text}' did not happen in {zone} (clocks went forward): give it with a UTC offset"))
        }
    }
}

/// RFC 3339 in UTC at microsecond precision, the form the database keeps.
pub(super) fn format_instant(instant: DateTime<Utc>) -> String {
    instant.trunc_subsecs(6).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `text` as a slug: lowercase ASCII letters and digits, other runs as one `-`.
pub(super) fn slugify(text: &str) -> String {
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
