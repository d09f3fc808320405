//! The record kinds of docs/ingestion.md as import specs (the on-call kinds are in `oncall`).

use std::collections::{HashMap, HashSet};

use app::domain::ingest::RowError;
use app::domain::records::*;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::ArrayType;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Statement,
};

use crate::kpis::changes::{Reach, day_reach};

use super::pipeline::Counts;
use super::refs::Ctx;
use super::spec::{KindSpec, ModelOf, Prepared, Stored};
use crate::entities::{
    deployment, dr_test, exemption, incident, incident_service, postmortem, postmortem_action, self_assessment,
    service, slo, slo_measurement, team,
};

/// When the incidents `ids` started, for the reach of records following them up.
pub(super) async fn incident_starts(
    txn: &DatabaseTransaction,
    ids: impl Iterator<Item = i64>,
) -> Result<Vec<DateTime<Utc>>, DbErr> {
    let ids: Vec<i64> = ids.collect::<HashSet<_>>().into_iter().collect();
    let mut starts = Vec::new();
    for chunk in ids.chunks(5000) {
        let earliest: Option<Option<DateTime<Utc>>> = incident::Entity::find()
            .select_only()
            .column_as(incident::Column::StartedAt.min(), "started_at")
            .filter(incident::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .one(txn)
            .await?;
        starts.extend(earliest.flatten());
    }
    Ok(starts)
}

pub(super) fn unknown(row: u64, field: &str, message: String) -> RowError {
    RowError { row: Some(row), field: Some(field.to_owned()), message }
}

pub(super) fn unknown_service(row: u64, slug: &Slug) -> RowError {
    unknown(row, "service", format!("unknown service '{slug}': import it under /api/v1/services first"))
}

fn unknown_incident(row: u64, field: &str, external_id: &str, source: &str) -> RowError {
    unknown(row, field, format!("unknown incident '{external_id}' in source '{source}'"))
}

/// The id of an optional `incident` reference, or the row error for an unknown one.
pub(super) fn optional_incident(ctx: &Ctx, row: u64, reference: Option<&str>) -> Result<Option<i64>, RowError> {
    reference
        .map(|external_id| {
            ctx.incident_id(external_id).ok_or_else(|| unknown_incident(row, "incident", external_id, &ctx.source))
        })
        .transpose()
}

pub struct Teams;

#[async_trait::async_trait]
impl KindSpec for Teams {
    type Input = TeamInput;
    type Key = String;
    type Entity = team::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["slug"];

    async fn prepare(
        ctx: &mut Ctx,
        _txn: &DatabaseTransaction,
        inputs: Vec<(u64, TeamInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let model = team::Model {
                    id: 0,
                    slug: input.slug.to_string(),
                    name: input.name,
                    time_zone: input.time_zone,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: model.slug.clone(), model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[String]) -> Result<Stored<Self>, DbErr> {
        let rows = team::Entity::find().filter(team::Column::Slug.is_in(keys.iter().cloned())).all(txn).await?;
        Ok(rows.into_iter().map(|m| (m.slug.clone(), (m, ()))).collect())
    }
}

pub struct Services;

#[async_trait::async_trait]
impl KindSpec for Services {
    type Input = ServiceInput;
    type Key = String;
    type Entity = service::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["slug"];

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, ServiceInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_teams(txn, inputs.iter().map(|(_, i)| i.team.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let Some(team_id) = ctx.team_id(input.team.as_str()) else {
                    return Err(unknown(
                        row,
                        "team",
                        format!("unknown team '{}': import it under /api/v1/teams first", input.team),
                    ));
                };
                let model = service::Model {
                    id: 0,
                    slug: input.slug.to_string(),
                    name: input.name,
                    tier: i16::from(input.tier.value()),
                    team_id,
                    lifecycle: input.lifecycle.as_str().to_owned(),
                    rto_target_minutes: input.rto_target_minutes,
                    rpo_target_minutes: input.rpo_target_minutes,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: model.slug.clone(), model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[String]) -> Result<Stored<Self>, DbErr> {
        let rows = service::Entity::find().filter(service::Column::Slug.is_in(keys.iter().cloned())).all(txn).await?;
        Ok(rows.into_iter().map(|m| (m.slug.clone(), (m, ()))).collect())
    }
}

pub struct Slos;

#[async_trait::async_trait]
impl KindSpec for Slos {
    type Input = SloInput;
    type Key = (i64, String);
    type Entity = slo::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["service_id", "slug"];

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, SloInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().map(|(_, i)| i.service.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let service_id =
                    ctx.service_id(input.service.as_str()).ok_or_else(|| unknown_service(row, &input.service))?;
                let (window_days, calendar_window, calendar_start) = slo::window_columns(input.window);
                let (budgeting, mean_of_daily_ratios) = slo::budgeting_columns(input.budgeting);
                let model = slo::Model {
                    id: 0,
                    service_id,
                    slug: input.slug.to_string(),
                    name: input.name,
                    indicator: input.indicator.as_str().to_owned(),
                    objective: input.objective,
                    window_days,
                    budgeting,
                    threshold_ms: input.threshold_ms,
                    calendar_window,
                    calendar_start,
                    mean_of_daily_ratios,
                    prometheus_url: input.prometheus.as_ref().map(|p| p.url.clone()),
                    good_query: input.prometheus.as_ref().map(|p| p.good_query.clone()),
                    total_query: input.prometheus.map(|p| p.total_query),
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: (service_id, model.slug.clone()), model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[(i64, String)]) -> Result<Stored<Self>, DbErr> {
        let wanted: HashSet<&(i64, String)> = keys.iter().collect();
        let rows = slo::Entity::find()
            .filter(slo::Column::ServiceId.is_in(keys.iter().map(|k| k.0).collect::<HashSet<_>>()))
            .all(txn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| ((m.service_id, m.slug.clone()), (m, ())))
            .filter(|(k, _)| wanted.contains(k))
            .collect())
    }
}

pub struct SloMeasurements;

#[async_trait::async_trait]
impl KindSpec for SloMeasurements {
    type Input = SloMeasurementInput;
    type Key = (i64, NaiveDate);
    type Entity = slo_measurement::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["slo_id", "day"];

    async fn reach(_txn: &DatabaseTransaction, models: &[&slo_measurement::Model]) -> Result<Reach, DbErr> {
        Ok(Reach::earliest(models.iter().map(|m| day_reach(m.day))))
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, SloMeasurementInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_slos(txn, inputs.iter().map(|(_, i)| (i.service.as_str(), i.slo.as_str()))).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let Some(slo_id) = ctx.slo_id(input.service.as_str(), input.slo.as_str()) else {
                    return Err(match ctx.service_id(input.service.as_str()) {
                        None => unknown_service(row, &input.service),
                        Some(_) => {
                            unknown(row, "slo", format!("unknown SLO '{}' of service '{}'", input.slo, input.service))
                        }
                    });
                };
                let model = slo_measurement::Model {
                    id: 0,
                    slo_id,
                    day: input.day,
                    good: input.good,
                    total: input.total,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: (slo_id, input.day), model, extra: () })
            })
            .collect())
    }

    fn chunk_rows(backend: DbBackend) -> usize {
        // Four array parameters carry any number of rows, so Postgres chunks can be large. They
        // must be: sqlx 0.9 leaves Nagle's algorithm on, and a multi-segment statement then
        // waits ~40 ms for the server's delayed ACK, once per statement.
        if backend == DbBackend::Postgres { 50_000 } else { 1000 }
    }

    /// Postgres: stored rows are found with one index range scan per chunk, then new rows go
    /// in with one plain `INSERT … SELECT FROM UNNEST(arrays)` and changed ones with one
    /// `UPDATE … FROM UNNEST(arrays)`. Measurements are by far the largest kind (millions of
    /// rows per import); this keeps each chunk to three short statements.
    async fn write_set_based(
        ctx: &Ctx,
        txn: &DatabaseTransaction,
        rows: &[Prepared<Self>],
    ) -> Result<Option<Counts>, DbErr> {
        if txn.get_database_backend() != DbBackend::Postgres {
            return Ok(None);
        }
        let keys: Vec<(i64, NaiveDate)> = rows.iter().map(|p| p.key).collect();
        let stored = Self::stored(ctx, txn, &keys).await?;
        let mut counts = Counts::default();
        let (mut added, mut changed) = (Vec::new(), Vec::new());
        for prepared in rows {
            match stored.get(&prepared.key) {
                None => added.push(&prepared.model),
                Some((model, ())) if (model.good, model.total) == (prepared.model.good, prepared.model.total) => {
                    counts.unchanged += 1;
                }
                Some((model, ())) => changed.push((model.id, &prepared.model)),
            }
        }
        counts.created = added.len() as u64;
        counts.updated = changed.len() as u64;
        let array = |kind, values: Vec<sea_orm::Value>| sea_orm::Value::Array(kind, Some(Box::new(values)));
        if !added.is_empty() {
            const INSERT: &str =
                "INSERT INTO slo_measurement (slo_id, day, good, total, import_batch_id, created_at, updated_at)
                SELECT t.slo_id, t.day, t.good, t.total, $5, $6, $6
                FROM UNNEST($1::bigint[], $2::date[], $3::bigint[], $4::bigint[]) AS t(slo_id, day, good, total)";
            let values = vec![
                array(ArrayType::BigInt, added.iter().map(|m| m.slo_id.into()).collect()),
                array(ArrayType::ChronoDate, added.iter().map(|m| m.day.into()).collect()),
                array(ArrayType::BigInt, added.iter().map(|m| m.good.into()).collect()),
                array(ArrayType::BigInt, added.iter().map(|m| m.total.into()).collect()),
                ctx.batch_id.into(),
                ctx.now.into(),
            ];
            txn.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, INSERT, values)).await?;
        }
        if !changed.is_empty() {
            let ids: Vec<i64> = changed.iter().map(|(id, _)| *id).collect();
            crate::record_history::keep::<slo_measurement::Entity, _>(txn, &ids, ctx.now, Some(ctx.batch_id)).await?;
            const UPDATE: &str = "UPDATE slo_measurement AS m
                SET good = t.good, total = t.total, import_batch_id = $4,
                    updated_at = CASE WHEN $5 > m.updated_at THEN $5 ELSE m.updated_at END
                FROM UNNEST($1::bigint[], $2::bigint[], $3::bigint[]) AS t(id, good, total)
                WHERE m.id = t.id";
            let values = vec![
                array(ArrayType::BigInt, changed.iter().map(|(id, _)| (*id).into()).collect()),
                array(ArrayType::BigInt, changed.iter().map(|(_, m)| m.good.into()).collect()),
                array(ArrayType::BigInt, changed.iter().map(|(_, m)| m.total.into()).collect()),
                ctx.batch_id.into(),
                ctx.now.into(),
            ];
            txn.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, UPDATE, values)).await?;
        }
        Ok(Some(counts))
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[(i64, NaiveDate)]) -> Result<Stored<Self>, DbErr> {
        let (Some(first), Some(last)) = (keys.iter().map(|k| k.1).min(), keys.iter().map(|k| k.1).max()) else {
            return Ok(HashMap::new());
        };
        let wanted: HashSet<&(i64, NaiveDate)> = keys.iter().collect();
        let rows = slo_measurement::Entity::find()
            .filter(slo_measurement::Column::SloId.is_in(keys.iter().map(|k| k.0).collect::<HashSet<_>>()))
            .filter(slo_measurement::Column::Day.between(first, last))
            .all(txn)
            .await?;
        Ok(rows.into_iter().map(|m| ((m.slo_id, m.day), (m, ()))).filter(|(k, _)| wanted.contains(k)).collect())
    }
}

pub struct Incidents;

/// The stored form of a timeline: `None` for none, so an incident sent without one compares
/// equal to one stored without one.
fn timeline_json(timeline: &[TimelineEntry]) -> Option<String> {
    if timeline.is_empty() {
        return None;
    }
    serde_json::to_string(timeline).ok()
}

#[async_trait::async_trait]
impl KindSpec for Incidents {
    type Input = IncidentInput;
    type Key = String;
    type Entity = incident::Entity;
    /// The affected services' ids, sorted.
    type Extra = Vec<i64>;
    const KEY_COLUMNS: &'static [&'static str] = &["source", "external_id"];

    async fn reach(_txn: &DatabaseTransaction, models: &[&incident::Model]) -> Result<Reach, DbErr> {
        Ok(Reach::earliest(models.iter().flat_map(|m| {
            [Some(m.started_at), m.detected_at, m.acknowledged_at, m.mitigated_at, m.resolved_at].into_iter().flatten()
        })))
    }

    fn stored_services(_model: &ModelOf<Self>, extra: &Self::Extra) -> Vec<i64> {
        extra.clone()
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, IncidentInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().flat_map(|(_, i)| i.services.iter().map(Slug::as_str))).await?;
        ctx.load_incidents(txn, inputs.iter().filter_map(|(_, i)| i.repeat_of.as_deref())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let mut service_ids = Vec::with_capacity(input.services.len());
                for slug in &input.services {
                    let id = ctx.service_id(slug.as_str()).ok_or_else(|| {
                        unknown(
                            row,
                            "services",
                            format!("unknown service '{slug}': import it under /api/v1/services first"),
                        )
                    })?;
                    service_ids.push(id);
                }
                service_ids.sort_unstable();
                let repeat_of_id = match input.repeat_of.as_deref() {
                    None => None,
                    Some(reference) => match ctx.incident_id(reference) {
                        Some(id) => Some(id),
                        // Named earlier in this request but not written because the request
                        // already has errors: not an error of this row.
                        None if ctx.earlier_reference_rows.contains(&row) => None,
                        None => return Err(unknown_incident(row, "repeat_of", reference, &ctx.source)),
                    },
                };
                let model = incident::Model {
                    id: 0,
                    source: ctx.source.clone(),
                    external_id: input.external_id,
                    title: input.title,
                    severity: input.severity.level(),
                    started_at: input.started_at,
                    detected_at: input.detected_at,
                    acknowledged_at: input.acknowledged_at,
                    mitigated_at: input.mitigated_at,
                    resolved_at: input.resolved_at,
                    customer_impacting: input.customer_impacting,
                    customer_impact_minutes: input.customer_impact_minutes,
                    data_loss_minutes: input.data_loss_minutes,
                    mitigated_by: input.mitigated_by.map(|by| by.as_str().to_owned()),
                    change_related: input.change_related,
                    root_cause_category: input.root_cause_category,
                    repeat_of_id,
                    status: input.status.as_str().to_owned(),
                    timeline: timeline_json(&input.timeline),
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: model.external_id.clone(), model, extra: service_ids })
            })
            .collect())
    }

    async fn stored(ctx: &Ctx, txn: &DatabaseTransaction, keys: &[String]) -> Result<Stored<Self>, DbErr> {
        let rows = incident::Entity::find()
            .filter(incident::Column::Source.eq(ctx.source.clone()))
            .filter(incident::Column::ExternalId.is_in(keys.iter().cloned()))
            .all(txn)
            .await?;
        let links = incident_service::Entity::find()
            .filter(incident_service::Column::IncidentId.is_in(rows.iter().map(|m| m.id)))
            .all(txn)
            .await?;
        let mut services: HashMap<i64, Vec<i64>> = HashMap::new();
        for link in links {
            services.entry(link.incident_id).or_default().push(link.service_id);
        }
        Ok(rows
            .into_iter()
            .map(|m| {
                let mut ids = services.remove(&m.id).unwrap_or_default();
                ids.sort_unstable();
                (m.external_id.clone(), (m, ids))
            })
            .collect())
    }

    async fn after_write(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        written: &[Prepared<Self>],
        stored: &Stored<Self>,
    ) -> Result<(), DbErr> {
        let keys: Vec<String> = written.iter().map(|p| p.key.clone()).collect();
        let fresh = Self::stored(ctx, txn, &keys).await?;
        ctx.learn_incidents(fresh.iter().map(|(key, (m, _))| (key.clone(), m.id)));
        let replaced: Vec<i64> = stored.values().map(|(m, _)| m.id).collect();
        if !replaced.is_empty() {
            incident_service::Entity::delete_many()
                .filter(incident_service::Column::IncidentId.is_in(replaced))
                .exec(txn)
                .await?;
        }
        let links: Vec<incident_service::ActiveModel> = written
            .iter()
            .filter_map(|p| Some((fresh.get(&p.key)?.0.id, &p.extra)))
            .flat_map(|(incident_id, services)| {
                services.iter().map(move |service_id| incident_service::ActiveModel {
                    incident_id: sea_orm::Set(incident_id),
                    service_id: sea_orm::Set(*service_id),
                })
            })
            .collect();
        if !links.is_empty() {
            incident_service::Entity::insert_many(links).exec_without_returning(txn).await?;
        }
        Ok(())
    }
}

pub struct Postmortems;

#[async_trait::async_trait]
impl KindSpec for Postmortems {
    type Input = PostmortemInput;
    type Key = i64;
    type Entity = postmortem::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["incident_id"];

    async fn reach(txn: &DatabaseTransaction, models: &[&postmortem::Model]) -> Result<Reach, DbErr> {
        let starts = incident_starts(txn, models.iter().map(|m| m.incident_id)).await?;
        Ok(Reach::earliest(starts.into_iter().chain(models.iter().filter_map(|m| m.published_at))))
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, PostmortemInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_incidents(txn, inputs.iter().map(|(_, i)| i.incident.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let incident_id = ctx
                    .incident_id(&input.incident)
                    .ok_or_else(|| unknown_incident(row, "incident", &input.incident, &ctx.source))?;
                let model = postmortem::Model {
                    id: 0,
                    incident_id,
                    status: input.status.as_str().to_owned(),
                    published_at: input.published_at,
                    url: input.url,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: incident_id, model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[i64]) -> Result<Stored<Self>, DbErr> {
        let rows = postmortem::Entity::find()
            .filter(postmortem::Column::IncidentId.is_in(keys.iter().copied()))
            .all(txn)
            .await?;
        Ok(rows.into_iter().map(|m| (m.incident_id, (m, ()))).collect())
    }
}

pub struct Actions;

#[async_trait::async_trait]
impl KindSpec for Actions {
    type Input = ActionInput;
    type Key = String;
    type Entity = postmortem_action::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["source", "external_id"];

    /// An action counts in the periods it is due in or overdue after, and in its incident's.
    async fn reach(txn: &DatabaseTransaction, models: &[&postmortem_action::Model]) -> Result<Reach, DbErr> {
        if models.iter().any(|m| m.due_date.is_none() && m.incident_id.is_none()) {
            return Ok(Reach::Everything);
        }
        let starts = incident_starts(txn, models.iter().filter_map(|m| m.incident_id)).await?;
        let own = models.iter().flat_map(|m| [m.due_date.map(day_reach), m.completed_at].into_iter().flatten());
        Ok(Reach::earliest(starts.into_iter().chain(own)))
    }

    fn stored_services(model: &ModelOf<Self>, _extra: &Self::Extra) -> Vec<i64> {
        vec![model.service_id]
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, ActionInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().map(|(_, i)| i.service.as_str())).await?;
        ctx.load_incidents(txn, inputs.iter().filter_map(|(_, i)| i.incident.as_deref())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let service_id =
                    ctx.service_id(input.service.as_str()).ok_or_else(|| unknown_service(row, &input.service))?;
                let incident_id = optional_incident(ctx, row, input.incident.as_deref())?;
                let model = postmortem_action::Model {
                    id: 0,
                    source: ctx.source.clone(),
                    external_id: input.external_id,
                    incident_id,
                    service_id,
                    title: input.title,
                    owner: input.owner,
                    priority: input.priority,
                    due_date: input.due_date,
                    status: input.status.as_str().to_owned(),
                    completed_at: input.completed_at,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: model.external_id.clone(), model, extra: () })
            })
            .collect())
    }

    async fn stored(ctx: &Ctx, txn: &DatabaseTransaction, keys: &[String]) -> Result<Stored<Self>, DbErr> {
        let rows = postmortem_action::Entity::find()
            .filter(postmortem_action::Column::Source.eq(ctx.source.clone()))
            .filter(postmortem_action::Column::ExternalId.is_in(keys.iter().cloned()))
            .all(txn)
            .await?;
        Ok(rows.into_iter().map(|m| (m.external_id.clone(), (m, ()))).collect())
    }
}

pub struct DrTests;

#[async_trait::async_trait]
impl KindSpec for DrTests {
    type Input = DrTestInput;
    type Key = String;
    type Entity = dr_test::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["source", "external_id"];

    async fn reach(_txn: &DatabaseTransaction, models: &[&dr_test::Model]) -> Result<Reach, DbErr> {
        Ok(Reach::earliest(models.iter().map(|m| m.performed_at)))
    }

    fn stored_services(model: &ModelOf<Self>, _extra: &Self::Extra) -> Vec<i64> {
        vec![model.service_id]
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, DrTestInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().map(|(_, i)| i.service.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let service_id =
                    ctx.service_id(input.service.as_str()).ok_or_else(|| unknown_service(row, &input.service))?;
                let model = dr_test::Model {
                    id: 0,
                    source: ctx.source.clone(),
                    external_id: input.external_id,
                    service_id,
                    scenario: input.scenario.as_str().to_owned(),
                    performed_at: input.performed_at,
                    outcome: input.outcome.as_str().to_owned(),
                    rto_target_minutes: input.rto_target_minutes,
                    rto_achieved_minutes: input.rto_achieved_minutes,
                    rpo_target_minutes: input.rpo_target_minutes,
                    rpo_achieved_minutes: input.rpo_achieved_minutes,
                    evidence_url: input.evidence_url,
                    evidence_sha256: None,
                    notes: input.notes,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: model.external_id.clone(), model, extra: () })
            })
            .collect())
    }

    async fn stored(ctx: &Ctx, txn: &DatabaseTransaction, keys: &[String]) -> Result<Stored<Self>, DbErr> {
        let rows = dr_test::Entity::find()
            .filter(dr_test::Column::Source.eq(ctx.source.clone()))
            .filter(dr_test::Column::ExternalId.is_in(keys.iter().cloned()))
            .all(txn)
            .await?;
        Ok(rows.into_iter().map(|m| (m.external_id.clone(), (m, ()))).collect())
    }
}

pub struct Deployments;

#[async_trait::async_trait]
impl KindSpec for Deployments {
    type Input = DeploymentInput;
    type Key = String;
    type Entity = deployment::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["source", "external_id"];

    async fn reach(txn: &DatabaseTransaction, models: &[&deployment::Model]) -> Result<Reach, DbErr> {
        let starts = incident_starts(txn, models.iter().filter_map(|m| m.incident_id)).await?;
        Ok(Reach::earliest(starts.into_iter().chain(models.iter().map(|m| m.deployed_at))))
    }

    fn stored_services(model: &ModelOf<Self>, _extra: &Self::Extra) -> Vec<i64> {
        vec![model.service_id]
    }

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, DeploymentInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().map(|(_, i)| i.service.as_str())).await?;
        ctx.load_incidents(txn, inputs.iter().filter_map(|(_, i)| i.incident.as_deref())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let service_id =
                    ctx.service_id(input.service.as_str()).ok_or_else(|| unknown_service(row, &input.service))?;
                let incident_id = optional_incident(ctx, row, input.incident.as_deref())?;
                let model = deployment::Model {
                    id: 0,
                    source: ctx.source.clone(),
                    external_id: input.external_id,
                    service_id,
                    deployed_at: input.deployed_at,
                    outcome: input.outcome.as_str().to_owned(),
                    incident_id,
                    author: input.author,
                    approved_by: input.approved_by,
                    change_ticket: input.change_ticket,
                    emergency: input.emergency,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: model.external_id.clone(), model, extra: () })
            })
            .collect())
    }

    async fn stored(ctx: &Ctx, txn: &DatabaseTransaction, keys: &[String]) -> Result<Stored<Self>, DbErr> {
        let rows = deployment::Entity::find()
            .filter(deployment::Column::Source.eq(ctx.source.clone()))
            .filter(deployment::Column::ExternalId.is_in(keys.iter().cloned()))
            .all(txn)
            .await?;
        Ok(rows.into_iter().map(|m| (m.external_id.clone(), (m, ()))).collect())
    }
}

/// Where the approval a row names was made, or the row error refusing it (`field` names it).
fn approval_origin(approvals: super::Approvals, row: u64, field: &'static str) -> Result<&'static str, RowError> {
    use app::domain::scorecard::ApprovalOrigin;
    match approvals {
        super::Approvals::MadeHere => Ok(ApprovalOrigin::Plumbline.as_str()),
        super::Approvals::Imported => Ok(ApprovalOrigin::Imported.as_str()),
        super::Approvals::Refused => Err(RowError {
            row: Some(row),
            field: Some(field.to_owned()),
            message: match field {
                "approver" => "exemptions are approved in Plumbline by an admin other than the requester: ask for \
                               a waiver on the service page. Only an admin, signed in, may import exemptions \
                               approved in another system"
                    .to_owned(),
                _ => "a sign-off is made on the team's self-assessment page by the reviewer, signed in; send the \
                      answer without reviewed_by and reviewed_at. Only an admin, signed in, may import sign-offs \
                      made in another system"
                    .to_owned(),
            },
        }),
    }
}

pub struct Exemptions;

#[async_trait::async_trait]
impl KindSpec for Exemptions {
    type Input = ExemptionInput;
    type Key = (i64, String);
    type Entity = exemption::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["service_id", "check_id"];

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, ExemptionInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().map(|(_, i)| i.service.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let service_id =
                    ctx.service_id(input.service.as_str()).ok_or_else(|| unknown_service(row, &input.service))?;
                let origin = approval_origin(ctx.approvals, row, "approver")?;
                let model = exemption::Model {
                    id: 0,
                    service_id,
                    check_id: input.check.as_str().to_owned(),
                    reason: input.reason,
                    approver: input.approver,
                    expires_at: input.expires_at,
                    approval_origin: Some(origin.to_owned()),
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: (service_id, model.check_id.clone()), model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[(i64, String)]) -> Result<Stored<Self>, DbErr> {
        let wanted: HashSet<&(i64, String)> = keys.iter().collect();
        let rows = exemption::Entity::find()
            .filter(exemption::Column::ServiceId.is_in(keys.iter().map(|k| k.0).collect::<HashSet<_>>()))
            .all(txn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| ((m.service_id, m.check_id.clone()), (m, ())))
            .filter(|(k, _)| wanted.contains(k))
            .collect())
    }
}

pub struct SelfAssessments;

#[async_trait::async_trait]
impl KindSpec for SelfAssessments {
    type Input = SelfAssessmentInput;
    type Key = (i64, String);
    type Entity = self_assessment::Entity;
    type Extra = ();
    const KEY_COLUMNS: &'static [&'static str] = &["service_id", "item"];

    async fn prepare(
        ctx: &mut Ctx,
        txn: &DatabaseTransaction,
        inputs: Vec<(u64, SelfAssessmentInput)>,
    ) -> Result<Vec<Result<Prepared<Self>, RowError>>, DbErr> {
        ctx.load_services(txn, inputs.iter().map(|(_, i)| i.service.as_str())).await?;
        Ok(inputs
            .into_iter()
            .map(|(row, input)| {
                let service_id =
                    ctx.service_id(input.service.as_str()).ok_or_else(|| unknown_service(row, &input.service))?;
                if let Some(items) = &ctx.readiness_items
                    && !items.contains(&input.item)
                {
                    let message = format!(
                        "'{}' is not an item of the policy's readiness checklist ({})",
                        input.item,
                        items.join(", ")
                    );
                    return Err(unknown(row, "item", message));
                }
                let origin = match input.reviewed_by {
                    Some(_) => Some(approval_origin(ctx.approvals, row, "reviewed_by")?.to_owned()),
                    None => None,
                };
                let model = self_assessment::Model {
                    id: 0,
                    service_id,
                    item: input.item,
                    answer: input.answer.as_str().to_owned(),
                    evidence_url: input.evidence_url,
                    comment: input.comment,
                    answered_by: input.answered_by,
                    answered_at: input.answered_at,
                    reviewed_by: input.reviewed_by,
                    reviewed_at: input.reviewed_at,
                    approval_origin: origin,
                    import_batch_id: ctx.batch_id,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                };
                Ok(Prepared { row, key: (service_id, model.item.clone()), model, extra: () })
            })
            .collect())
    }

    async fn stored(_ctx: &Ctx, txn: &DatabaseTransaction, keys: &[(i64, String)]) -> Result<Stored<Self>, DbErr> {
        let wanted: HashSet<&(i64, String)> = keys.iter().collect();
        let rows = self_assessment::Entity::find()
            .filter(self_assessment::Column::ServiceId.is_in(keys.iter().map(|k| k.0).collect::<HashSet<_>>()))
            .all(txn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|m| ((m.service_id, m.item.clone()), (m, ())))
            .filter(|(k, _)| wanted.contains(k))
            .collect())
    }
}
