//! `GET /metrics`: the Prometheus text exposition (see `crate::metrics`).

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;
use crate::state::AppState;

/// `GET /metrics` → request latencies by route pattern, imports, jobs, figure caches and
/// recomputes, the job queue and the database pool, in the Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain"),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn scrape(State(state): State<AppState>) -> Response {
    match crate::metrics::render(&state.db).await {
        Ok(text) => ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], text).into_response(),
        Err(error) => Problem::internal("reading the metrics", &error).into_response(),
    }
}
