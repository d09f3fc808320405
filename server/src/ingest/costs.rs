//! The `costs` kind as an import spec: what a service cost in one month in one currency, with
//! the units of its driver, keyed by service, month and currency.

use std::collections::{HashMap, HashSet};

use app::domain::ingest::RowError;
use app::domain::records::CostInput;
use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};

use super::kinds::unknown_service;
use super::refs::Ctx;
use super::spec::{KindSpec, Prepared, Stored};
use crate::entities::cost;
use crate::kpis::changes::{Reach, day_reach};

pub struct Costs;

type CostKey = (i64, NaiveDate, String);

#[async_trait::async_trait]
impl KindSpec for Costs {
    type Input = CostInput;
    type Key = CostKey;
    type Entity = cost::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["service_id", "month", "currency"];

    async fn reach(_txn: &DatabaseTransaction, models: &[&cost::Model]) -> Result<Reach, DbErr> {
        Ok(Reach::earliest(models.iter().map(|m| day_reach(m.month))))
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, CostInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().map(|(_, i)| i.service.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let service_id =
                    ctx.service_id(input.service.as_str()).ok_or_else(|| unknown_service(row, &input.service))?;
                let model = cost::Model {
                    id: 0,
                    service_id,
                    month: input.month,
                    amount: input.amount,
                    currency: input.currency,
                    unit_driver: input.unit_driver,
                    units: input.units,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                let key = (service_id, model.month, model.currency.clone());
                Ok(Prepared { row, key, model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[CostKey]) -> Result<Stored<Self>, DbErr> {
        let wanted: HashSet<&CostKey> = keys.iter().collect();
        let services: HashSet<i64> = keys.iter().map(|k| k.0).collect();
        let Some(earliest) = keys.iter().map(|k| k.1).min() else { return Ok(HashMap::new()) };
        let latest = keys.iter().map(|k| k.1).max().unwrap_or(earliest);
        let rows = cost::Entity::find()
            .filter(cost::Column::ServiceId.is_in(services))
            .filter(cost::Column::Month.between(earliest, latest))
            .all(txn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| ((m.service_id, m.month, m.currency.clone()), (m, ())))
            .filter(|(k, _)| wanted.contains(k))
            .collect())
    }
}
