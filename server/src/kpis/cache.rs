//! Cached KPI reports of closed periods. A closed period's report depends only on the stored
//! data, so each entry is keyed by the data version it was computed from: the id of the latest
//! applied import batch, read from the database on every request. Any applied import therefore
//! invalidates every entry, on every replica, without coordination; rejected or dry-run imports
//! change nothing and keep the cache warm.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::{KpiQuery, KpiReport};
use crate::entities::import_batch;

/// Entries kept before the cache starts over (a report is a few kilobytes).
const MAX_ENTRIES: usize = 2048;

#[derive(Default)]
pub struct KpiCache {
    entries: Mutex<HashMap<String, (i64, Arc<KpiReport>)>>,
}

impl KpiCache {
    fn key(query: &KpiQuery) -> String {
        format!("{}|{}|{:?}", query.period, query.scope, query.severity)
    }

    pub fn get(&self, query: &KpiQuery, version: i64) -> Option<Arc<KpiReport>> {
        let entries = self.entries.lock().ok()?;
        entries.get(&Self::key(query)).filter(|(v, _)| *v == version).map(|(_, report)| Arc::clone(report))
    }

    pub fn put(&self, query: &KpiQuery, version: i64, report: Arc<KpiReport>) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(Self::key(query), (version, report));
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
