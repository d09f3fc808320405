//! A team's page: its services, headline KPIs, what to fix next, risks and trends.

use app::api::{FixView, PeriodHeader, TeamService, TeamView};
use app::domain::kpi::Scope;
use app::domain::records::Slug;
use app::domain::scorecard::movers::PeriodMovers;
use app::error::AppError;
use app::ports::TeamPort;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use std::sync::Arc;

use super::header::{period_header, standing};
use crate::entities::team;
use crate::kpis::{Figures, LoadError, Summary, derived};

/// Most checks "what to fix next" lists on a team page.
const MAX_FIX_ITEMS: usize = 25;
/// Services listed each way in the movers panel.
const MOVERS_SHOWN: usize = 5;
/// Days ahead the team page's "what breaks next" looks.
const FORECAST_DAYS: u32 = 90;

pub struct TeamPage {
    figures: Figures,
}

#[async_trait::async_trait]
impl TeamPort for TeamPage {
    async fn team(&self, slug: String, period: Option<String>) -> Result<TeamView, AppError> {
        Box::pin(self.load(slug, period)).await
    }
}

impl TeamPage {
    pub fn new(figures: Figures) -> Self {
        TeamPage { figures }
    }

    async fn load(&self, slug: String, period: Option<String>) -> Result<TeamView, AppError> {
        let figures = &self.figures.for_one_page();
        let now = crate::clock_now();
        let period = figures.period(period.as_deref(), now).map_err(|e| AppError::Invalid(e.to_string()))?;
        let not_found = || AppError::NotFound(format!("There is no team '{slug}'."));
        let team = team::Entity::find()
            .filter(team::Column::Slug.eq(slug.as_str()))
            .one(&figures.db)
            .await
            .map_err(|e| AppError::internal("loading a team page", &e))?
            .ok_or_else(not_found)?;
        let scope = Scope::Team(Slug::parse(&team.slug).map_err(|e| AppError::internal("a stored team slug", &e))?);
        let summary = match figures.summary(period, &scope, now).await {
            Ok(summary) => summary,
            Err(LoadError::UnknownScope(_)) => {
                return Err(AppError::NotFound(format!(
                    "Team '{slug}' owns no services yet: there is nothing to score."
                )));
            }
            Err(other) => return Err(AppError::internal("loading a team page", &other)),
        };
        let state = standing(figures, &period, &scope, &summary.kpis, now).await?;
        let policy_version = &summary.scorecards.policy_version;
        let movers = Box::pin(figures.movers_of(&period, &summary.scorecards, &scope, MOVERS_SHOWN, now))
            .await
            .map_err(|e| AppError::internal("loading a team's movers", &e))?;
        let forecast = figures
            .forecast_if_ready(&scope, FORECAST_DAYS, now)
            .await
            .map_err(|e| AppError::internal("forecasting a team's scorecards", &e))?
            .map(|report| report.as_ref().clone());
        let mut header = period_header(summary.period, summary.as_of, policy_version, figures.calendar, state, now);
        header.recomputing = figures.served_outdated();
        // The figures are derived from the two cached inputs: once per recompute of them, not
        // per reader.
        let inputs = [derived::input(&summary), derived::input(&movers)];
        let key = format!("{}|{period}", team.slug);
        let body = match figures.cache.team_views.get(&key, &inputs) {
            Some(body) => body,
            None => {
                let body = Arc::new(Self::figures(figures, &summary, movers.as_ref().clone(), header.clone()));
                figures.cache.team_views.put(key, inputs.into(), Arc::clone(&body));
                body
            }
        };
        Ok(TeamView { team: team.slug, name: team.name, header, forecast, ..body.as_ref().clone() })
    }

    /// A team page's figures from the team's summary and movers; its header, name and forecast
    /// are each reader's (those kept here are replaced).
    fn figures(figures: &Figures, summary: &Summary, movers: PeriodMovers, header: PeriodHeader) -> TeamView {
        let cards = &summary.scorecards.scorecards;
        let silver = Some(app::domain::scorecard::Level::Silver);
        let silver_reachable = cards.iter().filter(|c| figures.policy.ceiling_for(c.tier) >= silver).count();
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
                status: item.status,
                levels_blocked: item.levels_blocked,
                explanation: item.explanation.clone(),
            })
            .collect();
        TeamView {
            team: String::new(),
            name: String::new(),
            header,
            services,
            silver_reachable,
            headlines: summary.headlines(&figures.policy.targets),
            fix_next,
            fix_total: fix_all.len(),
            trends: summary.trends(),
            risks: summary.risks.clone(),
            causes: summary.causes.clone(),
            indicators: summary.indicators.clone(),
            follow_ups: summary.follow_ups,
            recovery: if summary.before_data {
                Default::default()
            } else {
                app::domain::kpi::RecoveryFigures::of(&summary.kpis)
            },
            oncall: summary.oncall_health(&figures.policy),
            toil: summary.toil_panel(&figures.policy),
            automation: summary.automation_panel(&figures.policy),
            capacity: summary.capacity_panel(&figures.policy),
            cost: summary.cost_panel(),
            satisfaction: summary.satisfaction_panel(&figures.policy),
            movers,
            forecast: None,
            generation: derived::generation(),
        }
    }
}
