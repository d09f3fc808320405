//! The API tokens page: anyone signed in creates, sees and revokes their own tokens; admins
//! every token. The REST API (`/api/v1/tokens`) does the same through the same code.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

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

#[server(endpoint = "api_tokens")]
pub async fn get_api_tokens() -> Result<TokensView, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Person, "API tokens")?;
    ports.tokens.tokens(principal).await
}

#[server(endpoint = "create_api_token")]
pub async fn create_api_token(
    name: String,
    read: bool,
    ingest: bool,
    teams: String,
    expires_in_days: Option<u32>,
) -> Result<NewTokenView, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Person, "API tokens")?;
    // The secret is in this answer: no cache may keep it.
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(http::header::CACHE_CONTROL, http::HeaderValue::from_static("no-store"));
    }
    ports.tokens.create_token(principal, NewTokenRequest { name, read, ingest, teams, expires_in_days }).await
}

#[server(endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: i64) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Person, "API tokens")?;
    ports.tokens.revoke_token(principal, id).await
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
