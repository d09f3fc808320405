//! The jobs page (admins): the background job queue by state, the schedules, the latest jobs,
//! and a retry for a failed or dead one. `GET /api/v1/jobs` answers the same.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::jobs::JobState;
use crate::error::AppError;

/// How many jobs of one state there are, and since when the oldest waits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobStateCount {
    pub state: JobState,
    pub count: i64,
    /// When the oldest of them was queued (not for succeeded jobs).
    pub oldest: Option<String>,
}

/// A schedule and its slots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub name: String,
    pub cron: String,
    pub kind: String,
    /// The latest slot queued (by any replica).
    pub last_slot: Option<String>,
    pub next_slot: Option<String>,
}

/// One job as listed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobView {
    pub id: i64,
    pub kind: String,
    pub state: JobState,
    pub attempts: i32,
    pub max_attempts: i32,
    /// When it runs (queued or failed), or ran.
    pub run_at: String,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub worker: Option<String>,
    pub last_error: Option<String>,
    pub schedule: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobsView {
    /// Every state, in [`JobState::ALL`] order (zero counts included).
    pub states: Vec<JobStateCount>,
    pub schedules: Vec<ScheduleView>,
    /// The time zone schedules are read in.
    pub time_zone: String,
    /// Running, dead, failed and queued jobs first, then the latest succeeded ones.
    pub jobs: Vec<JobView>,
}

#[server(endpoint = "jobs")]
pub async fn get_jobs() -> Result<JobsView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "the job queue")?;
    ports.jobs.jobs().await
}

#[server(endpoint = "retry_job")]
pub async fn retry_job(id: i64) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "retrying jobs")?;
    ports.jobs.retry(principal, id).await
}
