//! The overview page: a period's headline KPIs with deltas, levels by tier, risks and trends
//! for the organisation, and the data summary under them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PeriodHeader;
use crate::domain::overview::{Headline, Risks, TierLevels, TrendSeries};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrgOverview {
    pub header: PeriodHeader,
    pub active_services: u64,
    pub headlines: Vec<Headline>,
    pub levels: Vec<TierLevels>,
    pub risks: Risks,
    /// The organisation's SLOs met, by indicator kind.
    pub indicators: Vec<crate::domain::kpi::IndicatorRow>,
    pub trends: Vec<TrendSeries>,
    /// Every team owning services, with its levels and headline KPIs.
    pub teams: Vec<crate::domain::report::TeamRow>,
    pub oncall: crate::domain::overview::OncallHealth,
    pub toil: crate::domain::overview::ToilPanel,
    pub automation: crate::domain::overview::AutomationPanel,
    pub capacity: crate::domain::overview::CapacityPanel,
    pub cost: crate::domain::overview::CostPanel,
    pub satisfaction: crate::domain::overview::SatisfactionPanel,
    /// The services that moved most since the previous period.
    pub movers: crate::domain::scorecard::movers::PeriodMovers,
    /// Which derivation of the figures under the header these are: the server derives them once
    /// per recompute and numbers each, so the same number is the same figures (and the page
    /// keeps their rendered HTML, `components::kept`). 0: not numbered.
    #[serde(default)]
    pub generation: u64,
}

/// The data summary under the overview: how much data there is, and whether it
/// is the generated demo organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub counts: Vec<KindCount>,
    pub demo_data: bool,
    pub last_import: Option<ImportSummary>,
    /// These are the counts before the latest imports; they are being counted again.
    #[serde(default)]
    pub recounting: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub kind: String,
    pub source: String,
    pub at: String,
    pub received: u64,
}

#[server(endpoint = "org_overview")]
pub async fn get_org_overview(period: Option<String>) -> Result<OrgOverview, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "the overview")?;
    ports.overview.org(period).await
}

#[server(endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "the data summary")?;
    ports.overview.data_summary().await
}
