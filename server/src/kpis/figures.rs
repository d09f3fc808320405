//! The handle through which pages and routes reach the figures: the database, the shared cache,
//! the policy in force and the reporting calendar, held together so no caller threads the four
//! by hand (and none can pair a cache with the wrong database).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Serve the last computed figures at once while newer ones are computed (pages), rather
    /// than compute current ones first (the REST API, jobs, snapshots).
    serve_last: bool,
    /// Least time between two background recomputes of the same figures (see
    /// `Refreshing::wait_before`).
    recompute_spacing: std::time::Duration,
    /// The pool background recomputes use (`db::connect_background`).
    recompute_db: DatabaseConnection,
    /// Set when a read through this handle served outdated figures: one page's reads share a
    /// handle ([`Self::for_one_page`]), so its header can say newer ones are being computed.
    served_outdated: Arc<AtomicBool>,
}

impl Figures {
    pub fn new(db: DatabaseConnection, policy: Policy, calendar: ReportingCalendar) -> Self {
        Figures {
            recompute_db: db.clone(),
            db,
            cache: Arc::new(KpiCache::for_policy(&policy)),
            policy: Arc::new(policy),
            calendar,
            serve_last: false,
            recompute_spacing: std::time::Duration::ZERO,
            served_outdated: Arc::default(),
        }
    }

    /// A handle for the reads of one page, so [`Self::served_outdated`] speaks of them only.
    pub fn for_one_page(&self) -> Figures {
        Figures { served_outdated: Arc::default(), ..self.clone() }
    }

    /// Whether readers get the last computed figures at once ([`Self::serving_last`]).
    pub(super) fn serves_last(&self) -> bool {
        self.serve_last
    }

    /// Notes that a read through this handle served outdated figures.
    pub(super) fn note_outdated(&self) {
        self.served_outdated.store(true, Ordering::Relaxed);
    }

    /// Whether any read through this handle (see [`Self::for_one_page`]) served outdated
    /// figures while newer ones are computed.
    pub fn served_outdated(&self) -> bool {
        self.served_outdated.load(Ordering::Relaxed)
    }

    /// The same figures, recomputed in the background through `db`.
    pub fn recomputing_through(self, db: DatabaseConnection) -> Figures {
        Figures { recompute_db: db, ..self }
    }

    /// The figures a background recompute works with: its own pool, current figures only.
    pub fn for_recompute(&self) -> Figures {
        Figures { db: self.recompute_db.clone(), serve_last: false, ..self.clone() }
    }

    /// The same figures, their background recomputes at least `spacing` apart per figure.
    pub fn spacing_recomputes(self, spacing: std::time::Duration) -> Figures {
        Figures { recompute_spacing: spacing, ..self }
    }

    /// Least time between two background recounts of every stored record (the home page's
    /// counts): a count of the largest tables takes every core the database has for a moment,
    /// so a stream of imports is recounted a few times a minute at most, not after each.
    pub fn recount_spacing(&self) -> std::time::Duration {
        self.recompute_spacing.saturating_mul(4)
    }

    /// The same figures for pages: a reader gets the last computed figures at once, and newer
    /// ones are computed in the background (see `cache`).
    pub fn serving_last(&self) -> Figures {
        Figures { serve_last: true, ..self.clone() }
    }

    /// Whether any record is about a time before `period` ends: a period that ended before the
    /// organisation's first record has no figures (never zeros), nothing to publish and nothing
    /// to compare with. The first record is read once per data version; after an import, pages
    /// use the last one known while one background task reads it again (it only moves when
    /// older records arrive).
    pub async fn has_data(&self, period: &Period) -> Result<bool, sea_orm::DbErr> {
        Ok(self.data_start().await?.is_some_and(|first| first < period.end()))
    }

    /// When the organisation's records begin (see [`Self::has_data`]); `None` without records.
    pub async fn data_start(&self) -> Result<Option<DateTime<Utc>>, sea_orm::DbErr> {
        use super::first_record::{KEY, current, first_record};
        let first = if self.serve_last {
            let version = crate::db::data_version(&self.db).await?;
            match self.cache.first_record.lookup(KEY, version, false) {
                super::Lookup::Fresh(first) => *first,
                super::Lookup::Stale(first) => {
                    if let Some(claim) = super::claim_refresh(&self.cache, KEY) {
                        let (db, cache) = (self.db.clone(), Arc::clone(&self.cache));
                        crate::background::spawn(async move {
                            match first_record(&db).await {
                                Ok(first) => cache.first_record.put(KEY.to_owned(), version, Arc::new(first)),
                                Err(error) => tracing::warn!(%error, "cannot find the first record"),
                            }
                            drop(claim);
                        });
                    }
                    *first
                }
                super::Lookup::Missing => current(&self.db, &self.cache).await?,
            }
        } else {
            current(&self.db, &self.cache).await?
        };
        Ok(first)
    }

    /// The period asked for, or the current quarter (see [`Period::parse_or_current`]).
    pub fn period(&self, text: Option<&str>, now: DateTime<Utc>) -> Result<Period, PeriodError> {
        Period::parse_or_current(text, self.calendar, now)
    }

    /// The org or team summary behind the overview, team pages and report.
    pub async fn summary(&self, period: Period, scope: &Scope, now: DateTime<Utc>) -> Result<Arc<Summary>, LoadError> {
        let scope = scope.clone();
        let key = format!("summary|{period}|{scope}");
        self.read(key, move |f: Figures| {
            let scope = scope.clone();
            async move { super::summary(&f.db, &f.cache, &f.policy, period, &scope, now).await }
        })
        .await
    }

    /// Every active service's scorecard for `period`, narrowed to `filter`.
    pub async fn scorecards(
        &self,
        period: &Period,
        filter: &ScorecardFilter,
        now: DateTime<Utc>,
    ) -> Result<Arc<ScorecardReport>, LoadError> {
        let period = *period;
        let all = self
            .read(format!("scorecards|{period}"), move |f: Figures| async move {
                let everything = ScorecardFilter::default();
                super::cached_scorecard_report(&f.db, &f.cache, &f.policy, &period, &everything, now).await
            })
            .await?;
        Ok(if filter.is_empty() { all } else { Arc::new(all.narrowed(filter)) })
    }

    pub async fn kpis(&self, query: &KpiQuery, now: DateTime<Utc>) -> Result<Arc<KpiReport>, LoadError> {
        let query = query.clone();
        let key = format!("kpis|{}|{}|{:?}", query.period, query.scope, query.severity);
        self.read(key, move |f: Figures| {
            let query = query.clone();
            async move { super::cached_kpi_report(&f.db, &f.cache, &query, now).await }
        })
        .await
    }

    pub async fn rollups(
        &self,
        period: &Period,
        severity: SeverityFilter,
        now: DateTime<Utc>,
    ) -> Result<Arc<RollupReport>, LoadError> {
        let period = *period;
        self.read(format!("rollups|{period}|{severity:?}"), move |f: Figures| async move {
            super::cached_rollup_report(&f.db, &f.cache, &period, severity, now).await
        })
        .await
    }

    /// A reader's figures. For pages ([`Self::serving_last`]): computed by `call` now when
    /// nothing was computed before; otherwise the last ones at once (noted for
    /// [`Self::served_outdated`]), any outdated part recomputed by one background task (per
    /// `key`) for the next reader. For everyone else: current figures, computed now where needed.
    async fn read<T, F, Fut>(&self, key: String, call: F) -> Result<T, LoadError>
    where
        F: Fn(Figures) -> Fut,
        Fut: Future<Output = Result<T, LoadError>> + Send + 'static,
        T: Send + 'static,
    {
        if !self.serve_last {
            return call(self.clone()).await;
        }
        let (result, outdated) = super::stale::serving(call(self.clone())).await;
        if outdated {
            self.served_outdated.store(true, Ordering::Relaxed);
        }
        if outdated {
            self.refresh_in_background(&key, call);
        }
        result
    }

    /// Recomputes the figures of `key` with `call` in one background task, unless one is
    /// already at it, at least the recompute spacing after the last.
    fn refresh_in_background<T, F, Fut>(&self, key: &str, call: F)
    where
        F: Fn(Figures) -> Fut,
        Fut: Future<Output = Result<T, LoadError>> + Send + 'static,
        T: Send + 'static,
    {
        let Some(claim) = super::cache::claim_refresh(&self.cache, key) else { return };
        let wait = self.cache.refreshing.wait_before(key, self.recompute_spacing);
        let recompute = call(self.for_recompute());
        crate::background::spawn(async move {
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            let started = std::time::Instant::now();
            match recompute.await {
                Ok(_) => tracing::debug!(%claim.key, elapsed = ?started.elapsed(), "figures recomputed"),
                Err(error) => tracing::warn!(%claim.key, %error, "cannot recompute figures"),
            }
            let figure = claim.key.split('|').next().unwrap_or("figures");
            crate::metrics::recompute(figure, started.elapsed().as_secs_f64());
            drop(claim);
        });
    }

    /// Recomputes every service's scorecards of `period` in the background, as a page's read of
    /// outdated ones does (one task per figure, spaced).
    pub(super) fn refresh_scorecards_in_background(&self, period: Period, now: DateTime<Utc>) {
        self.refresh_in_background(&format!("scorecards|{period}"), move |f: Figures| async move {
            let everything = ScorecardFilter::default();
            super::cached_scorecard_report(&f.db, &f.cache, &f.policy, &period, &everything, now).await
        });
    }

    pub async fn slos(&self, query: &KpiQuery, now: DateTime<Utc>) -> Result<SloReport, LoadError> {
        let query = query.clone();
        let key = format!("slos|{}|{}", query.period, query.scope);
        self.read(key, move |f: Figures| {
            let query = query.clone();
            async move { super::shared_slo_report(&f.db, &f.cache, &query, now).await }
        })
        .await
    }

    pub async fn trend(&self, query: &TrendQuery, now: DateTime<Utc>) -> Result<TrendReport, LoadError> {
        let query = query.clone();
        let periods: Vec<String> = query.periods.iter().map(ToString::to_string).collect();
        let key = format!("trend|{}|{}|{:?}", periods.join(","), query.scope, query.severity);
        self.read(key, move |f: Figures| {
            let query = query.clone();
            async move { super::trend_report(&f.db, &f.cache, &query, now).await }
        })
        .await
    }

    /// The quarterly report of `period` as computed now (a draft; published ones are frozen).
    pub async fn quarterly(
        &self,
        period: Period,
        now: DateTime<Utc>,
    ) -> Result<Arc<app::domain::report::QuarterlyReport>, LoadError> {
        self.read(format!("report|{period}"), move |f: Figures| async move {
            crate::report::build(&f.db, &f.cache, &f.policy, period, now).await
        })
        .await
    }

    /// One KPI's value and the records behind it (not cached: a drill-down is one scope).
    pub async fn population(
        &self,
        query: &KpiQuery,
        kpi: KpiId,
        now: DateTime<Utc>,
    ) -> Result<PopulationReport, LoadError> {
        super::population_report(&self.db, query, kpi, now, &self.policy.kpi).await
    }
}
