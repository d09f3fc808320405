//! `/metrics` (docs/operations.md § Metrics): what the process counts as it works (requests
//! by route pattern, imports, jobs, figure caches and recomputes) and what is read when scraped
//! (the job queue, the database pool, the data version), in the Prometheus text format.

mod registry;

use sea_orm::{DatabaseConnection, DbErr};

use registry::{global, render_gauge};

/// One HTTP request answered: its route pattern (never the raw URL), status and duration.
pub fn http_request(method: &str, route: &str, status: u16, seconds: f64) {
    let status = status.to_string();
    global().observe(
        "plumbline_http_request_duration_seconds",
        "Time to answer a request, by method, route pattern and status.",
        &[("method", method), ("route", route), ("status", &status)],
        seconds,
    );
}

/// One import request and the rows it carried, by record kind and outcome (`applied`,
/// `dry_run`, `rejected`, `forbidden`, `failed`).
pub fn import(kind: &str, outcome: &str, rows: u64) {
    let labels = [("kind", kind), ("outcome", outcome)];
    global().count("plumbline_import_batches_total", "Import requests, by record kind and outcome.", &labels, 1.0);
    global().count("plumbline_import_rows_total", "Rows received, by record kind and outcome.", &labels, rows as f64);
}

/// An alert of an Alertmanager notification refused (its service is unknown or unnamed).
pub fn alertmanager_refused() {
    global().count(
        "plumbline_alertmanager_refused_alerts_total",
        "Alerts from Alertmanager refused because they name no known service.",
        &[],
        1.0,
    );
}

/// One job attempt, by kind and outcome (`succeeded`, `failed`, `dead`, `lost`).
pub fn job_run(kind: &str, outcome: &str, seconds: f64) {
    global().observe(
        "plumbline_job_run_duration_seconds",
        "Job attempts and their duration, by kind and outcome.",
        &[("kind", kind), ("outcome", outcome)],
        seconds,
    );
}

/// A figure looked up in a cache: `hit`, `stale` (served while recomputed) or `miss`.
pub fn cache_lookup(cache: &str, result: &str) {
    global().count(
        "plumbline_figures_cache_lookups_total",
        "Figure cache lookups, by cache and result (hit, stale, miss).",
        &[("cache", cache), ("result", result)],
        1.0,
    );
}

/// A background recompute of a page's figures, by figure (summary, scorecards, …).
pub fn recompute(figure: &str, seconds: f64) {
    global().observe(
        "plumbline_figures_recompute_duration_seconds",
        "Background recomputes of figures served outdated meanwhile, by figure.",
        &[("figure", figure)],
        seconds,
    );
}

/// Everything, with the gauges read now.
pub async fn render(db: &DatabaseConnection) -> Result<String, DbErr> {
    let mut out = String::new();
    global().render(&mut out);
    let now = crate::clock_now();
    let depth = crate::jobs::queue::depth(db).await?;
    let jobs: Vec<_> = depth
        .iter()
        .map(|d| (vec![("kind", d.kind.clone()), ("state", d.state.as_str().to_owned())], d.count as f64))
        .collect();
    render_gauge(&mut out, "plumbline_jobs", "Jobs in the queue, by kind and state.", &jobs);
    let ages: Vec<_> = depth
        .iter()
        .filter_map(|d| {
            let oldest = d.oldest?;
            let age = (now - oldest).num_milliseconds().max(0) as f64 / 1000.0;
            Some((vec![("kind", d.kind.clone()), ("state", d.state.as_str().to_owned())], age))
        })
        .collect();
    render_gauge(
        &mut out,
        "plumbline_job_oldest_age_seconds",
        "Age of the oldest job not yet succeeded, by kind and state.",
        &ages,
    );
    let (in_use, idle, max) = pool_use(db);
    render_gauge(
        &mut out,
        "plumbline_db_pool_connections",
        "Database connections of this process, by state.",
        &[(vec![("state", "in_use".to_owned())], in_use), (vec![("state", "idle".to_owned())], idle)],
    );
    render_gauge(&mut out, "plumbline_db_pool_max_connections", "The pool's size limit.", &[(vec![], max)]);
    let version = crate::db::data_version(db).await? as f64;
    render_gauge(&mut out, "plumbline_data_version", "Imports committed so far (all replicas).", &[(vec![], version)]);
    Ok(out)
}

/// Connections in use, idle, and the most the pool opens.
fn pool_use(db: &DatabaseConnection) -> (f64, f64, f64) {
    // The pool getters panic for another backend: asked only for the backend connected.
    match db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            let (size, idle) = (pool.size() as f64, pool.num_idle() as f64);
            (size - idle, idle, pool.options().get_max_connections() as f64)
        }
        sea_orm::DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            let (size, idle) = (pool.size() as f64, pool.num_idle() as f64);
            (size - idle, idle, pool.options().get_max_connections() as f64)
        }
        _ => (0.0, 0.0, 0.0),
    }
}
