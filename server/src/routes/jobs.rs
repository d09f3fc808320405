//! `GET /api/v1/jobs` and `POST /api/v1/jobs/{id}/retry` (admins): the job queue as the jobs
//! page shows it, and a retry of a failed or dead job.

use app::domain::access::Principal;
use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::pages::jobs::{jobs_view, retry as retry_job};
use crate::problem::Problem;
use crate::state::AppState;

/// `GET /api/v1/jobs` → the counts by state, the schedules and the latest jobs.
#[utoipa::path(get, path = "/api/v1/jobs", tag = "jobs",
    responses((status = 200, description = "The queue: `states` (count and oldest per state), `schedules` (cron, last and next slot), `jobs` (needing attention first)", content_type = "application/json"),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn list(State(state): State<AppState>) -> Response {
    match jobs_view(&state.jobs).await {
        Ok(view) => Json(view).into_response(),
        Err(error) => Problem::internal("listing jobs", &error).into_response(),
    }
}

/// `POST /api/v1/jobs/{id}/retry` → 204: the failed or dead job is queued again now.
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "jobs",
    params(("id" = i64, Path, description = "The job's id")),
    responses((status = 204, description = "Queued again, its attempts counted afresh"),
        (status = 400, description = "The job is queued, running or succeeded", body = crate::problem::Problem),
        (status = 404, description = "No such job", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn retry(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    match retry_job(&state.jobs, &principal, id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => Problem::from(error).into_response(),
    }
}
