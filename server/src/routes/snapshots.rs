//! `POST /api/v1/snapshots` publishes a past period; `GET /api/v1/snapshots` lists them;
//! `GET /api/v1/snapshots/{period}` serves the frozen document, byte for byte.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::kpis::LoadError;
use crate::problem::Problem;
use crate::report::snapshots::{self, SnapshotError};
use crate::state::AppState;

/// The period to publish: an ended month or quarter.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    pub period: String,
}

fn bad_period(detail: String) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "Invalid period", detail)
}

#[utoipa::path(post, path = "/api/v1/snapshots", operation_id = "publish_snapshot", summary = "Publish an ended period", tag = "snapshots", request_body = PublishRequest,
    responses((status = 201, description = "Published: the period's figures are frozen", body = crate::report::snapshots::SnapshotSummary), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 409, description = "Published already", body = crate::problem::Problem),
        (status = 422, description = "The period has not ended, or ended before the first record", body = crate::problem::Problem)))]
pub async fn publish(
    State(state): State<AppState>,
    Extension(principal): Extension<app::domain::access::Principal>,
    body: Bytes,
) -> Response {
    let result = async {
        let request: PublishRequest = serde_json::from_slice(&body).map_err(|e| {
            Problem::new(StatusCode::BAD_REQUEST, "Invalid body", format!("expected {{\"period\": \"2026-Q3\"}}: {e}"))
        })?;
        let period = app::domain::kpi::Period::parse_begun(&request.period, state.figures.calendar, crate::clock_now())
            .map_err(|e| bad_period(e.to_string()))?;
        let actor = principal.actor();
        Box::pin(snapshots::publish(&state.figures, &period, &actor, crate::clock_now())).await.map_err(|error| {
            let detail = error.to_string();
            match error {
                SnapshotError::NotClosed(_) => {
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Period not over", detail)
                }
                SnapshotError::BeforeData(_) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "No data", detail),
                SnapshotError::AlreadyPublished(_) => Problem::new(StatusCode::CONFLICT, "Already published", detail),
                SnapshotError::Load(LoadError::UnknownScope(detail)) => {
                    Problem::new(StatusCode::NOT_FOUND, "Unknown scope", detail)
                }
                other => Problem::internal("publishing a snapshot", &other),
            }
        })
    };
    match result.await {
        Ok(summary) => {
            state.checkpoints.record_after(&state.db, crate::checkpoints::Reason::Snapshot).await;
            (StatusCode::CREATED, Json(summary)).into_response()
        }
        Err(problem) => problem.into_response(),
    }
}

#[utoipa::path(get, path = "/api/v1/snapshots", operation_id = "list_snapshots", summary = "List published periods", tag = "snapshots",
    responses((status = 200, description = "Every published period", body = Vec<crate::report::snapshots::SnapshotSummary>), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn list(State(state): State<AppState>) -> Response {
    match snapshots::list(&state.db).await {
        Ok(summaries) => Json(summaries).into_response(),
        Err(error) => Problem::internal("listing snapshots", &error).into_response(),
    }
}

#[utoipa::path(get, path = "/api/v1/snapshots/{period}", operation_id = "get_snapshot", summary = "A published period's frozen document", tag = "snapshots",
    params(("period" = String, Path, description = "A month or quarter")),
    responses((status = 200, description = "The frozen document (docs/reports.md)", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "Not published", body = crate::problem::Problem)))]
pub async fn get(State(state): State<AppState>, Path(period): Path<String>) -> Response {
    let result = async {
        let period =
            app::domain::kpi::Period::parse(&period, state.figures.calendar).map_err(|e| bad_period(e.to_string()))?;
        match snapshots::find(&state.db, &period).await {
            Ok(Some(row)) => Ok(row),
            Ok(None) => {
                Err(Problem::new(StatusCode::NOT_FOUND, "Not published", format!("{period} has no published snapshot")))
            }
            Err(error) => Err(Problem::internal("reading a snapshot", &error)),
        }
    };
    match result.await {
        Ok(row) => (
            [
                (header::CONTENT_TYPE, "application/json".to_owned()),
                (header::ETAG, format!("\"{}\"", row.content_sha256)),
                (header::HeaderName::from_static("x-content-sha256"), row.content_sha256),
            ],
            row.content,
        )
            .into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// What changed since a period was published, and whether its snapshot is reproduced from the
/// records as known at publication (docs/as-known-at.md §3).
#[utoipa::path(get, path = "/api/v1/snapshots/{period}/restatements", operation_id = "get_restatements", summary = "Restatements of a published period", tag = "snapshots",
    params(("period" = String, Path, description = "A month or quarter")),
    responses((status = 200, description = "Reproduction as known at publication, records changed since, and each org figure published and now", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "Not published", body = crate::problem::Problem)))]
pub async fn restatements(State(state): State<AppState>, Path(period): Path<String>) -> Response {
    use crate::record_history::restatements::{self, RestatementError};
    let result = async {
        let period =
            app::domain::kpi::Period::parse(&period, state.figures.calendar).map_err(|e| bad_period(e.to_string()))?;
        let policy = state.figures.policy.as_ref();
        Box::pin(restatements::restatements(&state.db, policy, &period, crate::clock_now())).await.map_err(|error| {
            match error {
                RestatementError::NotPublished(period) => {
                    Problem::new(StatusCode::NOT_FOUND, "Not published", format!("{period} has no published snapshot"))
                }
                refused @ (RestatementError::BeforeHistory { .. } | RestatementError::PublishedLater(..)) => {
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Not reproducible", refused.to_string())
                }
                other => Problem::internal("computing restatements", &other),
            }
        })
    };
    match result.await {
        Ok(report) => Json(report).into_response(),
        Err(problem) => problem.into_response(),
    }
}
