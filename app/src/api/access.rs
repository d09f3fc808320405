//! Managing access from the browser: the Access page (admins grant and revoke roles) and the
//! API tokens page (anyone signed in creates, sees and revokes their own tokens; admins every
//! token). The REST API (`/api/v1/users`, `/api/v1/tokens`) does the same through the same code.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// One role grant as the Access page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GrantView {
    pub id: i64,
    pub role: String,
    /// Granted by an admin here (revocable), not mapped from identity-provider groups.
    pub by_admin: bool,
    pub granted_by: String,
    pub granted_at: String,
    /// `last day 2027-03-31`, or `until <instant>` for a grant ending at another time.
    pub ends: Option<String>,
    pub expired: bool,
}

/// One user on the Access page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub last_login_at: String,
    pub teams: Vec<String>,
    pub grants: Vec<GrantView>,
    /// The viewer themself (who cannot revoke their own admin role).
    pub is_viewer: bool,
    /// When an admin disabled the user, and who, while they are disabled.
    pub disabled: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessView {
    pub users: Vec<UserView>,
    /// Today (UTC): the earliest last day a grant may have.
    pub earliest_day: String,
}

/// One API token as listed (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub teams: Option<Vec<String>>,
    pub created_by: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub last_used_at: Option<String>,
    /// `active`, `expired` or `revoked`.
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokensView {
    pub tokens: Vec<TokenView>,
    /// The viewer is an admin and sees everyone's tokens.
    pub all_tokens: bool,
    pub may_read: bool,
    pub may_ingest: bool,
    /// The teams an ingest token of the viewer is limited to (empty: any team).
    pub own_teams: Vec<String>,
}

/// A token just created: the secret is in this answer only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTokenView {
    pub name: String,
    pub token: String,
    pub expires_at: Option<String>,
}

#[server(endpoint = "access_users")]
pub async fn get_access() -> Result<AccessView, AppError> {
    let principal =
        crate::ssr::with_status(crate::ssr::require(crate::domain::access::Access::Admin, "managing access"))?;
    crate::ssr::with_status(crate::ssr::access_source()?.users(principal).await)
}

/// `expires_on`: the grant's last day (`YYYY-MM-DD`), or empty for no expiry.
#[server(endpoint = "grant_role")]
pub async fn grant_role(user_id: i64, role: String, expires_on: Option<String>) -> Result<(), AppError> {
    let principal =
        crate::ssr::with_status(crate::ssr::require(crate::domain::access::Access::Admin, "managing access"))?;
    let expires_on = expires_on.filter(|d| !d.trim().is_empty());
    crate::ssr::with_status(crate::ssr::access_source()?.grant(principal, user_id, role, expires_on).await)
}

/// Disables a user (their sessions end, their tokens are revoked, they cannot sign in) or,
/// with `disabled = false`, enables them again.
#[server(endpoint = "set_user_disabled")]
pub async fn set_user_disabled(user_id: i64, disabled: bool) -> Result<(), AppError> {
    let principal =
        crate::ssr::with_status(crate::ssr::require(crate::domain::access::Access::Admin, "managing access"))?;
    crate::ssr::with_status(crate::ssr::access_source()?.set_disabled(principal, user_id, disabled).await)
}

#[server(endpoint = "revoke_grant")]
pub async fn revoke_grant(id: i64) -> Result<(), AppError> {
    let principal =
        crate::ssr::with_status(crate::ssr::require(crate::domain::access::Access::Admin, "managing access"))?;
    crate::ssr::with_status(crate::ssr::access_source()?.revoke_grant(principal, id).await)
}

#[server(endpoint = "api_tokens")]
pub async fn get_api_tokens() -> Result<TokensView, AppError> {
    let principal = crate::ssr::with_status(crate::ssr::require(crate::domain::access::Access::Person, "API tokens"))?;
    crate::ssr::with_status(crate::ssr::access_source()?.tokens(principal).await)
}

/// `teams`: slugs separated by commas, or empty. `expires_in_days`: `None` for no expiry.
#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    read: bool,
    ingest: bool,
    teams: String,
    expires_in_days: Option<u32>,
) -> Result<NewTokenView, AppError> {
    let principal = crate::ssr::with_status(crate::ssr::require(crate::domain::access::Access::Person, "API tokens"))?;
    // The secret is in this answer: no cache may keep it.
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    }
    let request = NewTokenRequest { name, read, ingest, teams, expires_in_days };
    crate::ssr::with_status(crate::ssr::access_source()?.create_token(principal, request).await)
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let principal = crate::ssr::with_status(crate::ssr::require(crate::domain::access::Access::Person, "API tokens"))?;
    crate::ssr::with_status(crate::ssr::access_source()?.revoke_token(principal, id).await)
}

/// What the API tokens form asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTokenRequest {
    pub name: String,
    pub read: bool,
    pub ingest: bool,
    pub teams: String,
    pub expires_in_days: Option<u32>,
}
