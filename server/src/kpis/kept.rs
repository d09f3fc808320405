//! Figures kept in the database (table `stored_figure`) besides the process's cache, so that a
//! restarted server or another replica serves the last figures at once instead of making its
//! first reader wait for a recompute:
//! - a closed period's figures, computed once per period version, are served as current;
//! - the open period's last figures (and a closed period's of an older version) are served to
//!   readers as outdated, with their own as-of instant, while newer ones are computed.
//!
//! A kept row also names the *basis* it was computed on — the policy, the reporting calendar
//! and the exemptions in force — so a changed policy, or a waiver that has since expired, makes
//! it outdated even though no record changed.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::domain::kpi::{KpiValues, Period};
use app::domain::report::QuarterlyReport;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{KpiCache, LoadError, RollupReport, ScorecardReport, Summary, cache, stored};

/// The open period's figures are written back at most this often per key: enough for a restart
/// to start from recent figures, without a write of every recompute.
const KEEP_OPEN_EVERY: Duration = Duration::from_secs(300);

/// A cached figure that can be kept: its stored form omits what the request already names (the
/// period, whose calendar is not serialised).
pub trait Kept: Sized + Send + Sync + 'static {
    /// Where a process holds this figure.
    fn entries(cache: &KpiCache) -> &cache::VersionedCache<Self>;
    fn to_json(&self) -> serde_json::Result<String>;
    fn from_json(text: &str, period: Period) -> serde_json::Result<Self>;
}

/// What a figure is computed on besides the records: a digest of the settings (the policy,
/// or the paging hours), the reporting calendar and, for figures with scorecards, the
/// exemptions in force at `now` — with the instant the first of those expires, after which
/// figures computed now are outdated although no record changed.
struct Basis {
    digest: String,
    until: Option<DateTime<Utc>>,
}

async fn basis<C: ConnectionTrait>(
    db: &C,
    keep: &Keep<'_>,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<Basis, LoadError> {
    let mut digest = Sha256::new();
    // Debug output covers every field of the validated settings, and changes when any does.
    digest.update(format!("{:?}|{:?}", keep.settings, period.calendar()).as_bytes());
    let mut until: Option<DateTime<Utc>> = None;
    if keep.with_exemptions {
        let sql = "SELECT service_id, check_id, expires_at FROM exemption WHERE expires_at > $1 \
                   ORDER BY service_id, check_id, expires_at";
        let rows = db.query_all_raw(crate::db::statement(db.get_database_backend(), sql, [Value::from(now)])).await?;
        for row in rows {
            let service: i64 = row.try_get("", "service_id")?;
            let check: String = row.try_get("", "check_id")?;
            let expires: DateTime<Utc> = row.try_get("", "expires_at")?;
            digest.update(format!("|{service}:{check}:{}", expires.timestamp_micros()).as_bytes());
            until = Some(until.map_or(expires, |first| first.min(expires)));
        }
    }
    Ok(Basis { digest: hex::encode(&digest.finalize()[..12]), until })
}

/// When this process last wrote each open period's kept row.
#[derive(Default)]
pub struct KeptWrites(Mutex<std::collections::HashMap<String, Instant>>);

impl KeptWrites {
    fn due(&self, key: &str, open: bool) -> bool {
        if !open {
            return true;
        }
        let Ok(mut written) = self.0.lock() else { return false };
        if written.get(key).is_some_and(|at| at.elapsed() < KEEP_OPEN_EVERY) {
            return false;
        }
        if written.len() >= 4096 {
            written.clear();
        }
        written.insert(key.to_owned(), Instant::now());
        true
    }
}

/// Where a kept figure lives and what it is computed on.
pub struct Keep<'a> {
    /// The row's key: the figure, the period's bounds and whatever else names it.
    pub key: String,
    /// The settings the figure depends on (the policy, or only its paging hours).
    pub settings: &'a (dyn std::fmt::Debug + Sync),
    /// Whether it holds scorecards, which depend on the exemptions in force.
    pub with_exemptions: bool,
}

impl Keep<'_> {
    /// `figure` of `period` (its bounds: the period's name does not say its calendar).
    pub fn key(figure: &str, period: &Period, rest: &str) -> String {
        format!("{figure}|{}|{}|{rest}", period.start().to_rfc3339(), period.end().to_rfc3339())
    }
}

/// As `cached`, and also kept in the database: on a miss in this process, the kept row is served
/// — as current when it is of this closed period's version and basis, otherwise to readers only,
/// as outdated (a background task then recomputes it) — before anything is computed.
pub async fn cached_kept<T: Kept, F, C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    period: &Period,
    key: String,
    keep: Keep<'_>,
    now: DateTime<Utc>,
    compute: F,
) -> Result<Arc<T>, LoadError>
where
    F: Future<Output = Result<T, LoadError>>,
{
    let entries = T::entries(cache);
    let version = cache.changes.period_version(db, period).await?;
    let open = period.end() > now;
    match entries.lookup_at(&key, version, open, Some(now)) {
        cache::Lookup::Fresh(figures) => {
            crate::metrics::cache_lookup(entries.name, "hit");
            return Ok(figures);
        }
        cache::Lookup::Stale(figures) if super::stale::serve_stale() => {
            crate::metrics::cache_lookup(entries.name, "stale");
            return Ok(figures);
        }
        cache::Lookup::Stale(_) => {}
        // An open period's kept row is never current: only a reader can be served it.
        cache::Lookup::Missing if cache.stores && (!open || super::stale::is_reader()) => {
            let basis = basis(db, &keep, period, now).await?;
            if let Some((kept, figures)) = read::<T, C>(db, &keep.key, &basis.digest, period).await {
                let figures = Arc::new(figures);
                if kept.basis_current && kept.version == version && !open {
                    crate::metrics::cache_lookup("stored", "hit");
                    crate::metrics::cache_lookup(entries.name, "hit");
                    entries.put_until(key, version, Arc::clone(&figures), basis.until);
                    return Ok(figures);
                }
                if super::stale::serve_stale() {
                    crate::metrics::cache_lookup(entries.name, "stale");
                    entries.put(key, cache::OUTDATED, Arc::clone(&figures));
                    return Ok(figures);
                }
            }
        }
        cache::Lookup::Missing => {}
    }
    crate::metrics::cache_lookup(entries.name, "miss");
    // Read before computing: an exemption that expires meanwhile outdates the figures at once.
    let basis = basis(db, &keep, period, now).await?;
    let (figures, outdated) = super::stale::computing(Box::pin(compute)).await;
    let figures = Arc::new(figures?);
    if outdated {
        // Computed from outdated parts for a reader: served, never kept as current.
        entries.put(key, cache::OUTDATED, Arc::clone(&figures));
        return Ok(figures);
    }
    entries.put_until(key, version, Arc::clone(&figures), basis.until);
    if cache.stores && cache.kept_writes.due(&keep.key, open) {
        write(db, &keep.key, &basis.digest, version, figures.as_ref(), now).await;
    }
    Ok(figures)
}

struct KeptVersion {
    version: i64,
    /// Computed on today's basis.
    basis_current: bool,
}

async fn read<T: Kept, C: ConnectionTrait>(
    db: &C,
    key: &str,
    current_basis: &str,
    period: &Period,
) -> Option<(KeptVersion, T)> {
    let (version, body) = stored::read_latest(db, key).await?;
    // The basis on the first line, the figures after it.
    let Some((basis, figures)) = body.split_once('\n') else {
        tracing::warn!(key, "kept figures have no basis; computing them");
        return None;
    };
    match T::from_json(figures, *period) {
        Ok(figures) => Some((KeptVersion { version, basis_current: basis == current_basis }, figures)),
        Err(error) => {
            tracing::warn!(key, %error, "kept figures are unreadable; computing them");
            None
        }
    }
}

async fn write<T: Kept, C: ConnectionTrait>(
    db: &C,
    key: &str,
    basis: &str,
    version: i64,
    figures: &T,
    now: DateTime<Utc>,
) {
    match figures.to_json() {
        Ok(json) => stored::write_body(db, key, version, format!("{basis}\n{json}"), now).await,
        Err(error) => tracing::warn!(key, %error, "cannot serialise figures to keep them"),
    }
}

// The stored forms: what the request does not already name.

#[derive(Serialize)]
struct ScorecardsOut<'a> {
    as_of: DateTime<Utc>,
    policy_version: &'a str,
    scorecards: &'a [app::domain::scorecard::Scorecard],
}

#[derive(Deserialize)]
struct ScorecardsIn {
    as_of: DateTime<Utc>,
    policy_version: String,
    scorecards: Vec<app::domain::scorecard::Scorecard>,
}

impl<'a> ScorecardsOut<'a> {
    fn of(report: &'a ScorecardReport) -> Self {
        ScorecardsOut { as_of: report.as_of, policy_version: &report.policy_version, scorecards: &report.scorecards }
    }
}

impl ScorecardsIn {
    fn into_report(self, period: Period) -> ScorecardReport {
        ScorecardReport {
            period,
            as_of: self.as_of,
            policy_version: self.policy_version,
            fix_next: app::domain::scorecard::fix_next(&self.scorecards),
            scorecards: self.scorecards,
        }
    }
}

impl Kept for ScorecardReport {
    fn entries(cache: &KpiCache) -> &cache::VersionedCache<Self> {
        &cache.scorecards
    }

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(&ScorecardsOut::of(self))
    }

    fn from_json(text: &str, period: Period) -> serde_json::Result<Self> {
        Ok(serde_json::from_str::<ScorecardsIn>(text)?.into_report(period))
    }
}

type ByTier = std::collections::BTreeMap<u8, KpiValues>;
type ByTeam = std::collections::BTreeMap<app::domain::records::Slug, KpiValues>;

#[derive(Serialize)]
struct RollupsOut<'a> {
    as_of: DateTime<Utc>,
    severity: &'a [app::domain::records::Severity],
    org: &'a KpiValues,
    tiers: &'a ByTier,
    teams: &'a ByTeam,
}

#[derive(Deserialize)]
struct RollupsIn {
    as_of: DateTime<Utc>,
    severity: Vec<app::domain::records::Severity>,
    org: KpiValues,
    tiers: ByTier,
    teams: ByTeam,
}

impl Kept for RollupReport {
    fn entries(cache: &KpiCache) -> &cache::VersionedCache<Self> {
        &cache.rollups
    }

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(&RollupsOut {
            as_of: self.as_of,
            severity: &self.severity,
            org: &self.org,
            tiers: &self.tiers,
            teams: &self.teams,
        })
    }

    fn from_json(text: &str, period: Period) -> serde_json::Result<Self> {
        let kept: RollupsIn = serde_json::from_str(text)?;
        Ok(RollupReport {
            period,
            from: period.start(),
            to: period.end(),
            as_of: kept.as_of,
            definitions_version: app::domain::kpi::KPI_DEFINITIONS_VERSION,
            severity: kept.severity,
            org: kept.org,
            tiers: kept.tiers,
            teams: kept.teams,
        })
    }
}

#[derive(Serialize)]
struct SummaryOut<'a> {
    as_of: DateTime<Utc>,
    kpis: &'a KpiValues,
    previous: &'a Option<KpiValues>,
    scorecards: ScorecardsOut<'a>,
    risks: &'a app::domain::overview::Risks,
    causes: &'a [app::domain::kpi::CauseRow],
    indicators: &'a [app::domain::kpi::IndicatorRow],
    follow_ups: app::domain::kpi::FollowUpCounts,
    toil: &'a app::domain::kpi::ToilBreakdown,
    automation: &'a app::domain::overview::AutomationBreakdown,
    capacity: &'a app::domain::overview::CapacityBreakdown,
    /// The trend's values, oldest first, ending with the summarised period.
    trend: Vec<&'a Option<KpiValues>>,
    before_data: bool,
}

#[derive(Deserialize)]
struct SummaryIn {
    as_of: DateTime<Utc>,
    kpis: KpiValues,
    previous: Option<KpiValues>,
    scorecards: ScorecardsIn,
    risks: app::domain::overview::Risks,
    /// Required, as the indicators and follow-ups: a summary kept before these breakdowns existed is computed
    /// again, not shown without them.
    causes: Vec<app::domain::kpi::CauseRow>,
    indicators: Vec<app::domain::kpi::IndicatorRow>,
    follow_ups: app::domain::kpi::FollowUpCounts,
    toil: app::domain::kpi::ToilBreakdown,
    automation: app::domain::overview::AutomationBreakdown,
    capacity: app::domain::overview::CapacityBreakdown,
    trend: Vec<Option<KpiValues>>,
    before_data: bool,
}

impl Kept for Summary {
    fn entries(cache: &KpiCache) -> &cache::VersionedCache<Self> {
        &cache.summaries
    }

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(&SummaryOut {
            as_of: self.as_of,
            kpis: &self.kpis,
            previous: &self.previous,
            scorecards: ScorecardsOut::of(&self.scorecards),
            risks: &self.risks,
            causes: &self.causes,
            indicators: &self.indicators,
            follow_ups: self.follow_ups,
            toil: &self.toil,
            automation: &self.automation,
            capacity: &self.capacity,
            trend: self.trend.iter().map(|(_, values)| values).collect(),
            before_data: self.before_data,
        })
    }

    fn from_json(text: &str, period: Period) -> serde_json::Result<Self> {
        use serde::de::Error;
        let kept: SummaryIn = serde_json::from_str(text)?;
        let Some(earlier) = kept.trend.len().checked_sub(1) else {
            return Err(serde_json::Error::custom("a kept summary has an empty trend"));
        };
        let first = (0..earlier).fold(period, |p, _| p.previous());
        let periods = first.through(&period);
        if periods.len() != kept.trend.len() {
            return Err(serde_json::Error::custom("a kept summary's trend does not end with its period"));
        }
        Ok(Summary {
            period,
            as_of: kept.as_of,
            kpis: kept.kpis,
            previous: kept.previous,
            scorecards: Arc::new(kept.scorecards.into_report(period)),
            risks: kept.risks,
            causes: kept.causes,
            indicators: kept.indicators,
            follow_ups: kept.follow_ups,
            toil: kept.toil,
            automation: kept.automation,
            capacity: kept.capacity,
            trend: periods.into_iter().zip(kept.trend).collect(),
            before_data: kept.before_data,
        })
    }
}

impl Kept for QuarterlyReport {
    fn entries(cache: &KpiCache) -> &cache::VersionedCache<Self> {
        &cache.reports
    }

    fn to_json(&self) -> serde_json::Result<String> {
        serde_json::to_string(self)
    }

    fn from_json(text: &str, _period: Period) -> serde_json::Result<Self> {
        use serde::de::Error;
        let report: QuarterlyReport = serde_json::from_str(text)?;
        // Sections a published report may lack (it was frozen before they existed) are always
        // composed now: a draft kept without them is composed again, not shown without them.
        if report.oncall.is_none() || report.causes.is_none() {
            return Err(serde_json::Error::custom("a kept report lacks a section reports now have"));
        }
        Ok(report)
    }
}
