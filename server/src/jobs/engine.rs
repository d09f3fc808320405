//! The job engine of one process: the kinds of job it can run, the schedules it keeps, and the
//! workers and scheduler loop it starts (`PLUMBLINE_WORKERS` inside `plumbline serve`, or
//! `plumbline worker`). Any number of processes may run engines on one database: the queue
//! hands each job to one worker, and each schedule slot is queued once.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use app::domain::jobs::Cron;
use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::queue::{self, Claimed, NewJob};

/// What a job's handler returns: `Err` carries the message kept on the job (never a secret).
pub type JobResult = Result<(), String>;
type JobFuture = Pin<Box<dyn Future<Output = JobResult> + Send>>;
type Handler = Arc<dyn Fn(serde_json::Value) -> JobFuture + Send + Sync>;

#[derive(Clone)]
struct Kind {
    max_attempts: i32,
    handler: Handler,
}

/// A job queued on a cron schedule, in the reporting time zone.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub name: String,
    pub cron: Cron,
    pub kind: String,
    pub payload: serde_json::Value,
}

/// Timings of the engine (tests shorten them).
#[derive(Debug, Clone, Copy)]
pub struct Timings {
    /// How long a claim lasts without a heartbeat.
    pub lease: TimeDelta,
    /// How often a running job's lease is extended.
    pub heartbeat: Duration,
    /// How long an idle worker waits before looking for due jobs again (it is woken at once
    /// for jobs this process queues).
    pub poll: Duration,
    /// How often the scheduler looks for due slots.
    pub tick: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            lease: TimeDelta::seconds(60),
            heartbeat: Duration::from_secs(15),
            poll: Duration::from_secs(2),
            tick: Duration::from_secs(15),
        }
    }
}

/// The job kinds and schedules of this process, over one database.
#[derive(Clone)]
pub struct Jobs {
    db: DatabaseConnection,
    kinds: Arc<HashMap<String, Kind>>,
    schedules: Arc<Vec<Schedule>>,
    zone: Tz,
    wake: Arc<Notify>,
    timings: Timings,
    /// The process's name among workers (host, process id and a random part).
    process: Arc<str>,
}

/// Builds a [`Jobs`].
pub struct JobsBuilder {
    db: DatabaseConnection,
    kinds: HashMap<String, Kind>,
    schedules: Vec<Schedule>,
    zone: Tz,
    timings: Timings,
}

impl JobsBuilder {
    /// A kind of job, tried up to `max_attempts` times.
    pub fn kind<F, Fut>(mut self, name: &str, max_attempts: i32, handler: F) -> Self
    where
        F: Fn(serde_json::Value) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = JobResult> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |payload| Box::pin(handler(payload)));
        self.kinds.insert(name.to_owned(), Kind { max_attempts, handler });
        self
    }

    /// Queues `kind` at every slot of `cron` (in the reporting time zone).
    pub fn schedule(mut self, name: &str, cron: Cron, kind: &str, payload: serde_json::Value) -> Self {
        self.schedules.push(Schedule { name: name.to_owned(), cron, kind: kind.to_owned(), payload });
        self
    }

    pub fn timings(mut self, timings: Timings) -> Self {
        self.timings = timings;
        self
    }

    pub fn build(self) -> Jobs {
        use rand::Rng;
        let host = std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "host".to_owned());
        let tag: u32 = rand::thread_rng().r#gen();
        Jobs {
            db: self.db,
            kinds: Arc::new(self.kinds),
            schedules: Arc::new(self.schedules),
            zone: self.zone,
            wake: Arc::new(Notify::new()),
            timings: self.timings,
            process: format!("{host}:{}:{tag:08x}", std::process::id()).into(),
        }
    }
}

impl Jobs {
    pub fn builder(db: DatabaseConnection, zone: Tz) -> JobsBuilder {
        JobsBuilder { db, kinds: HashMap::new(), schedules: Vec::new(), zone, timings: Timings::default() }
    }

    pub fn schedules(&self) -> &[Schedule] {
        &self.schedules
    }

    pub fn zone(&self) -> Tz {
        self.zone
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Queues a job of a known kind to run from `run_at`, and wakes an idle worker here.
    pub async fn enqueue(
        &self,
        kind: &str,
        payload: serde_json::Value,
        run_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<i64, DbErr> {
        let max_attempts = self.kinds.get(kind).map_or(3, |k| k.max_attempts);
        let job = NewJob { kind: kind.to_owned(), payload, max_attempts, run_at };
        let id = queue::enqueue(&self.db, &job, now).await?;
        self.wake.notify_one();
        Ok(id)
    }

    /// Queues a job of `kind` to run now unless one is already waiting (for work that any later
    /// run covers, like recomputing figures), in the background; for callers that must not wait.
    pub fn request(&self, kind: &str) {
        let jobs = self.clone();
        let kind = kind.to_owned();
        tokio::spawn(async move {
            let now = crate::clock_now();
            let max_attempts = jobs.kinds.get(&kind).map_or(3, |k| k.max_attempts);
            let job = NewJob { kind: kind.clone(), payload: serde_json::json!({}), max_attempts, run_at: now };
            match queue::enqueue_unless_waiting(&jobs.db, &job, now).await {
                Ok(Some(_)) => jobs.wake.notify_one(),
                Ok(None) => {}
                Err(error) => tracing::warn!(%error, %kind, "cannot queue a job"),
            }
        });
    }

    /// Wakes an idle worker of this process (a job was queued or retried here).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    fn kind_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.kinds.keys().cloned().collect();
        names.sort();
        names
    }

    /// Queues every schedule's latest due slot since the slot last queued (or, for a schedule
    /// never queued, within the last tick); returns how many this call queued.
    pub async fn tick(&self, now: DateTime<Utc>) -> Result<usize, DbErr> {
        let mut queued = 0;
        for schedule in self.schedules.iter() {
            let after = match queue::last_slot(&self.db, &schedule.name).await? {
                Some(last) => last,
                None => now - TimeDelta::from_std(self.timings.tick).unwrap_or(TimeDelta::seconds(15)),
            };
            let Some(slot) = schedule.cron.latest_slot(after, now, self.zone) else { continue };
            let max_attempts = self.kinds.get(&schedule.kind).map_or(3, |k| k.max_attempts);
            let job =
                NewJob { kind: schedule.kind.clone(), payload: schedule.payload.clone(), max_attempts, run_at: slot };
            if queue::enqueue_slot(&self.db, &schedule.name, slot, &job, now).await? {
                queued += 1;
                self.wake.notify_one();
            }
        }
        Ok(queued)
    }

    /// Claims and runs one due job as `worker`; `false` when none was due.
    pub async fn run_one(&self, worker: &str) -> Result<bool, DbErr> {
        let now = crate::clock_now();
        let Some(job) = queue::claim(&self.db, &self.kind_names(), worker, self.timings.lease, now).await? else {
            return Ok(false);
        };
        let started = std::time::Instant::now();
        let outcome = self.run_claimed(&job, worker).await;
        let mut label = match &outcome {
            Ok(()) => "succeeded",
            Err(_) if job.attempt >= job.max_attempts => "dead",
            Err(_) => "failed",
        };
        if let Err(error) = &outcome {
            tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempt, %error, "job attempt failed");
        }
        if !queue::finish(&self.db, &job, worker, outcome, crate::clock_now()).await? {
            tracing::warn!(job = job.id, kind = %job.kind, "job lease was lost before it finished; its outcome is dropped");
            label = "lost";
        }
        crate::metrics::job_run(&job.kind, label, started.elapsed().as_secs_f64());
        Ok(true)
    }

    /// Runs the handler while a heartbeat keeps the lease.
    async fn run_claimed(&self, job: &Claimed, worker: &str) -> JobResult {
        let Some(kind) = self.kinds.get(&job.kind) else {
            return Err(format!("no worker here runs jobs of kind {:?}", job.kind));
        };
        let run = (kind.handler)(job.payload.clone());
        // Spawned, so a panicking handler fails its job instead of the worker.
        let mut task = tokio::spawn(run);
        let mut beat = tokio::time::interval(self.timings.heartbeat);
        beat.tick().await;
        loop {
            tokio::select! {
                finished = &mut task => {
                    return match finished {
                        Ok(result) => result,
                        Err(join) => Err(format!("the job stopped unexpectedly: {join}")),
                    };
                }
                _ = beat.tick() => {
                    let until = crate::clock_now() + self.timings.lease;
                    match queue::heartbeat(&self.db, job.id, worker, until).await {
                        Ok(true) => {}
                        Ok(false) => {
                            task.abort();
                            return Err("the lease was lost to another worker".into());
                        }
                        Err(error) => tracing::warn!(job = job.id, %error, "cannot extend a job's lease"),
                    }
                }
            }
        }
    }

    /// Starts `workers` workers and, with at least one, the scheduler; they stop taking work
    /// when `stop` turns true (a running job finishes first).
    pub fn start(&self, workers: usize, stop: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
        if workers == 0 {
            return Vec::new();
        }
        let mut tasks: Vec<JoinHandle<()>> = (0..workers)
            .map(|n| {
                let jobs = self.clone();
                let stop = stop.clone();
                tokio::spawn(async move { jobs.work(n, stop).await })
            })
            .collect();
        let jobs = self.clone();
        tasks.push(tokio::spawn(async move { jobs.schedule_loop(stop).await }));
        tracing::info!(workers, schedules = self.schedules.len(), process = %self.process, "job workers started");
        tasks
    }

    async fn work(&self, n: usize, mut stop: watch::Receiver<bool>) {
        let worker = format!("{}/{n}", self.process);
        while !*stop.borrow() {
            match self.run_one(&worker).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, %worker, "cannot claim a job"),
            }
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.timings.poll) => {}
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
    }

    async fn schedule_loop(&self, mut stop: watch::Receiver<bool>) {
        let mut every = tokio::time::interval(self.timings.tick);
        while !*stop.borrow() {
            tokio::select! {
                _ = every.tick() => {
                    if let Err(error) = self.tick(crate::clock_now()).await {
                        tracing::warn!(%error, "cannot queue scheduled jobs");
                    }
                }
                changed = stop.changed() => if changed.is_err() { break },
            }
        }
    }
}
