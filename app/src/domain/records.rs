//! The typed records Plumbline ingests (docs/data-model.md), as they arrive from the outside world:
//! references are natural keys (slugs, external ids); the server resolves them to rows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A closed set of lowercase text values, parsed case-insensitively.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                let text = text.trim();
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(text))
            }

            /// The accepted values, for error messages.
            pub fn expected() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                Self::parse(&text).ok_or_else(|| serde::de::Error::custom(format!(
                    "expected one of {}", Self::expected()
                )))
            }
        }
    };
}

text_enum!(
    /// Whether a service is still run.
    Lifecycle { Active => "active", Retired => "retired" }
);
text_enum!(
    /// What an SLO's indicator measures.
    Indicator {
        Availability => "availability",
        Latency => "latency",
        Freshness => "freshness",
        Correctness => "correctness",
        Other => "other",
    }
);
text_enum!(
    /// How an SLO's error budget is counted.
    Budgeting {
        Occurrences => "occurrences",
        Timeslices => "timeslices",
        RatioTimeslices => "ratio_timeslices",
    }
);
text_enum!(
    /// Incident severity; SEV0 is the worst.
    Severity { Sev0 => "SEV0", Sev1 => "SEV1", Sev2 => "SEV2", Sev3 => "SEV3", Sev4 => "SEV4" }
);
text_enum!(
    /// Where an incident stands.
    IncidentStatus {
        Open => "open",
        Investigating => "investigating",
        Identified => "identified",
        Monitoring => "monitoring",
        Mitigated => "mitigated",
        Resolved => "resolved",
        Closed => "closed",
    }
);
text_enum!(
    PostmortemStatus { Draft => "draft", Published => "published" }
);
text_enum!(
    ActionStatus { Open => "open", Done => "done", WontDo => "wont_do" }
);
text_enum!(
    DrScenario {
        Failover => "failover",
        Restore => "restore",
        BackupVerification => "backup_verification",
        RegionEvacuation => "region_evacuation",
        Other => "other",
    }
);
text_enum!(
    DrOutcome { Pass => "pass", Partial => "partial", Fail => "fail" }
);
text_enum!(
    DeploymentOutcome { Success => "success", RolledBack => "rolled_back", Failed => "failed" }
);
text_enum!(
    /// What a person made of an alert when reviewing it.
    AlertDisposition {
        Actionable => "actionable",
        NonActionable => "non_actionable",
        Duplicate => "duplicate",
        FalsePositive => "false_positive",
        Unreviewed => "unreviewed",
    }
);

text_enum!(
    /// Who or what mitigated an incident.
    MitigatedBy { Human => "human", Automation => "automation", Mixed => "mixed" }
);
text_enum!(
    /// How far a failure mode's remediation is automated.
    Automation { None => "none", Partial => "partial", Full => "full" }
);
text_enum!(
    /// The span a toil report covers: a week (starting on a Monday) or a calendar month.
    ToilSpan { Week => "week", Month => "month" }
);
text_enum!(
    /// How a team arrived at its toil hours.
    ToilMethod { Survey => "survey", TimeTracking => "time_tracking", TicketLabels => "ticket_labels" }
);

impl Severity {
    /// 0 for SEV0 … 4 for SEV4, the stored form.
    pub fn level(self) -> i16 {
        match self {
            Severity::Sev0 => 0,
            Severity::Sev1 => 1,
            Severity::Sev2 => 2,
            Severity::Sev3 => 3,
            Severity::Sev4 => 4,
        }
    }

    pub fn from_level(level: i16) -> Option<Self> {
        Self::ALL.get(usize::try_from(level).ok()?).copied()
    }

    /// SEV0 and SEV1 (docs/kpis.md).
    pub fn is_high(self) -> bool {
        self.level() <= 1
    }
}

/// A URL-safe identifier of a team, service or SLO: lowercase letters, digits, `.`, `_`, `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 100;

    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let valid_chars =
            text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'));
        let starts_well = text.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        if text.is_empty() {
            Err("must not be empty".into())
        } else if text.len() > Self::MAX_LEN {
            Err(format!("must be at most {} characters", Self::MAX_LEN))
        } else if !valid_chars || !starts_well {
            Err("must start with a lowercase letter or digit and contain only a-z, 0-9, '.', '_' and '-'".into())
        } else {
            Ok(Slug(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Service criticality: 0 is the most critical, 3 the least.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tier(u8);

impl Tier {
    pub fn new(value: i64) -> Result<Self, String> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= 3)
            .map(Tier)
            .ok_or_else(|| format!("must be an integer from 0 to 3, got {value}"))
    }

    pub fn value(self) -> u8 {
        self.0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TeamInput {
    pub slug: Slug,
    pub name: String,
    /// An IANA zone (`Europe/Berlin`) its on-call hours are read in; the reporting zone if absent.
    pub time_zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ServiceInput {
    pub slug: Slug,
    pub name: String,
    pub tier: Tier,
    pub team: Slug,
    pub lifecycle: Lifecycle,
    /// Recovery time objective: the longest an outage may last, in minutes.
    pub rto_target_minutes: Option<i64>,
    /// Recovery point objective: the most data it may lose, in minutes of writes.
    pub rpo_target_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SloInput {
    pub service: Slug,
    pub slug: Slug,
    pub name: String,
    pub indicator: Indicator,
    /// Percent, strictly between 0 and 100.
    pub objective: f64,
    /// The error budget's window: rolling or calendar-aligned.
    pub window: crate::domain::kpi::SloWindow,
    pub budgeting: Budgeting,
    pub threshold_ms: Option<i64>,
    /// Where its daily good and total events are pulled from, instead of being imported.
    pub prometheus: Option<PrometheusSource>,
}

/// An SLO's Prometheus source (docs/ingestion.md §15): a server and two counter selectors, good
/// events and all events. Plumbline asks for `sum(increase(<selector>[<day>]))` at each day's end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrometheusSource {
    /// The server's base URL (`http://prometheus:9090`), without a trailing slash.
    pub url: String,
    pub good_query: String,
    pub total_query: String,
}

impl PrometheusSource {
    /// The base URL as given, checked: http or https, a host, no credentials (they would be
    /// stored and shown as plain text), no query or fragment.
    pub fn parse_url(text: &str) -> Result<String, String> {
        let text = text.trim().trim_end_matches('/');
        let Some(rest) = text.strip_prefix("http://").or_else(|| text.strip_prefix("https://")) else {
            return Err(format!("must be an http:// or https:// URL, got {text:?}"));
        };
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() {
            return Err("must name a host".to_owned());
        }
        if authority.contains('@') {
            return Err("must not carry credentials: put the server behind a proxy that adds them".to_owned());
        }
        if text.contains(['?', '#']) || text.chars().any(char::is_whitespace) {
            return Err("must be a base URL without spaces, query or fragment".to_owned());
        }
        Ok(text.to_owned())
    }

    /// A selector as given, checked: exactly one series selector, a metric name and/or label
    /// matchers in braces (`http_requests_total{code!~"5.."}`), and nothing else: Plumbline
    /// evaluates `sum(increase(<selector>[<day>]))` itself, and a query spliced into that must
    /// not be able to make it anything other than a count of that counter.
    pub fn check_selector(text: &str) -> Result<(), String> {
        if series_selector(text.trim()) {
            Ok(())
        } else {
            Err(format!(
                "must be one counter series selector like http_requests_total{{code!~\"5..\"}} (a metric name \
                 and label matchers, nothing else): Plumbline evaluates sum(increase(<selector>[1d])) itself, \
                 got {text:?}"
            ))
        }
    }
}

/// Whether `text` is exactly one PromQL series selector: `name`, `name{matchers}` or
/// `{matchers}`, matchers `label op "value"` (op `=`, `!=`, `=~`, `!~`; the value in double,
/// single or back quotes, with backslash escapes outside back quotes), separated by commas.
fn series_selector(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = 0;
    let is_name_start = |b: u8| b.is_ascii_alphabetic() || b == b'_' || b == b':';
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b':';
    let skip_spaces = |at: &mut usize| {
        while bytes.get(*at).is_some_and(|b| *b == b' ') {
            *at += 1;
        }
    };
    let has_name = bytes.first().is_some_and(|b| is_name_start(*b));
    if has_name {
        while bytes.get(at).is_some_and(|b| is_name(*b)) {
            at += 1;
        }
    }
    skip_spaces(&mut at);
    if at == bytes.len() {
        return has_name;
    }
    if bytes[at] != b'{' {
        return false;
    }
    at += 1;
    let mut matchers = 0;
    loop {
        skip_spaces(&mut at);
        match bytes.get(at) {
            // Also after a trailing comma, as PromQL allows.
            Some(b'}') => {
                at += 1;
                break;
            }
            Some(b) if is_name_start(*b) && *b != b':' => {}
            _ => return false,
        }
        while bytes.get(at).is_some_and(|b| is_name(*b) && *b != b':') {
            at += 1;
        }
        skip_spaces(&mut at);
        let op = match (bytes.get(at), bytes.get(at + 1)) {
            (Some(b'='), Some(b'~')) | (Some(b'!'), Some(b'=')) | (Some(b'!'), Some(b'~')) => 2,
            (Some(b'='), _) => 1,
            _ => return false,
        };
        at += op;
        skip_spaces(&mut at);
        let Some(&quote) = bytes.get(at).filter(|q| matches!(q, b'"' | b'\'' | b'`')) else { return false };
        at += 1;
        loop {
            match bytes.get(at) {
                None => return false,
                Some(b'\\') if quote != b'`' => at += 2,
                Some(b) if *b == quote => {
                    at += 1;
                    break;
                }
                Some(_) => at += 1,
            }
        }
        matchers += 1;
        skip_spaces(&mut at);
        match bytes.get(at) {
            Some(b',') => at += 1,
            Some(b'}') => {}
            _ => return false,
        }
    }
    skip_spaces(&mut at);
    at == bytes.len() && (has_name || matchers > 0)
}

#[cfg(test)]
mod selector_tests {
    use super::series_selector;

    #[test]
    fn only_one_plain_series_selector_passes() {
        for good in [
            "http_requests_total",
            "http_requests_total{code!~\"5..\"}",
            "a{p=~'/(x|y)', job=\"api\",}",
            "{__name__=\"a\", l=`raw\\`}",
            "a:b_c { l = \"v\\\"q\" }",
        ] {
            assert!(series_selector(good), "{good}");
        }
        for bad in [
            "",
            "{}",
            "rate(a[5m])",
            "a[1d]",
            "a{l='\"'}[1d])) or vector(1e9) or sum(increase(x",
            "a{l=\"x\"} or b",
            "a{l=\"unterminated}",
            "a{l}",
            "a{l=x}",
            "a b",
            "sum(a)",
        ] {
            assert!(!series_selector(bad), "{bad}");
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SloMeasurementInput {
    pub service: Slug,
    pub slo: Slug,
    pub day: NaiveDate,
    pub good: i64,
    pub total: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct IncidentInput {
    pub external_id: String,
    pub title: String,
    pub severity: Severity,
    pub services: Vec<Slug>,
    pub started_at: DateTime<Utc>,
    pub detected_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub mitigated_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub customer_impacting: bool,
    pub customer_impact_minutes: Option<i64>,
    /// Minutes of data lost (writes that could not be recovered), when known.
    pub data_loss_minutes: Option<i64>,
    /// Who or what mitigated it, when known.
    pub mitigated_by: Option<MitigatedBy>,
    pub change_related: bool,
    pub root_cause_category: Option<String>,
    pub repeat_of: Option<String>,
    pub status: IncidentStatus,
    /// Status updates as the source system kept them (a Statuspage incident's updates), oldest
    /// first; empty when none were sent.
    pub timeline: Vec<TimelineEntry>,
}

/// One update on an incident's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub status: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PostmortemInput {
    pub incident: String,
    pub status: PostmortemStatus,
    pub published_at: Option<DateTime<Utc>>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionInput {
    pub external_id: String,
    pub incident: Option<String>,
    pub service: Slug,
    pub title: String,
    pub owner: Option<String>,
    pub priority: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub status: ActionStatus,
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DrTestInput {
    pub external_id: String,
    pub service: Slug,
    pub scenario: DrScenario,
    pub performed_at: DateTime<Utc>,
    pub outcome: DrOutcome,
    pub rto_target_minutes: Option<i64>,
    pub rto_achieved_minutes: Option<i64>,
    pub rpo_target_minutes: Option<i64>,
    pub rpo_achieved_minutes: Option<i64>,
    pub evidence_url: Option<String>,
    pub notes: Option<String>,
}

/// A waiver of one scorecard check for one service until `expires_at` (docs/data-model.md).
#[derive(Debug, Clone, PartialEq)]
pub struct ExemptionInput {
    pub service: Slug,
    pub check: crate::domain::scorecard::CheckId,
    pub reason: String,
    pub approver: String,
    pub expires_at: DateTime<Utc>,
}

/// One answer of a service's readiness self-assessment (docs/data-model.md `self_assessment`): an
/// item of the policy's checklist, answered by someone and, once signed off, reviewed by
/// someone else. Only reviewed answers count towards the scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct SelfAssessmentInput {
    pub service: Slug,
    pub item: String,
    pub answer: crate::domain::scorecard::ReadinessAnswer,
    pub evidence_url: Option<String>,
    /// Why an item does not apply, or anything the reviewer should know.
    pub comment: Option<String>,
    pub answered_by: String,
    pub answered_at: DateTime<Utc>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentInput {
    pub external_id: String,
    pub service: Slug,
    pub deployed_at: DateTime<Utc>,
    pub outcome: DeploymentOutcome,
    pub incident: Option<String>,
    /// Who made the change, who approved it, its ticket, and whether it was an emergency change.
    pub author: Option<String>,
    pub approved_by: Option<String>,
    pub change_ticket: Option<String>,
    pub emergency: bool,
}

/// A page or notification sent to a person.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertInput {
    pub external_id: String,
    pub service: Slug,
    /// The alert's name (Alertmanager's `alertname`, PagerDuty's title).
    pub rule: String,
    pub fired_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Whether a person was notified.
    pub paged: bool,
    pub urgency: Option<String>,
    /// An opaque person id.
    pub responder: Option<String>,
    pub escalations: Option<i64>,
    pub auto_resolved: Option<bool>,
    /// `None`: keep the stored disposition (unreviewed for a new alert).
    pub disposition: Option<AlertDisposition>,
    pub incident: Option<String>,
    /// The source's labels as canonical JSON text (keys sorted).
    pub labels: Option<String>,
}

/// Who was on call for a team's schedule, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct OncallShiftInput {
    pub team: Slug,
    pub schedule: String,
    /// An opaque person id.
    pub person: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// One stakeholder's answer to a satisfaction survey (docs/kpis.md §10f). `respondent` is a
/// hash of who answered, never their id: Plumbline only needs to keep one answer per person and
/// survey.
#[derive(Debug, Clone, PartialEq)]
pub struct SurveyResponseInput {
    pub survey: String,
    /// Lower-case hex.
    pub respondent: String,
    pub role: String,
    /// The team the answer is about, if any.
    pub team: Option<Slug>,
    pub answered_at: DateTime<Utc>,
    /// 1 to 5.
    pub score: u8,
    pub comment: Option<String>,
}

/// What a service cost in one month in one currency, and the units of the driver it is divided
/// by (docs/kpis.md §10e): e.g. 1,240.50 EUR for 3.1 million `requests`.
#[derive(Debug, Clone, PartialEq)]
pub struct CostInput {
    pub service: Slug,
    /// The month's first day.
    pub month: NaiveDate,
    pub amount: f64,
    /// An ISO 4217 code, upper case: `EUR`, `USD`.
    pub currency: String,
    pub unit_driver: String,
    pub units: f64,
}

/// A service's peak use of one resource on one day against its capacity (docs/kpis.md §10d).
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityMeasurementInput {
    pub service: Slug,
    pub resource: String,
    pub day: NaiveDate,
    pub peak_used: f64,
    pub capacity: f64,
}

/// How a service remediates one failure mode (docs/kpis.md §10c): by hand, partly or fully
/// automated. `failure_mode` names the root-cause category incidents of that kind carry.
#[derive(Debug, Clone, PartialEq)]
pub struct RemediationInput {
    pub service: Slug,
    pub failure_mode: String,
    pub automation: Automation,
    pub runbook_url: Option<String>,
    pub last_exercised_at: Option<DateTime<Utc>>,
}

/// How many of a team's working hours in a week or month went to toil (docs/kpis.md §10b).
#[derive(Debug, Clone, PartialEq)]
pub struct ToilReportInput {
    pub team: Slug,
    pub span: ToilSpan,
    /// A Monday for a week, the 1st for a month.
    pub period_start: NaiveDate,
    pub hours_total: f64,
    pub hours_toil: f64,
    /// The main kind of toil, in the team's words.
    pub category: Option<String>,
    pub method: ToilMethod,
}

impl ToilSpan {
    /// The day after the span starting on `start` ends.
    pub fn end_after(self, start: NaiveDate) -> NaiveDate {
        match self {
            ToilSpan::Week => start + chrono::Days::new(7),
            ToilSpan::Month => start.checked_add_months(chrono::Months::new(1)).unwrap_or(NaiveDate::MAX),
        }
    }

    /// Whether `start` can begin such a span: a Monday, or a month's first day.
    pub fn starts_on(self, start: NaiveDate) -> bool {
        use chrono::Datelike;
        match self {
            ToilSpan::Week => start.weekday() == chrono::Weekday::Mon,
            ToilSpan::Month => start.day() == 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_parses_case_insensitively_and_knows_high() {
        assert_eq!(Severity::parse("sev1"), Some(Severity::Sev1));
        assert!(Severity::Sev1.is_high());
        assert!(!Severity::Sev2.is_high());
        assert_eq!(Severity::parse("SEV5"), None);
        assert_eq!(Severity::from_level(4), Some(Severity::Sev4));
    }

    #[test]
    fn slug_rejects_spaces_and_uppercase() {
        assert!(Slug::parse("payments-api").is_ok());
        assert!(Slug::parse("Payments").is_err());
        assert!(Slug::parse("a b").is_err());
        assert!(Slug::parse("").is_err());
        assert!(Slug::parse("-x").is_err());
    }

    #[test]
    fn tier_is_zero_to_three() {
        assert!(Tier::new(0).is_ok());
        assert!(Tier::new(3).is_ok());
        assert!(Tier::new(4).is_err());
        assert!(Tier::new(-1).is_err());
    }
}
