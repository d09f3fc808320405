//! The service page's data: one service's scorecard for a period and the records behind it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PeriodHeader;
use crate::domain::kpi::SloDay;
use crate::domain::scorecard::{CheckStatus, Level};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceView {
    pub service: String,
    pub name: String,
    pub team: String,
    /// The team's name, as people know it.
    pub team_name: String,
    pub tier: u8,
    pub lifecycle: String,
    pub header: PeriodHeader,
    pub level: Option<Level>,
    pub score: Option<u8>,
    /// How the score is made, in words.
    pub score_explained: String,
    /// What it takes to reach the next level (`None` without a scorecard).
    pub next_level: Option<crate::domain::scorecard::NextLevel>,
    pub checks: Vec<CheckView>,
    pub slos: Vec<SloView>,
    pub incidents: Vec<IncidentView>,
    pub actions: Vec<ActionView>,
    pub dr_tests: Vec<DrTestView>,
    /// The service's recovery objectives and how real incidents kept them.
    pub recovery: RecoveryView,
    pub exemptions: Vec<ExemptionView>,
    /// Its pages of the period, latest first (at most a page's worth).
    pub pages: Vec<PageView>,
    /// Its level and score in the periods up to this one.
    pub history: Vec<crate::domain::scorecard::movers::HistoryPoint>,
    /// What breaks next in its scorecard, from today; `None` while the first forecast is
    /// computed.
    pub forecast: Option<crate::domain::scorecard::forecast::ForecastReport>,
}

/// One page (an alert that notified a person) as the service page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageView {
    pub id: String,
    pub rule: String,
    pub fired_at: String,
    /// Minutes from firing to acknowledgement, if acknowledged.
    pub to_acknowledge: Option<f64>,
    pub responder: Option<String>,
    /// `actionable`, `non_actionable`, `duplicate`, `false_positive` or `unreviewed`.
    pub disposition: String,
}

/// One scorecard check as the page shows it: values already formatted for reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckView {
    pub id: String,
    pub title: String,
    pub level: Level,
    /// Its share of the score.
    pub weight: u32,
    pub status: CheckStatus,
    pub value: String,
    pub threshold: String,
    pub explanation: String,
    /// Why and until when a waived check is waived.
    pub waiver: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloView {
    pub slo: String,
    pub name: String,
    /// What it measures, in words: "availability", "latency (within 300 ms)".
    pub measures: String,
    /// Percent (99.9 means 99.9 %).
    pub objective: f64,
    /// Its error budget window and how its days are judged, in words: "28-day rolling window",
    /// "calendar month, mean of daily ratios".
    pub window: String,
    pub attainment: Option<f64>,
    pub met: Option<bool>,
    pub budget_remaining: Option<f64>,
    pub burn_d1: Option<f64>,
    pub burn_d7: Option<f64>,
    pub burn_window: Option<f64>,
    pub days_with_data: u32,
    /// The period's days up to the as-of day, for the charts.
    pub daily: Vec<SloDay>,
    /// Where its measurements are pulled from, and how the last pull went; `None`: imported.
    pub source: Option<SloSourceView>,
}

/// An SLO's Prometheus source as the service page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SloSourceView {
    pub url: String,
    pub good_query: String,
    pub total_query: String,
    /// The last day pulled (a reporting day); `None` before the first pull wrote one.
    pub pulled_through: Option<String>,
    /// When the last pull ran; `None`: not yet.
    pub attempted_at: Option<String>,
    /// What the last pull could not do, in words.
    pub problem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncidentView {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub status: String,
    pub started_at: String,
    /// Minutes from start to detection, acknowledgement and resolution.
    pub to_detect: Option<i64>,
    pub to_acknowledge: Option<i64>,
    pub to_resolve: Option<i64>,
    pub customer_impact_minutes: Option<i64>,
    /// Minutes from start to restore (`mitigated_at`), what its RTO is held against.
    pub to_recover: Option<i64>,
    /// Minutes of data lost, when reported.
    pub data_loss_minutes: Option<i64>,
    /// Its postmortem: whether published, and the document's link if one was imported.
    pub postmortem: Option<PostmortemLink>,
}

/// An incident's postmortem as the service page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PostmortemLink {
    pub status: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionView {
    pub id: String,
    pub title: String,
    pub incident: Option<String>,
    pub owner: Option<String>,
    pub due_date: Option<String>,
    pub status: String,
    pub completed_at: Option<String>,
    /// Days past due as of today, for an open action past its due date.
    pub overdue_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DrTestView {
    pub id: String,
    pub performed_at: String,
    pub outcome: String,
    pub rto_target_minutes: Option<i64>,
    pub rto_achieved_minutes: Option<i64>,
    pub rpo_target_minutes: Option<i64>,
    pub rpo_achieved_minutes: Option<i64>,
    /// The evidence the test was recorded with (a report, a ticket), if imported.
    pub evidence_url: Option<String>,
}

/// A service's recovery objectives (docs/kpis.md §10) and the period's figures against them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecoveryView {
    pub rto_target_minutes: Option<i64>,
    pub rpo_target_minutes: Option<i64>,
    /// `restores_within_rto` of the service for the period (SEV0–1); `None`: no data.
    pub restores_within_rto: Option<f64>,
    /// `data_loss_within_rpo` of the service for the period (SEV0–1); `None`: no data.
    pub data_loss_within_rpo: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExemptionView {
    pub check: String,
    pub reason: String,
    pub approver: String,
    /// Approved in Plumbline by the approver (false: imported, not verified here).
    pub approved_in_plumbline: bool,
    pub expires_at: String,
    pub active: bool,
}

#[server(endpoint = "service")]
pub async fn get_service(slug: String, period: Option<String>) -> Result<ServiceView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "service pages")?;
    ports.service.service(slug, period).await
}
