//! Sample reviews (docs/sample-reviews.md): drawing a sample of a population's records in a
//! window, recording each review — every change an audit event in the same transaction — and
//! the pack's sample_reviews.csv. The rules are `app::domain::evidence::samples`.

use std::collections::HashMap;

use app::domain::evidence::Population;
use app::domain::evidence::samples::{ReviewStatus, SampleMethod, SampleRequest, pick_random};
use app::domain::kpi::ReportingCalendar;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, TransactionTrait,
};
use serde_json::json;

use crate::audit::{self, AuditEntry};
use crate::entities::{
    deployment, dr_test, exemption, incident, postmortem, postmortem_action, review_sample, sample_item, service,
};

use crate::db::IN_LIST_CHUNK as CHUNK;

#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    /// The request cannot be met (shown to the auditor as it is).
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// A population's record in the window: its id, what names it, and the day it is dated.
struct Candidate {
    id: i64,
    label: String,
    day: NaiveDate,
}

/// The records of `population` dated in the window (the date each population is selected by in
/// docs/sample-reviews.md).
async fn candidates<C: ConnectionTrait>(
    db: &C,
    population: Population,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    calendar: ReportingCalendar,
) -> Result<Vec<Candidate>, DbErr> {
    let day = |at: DateTime<Utc>| calendar.day_of(at);
    let rows: Vec<(i64, String, DateTime<Utc>)> = match population {
        Population::Incidents => {
            incident::Entity::find()
                .select_only()
                .columns([incident::Column::Id, incident::Column::ExternalId, incident::Column::StartedAt])
                .filter(incident::Column::StartedAt.gte(from))
                .filter(incident::Column::StartedAt.lt(to))
                .into_tuple()
                .all(db)
                .await?
        }
        Population::Postmortems => {
            let rows: Vec<(i64, i64, Option<DateTime<Utc>>)> = postmortem::Entity::find()
                .select_only()
                .columns([postmortem::Column::Id, postmortem::Column::IncidentId, postmortem::Column::PublishedAt])
                .filter(postmortem::Column::Status.eq("published"))
                .filter(postmortem::Column::PublishedAt.gte(from))
                .filter(postmortem::Column::PublishedAt.lt(to))
                .into_tuple()
                .all(db)
                .await?;
            let mut names: HashMap<i64, String> = HashMap::new();
            let incidents: Vec<i64> = rows.iter().map(|r| r.1).collect();
            for chunk in incidents.chunks(CHUNK) {
                let found: Vec<(i64, String)> = incident::Entity::find()
                    .select_only()
                    .columns([incident::Column::Id, incident::Column::ExternalId])
                    .filter(incident::Column::Id.is_in(chunk.iter().copied()))
                    .into_tuple()
                    .all(db)
                    .await?;
                names.extend(found);
            }
            rows.into_iter()
                .filter_map(|(id, incident, at)| {
                    let name = names.get(&incident).cloned().unwrap_or_default();
                    Some((id, format!("postmortem of {name}"), at?))
                })
                .collect()
        }
        Population::Actions => {
            let rows: Vec<(i64, String, Option<NaiveDate>)> = postmortem_action::Entity::find()
                .select_only()
                .columns([
                    postmortem_action::Column::Id,
                    postmortem_action::Column::ExternalId,
                    postmortem_action::Column::DueDate,
                ])
                .filter(postmortem_action::Column::DueDate.gte(calendar.day_of(from)))
                .filter(postmortem_action::Column::DueDate.lt(calendar.day_of(to)))
                .into_tuple()
                .all(db)
                .await?;
            return Ok(rows
                .into_iter()
                .filter_map(|(id, label, due)| Some(Candidate { id, label, day: due? }))
                .collect());
        }
        Population::DrTests => {
            dr_test::Entity::find()
                .select_only()
                .columns([dr_test::Column::Id, dr_test::Column::ExternalId, dr_test::Column::PerformedAt])
                .filter(dr_test::Column::PerformedAt.gte(from))
                .filter(dr_test::Column::PerformedAt.lt(to))
                .into_tuple()
                .all(db)
                .await?
        }
        Population::Deployments => {
            deployment::Entity::find()
                .select_only()
                .columns([deployment::Column::Id, deployment::Column::ExternalId, deployment::Column::DeployedAt])
                .filter(deployment::Column::DeployedAt.gte(from))
                .filter(deployment::Column::DeployedAt.lt(to))
                .into_tuple()
                .all(db)
                .await?
        }
        Population::Exemptions => {
            // Waivers granted in the window.
            let rows: Vec<(i64, i64, String, DateTime<Utc>)> = exemption::Entity::find()
                .select_only()
                .columns([exemption::Column::Id, exemption::Column::ServiceId, exemption::Column::CheckId])
                .column(exemption::Column::CreatedAt)
                .filter(exemption::Column::CreatedAt.gte(from))
                .filter(exemption::Column::CreatedAt.lt(to))
                .into_tuple()
                .all(db)
                .await?;
            let slugs: HashMap<i64, String> = service::Entity::find()
                .select_only()
                .columns([service::Column::Id, service::Column::Slug])
                .into_tuple()
                .all(db)
                .await?
                .into_iter()
                .collect();
            rows.into_iter()
                .map(|(id, service, check, at)| {
                    (id, format!("{} {check}", slugs.get(&service).cloned().unwrap_or_default()), at)
                })
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(rows.into_iter().map(|(id, label, at)| Candidate { id, label, day: day(at) }).collect())
}

/// Draws the sample and records it (and the audit event `sample.created`) in one transaction;
/// returns its id.
pub async fn create(
    db: &DatabaseConnection,
    calendar: ReportingCalendar,
    request: &SampleRequest,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<i64, SampleError> {
    let txn = db.begin().await?;
    let (start, end) = (calendar.day_start(request.from), calendar.day_end(request.to));
    let mut found = candidates(&txn, request.population, start, end, calendar).await?;
    found.sort_by_key(|c| c.id);
    let by_id: HashMap<i64, &Candidate> = found.iter().map(|c| (c.id, c)).collect();
    let population = request.population.name();
    let chosen: Vec<&Candidate> = match &request.method {
        SampleMethod::Random { size, seed } => {
            let ids: Vec<i64> = found.iter().map(|c| c.id).collect();
            pick_random(&ids, *size, *seed).iter().filter_map(|id| by_id.get(id).copied()).collect()
        }
        SampleMethod::Ids { ids } => {
            let missing: Vec<String> = ids.iter().filter(|id| !by_id.contains_key(id)).map(i64::to_string).collect();
            if !missing.is_empty() {
                return Err(SampleError::Invalid(format!(
                    "Not {population} of {} to {}: record {}.",
                    request.from,
                    request.to,
                    missing.join(", ")
                )));
            }
            ids.iter().filter_map(|id| by_id.get(id).copied()).collect()
        }
        SampleMethod::Days { from, to } => found.iter().filter(|c| *from <= c.day && c.day <= *to).collect(),
    };
    if chosen.is_empty() {
        return Err(SampleError::Invalid(format!("No {population} record of that window matches: nothing to sample.")));
    }
    if chosen.len() > app::domain::evidence::samples::MAX_SAMPLED {
        return Err(SampleError::Invalid(format!(
            "{} records match; a sample holds at most {}: choose fewer days, or draw at random.",
            chosen.len(),
            app::domain::evidence::samples::MAX_SAMPLED
        )));
    }
    let method = serde_json::to_value(&request.method).map_err(|e| DbErr::Custom(e.to_string()))?;
    let sample = review_sample::ActiveModel {
        population: Set(population.to_owned()),
        window_from: Set(request.from),
        window_to: Set(request.to),
        method: Set(method.to_string()),
        created_by: Set(actor.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    for (position, candidate) in chosen.iter().enumerate() {
        sample_item::ActiveModel {
            sample_id: Set(sample.id),
            position: Set(i32::try_from(position + 1).unwrap_or(i32::MAX)),
            record_id: Set(candidate.id),
            label: Set(candidate.label.clone()),
            status: Set(ReviewStatus::Pending.as_str().to_owned()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    let records: Vec<i64> = chosen.iter().map(|c| c.id).collect();
    let details = json!({
        "population": population,
        "from": request.from,
        "to": request.to,
        "method": method,
        "population_size": found.len(),
        "records": records,
    });
    audit::append(&txn, AuditEntry::new(actor, "sample.created", &format!("sample:{}", sample.id), details), now)
        .await?;
    txn.commit().await?;
    Ok(sample.id)
}

/// Records a review of a sampled record (and the audit event `sample.reviewed`) in one
/// transaction.
pub async fn review(
    db: &DatabaseConnection,
    item: i64,
    status: ReviewStatus,
    comment: Option<String>,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), SampleError> {
    let txn = db.begin().await?;
    let Some(row) = sample_item::Entity::find_by_id(item).one(&txn).await? else {
        return Err(SampleError::Invalid(format!("There is no sampled record {item}.")));
    };
    let sample = review_sample::Entity::find_by_id(row.sample_id).one(&txn).await?;
    let population = sample.map(|s| s.population).unwrap_or_default();
    let details = json!({
        "sample": row.sample_id,
        "population": population,
        "record_id": row.record_id,
        "record": row.label,
        "status": status.as_str(),
        "previous_status": row.status,
        "comment": comment,
    });
    let mut active: sample_item::ActiveModel = row.clone().into();
    active.status = Set(status.as_str().to_owned());
    active.comment = Set(comment);
    active.reviewed_by = Set(Some(actor.to_owned()));
    active.reviewed_at = Set(Some(now));
    active.update(&txn).await?;
    let target = format!("sample:{}:{}", row.sample_id, row.record_id);
    audit::append(&txn, AuditEntry::new(actor, "sample.reviewed", &target, details), now).await?;
    txn.commit().await?;
    Ok(())
}

/// Samples, newest first, with their items in draw order; `within` keeps those whose window
/// lies inside `(from, to)`; `limit` keeps the newest.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    within: Option<(NaiveDate, NaiveDate)>,
    limit: Option<u64>,
) -> Result<Vec<(review_sample::Model, Vec<sample_item::Model>)>, DbErr> {
    let mut query = review_sample::Entity::find().order_by_desc(review_sample::Column::Id);
    if let Some(limit) = limit {
        query = query.limit(limit);
    }
    if let Some((from, to)) = within {
        query =
            query.filter(review_sample::Column::WindowFrom.gte(from)).filter(review_sample::Column::WindowTo.lte(to));
    }
    let samples = query.all(db).await?;
    let ids: Vec<i64> = samples.iter().map(|s| s.id).collect();
    let mut by_sample: HashMap<i64, Vec<sample_item::Model>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let items = sample_item::Entity::find()
            .filter(sample_item::Column::SampleId.is_in(chunk.iter().copied()))
            .order_by_asc(sample_item::Column::SampleId)
            .order_by_asc(sample_item::Column::Position)
            .all(db)
            .await?;
        for item in items {
            by_sample.entry(item.sample_id).or_default().push(item);
        }
    }
    Ok(samples
        .into_iter()
        .map(|s| {
            let items = by_sample.remove(&s.id).unwrap_or_default();
            (s, items)
        })
        .collect())
}

/// sample_reviews.csv: every sampled record of the samples whose window lies inside the pack's,
/// oldest sample first.
pub async fn reviews_csv<C: ConnectionTrait>(db: &C, from: NaiveDate, to: NaiveDate) -> Result<(String, u64), DbErr> {
    let mut samples = list(db, Some((from, to)), None).await?;
    samples.reverse();
    let mut out = crate::csv::line([
        "sample_id",
        "population",
        "window_from",
        "window_to",
        "method",
        "drawn_by",
        "drawn_at",
        "position",
        "record_id",
        "record",
        "status",
        "comment",
        "reviewed_by",
        "reviewed_at",
    ]);
    let mut rows = 0;
    let instant = |at: DateTime<Utc>| at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    for (sample, items) in &samples {
        for item in items {
            out.push_str(&crate::csv::line([
                sample.id.to_string().as_str(),
                &sample.population,
                &sample.window_from.to_string(),
                &sample.window_to.to_string(),
                &sample.method,
                &sample.created_by,
                &instant(sample.created_at),
                &item.position.to_string(),
                &item.record_id.to_string(),
                &item.label,
                &item.status,
                item.comment.as_deref().unwrap_or_default(),
                item.reviewed_by.as_deref().unwrap_or_default(),
                &item.reviewed_at.map(instant).unwrap_or_default(),
            ]));
            rows += 1;
        }
    }
    Ok((out, rows))
}
