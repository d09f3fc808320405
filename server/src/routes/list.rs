use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/{kind}", operation_id = "list_records", summary = "List records of a kind", tag = "records",
    params(("kind" = String, Path, description = "A record kind (docs/data-model.md), e.g. incidents"),
        ("limit" = Option<String>, Query, description = "Records per page"),
        ("cursor" = Option<String>, Query, description = "Continue where the previous page ended")),
    responses((status = 200, description = "A page of records with their provenance", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "No such record kind", body = crate::problem::Problem)))]
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
