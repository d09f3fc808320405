//! The overview page: the organisation's figures for a period and the data summary.

use app::api::{ImportSummary, KindCount, OrgOverview, Overview, PeriodHeader};
use app::domain::kpi::{Scope, SeverityFilter};
use app::domain::overview::level_distribution;
use app::domain::report::TeamRow;
use app::domain::scorecard::movers::PeriodMovers;
use app::error::AppError;
use app::ports::OverviewPort;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};
use std::sync::Arc;

use super::header::{period_header, standing};
use crate::entities::{
    alert, capacity_measurement, cost, deployment, dr_test, import_batch, incident, oncall_shift, postmortem,
    postmortem_action, remediation, service, slo, slo_measurement, survey_response, team, toil_report,
};
use crate::kpis::{Figures, KpiCache, Lookup, Summary, claim_refresh, derived};

/// The cache key of the record counts.
const COUNTS: &str = "counts";

/// Their key in `stored_figure`, where each count is kept for a restarted server or another
/// replica, which would otherwise count every table before its first overview.
pub const KEPT_COUNTS: &str = "record-counts";

/// Below this many records the counts are taken again on the request after an import; above,
/// the last counts are shown (saying so) while a background task counts.
const RECOUNT_INLINE_BELOW: u64 = 200_000;

fn records(summary: &Overview) -> u64 {
    summary.counts.iter().map(|c| c.count).sum()
}

/// The counts last kept in the database, with the data version they were counted at.
async fn kept_counts(db: &DatabaseConnection) -> Option<(i64, Overview)> {
    let (version, body) = crate::kpis::stored::read_latest(db, KEPT_COUNTS).await?;
    match serde_json::from_str::<Overview>(&body) {
        Ok(counts) => Some((version, Overview { recounting: false, ..counts })),
        Err(error) => {
            tracing::warn!(%error, "the kept record counts are unreadable; counting again");
            None
        }
    }
}

/// Caches the counts taken at `version`, and keeps them in the database.
async fn keep_counts(db: &DatabaseConnection, cache: &KpiCache, version: i64, counts: Overview) {
    crate::kpis::stored::write(db, KEPT_COUNTS, version, &counts, crate::clock_now()).await;
    cache.data_summary.put(COUNTS.to_owned(), version, Arc::new(counts));
}

/// Services listed each way in the movers panel.
const MOVERS_SHOWN: usize = 5;

pub struct OverviewPage {
    figures: Figures,
}

impl OverviewPage {
    pub fn new(figures: Figures) -> Self {
        OverviewPage { figures }
    }

    /// The overview of `summary`'s period under `header`.
    fn body(&self, summary: &Summary, teams: Vec<TeamRow>, movers: PeriodMovers, header: PeriodHeader) -> OrgOverview {
        let policy = &self.figures.policy;
        OrgOverview {
            header,
            active_services: summary.scorecards.scorecards.len() as u64,
            headlines: summary.headlines(&policy.targets),
            levels: level_distribution(&summary.scorecards.scorecards, policy),
            trends: summary.trends(),
            risks: summary.risks.clone(),
            indicators: summary.indicators.clone(),
            teams,
            oncall: summary.oncall_health(policy),
            toil: summary.toil_panel(policy),
            automation: summary.automation_panel(policy),
            capacity: summary.capacity_panel(policy),
            cost: summary.cost_panel(),
            satisfaction: summary.satisfaction_panel(policy),
            movers,
            generation: derived::generation(),
        }
    }
}

/// How many records of each kind are stored, whether the demo is loaded, and the last import.
async fn load_counts(db: &DatabaseConnection) -> Result<Overview, DbErr> {
    let counts = vec![
        ("teams", "Teams", team::Entity::find().count(db).await?),
        ("services", "Services", service::Entity::find().count(db).await?),
        ("slos", "SLOs", slo::Entity::find().count(db).await?),
        ("slo-measurements", "SLO measurements", slo_measurement::Entity::find().count(db).await?),
        ("incidents", "Incidents", incident::Entity::find().count(db).await?),
        ("postmortems", "Postmortems", postmortem::Entity::find().count(db).await?),
        ("actions", "Postmortem actions", postmortem_action::Entity::find().count(db).await?),
        ("dr-tests", "DR tests", dr_test::Entity::find().count(db).await?),
        ("deployments", "Deployments", deployment::Entity::find().count(db).await?),
        ("alerts", "Alerts", alert::Entity::find().count(db).await?),
        ("oncall-shifts", "On-call shifts", oncall_shift::Entity::find().count(db).await?),
        ("toil-reports", "Toil reports", toil_report::Entity::find().count(db).await?),
        ("remediations", "Remediations", remediation::Entity::find().count(db).await?),
        ("capacity-measurements", "Capacity measurements", capacity_measurement::Entity::find().count(db).await?),
        ("costs", "Costs", cost::Entity::find().count(db).await?),
        ("survey-responses", "Survey responses", survey_response::Entity::find().count(db).await?),
    ];
    let applied = import_batch::Entity::find().filter(import_batch::Column::Status.eq("applied"));
    let demo_data =
        applied.clone().filter(import_batch::Column::Source.eq(crate::demo::DEMO_SOURCE)).count(db).await? > 0;
    let last_import = applied.order_by_desc(import_batch::Column::Id).one(db).await?.map(|b| ImportSummary {
        kind: b.kind,
        source: b.source,
        at: app::domain::format::instant(b.finished_at.unwrap_or(b.started_at)),
        received: u64::try_from(b.received).unwrap_or_default(),
    });
    Ok(Overview {
        counts: counts
            .into_iter()
            .map(|(kind, label, count)| KindCount { kind: kind.into(), label: label.into(), count })
            .collect(),
        demo_data,
        last_import,
        recounting: false,
    })
}

#[async_trait::async_trait]
impl OverviewPort for OverviewPage {
    async fn org(&self, period: Option<String>) -> Result<OrgOverview, AppError> {
        let figures = &self.figures.for_one_page();
        let now = crate::clock_now();
        let period = figures.period(period.as_deref(), now).map_err(|e| AppError::Invalid(e.to_string()))?;
        let summary = Box::pin(figures.summary(period, &Scope::Org, now))
            .await
            .map_err(|e| AppError::internal("loading the org overview", &e))?;
        let policy = &summary.scorecards.policy_version;
        let state = standing(figures, &period, &Scope::Org, &summary.kpis, now).await?;
        let rollups = Box::pin(figures.rollups(&period, SeverityFilter::HIGH, now))
            .await
            .map_err(|e| AppError::internal("loading the teams of the org overview", &e))?;
        let movers = Box::pin(figures.movers_of(&period, &summary.scorecards, &Scope::Org, MOVERS_SHOWN, now))
            .await
            .map_err(|e| AppError::internal("loading the movers of the org overview", &e))?;
        let mut header = period_header(summary.period, summary.as_of, policy, figures.calendar, state, now);
        header.recomputing = figures.served_outdated();
        // Everything but the header is derived from the three cached inputs: built once per
        // recompute of them, not per reader.
        let inputs = [derived::input(&summary), derived::input(&rollups), derived::input(&movers)];
        let key = period.to_string();
        let body = match figures.cache.org_overviews.get(&key, &inputs) {
            Some(body) => body,
            None => {
                let teams = crate::report::team_table(&figures.db, &rollups, &summary.scorecards.scorecards)
                    .await
                    .map_err(|e| AppError::internal("loading team names", &e))?;
                let body = Arc::new(self.body(&summary, teams, movers.as_ref().clone(), header.clone()));
                figures.cache.org_overviews.put(key, inputs.into(), Arc::clone(&body));
                body
            }
        };
        Ok(OrgOverview { header, ..body.as_ref().clone() })
    }

    async fn data_summary(&self) -> Result<Overview, AppError> {
        // Counting every table takes seconds on a large organisation and only an import changes
        // the counts: after one, the last counts are shown while one background task counts
        // again (as for the figures, `kpis::cache`).
        let figures = &self.figures;
        let failed = |e: DbErr| AppError::internal("loading the overview", &e);
        let version = crate::db::data_version(&figures.db).await.map_err(failed)?;
        let mut lookup = figures.cache.data_summary.lookup(COUNTS, version, false);
        if matches!(lookup, Lookup::Missing)
            && let Some((kept_at, kept)) = kept_counts(&figures.db).await
        {
            // Of the current version, they are current; of an older one, they are recounted as
            // any outdated counts are.
            figures.cache.data_summary.put(COUNTS.to_owned(), kept_at, Arc::new(kept));
            lookup = figures.cache.data_summary.lookup(COUNTS, version, false);
        }
        match lookup {
            Lookup::Fresh(summary) => Ok(summary.as_ref().clone()),
            // A small organisation is counted again at once (milliseconds).
            Lookup::Stale(summary) if records(&summary) < RECOUNT_INLINE_BELOW => {
                let summary = load_counts(&figures.db).await.map_err(failed)?;
                keep_counts(&figures.db, &figures.cache, version, summary.clone()).await;
                Ok(summary)
            }
            Lookup::Stale(summary) => {
                if let Some(claim) = claim_refresh(&figures.cache, COUNTS) {
                    // The background pool: its sessions use no parallel workers.
                    let (db, cache) = (figures.for_recompute().db, Arc::clone(&figures.cache));
                    let wait = cache.refreshing.wait_before(COUNTS, figures.recount_spacing());
                    crate::background::spawn(async move {
                        tokio::time::sleep(wait).await;
                        // The version read after the wait: imports during it are counted too.
                        let version = match crate::db::data_version(&db).await {
                            Ok(now_at) => now_at,
                            Err(error) => {
                                tracing::warn!(%error, "cannot read the data version to recount");
                                return;
                            }
                        };
                        match load_counts(&db).await {
                            Ok(counts) => keep_counts(&db, &cache, version, counts).await,
                            Err(error) => tracing::warn!(%error, "cannot count the stored records"),
                        }
                        drop(claim);
                    });
                }
                Ok(Overview { recounting: true, ..summary.as_ref().clone() })
            }
            Lookup::Missing => {
                let summary = load_counts(&figures.db).await.map_err(failed)?;
                keep_counts(&figures.db, &figures.cache, version, summary.clone()).await;
                Ok(summary)
            }
        }
    }
}
