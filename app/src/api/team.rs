//! A team's page: its services, headline KPIs, what to fix next, risks and trends.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PeriodHeader;
use crate::domain::overview::{Headline, Risks, TrendSeries};
use crate::domain::scorecard::{CheckStatus, Level};
use crate::error::AppError;

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
    /// Fail or no data.
    pub status: CheckStatus,
    pub levels_blocked: u8,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamView {
    pub team: String,
    pub name: String,
    pub header: PeriodHeader,
    pub services: Vec<TeamService>,
    /// Services whose tier can reach Silver under the policy (tier 3 cannot by default).
    pub silver_reachable: usize,
    pub headlines: Vec<Headline>,
    pub fix_next: Vec<FixView>,
    /// Checks to fix in all (the list is cut).
    pub fix_total: usize,
    pub risks: Risks,
    /// The period's incidents by root-cause category.
    pub causes: Vec<crate::domain::kpi::CauseRow>,
    /// The team's SLOs met, by indicator kind.
    pub indicators: Vec<crate::domain::kpi::IndicatorRow>,
    /// The period's repeats by where their earlier incident's actions stood.
    pub follow_ups: crate::domain::kpi::FollowUpCounts,
    /// DR tests and real incidents against the recovery objectives; all `None` before the
    /// organisation's first record.
    pub recovery: crate::domain::kpi::RecoveryFigures,
    pub trends: Vec<TrendSeries>,
    pub oncall: crate::domain::overview::OncallHealth,
    pub toil: crate::domain::overview::ToilPanel,
    pub automation: crate::domain::overview::AutomationPanel,
    pub capacity: crate::domain::overview::CapacityPanel,
    pub cost: crate::domain::overview::CostPanel,
    pub satisfaction: crate::domain::overview::SatisfactionPanel,
    /// The team's services that moved most since the previous period.
    pub movers: crate::domain::scorecard::movers::PeriodMovers,
    /// What breaks next in the team's services, from today; `None` while the first forecast is
    /// computed.
    pub forecast: Option<crate::domain::scorecard::forecast::ForecastReport>,
    /// Which derivation of the team's figures (all but the header, name and forecast) these
    /// are; the same number is the same figures, whose rendered HTML the page keeps
    /// (`components::kept`). 0: not numbered.
    #[serde(default)]
    pub generation: u64,
}

#[server(endpoint = "team")]
pub async fn get_team(slug: String, period: Option<String>) -> Result<TeamView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "team pages")?;
    ports.team.team(slug, period).await
}
