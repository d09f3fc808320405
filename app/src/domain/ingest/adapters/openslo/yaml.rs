//! Reading OpenSLO's YAML: documents with their line, and lookups that treat tags and nulls
//! alike.

use std::collections::BTreeSet;

use serde_yaml_ng::Value as Yaml;

use crate::domain::ingest::adapters::{FormatError, format_error};

pub(super) const API_VERSION: &str = "openslo/v1";

pub(super) fn yaml_error(error: &serde_yaml_ng::Error, document: usize) -> FormatError {
    let mut message = format!("invalid YAML in document {document}: {error}");
    if let Some(location) = error.location().filter(|_| !message.contains("line ")) {
        message.push_str(&format!(" (line {}, column {})", location.line(), location.column()));
    }
    format_error(message)
}

/// The line each document starts on, from its `---` marker or first content line; empty when
/// the count does not match the documents the parser saw, rather than a wrong line.
pub(super) fn document_lines(text: &str, count: usize) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut open = false;
    for (index, line) in text.lines().enumerate() {
        let marker =
            |m: &str| line.strip_prefix(m).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']));
        let content = line.trim();
        if marker("---") {
            starts.push(index + 1);
            open = true;
        } else if marker("...") {
            open = false;
        } else if !open && !content.is_empty() && !content.starts_with(['#', '%']) {
            starts.push(index + 1);
            open = true;
        }
    }
    if starts.len() == count { starts } else { Vec::new() }
}

pub(super) struct Document<'a> {
    /// 1-based position in the file, empty documents included.
    pub(super) number: usize,
    pub(super) line: Option<usize>,
    pub(super) value: &'a Yaml,
}

impl Document<'_> {
    pub(super) fn place(&self) -> String {
        match self.line {
            Some(line) => format!("document {}, line {line}", self.number),
            None => format!("document {}", self.number),
        }
    }

    /// `(kind, metadata.name)`, or the field at fault and what is wrong.
    pub(super) fn header(&self) -> Result<(String, String), (&'static str, String)> {
        if untagged(self.value).as_mapping().is_none() {
            return Err((".", "the document is not a mapping of apiVersion, kind, metadata and spec".into()));
        }
        match at(self.value, "apiVersion").and_then(text) {
            None => return Err(("apiVersion", format!("is missing; expected {API_VERSION}"))),
            Some(version) if version != API_VERSION => {
                let message = format!("'{version}' is not supported: only {API_VERSION} documents are read");
                return Err(("apiVersion", message));
            }
            Some(_) => {}
        }
        let kind = at(self.value, "kind").and_then(text).ok_or(("kind", "is missing (SLO, SLI, Service, …)".into()))?;
        let name = at(self.value, "metadata.name").and_then(text).ok_or(("metadata.name", "is missing".into()))?;
        Ok((kind, name))
    }
}

pub(super) fn untagged(value: &Yaml) -> &Yaml {
    match value {
        Yaml::Tagged(tagged) => &tagged.value,
        other => other,
    }
}

/// The value under `name` of a mapping, treating null as absent.
pub(super) fn key<'v>(value: &'v Yaml, name: &str) -> Option<&'v Yaml> {
    untagged(value).as_mapping()?.get(name).map(untagged).filter(|v| !v.is_null())
}

/// The value at a dotted path of plain keys.
pub(super) fn at<'v>(value: &'v Yaml, path: &str) -> Option<&'v Yaml> {
    path.split('.').try_fold(value, |value, name| key(value, name))
}

/// Scalar text, trimmed; a one-item list (OpenSLO allows list-valued labels) counts as its item.
pub(super) fn text(value: &Yaml) -> Option<String> {
    let text = match untagged(value) {
        Yaml::String(s) => s.trim().to_owned(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Sequence(items) if items.len() == 1 => return items.first().and_then(text),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

pub(super) fn number(value: &Yaml) -> Option<f64> {
    match untagged(value) {
        Yaml::Number(n) => n.as_f64(),
        Yaml::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

pub(super) fn label(value: &Yaml, names: &[&str]) -> Option<String> {
    let labels = at(value, "metadata.labels")?;
    names.iter().find_map(|name| key(labels, name).and_then(text))
}

/// Adds `path.key` for each key of the mapping at `value` not in `used`.
pub(super) fn unused_keys(value: Option<&Yaml>, path: &str, used: &[&str], out: &mut BTreeSet<String>) {
    let Some(mapping) = value.map(untagged).and_then(Yaml::as_mapping) else { return };
    for name in mapping.keys() {
        let name = untagged(name).as_str().unwrap_or("(a key that is not text)");
        if !used.contains(&name) {
            out.insert(if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") });
        }
    }
}
