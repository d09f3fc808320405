//! What breaks next, and when: loads what `app::domain::scorecard::forecast` reads (the
//! organisation as loaded for each quarter the horizon reaches, each SLO's daily rows,
//! exemptions and readiness answers), runs it off the async workers, and keeps the result per
//! scope, day and data version.

use std::collections::HashMap;
use std::sync::Arc;

use app::domain::kpi::{Period, Scope};
use app::domain::records::Slug;
use app::domain::scorecard::forecast::{
    ASSUMPTION, ForecastData, ForecastReport, SloHistory, forecast, forecast_quarters,
};
use chrono::{DateTime, Days, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{Figures, LoadError, ScorecardFilter, load, scorecards};
use crate::entities::{service, slo};

impl Figures {
    /// For pages: the last forecast at once (`None` before the first one), a newer one computed
    /// in the background when the data or the day changed since (noted as outdated).
    pub async fn forecast_if_ready(
        &self,
        scope: &Scope,
        horizon_days: u32,
        now: DateTime<Utc>,
    ) -> Result<Option<Arc<ForecastReport>>, LoadError> {
        let key = forecast_key(scope, self.calendar.day_of(now), horizon_days);
        let version = crate::db::data_version(&self.db).await?;
        let held = match self.cache.forecasts.lookup(&key, version, false) {
            super::Lookup::Fresh(report) => return Ok(Some(report)),
            super::Lookup::Stale(report) => {
                self.note_outdated();
                Some(report)
            }
            // Yesterday's forecast (dated, so it says so itself) until today's is ready; none
            // before the first (the panel says it is being computed).
            super::Lookup::Missing => self.cache.forecasts.latest_with_prefix(&format!("{scope}|{horizon_days}|")),
        };
        if let Some(claim) = super::claim_refresh(&self.cache, &format!("forecast|{key}")) {
            let (figures, scope) = (self.for_recompute(), scope.clone());
            crate::background::spawn(async move {
                if let Err(error) = figures.forecast(&scope, horizon_days, now).await {
                    tracing::warn!(%scope, %error, "cannot compute a forecast");
                }
                drop(claim);
            });
        }
        Ok(held)
    }

    /// The changes ahead for the active services of `scope` over the next `horizon_days` days,
    /// current (computed now unless this data version's is held).
    pub async fn forecast(
        &self,
        scope: &Scope,
        horizon_days: u32,
        now: DateTime<Utc>,
    ) -> Result<Arc<ForecastReport>, LoadError> {
        let today = self.calendar.day_of(now);
        let key = forecast_key(scope, today, horizon_days);
        let version = crate::db::data_version(&self.db).await?;
        if let Some(held) = self.cache.forecasts.get(&key, version) {
            return Ok(held);
        }
        let quarters = forecast_quarters(self.calendar, now, horizon_days);
        let current_quarter =
            quarters.first().copied().unwrap_or_else(|| Period::quarter_containing(now, self.calendar));
        // Today's standing is the scorecard pages show.
        let current = Box::pin(self.scorecards(&current_quarter, &ScorecardFilter::of_scope(scope), now)).await?;
        let mut datasets = Vec::with_capacity(quarters.len());
        {
            // One load at a time per process, as for the figures (an organisation's is large).
            let _one = self.cache.loading.lock().await;
            for quarter in &quarters {
                datasets.push((*quarter, Box::pin(load(&self.db, quarter, now, scope, &self.policy.kpi)).await?));
            }
        }
        let widest =
            datasets.iter().flat_map(|(_, d)| &d.slos).map(|s| u64::from(s.window.max_days())).max().unwrap_or(0);
        let since =
            current_quarter.first_day().checked_sub_days(Days::new(widest)).unwrap_or(current_quarter.first_day());
        let slo_days = slo_histories(self, scope, since, today).await?;
        let exemptions = scorecards::exemptions(&self.db).await?;
        let answers = scorecards::self_assessment_answers(&self.db).await?;
        let (policy, calendar) = (Arc::clone(&self.policy), self.calendar);
        let current = current.scorecards.clone();
        let scope_text = scope.to_string();
        // Evaluating a scope's scorecards for every day ahead is CPU work: off the async workers.
        let report = tokio::task::spawn_blocking(move || {
            let data = ForecastData {
                policy: &policy,
                calendar,
                quarters: &datasets,
                slo_days: &slo_days,
                exemptions: &exemptions,
                answers: &answers,
            };
            let services = forecast(&data, &current, now, horizon_days);
            let to = today.checked_add_days(Days::new(u64::from(horizon_days))).unwrap_or(today);
            ForecastReport {
                scope: scope_text,
                from: today,
                to,
                horizon_days,
                assumption: ASSUMPTION.to_owned(),
                services,
            }
        })
        .await
        .map_err(|join| sea_orm::DbErr::Custom(format!("the forecast stopped unexpectedly: {join}")))?;
        let report = Arc::new(report);
        self.cache.forecasts.put(key, version, Arc::clone(&report));
        Ok(report)
    }
}

fn forecast_key(scope: &Scope, today: chrono::NaiveDate, horizon_days: u32) -> String {
    format!("{scope}|{horizon_days}|{today}")
}

/// Each SLO of `scope`'s services with its daily rows in `[since, today]`, projected from
/// `today` on.
async fn slo_histories(
    figures: &Figures,
    scope: &Scope,
    since: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<HashMap<(Slug, Slug), SloHistory>, LoadError> {
    let db = &figures.db;
    let mut services = service::Entity::find().select_only().columns([service::Column::Id, service::Column::Slug]);
    match scope {
        Scope::Service(slug) => services = services.filter(service::Column::Slug.eq(slug.as_str())),
        Scope::Tier(tier) => services = services.filter(service::Column::Tier.eq(i16::from(*tier))),
        Scope::Team(team) => {
            let ids: Vec<i64> = crate::entities::team::Entity::find()
                .select_only()
                .column(crate::entities::team::Column::Id)
                .filter(crate::entities::team::Column::Slug.eq(team.as_str()))
                .into_tuple()
                .all(db)
                .await?;
            services = services.filter(service::Column::TeamId.is_in(ids));
        }
        Scope::Org => {}
    }
    let services: HashMap<i64, String> = services.into_tuple::<(i64, String)>().all(db).await?.into_iter().collect();
    let slos: Vec<(i64, i64, String)> = slo::Entity::find()
        .select_only()
        .columns([slo::Column::Id, slo::Column::ServiceId, slo::Column::Slug])
        .filter(slo::Column::ServiceId.is_in(services.keys().copied()))
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i64> = slos.iter().map(|(id, _, _)| *id).collect();
    let mut rows = super::slo_daily_rows(db, &ids, since, today.succ_opt().unwrap_or(today)).await?;
    let mut out = HashMap::with_capacity(slos.len());
    for (id, service_id, slug) in slos {
        let (Some(service), Ok(slo)) = (services.get(&service_id), Slug::parse(&slug)) else { continue };
        let Ok(service) = Slug::parse(service) else { continue };
        out.insert((service, slo), SloHistory::new(rows.remove(&id).unwrap_or_default(), today));
    }
    Ok(out)
}
