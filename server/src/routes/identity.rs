//! Identity endpoints: who am I, API tokens, role grants, sign-out. Sign-in itself is in
//! [`crate::auth::oidc`].

use app::domain::access::{Principal, Role, TokenScope};
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, body::Bytes};
use chrono::{DateTime, Utc};
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};

use crate::audit::{self, AuditEntry};
use crate::auth::manage::{self, ManageError};
use crate::auth::tokens::CreateTokenRequest;
use crate::auth::{resolve::cookie, sessions};
use crate::problem::Problem;
use crate::state::AppState;

/// `GET /api/v1/me`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub name: String,
    pub email: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub roles: Vec<Role>,
    pub teams: Vec<String>,
    /// `local` or `oidc`.
    #[schema(value_type = String)]
    pub mode: &'static str,
    /// Set when the caller is an API token.
    #[schema(value_type = Option<Vec<String>>)]
    pub token_scopes: Option<Vec<TokenScope>>,
}

#[utoipa::path(get, path = "/api/v1/me", operation_id = "get_me", summary = "Who the caller is", tag = "identity",
    responses((status = 200, description = "Who the caller is", body = Me), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn me(State(state): State<AppState>, Extension(principal): Extension<Principal>) -> Json<Me> {
    Json(Me {
        name: principal.name.clone(),
        email: principal.email.clone(),
        roles: principal.roles.iter().copied().collect(),
        teams: principal.teams.iter().cloned().collect(),
        mode: if state.auth.is_local() { "local" } else { "oidc" },
        token_scopes: principal.token.as_ref().map(|t| t.scopes.iter().copied().collect()),
    })
}

fn problem(error: ManageError, context: &str) -> Problem {
    match error {
        ManageError::Invalid(detail) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid request", detail),
        ManageError::Forbidden(detail) => Problem::new(StatusCode::FORBIDDEN, "Forbidden", detail),
        ManageError::NotFound(detail) => Problem::new(StatusCode::NOT_FOUND, "Not found", detail),
        ManageError::Database(error) => Problem::internal(context, &error),
    }
}

/// `GET /api/v1/tokens`: an admin sees every token, anyone else their own.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "identity",
    responses((status = 200, description = "The caller's tokens (an admin's: every token), never their secrets", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn list_tokens(State(state): State<AppState>, Extension(principal): Extension<Principal>) -> Response {
    match manage::tokens_of(&state.db, &principal).await {
        Ok(list) => Json(list).into_response(),
        Err(error) => problem(error, "listing API tokens").into_response(),
    }
}

/// The answer when a client creates tokens too fast.
pub fn too_many_tokens() -> Problem {
    Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many tokens",
        "too many tokens created from this address; wait a minute",
    )
}

/// `POST /api/v1/tokens` `{"name", "scopes": ["ingest"], "teams"?, "expires_in_days"?}` → 201
/// with the token, shown this once.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "identity", request_body = CreateTokenRequest,
    responses((status = 201, description = "The token, with its secret shown this once", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 429, description = "Too many tokens created from this address", body = crate::problem::Problem)))]
pub async fn create_token(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: axum::http::HeaderMap,
    Extension(principal): Extension<Principal>,
    body: Bytes,
) -> Response {
    let result = async {
        if !state.token_limiter.allow(&state.db, state.client_address(peer, &headers), crate::clock_now()).await {
            return Err(too_many_tokens());
        }
        let request: CreateTokenRequest = serde_json::from_slice(&body)
            .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "Invalid body", e.to_string()))?;
        let new = request
            .into_new_token()
            .map_err(|d| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid token request", d))?;
        manage::create_token(&state.db, &principal, new, crate::clock_now())
            .await
            .map_err(|e| problem(e, "creating an API token"))
    };
    match result.await {
        // The token is in this response: no cache may keep it.
        Ok(created) => (StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(created)).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// `DELETE /api/v1/tokens/{id}`: the owner or an admin revokes a token.
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "identity",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such token of the caller's", body = crate::problem::Problem), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    match manage::revoke_token(&state.db, &principal, id, crate::clock_now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem(error, "revoking an API token").into_response(),
    }
}

/// `GET /api/v1/users` (admins).
#[utoipa::path(get, path = "/api/v1/users", tag = "identity",
    responses((status = 200, description = "Every user with teams, roles and grants", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn list_users(State(state): State<AppState>) -> Response {
    match manage::users(&state.db).await {
        Ok(users) => Json(users).into_response(),
        Err(error) => Problem::internal("listing users", &error).into_response(),
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub role: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/users/{id}/grants` `{"role", "expires_at"?}` (admins) → 201.
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "identity", request_body = GrantRequest,
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 201, description = "Granted", body = Object), (status = 404, description = "No such user", body = crate::problem::Problem), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn grant_role(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(user_id): Path<i64>,
    body: Bytes,
) -> Response {
    let request: GrantRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return Problem::new(StatusCode::BAD_REQUEST, "Invalid body", e.to_string()).into_response(),
    };
    let now = crate::clock_now();
    match manage::grant_role(&state.db, &principal, user_id, &request.role, request.expires_at, now).await {
        Ok(grant) => (StatusCode::CREATED, Json(grant)).into_response(),
        Err(error) => problem(error, "granting a role").into_response(),
    }
}

/// `POST /api/v1/users/{id}/disable` (admins) → 204: no sign-in, sessions or tokens for them.
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "identity",
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 204, description = "Disabled: sessions ended, tokens revoked"), (status = 404, description = "No such user", body = crate::problem::Problem), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn disable_user(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(user_id): Path<i64>,
) -> Response {
    match manage::set_disabled(&state.db, &principal, user_id, true, crate::clock_now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem(error, "disabling a user").into_response(),
    }
}

/// `POST /api/v1/users/{id}/enable` (admins) → 204: they may sign in again.
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "identity",
    params(("id" = i64, Path, description = "The user's id")),
    responses((status = 204, description = "Enabled"), (status = 404, description = "No such user", body = crate::problem::Problem), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn enable_user(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(user_id): Path<i64>,
) -> Response {
    match manage::set_disabled(&state.db, &principal, user_id, false, crate::clock_now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem(error, "enabling a user").into_response(),
    }
}

/// `DELETE /api/v1/grants/{id}` (admins).
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "identity",
    params(("id" = i64, Path, description = "The grant's id")),
    responses((status = 204, description = "Revoked"), (status = 404, description = "No such grant", body = crate::problem::Problem), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn revoke_grant(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    match manage::revoke_grant(&state.db, &principal, id, crate::clock_now()).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(error) => problem(error, "revoking a role").into_response(),
    }
}

/// `POST /auth/logout`: ends the session (if any), clears the cookie, shows "Signed out".
#[utoipa::path(post, path = "/auth/logout", tag = "identity",
    responses((status = 303, description = "Signed out: the session ends, redirect to the signed-out page")))]
pub async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(value) = cookie(&headers, state.session_policy.session_cookie()) {
        let now = crate::clock_now();
        let ended = async {
            let txn = state.db.begin().await?;
            if let Some(user_id) = sessions::end(&txn, value).await? {
                let actor = match sessions::principal_of_user(&txn, user_id, now, state.auth.idp_grant_lapse()).await? {
                    Some(principal) => principal.actor(),
                    None => format!("user:{user_id}"),
                };
                let entry = AuditEntry::new(&actor, "auth.logout", &format!("user:{user_id}"), serde_json::json!({}));
                audit::append(&txn, entry, now).await?;
            }
            txn.commit().await
        };
        if let Err(error) = ended.await {
            return Problem::internal("signing out", &error).into_response();
        }
    }
    let clear = state.session_policy.session_set_cookie("", 0);
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, clear), (header::LOCATION, "/auth/signed-out".to_owned())])
        .into_response()
}

/// `GET /auth/signed-out`.
#[utoipa::path(get, path = "/auth/signed-out", tag = "identity",
    responses((status = 200, description = "An HTML page saying the session ended", content_type = "text/html")))]
pub async fn signed_out() -> Html<&'static str> {
    Html(concat!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signed out · Plumbline</title>",
        "<link rel=\"stylesheet\" href=\"/pkg/plumbline.css\"></head><body><main class=\"auth-page\">",
        "<h1>Signed out</h1><p>You have signed out of Plumbline.</p><p><a href=\"/auth/login\">Sign in</a></p>",
        "</main></body></html>"
    ))
}
