//! The home page's data summary, served to the pages through the `OverviewSource` port.

use app::api::{ImportSummary, KindCount, OrgOverview, Overview, PopulationView, ReportView, TeamView};
use app::error::AppError;
use app::ssr::OverviewSource;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

use crate::entities::{
    deployment, dr_test, import_batch, incident, postmortem, postmortem_action, service, slo, slo_measurement, team,
};
use crate::startup::AppState;

pub struct OverviewService {
    state: AppState,
}

impl OverviewService {
    pub fn new(state: AppState) -> Self {
        OverviewService { state }
    }

    async fn load(&self) -> Result<Overview, DbErr> {
        let db: &DatabaseConnection = &self.state.db;
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
        ];
        let applied = import_batch::Entity::find().filter(import_batch::Column::Status.eq("applied"));
        let demo_data =
            applied.clone().filter(import_batch::Column::Source.eq(crate::demo::DEMO_SOURCE)).count(db).await? > 0;
        let last_import = applied.order_by_desc(import_batch::Column::Id).one(db).await?.map(|b| ImportSummary {
            kind: b.kind,
            source: b.source,
            at: b.finished_at.unwrap_or(b.started_at).format("%Y-%m-%d %H:%M UTC").to_string(),
            received: u64::try_from(b.received).unwrap_or_default(),
        });
        Ok(Overview {
            counts: counts
                .into_iter()
                .map(|(kind, label, count)| KindCount { kind: kind.into(), label: label.into(), count })
                .collect(),
            demo_data,
            last_import,
        })
    }
}

#[async_trait::async_trait]
impl OverviewSource for OverviewService {
    async fn overview(&self) -> Result<Overview, AppError> {
        // Counting every table is slow on a large organisation, and only an import changes it.
        let cache = &self.state.kpi_cache.data_summary;
        let failed = |e: DbErr| AppError::internal("loading the overview", &e);
        let version = crate::kpis::data_version(&self.state.db).await.map_err(failed)?;
        if let Some(summary) = cache.get("counts", version) {
            return Ok(summary.as_ref().clone());
        }
        let summary = self.load().await.map_err(failed)?;
        cache.put("counts".to_owned(), version, std::sync::Arc::new(summary.clone()));
        Ok(summary)
    }

    async fn org(&self, period: Option<String>) -> Result<OrgOverview, AppError> {
        crate::summary_pages::org_overview(&self.state, period).await
    }

    async fn team(&self, slug: String, period: Option<String>) -> Result<TeamView, AppError> {
        crate::summary_pages::team_page(&self.state, slug, period).await
    }

    async fn population(
        &self,
        kpi: String,
        period: Option<String>,
        scope: Option<String>,
        severity: Option<String>,
    ) -> Result<PopulationView, AppError> {
        crate::drill_down::population_page(&self.state, kpi, period, scope, severity).await
    }

    async fn report(&self, period: String) -> Result<ReportView, AppError> {
        let state = &self.state;
        let period = crate::summary_pages::parse_period(state, Some(&period), crate::clock_now())?;
        let now = crate::clock_now();
        match Box::pin(crate::report::report(&state.db, &state.kpi_cache, &state.policy, period, now)).await {
            Ok(view) => Ok(view),
            Err(crate::report::ReportError::NotAQuarter(p)) => {
                Err(AppError::Invalid(crate::report::ReportError::NotAQuarter(p).to_string()))
            }
            Err(other) => Err(AppError::internal("building a quarterly report", &other)),
        }
    }
}
