//! Plumbline's server: settings, startup, HTTP routes, the database layer and the CLI.

pub mod assets;
pub mod audit;
pub mod auth;
pub mod background;
pub mod campaigns;
pub mod catalog;
pub mod checkpoints;
pub mod cli;
pub mod csv;
pub mod db;
pub mod demo;
pub mod entities;
pub mod evidence;
pub mod import_cli;
pub mod ingest;
pub mod jobs;
pub mod kpis;
pub mod listing;
pub mod metrics;
pub mod notify;
pub mod pages;
pub mod problem;
pub mod prometheus;
pub mod record_history;
pub mod report;
pub mod routes;
pub mod samples;
pub mod serve;
pub mod server_fns;
pub mod settings;
pub mod signing;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod verify_cli;

static CLOCK_SHIFT: std::sync::OnceLock<chrono::TimeDelta> = std::sync::OnceLock::new();

/// Starts the server's clock at `at`, from where it advances in real time (`PLUMBLINE_CLOCK_AT`,
/// local mode only: demos and tests of expiries). Once, at startup; `false` if already set.
pub fn start_clock_at(at: chrono::DateTime<chrono::Utc>) -> bool {
    CLOCK_SHIFT.set(at - chrono::Utc::now()).is_ok()
}

/// How far the clock was moved by [`start_clock_at`], if it was.
pub fn clock_shift() -> Option<chrono::TimeDelta> {
    CLOCK_SHIFT.get().copied()
}

/// The current instant at the precision both databases keep (microseconds).
pub fn clock_now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    let now = chrono::Utc::now();
    clock_shift().and_then(|shift| now.checked_add_signed(shift)).unwrap_or(now).trunc_subsecs(6)
}
