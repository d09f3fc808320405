//! `POST /api/v1/snapshots` publishes a past period; `GET /api/v1/snapshots` lists them;
//! `GET /api/v1/snapshots/{period}` serves the frozen document, byte for byte.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;

use crate::kpis::LoadError;
use crate::kpis::snapshots::{self, SnapshotError};
use crate::routes::problem::Problem;
use crate::state::AppState;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublishRequest {
    period: String,
}

fn bad_period(detail: String) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "Invalid period", detail)
}

pub async fn publish(
    State(state): State<AppState>,
    Extension(principal): Extension<app::domain::access::Principal>,
    body: Bytes,
) -> Response {
    let result = async {
        let request: PublishRequest = serde_json::from_slice(&body).map_err(|e| {
            Problem::new(StatusCode::BAD_REQUEST, "Invalid body", format!("expected {{\"period\": \"2026-Q3\"}}: {e}"))
        })?;
        let period = app::domain::kpi::Period::parse(&request.period, state.figures.calendar)
            .map_err(|e| bad_period(e.to_string()))?;
        let actor = principal.actor();
        Box::pin(snapshots::publish(&state.figures, &period, &actor, crate::clock_now())).await.map_err(|error| {
            let detail = error.to_string();
            match error {
                SnapshotError::NotClosed(_) => {
                    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Period not over", detail)
                }
                SnapshotError::AlreadyPublished(_) => Problem::new(StatusCode::CONFLICT, "Already published", detail),
                SnapshotError::Load(LoadError::UnknownScope(detail)) => {
                    Problem::new(StatusCode::NOT_FOUND, "Unknown scope", detail)
                }
                other => Problem::internal("publishing a snapshot", &other),
            }
        })
    };
    match result.await {
        Ok(summary) => (StatusCode::CREATED, Json(summary)).into_response(),
        Err(problem) => problem.into_response(),
    }
}

pub async fn list(State(state): State<AppState>) -> Response {
    match snapshots::list(&state.db).await {
        Ok(summaries) => Json(summaries).into_response(),
        Err(error) => Problem::internal("listing snapshots", &error).into_response(),
    }
}

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
