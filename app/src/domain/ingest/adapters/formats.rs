//! The adapters' names, how a file is recognised, and the options a user sets per import.

use crate::domain::records::{Severity, Slug};

use super::RecordKind;
use super::pagerduty;

/// A source format an adapter reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Adapter {
    OpenSlo,
    Statuspage,
    PagerDuty,
}

impl Adapter {
    pub const ALL: [Adapter; 3] = [Adapter::OpenSlo, Adapter::Statuspage, Adapter::PagerDuty];

    /// The adapter called `name` (`openslo`, `statuspage`, `pagerduty`; any case).
    pub fn from_name(name: &str) -> Option<Adapter> {
        let name = name.trim();
        Self::ALL.into_iter().find(|a| a.name().eq_ignore_ascii_case(name))
    }

    pub fn name(self) -> &'static str {
        match self {
            Adapter::OpenSlo => "openslo",
            Adapter::Statuspage => "statuspage",
            Adapter::PagerDuty => "pagerduty",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Adapter::OpenSlo => "OpenSLO v1 YAML",
            Adapter::Statuspage => "Atlassian Statuspage incidents JSON",
            Adapter::PagerDuty => "PagerDuty incidents (JSON or CSV)",
        }
    }

    /// The native record kind the adapter produces by default.
    pub fn kind(self) -> RecordKind {
        self.kinds()[0]
    }

    /// Every kind the adapter can produce, the default first: a PagerDuty export is imported as
    /// incidents, or as alerts (pages) with their interruption counts.
    pub fn kinds(self) -> &'static [RecordKind] {
        match self {
            Adapter::OpenSlo => &[RecordKind::Slos],
            Adapter::Statuspage => &[RecordKind::Incidents],
            Adapter::PagerDuty => &[RecordKind::Incidents, RecordKind::Alerts],
        }
    }

    /// Guesses the adapter from the first bytes of a file and its name: YAML with
    /// `apiVersion: openslo/…`; JSON whose keys are Statuspage's (`impact`, `incident_updates`,
    /// `components`, `shortlink`) or PagerDuty's (`priority_name`, `service_name`,
    /// `incident_number`, `seconds_to_…`, or a leading `data` member); CSV whose header has at
    /// least two PagerDuty-looking columns. The file name only settles JSON that shows no keys
    /// of either. `None` when unsure (both kinds of keys, or none).
    pub fn detect(head: &[u8], file_name: &str) -> Option<Adapter> {
        let text = String::from_utf8_lossy(head);
        let body = text.trim_start_matches('\u{feff}').trim_start();
        let name = file_name.to_ascii_lowercase();
        if body.starts_with('{') || body.starts_with('[') {
            return detect_json(body, &name);
        }
        if body.lines().any(declares_openslo) {
            return Some(Adapter::OpenSlo);
        }
        let header = body.lines().next().unwrap_or_default();
        if pagerduty::looks_like_csv_header(header) {
            return Some(Adapter::PagerDuty);
        }
        None
    }
}

fn declares_openslo(line: &str) -> bool {
    let Some(value) = line.trim_start().strip_prefix("apiVersion:") else { return false };
    value.trim().trim_start_matches(['"', '\'']).to_ascii_lowercase().starts_with("openslo/")
}

fn detect_json(body: &str, file_name: &str) -> Option<Adapter> {
    let has_key = |key: &str| body.contains(&format!("\"{key}\""));
    let statuspage = ["impact", "incident_updates", "components", "shortlink"].into_iter().any(has_key);
    let pagerduty_keys =
        ["priority_name", "service_name", "incident_number", "seconds_to_first_ack", "seconds_to_resolve"];
    let leading_data = body.strip_prefix('{').is_some_and(|rest| rest.trim_start().starts_with("\"data\""));
    let pagerduty = pagerduty_keys.into_iter().any(has_key) || leading_data;
    match (statuspage, pagerduty) {
        (true, false) => Some(Adapter::Statuspage),
        (false, true) => Some(Adapter::PagerDuty),
        (true, true) => None,
        (false, false) if file_name.contains("statuspage") => Some(Adapter::Statuspage),
        (false, false) if file_name.contains("pagerduty") => Some(Adapter::PagerDuty),
        (false, false) => None,
    }
}

/// Options a user sets per import (query parameters, CLI flags, import-page fields).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdapterOptions {
    /// Source value → severity (Statuspage impact, PagerDuty priority name), overriding the
    /// defaults; case-insensitive keys.
    pub severity_map: Vec<(String, Severity)>,
    /// Source service/component name → service slug, overriding name matching;
    /// case-insensitive keys.
    pub service_map: Vec<(String, String)>,
    /// PagerDuty CSV: adapter field name → CSV header, overriding the default header names.
    pub column_map: Vec<(String, String)>,
    /// OpenSLO: team slug that owns services created because they are missing (none → a
    /// missing service is a row error).
    pub team: Option<String>,
    /// PagerDuty: the zone timestamps without a UTC offset are read in when the file names none
    /// (a CSV export never does); an Analytics response's own `time_zone` wins.
    pub time_zone: Option<chrono_tz::Tz>,
    /// OpenSLO: the Prometheus server whose queries an SLI's `ratioMetric` names (OpenSLO
    /// itself does not say where it is); with it, such SLOs are pulled (docs/ingestion.md §15).
    pub prometheus_url: Option<String>,
}

impl AdapterOptions {
    /// Parses `key=value,key=value` as typed by users: pairs split on `,` (or a line break,
    /// for text areas), each pair on its LAST `=` so keys may contain `=`; whitespace trimmed;
    /// empty pieces skipped; empty text → no pairs. A piece without `=`, an empty key or value,
    /// or a key given twice (ignoring case) is an error naming the pair.
    pub fn parse_pairs(text: &str) -> Result<Vec<(String, String)>, String> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for piece in text.split([',', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
            let Some((key, value)) = piece.rsplit_once('=') else {
                return Err(format!("'{piece}' is not a key=value pair"));
            };
            let (key, value) = (key.trim(), value.trim());
            if key.is_empty() || value.is_empty() {
                return Err(format!("'{piece}' needs both a key and a value (key=value)"));
            }
            if pairs.iter().any(|(k, _)| k.eq_ignore_ascii_case(key)) {
                return Err(format!("'{key}' is given twice"));
            }
            pairs.push((key.to_owned(), value.to_owned()));
        }
        Ok(pairs)
    }

    /// Builds options from the texts users type. Severity values must be SEV0–SEV4, service
    /// map values and the team must be slugs, column map keys must be PagerDuty adapter fields;
    /// each error names the option and the pair.
    pub fn from_texts(
        severity_map: &str,
        service_map: &str,
        column_map: &str,
        team: &str,
    ) -> Result<AdapterOptions, String> {
        let severity_map = Self::parse_pairs(severity_map)
            .map_err(|e| format!("severity_map: {e}"))?
            .into_iter()
            .map(|(key, value)| match Severity::parse(&value) {
                Some(severity) => Ok((key, severity)),
                None => Err(format!("severity_map: '{key}={value}': '{value}' is not one of {}", Severity::expected())),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let service_map = Self::parse_pairs(service_map).map_err(|e| format!("service_map: {e}"))?;
        for (key, value) in &service_map {
            Slug::parse(value).map_err(|e| format!("service_map: '{key}={value}': the service slug {e}"))?;
        }
        let column_map = Self::parse_pairs(column_map).map_err(|e| format!("column_map: {e}"))?;
        for (key, value) in &column_map {
            if !pagerduty::is_field(key) {
                let fields = pagerduty::field_names().join(", ");
                return Err(format!("column_map: '{key}={value}': '{key}' is not a field; use one of {fields}"));
            }
        }
        let team = match team.trim() {
            "" => None,
            text => Some(Slug::parse(text).map_err(|e| format!("team: '{text}' {e}"))?.as_str().to_owned()),
        };
        Ok(AdapterOptions { severity_map, service_map, column_map, team, time_zone: None, prometheus_url: None })
    }

    /// The same options with `prometheus_url` from its text (a base URL; empty keeps none).
    pub fn with_prometheus_url(mut self, text: &str) -> Result<AdapterOptions, String> {
        if !text.trim().is_empty() {
            let url = crate::domain::records::PrometheusSource::parse_url(text)
                .map_err(|e| format!("prometheus_url: {e}"))?;
            self.prometheus_url = Some(url);
        }
        Ok(self)
    }

    /// The same options with `time_zone` from its text (an IANA name; empty keeps none).
    pub fn with_time_zone(mut self, text: &str) -> Result<AdapterOptions, String> {
        let text = text.trim();
        if !text.is_empty() {
            let zone = text
                .parse::<chrono_tz::Tz>()
                .map_err(|_| format!("time_zone: '{text}' is not an IANA time zone such as Europe/Berlin or UTC"))?;
            self.time_zone = Some(zone);
        }
        Ok(self)
    }
}
