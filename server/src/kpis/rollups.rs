//! `GET /api/v1/kpis/rollups`: the KPIs of the organisation, of every tier and of every team for
//! one period, computed from a single load of the period's populations (what a quarterly report's
//! per-team table needs, without one round trip per team).

use std::collections::BTreeMap;

use app::domain::kpi::{Dataset, KPI_DEFINITIONS_VERSION, KpiValues, Period, Scope, SeverityFilter, compute_kpis};
use app::domain::records::{Severity, Slug};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::LoadError;
use super::load;

#[derive(Debug, Clone, Serialize)]
pub struct RollupReport {
    pub period: Period,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub definitions_version: &'static str,
    /// The duration KPIs' severity filter.
    pub severity: Vec<Severity>,
    pub org: KpiValues,
    /// By tier, 0–3.
    pub tiers: BTreeMap<u8, KpiValues>,
    /// By team slug (teams owning at least one service).
    pub teams: BTreeMap<Slug, KpiValues>,
}

pub async fn rollup_report<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    severity: SeverityFilter,
    now: DateTime<Utc>,
    settings: &app::domain::kpi::KpiSettings,
) -> Result<RollupReport, LoadError> {
    let data = load::load(db, period, now, &Scope::Org, settings).await?;
    Ok(rollups_of(&data, period, severity, now))
}

/// The roll-ups of a loaded organisation: teams partitioned in one pass over the records.
pub fn rollups_of(data: &Dataset, period: &Period, severity: SeverityFilter, now: DateTime<Utc>) -> RollupReport {
    let directory = data.directory();
    let compute = |scope: Scope| compute_kpis(period, now, &data.scoped_with(&scope, &directory), severity);
    let teams = data.scoped_by_team(&directory);
    RollupReport {
        period: *period,
        from: period.start(),
        to: period.end(),
        as_of: period.as_of(now),
        definitions_version: KPI_DEFINITIONS_VERSION,
        severity: severity.severities(),
        org: compute(Scope::Org),
        tiers: (0..=3).map(|tier| (tier, compute(Scope::Tier(tier)))).collect(),
        teams: teams.into_iter().map(|(team, inputs)| (team, compute_kpis(period, now, &inputs, severity))).collect(),
    }
}
