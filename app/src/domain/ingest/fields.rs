//! Raw rows and typed access to their cells, with the error messages users see.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde_json::Value;

use super::FieldError;

/// One cell as it arrived: JSON values keep their type; CSV cells are text, converted as the
/// contract says (empty = null, booleans as true/false/yes/no/1/0).
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Json(Value),
    Text(String),
}

/// One record of a request body, before validation.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RawRow {
    /// 1-based row number within the body.
    pub number: u64,
    pub cells: Vec<(String, Cell)>,
}

impl RawRow {
    pub fn new(number: u64) -> Self {
        RawRow { number, cells: Vec::new() }
    }

    pub fn with(mut self, name: &str, cell: Cell) -> Self {
        self.cells.push((name.to_owned(), cell));
        self
    }

    /// The cell for `name`, or `None` when absent or null/empty.
    fn get(&self, name: &str) -> Option<&Cell> {
        self.cells.iter().find(|(n, _)| n == name).map(|(_, c)| c).filter(|c| match c {
            Cell::Json(Value::Null) => false,
            Cell::Text(t) => !t.is_empty(),
            Cell::Json(_) => true,
        })
    }
}

/// Collects field errors while a record is read, so every problem is reported at once.
pub(super) struct FieldReader<'a> {
    row: &'a RawRow,
    pub errors: Vec<FieldError>,
}

const MAX_TEXT: usize = 2000;
/// Updates kept per incident, and characters per update.
const MAX_TIMELINE: usize = 1000;
const MAX_UPDATE_TEXT: usize = 20_000;
/// Most labels an alert may carry.
const MAX_LABELS: usize = 64;

fn timeline_entry(item: &Value) -> Result<crate::domain::records::TimelineEntry, String> {
    let Value::Object(fields) = item else {
        return Err(format!("must be an object, got {}", type_name(item)));
    };
    let text = |name: &str, limit: usize| -> Result<String, String> {
        match fields.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) if s.chars().count() > limit => {
                Err(format!("'{name}' is longer than {limit} characters"))
            }
            Some(Value::String(s)) if s.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') => {
                Err(format!("'{name}' contains control characters"))
            }
            Some(Value::String(s)) => Ok(s.trim().to_owned()),
            Some(other) => Err(format!("'{name}' must be a string, got {}", type_name(other))),
        }
    };
    let at = text("at", 100)?;
    let at = DateTime::parse_from_rfc3339(&at)
        .map_err(|_| format!("'at' must be an RFC 3339 timestamp with an offset, got '{at}'"))?
        .with_timezone(&Utc)
        .trunc_subsecs(6);
    Ok(crate::domain::records::TimelineEntry { at, status: text("status", 100)?, body: text("body", MAX_UPDATE_TEXT)? })
}

/// How error messages name a JSON value's type.
pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

impl<'a> FieldReader<'a> {
    pub fn new(row: &'a RawRow) -> Self {
        FieldReader { row, errors: Vec::new() }
    }

    pub fn fail(&mut self, field: &'static str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    fn missing(&mut self, field: &'static str) {
        self.fail(field, "is required");
    }

    /// Text of a cell that must be a string (JSON) or any text (CSV).
    fn raw_text(&mut self, field: &'static str) -> Option<String> {
        match self.row.get(field)? {
            Cell::Text(t) => Some(t.clone()),
            Cell::Json(Value::String(s)) => Some(s.clone()),
            Cell::Json(other) => {
                let found = type_name(other);
                self.fail(field, format!("must be a string, got {found}"));
                None
            }
        }
    }

    pub fn opt_text(&mut self, field: &'static str) -> Option<String> {
        let text = self.raw_text(field)?;
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        if text.chars().count() > MAX_TEXT {
            self.fail(field, format!("must be at most {MAX_TEXT} characters"));
            return None;
        }
        if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            self.fail(field, "must not contain control characters");
            return None;
        }
        Some(text.to_owned())
    }

    /// An IANA time zone name (`Europe/Berlin`, `UTC`), in its canonical spelling.
    pub fn opt_time_zone(&mut self, field: &'static str) -> Option<String> {
        let text = self.opt_text(field)?;
        match text.parse::<chrono_tz::Tz>() {
            Ok(zone) => Some(zone.name().to_owned()),
            Err(_) => {
                self.fail(field, format!("{text:?} is not an IANA time zone such as Europe/Berlin or UTC"));
                None
            }
        }
    }

    pub fn text(&mut self, field: &'static str) -> Option<String> {
        let present = self.row.get(field).is_some();
        let value = self.opt_text(field);
        if value.is_none() && !present {
            self.missing(field);
        } else if value.is_none() && self.errors.iter().all(|e| e.field.as_deref() != Some(field)) {
            self.fail(field, "must not be blank");
        }
        value
    }

    /// An identifier from another system: 1–200 printable characters.
    pub fn opt_external_id(&mut self, field: &'static str) -> Option<String> {
        let id = self.opt_text(field)?;
        if id.len() > 200 || id.chars().any(char::is_whitespace) {
            self.fail(field, "must be at most 200 characters with no whitespace");
            return None;
        }
        Some(id)
    }

    pub fn external_id(&mut self, field: &'static str) -> Option<String> {
        let present = self.row.get(field).is_some();
        let id = self.opt_external_id(field);
        if id.is_none() && !present {
            self.missing(field);
        }
        id
    }

    pub fn slug(&mut self, field: &'static str) -> Option<crate::domain::records::Slug> {
        let present = self.row.get(field).is_some();
        let Some(text) = self.raw_text(field) else {
            if !present {
                self.missing(field);
            }
            return None;
        };
        match crate::domain::records::Slug::parse(&text) {
            Ok(slug) => Some(slug),
            Err(message) => {
                self.fail(field, message);
                None
            }
        }
    }

    /// A slug list: a JSON array of strings, or `;`-separated text in CSV.
    pub fn slug_list(&mut self, field: &'static str) -> Option<Vec<crate::domain::records::Slug>> {
        let items: Vec<String> = match self.row.get(field) {
            None => {
                self.missing(field);
                return None;
            }
            Some(Cell::Text(t)) => t.split(';').map(str::to_owned).collect(),
            Some(Cell::Json(Value::Array(values))) => {
                let mut items = Vec::new();
                for value in values {
                    match value {
                        Value::String(s) => items.push(s.clone()),
                        other => {
                            let found = type_name(other);
                            self.fail(field, format!("must be an array of strings, found {found}"));
                            return None;
                        }
                    }
                }
                items
            }
            Some(Cell::Json(other)) => {
                let found = type_name(other);
                self.fail(field, format!("must be an array of service slugs, got {found}"));
                return None;
            }
        };
        let mut slugs = Vec::new();
        for item in items.iter().filter(|i| !i.trim().is_empty()) {
            match crate::domain::records::Slug::parse(item) {
                Ok(slug) if !slugs.contains(&slug) => slugs.push(slug),
                Ok(_) => {}
                Err(message) => {
                    self.fail(field, format!("'{}' {message}", item.trim()));
                    return None;
                }
            }
        }
        if slugs.is_empty() {
            self.fail(field, "must name at least one service");
            return None;
        }
        Some(slugs)
    }

    pub fn opt_int(&mut self, field: &'static str) -> Option<i64> {
        match self.row.get(field)? {
            Cell::Text(t) => match t.trim().parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    self.fail(field, format!("must be an integer, got '{}'", t.trim()));
                    None
                }
            },
            Cell::Json(Value::Number(n)) => match n.as_i64() {
                Some(v) => Some(v),
                None => {
                    self.fail(field, format!("must be an integer, got {n}"));
                    None
                }
            },
            Cell::Json(other) => {
                let found = type_name(other);
                self.fail(field, format!("must be an integer, got {found}"));
                None
            }
        }
    }

    pub fn int(&mut self, field: &'static str) -> Option<i64> {
        let present = self.row.get(field).is_some();
        let value = self.opt_int(field);
        if !present {
            self.missing(field);
        }
        value
    }

    /// A non-negative integer (counts, minutes).
    pub fn opt_count(&mut self, field: &'static str) -> Option<i64> {
        let value = self.opt_int(field)?;
        if value < 0 {
            self.fail(field, format!("must not be negative, got {value}"));
            return None;
        }
        Some(value)
    }

    pub fn count(&mut self, field: &'static str) -> Option<i64> {
        let present = self.row.get(field).is_some();
        let value = self.opt_count(field);
        if !present {
            self.missing(field);
        }
        value
    }

    pub fn number(&mut self, field: &'static str) -> Option<f64> {
        let value = match self.row.get(field) {
            None => {
                self.missing(field);
                return None;
            }
            Some(Cell::Text(t)) => t.trim().parse::<f64>().ok(),
            Some(Cell::Json(Value::Number(n))) => n.as_f64(),
            Some(Cell::Json(other)) => {
                let found = type_name(other);
                self.fail(field, format!("must be a number, got {found}"));
                return None;
            }
        };
        match value.filter(|v| v.is_finite()) {
            Some(v) => Some(v),
            None => {
                self.fail(field, "must be a number");
                None
            }
        }
    }

    pub fn opt_bool(&mut self, field: &'static str) -> Option<bool> {
        match self.row.get(field)? {
            Cell::Json(Value::Bool(b)) => Some(*b),
            Cell::Json(Value::Number(n)) if n.as_i64() == Some(1) => Some(true),
            Cell::Json(Value::Number(n)) if n.as_i64() == Some(0) => Some(false),
            Cell::Text(t) | Cell::Json(Value::String(t)) => match t.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "1" => Some(true),
                "false" | "no" | "0" => Some(false),
                _ => {
                    self.fail(field, format!("must be true/false/yes/no/1/0, got '{}'", t.trim()));
                    None
                }
            },
            Cell::Json(other) => {
                let found = type_name(other);
                self.fail(field, format!("must be a boolean, got {found}"));
                None
            }
        }
    }

    pub fn bool(&mut self, field: &'static str) -> Option<bool> {
        let present = self.row.get(field).is_some();
        let value = self.opt_bool(field);
        if !present {
            self.missing(field);
        }
        value
    }

    /// A JSON object of text values (in CSV, its JSON text), returned as canonical JSON text
    /// (keys sorted) so a re-sent object compares equal. Absent or null: none.
    pub fn opt_labels(&mut self, field: &'static str) -> Option<String> {
        let parsed;
        let object = match self.row.get(field)? {
            Cell::Json(Value::Object(object)) => object,
            Cell::Text(text) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(object)) => {
                    parsed = object;
                    &parsed
                }
                _ => {
                    self.fail(field, "must be a JSON object of text values");
                    return None;
                }
            },
            Cell::Json(other) => {
                let found = type_name(other);
                self.fail(field, format!("must be an object of text values, got {found}"));
                return None;
            }
        };
        if object.len() > MAX_LABELS {
            self.fail(field, format!("must have at most {MAX_LABELS} labels, got {}", object.len()));
            return None;
        }
        let mut labels = std::collections::BTreeMap::new();
        for (name, value) in object {
            let Value::String(text) = value else {
                self.fail(field, format!("label '{name}' must be text, got {}", type_name(value)));
                return None;
            };
            if name.chars().count() > MAX_TEXT || text.chars().count() > MAX_TEXT {
                self.fail(field, format!("label '{name}' must be at most {MAX_TEXT} characters, name and value"));
                return None;
            }
            labels.insert(name.as_str(), text.as_str());
        }
        serde_json::to_string(&labels).ok()
    }

    /// An RFC 3339 instant with any offset, stored as UTC with microsecond precision (what
    /// Postgres keeps, so re-sent values compare equal).
    pub fn opt_instant(&mut self, field: &'static str) -> Option<DateTime<Utc>> {
        let text = self.raw_text(field)?;
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match DateTime::parse_from_rfc3339(text) {
            Ok(t) => Some(t.with_timezone(&Utc).trunc_subsecs(6)),
            Err(_) => {
                self.fail(
                    field,
                    format!("must be an RFC 3339 timestamp with an offset (e.g. 2026-07-01T12:00:00Z), got '{text}'"),
                );
                None
            }
        }
    }

    /// An incident timeline: a JSON array (in CSV, its JSON text) of `{"at", "status", "body"}`
    /// objects, returned oldest first. Absent or null: empty.
    pub fn timeline(&mut self, field: &'static str) -> Option<Vec<crate::domain::records::TimelineEntry>> {
        let parsed;
        let items = match self.row.get(field) {
            None => return Some(Vec::new()),
            Some(Cell::Json(Value::Array(items))) => items,
            Some(Cell::Text(text)) => match serde_json::from_str::<Value>(text) {
                Ok(Value::Array(items)) => {
                    parsed = items;
                    &parsed
                }
                _ => {
                    self.fail(field, "must be a JSON array of {\"at\", \"status\", \"body\"} objects");
                    return None;
                }
            },
            Some(Cell::Json(other)) => {
                let found = type_name(other);
                self.fail(field, format!("must be an array of {{\"at\", \"status\", \"body\"}} objects, got {found}"));
                return None;
            }
        };
        if items.len() > MAX_TIMELINE {
            self.fail(field, format!("must have at most {MAX_TIMELINE} entries, got {}", items.len()));
            return None;
        }
        let mut entries = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match timeline_entry(item) {
                Ok(entry) => entries.push(entry),
                Err(problem) => {
                    self.fail(field, format!("entry {}: {problem}", index + 1));
                    return None;
                }
            }
        }
        entries.sort_by_key(|e| e.at);
        Some(entries)
    }

    pub fn instant(&mut self, field: &'static str) -> Option<DateTime<Utc>> {
        let present = self.row.get(field).is_some();
        let value = self.opt_instant(field);
        if !present {
            self.missing(field);
        }
        value
    }

    pub fn opt_date(&mut self, field: &'static str) -> Option<NaiveDate> {
        let text = self.raw_text(field)?;
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) if text.len() == 10 => Some(d),
            _ => {
                self.fail(field, format!("must be an existing date as YYYY-MM-DD, got '{text}'"));
                None
            }
        }
    }

    pub fn date(&mut self, field: &'static str) -> Option<NaiveDate> {
        let present = self.row.get(field).is_some();
        let value = self.opt_date(field);
        if !present {
            self.missing(field);
        }
        value
    }

    /// An http(s) URL; anything else (`javascript:` and friends) is refused.
    pub fn opt_url(&mut self, field: &'static str) -> Option<String> {
        let url = self.opt_text(field)?;
        let lower = url.to_ascii_lowercase();
        let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
        if !scheme_ok || url.chars().any(char::is_whitespace) || url.len() <= "https://".len() {
            self.fail(field, "must be an http:// or https:// URL without spaces");
            return None;
        }
        Some(url)
    }

    pub fn opt_enum<T>(
        &mut self,
        field: &'static str,
        parse: fn(&str) -> Option<T>,
        expected: fn() -> String,
    ) -> Option<T> {
        let text = self.raw_text(field)?;
        if text.trim().is_empty() {
            return None;
        }
        match parse(&text) {
            Some(v) => Some(v),
            None => {
                self.fail(field, format!("must be one of {}, got '{}'", expected(), text.trim()));
                None
            }
        }
    }

    pub fn enumeration<T>(
        &mut self,
        field: &'static str,
        parse: fn(&str) -> Option<T>,
        expected: fn() -> String,
    ) -> Option<T> {
        let present = self.row.get(field).is_some();
        let value = self.opt_enum(field, parse, expected);
        if !present {
            self.missing(field);
        }
        value
    }

    /// Finishes reading: the record when every field was fine, else all the problems.
    pub fn finish<T>(self, build: impl FnOnce() -> Option<T>) -> Result<T, Vec<FieldError>> {
        if self.errors.is_empty() {
            // Every required field was read successfully, so `build` has all its parts.
            build().ok_or_else(|| vec![FieldError { field: None, message: "incomplete record".into() }])
        } else {
            Err(self.errors)
        }
    }
}
