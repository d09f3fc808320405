//! A period's standing for the pages that show its figures: open, draft, or published — and,
//! once published, which headline figures of the scope shown the live data now disagrees with
//! (an import of a late record after publication, a correction).

use std::collections::BTreeMap;
use std::sync::Arc;

use app::domain::kpi::{KpiValues, Period, Scope};
use app::domain::publication::{PeriodState, figure_changes};
use chrono::{DateTime, Utc};
use sea_orm::DbErr;
use serde::Deserialize;

use super::snapshots;
use crate::kpis::Figures;

/// The published KPI values of a period, by scope, as frozen in its snapshot.
#[derive(Deserialize)]
pub struct PublishedFigures {
    #[serde(skip)]
    pub published_at: Option<DateTime<Utc>>,
    #[serde(skip)]
    pub published_by: String,
    pub org: KpiValues,
    #[serde(default)]
    pub teams: BTreeMap<String, KpiValues>,
    #[serde(default)]
    pub tiers: BTreeMap<String, KpiValues>,
}

impl PublishedFigures {
    /// The published values of `scope`; `None` for a scope the snapshot does not hold (a service,
    /// or a team created after publication).
    pub fn of(&self, scope: &Scope) -> Option<&KpiValues> {
        match scope {
            Scope::Org => Some(&self.org),
            Scope::Team(slug) => self.teams.get(slug.as_str()),
            Scope::Tier(tier) => self.tiers.get(&tier.to_string()),
            Scope::Service(_) => None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PublicationError {
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("the published snapshot of {0} cannot be read: {1}")]
    Unreadable(Period, String),
}

/// The published figures of `period`, if it is published (parsed once per snapshot: its hash
/// names its content for ever).
pub async fn published_figures(
    figures: &Figures,
    period: &Period,
) -> Result<Option<Arc<PublishedFigures>>, PublicationError> {
    let Some(hash) = snapshots::find_hash(&figures.db, period).await? else { return Ok(None) };
    if let Some(held) = figures.cache.published_figures.get(&hash, 0) {
        return Ok(Some(held));
    }
    let Some(row) = snapshots::find(&figures.db, period).await? else { return Ok(None) };
    let mut parsed: PublishedFigures =
        serde_json::from_str(&row.content).map_err(|e| PublicationError::Unreadable(*period, e.to_string()))?;
    parsed.published_at = Some(row.published_at);
    parsed.published_by = row.published_by;
    let parsed = Arc::new(parsed);
    figures.cache.published_figures.put(hash, 0, Arc::clone(&parsed));
    Ok(Some(parsed))
}

/// Where `period` stands, with the headline figures of `scope` whose `live` values differ from
/// the published ones.
pub async fn period_state(
    figures: &Figures,
    period: &Period,
    scope: &Scope,
    live: &KpiValues,
    now: DateTime<Utc>,
) -> Result<PeriodState, PublicationError> {
    if period.end() > now {
        return Ok(PeriodState::Open);
    }
    let Some(published) = published_figures(figures, period).await? else { return Ok(PeriodState::Draft) };
    Ok(PeriodState::Published {
        published_at: published.published_at.map(app::domain::format::instant).unwrap_or_default(),
        published_by: published.published_by.clone(),
        changes: published.of(scope).map(|frozen| figure_changes(frozen, live)).unwrap_or_default(),
    })
}
