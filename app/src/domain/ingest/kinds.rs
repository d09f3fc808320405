//! One reader per record kind: the field names of docs/ingestion.md and the rules each must obey.

use chrono::{Datelike, NaiveDate};

use super::fields::{FieldReader, RawRow};
use super::{FieldError, IngestRecord, RecordKind};
use crate::domain::kpi::{CalendarLength, MAX_WINDOW_DAYS, SloWindow, default_calendar_start};
use crate::domain::records::*;

pub(super) fn fields_of(kind: RecordKind) -> &'static [&'static str] {
    match kind {
        RecordKind::Teams => &["slug", "name", "time_zone"],
        RecordKind::Services => {
            &["slug", "name", "tier", "team", "lifecycle", "rto_target_minutes", "rpo_target_minutes"]
        }
        RecordKind::Slos => &[
            "service",
            "slug",
            "name",
            "indicator",
            "objective",
            "window_days",
            "calendar_window",
            "calendar_start",
            "budgeting",
            "threshold_ms",
            "prometheus_url",
            "good_query",
            "total_query",
        ],
        RecordKind::SloMeasurements => &["service", "slo", "day", "good", "total"],
        RecordKind::Incidents => &[
            "external_id",
            "title",
            "severity",
            "services",
            "started_at",
            "detected_at",
            "acknowledged_at",
            "mitigated_at",
            "resolved_at",
            "customer_impacting",
            "customer_impact_minutes",
            "data_loss_minutes",
            "mitigated_by",
            "change_related",
            "root_cause_category",
            "repeat_of",
            "status",
            "timeline",
        ],
        RecordKind::Postmortems => &["incident", "status", "published_at", "url"],
        RecordKind::Actions => {
            &["external_id", "incident", "service", "title", "owner", "priority", "due_date", "status", "completed_at"]
        }
        RecordKind::DrTests => &[
            "external_id",
            "service",
            "scenario",
            "performed_at",
            "outcome",
            "rto_target_minutes",
            "rto_achieved_minutes",
            "rpo_target_minutes",
            "rpo_achieved_minutes",
            "evidence_url",
            "notes",
        ],
        RecordKind::Deployments => &[
            "external_id",
            "service",
            "deployed_at",
            "outcome",
            "incident",
            "author",
            "approved_by",
            "change_ticket",
            "emergency",
        ],
        RecordKind::Exemptions => &["service", "check", "reason", "approver", "expires_at"],
        RecordKind::Alerts => &[
            "external_id",
            "service",
            "rule",
            "fired_at",
            "acknowledged_at",
            "resolved_at",
            "paged",
            "urgency",
            "responder",
            "escalations",
            "auto_resolved",
            "disposition",
            "incident",
            "labels",
        ],
        RecordKind::OncallShifts => &["team", "schedule", "person", "starts_at", "ends_at"],
        RecordKind::CapacityMeasurements => &["service", "resource", "day", "peak_used", "capacity"],
        RecordKind::Costs => &["service", "month", "amount", "currency", "unit_driver", "units"],
        RecordKind::SurveyResponses => &["survey", "respondent", "role", "team", "answered_at", "score", "comment"],
        RecordKind::Remediations => &["service", "failure_mode", "automation", "runbook_url", "last_exercised_at"],
        RecordKind::ToilReports => {
            &["team", "period", "period_start", "hours_total", "hours_toil", "category", "method"]
        }
        RecordKind::SelfAssessments => &[
            "service",
            "item",
            "answer",
            "evidence_url",
            "comment",
            "answered_by",
            "answered_at",
            "reviewed_by",
            "reviewed_at",
        ],
    }
}

/// Names in `names` that `kind` does not accept (they are reported, never dropped).
pub fn unknown_fields<'a>(kind: RecordKind, names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let known = fields_of(kind);
    names.into_iter().filter(|n| !known.contains(n)).map(str::to_owned).collect()
}

fn unknown_field_errors(kind: RecordKind, row: &RawRow) -> Vec<FieldError> {
    row.cells
        .iter()
        .filter(|(name, _)| !fields_of(kind).contains(&name.as_str()))
        .map(|(name, _)| FieldError {
            field: Some(name.clone()),
            message: format!("unknown field '{name}'; accepted: {}", fields_of(kind).join(", ")),
        })
        .collect()
}

/// Reads a record, adding unknown-field errors to the field errors.
fn read<T>(
    kind: RecordKind,
    row: &RawRow,
    body: impl FnOnce(&mut FieldReader) -> Option<T>,
) -> Result<T, Vec<FieldError>> {
    let mut reader = FieldReader::new(row);
    reader.errors.extend(unknown_field_errors(kind, row));
    let value = body(&mut reader);
    reader.finish(|| value)
}

impl IngestRecord for TeamInput {
    const KIND: RecordKind = RecordKind::Teams;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let slug = r.slug("slug");
            let name = r.text("name");
            let time_zone = r.opt_time_zone("time_zone");
            Some(TeamInput { slug: slug?, name: name?, time_zone })
        })
    }
}

impl IngestRecord for ServiceInput {
    const KIND: RecordKind = RecordKind::Services;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let slug = r.slug("slug");
            let name = r.text("name");
            let tier = r.int("tier").and_then(|t| match Tier::new(t) {
                Ok(tier) => Some(tier),
                Err(message) => {
                    r.fail("tier", message);
                    None
                }
            });
            let team = r.slug("team");
            let lifecycle = r.opt_enum("lifecycle", Lifecycle::parse, Lifecycle::expected).unwrap_or(Lifecycle::Active);
            let rto_target_minutes = r.opt_count("rto_target_minutes");
            let rpo_target_minutes = r.opt_count("rpo_target_minutes");
            Some(ServiceInput {
                slug: slug?,
                name: name?,
                tier: tier?,
                team: team?,
                lifecycle,
                rto_target_minutes,
                rpo_target_minutes,
            })
        })
    }
}

impl IngestRecord for SloInput {
    const KIND: RecordKind = RecordKind::Slos;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let service = r.slug("service");
            let slug = r.slug("slug");
            let name = r.text("name");
            let indicator = r.enumeration("indicator", Indicator::parse, Indicator::expected);
            let objective = r.number("objective").and_then(|o| {
                if o > 0.0 && o < 100.0 {
                    Some(o)
                } else {
                    r.fail("objective", format!("must be a percentage strictly between 0 and 100, got {o}"));
                    None
                }
            });
            let window = slo_window(r);
            let budgeting =
                r.opt_enum("budgeting", Budgeting::parse, Budgeting::expected).unwrap_or(Budgeting::Occurrences);
            let threshold_ms = r.opt_count("threshold_ms");
            let prometheus = prometheus_source(r);
            Some(SloInput {
                service: service?,
                slug: slug?,
                name: name?,
                indicator: indicator?,
                objective: objective?,
                window: window?,
                budgeting,
                threshold_ms,
                prometheus: prometheus?,
            })
        })
    }
}

/// An SLO's error budget window: rolling (`window_days`, 28 when nothing is given) or calendar
/// (`calendar_window`, stepping from `calendar_start`), never both. `None` when a field is
/// wrong (failed).
fn slo_window(r: &mut FieldReader<'_>) -> Option<SloWindow> {
    let days = r.opt_int("window_days");
    let calendar = r.opt_text("calendar_window");
    let start = r.opt_date("calendar_start");
    let Some(calendar) = calendar else {
        if start.is_some() {
            r.fail("calendar_start", "is the first day of a calendar window: give calendar_window too (e.g. 1M)");
            return None;
        }
        let days = days.unwrap_or(28);
        let max = i64::from(MAX_WINDOW_DAYS);
        return match u32::try_from(days) {
            Ok(days) if (1..=max).contains(&i64::from(days)) => Some(SloWindow::Rolling { days }),
            _ => {
                r.fail("window_days", format!("must be from 1 to {max} days, got {days}"));
                None
            }
        };
    };
    if days.is_some() {
        r.fail("window_days", "is a rolling window's length: give window_days or calendar_window, not both");
        return None;
    }
    match CalendarLength::parse(&calendar) {
        Ok(length) => Some(SloWindow::Calendar { start: start.unwrap_or_else(default_calendar_start), length }),
        Err(reason) => {
            r.fail("calendar_window", reason);
            None
        }
    }
}

/// An SLO's Prometheus source: all three fields or none. `None` when a field is wrong (failed).
fn prometheus_source(r: &mut FieldReader<'_>) -> Option<Option<PrometheusSource>> {
    let url = r.opt_text("prometheus_url");
    let good = r.opt_text("good_query");
    let total = r.opt_text("total_query");
    if url.is_none() && good.is_none() && total.is_none() {
        return Some(None);
    }
    let mut ok = true;
    for (field, value) in [("prometheus_url", &url), ("good_query", &good), ("total_query", &total)] {
        if value.is_none() {
            r.fail(field, "required when any of prometheus_url, good_query and total_query is given");
            ok = false;
        }
    }
    let url = url.and_then(|url| match PrometheusSource::parse_url(&url) {
        Ok(url) => Some(url),
        Err(message) => {
            r.fail("prometheus_url", message);
            None
        }
    });
    for (field, value) in [("good_query", &good), ("total_query", &total)] {
        if let Some(Err(message)) = value.as_deref().map(PrometheusSource::check_selector) {
            r.fail(field, message);
            ok = false;
        }
    }
    match (url, good, total) {
        (Some(url), Some(good_query), Some(total_query)) if ok => {
            Some(Some(PrometheusSource { url, good_query, total_query }))
        }
        _ => None,
    }
}

impl IngestRecord for SloMeasurementInput {
    const KIND: RecordKind = RecordKind::SloMeasurements;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let service = r.slug("service");
            let slo = r.slug("slo");
            let day = r.date("day");
            let good = r.count("good");
            let total = r.count("total");
            if let (Some(g), Some(t)) = (good, total)
                && g > t
            {
                r.fail("good", format!("must not exceed total ({g} > {t})"));
            }
            Some(SloMeasurementInput { service: service?, slo: slo?, day: day?, good: good?, total: total? })
        })
    }
}

impl IngestRecord for IncidentInput {
    const KIND: RecordKind = RecordKind::Incidents;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let external_id = r.external_id("external_id");
            let title = r.text("title");
            let severity = r.enumeration("severity", Severity::parse, Severity::expected);
            let services = r.slug_list("services");
            let started_at = r.instant("started_at");
            let detected_at = r.opt_instant("detected_at");
            let acknowledged_at = r.opt_instant("acknowledged_at");
            let mitigated_at = r.opt_instant("mitigated_at");
            let resolved_at = r.opt_instant("resolved_at");
            // started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved, wherever present.
            let chain = [
                ("started_at", started_at),
                ("detected_at", detected_at),
                ("acknowledged_at", acknowledged_at),
                ("mitigated_at", mitigated_at),
                ("resolved_at", resolved_at),
            ];
            let mut latest: Option<(&str, chrono::DateTime<chrono::Utc>)> = None;
            for (name, value) in chain {
                let Some(value) = value else { continue };
                if let Some((earlier_name, earlier)) = latest
                    && value < earlier
                {
                    r.fail(name, format!("must not be before {earlier_name} ({value} < {earlier})"));
                    continue;
                }
                latest = Some((name, value));
            }
            let customer_impacting = r.opt_bool("customer_impacting").unwrap_or(false);
            let customer_impact_minutes = r.opt_count("customer_impact_minutes");
            let data_loss_minutes = r.opt_count("data_loss_minutes");
            let mitigated_by = r.opt_enum("mitigated_by", MitigatedBy::parse, MitigatedBy::expected);
            if mitigated_by.is_some() && mitigated_at.is_none() {
                r.fail("mitigated_by", "names who mitigated the incident: give mitigated_at too");
            }
            let change_related = r.opt_bool("change_related").unwrap_or(false);
            let root_cause_category = r.opt_text("root_cause_category");
            let repeat_of = r.opt_external_id("repeat_of");
            if repeat_of.is_some() && repeat_of == external_id {
                r.fail("repeat_of", "an incident cannot repeat itself");
            }
            let status = r.opt_enum("status", IncidentStatus::parse, IncidentStatus::expected).unwrap_or(
                if resolved_at.is_some() {
                    IncidentStatus::Resolved
                } else if mitigated_at.is_some() {
                    IncidentStatus::Mitigated
                } else {
                    IncidentStatus::Open
                },
            );
            let timeline = r.timeline("timeline");
            Some(IncidentInput {
                external_id: external_id?,
                title: title?,
                severity: severity?,
                services: services?,
                started_at: started_at?,
                detected_at,
                acknowledged_at,
                mitigated_at,
                resolved_at,
                customer_impacting,
                customer_impact_minutes,
                data_loss_minutes,
                mitigated_by,
                change_related,
                root_cause_category,
                repeat_of,
                status,
                timeline: timeline?,
            })
        })
    }

    fn external_key(&self) -> Option<&str> {
        Some(&self.external_id)
    }

    fn same_kind_reference(&self) -> Option<&str> {
        self.repeat_of.as_deref()
    }
}

impl IngestRecord for PostmortemInput {
    const KIND: RecordKind = RecordKind::Postmortems;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let incident = r.external_id("incident");
            let status = r.enumeration("status", PostmortemStatus::parse, PostmortemStatus::expected);
            let published_at = r.opt_instant("published_at");
            let published_at_invalid = r.errors.iter().any(|e| e.field.as_deref() == Some("published_at"));
            if status == Some(PostmortemStatus::Published) && published_at.is_none() && !published_at_invalid {
                r.fail("published_at", "is required when status is published");
            }
            let url = r.opt_url("url");
            Some(PostmortemInput { incident: incident?, status: status?, published_at, url })
        })
    }
}

impl IngestRecord for ActionInput {
    const KIND: RecordKind = RecordKind::Actions;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let external_id = r.external_id("external_id");
            let incident = r.opt_external_id("incident");
            let service = r.slug("service");
            let title = r.text("title");
            let owner = r.opt_text("owner");
            let priority = r.opt_text("priority");
            let due_date = r.opt_date("due_date");
            let status = r.enumeration("status", ActionStatus::parse, ActionStatus::expected);
            let completed_at = r.opt_instant("completed_at");
            match (status, completed_at) {
                (Some(ActionStatus::Done), None) => r.fail("completed_at", "is required when status is done"),
                (Some(ActionStatus::Open), Some(_)) => r.fail("completed_at", "must be empty while the action is open"),
                _ => {}
            }
            Some(ActionInput {
                external_id: external_id?,
                incident,
                service: service?,
                title: title?,
                owner,
                priority,
                due_date,
                status: status?,
                completed_at,
            })
        })
    }
}

impl IngestRecord for DrTestInput {
    const KIND: RecordKind = RecordKind::DrTests;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let external_id = r.external_id("external_id");
            let service = r.slug("service");
            let scenario = r.enumeration("scenario", DrScenario::parse, DrScenario::expected);
            let performed_at = r.instant("performed_at");
            let outcome = r.enumeration("outcome", DrOutcome::parse, DrOutcome::expected);
            let rto_target_minutes = r.opt_count("rto_target_minutes");
            let rto_achieved_minutes = r.opt_count("rto_achieved_minutes");
            let rpo_target_minutes = r.opt_count("rpo_target_minutes");
            let rpo_achieved_minutes = r.opt_count("rpo_achieved_minutes");
            let evidence_url = r.opt_url("evidence_url");
            let notes = r.opt_text("notes");
            Some(DrTestInput {
                external_id: external_id?,
                service: service?,
                scenario: scenario?,
                performed_at: performed_at?,
                outcome: outcome?,
                rto_target_minutes,
                rto_achieved_minutes,
                rpo_target_minutes,
                rpo_achieved_minutes,
                evidence_url,
                notes,
            })
        })
    }
}

impl IngestRecord for DeploymentInput {
    const KIND: RecordKind = RecordKind::Deployments;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let external_id = r.external_id("external_id");
            let service = r.slug("service");
            let deployed_at = r.instant("deployed_at");
            let outcome = r.enumeration("outcome", DeploymentOutcome::parse, DeploymentOutcome::expected);
            let incident = r.opt_external_id("incident");
            let (author, approved_by) = (r.opt_text("author"), r.opt_text("approved_by"));
            let change_ticket = r.opt_text("change_ticket");
            let emergency = r.opt_bool("emergency").unwrap_or(false);
            Some(DeploymentInput {
                external_id: external_id?,
                service: service?,
                deployed_at: deployed_at?,
                outcome: outcome?,
                incident,
                author,
                approved_by,
                change_ticket,
                emergency,
            })
        })
    }
}

impl IngestRecord for AlertInput {
    const KIND: RecordKind = RecordKind::Alerts;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let external_id = r.external_id("external_id");
            let service = r.slug("service");
            let rule = r.text("rule");
            let fired_at = r.instant("fired_at");
            let acknowledged_at = r.opt_instant("acknowledged_at");
            let resolved_at = r.opt_instant("resolved_at");
            for (field, at) in [("acknowledged_at", acknowledged_at), ("resolved_at", resolved_at)] {
                if let (Some(fired), Some(at)) = (fired_at, at)
                    && at < fired
                {
                    r.fail(field, "must not be before fired_at");
                }
            }
            let paged = r.bool("paged");
            let urgency = r.opt_text("urgency");
            let responder = r.opt_text("responder");
            let escalations = r.opt_count("escalations");
            let auto_resolved = r.opt_bool("auto_resolved");
            let disposition = r.opt_enum("disposition", AlertDisposition::parse, AlertDisposition::expected);
            let incident = r.opt_external_id("incident");
            let labels = r.opt_labels("labels");
            Some(AlertInput {
                external_id: external_id?,
                service: service?,
                rule: rule?,
                fired_at: fired_at?,
                acknowledged_at,
                resolved_at,
                paged: paged?,
                urgency,
                responder,
                escalations,
                auto_resolved,
                disposition,
                incident,
                labels,
            })
        })
    }
}

/// The longest on-call shift accepted: a longer one is a data error (a rotation exported as
/// one shift), and would make "pages per shift" meaningless.
const MAX_SHIFT_DAYS: i64 = 31;

impl IngestRecord for OncallShiftInput {
    const KIND: RecordKind = RecordKind::OncallShifts;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let team = r.slug("team");
            let schedule = r.text("schedule");
            let person = r.text("person");
            let starts_at = r.instant("starts_at");
            let ends_at = r.instant("ends_at");
            if let (Some(starts), Some(ends)) = (starts_at, ends_at) {
                if ends <= starts {
                    r.fail("ends_at", "must be after starts_at");
                } else if ends - starts > chrono::TimeDelta::days(MAX_SHIFT_DAYS) {
                    r.fail("ends_at", format!("must be at most {MAX_SHIFT_DAYS} days after starts_at"));
                }
            }
            Some(OncallShiftInput {
                team: team?,
                schedule: schedule?,
                person: person?,
                starts_at: starts_at?,
                ends_at: ends_at?,
            })
        })
    }
}

impl IngestRecord for CapacityMeasurementInput {
    const KIND: RecordKind = RecordKind::CapacityMeasurements;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let service = r.slug("service");
            let resource = r.text("resource").map(|t| t.trim().to_owned());
            if resource.as_ref().is_some_and(|t| t.chars().count() > 100) {
                r.fail("resource", "must be at most 100 characters");
            }
            let day = r.date("day");
            let peak_used = r.number("peak_used");
            if peak_used.is_some_and(|p| p < 0.0) {
                r.fail("peak_used", "must not be negative");
            }
            let capacity = r.number("capacity");
            if capacity.is_some_and(|c| c <= 0.0) {
                r.fail("capacity", "must be more than 0");
            }
            Some(CapacityMeasurementInput {
                service: service?,
                resource: resource?,
                day: day?,
                peak_used: peak_used?,
                capacity: capacity?,
            })
        })
    }
}

/// The longest survey comment kept.
const MAX_COMMENT_CHARS: usize = 2000;

impl IngestRecord for SurveyResponseInput {
    const KIND: RecordKind = RecordKind::SurveyResponses;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let survey = r.external_id("survey");
            let respondent = r.text("respondent").and_then(|text| {
                let hash = text.trim().to_ascii_lowercase();
                if (32..=128).contains(&hash.len()) && hash.chars().all(|c| c.is_ascii_hexdigit()) {
                    Some(hash)
                } else {
                    r.fail(
                        "respondent",
                        "must be a hash of who answered (32 to 128 hex digits, e.g. SHA-256), never their name or e-mail",
                    );
                    None
                }
            });
            let role = r.text("role").map(|t| t.trim().to_owned());
            if role.as_ref().is_some_and(|t| t.chars().count() > 60) {
                r.fail("role", "must be at most 60 characters");
            }
            let team = r.opt_text("team").and_then(|text| match Slug::parse(text.trim()) {
                Ok(slug) => Some(slug),
                Err(message) => {
                    r.fail("team", message);
                    None
                }
            });
            let answered_at = r.instant("answered_at");
            let score = r.int("score").and_then(|n| match u8::try_from(n) {
                Ok(score) if (1..=5).contains(&score) => Some(score),
                _ => {
                    r.fail("score", format!("must be a whole number from 1 to 5, got {n}"));
                    None
                }
            });
            let comment = r.opt_text("comment");
            if comment.as_ref().is_some_and(|t| t.chars().count() > MAX_COMMENT_CHARS) {
                r.fail("comment", "must be at most 2,000 characters");
            }
            Some(SurveyResponseInput {
                survey: survey?,
                respondent: respondent?,
                role: role?,
                team,
                answered_at: answered_at?,
                score: score?,
                comment,
            })
        })
    }
}

impl IngestRecord for CostInput {
    const KIND: RecordKind = RecordKind::Costs;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let service = r.slug("service");
            let month = r.text("month").and_then(|text| match parse_month(&text) {
                Some(first) => Some(first),
                None => {
                    r.fail("month", format!("must be a month as YYYY-MM (or its first day, YYYY-MM-01), got '{text}'"));
                    None
                }
            });
            let amount = r.number("amount");
            if amount.is_some_and(|a| a < 0.0) {
                r.fail("amount", "must not be negative (send a credit as a lower amount for the month)");
            }
            let currency = r.text("currency").and_then(|text| {
                let code = text.trim();
                if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
                    Some(code.to_owned())
                } else {
                    r.fail(
                        "currency",
                        format!("must be an ISO 4217 code in capitals such as EUR or USD, got '{text}'"),
                    );
                    None
                }
            });
            let unit_driver = r.text("unit_driver").map(|t| t.trim().to_owned());
            if unit_driver.as_ref().is_some_and(|t| t.chars().count() > 60) {
                r.fail("unit_driver", "must be at most 60 characters");
            }
            let units = r.number("units");
            if units.is_some_and(|u| u <= 0.0) {
                r.fail("units", "must be more than 0: a unit cost divides the amount by them");
            }
            Some(CostInput {
                service: service?,
                month: month?,
                amount: amount?,
                currency: currency?,
                unit_driver: unit_driver?,
                units: units?,
            })
        })
    }
}

/// `2026-11` or `2026-11-01` as the month's first day; any other day is refused.
fn parse_month(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let first = match text.len() {
        7 => NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok()?,
        10 => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?,
        _ => return None,
    };
    (first.day() == 1).then_some(first)
}

impl IngestRecord for RemediationInput {
    const KIND: RecordKind = RecordKind::Remediations;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let service = r.slug("service");
            let failure_mode = r.text("failure_mode").map(|m| m.trim().to_owned());
            if failure_mode.as_ref().is_some_and(|m| m.chars().count() > 200) {
                r.fail("failure_mode", "must be at most 200 characters: it names a root-cause category");
            }
            let automation = r.enumeration("automation", Automation::parse, Automation::expected);
            let runbook_url = r.opt_url("runbook_url");
            let last_exercised_at = r.opt_instant("last_exercised_at");
            Some(RemediationInput {
                service: service?,
                failure_mode: failure_mode?,
                automation: automation?,
                runbook_url,
                last_exercised_at,
            })
        })
    }
}

/// The most hours a team can report for one day of a span: a bound that catches a report in
/// minutes or a team's year sent as a week, not a staffing rule.
const MAX_TOIL_HOURS_PER_DAY: f64 = 24.0 * 1000.0;

impl IngestRecord for ToilReportInput {
    const KIND: RecordKind = RecordKind::ToilReports;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        read(Self::KIND, row, |r| {
            let team = r.slug("team");
            let span = r.enumeration("period", ToilSpan::parse, ToilSpan::expected);
            let period_start = r.date("period_start");
            if let (Some(span), Some(start)) = (span, period_start)
                && !span.starts_on(start)
            {
                r.fail(
                    "period_start",
                    match span {
                        ToilSpan::Week => "a week's report starts on a Monday",
                        ToilSpan::Month => "a month's report starts on the 1st",
                    },
                );
            }
            let hours_total = r.number("hours_total");
            let hours_toil = r.number("hours_toil");
            if let Some(total) = hours_total {
                let days = match (span, period_start) {
                    (Some(span), Some(start)) => (span.end_after(start) - start).num_days().max(1) as f64,
                    _ => 31.0,
                };
                if total <= 0.0 {
                    r.fail("hours_total", "must be more than 0 (a team that worked no hours has nothing to report)");
                } else if total > MAX_TOIL_HOURS_PER_DAY * days {
                    r.fail("hours_total", "is more than 24,000 hours a day: are these minutes?");
                }
            }
            if let Some(toil) = hours_toil {
                if toil < 0.0 {
                    r.fail("hours_toil", "must not be negative");
                } else if let Some(total) = hours_total
                    && toil > total
                {
                    r.fail("hours_toil", "must not be more than hours_total");
                }
            }
            let category = r.opt_text("category");
            let method = r.enumeration("method", ToilMethod::parse, ToilMethod::expected);
            Some(ToilReportInput {
                team: team?,
                span: span?,
                period_start: period_start?,
                hours_total: hours_total?,
                hours_toil: hours_toil?,
                category,
                method: method?,
            })
        })
    }
}

impl IngestRecord for ExemptionInput {
    const KIND: RecordKind = RecordKind::Exemptions;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        use crate::domain::scorecard::CheckId;
        read(Self::KIND, row, |r| {
            let service = r.slug("service");
            let check = r.enumeration("check", CheckId::parse, CheckId::expected);
            let reason = r.text("reason");
            let approver = r.text("approver");
            let expires_at = r.instant("expires_at");
            Some(ExemptionInput {
                service: service?,
                check: check?,
                reason: reason?,
                approver: approver?,
                expires_at: expires_at?,
            })
        })
    }
}

impl IngestRecord for SelfAssessmentInput {
    const KIND: RecordKind = RecordKind::SelfAssessments;

    fn from_row(row: &RawRow) -> Result<Self, Vec<FieldError>> {
        use crate::domain::scorecard::ReadinessAnswer;
        read(Self::KIND, row, |r| {
            let service = r.slug("service");
            let item = r.text("item");
            if let Some(text) = &item {
                let valid = text.len() <= 100
                    && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'-'));
                if !valid {
                    r.fail("item", "must be a checklist item id: at most 100 of a-z, 0-9, '_' and '-'");
                }
            }
            let answer = r.enumeration("answer", ReadinessAnswer::parse, ReadinessAnswer::expected);
            let evidence_url = r.opt_url("evidence_url");
            let comment = r.opt_text("comment");
            let answered_by = r.text("answered_by");
            let answered_at = r.instant("answered_at");
            let reviewed_by = r.opt_text("reviewed_by");
            let reviewed_at = r.opt_instant("reviewed_at");
            if answer == Some(ReadinessAnswer::NotApplicable) && comment.is_none() {
                r.fail("comment", "an n/a answer needs the reason it does not apply");
            }
            if reviewed_by.is_some() != reviewed_at.is_some() {
                r.fail("reviewed_at", "reviewed_by and reviewed_at go together");
            }
            if let (Some(answered), Some(reviewed)) = (answered_at, reviewed_at)
                && reviewed < answered
            {
                r.fail("reviewed_at", "must not be before answered_at");
            }
            if let (Some(by), Some(reviewer)) = (&answered_by, &reviewed_by)
                && by.trim().eq_ignore_ascii_case(reviewer.trim())
            {
                r.fail("reviewed_by", "must be someone other than the person who answered");
            }
            Some(SelfAssessmentInput {
                service: service?,
                item: item?,
                answer: answer?,
                evidence_url,
                comment,
                answered_by: answered_by?,
                answered_at: answered_at?,
                reviewed_by,
                reviewed_at,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Cell;
    use super::*;
    use serde_json::json;

    fn json_row(value: serde_json::Value) -> RawRow {
        let mut row = RawRow::new(1);
        if let serde_json::Value::Object(map) = value {
            for (k, v) in map {
                row.cells.push((k, Cell::Json(v)));
            }
        }
        row
    }

    fn fields_in_error<T: IngestRecord + std::fmt::Debug>(value: serde_json::Value) -> Vec<Option<String>> {
        T::from_row(&json_row(value)).expect_err("should be rejected").into_iter().map(|e| e.field).collect()
    }

    /// An SLO row with every required field, and `extra`'s.
    fn slo(extra: serde_json::Value) -> serde_json::Value {
        let mut row = json!({"service": "api", "slug": "avail", "name": "A", "indicator": "availability",
                             "objective": 99.9});
        for (k, v) in extra.as_object().expect("object") {
            row[k] = v.clone();
        }
        row
    }

    #[test]
    fn an_slo_names_all_of_its_prometheus_source_or_none() {
        let pulled = SloInput::from_row(&json_row(slo(json!({
            "prometheus_url": "http://prom:9090/", "good_query": "requests_total{code!~\"5..\"}",
            "total_query": "requests_total"
        }))))
        .expect("valid");
        let source = pulled.prometheus.expect("a source");
        assert_eq!(
            (source.url.as_str(), source.good_query.as_str()),
            ("http://prom:9090", "requests_total{code!~\"5..\"}")
        );
        assert_eq!(SloInput::from_row(&json_row(slo(json!({})))).expect("valid").prometheus, None);
        let missing = fields_in_error::<SloInput>(slo(json!({"prometheus_url": "http://prom:9090"})));
        assert_eq!(missing, vec![Some("good_query".to_owned()), Some("total_query".to_owned())]);
        for (field, extra) in [
            ("good_query", json!({"good_query": "rate(requests_total[5m])"})),
            ("good_query", json!({"good_query": "requests_total[1d]"})),
            ("prometheus_url", json!({"prometheus_url": "ftp://prom"})),
            ("prometheus_url", json!({"prometheus_url": "http://admin:pw@prom:9090"})),
            ("prometheus_url", json!({"prometheus_url": "http://prom:9090/?x=1"})),
        ] {
            let mut row = slo(json!({"prometheus_url": "http://prom:9090", "good_query": "a", "total_query": "b"}));
            for (k, v) in extra.as_object().expect("object") {
                row[k] = v.clone();
            }
            assert_eq!(fields_in_error::<SloInput>(row), vec![Some(field.to_owned())], "{extra}");
        }
        let quoted = slo(json!({"prometheus_url": "http://prom:9090", "good_query": "a{path=~\"/v1/(x|y)\"}",
                                "total_query": "a"}));
        assert!(SloInput::from_row(&json_row(quoted)).is_ok(), "brackets inside a label value are fine");
    }

    #[test]
    fn an_slo_window_is_rolling_or_calendar_never_both() {
        let window = |extra| SloInput::from_row(&json_row(slo(extra))).expect("valid").window;
        assert_eq!(window(json!({})), SloWindow::Rolling { days: 28 });
        assert_eq!(
            window(json!({"calendar_window": "1Q"})),
            SloWindow::Calendar { start: default_calendar_start(), length: CalendarLength::Months(3) }
        );
        let start = NaiveDate::from_ymd_opt(2022, 1, 1).expect("day");
        assert_eq!(
            window(json!({"calendar_window": "1w", "calendar_start": "2022-01-01"})),
            SloWindow::Calendar { start, length: CalendarLength::Days(7) }
        );
        let ratio = SloInput::from_row(&json_row(slo(json!({"budgeting": "ratio_timeslices"})))).expect("valid");
        assert_eq!(ratio.budgeting, Budgeting::RatioTimeslices);
        for (extra, field) in [
            (json!({"calendar_window": "1M", "window_days": 30}), "window_days"),
            (json!({"calendar_start": "2022-01-01"}), "calendar_start"),
            (json!({"calendar_window": "1m"}), "calendar_window"),
            (json!({"calendar_window": "13M"}), "calendar_window"),
            (json!({"window_days": 367}), "window_days"),
        ] {
            assert_eq!(fields_in_error::<SloInput>(slo(extra.clone())), vec![Some(field.to_owned())], "{extra}");
        }
    }

    #[test]
    fn an_alert_keeps_its_labels_canonical_and_leaves_an_absent_disposition_open() {
        let text = Cell::Text(r#"{"env":"prod","app":"checkout"}"#.to_owned());
        let mut row = json_row(json!({
            "external_id": "A-1", "service": "checkout", "rule": "HighErrorRate",
            "fired_at": "2026-11-20T03:10:00+01:00", "paged": "yes"
        }));
        row.cells.push(("labels".to_owned(), text));
        let alert = AlertInput::from_row(&row).expect("valid");
        assert_eq!(alert.labels.as_deref(), Some(r#"{"app":"checkout","env":"prod"}"#), "keys sorted");
        assert_eq!(alert.disposition, None, "absent: the stored one is kept");
        assert!(alert.paged);
        assert_eq!(alert.fired_at.to_rfc3339(), "2026-11-20T02:10:00+00:00");
    }

    #[test]
    fn alert_rules_are_reported_field_by_field() {
        let fields = fields_in_error::<AlertInput>(json!({
            "external_id": "A-1", "service": "checkout", "rule": "R", "fired_at": "2026-11-20T03:10:00Z",
            "resolved_at": "2026-11-20T03:00:00Z", "disposition": "maybe", "labels": {"n": 1}, "escalations": -1
        }));
        for field in ["resolved_at", "disposition", "labels", "escalations", "paged"] {
            assert!(fields.contains(&Some(field.to_owned())), "{field} in {fields:?}");
        }
    }

    #[test]
    fn a_shift_ends_after_it_starts_and_within_31_days() {
        let shift = |ends: &str| {
            json!({"team": "payments", "schedule": "primary", "person": "p-1",
                   "starts_at": "2026-11-01T09:00:00Z", "ends_at": ends})
        };
        assert!(OncallShiftInput::from_row(&json_row(shift("2026-11-08T09:00:00Z"))).is_ok());
        assert_eq!(
            fields_in_error::<OncallShiftInput>(shift("2026-11-01T09:00:00Z")),
            vec![Some("ends_at".to_owned())]
        );
        assert_eq!(
            fields_in_error::<OncallShiftInput>(shift("2026-12-03T09:00:00Z")),
            vec![Some("ends_at".to_owned())]
        );
    }

    #[test]
    fn a_capacity_measurement_needs_a_capacity_above_0_and_may_run_over_it() {
        let row = |peak: f64, capacity: f64| json!({"service": "api", "resource": "cpu", "day": "2026-11-02", "peak_used": peak, "capacity": capacity});
        assert!(CapacityMeasurementInput::from_row(&json_row(row(80.0, 64.0))).is_ok(), "running over is data");
        assert_eq!(fields_in_error::<CapacityMeasurementInput>(row(1.0, 0.0)), [Some("capacity".to_owned())]);
        assert_eq!(fields_in_error::<CapacityMeasurementInput>(row(-1.0, 4.0)), [Some("peak_used".to_owned())]);
    }

    #[test]
    fn a_survey_response_names_a_hashed_respondent_and_a_score_from_1_to_5() {
        let row = |respondent: &str, score: i64| {
            json!({"survey": "2026-q3", "respondent": respondent, "role": "product manager", "team": "payments",
                   "answered_at": "2026-08-03T10:00:00Z", "score": score, "comment": "Faster, please"})
        };
        let hash = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
        let response = SurveyResponseInput::from_row(&json_row(row(hash, 4))).unwrap();
        assert_eq!(response.respondent, hash.to_ascii_lowercase());
        assert_eq!(response.team.map(|t| t.to_string()).as_deref(), Some("payments"));
        assert_eq!(fields_in_error::<SurveyResponseInput>(row("ada@example.com", 4)), [Some("respondent".to_owned())]);
        assert_eq!(fields_in_error::<SurveyResponseInput>(row(hash, 0)), [Some("score".to_owned())]);
        assert_eq!(fields_in_error::<SurveyResponseInput>(row(hash, 6)), [Some("score".to_owned())]);
    }

    #[test]
    fn a_cost_names_its_month_a_currency_code_and_units_above_0() {
        let row = |month: &str, amount: f64, currency: &str, units: f64| json!({"service": "api", "month": month, "amount": amount, "currency": currency, "unit_driver": "requests", "units": units});
        let cost = CostInput::from_row(&json_row(row("2026-11", 1240.5, "EUR", 3.1e6))).unwrap();
        assert_eq!(cost.month.to_string(), "2026-11-01");
        assert_eq!(CostInput::from_row(&json_row(row("2026-11-01", 0.0, "USD", 1.0))).unwrap().amount, 0.0);
        assert_eq!(fields_in_error::<CostInput>(row("2026-11-02", 1.0, "EUR", 1.0)), [Some("month".to_owned())]);
        assert_eq!(fields_in_error::<CostInput>(row("2026-13", 1.0, "EUR", 1.0)), [Some("month".to_owned())]);
        assert_eq!(fields_in_error::<CostInput>(row("2026-11", -1.0, "EUR", 1.0)), [Some("amount".to_owned())]);
        assert_eq!(fields_in_error::<CostInput>(row("2026-11", 1.0, "eur", 1.0)), [Some("currency".to_owned())]);
        assert_eq!(fields_in_error::<CostInput>(row("2026-11", 1.0, "€", 1.0)), [Some("currency".to_owned())]);
        assert_eq!(fields_in_error::<CostInput>(row("2026-11", 1.0, "EUR", 0.0)), [Some("units".to_owned())]);
    }

    #[test]
    fn a_toil_report_starts_where_its_span_does_and_counts_no_more_toil_than_hours() {
        let report = |period: &str, start: &str, total: f64, toil: f64| {
            json!({"team": "payments", "period": period, "period_start": start, "hours_total": total,
                   "hours_toil": toil, "method": "time_tracking"})
        };
        let read = ToilReportInput::from_row(&json_row(report("week", "2026-11-02", 200.0, 50.0))).unwrap();
        assert_eq!((read.span, read.method, read.category), (ToilSpan::Week, ToilMethod::TimeTracking, None));
        assert!(ToilReportInput::from_row(&json_row(report("month", "2026-11-01", 800.0, 0.0))).is_ok());
        assert_eq!(
            fields_in_error::<ToilReportInput>(report("week", "2026-11-03", 200.0, 50.0)),
            [Some("period_start".to_owned())]
        );
        assert_eq!(
            fields_in_error::<ToilReportInput>(report("month", "2026-11-02", 200.0, 50.0)),
            [Some("period_start".to_owned())]
        );
        assert_eq!(
            fields_in_error::<ToilReportInput>(report("week", "2026-11-02", 40.0, 50.0)),
            [Some("hours_toil".to_owned())]
        );
        assert_eq!(
            fields_in_error::<ToilReportInput>(report("week", "2026-11-02", 0.0, 0.0)),
            [Some("hours_total".to_owned())]
        );
        assert_eq!(
            fields_in_error::<ToilReportInput>(report("week", "2026-11-02", 10.0, -1.0)),
            [Some("hours_toil".to_owned())]
        );
        assert_eq!(
            fields_in_error::<ToilReportInput>(report("week", "2026-11-02", 1.0e9, 1.0)),
            [Some("hours_total".to_owned())]
        );
        assert_eq!(
            fields_in_error::<ToilReportInput>(report("fortnight", "2026-11-02", 10.0, 1.0)),
            [Some("period".to_owned())]
        );
        let mut bad_method = report("week", "2026-11-02", 10.0, 1.0);
        bad_method["method"] = json!("guess");
        assert_eq!(fields_in_error::<ToilReportInput>(bad_method), [Some("method".to_owned())]);
    }

    #[test]
    fn incident_timestamps_out_of_order_are_rejected_on_the_later_field() {
        let fields = fields_in_error::<IncidentInput>(json!({
            "external_id": "INC-1", "title": "t", "severity": "SEV1", "services": ["a"],
            "started_at": "2026-07-01T10:00:00Z", "detected_at": "2026-07-01T09:00:00Z"
        }));
        assert_eq!(fields, vec![Some("detected_at".to_owned())]);
    }

    #[test]
    fn offsets_are_converted_to_utc() {
        let incident = IncidentInput::from_row(&json_row(json!({
            "external_id": "INC-1", "title": "t", "severity": "sev2", "services": ["a"],
            "started_at": "2026-07-01T12:00:00+02:00", "mitigated_at": "2026-07-01T10:30:00Z"
        })))
        .expect("valid");
        assert_eq!(incident.started_at.to_rfc3339(), "2026-07-01T10:00:00+00:00");
        assert_eq!(incident.status, IncidentStatus::Mitigated);
    }

    #[test]
    fn measurement_good_above_total_and_impossible_dates_are_rejected() {
        let fields = fields_in_error::<SloMeasurementInput>(json!({
            "service": "a", "slo": "b", "day": "2026-02-30", "good": 5, "total": 4
        }));
        assert_eq!(fields, vec![Some("day".to_owned()), Some("good".to_owned())]);
    }

    #[test]
    fn every_problem_is_reported_including_unknown_fields() {
        let errors = ServiceInput::from_row(&json_row(json!({"slug": "Bad Slug", "tier": 9, "colour": "red"})))
            .expect_err("invalid");
        let messages: Vec<String> = errors.iter().map(|e| format!("{:?}:{}", e.field, e.message)).collect();
        assert_eq!(errors.len(), 5, "{messages:?}");
        assert!(messages.iter().any(|m| m.contains("unknown field 'colour'")));
    }

    #[test]
    fn csv_text_cells_convert_to_types() {
        let row = RawRow::new(3)
            .with("external_id", Cell::Text("D-1".into()))
            .with("service", Cell::Text("api".into()))
            .with("deployed_at", Cell::Text("2026-07-01T00:00:00Z".into()))
            .with("outcome", Cell::Text("rolled_back".into()))
            .with("incident", Cell::Text(String::new()));
        let deployment = DeploymentInput::from_row(&row).expect("valid");
        assert_eq!(deployment.outcome, DeploymentOutcome::RolledBack);
        assert_eq!(deployment.incident, None);
    }

    #[test]
    fn objective_must_be_strictly_between_0_and_100() {
        for bad in [0.0, 100.0, -1.0] {
            let fields = fields_in_error::<SloInput>(json!({
                "service": "a", "slug": "b", "name": "n", "indicator": "availability", "objective": bad
            }));
            assert_eq!(fields, vec![Some("objective".to_owned())]);
        }
    }

    #[test]
    fn exemptions_name_a_known_check() {
        let fields = fields_in_error::<ExemptionInput>(json!({
            "service": "a", "check": "be_nice", "reason": "r", "approver": "ana", "expires_at": "2027-01-01T00:00:00Z"
        }));
        assert_eq!(fields, vec![Some("check".to_owned())]);
    }

    #[test]
    fn a_published_postmortem_without_a_time_is_reported_beside_other_problems() {
        let fields = fields_in_error::<PostmortemInput>(json!({
            "incident": "INC-1", "status": "published", "url": "ftp://x"
        }));
        assert_eq!(fields, vec![Some("published_at".to_owned()), Some("url".to_owned())]);
    }

    #[test]
    fn javascript_urls_are_refused() {
        let fields = fields_in_error::<PostmortemInput>(json!({
            "incident": "INC-1", "status": "draft", "url": "javascript:alert(1)"
        }));
        assert_eq!(fields, vec![Some("url".to_owned())]);
    }

    #[test]
    fn done_actions_need_a_completion_time() {
        let fields = fields_in_error::<ActionInput>(json!({
            "external_id": "A-1", "service": "a", "title": "t", "status": "done"
        }));
        assert_eq!(fields, vec![Some("completed_at".to_owned())]);
    }

    #[test]
    fn self_assessment_answers_are_checked_field_by_field() {
        let good = SelfAssessmentInput::from_row(&json_row(json!({
            "service": "api", "item": "runbook", "answer": "yes", "answered_by": "eve",
            "answered_at": "2026-07-01T00:00:00Z", "reviewed_by": "rob", "reviewed_at": "2026-07-02T00:00:00Z"
        })))
        .expect("valid");
        assert_eq!(good.answer, crate::domain::scorecard::ReadinessAnswer::Yes);
        assert_eq!(good.reviewed_by.as_deref(), Some("rob"));
        let fields = fields_in_error::<SelfAssessmentInput>(json!({
            "service": "api", "item": "Run Book", "answer": "n/a", "answered_by": "eve",
            "answered_at": "2026-07-02T00:00:00Z", "reviewed_by": "EVE", "reviewed_at": "2026-07-01T00:00:00Z"
        }));
        for field in ["item", "comment", "reviewed_at", "reviewed_by"] {
            assert!(fields.contains(&Some(field.to_owned())), "{field} in {fields:?}");
        }
        let fields = fields_in_error::<SelfAssessmentInput>(json!({
            "service": "api", "item": "runbook", "answer": "maybe", "answered_by": "eve",
            "answered_at": "2026-07-02T00:00:00Z", "reviewed_by": "rob"
        }));
        assert!(fields.contains(&Some("answer".into())) && fields.contains(&Some("reviewed_at".into())), "{fields:?}");
    }
}
