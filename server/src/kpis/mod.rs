//! KPIs over the stored records (docs/kpis.md): parses a request's period, scope and severity
//! filter, loads the period's populations ([`load`]) and runs the pure engine of
//! `app::domain::kpi` over them. Serves `GET /api/v1/kpis`, `GET /api/v1/slos`, the trend
//! and the drill-down to a KPI's population.

mod cache;
mod capacity;
pub mod changes;
mod cost;
pub mod derived;
mod drill_down_table;
mod figures;
pub mod first_record;
mod forecast;
mod history;
mod kept;
mod load;
mod mapping;
mod oncall;
mod query;
mod reports;
mod rollups;
mod scorecards;
mod slo_sums;
mod stale;
pub mod stored;
mod summary;
mod surveys;
mod toil;

pub use cache::{KpiCache, Lookup, VersionedCache, claim_refresh};
pub use drill_down_table::drill_down_table;
pub use figures::Figures;
pub use kept::{Keep, cached_kept};
pub use load::{LoadError, load};
pub use query::*;
pub use reports::*;
pub use rollups::{RollupReport, rollup_report};
pub use scorecards::{ScorecardFilter, ScorecardReport, scorecard_report};
pub use slo_sums::{daily_ratio_units_sql, slo_daily_rows};
pub use summary::{Summary, TREND_PERIODS, summary};
