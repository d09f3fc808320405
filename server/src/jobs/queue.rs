//! The job table's operations (table `job`, see its migration). A worker claims the next due job
//! in one statement: on Postgres the candidate row is locked with `FOR UPDATE SKIP LOCKED`, so
//! workers on any number of replicas each take a different job without waiting on each other;
//! SQLite has one writer, which makes the same statement exclusive. A claim holds a lease that
//! the worker's heartbeat extends; a job whose lease ran out (its worker died) is claimed again,
//! or declared dead when it has used its attempts.

use app::domain::jobs::{JobState, backoff};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Statement, Value,
};

use crate::entities::job;

/// A job a worker has claimed.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    /// This attempt's number, from 1.
    pub attempt: i32,
    pub max_attempts: i32,
}

/// A job to queue now or later.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub max_attempts: i32,
    pub run_at: DateTime<Utc>,
}

fn row(job: &NewJob, now: DateTime<Utc>) -> job::ActiveModel {
    job::ActiveModel {
        kind: Set(job.kind.clone()),
        payload: Set(job.payload.to_string()),
        state: Set(JobState::Queued.as_str().to_owned()),
        attempts: Set(0),
        max_attempts: Set(job.max_attempts.max(1)),
        run_at: Set(job.run_at),
        created_at: Set(now),
        ..Default::default()
    }
}

/// Queues `job`; returns its id.
pub async fn enqueue<C: ConnectionTrait>(db: &C, job: &NewJob, now: DateTime<Utc>) -> Result<i64, DbErr> {
    Ok(job::Entity::insert(row(job, now)).exec(db).await?.last_insert_id)
}

/// Queues `job` unless one of its kind is already waiting to start (which will see the same
/// data when it runs); returns the id of the job queued, if this call queued one.
pub async fn enqueue_unless_waiting<C: ConnectionTrait>(
    db: &C,
    job: &NewJob,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let waiting = job::Entity::find()
        .filter(job::Column::Kind.eq(job.kind.as_str()))
        .filter(job::Column::State.eq(JobState::Queued.as_str()))
        .filter(job::Column::RunAt.lte(now))
        .one(db)
        .await?;
    if waiting.is_some() {
        return Ok(None);
    }
    enqueue(db, job, now).await.map(Some)
}

/// Queues `job` as `schedule`'s run for `slot`, unless a replica queued it already; `true` if
/// this call queued it.
pub async fn enqueue_slot<C: ConnectionTrait>(
    db: &C,
    schedule: &str,
    slot: DateTime<Utc>,
    job: &NewJob,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut model = row(job, now);
    model.schedule = Set(Some(schedule.to_owned()));
    model.slot = Set(Some(slot));
    let inserted = job::Entity::insert(model)
        .on_conflict_do_nothing_on([job::Column::Schedule, job::Column::Slot])
        .exec(db)
        .await?;
    Ok(matches!(inserted, sea_orm::TryInsertResult::Inserted(_)))
}

/// The latest slot `schedule` was queued for.
pub async fn last_slot<C: ConnectionTrait>(db: &C, schedule: &str) -> Result<Option<DateTime<Utc>>, DbErr> {
    let latest: Option<Option<DateTime<Utc>>> = job::Entity::find()
        .select_only()
        .column_as(job::Column::Slot.max(), "slot")
        .filter(job::Column::Schedule.eq(schedule))
        .into_tuple()
        .one(db)
        .await?;
    Ok(latest.flatten())
}

/// `sql` for the connection's backend; SQLite, one process, has no row locks to skip.
fn statement(backend: DbBackend, sql: &str, values: Vec<Value>) -> Statement {
    match backend {
        DbBackend::Postgres => crate::db::statement(backend, sql, values),
        _ => crate::db::statement(backend, &sql.replace(" FOR UPDATE SKIP LOCKED", ""), values),
    }
}

/// The condition of a due job: `$now_at` is now, the kinds follow it.
fn due(now_at: usize, kinds: usize) -> String {
    let now = format!("${now_at}");
    let kinds: Vec<String> = (0..kinds).map(|i| format!("${}", now_at + 1 + i)).collect();
    format!(
        "((state IN ('queued', 'failed') AND run_at <= {now}) OR (state = 'running' AND lease_until < {now})) \
         AND kind IN ({})",
        kinds.join(", ")
    )
}

/// Claims the next due job of one of `kinds` for `worker` until `now + lease`.
pub async fn claim<C: ConnectionTrait>(
    db: &C,
    kinds: &[String],
    worker: &str,
    lease: TimeDelta,
    now: DateTime<Utc>,
) -> Result<Option<Claimed>, DbErr> {
    if kinds.is_empty() {
        return Ok(None);
    }
    let backend = db.get_database_backend();
    let kinds: Vec<Value> = kinds.iter().map(|k| Value::from(k.clone())).collect();
    // Read first: an idle worker then never writes (on SQLite a write waits for the one writer,
    // which a long import holds).
    let probe = format!("SELECT id FROM job WHERE {} LIMIT 1", due(1, kinds.len()));
    let probe_values: Vec<Value> = std::iter::once(Value::from(now)).chain(kinds.iter().cloned()).collect();
    if db.query_one_raw(statement(backend, &probe, probe_values)).await?.is_none() {
        return Ok(None);
    }
    // A job whose worker died on its last allowed attempt is not run again by itself.
    db.execute_raw(statement(
        backend,
        "UPDATE job SET state = 'dead', finished_at = $1, lease_until = NULL, \
         last_error = COALESCE(last_error || ' — ', '') || 'its worker stopped during the last allowed attempt' \
         WHERE state = 'running' AND lease_until < $1 AND attempts >= max_attempts",
        vec![now.into()],
    ))
    .await?;
    let sql = format!(
        "UPDATE job SET state = 'running', attempts = attempts + 1, worker = $1, lease_until = $2, started_at = $3 \
         WHERE id = (SELECT id FROM job WHERE {} ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED) \
         RETURNING id, kind, payload, attempts, max_attempts",
        due(3, kinds.len())
    );
    let mut values: Vec<Value> = vec![worker.into(), (now + lease).into(), now.into()];
    values.extend(kinds);
    let Some(found) = db.query_one_raw(statement(backend, &sql, values)).await? else {
        return Ok(None);
    };
    let payload: String = found.try_get("", "payload")?;
    Ok(Some(Claimed {
        id: found.try_get("", "id")?,
        kind: found.try_get("", "kind")?,
        // Written by `enqueue` from JSON; anything else is treated as no payload.
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        attempt: found.try_get("", "attempts")?,
        max_attempts: found.try_get("", "max_attempts")?,
    }))
}

/// The worker's own claim, while it holds it.
fn held(id: i64, worker: &str) -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(job::Column::Id.eq(id))
        .add(job::Column::Worker.eq(worker))
        .add(job::Column::State.eq(JobState::Running.as_str()))
}

/// Extends the lease; `false` if the worker no longer holds the job (its lease ran out and
/// another worker took it).
pub async fn heartbeat<C: ConnectionTrait>(db: &C, id: i64, worker: &str, until: DateTime<Utc>) -> Result<bool, DbErr> {
    let result = job::Entity::update_many()
        .col_expr(job::Column::LeaseUntil, Expr::value(until))
        .filter(held(id, worker))
        .exec(db)
        .await?;
    Ok(result.rows_affected == 1)
}

/// Records the attempt's outcome; `false` if the worker had lost the job meanwhile.
pub async fn finish<C: ConnectionTrait>(
    db: &C,
    job: &Claimed,
    worker: &str,
    outcome: Result<(), String>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = job::Entity::update_many()
        .col_expr(job::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(held(job.id, worker));
    update = match outcome {
        Ok(()) => update
            .col_expr(job::Column::State, Expr::value(JobState::Succeeded.as_str()))
            .col_expr(job::Column::FinishedAt, Expr::value(now))
            .col_expr(job::Column::LastError, Expr::value(Option::<String>::None)),
        Err(error) if job.attempt >= job.max_attempts => update
            .col_expr(job::Column::State, Expr::value(JobState::Dead.as_str()))
            .col_expr(job::Column::FinishedAt, Expr::value(now))
            .col_expr(job::Column::LastError, Expr::value(error)),
        Err(error) => {
            let attempt = u32::try_from(job.attempt).unwrap_or(1);
            update
                .col_expr(job::Column::State, Expr::value(JobState::Failed.as_str()))
                .col_expr(job::Column::RunAt, Expr::value(now + backoff(attempt)))
                .col_expr(job::Column::LastError, Expr::value(error))
        }
    };
    Ok(update.exec(db).await?.rows_affected == 1)
}

/// What an admin's retry did.
#[derive(Debug, PartialEq, Eq)]
pub enum Retried {
    Queued,
    NoSuchJob,
    /// Queued, running or succeeded: nothing to retry.
    NotRetryable(JobState),
}

/// Queues a failed or dead job again now, with its attempts counted afresh.
pub async fn retry<C: ConnectionTrait>(db: &C, id: i64, now: DateTime<Utc>) -> Result<Retried, DbErr> {
    let Some(found) = job::Entity::find_by_id(id).one(db).await? else { return Ok(Retried::NoSuchJob) };
    let state = JobState::parse(&found.state).unwrap_or(JobState::Running);
    if !state.retryable() {
        return Ok(Retried::NotRetryable(state));
    }
    let updated = job::Entity::update_many()
        .col_expr(job::Column::State, Expr::value(JobState::Queued.as_str()))
        .col_expr(job::Column::RunAt, Expr::value(now))
        .col_expr(job::Column::Attempts, Expr::value(0))
        .col_expr(job::Column::FinishedAt, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(job::Column::Id.eq(id))
        .filter(job::Column::State.is_in([JobState::Failed.as_str(), JobState::Dead.as_str()]))
        .exec(db)
        .await?;
    // A worker retried it in between (a failed job): it is running again anyway.
    Ok(if updated.rows_affected == 1 { Retried::Queued } else { Retried::NotRetryable(JobState::Running) })
}

/// The newest jobs, those needing attention (running, failed, dead) first, then queued ones.
pub async fn recent<C: ConnectionTrait>(db: &C, limit: u64) -> Result<Vec<job::Model>, DbErr> {
    let mut attention = job::Entity::find()
        .filter(job::Column::State.is_in(["running", "failed", "dead", "queued"]))
        .order_by_desc(job::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let rest = limit.saturating_sub(attention.len() as u64);
    if rest > 0 {
        let done = job::Entity::find()
            .filter(job::Column::State.eq(JobState::Succeeded.as_str()))
            .order_by_desc(job::Column::Id)
            .limit(rest)
            .all(db)
            .await?;
        attention.extend(done);
    }
    let rank = |state: &str| match JobState::parse(state) {
        Some(JobState::Running) => 0,
        Some(JobState::Dead) => 1,
        Some(JobState::Failed) => 2,
        Some(JobState::Queued) => 3,
        _ => 4,
    };
    attention.sort_by_key(|job| (rank(&job.state), std::cmp::Reverse(job.id)));
    Ok(attention)
}

/// Jobs of one kind in one state, and when the oldest of them was queued (for the page and
/// `/metrics`: a queue whose oldest job keeps ageing is stuck).
#[derive(Debug, Clone, PartialEq)]
pub struct Depth {
    pub kind: String,
    pub state: JobState,
    pub count: i64,
    pub oldest: Option<DateTime<Utc>>,
}

/// Counts by kind and state (succeeded jobs are counted, not aged).
pub async fn depth<C: ConnectionTrait>(db: &C) -> Result<Vec<Depth>, DbErr> {
    let rows: Vec<(String, String, i64, Option<DateTime<Utc>>)> = job::Entity::find()
        .select_only()
        .column(job::Column::Kind)
        .column(job::Column::State)
        .column_as(job::Column::Id.count(), "count")
        .column_as(job::Column::CreatedAt.min(), "oldest")
        .group_by(job::Column::Kind)
        .group_by(job::Column::State)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, state, count, oldest)| {
            let state = JobState::parse(&state)?;
            Some(Depth { kind, state, count, oldest: (state != JobState::Succeeded).then_some(oldest).flatten() })
        })
        .collect())
}

/// Deletes succeeded jobs finished before `before`; returns how many.
pub async fn prune<C: ConnectionTrait>(db: &C, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let result = job::Entity::delete_many()
        .filter(job::Column::State.eq(JobState::Succeeded.as_str()))
        .filter(job::Column::FinishedAt.lt(before))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
