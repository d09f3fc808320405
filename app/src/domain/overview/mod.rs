//! What the org overview, the team page and the quarterly report show, computed purely from
//! KPI values, scorecards and loaded populations: headline figures with their deltas, the level
//! distribution by tier, top risks and trend series.

pub mod automation;
pub mod capacity;
pub mod cost;
pub mod headline;
mod levels;
pub mod oncall;
mod periods;
pub mod risks;
pub mod satisfaction;
#[cfg(test)]
mod tests;
pub mod toil;
mod trend;

pub use crate::domain::format::{Unit, format_delta, format_value};
pub use automation::{AutomationBreakdown, AutomationPanel, automation_panel};
pub use capacity::{CapacityBreakdown, CapacityPanel, capacity_panel};
pub use cost::{CostPanel, CostRow, CostVerdict, cost_panel};
pub use headline::{Direction, Headline, HeadlineKpi, Verdict, annotate, headlines};
pub use levels::{TierLevels, level_distribution};
pub use oncall::{OncallHealth, oncall_health};
pub use periods::period_choices;
pub use risks::{BudgetRisk, DrGap, IncidentHotspot, OverdueRisk, Risks, top_risks};
pub use satisfaction::{SatisfactionPanel, satisfaction_panel};
pub use toil::{ToilPanel, toil_panel};
pub use trend::{TRENDED, TrendSeries, axis_max, trend_series};
