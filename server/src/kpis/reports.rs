//! The KPI reports over the loaded populations, and the per-data-version cache in front of
//! them: KPIs, roll-ups, scorecards, SLO statuses, trends and drill-down populations.

use std::sync::Arc;

use app::domain::kpi::{
    Dataset, KPI_DEFINITIONS_VERSION, KpiId, KpiSettings, KpiValues, Period, Population, Scope, SeverityFilter,
    SloStatus, compute_kpis, population, slo_statuses,
};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use serde::Serialize;

use super::{
    Keep, KpiCache, KpiQuery, LoadError, ReportHeader, RollupReport, ScorecardFilter, ScorecardReport, TrendQuery,
    cache, cached_kept, load, rollups, scorecards,
};

/// `GET /api/v1/kpis`.
#[derive(Debug, Clone, Serialize)]
pub struct KpiReport {
    #[serde(flatten)]
    pub header: ReportHeader,
    pub kpis: KpiValues,
}

/// `GET /api/v1/slos`.
#[derive(Debug, Clone, Serialize)]
pub struct SloReport {
    #[serde(flatten)]
    pub header: ReportHeader,
    pub slos: Vec<SloStatus>,
}

pub async fn kpi_report<C: ConnectionTrait>(
    db: &C,
    query: &KpiQuery,
    now: DateTime<Utc>,
    settings: &KpiSettings,
) -> Result<KpiReport, LoadError> {
    let data = load::load(db, &query.period, now, &query.scope, settings).await?;
    let kpis = compute_kpis(&query.period, now, &data.scoped(&query.scope), query.severity);
    Ok(KpiReport { header: ReportHeader::new(query, now), kpis })
}

/// `compute`'s report, served from `cache` while its period's data has not changed (the key
/// must name everything else the report depends on). A closed period's entry lasts until an
/// import reaches the period; the open period's, which moves with the clock, as
/// [`cache::LIVE_FRESH`] says. Called on behalf of a reader ([`super::stale::serving`]), an
/// outdated entry is served as it is and the reader's figures are recomputed in the background;
/// otherwise (a background recompute, a snapshot's own cache) it is recomputed here.
pub(crate) async fn cached<T, F, C: ConnectionTrait>(
    db: &C,
    changes: &super::changes::ChangeLog,
    cache: &cache::VersionedCache<T>,
    period: &Period,
    key: String,
    now: DateTime<Utc>,
    compute: F,
) -> Result<Arc<T>, LoadError>
where
    F: Future<Output = Result<T, LoadError>>,
{
    let version = changes.period_version(db, period).await?;
    match cache.lookup(&key, version, period.end() > now) {
        cache::Lookup::Fresh(report) => {
            crate::metrics::cache_lookup(cache.name, "hit");
            return Ok(report);
        }
        cache::Lookup::Stale(report) if super::stale::serve_stale() => {
            crate::metrics::cache_lookup(cache.name, "stale");
            return Ok(report);
        }
        _ => crate::metrics::cache_lookup(cache.name, "miss"),
    }
    let (report, outdated) = super::stale::computing(Box::pin(compute)).await;
    let report = Arc::new(report?);
    cache.put(key, if outdated { cache::OUTDATED } else { version }, Arc::clone(&report));
    Ok(report)
}

/// The organisation's populations for a period as loaded at `now` (what every figure computed
/// from them must use as its clock: an open period's load may be reused for a while).
pub struct Loaded {
    pub data: Dataset,
    pub now: DateTime<Utc>,
}

impl std::ops::Deref for Loaded {
    type Target = Dataset;
    fn deref(&self) -> &Dataset {
        &self.data
    }
}

/// The organisation's populations for a period, loaded once per data version (the scorecards
/// and every roll-up of a period share one load).
pub(crate) async fn org_dataset<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<Arc<Loaded>, LoadError> {
    let key = period.to_string();
    let version = cache.changes.period_version(db, period).await?;
    match cache.datasets.lookup(&key, version, period.end() > now) {
        cache::Lookup::Fresh(held) => return Ok(held),
        // A reader never waits for a newer load (`cached` below would serve it this one too,
        // but only after the lock): what it computes from this is cached as outdated.
        cache::Lookup::Stale(held) if super::stale::serve_stale() => return Ok(held),
        _ => {}
    }
    // One load at a time; whoever waited finds the load it waited for in the cache. A reader
    // takes turns with other readers only: a background load runs at low priority and can take
    // many times longer while pages are being served.
    let _one = if super::stale::is_reader() { cache.reader_loading.lock().await } else { cache.loading.lock().await };
    let load =
        async move { Ok(Loaded { data: load::load(db, period, now, &Scope::Org, &cache.kpi_settings).await?, now }) };
    // Boxed: the load is a large future, and callers nest it a few levels deep.
    cached(db, &cache.changes, &cache.datasets, period, key, now, Box::pin(load)).await
}

/// [`kpi_report`] from the organisation's shared load, cached.
pub async fn cached_kpi_report<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    query: &KpiQuery,
    now: DateTime<Utc>,
) -> Result<Arc<KpiReport>, LoadError> {
    let key = format!("{}|{}|{:?}", query.period, query.scope, query.severity);
    let period = &query.period;
    // A closed period's figures may have been computed before: by another replica, or by this
    // server before a restart.
    let stored = cache.stores && period.end() <= now;
    let stored_key = format!(
        "kpis|{}|{}|{}|{:?}|{}",
        period.start().to_rfc3339(),
        period.end().to_rfc3339(),
        query.scope,
        query.severity.severities(),
        cache.kpi_settings
    );
    let compute = async {
        let version = cache.changes.period_version(db, period).await?;
        if stored && let Some(kpis) = super::stored::read(db, &stored_key, version).await {
            return Ok(KpiReport { header: ReportHeader::new(query, now), kpis });
        }
        let (report, outdated) = super::stale::computing(Box::pin(computed_kpi_report(db, cache, query, now))).await;
        let report = report?;
        if stored && !outdated {
            super::stored::write(db, &stored_key, version, &report.kpis, now).await;
        }
        Ok(report)
    };
    cached(db, &cache.changes, &cache.kpis, period, key, now, compute).await
}

/// [`kpi_report`] from the organisation's shared load when the scope is in it.
async fn computed_kpi_report<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    query: &KpiQuery,
    now: DateTime<Utc>,
) -> Result<KpiReport, LoadError> {
    let data = org_dataset(db, cache, &query.period, now).await?;
    if load::check_scope(&data, &query.scope).is_err() {
        // A team without services, or no such team or service: the scoped load decides.
        return kpi_report(db, query, now, &cache.kpi_settings).await;
    }
    let kpis = compute_kpis(&query.period, data.now, &data.scoped(&query.scope), query.severity);
    Ok(KpiReport { header: ReportHeader::new(query, data.now), kpis })
}

/// [`scorecard_report`], cached (per policy version). Computed for every service once and
/// narrowed to `filter` here, so one service's page does not score the organisation again.
pub async fn cached_scorecard_report<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    policy: &app::domain::scorecard::Policy,
    period: &Period,
    filter: &ScorecardFilter,
    now: DateTime<Utc>,
) -> Result<Arc<ScorecardReport>, LoadError> {
    let key = scorecard_cache_key(period, policy);
    let keep = Keep { key: Keep::key("scorecards", period, ""), settings: policy, with_exemptions: true };
    let compute = async {
        let data = org_dataset(db, cache, period, now).await?;
        // An open period is evaluated as of its load; a closed one, whose load may be old, at
        // `now`, which decides the exemptions still in force.
        let at = if period.end() > now { data.now } else { now };
        scorecards::scorecards_of(db, &data, policy, period, &ScorecardFilter::default(), at).await
    };
    let all = cached_kept(db, cache, period, key, keep, now, compute).await?;
    if filter.is_empty() {
        return Ok(all);
    }
    Ok(Arc::new(all.narrowed(filter)))
}

/// The key of a period's scorecards in [`KpiCache::scorecards`].
pub fn scorecard_cache_key(period: &Period, policy: &app::domain::scorecard::Policy) -> String {
    format!("{period}|{}", policy.version)
}

/// [`rollup_report`], cached.
pub async fn cached_rollup_report<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    period: &Period,
    severity: SeverityFilter,
    now: DateTime<Utc>,
) -> Result<Arc<RollupReport>, LoadError> {
    let key = format!("{period}|{severity:?}");
    let keep = Keep {
        key: Keep::key("rollups", period, &format!("{:?}", severity.severities())),
        settings: &cache.kpi_settings,
        with_exemptions: false,
    };
    let compute = async {
        let data = org_dataset(db, cache, period, now).await?;
        Ok(rollups::rollups_of(&data, period, severity, data.now))
    };
    cached_kept(db, cache, period, key, keep, now, compute).await
}

/// `GET /api/v1/kpis/{kpi}/population`: the value of one KPI and the records behind it.
#[derive(Debug, Clone, Serialize)]
pub struct PopulationReport {
    #[serde(flatten)]
    pub header: ReportHeader,
    /// The duration KPIs' severity filter.
    pub severity: Vec<app::domain::records::Severity>,
    /// The KPI's value as in `GET /api/v1/kpis` (null for the per-SLO KPIs, listed per record).
    pub value: serde_json::Value,
    /// Records listed, in the population, and counting towards the value.
    pub count: usize,
    pub included: usize,
    pub counted: usize,
    #[serde(flatten)]
    pub population: Population,
    /// Every KPI of the scope, typed, for reading the value in words (the page).
    #[serde(skip)]
    pub values: app::domain::kpi::KpiValues,
}

pub async fn population_report<C: ConnectionTrait>(
    db: &C,
    query: &KpiQuery,
    kpi: KpiId,
    now: DateTime<Utc>,
    settings: &KpiSettings,
) -> Result<PopulationReport, LoadError> {
    let data = load::load(db, &query.period, now, &query.scope, settings).await?;
    let inputs = data.scoped(&query.scope);
    let values = compute_kpis(&query.period, now, &inputs, query.severity);
    let value = serde_json::to_value(&values).ok().and_then(|v| v.get(kpi.as_str()).cloned()).unwrap_or_default();
    let population = population(kpi, &query.period, now, &inputs, query.severity);
    let rows = &population.rows;
    Ok(PopulationReport {
        header: ReportHeader::new(query, now),
        severity: query.severity.severities(),
        value,
        count: rows.len(),
        included: rows.iter().filter(|r| r.included).count(),
        counted: rows.iter().filter(|r| r.included && r.counted).count(),
        population,
        values,
    })
}

pub async fn slo_report<C: ConnectionTrait>(
    db: &C,
    query: &KpiQuery,
    now: DateTime<Utc>,
) -> Result<SloReport, LoadError> {
    let started = std::time::Instant::now();
    let data = load::load_slos(db, &query.period, now, &query.scope).await?;
    let loaded = started.elapsed();
    let slos = slo_statuses(&query.period, now, &data.scoped(&query.scope));
    tracing::debug!(?loaded, computed = ?started.elapsed() - loaded, "per-SLO report");
    Ok(SloReport { header: ReportHeader::new(query, now), slos })
}

/// [`slo_report`], from the organisation's load of the period when that is cached already (and,
/// for the open period, recent); otherwise only the scope's SLOs are loaded.
pub async fn shared_slo_report<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    query: &KpiQuery,
    now: DateTime<Utc>,
) -> Result<SloReport, LoadError> {
    let version = cache.changes.period_version(db, &query.period).await?;
    let key = query.period.to_string();
    // The open period's load only while fresh, and as of its own clock; a reader (a page) is
    // also served an outdated load, the one the rest of its page was computed from.
    let shared = match cache.datasets.lookup(&key, version, query.period.end() > now) {
        cache::Lookup::Fresh(data) => Some(data),
        cache::Lookup::Stale(data) if super::stale::serve_stale() => Some(data),
        _ => None,
    };
    let Some(data) = shared else {
        return slo_report(db, query, now).await;
    };
    if load::check_scope(&data, &query.scope).is_err() {
        return slo_report(db, query, now).await;
    }
    let slos = data.slo_statuses(&query.period, data.now, &query.scope);
    Ok(SloReport { header: ReportHeader::new(query, data.now), slos })
}

/// One period of a trend.
#[derive(Debug, Clone, Serialize)]
pub struct TrendPoint {
    pub period: Period,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub kpis: KpiValues,
}

/// `GET /api/v1/kpis/trend`.
#[derive(Debug, Clone, Serialize)]
pub struct TrendReport {
    pub scope: Scope,
    pub definitions_version: &'static str,
    pub periods: Vec<TrendPoint>,
}

/// Every KPI for each period of the trend, oldest first.
pub async fn trend_report<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    query: &TrendQuery,
    now: DateTime<Utc>,
) -> Result<TrendReport, LoadError> {
    let mut periods = Vec::with_capacity(query.periods.len());
    for period in &query.periods {
        let single = KpiQuery { period: *period, scope: query.scope.clone(), severity: query.severity };
        let report = Box::pin(cached_kpi_report(db, cache, &single, now)).await?;
        let header = &report.header;
        periods.push(TrendPoint {
            period: header.period,
            from: header.from,
            to: header.to,
            as_of: header.as_of,
            kpis: report.kpis.clone(),
        });
    }
    Ok(TrendReport { scope: query.scope.clone(), definitions_version: KPI_DEFINITIONS_VERSION, periods })
}
