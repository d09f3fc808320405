//! The teams index: every team owning an active service, with its level mix from the period's
//! scorecards and a few figures from the period's per-team roll-up.

use std::collections::BTreeMap;

use app::api::{TeamRow, TeamsView};
use app::domain::kpi::{Scope, SeverityFilter};
use app::domain::scorecard::Level;
use app::error::AppError;
use app::ports::TeamsPort;

use super::header::{period_header, standing};
use crate::kpis::{Figures, ScorecardFilter};

pub struct TeamsPage {
    figures: Figures,
}

impl TeamsPage {
    pub fn new(figures: Figures) -> Self {
        TeamsPage { figures }
    }
}

#[async_trait::async_trait]
impl TeamsPort for TeamsPage {
    async fn teams(&self, period: Option<String>) -> Result<TeamsView, AppError> {
        let figures = &self.figures.for_one_page();
        let now = crate::clock_now();
        let period = figures.period(period.as_deref(), now)?;
        let failed = |e: &dyn std::fmt::Display| AppError::internal("loading the teams", e);
        let scorecards =
            Box::pin(figures.scorecards(&period, &ScorecardFilter::default(), now)).await.map_err(|e| failed(&e))?;
        let rollups = Box::pin(figures.rollups(&period, SeverityFilter::HIGH, now)).await.map_err(|e| failed(&e))?;
        let names = crate::catalog::team_names(&figures.db).await.map_err(|e| failed(&e))?;
        let mut rows: BTreeMap<String, TeamRow> = BTreeMap::new();
        for card in &scorecards.scorecards {
            let slug = card.team.to_string();
            let row = rows.entry(slug.clone()).or_insert_with(|| {
                let kpis = rollups.teams.get(&card.team);
                TeamRow {
                    name: names.get(&slug).cloned().unwrap_or_else(|| slug.clone()),
                    slug,
                    services: 0,
                    gold: 0,
                    silver: 0,
                    bronze: 0,
                    below: 0,
                    slo_met_rate: kpis.and_then(|k| k.slo_met_rate),
                    high_sev_count: kpis.map(|k| k.high_sev_count),
                    mttr_median: kpis.and_then(|k| k.mttr.map(|s| s.median)),
                    overdue_actions: kpis.map(|k| k.overdue_actions.count),
                }
            });
            row.services += 1;
            match card.level {
                Some(Level::Gold) => row.gold += 1,
                Some(Level::Silver) => row.silver += 1,
                Some(Level::Bronze) => row.bronze += 1,
                None => row.below += 1,
            }
        }
        let mut teams: Vec<TeamRow> = rows.into_values().collect();
        teams.sort_by_key(|t| t.name.to_lowercase());
        let state = standing(figures, &period, &Scope::Org, &rollups.org, now).await?;
        let mut header = period_header(period, rollups.as_of, &scorecards.policy_version, figures.calendar, state, now);
        header.recomputing = figures.served_outdated();
        Ok(TeamsView { header, teams })
    }
}
