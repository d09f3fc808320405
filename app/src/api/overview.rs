//! The org overview's and the team page's data: a period's headline KPIs with deltas, levels,
//! risks and trends, for the organisation or one team.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::overview::{Headline, Risks, TierLevels, TrendSeries};
use crate::domain::scorecard::Level;
use crate::error::AppError;

/// What every summary page says about its period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodHeader {
    pub period: String,
    pub previous: String,
    /// First and last day (inclusive), in the reporting time zone.
    pub from: String,
    pub to: String,
    pub as_of: String,
    /// The period has not ended: its figures still move.
    pub open: bool,
    pub definitions_version: String,
    pub policy_version: String,
    /// What the period picker offers, newest first.
    pub quarters: Vec<String>,
    pub months: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgOverview {
    pub header: PeriodHeader,
    pub active_services: u64,
    pub headlines: Vec<Headline>,
    pub levels: Vec<TierLevels>,
    pub risks: Risks,
    pub trends: Vec<TrendSeries>,
}

/// One of a team's services on its page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamService {
    pub service: String,
    pub tier: u8,
    pub level: Option<Level>,
    pub score: Option<u8>,
    /// Failing and no-data checks.
    pub to_fix: u32,
}

/// One check to fix, as "what to fix next" lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FixView {
    pub service: String,
    pub tier: u8,
    pub check: String,
    pub title: String,
    pub level: Level,
    /// `fail` or `no_data`.
    pub status: String,
    pub levels_blocked: u8,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamView {
    pub team: String,
    pub name: String,
    pub header: PeriodHeader,
    pub services: Vec<TeamService>,
    pub headlines: Vec<Headline>,
    pub fix_next: Vec<FixView>,
    /// Checks to fix in all (the list is cut).
    pub fix_total: usize,
    pub risks: Risks,
    pub trends: Vec<TrendSeries>,
}

#[server(endpoint = "org_overview")]
pub async fn get_org_overview(period: Option<String>) -> Result<OrgOverview, AppError> {
    crate::ssr::require(crate::domain::access::Access::Read, "the overview")?;
    crate::ssr::overview_source()?.org(period).await
}

#[server(endpoint = "team")]
pub async fn get_team(slug: String, period: Option<String>) -> Result<TeamView, AppError> {
    crate::ssr::require(crate::domain::access::Access::Read, "team pages")?;
    crate::ssr::overview_source()?.team(slug, period).await
}

/// The records behind one KPI value (the drill-down page), as a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationView {
    pub kpi: String,
    pub label: String,
    pub definition: String,
    /// The population rule with the period's bounds filled in.
    pub filter: String,
    pub period: String,
    pub scope: String,
    /// The duration KPIs' severity filter.
    pub severity: Vec<String>,
    /// The value as `GET /api/v1/kpis` reports it, for reading.
    pub value: String,
    /// The parts of a composite value ("days 1 30: 2, …"), if any.
    pub breakdown: Option<String>,
    pub count: usize,
    pub included: usize,
    pub counted: usize,
    /// The records' fields, in order.
    pub columns: Vec<String>,
    pub rows: Vec<PopulationRowView>,
    /// The JSON API call giving every record.
    pub api: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationRowView {
    pub cells: Vec<String>,
    /// The service page the record belongs to.
    pub service: Option<String>,
    pub included: bool,
    pub counted: bool,
    pub value: Option<f64>,
    pub note: Option<String>,
}

#[server(endpoint = "population")]
pub async fn get_population(
    kpi: String,
    period: Option<String>,
    scope: Option<String>,
    severity: Option<String>,
) -> Result<PopulationView, AppError> {
    crate::ssr::require(crate::domain::access::Access::Read, "KPI drill-downs")?;
    crate::ssr::overview_source()?.population(kpi, period, scope, severity).await
}

/// A quarter's executive report and whether it is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub report: crate::domain::report::QuarterlyReport,
    pub publication: crate::domain::report::Publication,
}

#[server(endpoint = "report")]
pub async fn get_report(period: String) -> Result<ReportView, AppError> {
    crate::ssr::require(crate::domain::access::Access::Read, "reports")?;
    crate::ssr::overview_source()?.report(period).await
}
