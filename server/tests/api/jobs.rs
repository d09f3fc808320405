//! Background jobs: each job runs once however many workers on however many replicas claim,
//! failures are retried with backoff and then dead, a dead worker's job is taken over when its
//! lease runs out, each schedule slot runs once across replicas, admins list and retry jobs, and
//! an import has the current figures recomputed in the background.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::domain::jobs::Cron;
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use server::entities::job;
use server::jobs::{Jobs, Timings, queue};

use crate::helpers::{Backend, Options, spawn_app, spawn_app_with};

fn quick() -> Timings {
    Timings {
        lease: TimeDelta::seconds(30),
        heartbeat: Duration::from_millis(200),
        poll: Duration::from_millis(20),
        tick: Duration::from_secs(3600),
    }
}

async fn in_state(db: &sea_orm::DatabaseConnection, state: &str) -> u64 {
    job::Entity::find().filter(job::Column::State.eq(state)).count(db).await.expect("count jobs")
}

/// Every job ran exactly once, on a worker of either replica.
async fn drain(replicas: &[Jobs], workers_each: usize) {
    let mut tasks = Vec::new();
    for (r, jobs) in replicas.iter().enumerate() {
        for w in 0..workers_each {
            let jobs = jobs.clone();
            tasks.push(tokio::spawn(async move {
                let name = format!("replica{r}/worker{w}");
                while jobs.run_one(&name).await.expect("claim") {}
            }));
        }
    }
    for task in tasks {
        task.await.expect("worker");
    }
}

async fn each_job_runs_once_across_two_replicas(backend: Backend) {
    let app = spawn_app(backend).await;
    let second = server::db::connect(&app.database).await.expect("second replica's pool");
    let runs: Arc<Mutex<HashMap<u64, usize>>> = Arc::default();
    let replica = |db: sea_orm::DatabaseConnection| {
        let runs = runs.clone();
        Jobs::builder(db, chrono_tz::Tz::UTC)
            .kind("count", 3, move |payload: serde_json::Value| {
                let runs = runs.clone();
                async move {
                    let n = payload["n"].as_u64().ok_or("no n")?;
                    // Long enough for the other workers to try the same row.
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    *runs.lock().map_err(|_| "poisoned")?.entry(n).or_default() += 1;
                    Ok(())
                }
            })
            .timings(quick())
            .build()
    };
    let (a, b) = (replica(app.db.clone()), replica(second));
    let now = Utc::now();
    for n in 0..200u64 {
        a.enqueue("count", serde_json::json!({ "n": n }), now, now).await.expect("enqueue");
    }
    drain(&[a, b], 2).await;
    let runs = runs.lock().expect("runs").clone();
    assert_eq!(runs.len(), 200, "every job ran");
    assert!(runs.values().all(|&count| count == 1), "no job ran twice: {runs:?}");
    assert_eq!(in_state(&app.db, "succeeded").await, 200);
    app.cleanup().await;
}

#[tokio::test]
async fn each_job_runs_once_across_two_replicas_on_postgres() {
    each_job_runs_once_across_two_replicas(Backend::Postgres).await;
}

#[tokio::test]
async fn each_job_runs_once_on_sqlite() {
    each_job_runs_once_across_two_replicas(Backend::Sqlite).await;
}

async fn a_failing_job_is_retried_with_backoff_then_dead(backend: Backend) {
    let app = spawn_app(backend).await;
    let jobs = Jobs::builder(app.db.clone(), chrono_tz::Tz::UTC)
        .kind("flaky", 2, |_| async { Err::<(), String>("the upstream said no".into()) })
        .timings(quick())
        .build();
    let now = Utc::now();
    let id = jobs.enqueue("flaky", serde_json::json!({}), now, now).await.expect("enqueue");
    assert!(jobs.run_one("w").await.expect("claim"));
    let failed = job::Entity::find_by_id(id).one(&app.db).await.expect("read").expect("job");
    assert_eq!((failed.state.as_str(), failed.attempts), ("failed", 1));
    assert_eq!(failed.last_error.as_deref(), Some("the upstream said no"));
    // Backoff: not due again yet.
    let waits = failed.run_at - Utc::now();
    assert!(waits > TimeDelta::seconds(5) && waits <= TimeDelta::seconds(10), "{waits:?}");
    assert!(!jobs.run_one("w").await.expect("claim"), "not before its backoff");
    // Time passes.
    make_due(&app.db, id).await;
    assert!(jobs.run_one("w").await.expect("claim"));
    let dead = job::Entity::find_by_id(id).one(&app.db).await.expect("read").expect("job");
    assert_eq!((dead.state.as_str(), dead.attempts), ("dead", 2));
    assert!(!jobs.run_one("w").await.expect("claim"), "a dead job is not run by itself");

    // An admin retries it: queued again with its attempts counted afresh, an audit event.
    let (status, _) = app.get("/api/v1/jobs").await;
    assert_eq!(status, 200);
    let response = app.client.post(format!("{}/api/v1/jobs/{id}/retry", app.base)).send().await.expect("retry");
    assert_eq!(response.status().as_u16(), 204);
    let queued = job::Entity::find_by_id(id).one(&app.db).await.expect("read").expect("job");
    assert_eq!((queued.state.as_str(), queued.attempts), ("queued", 0));
    let (_, audit) = app.get("/api/v1/audit?action=job.retried").await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1), "{audit}");
    // Only a failed or dead job can be retried; an unknown one is not found.
    let again = app.client.post(format!("{}/api/v1/jobs/{id}/retry", app.base)).send().await.expect("retry");
    assert_eq!(again.status().as_u16(), 400);
    let missing = app.client.post(format!("{}/api/v1/jobs/999999/retry", app.base)).send().await.expect("retry");
    assert_eq!(missing.status().as_u16(), 404);
    app.cleanup().await;
}

async fn make_due(db: &sea_orm::DatabaseConnection, id: i64) {
    use sea_orm::sea_query::Expr;
    job::Entity::update_many()
        .col_expr(job::Column::RunAt, Expr::value(Utc::now() - TimeDelta::seconds(1)))
        .filter(job::Column::Id.eq(id))
        .exec(db)
        .await
        .expect("make due");
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_then_dead_on_postgres() {
    a_failing_job_is_retried_with_backoff_then_dead(Backend::Postgres).await;
}

#[tokio::test]
async fn a_failing_job_is_retried_with_backoff_then_dead_on_sqlite() {
    a_failing_job_is_retried_with_backoff_then_dead(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_dead_workers_job_is_taken_over_when_its_lease_runs_out() {
    let app = spawn_app(Backend::Postgres).await;
    let db = &app.db;
    let now = Utc::now();
    let new = queue::NewJob { kind: "k".into(), payload: serde_json::json!({}), max_attempts: 2, run_at: now };
    let id = queue::enqueue(db, &new, now).await.expect("enqueue");
    let kinds = vec!["k".to_owned()];
    let first = queue::claim(db, &kinds, "gone", TimeDelta::seconds(30), now).await.expect("claim").expect("due");
    assert_eq!(first.attempt, 1);
    // While the lease holds, nobody else gets it.
    assert!(queue::claim(db, &kinds, "other", TimeDelta::seconds(30), now).await.expect("claim").is_none());
    // The worker died; after its lease another takes the job (its second attempt).
    let later = now + TimeDelta::seconds(31);
    let second = queue::claim(db, &kinds, "other", TimeDelta::seconds(30), later).await.expect("claim");
    assert_eq!(second.map(|c| (c.id, c.attempt)), Some((id, 2)));
    // The first worker comes back: its outcome no longer counts.
    assert!(!queue::finish(db, &first, "gone", Ok(()), later).await.expect("finish"));
    // The second dies too, on the last attempt allowed: the job is dead, not run a third time.
    let much_later = later + TimeDelta::seconds(31);
    assert!(queue::claim(db, &kinds, "third", TimeDelta::seconds(30), much_later).await.expect("claim").is_none());
    let dead = job::Entity::find_by_id(id).one(db).await.expect("read").expect("job");
    assert_eq!(dead.state, "dead");
    assert!(dead.last_error.unwrap_or_default().contains("worker stopped"));
    app.cleanup().await;
}

/// Two replicas tick the same every-minute schedule through 1,000 minutes while both run
/// workers: each slot is queued once and run once.
#[tokio::test]
async fn a_thousand_schedule_slots_across_two_replicas_run_exactly_once() {
    let app = spawn_app(Backend::Postgres).await;
    let second = server::db::connect(&app.database).await.expect("second replica's pool");
    let runs = Arc::new(AtomicUsize::new(0));
    let replica = |db: sea_orm::DatabaseConnection| {
        let runs = runs.clone();
        let every_minute = Cron::parse("* * * * *").expect("cron");
        Jobs::builder(db, chrono_tz::Tz::UTC)
            .kind("tick", 3, move |_| {
                let runs = runs.clone();
                async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    Ok(())
                }
            })
            .schedule("every-minute", every_minute, "tick", serde_json::json!({}))
            .timings(quick())
            .build()
    };
    let (a, b) = (replica(app.db.clone()), replica(second));
    // Both replicas' workers run while the slots are queued (the test is their scheduler).
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut workers = Vec::new();
    for (r, jobs) in [&a, &b].into_iter().enumerate() {
        for w in 0..2 {
            let (jobs, stop) = (jobs.clone(), stop.clone());
            workers.push(tokio::spawn(async move {
                let name = format!("replica{r}/worker{w}");
                while !stop.load(Ordering::SeqCst) {
                    if !jobs.run_one(&name).await.expect("claim") {
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            }));
        }
    }
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("instant");
    for minute in 0..1000 {
        let at = start + TimeDelta::minutes(minute);
        let (queued_a, queued_b) = tokio::join!(a.tick(at), b.tick(at));
        assert_eq!(queued_a.expect("tick") + queued_b.expect("tick"), 1, "minute {minute} queued once");
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while in_state(&app.db, "succeeded").await < 1000 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::SeqCst);
    for worker in workers {
        worker.await.expect("worker");
    }
    assert_eq!(in_state(&app.db, "succeeded").await, 1000);
    assert_eq!(runs.load(Ordering::SeqCst), 1000, "each slot ran exactly once");
    app.cleanup().await;
}

/// The server's own workers recompute the current figures after an import.
#[tokio::test]
async fn an_import_has_the_figures_recomputed_in_the_background() {
    let app = spawn_app_with(Backend::Postgres, Options { workers: 1, ..Options::default() }).await;
    let (status, body) = app.post_json("teams", &serde_json::json!([{ "slug": "payments", "name": "Payments" }])).await;
    assert_eq!(status, 200, "{body}");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let warmed = loop {
        let (_, view) = app.get("/api/v1/jobs").await;
        let done = view["jobs"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|j| j["kind"] == "warm-figures" && j["state"] == "succeeded" && j["schedule"].is_null());
        if done || std::time::Instant::now() > deadline {
            break view;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let jobs = warmed["jobs"].as_array().cloned().unwrap_or_default();
    assert!(
        jobs.iter().any(|j| j["kind"] == "warm-figures" && j["state"] == "succeeded"),
        "a warm-figures job ran after the import: {warmed}"
    );
    let schedules: Vec<&str> =
        warmed["schedules"].as_array().into_iter().flatten().filter_map(|s| s["name"].as_str()).collect();
    assert!(schedules.contains(&"prune-jobs-nightly"), "{schedules:?}");
    app.cleanup().await;
}

/// After an import, the warm-figures job also computes the last closed quarter's report, so the
/// first reader of it (a quarterly review) does not wait for it.
#[tokio::test]
async fn the_last_closed_quarters_report_is_ready_before_anyone_opens_it() {
    use sea_orm::ConnectionTrait;
    let app = spawn_app_with(Backend::Postgres, Options { workers: 1, ..Options::default() }).await;
    crate::kpis::load(&app).await;
    let now = server::clock_now();
    let calendar = app::domain::kpi::ReportingCalendar::default();
    let last = app::domain::kpi::Period::quarter_containing(now, calendar).previous();
    let key = format!("report|{}|{}|", last.start().to_rfc3339(), last.end().to_rfc3339());
    let backend = app.db.get_database_backend();
    let kept = || async {
        let sql = "SELECT count(*) AS n FROM stored_figure WHERE key = $1";
        let row = app.db.query_one_raw(server::db::statement(backend, sql, [key.clone().into()])).await;
        row.ok().flatten().and_then(|r| r.try_get::<i64>("", "n").ok()).unwrap_or_default()
    };
    // Nobody opens the report here: only the job can have computed and kept it.
    crate::helpers::eventually("the report of the last closed quarter is kept", || async {
        (kept().await == 1).then_some(())
    })
    .await;
    app.cleanup().await;
}
