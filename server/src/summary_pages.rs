//! The org overview and the team pages: a [`kpis::summary`] mapped to what the pages show.

use app::api::{FixView, OrgOverview, PeriodHeader, TeamService, TeamView};
use app::domain::kpi::{KPI_DEFINITIONS_VERSION, Period, Scope};
use app::domain::overview::{headlines, level_distribution, period_choices, trend_series};
use app::domain::records::Slug;
use app::error::AppError;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::entities::team;
use crate::kpis::{self, LoadError, Summary};
use crate::startup::AppState;

/// Most checks "what to fix next" lists on a team page.
const MAX_FIX_ITEMS: usize = 25;

/// `period` as asked (default: the current quarter); a malformed one is the caller's error.
pub fn parse_period(state: &AppState, period: Option<&str>, now: DateTime<Utc>) -> Result<Period, AppError> {
    match period.map(str::trim).filter(|p| !p.is_empty()) {
        Some(text) => Period::parse(text, state.calendar).map_err(|e| AppError::Invalid(e.to_string())),
        None => Ok(Period::quarter_containing(now, state.calendar)),
    }
}

fn header(state: &AppState, summary: &Summary, now: DateTime<Utc>) -> PeriodHeader {
    let period = summary.period;
    let (quarters, months) = period_choices(now, state.calendar);
    PeriodHeader {
        period: period.to_string(),
        previous: period.previous().to_string(),
        from: period.first_day().to_string(),
        to: period.end_day().pred_opt().unwrap_or(period.end_day()).to_string(),
        as_of: summary.as_of.format("%Y-%m-%d %H:%M UTC").to_string(),
        open: period.end() > now,
        definitions_version: KPI_DEFINITIONS_VERSION.to_owned(),
        policy_version: summary.scorecards.policy_version.clone(),
        quarters,
        months,
    }
}

async fn load_summary(
    state: &AppState,
    period: Period,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<std::sync::Arc<Summary>, LoadError> {
    kpis::summary(&state.db, &state.kpi_cache, &state.policy, period, scope, now).await
}

pub async fn org_overview(state: &AppState, period: Option<String>) -> Result<OrgOverview, AppError> {
    let now = crate::clock_now();
    let period = parse_period(state, period.as_deref(), now)?;
    let summary = Box::pin(load_summary(state, period, &Scope::Org, now))
        .await
        .map_err(|e| AppError::internal("loading the org overview", &e))?;
    Ok(OrgOverview {
        header: header(state, &summary, now),
        active_services: summary.scorecards.scorecards.len() as u64,
        headlines: headlines(&summary.kpis, summary.previous.as_ref()),
        levels: level_distribution(&summary.scorecards.scorecards),
        trends: trend_series(&summary.trend),
        risks: summary.risks.clone(),
    })
}

pub async fn team_page(state: &AppState, slug: String, period: Option<String>) -> Result<TeamView, AppError> {
    let now = crate::clock_now();
    let period = parse_period(state, period.as_deref(), now)?;
    let not_found = || AppError::NotFound(format!("There is no team '{slug}'."));
    let team = team::Entity::find()
        .filter(team::Column::Slug.eq(slug.as_str()))
        .one(&state.db)
        .await
        .map_err(|e| AppError::internal("loading a team page", &e))?
        .ok_or_else(not_found)?;
    let scope = Scope::Team(Slug::parse(&team.slug).map_err(|e| AppError::internal("a stored team slug", &e))?);
    let summary = match Box::pin(load_summary(state, period, &scope, now)).await {
        Ok(summary) => summary,
        Err(LoadError::UnknownScope(_)) => {
            return Err(AppError::NotFound(format!("Team '{slug}' owns no services yet: there is nothing to score.")));
        }
        Err(other) => return Err(AppError::internal("loading a team page", &other)),
    };
    let cards = &summary.scorecards.scorecards;
    let services = cards
        .iter()
        .map(|card| TeamService {
            service: card.service.to_string(),
            tier: card.tier,
            level: card.level,
            score: card.score,
            to_fix: card.checks.iter().filter(|c| c.status.needs_fixing()).count() as u32,
        })
        .collect();
    let fix_all = &summary.scorecards.fix_next;
    let fix_next = fix_all
        .iter()
        .take(MAX_FIX_ITEMS)
        .map(|item| FixView {
            service: item.service.to_string(),
            tier: item.tier,
            check: item.check.as_str().to_owned(),
            title: item.title.clone(),
            level: item.level,
            status: serde_json::to_value(item.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            levels_blocked: item.levels_blocked,
            explanation: item.explanation.clone(),
        })
        .collect();
    Ok(TeamView {
        team: team.slug,
        name: team.name,
        header: header(state, &summary, now),
        services,
        headlines: headlines(&summary.kpis, summary.previous.as_ref()),
        fix_next,
        fix_total: fix_all.len(),
        trends: trend_series(&summary.trend),
        risks: summary.risks.clone(),
    })
}
