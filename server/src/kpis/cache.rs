//! Cached KPI reports. A closed period's report depends only on the stored data, so each entry
//! is keyed by its period's version: the latest committed import that can have moved that
//! period (see `changes`), read from the database on every request. An import invalidates the
//! entries of the periods it reaches, on every replica, without coordination; the others, and
//! everything after rejected or dry-run imports, stay warm.
//!
//! The open period's figures also move with the clock (the as-of instant is now). They are
//! served for up to [`LIVE_FRESH`] after they were computed.
//!
//! Once a key has been computed, readers never wait for it again: an entry of an older version,
//! or an open period's entry older than [`LIVE_FRESH`], is served as it is (it carries the as-of
//! instant it was computed for) while one background task recomputes it (see `Figures`).

use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the open period's figures are served before they are recomputed.
pub const LIVE_FRESH: Duration = Duration::from_secs(60);

use super::{KpiReport, RollupReport, ScorecardReport};

/// The version of an entry put in only to be served outdated (figures kept in the database from
/// before a restart, or from another replica, which may be of any version): never current.
pub const OUTDATED: i64 = -1;

struct Entry<T> {
    version: i64,
    computed: Instant,
    /// When the entry stops being current although its data has not changed (an exemption in
    /// force when it was computed expires then).
    valid_until: Option<DateTime<Utc>>,
    report: Arc<T>,
}

/// Reports by request key, each with the period version it was computed from and when.
pub struct VersionedCache<T> {
    /// For `/metrics`.
    pub name: &'static str,
    entries: Mutex<HashMap<String, Entry<T>>>,
    /// Entries kept before the cache starts over.
    capacity: usize,
}

/// What the cache holds for a key.
pub enum Lookup<T> {
    /// Of the current version (and, for an open period, recent): serve it.
    Fresh(Arc<T>),
    /// Of an older version, or an open period's older than [`LIVE_FRESH`].
    Stale(Arc<T>),
    Missing,
}

impl<T> VersionedCache<T> {
    pub fn with_capacity(name: &'static str, capacity: usize) -> Self {
        VersionedCache { name, entries: Mutex::new(HashMap::new()), capacity }
    }

    pub fn get(&self, key: &str, version: i64) -> Option<Arc<T>> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|e| e.version == version).map(|e| Arc::clone(&e.report))
    }

    /// What is held for `key` against `version`; `open` periods also age.
    pub fn lookup(&self, key: &str, version: i64, open: bool) -> Lookup<T> {
        self.lookup_at(key, version, open, None)
    }

    /// [`Self::lookup`], at `now` for entries that expire (see [`Self::put_until`]).
    pub fn lookup_at(&self, key: &str, version: i64, open: bool, now: Option<DateTime<Utc>>) -> Lookup<T> {
        let Ok(entries) = self.entries.lock() else { return Lookup::Missing };
        match entries.get(key) {
            None => Lookup::Missing,
            Some(e)
                if e.version == version
                    && (!open || e.computed.elapsed() < LIVE_FRESH)
                    && e.valid_until.zip(now).is_none_or(|(until, now)| now < until) =>
            {
                Lookup::Fresh(Arc::clone(&e.report))
            }
            Some(e) => Lookup::Stale(Arc::clone(&e.report)),
        }
    }

    /// The entry last put among the keys starting with `prefix`, whatever its version.
    pub fn latest_with_prefix(&self, prefix: &str) -> Option<Arc<T>> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .filter(|(key, _)| key.starts_with(prefix))
            .max_by_key(|(_, e)| e.computed)
            .map(|(_, e)| Arc::clone(&e.report))
    }

    pub fn put(&self, key: String, version: i64, report: Arc<T>) {
        self.put_until(key, version, report, None);
    }

    /// [`Self::put`] of an entry that is outdated from `valid_until` on.
    pub fn put_until(&self, key: String, version: i64, report: Arc<T>, valid_until: Option<DateTime<Utc>>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity && !entries.contains_key(&key) {
                // The entry computed longest ago goes: clearing them all would drop the running
                // period's load whenever a trend loads a few closed quarters, and make the next
                // reader wait for it.
                let oldest = entries.iter().min_by_key(|(_, e)| e.computed).map(|(k, _)| k.clone());
                if let Some(oldest) = oldest {
                    entries.remove(&oldest);
                }
            }
            entries.insert(key, Entry { version, computed: Instant::now(), valid_until, report });
        }
    }
}

/// The figures being recomputed in the background, by the key of what a page asked for, and
/// when each key's last recompute ended.
#[derive(Default)]
pub struct Refreshing {
    keys: Mutex<HashSet<String>>,
    finished: Mutex<HashMap<String, Instant>>,
}

impl Refreshing {
    /// How long a recompute of `key` should wait so that recomputes of one key start at least
    /// `spacing` apart: imports arriving every few seconds then cost one recompute per spacing,
    /// not one each, while readers are served the last figures.
    pub fn wait_before(&self, key: &str, spacing: Duration) -> Duration {
        let Ok(finished) = self.finished.lock() else { return Duration::ZERO };
        finished.get(key).map_or(Duration::ZERO, |at| spacing.saturating_sub(at.elapsed()))
    }
}

/// A claim to recompute one key; released on drop, also when the task fails.
pub struct RefreshClaim {
    cache: Arc<KpiCache>,
    pub key: String,
}

impl Drop for RefreshClaim {
    fn drop(&mut self) {
        if let Ok(mut finished) = self.cache.refreshing.finished.lock() {
            if finished.len() >= 4096 {
                finished.clear();
            }
            finished.insert(self.key.clone(), Instant::now());
        }
        if let Ok(mut keys) = self.cache.refreshing.keys.lock() {
            keys.remove(&self.key);
        }
    }
}

/// Claims `key` for one background recompute; `None` if one is running already.
pub fn claim_refresh(cache: &Arc<KpiCache>, key: &str) -> Option<RefreshClaim> {
    let claimed = cache.refreshing.keys.lock().ok()?.insert(key.to_owned());
    claimed.then(|| RefreshClaim { cache: Arc::clone(cache), key: key.to_owned() })
}

/// The caches of the KPI and scorecard endpoints.
pub struct KpiCache {
    /// KPI reports are a few kilobytes each.
    pub kpis: VersionedCache<KpiReport>,
    /// Scorecard lists can be megabytes (every service, every check): keep few.
    pub scorecards: VersionedCache<ScorecardReport>,
    /// Every team's and tier's KPIs of a period.
    pub rollups: VersionedCache<RollupReport>,
    /// Loaded organisations (tens of megabytes for a large one): the last few periods.
    pub datasets: VersionedCache<super::Loaded>,
    /// The summaries behind the overview, team pages and reports.
    pub summaries: VersionedCache<super::Summary>,
    /// Quarterly reports (of unpublished quarters: published ones are read from their snapshot).
    pub reports: VersionedCache<app::domain::report::QuarterlyReport>,
    /// Published reports, by their snapshot's content hash.
    pub published: VersionedCache<app::api::ReportView>,
    /// Published KPI values by scope, by their snapshot's content hash.
    pub published_figures: VersionedCache<crate::report::publication::PublishedFigures>,
    /// Forecasts of what breaks next, by scope, day and horizon.
    pub forecasts: VersionedCache<app::domain::scorecard::forecast::ForecastReport>,
    /// The home page's record counts.
    pub data_summary: VersionedCache<app::api::Overview>,
    /// When the organisation's data begins (`first_record`), per data version.
    pub first_record: VersionedCache<Option<chrono::DateTime<chrono::Utc>>>,
    /// Which imports can have moved which periods: entries above are keyed by their period's
    /// version, not the data version.
    pub changes: super::changes::ChangeLog,
    /// What is being recomputed in the background.
    pub refreshing: Refreshing,
    /// Held while the organisation's populations of a period are loaded: one load at a time per
    /// process, so a page's recompute and the warm-figures job do not load the same period twice
    /// or fill the connection pool between them.
    pub loading: tokio::sync::Mutex<()>,
    /// The same for readers who find no load at all: they take turns among themselves, never
    /// behind a background load running at low priority.
    pub reader_loading: tokio::sync::Mutex<()>,
    /// Whether closed periods' figures are read from and written to the database (`stored`);
    /// not from inside a read-only transaction, where a failed write would abort it.
    pub stores: bool,
    /// The policy's paging hours the on-call KPIs are computed with.
    pub kpi_settings: app::domain::kpi::KpiSettings,
    /// When this process last kept each open period's figures in the database.
    pub kept_writes: super::kept::KeptWrites,
    /// The movers of a period and scope, derived from its and the previous period's scorecards.
    pub movers: super::derived::Derived<app::domain::scorecard::movers::PeriodMovers>,
    /// The overview's figures (all but its header), derived from the period's summary, team
    /// roll-ups and movers.
    pub org_overviews: super::derived::Derived<app::api::OrgOverview>,
    /// Team pages' figures (all but their header, name and forecast), derived from the team's
    /// summary and movers.
    pub team_views: super::derived::Derived<app::api::TeamView>,
}

impl KpiCache {
    /// A cache of figures computed under `policy`.
    pub fn for_policy(policy: &app::domain::scorecard::Policy) -> Self {
        KpiCache { kpi_settings: policy.kpi.clone(), ..KpiCache::default() }
    }

    /// A cache for computing inside one (read-only) transaction: it stores nothing.
    pub fn within_transaction(policy: &app::domain::scorecard::Policy) -> Self {
        KpiCache { stores: false, ..KpiCache::for_policy(policy) }
    }
}

impl Default for KpiCache {
    fn default() -> Self {
        KpiCache {
            kpis: VersionedCache::with_capacity("kpis", 2048),
            scorecards: VersionedCache::with_capacity("scorecards", 32),
            rollups: VersionedCache::with_capacity("rollups", 64),
            datasets: VersionedCache::with_capacity("datasets", 4),
            summaries: VersionedCache::with_capacity("summaries", 256),
            reports: VersionedCache::with_capacity("reports", 16),
            published: VersionedCache::with_capacity("published", 16),
            published_figures: VersionedCache::with_capacity("published_figures", 16),
            // One per team and per service page viewed today: small, many.
            forecasts: VersionedCache::with_capacity("forecasts", 4096),
            data_summary: VersionedCache::with_capacity("data_summary", 1),
            first_record: VersionedCache::with_capacity("first_record", 1),
            changes: Default::default(),
            refreshing: Default::default(),
            loading: Default::default(),
            reader_loading: Default::default(),
            stores: true,
            kpi_settings: Default::default(),
            kept_writes: Default::default(),
            // One per team page viewed and per period: small, few.
            movers: super::derived::Derived::with_capacity(256),
            org_overviews: super::derived::Derived::with_capacity(16),
            team_views: super::derived::Derived::with_capacity(256),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recomputes_of_one_key_are_spaced_and_other_keys_are_not_held_back() {
        let cache = Arc::new(KpiCache::default());
        let spacing = Duration::from_secs(15);
        assert_eq!(cache.refreshing.wait_before("summary|2026-Q4|org", spacing), Duration::ZERO, "never ran");
        let claim = claim_refresh(&cache, "summary|2026-Q4|org").expect("claimed");
        assert!(claim_refresh(&cache, "summary|2026-Q4|org").is_none(), "one recompute per key at a time");
        drop(claim);
        let wait = cache.refreshing.wait_before("summary|2026-Q4|org", spacing);
        assert!(wait > Duration::from_secs(14) && wait <= spacing, "{wait:?}");
        assert_eq!(cache.refreshing.wait_before("summary|2026-Q4|team:payments", spacing), Duration::ZERO);
        assert_eq!(cache.refreshing.wait_before("summary|2026-Q4|org", Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn a_full_cache_drops_the_entry_computed_longest_ago() {
        let cache = VersionedCache::with_capacity("test", 2);
        let pause = || std::thread::sleep(Duration::from_millis(2));
        cache.put("2026-Q4".to_owned(), 1, Arc::new(4));
        pause();
        cache.put("2026-Q3".to_owned(), 1, Arc::new(3));
        pause();
        cache.put("2026-Q2".to_owned(), 1, Arc::new(2));
        assert!(cache.get("2026-Q4", 1).is_none(), "the oldest went");
        assert_eq!(cache.get("2026-Q3", 1).as_deref(), Some(&3), "the others stay");
        assert_eq!(cache.get("2026-Q2", 1).as_deref(), Some(&2));
        cache.put("2026-Q3".to_owned(), 2, Arc::new(33));
        assert_eq!(cache.get("2026-Q2", 1).as_deref(), Some(&2), "replacing a key drops nothing");
    }
}
