//! Background jobs (docs/operations.md § Jobs): the queue in the database, the engine that
//! claims and runs jobs and queues scheduled ones, and Plumbline's own job kinds.

pub mod builtin;
mod engine;
pub mod queue;

pub use engine::{JobResult, Jobs, JobsBuilder, Schedule, Timings};

/// How long a stopping process lets its running jobs finish before leaving them to their lease.
const FINISH_ON_STOP: std::time::Duration = std::time::Duration::from_secs(10);

/// Waits for stopped workers to finish their running jobs, at most [`FINISH_ON_STOP`]; a job
/// still running then is claimed again elsewhere once its lease runs out.
pub async fn wait_for(tasks: Vec<tokio::task::JoinHandle<()>>) {
    let all = futures::future::join_all(tasks);
    if tokio::time::timeout(FINISH_ON_STOP, all).await.is_err() {
        tracing::warn!("jobs still running at shutdown are left to their lease");
    }
}
