//! A team's On-call page: its pages of a period with their triage, the rules that paged most,
//! setting a disposition on one page or on every page of a rule, and the history of changes.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::kpi::RuleNoise;
use crate::error::AppError;

/// One page as the triage list shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriagePage {
    /// The alert's row id (what a triage form names).
    pub alert: i64,
    /// `source/external_id`.
    pub key: String,
    pub service: String,
    pub rule: String,
    pub fired_at: String,
    pub acknowledged_after: Option<String>,
    pub responder: Option<String>,
    pub disposition: String,
    /// Its labels, as imported (untrusted text: shown escaped).
    pub labels: Option<String>,
}

/// One triage change of the team's alerts (an audit event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriageEvent {
    pub at: String,
    pub actor: String,
    pub disposition: String,
    /// How many alerts it changed.
    pub alerts: u64,
    /// The rule, for a change of every page of a rule.
    pub rule: Option<String>,
    pub period: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamOncall {
    pub team: String,
    pub name: String,
    pub period: String,
    pub from: String,
    pub to: String,
    /// The team's rules that paged in the period, noisiest first (every one, not five).
    pub rules: Vec<RuleNoise>,
    /// The pages listed (latest first, at most [`TRIAGE_PAGE_ROWS`]) under the filters.
    pub pages: Vec<TriagePage>,
    /// Pages matching the filters in all.
    pub pages_total: u64,
    pub rule_filter: Option<String>,
    pub disposition_filter: Option<String>,
    /// The viewer may set dispositions (an admin, or an editor of this team).
    pub can_triage: bool,
    /// The latest triage changes, newest first.
    pub history: Vec<TriageEvent>,
    /// Who is on call now, per schedule.
    pub on_call_now: Vec<(String, String)>,
}

/// Pages the triage list shows at most.
pub const TRIAGE_PAGE_ROWS: u64 = 200;

#[server(endpoint = "team_oncall")]
pub async fn get_team_oncall(
    team: String,
    period: Option<String>,
    rule: Option<String>,
    disposition: Option<String>,
) -> Result<TeamOncall, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Read, "on-call pages")?;
    ports.oncall.team(principal, team, period, rule, disposition).await
}

/// Sets the disposition of one of the team's pages.
#[server(endpoint = "triage_alert")]
pub async fn triage_alert(
    team: String,
    alert: i64,
    disposition: String,
    note: Option<String>,
) -> Result<u64, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Ingest, "triaging pages")?;
    ports.oncall.triage(principal, team, crate::ports::TriageTarget::Alert(alert), disposition, note).await
}

/// Sets the disposition of every page of a rule in a period (only the unreviewed ones unless
/// `all` is set).
#[server(endpoint = "triage_rule")]
pub async fn triage_rule(
    team: String,
    rule: String,
    period: String,
    disposition: String,
    note: Option<String>,
    all: Option<String>,
) -> Result<u64, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Ingest, "triaging pages")?;
    let target = crate::ports::TriageTarget::Rule { rule, period, unreviewed_only: all.is_none() };
    ports.oncall.triage(principal, team, target, disposition, note).await
}
