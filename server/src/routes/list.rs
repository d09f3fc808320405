use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn list_records(
    State(state): State<AppState>,
    Path(kind): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if kind == "slos" && super::kpis::is_slo_report(&query) {
        return super::kpis::slo_report(&state, &query).await;
    }
    match crate::listing::list(&state.db, &kind, &query).await {
        Ok(page) => axum::Json(page).into_response(),
        Err(problem) => problem.into_response(),
    }
}
