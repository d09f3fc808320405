//! The `capacity-measurements` kind as an import spec: a service's peak use of one resource on
//! one day against its capacity, keyed by service, resource and day.

use std::collections::{HashMap, HashSet};

use app::domain::ingest::RowError;
use app::domain::records::CapacityMeasurementInput;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};

use super::kinds::unknown_service;
use super::refs::Ctx;
use super::spec::{KindSpec, Prepared, Stored};
use crate::entities::capacity_measurement;
use crate::kpis::changes::{Reach, day_reach};

pub struct CapacityMeasurements;

type CapacityKey = (i64, String, NaiveDate);

#[async_trait::async_trait]
impl KindSpec for CapacityMeasurements {
    type Input = CapacityMeasurementInput;
    type Key = CapacityKey;
    type Entity = capacity_measurement::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["service_id", "resource", "day"];

    async fn reach(_txn: &DatabaseTransaction, models: &[&capacity_measurement::Model]) -> Result<Reach, DbErr> {
        Ok(Reach::earliest(models.iter().map(|m| day_reach(m.day))))
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, CapacityMeasurementInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().map(|(_, i)| i.service.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let service_id =
                    ctx.service_id(input.service.as_str()).ok_or_else(|| unknown_service(row, &input.service))?;
                let model = capacity_measurement::Model {
                    id: 0,
                    service_id,
                    resource: input.resource,
                    day: input.day,
                    peak_used: input.peak_used,
                    capacity: input.capacity,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                let key = (service_id, model.resource.clone(), model.day);
                Ok(Prepared { row, key, model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[CapacityKey]) -> Result<Stored<Self>, DbErr> {
        let wanted: HashSet<&CapacityKey> = keys.iter().collect();
        let services: HashSet<i64> = keys.iter().map(|k| k.0).collect();
        let Some(earliest) = keys.iter().map(|k| k.2).min() else { return Ok(HashMap::new()) };
        let latest = keys.iter().map(|k| k.2).max().unwrap_or(earliest);
        let rows = capacity_measurement::Entity::find()
            .filter(capacity_measurement::Column::ServiceId.is_in(services))
            .filter(capacity_measurement::Column::Day.between(earliest, latest))
            .all(txn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| ((m.service_id, m.resource.clone(), m.day), (m, ())))
            .filter(|(k, _)| wanted.contains(k))
            .collect())
    }
}
