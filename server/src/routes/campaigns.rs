//! `GET /api/v1/campaigns`, `GET /api/v1/campaigns/{slug}` and `POST /api/v1/campaigns`
//! (docs/campaigns.md): the same answers as the campaigns pages, through their port.

use app::domain::access::Principal;
use app::domain::campaign::CampaignForm;
use app::ports::CampaignsPort;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::pages::campaigns::CampaignsPage;
use crate::problem::Problem;
use crate::state::AppState;

fn answer<T: serde::Serialize>(status: StatusCode, result: Result<T, app::error::AppError>) -> Response {
    match result {
        Ok(body) => (status, Json(body)).into_response(),
        Err(error) => Problem::from(error).into_response(),
    }
}

/// Every campaign, running ones first, with how many services meet its goal.
#[utoipa::path(get, path = "/api/v1/campaigns", tag = "campaigns",
    responses((status = 200, description = "The campaigns (`campaigns`), running first by nearest deadline; `met` and `total` are where a running campaign stands now and an ended one's result", body = Object),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn list_campaigns(State(state): State<AppState>, Extension(principal): Extension<Principal>) -> Response {
    answer(StatusCode::OK, CampaignsPage::new(state.figures.clone()).list(principal).await)
}

/// One campaign: where it stands, its burn-up and, once its deadline has passed, its result.
#[utoipa::path(get, path = "/api/v1/campaigns/{slug}", tag = "campaigns",
    params(("slug" = String, Path, description = "The campaign's slug")),
    responses((status = 200, description = "The campaign, where it stands now per service and team (`now`), its recorded days (`burn_up`) and its `result`", body = Object),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "No such campaign", body = crate::problem::Problem)))]
pub async fn get_campaign(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(slug): Path<String>,
) -> Response {
    answer(StatusCode::OK, CampaignsPage::new(state.figures.clone()).one(principal, slug).await)
}

/// Creates a campaign (an admin, signed in).
#[utoipa::path(post, path = "/api/v1/campaigns", tag = "campaigns",
    request_body(content = Object, description = "`title`, `description`, `owner`, `goal_kind` (`checks` or `level`), `goal_checks` (check ids, comma-separated), `goal_level` (`bronze`, `silver`, `gold`), `scope_kind` (`tiers`, `teams` or `services`), `scope_values` (comma-separated), `deadline` (YYYY-MM-DD)"),
    responses((status = 201, description = "Created: its `slug`", body = Object),
        (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn create_campaign(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    body: Bytes,
) -> Response {
    let form: CampaignForm = match serde_json::from_slice(&body) {
        Ok(form) => form,
        Err(e) => {
            return Problem::new(StatusCode::BAD_REQUEST, "Invalid body", format!("expected a campaign as JSON: {e}"))
                .into_response();
        }
    };
    let created = CampaignsPage::new(state.figures.clone()).create(principal, form).await;
    answer(StatusCode::CREATED, created.map(|slug| json!({ "slug": slug })))
}
