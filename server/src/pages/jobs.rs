//! The jobs page: the queue by state, the schedules with their slots, the latest jobs, and an
//! admin's retry (an audit event). `GET /api/v1/jobs` serves the same view.

use app::api::{JobStateCount, JobView, JobsView, ScheduleView};
use app::domain::access::Principal;
use app::domain::format::instant_seconds;
use app::domain::jobs::JobState;
use app::error::AppError;
use app::ports::JobsPort;
use chrono::TimeDelta;
use sea_orm::TransactionTrait;

use crate::audit::{self, AuditEntry};
use crate::jobs::{Jobs, queue};

/// Jobs listed on the page.
const LISTED: u64 = 200;

pub struct JobsPage {
    jobs: Jobs,
}

impl JobsPage {
    pub fn new(jobs: Jobs) -> Self {
        JobsPage { jobs }
    }
}

/// The queue as the page and `GET /api/v1/jobs` show it.
pub async fn jobs_view(jobs: &Jobs) -> Result<JobsView, sea_orm::DbErr> {
    let db = jobs.db();
    let now = crate::clock_now();
    let depth = queue::depth(db).await?;
    let states = JobState::ALL
        .into_iter()
        .map(|state| {
            let of_state = depth.iter().filter(|d| d.state == state);
            JobStateCount {
                state,
                count: of_state.clone().map(|d| d.count).sum(),
                oldest: of_state.filter_map(|d| d.oldest).min().map(instant_seconds),
            }
        })
        .collect();
    let mut schedules = Vec::with_capacity(jobs.schedules().len());
    for schedule in jobs.schedules() {
        schedules.push(ScheduleView {
            name: schedule.name.clone(),
            cron: schedule.cron.as_str().to_owned(),
            kind: schedule.kind.clone(),
            last_slot: queue::last_slot(db, &schedule.name).await?.map(instant_seconds),
            next_slot: schedule.cron.next_slot(now, TimeDelta::days(366), jobs.zone()).map(instant_seconds),
        });
    }
    let listed = queue::recent(db, LISTED)
        .await?
        .into_iter()
        .map(|job| JobView {
            id: job.id,
            state: JobState::parse(&job.state).unwrap_or(JobState::Queued),
            kind: job.kind,
            attempts: job.attempts,
            max_attempts: job.max_attempts,
            run_at: instant_seconds(job.run_at),
            created_at: instant_seconds(job.created_at),
            finished_at: job.finished_at.map(instant_seconds),
            worker: job.worker,
            last_error: job.last_error,
            schedule: job.schedule,
        })
        .collect();
    Ok(JobsView { states, schedules, time_zone: jobs.zone().name().to_owned(), jobs: listed })
}

/// Queues a failed or dead job again and records who did.
pub async fn retry(jobs: &Jobs, principal: &Principal, id: i64) -> Result<(), AppError> {
    let now = crate::clock_now();
    let failure = |e: sea_orm::DbErr| AppError::internal("retrying a job", &e);
    let txn = jobs.db().begin().await.map_err(failure)?;
    match queue::retry(&txn, id, now).await.map_err(failure)? {
        queue::Retried::Queued => {}
        queue::Retried::NoSuchJob => return Err(AppError::NotFound(format!("There is no job {id}."))),
        queue::Retried::NotRetryable(state) => {
            return Err(AppError::Invalid(format!(
                "Job {id} is {}: only a failed or dead job can be retried.",
                state.as_str()
            )));
        }
    }
    let entry = AuditEntry::new(&principal.actor(), "job.retried", &format!("job:{id}"), serde_json::json!({}));
    audit::append(&txn, entry, now).await.map_err(failure)?;
    txn.commit().await.map_err(failure)?;
    jobs.wake();
    Ok(())
}

#[async_trait::async_trait]
impl JobsPort for JobsPage {
    async fn jobs(&self) -> Result<JobsView, AppError> {
        jobs_view(&self.jobs).await.map_err(|e| AppError::internal("listing jobs", &e))
    }

    async fn retry(&self, principal: Principal, id: i64) -> Result<(), AppError> {
        retry(&self.jobs, &principal, id).await
    }
}
