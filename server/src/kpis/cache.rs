//! Cached KPI reports of closed periods. A closed period's report depends only on the stored
//! data, so each entry is keyed by the data version it was computed from: the id of the latest
//! applied import batch, read from the database on every request. Any applied import therefore
//! invalidates every entry, on every replica, without coordination; rejected or dry-run imports
//! change nothing and keep the cache warm.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::{KpiReport, RollupReport, ScorecardReport};
use crate::entities::import_batch;
use app::domain::kpi::Dataset;

/// Reports of closed periods, by request key, each with the data version it was computed from.
pub struct VersionedCache<T> {
    entries: Mutex<HashMap<String, (i64, Arc<T>)>>,
    /// Entries kept before the cache starts over.
    capacity: usize,
}

impl<T> VersionedCache<T> {
    pub fn with_capacity(capacity: usize) -> Self {
        VersionedCache { entries: Mutex::new(HashMap::new()), capacity }
    }

    pub fn get(&self, key: &str, version: i64) -> Option<Arc<T>> {
        let entries = self.entries.lock().ok()?;
        entries.get(key).filter(|(v, _)| *v == version).map(|(_, report)| Arc::clone(report))
    }

    pub fn put(&self, key: String, version: i64, report: Arc<T>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.capacity {
                entries.clear();
            }
            entries.insert(key, (version, report));
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
    pub datasets: VersionedCache<Dataset>,
}

impl Default for KpiCache {
    fn default() -> Self {
        KpiCache {
            kpis: VersionedCache::with_capacity(2048),
            scorecards: VersionedCache::with_capacity(32),
            rollups: VersionedCache::with_capacity(64),
            datasets: VersionedCache::with_capacity(4),
        }
    }
}

/// The current data version: the latest applied import batch (0 for an empty database).
pub async fn data_version(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let latest: Option<Option<i64>> = import_batch::Entity::find()
        .select_only()
        .column_as(import_batch::Column::Id.max(), "latest")
        .filter(import_batch::Column::Status.eq("applied"))
        .into_tuple()
        .one(db)
        .await?;
    Ok(latest.flatten().unwrap_or(0))
}
