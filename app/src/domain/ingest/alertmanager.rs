//! Alertmanager's webhook (payload version 4) as native `alerts` rows. Pure: the caller says
//! which services exist. Each alert of a notification is one row keyed by its fingerprint and
//! start (`external_id` = `<fingerprint>-<startsAt as Unix seconds>`), so a firing and its
//! later resolved notification update one record, while the same rule firing again later is a
//! new alert. An alert whose service label is missing or names no known service is refused
//! (reported back and counted by the caller), never guessed; the others are imported.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{Cell, FormatError, RawRow};

/// How alert labels map onto Plumbline's fields (`PLUMBLINE_ALERTMANAGER_*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertmanagerMapping {
    /// The label naming the service (default `service`).
    pub service_label: String,
    /// `label=value`: an alert matching it paged a person (default `severity=page`).
    pub paged_label: String,
    pub paged_value: String,
}

impl Default for AlertmanagerMapping {
    fn default() -> Self {
        AlertmanagerMapping {
            service_label: "service".to_owned(),
            paged_label: "severity".to_owned(),
            paged_value: "page".to_owned(),
        }
    }
}

impl AlertmanagerMapping {
    /// Reads `label=value` (the paged matcher) beside the service label; an error names the
    /// setting.
    pub fn new(service_label: &str, paged: &str) -> Result<Self, String> {
        let service_label = service_label.trim();
        if service_label.is_empty() {
            return Err("the service label must not be empty".to_owned());
        }
        let Some((label, value)) = paged.split_once('=') else {
            return Err(format!("the paged matcher '{paged}' is not label=value"));
        };
        let (label, value) = (label.trim(), value.trim());
        if label.is_empty() || value.is_empty() {
            return Err(format!("the paged matcher '{paged}' needs both a label and a value"));
        }
        Ok(AlertmanagerMapping {
            service_label: service_label.to_owned(),
            paged_label: label.to_owned(),
            paged_value: value.to_owned(),
        })
    }
}

/// The webhook body, as Alertmanager documents it (fields Plumbline does not read are ignored).
#[derive(Debug, Deserialize)]
struct WireNotification {
    version: String,
    alerts: Vec<WebhookAlert>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WebhookAlert {
    status: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
    #[serde(default, rename = "generatorURL")]
    generator_url: String,
    fingerprint: String,
}

/// An alert not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedAlert {
    pub fingerprint: String,
    pub rule: String,
    pub reason: String,
}

/// What a notification becomes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WebhookAlerts {
    pub rows: Vec<RawRow>,
    pub refused: Vec<RefusedAlert>,
}

/// Most alerts one notification may carry (Alertmanager's `max_alerts` is 0 = unlimited by
/// default; a group this large is a misconfiguration, refused as a whole).
pub const MAX_ALERTS: usize = 10_000;

/// One webhook notification, read and checked as a whole.
#[derive(Debug)]
pub struct Notification {
    alerts: Vec<WebhookAlert>,
}

impl Notification {
    pub fn parse(body: &[u8]) -> Result<Notification, FormatError> {
        let wire: WireNotification = serde_json::from_slice(body).map_err(|e| FormatError {
            message: format!("not an Alertmanager webhook notification (version 4): {e}"),
        })?;
        if wire.version != "4" {
            return Err(FormatError {
                message: format!("Alertmanager webhook version '{}' is not supported; version 4 is", wire.version),
            });
        }
        if wire.alerts.len() > MAX_ALERTS {
            return Err(FormatError {
                message: format!("{} alerts in one notification; at most {MAX_ALERTS}", wire.alerts.len()),
            });
        }
        Ok(Notification { alerts: wire.alerts })
    }

    /// The services the alerts name: all the caller needs to look up before [`convert`].
    pub fn services(&self, mapping: &AlertmanagerMapping) -> Vec<String> {
        let mut names: Vec<String> = self
            .alerts
            .iter()
            .filter_map(|a| a.labels.get(&mapping.service_label))
            .map(|s| s.trim().to_owned())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// Converts one notification. `is_service` says whether a slug names a known service.
pub fn convert(
    notification: Notification,
    mapping: &AlertmanagerMapping,
    is_service: impl Fn(&str) -> bool,
) -> WebhookAlerts {
    let mut out = WebhookAlerts::default();
    for alert in notification.alerts {
        let rule = alert.labels.get("alertname").cloned().unwrap_or_default();
        let refuse =
            |reason: String| RefusedAlert { fingerprint: alert.fingerprint.clone(), rule: rule.clone(), reason };
        let Some(service) = alert.labels.get(&mapping.service_label).map(|s| s.trim().to_owned()) else {
            out.refused.push(refuse(format!("no '{}' label names its service", mapping.service_label)));
            continue;
        };
        if !is_service(&service) {
            out.refused.push(refuse(format!("'{service}' is not a known service")));
            continue;
        }
        if rule.is_empty() {
            out.refused.push(refuse("no 'alertname' label".to_owned()));
            continue;
        }
        out.rows.push(row(out.rows.len() as u64 + 1, &alert, service, rule, mapping));
    }
    out
}

/// Alertmanager's "no end" (`0001-01-01T00:00:00Z`) and a firing alert's projected end are not
/// a resolution: only a resolved notification's end is.
fn resolved_at(alert: &WebhookAlert) -> Option<DateTime<Utc>> {
    (alert.status == "resolved").then_some(alert.ends_at).flatten().filter(|end| *end >= alert.starts_at)
}

fn row(number: u64, alert: &WebhookAlert, service: String, rule: String, mapping: &AlertmanagerMapping) -> RawRow {
    let text = |value: String| Cell::Json(Value::String(value));
    let instant = |at: DateTime<Utc>| text(at.to_rfc3339_opts(SecondsFormat::Micros, true));
    let paged = alert.labels.get(&mapping.paged_label).is_some_and(|v| v.trim() == mapping.paged_value);
    let mut labels: serde_json::Map<String, Value> =
        alert.labels.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
    if !alert.generator_url.is_empty() {
        labels.insert("generator_url".to_owned(), Value::String(alert.generator_url.clone()));
    }
    if let Some(summary) = alert.annotations.get("summary") {
        labels.insert("summary".to_owned(), Value::String(summary.clone()));
    }
    let mut row = RawRow::new(number)
        .with("external_id", text(format!("{}-{}", alert.fingerprint, alert.starts_at.timestamp())))
        .with("service", text(service))
        .with("rule", text(rule))
        .with("fired_at", instant(alert.starts_at))
        .with("paged", Cell::Json(Value::Bool(paged)))
        .with("labels", Cell::Json(Value::Object(labels)));
    if let Some(resolved) = resolved_at(alert) {
        row = row.with("resolved_at", instant(resolved));
    }
    if let Some(severity) = alert.labels.get("severity") {
        row = row.with("urgency", text(severity.clone()));
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notification(status: &str, ends_at: &str, service: &str) -> String {
        format!(
            r#"{{"version":"4","status":"{status}","receiver":"plumbline","groupKey":"{{}}:{{}}",
                "alerts":[{{"status":"{status}","labels":{{"alertname":"HighErrorRate","service":"{service}",
                "severity":"page"}},"annotations":{{"summary":"5xx above 5 %"}},
                "startsAt":"2026-12-04T10:00:00.123Z","endsAt":"{ends_at}",
                "generatorURL":"http://prometheus/graph","fingerprint":"abc123"}}]}}"#
        )
    }

    fn convert(
        body: &[u8],
        mapping: &AlertmanagerMapping,
        known: impl Fn(&str) -> bool,
    ) -> Result<WebhookAlerts, FormatError> {
        Ok(super::convert(Notification::parse(body)?, mapping, known))
    }

    fn cell<'a>(row: &'a RawRow, name: &str) -> Option<&'a Cell> {
        row.cells.iter().find(|(n, _)| n == name).map(|(_, c)| c)
    }

    #[test]
    fn a_firing_and_its_resolution_are_one_alert() {
        let mapping = AlertmanagerMapping::default();
        let firing = notification("firing", "0001-01-01T00:00:00Z", "checkout");
        let firing = convert(firing.as_bytes(), &mapping, |s| s == "checkout").expect("converted");
        let resolved = notification("resolved", "2026-12-04T10:20:00Z", "checkout");
        let resolved = convert(resolved.as_bytes(), &mapping, |s| s == "checkout").expect("converted");
        let (firing, resolved) = (&firing.rows[0], &resolved.rows[0]);
        assert_eq!(cell(firing, "external_id"), cell(resolved, "external_id"));
        assert_eq!(cell(firing, "external_id"), Some(&Cell::Json(Value::String("abc123-1796378400".into()))));
        assert_eq!(cell(firing, "resolved_at"), None, "a firing alert has no resolution");
        assert_eq!(
            cell(resolved, "resolved_at"),
            Some(&Cell::Json(Value::String("2026-12-04T10:20:00.000000Z".into())))
        );
        assert_eq!(cell(firing, "paged"), Some(&Cell::Json(Value::Bool(true))));
        assert_eq!(cell(firing, "rule"), Some(&Cell::Json(Value::String("HighErrorRate".into()))));
        assert_eq!(cell(firing, "fired_at"), Some(&Cell::Json(Value::String("2026-12-04T10:00:00.123000Z".into()))));
    }

    #[test]
    fn an_unknown_service_is_refused_and_named() {
        let body = notification("firing", "0001-01-01T00:00:00Z", "nowhere");
        let out = convert(body.as_bytes(), &AlertmanagerMapping::default(), |s| s == "checkout").expect("converted");
        assert!(out.rows.is_empty());
        assert_eq!(out.refused.len(), 1);
        assert!(out.refused[0].reason.contains("'nowhere' is not a known service"), "{:?}", out.refused);
        let parsed = Notification::parse(body.as_bytes()).expect("parsed");
        assert_eq!(parsed.services(&AlertmanagerMapping::default()), ["nowhere"], "the services to look up");
    }

    #[test]
    fn the_paged_matcher_and_service_label_are_configurable() {
        let mapping = AlertmanagerMapping::new("service", "severity=critical").expect("mapping");
        let body = notification("firing", "0001-01-01T00:00:00Z", "checkout");
        let out = convert(body.as_bytes(), &mapping, |_| true).expect("converted");
        assert_eq!(cell(&out.rows[0], "paged"), Some(&Cell::Json(Value::Bool(false))));
        assert!(AlertmanagerMapping::new("service", "severity").is_err());
        assert!(AlertmanagerMapping::new(" ", "severity=page").is_err());
    }

    #[test]
    fn other_versions_and_shapes_are_refused_as_a_whole() {
        let mapping = AlertmanagerMapping::default();
        assert!(convert(br#"{"version":"3","alerts":[]}"#, &mapping, |_| true).is_err());
        assert!(convert(b"[]", &mapping, |_| true).is_err());
    }
}
