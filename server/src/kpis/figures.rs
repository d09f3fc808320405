//! The handle through which pages and routes reach the figures: the database, the shared cache,
//! the policy in force and the reporting calendar, held together so no caller threads the four
//! by hand (and none can pair a cache with the wrong database).

use std::sync::Arc;

use app::domain::kpi::{KpiId, Period, PeriodError, ReportingCalendar, Scope, SeverityFilter};
use app::domain::scorecard::Policy;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::{
    KpiCache, KpiQuery, KpiReport, LoadError, PopulationReport, RollupReport, ScorecardFilter, ScorecardReport,
    SloReport, Summary, TrendQuery, TrendReport,
};

#[derive(Clone)]
pub struct Figures {
    pub db: DatabaseConnection,
    /// Figures of closed periods, keyed by the data version they were computed from.
    pub cache: Arc<KpiCache>,
    /// The scorecard policy in force (the default, or `PLUMBLINE_POLICY_FILE`).
    pub policy: Arc<Policy>,
    /// Fiscal year start and reporting time zone.
    pub calendar: ReportingCalendar,
}

impl Figures {
    pub fn new(db: DatabaseConnection, policy: Policy, calendar: ReportingCalendar) -> Self {
        Figures { db, cache: Arc::default(), policy: Arc::new(policy), calendar }
    }

    /// Whether any record is about a time before `period` ends: a period that ended before the
    /// organisation's first record has no figures (never zeros), nothing to publish and nothing
    /// to compare with. The first record is read once per data version.
    pub async fn has_data(&self, period: &Period) -> Result<bool, sea_orm::DbErr> {
        let version = crate::db::data_version(&self.db).await?;
        let first = match self.cache.first_record.get("first", version) {
            Some(first) => *first,
            None => {
                let first = super::first_record::first_record(&self.db).await?;
                self.cache.first_record.put("first".to_owned(), version, Arc::new(first));
                first
            }
        };
        Ok(first.is_some_and(|first| first < period.end()))
    }

    /// The period asked for, or the current quarter (see [`Period::parse_or_current`]).
    pub fn period(&self, text: Option<&str>, now: DateTime<Utc>) -> Result<Period, PeriodError> {
        Period::parse_or_current(text, self.calendar, now)
    }

    /// The org or team summary behind the overview, team pages and report.
    pub async fn summary(&self, period: Period, scope: &Scope, now: DateTime<Utc>) -> Result<Arc<Summary>, LoadError> {
        super::summary(&self.db, &self.cache, &self.policy, period, scope, now).await
    }

    /// Every active service's scorecard for `period`, narrowed to `filter`.
    pub async fn scorecards(
        &self,
        period: &Period,
        filter: &ScorecardFilter,
        now: DateTime<Utc>,
    ) -> Result<Arc<ScorecardReport>, LoadError> {
        super::cached_scorecard_report(&self.db, &self.cache, &self.policy, period, filter, now).await
    }

    pub async fn kpis(&self, query: &KpiQuery, now: DateTime<Utc>) -> Result<Arc<KpiReport>, LoadError> {
        super::cached_kpi_report(&self.db, &self.cache, query, now).await
    }

    pub async fn rollups(
        &self,
        period: &Period,
        severity: SeverityFilter,
        now: DateTime<Utc>,
    ) -> Result<Arc<RollupReport>, LoadError> {
        super::cached_rollup_report(&self.db, &self.cache, period, severity, now).await
    }

    pub async fn slos(&self, query: &KpiQuery, now: DateTime<Utc>) -> Result<SloReport, LoadError> {
        super::shared_slo_report(&self.db, &self.cache, query, now).await
    }

    pub async fn trend(&self, query: &TrendQuery, now: DateTime<Utc>) -> Result<TrendReport, LoadError> {
        super::trend_report(&self.db, &self.cache, query, now).await
    }

    /// One KPI's value and the records behind it (not cached: a drill-down is one scope).
    pub async fn population(
        &self,
        query: &KpiQuery,
        kpi: KpiId,
        now: DateTime<Utc>,
    ) -> Result<PopulationReport, LoadError> {
        super::population_report(&self.db, query, kpi, now).await
    }
}
