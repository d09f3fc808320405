//! Plumbline's server: settings, startup, HTTP routes, the database layer and the CLI.

pub mod audit;
pub mod auth;
pub mod cli;
pub mod csv;
pub mod db;
pub mod demo;
pub mod drill_down;
pub mod entities;
pub mod evidence;
pub mod import_cli;
pub mod import_page;
pub mod ingest;
pub mod kpis;
pub mod listing;
pub mod overview;
pub mod readiness_page;
pub mod report;
pub mod routes;
pub mod service_page;
pub mod services_list;
pub mod settings;
pub mod startup;
pub mod summary_pages;
pub mod telemetry;
pub mod waivers;

/// The current instant at the precision both databases keep (microseconds).
pub fn clock_now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}
