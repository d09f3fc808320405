//! Loads a period's capacity measurements (docs/kpis.md §10d) as each service-day's smallest
//! headroom over its resources.

use std::collections::BTreeMap;
use std::collections::HashMap;

use app::domain::kpi::{CapacityDay, Period};
use app::domain::records::Slug;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::mapping::Corrupt;
use crate::entities::capacity_measurement;

type Row = (i64, i64, String, NaiveDate, f64, f64);

/// The scope's service-days of the period, each with its smallest headroom.
pub async fn capacity_days<C: ConnectionTrait>(
    db: &C,
    period: &Period,
    scope_ids: Option<&[i64]>,
    services: &HashMap<i64, Slug>,
) -> Result<Vec<CapacityDay>, super::load::LoadError> {
    let mut query = capacity_measurement::Entity::find()
        .select_only()
        .columns([
            capacity_measurement::Column::Id,
            capacity_measurement::Column::ServiceId,
            capacity_measurement::Column::Resource,
            capacity_measurement::Column::Day,
            capacity_measurement::Column::PeakUsed,
            capacity_measurement::Column::Capacity,
        ])
        .filter(capacity_measurement::Column::Day.gte(period.first_day()))
        .filter(capacity_measurement::Column::Day.lt(period.end_day()));
    if let Some(ids) = scope_ids {
        query = query.filter(capacity_measurement::Column::ServiceId.is_in(ids.iter().copied()));
    }
    let rows: Vec<Row> = query.into_tuple().all(db).await?;
    let mut smallest: BTreeMap<(i64, NaiveDate), (f64, String)> = BTreeMap::new();
    for (id, service_id, resource, day, peak_used, capacity) in rows {
        if capacity <= 0.0 {
            return Err(Corrupt { table: "capacity_measurement", id, problem: "capacity not above 0".into() }.into());
        }
        let headroom = 1.0 - peak_used / capacity;
        let entry = smallest.entry((service_id, day)).or_insert((headroom, resource.clone()));
        if headroom < entry.0 || (headroom == entry.0 && resource < entry.1) {
            *entry = (headroom, resource);
        }
    }
    smallest
        .into_iter()
        .map(|((service_id, day), (headroom, resource))| {
            let service = services.get(&service_id).cloned().ok_or_else(|| Corrupt {
                table: "capacity_measurement",
                id: service_id,
                problem: "unknown service".into(),
            })?;
            Ok(CapacityDay { service, day, headroom, resource })
        })
        .collect()
}
