use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::startup::AppState;

/// Liveness: the process answers.
pub async fn live() -> Json<Value> {
    Json(json!({"status": "ok"}))
}

/// Readiness: the database answers too.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({"status": "ok", "database": "ok"}))),
        Err(error) => {
            tracing::warn!(%error, "readiness check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable", "database": "unreachable"})))
        }
    }
}
