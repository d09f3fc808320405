//! The `remediations` kind as an import spec: how a service remediates one failure mode (a
//! root-cause category), keyed by service and failure mode.

use std::collections::{HashMap, HashSet};

use app::domain::ingest::RowError;
use app::domain::records::RemediationInput;
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};

use super::kinds::unknown_service;
use super::refs::Ctx;
use super::spec::{KindSpec, Prepared, Stored};
use crate::entities::remediation;

pub struct Remediations;

#[async_trait::async_trait]
impl KindSpec for Remediations {
    type Input = RemediationInput;
    type Key = (i64, String);
    type Entity = remediation::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["service_id", "failure_mode"];

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, RemediationInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().map(|(_, i)| i.service.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let service_id =
                    ctx.service_id(input.service.as_str()).ok_or_else(|| unknown_service(row, &input.service))?;
                let model = remediation::Model {
                    id: 0,
                    service_id,
                    failure_mode: input.failure_mode,
                    automation: input.automation.as_str().to_owned(),
                    runbook_url: input.runbook_url,
                    last_exercised_at: input.last_exercised_at,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: (service_id, model.failure_mode.clone()), model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[(i64, String)]) -> Result<Stored<Self>, DbErr> {
        let wanted: HashSet<&(i64, String)> = keys.iter().collect();
        let rows = remediation::Entity::find()
            .filter(remediation::Column::ServiceId.is_in(keys.iter().map(|k| k.0).collect::<HashSet<_>>()))
            .all(txn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| ((m.service_id, m.failure_mode.clone()), (m, ())))
            .filter(|(k, _)| wanted.contains(k))
            .collect::<HashMap<_, _>>())
    }
}
