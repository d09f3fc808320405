//! The on-call record kinds as import specs: `alerts` (pages and notifications sent to people)
//! and `oncall-shifts` (who was on call for a team's schedule, when).

use std::collections::{HashMap, HashSet};

use app::domain::ingest::RowError;
use app::domain::records::{AlertDisposition, AlertInput, OncallShiftInput};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QuerySelect};

use super::kinds::{incident_starts, optional_incident, unknown, unknown_service};
use super::refs::Ctx;
use super::spec::{KindSpec, ModelOf, Prepared, Stored};
use crate::entities::{alert, oncall_shift};
use crate::kpis::changes::Reach;

pub struct Alerts;

/// The dispositions already stored for `keys` of `source`: an import that leaves `disposition`
/// empty keeps what was triaged (a source re-sending an alert knows nothing of its review).
async fn stored_dispositions(
    txn: &DatabaseTransaction,
    source: &str,
    keys: impl Iterator<Item = String>,
) -> Result<HashMap<String, String>, DbErr> {
    let keys: Vec<String> = keys.collect::<HashSet<_>>().into_iter().collect();
    let mut found = HashMap::new();
    for chunk in keys.chunks(5000) {
        let rows: Vec<(String, String)> = alert::Entity::find()
            .select_only()
            .columns([alert::Column::ExternalId, alert::Column::Disposition])
            .filter(alert::Column::Source.eq(source))
            .filter(alert::Column::ExternalId.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(txn)
            .await?;
        found.extend(rows);
    }
    Ok(found)
}

#[async_trait::async_trait]
impl KindSpec for Alerts {
    type Input = AlertInput;
    type Key = String;
    type Entity = alert::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["source", "external_id"];

    async fn reach(txn: &DatabaseTransaction, models: &[&alert::Model]) -> Result<Reach, DbErr> {
        let starts = incident_starts(txn, models.iter().filter_map(|m| m.incident_id)).await?;
        // A page counts for the shift that covers it, which may have started a longest shift
        // before it (docs/kpis.md, pages per shift).
        let longest = chrono::TimeDelta::days(app::domain::kpi::oncall::MAX_SHIFT_DAYS);
        let fired = models.iter().map(|m| m.fired_at.checked_sub_signed(longest).unwrap_or(m.fired_at));
        Ok(Reach::earliest(starts.into_iter().chain(fired)))
    }

    fn stored_services(model: &ModelOf<Self>, _extra: &Self::Extra) -> Vec<i64> {
        vec![model.service_id]
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, AlertInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().map(|(_, i)| i.service.as_str())).await?;
        ctx.load_incidents(txn, inputs.iter().filter_map(|(_, i)| i.incident.as_deref())).await?;
        let untriaged = inputs.iter().filter(|(_, i)| i.disposition.is_none()).map(|(_, i)| i.external_id.clone());
        let kept = stored_dispositions(txn, &ctx.source, untriaged).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let service_id =
                    ctx.service_id(input.service.as_str()).ok_or_else(|| unknown_service(row, &input.service))?;
                let incident_id = optional_incident(ctx, row, input.incident.as_deref())?;
                let disposition = match input.disposition {
                    Some(given) => given.as_str().to_owned(),
                    None => kept
                        .get(&input.external_id)
                        .cloned()
                        .unwrap_or_else(|| AlertDisposition::Unreviewed.as_str().to_owned()),
                };
                let model = alert::Model {
                    id: 0,
                    source: ctx.source.clone(),
                    external_id: input.external_id,
                    service_id,
                    rule: input.rule,
                    fired_at: input.fired_at,
                    acknowledged_at: input.acknowledged_at,
                    resolved_at: input.resolved_at,
                    paged: input.paged,
                    urgency: input.urgency,
                    responder: input.responder,
                    escalations: input.escalations,
                    auto_resolved: input.auto_resolved,
                    disposition,
                    incident_id,
                    labels: input.labels,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: model.external_id.clone(), model, extra: () })
            })
            .collect())
    }

    async fn stored(ctx: &Ctx, txn: &DatabaseTransaction, keys: &[String]) -> Result<Stored<Self>, DbErr> {
        let rows = alert::Entity::find()
            .filter(alert::Column::Source.eq(ctx.source.clone()))
            .filter(alert::Column::ExternalId.is_in(keys.iter().cloned()))
            .all(txn)
            .await?;
        Ok(rows.into_iter().map(|m| (m.external_id.clone(), (m, ()))).collect())
    }
}

pub struct OncallShifts;

/// A shift's natural key: team, schedule, person and start.
type ShiftKey = (i64, String, String, DateTime<Utc>);

#[async_trait::async_trait]
impl KindSpec for OncallShifts {
    type Input = OncallShiftInput;
    type Key = ShiftKey;
    type Entity = oncall_shift::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["team_id", "schedule", "person", "starts_at"];

    async fn reach(_txn: &DatabaseTransaction, models: &[&oncall_shift::Model]) -> Result<Reach, DbErr> {
        Ok(Reach::earliest(models.iter().map(|m| m.starts_at)))
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, OncallShiftInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_teams(txn, inputs.iter().map(|(_, i)| i.team.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let team_id = ctx.team_id(input.team.as_str()).ok_or_else(|| {
                    unknown(row, "team", format!("unknown team '{}': import it under /api/v1/teams first", input.team))
                })?;
                let model = oncall_shift::Model {
                    id: 0,
                    team_id,
                    schedule: input.schedule,
                    person: input.person,
                    starts_at: input.starts_at,
                    ends_at: input.ends_at,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                let key = (team_id, model.schedule.clone(), model.person.clone(), model.starts_at);
                Ok(Prepared { row, key, model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[ShiftKey]) -> Result<Stored<Self>, DbErr> {
        let wanted: HashSet<&ShiftKey> = keys.iter().collect();
        let teams: HashSet<i64> = keys.iter().map(|k| k.0).collect();
        let Some(earliest) = keys.iter().map(|k| k.3).min() else { return Ok(HashMap::new()) };
        let latest = keys.iter().map(|k| k.3).max().unwrap_or(earliest);
        let rows = oncall_shift::Entity::find()
            .filter(oncall_shift::Column::TeamId.is_in(teams))
            .filter(oncall_shift::Column::StartsAt.between(earliest, latest))
            .all(txn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| ((m.team_id, m.schedule.clone(), m.person.clone(), m.starts_at), (m, ())))
            .filter(|(k, _)| wanted.contains(k))
            .collect())
    }
}
