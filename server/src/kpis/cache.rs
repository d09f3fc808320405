//! Cached KPI reports. A closed period's report depends only on the stored data, so each entry
//! is keyed by the data version it was computed from: the count of committed imports (table
//! `data_version`, ordered as they committed), read from the database on every request. Any
//! applied import therefore invalidates
//! every entry, on every replica, without coordination; rejected or dry-run imports change
//! nothing and keep the cache warm.
//!
//! The open period's figures also move with the clock (the as-of instant is now). They are
//! served for up to [`LIVE_FRESH`] after they were computed; after that, or once the data
//! changed, the next request recomputes them while concurrent requests are still served the
//! previous figures (each report carries the as-of instant it was computed for), so a large
//! organisation's pages never wait behind one another's recomputation.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the open period's figures are served before they are recomputed.
pub const LIVE_FRESH: Duration = Duration::from_secs(60);

use super::{KpiReport, RollupReport, ScorecardReport};

struct Entry<T> {
    version: i64,
    computed: Instant,
    report: Arc<T>,
}

/// Reports by request key, each with the data version it was computed from and when.
pub struct VersionedCache<T> {
    entries: Mutex<HashMap<String, Entry<T>>>,
    /// Keys of open-period reports being recomputed (one request recomputes each).
    refreshing: Mutex<HashSet<String>>,
    /// Entries kept before the cache starts over.
    capacity: usize,
}

/// What the cache holds for an open-period key.
pub enum Live<'a, T> {
    /// Fresh enough: serve it.
    Fresh(Arc<T>),
    /// Too old or of older data, and another request is recomputing it: serve it meanwhile.
    Stale(Arc<T>),
    /// Recompute it: nothing usable is held, or this request is the one to refresh it. The
    /// claim ends when the guard is dropped, even if the request is abandoned midway.
    Compute(Refresh<'a, T>),
}

/// A claim to recompute one key; released on drop.
pub struct Refresh<'a, T> {
    cache: &'a VersionedCache<T>,
    key: String,
}

impl<T> Drop for Refresh<'_, T> {
    fn drop(&mut self) {
        if let Ok(mut keys) = self.cache.refreshing.lock() {
            keys.remove(&self.key);
        }
    }
}

impl<T> VersionedCache<T> {
    pub fn with_capacity(capacity: usize) -> Self {
        VersionedCache { entries: Mutex::new(HashMap::new()), refreshing: Mutex::new(HashSet::new()), capacity }
    }

    pub fn get(&self, key: &str, version: i64) -> Option<Arc<T>> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|e| e.version == version).map(|e| Arc::clone(&e.report))
    }

    /// The entry for `key` at data `version` if computed less than [`LIVE_FRESH`] ago.
    pub fn get_fresh(&self, key: &str, version: i64) -> Option<Arc<T>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|e| e.version == version && e.computed.elapsed() < LIVE_FRESH)
            .map(|e| Arc::clone(&e.report))
    }

    /// The open period's entry for `key` at data `version`, and what to do with it.
    pub fn live(&self, key: &str, version: i64) -> Live<'_, T> {
        let held = self.entries.lock().ok().and_then(|entries| {
            entries.get(key).map(|e| (e.version == version && e.computed.elapsed() < LIVE_FRESH, Arc::clone(&e.report)))
        });
        match held {
            Some((true, report)) => Live::Fresh(report),
            Some((false, report)) => {
                let claimed = self.refreshing.lock().map(|mut keys| keys.insert(key.to_owned())).unwrap_or(true);
                if claimed { Live::Compute(self.claim(key)) } else { Live::Stale(report) }
            }
            // Nothing to serve meanwhile: every request computes (only until the first lands).
            None => Live::Compute(self.claim(key)),
        }
    }

    fn claim(&self, key: &str) -> Refresh<'_, T> {
        Refresh { cache: self, key: key.to_owned() }
    }

    pub fn put(&self, key: String, version: i64, report: Arc<T>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(key, Entry { version, computed: Instant::now(), report });
        }
    }
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
    /// The home page's record counts.
    pub data_summary: VersionedCache<app::api::Overview>,
    /// When the organisation's data begins (`first_record`), per data version.
    pub first_record: VersionedCache<Option<chrono::DateTime<chrono::Utc>>>,
}

impl Default for KpiCache {
    fn default() -> Self {
        KpiCache {
            kpis: VersionedCache::with_capacity(2048),
            scorecards: VersionedCache::with_capacity(32),
            rollups: VersionedCache::with_capacity(64),
            datasets: VersionedCache::with_capacity(4),
            summaries: VersionedCache::with_capacity(256),
            reports: VersionedCache::with_capacity(16),
            published: VersionedCache::with_capacity(16),
            published_figures: VersionedCache::with_capacity(16),
            data_summary: VersionedCache::with_capacity(1),
            first_record: VersionedCache::with_capacity(1),
        }
    }
}
