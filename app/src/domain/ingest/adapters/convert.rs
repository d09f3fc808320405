//! The entry point: which adapter reads a file, with what it needs besides the bytes (the
//! options and the services already known), and how a service name is matched.

use super::super::{DecodedRow, FormatError, RawRow};
use super::{Adapter, AdapterOptions, openslo, pagerduty, statuspage};
use crate::domain::records::Severity;

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

/// Reads a whole file into rows of the adapter's default kind (see the module docs for what is a
/// [`FormatError`] and what a row error).
pub fn convert(
    adapter: Adapter,
    bytes: &[u8],
    options: &AdapterOptions,
    services: &[KnownService],
) -> Result<Converted, FormatError> {
    convert_to(adapter, adapter.kind(), bytes, options, services)
}

/// As [`convert`], into rows of `kind`, one of [`Adapter::kinds`] (PagerDuty: incidents or
/// alerts); another kind reads as the default.
pub fn convert_to(
    adapter: Adapter,
    kind: super::RecordKind,
    bytes: &[u8],
    options: &AdapterOptions,
    services: &[KnownService],
) -> Result<Converted, FormatError> {
    let target = if adapter.kinds().contains(&kind) { kind } else { adapter.kind() };
    let context = Context { options, services, target };
    match adapter {
        Adapter::OpenSlo => openslo::convert(bytes, &context),
        Adapter::Statuspage => statuspage::convert(bytes, &context),
        Adapter::PagerDuty => pagerduty::convert(bytes, &context),
    }
}

/// What every adapter needs besides the bytes.
pub(super) struct Context<'a> {
    pub(super) options: &'a AdapterOptions,
    pub(super) services: &'a [KnownService],
    /// The native kind to write.
    pub(super) target: super::RecordKind,
}

impl Context<'_> {
    /// The severity the user mapped `value` to, if any.
    pub(super) fn mapped_severity(&self, value: &str) -> Option<Severity> {
        let value = value.trim();
        self.options.severity_map.iter().find(|(k, _)| k.trim().eq_ignore_ascii_case(value)).map(|(_, s)| *s)
    }

    /// `value`'s severity: the user's map first, then `defaults`.
    pub(super) fn severity(&self, value: &str, defaults: &[(&str, Severity)]) -> Option<Severity> {
        let value = value.trim();
        self.mapped_severity(value)
            .or_else(|| defaults.iter().find(|(k, _)| k.eq_ignore_ascii_case(value)).map(|(_, s)| *s))
    }

    /// The slug of the service `name` refers to: `service_map`, then a known slug or name;
    /// `Ok(None)` when nothing matches, and an error naming the candidates when several
    /// services do (a guess would file records under the wrong service).
    pub(super) fn service_slug(&self, name: &str) -> Result<Option<String>, String> {
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
pub(super) fn unmapped_service(name: &str) -> String {
    format!(
        "'{name}' is not a known service (by slug or name): add service_map={name}=SLUG to map it, \
         or create the service first"
    )
}
