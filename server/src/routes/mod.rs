//! Routes that are not server functions: the REST API and health checks.

mod health;
mod ingest;
mod kpis;
mod list;
pub mod problem;
mod snapshots;

use axum::Router;
use axum::routing::get;

use crate::startup::AppState;

pub fn api_router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(health::live))
        .route("/readyz", get(health::ready))
        .route("/api/v1/kpis", get(kpis::get_kpis))
        .route("/api/v1/kpis/trend", get(kpis::get_trend))
        .route("/api/v1/kpis/rollups", get(kpis::get_rollups))
        .route("/api/v1/kpis/{kpi}/population", get(kpis::get_population))
        .route("/api/v1/scorecards", get(kpis::get_scorecards))
        .route("/api/v1/snapshots", get(snapshots::list).post(snapshots::publish))
        .route("/api/v1/snapshots/{period}", get(snapshots::get))
        .route("/api/v1/services/{slug}/scorecard", get(kpis::get_service_scorecard))
        .route("/api/v1/{kind}", get(list::list_records).post(ingest::post_records))
}

/// The record kind named in a path, or a 404 problem (shared with the listing).
pub use ingest::parse_kind;
