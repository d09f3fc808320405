//! Identity endpoints: who am I, API tokens, role grants, sign-out. Sign-in itself is in
//! [`super::oidc`].

use std::collections::{BTreeSet, HashMap};

use app::domain::access::{IngestRight, Principal, PrincipalId, Role, TokenScope};
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, body::Bytes};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QueryOrder, TransactionTrait};
use serde::{Deserialize, Serialize};

use super::tokens::{self, NewToken, TokenError};
use super::{SESSION_COOKIE, resolve::cookie, sessions};
use crate::audit::{self, AuditEntry};
use crate::entities::{app_user, role_grant};
use crate::routes::problem::Problem;
use crate::startup::AppState;

/// `GET /api/v1/me`.
#[derive(Debug, Serialize)]
pub struct Me {
    pub name: String,
    pub email: Option<String>,
    pub roles: Vec<Role>,
    pub teams: Vec<String>,
    pub mode: &'static str,
    /// Set when the caller is an API token.
    pub token_scopes: Option<Vec<TokenScope>>,
}

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

fn owner_of(principal: &Principal) -> Option<i64> {
    match principal.id {
        PrincipalId::User(id) => Some(id),
        _ => None,
    }
}

fn token_problem(error: TokenError) -> Problem {
    match error {
        TokenError::Invalid(detail) => Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid token request", detail),
        TokenError::Forbidden(detail) => Problem::new(StatusCode::FORBIDDEN, "Forbidden", detail),
        TokenError::Database(error) => Problem::internal("managing API tokens", &error),
    }
}

fn no_tokens_for_tokens(principal: &Principal) -> Result<(), Problem> {
    if principal.token.is_some() {
        return Err(Problem::new(StatusCode::FORBIDDEN, "Forbidden", "API tokens cannot manage tokens"));
    }
    Ok(())
}

/// `GET /api/v1/tokens`: an admin sees every token, anyone else their own.
pub async fn list_tokens(State(state): State<AppState>, Extension(principal): Extension<Principal>) -> Response {
    let result = async {
        no_tokens_for_tokens(&principal)?;
        let owner = if principal.has_role(Role::Admin) { None } else { Some(owner_of(&principal)) };
        tokens::list(&state.db, owner).await.map_err(|e| Problem::internal("listing API tokens", &e))
    };
    match result.await {
        Ok(list) => Json(list).into_response(),
        Err(problem) => problem.into_response(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    pub name: String,
    pub scopes: Vec<String>,
    pub teams: Option<Vec<String>>,
    pub expires_in_days: Option<u32>,
}

impl CreateTokenRequest {
    pub fn into_new_token(self) -> Result<NewToken, String> {
        let mut scopes = BTreeSet::new();
        for scope in &self.scopes {
            scopes.insert(
                TokenScope::parse(scope).ok_or_else(|| format!("unknown scope {scope:?}; scopes: ingest, read"))?,
            );
        }
        let expires_in = match self.expires_in_days {
            Some(0) => return Err("expires_in_days must be at least 1".into()),
            Some(days) => Some(TimeDelta::days(i64::from(days))),
            None => None,
        };
        let teams = self.teams.map(|t| t.into_iter().map(|s| s.trim().to_owned()).collect());
        Ok(NewToken { name: self.name, scopes, teams, expires_in })
    }
}

/// `POST /api/v1/tokens` `{"name", "scopes": ["ingest"], "teams"?, "expires_in_days"?}` → 201
/// with the token, shown this once.
pub async fn create_token(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Extension(principal): Extension<Principal>,
    body: Bytes,
) -> Response {
    let result = async {
        no_tokens_for_tokens(&principal)?;
        if !state.token_limiter.allow(peer.ip(), std::time::Instant::now()) {
            return Err(Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many tokens",
                "too many tokens created from this address; wait a minute",
            ));
        }
        let request: CreateTokenRequest = serde_json::from_slice(&body)
            .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "Invalid body", e.to_string()))?;
        let mut new = request
            .into_new_token()
            .map_err(|d| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid token request", d))?;
        // An editor's ingest token is limited to their teams unless they say otherwise.
        if new.teams.is_none()
            && new.scopes.contains(&TokenScope::Ingest)
            && let IngestRight::Teams(mine) = principal.ingest_right()
        {
            new.teams = Some(mine);
        }
        let now = crate::clock_now();
        let txn = state.db.begin().await.map_err(|e| Problem::internal("creating an API token", &e))?;
        let created = tokens::create(&txn, &principal, owner_of(&principal), new, now).await.map_err(token_problem)?;
        let details = serde_json::json!({"name": created.info.name, "scopes": created.info.scopes,
            "teams": created.info.teams, "expires_at": created.info.expires_at, "prefix": created.info.prefix});
        let entry =
            AuditEntry::new(&principal.actor(), "token.created", &format!("api_token:{}", created.info.id), details);
        audit::append(&txn, entry, now).await.map_err(|e| Problem::internal("auditing a token", &e))?;
        txn.commit().await.map_err(|e| Problem::internal("creating an API token", &e))?;
        Ok::<_, Problem>(created)
    };
    match result.await {
        // The token is in this response: no cache may keep it.
        Ok(created) => (StatusCode::CREATED, [(header::CACHE_CONTROL, "no-store")], Json(created)).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// `DELETE /api/v1/tokens/{id}`: the owner or an admin revokes a token.
pub async fn revoke_token(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        no_tokens_for_tokens(&principal)?;
        let not_found = || Problem::new(StatusCode::NOT_FOUND, "Unknown token", format!("no token {id}"));
        let txn = state.db.begin().await.map_err(|e| Problem::internal("revoking an API token", &e))?;
        let row = tokens::find(&txn, id).await.map_err(|e| Problem::internal("revoking an API token", &e))?;
        let row = row.ok_or_else(not_found)?;
        if !principal.has_role(Role::Admin) && row.owner_user_id != owner_of(&principal) {
            return Err(not_found());
        }
        let now = crate::clock_now();
        let revoked =
            tokens::revoke(&txn, row, now).await.map_err(|e| Problem::internal("revoking an API token", &e))?;
        if revoked {
            let entry =
                AuditEntry::new(&principal.actor(), "token.revoked", &format!("api_token:{id}"), serde_json::json!({}));
            audit::append(&txn, entry, now).await.map_err(|e| Problem::internal("auditing a token", &e))?;
        }
        txn.commit().await.map_err(|e| Problem::internal("revoking an API token", &e))?;
        Ok(())
    };
    match result.await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// A user and their grants, for admins.
#[derive(Debug, Serialize)]
pub struct UserInfo {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub last_login_at: DateTime<Utc>,
    pub grants: Vec<GrantInfo>,
}

#[derive(Debug, Serialize)]
pub struct GrantInfo {
    pub id: i64,
    pub role: String,
    pub source: String,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<role_grant::Model> for GrantInfo {
    fn from(g: role_grant::Model) -> Self {
        GrantInfo {
            id: g.id,
            role: g.role,
            source: g.source,
            granted_by: g.granted_by,
            granted_at: g.granted_at,
            expires_at: g.expires_at,
        }
    }
}

/// `GET /api/v1/users` (admins).
pub async fn list_users(State(state): State<AppState>) -> Response {
    let result = async {
        let users = app_user::Entity::find().order_by_asc(app_user::Column::Id).all(&state.db).await?;
        let mut grants: HashMap<i64, Vec<GrantInfo>> = HashMap::new();
        for grant in role_grant::Entity::find().order_by_asc(role_grant::Column::Id).all(&state.db).await? {
            grants.entry(grant.user_id).or_default().push(grant.into());
        }
        Ok::<_, sea_orm::DbErr>(
            users
                .into_iter()
                .map(|u| UserInfo {
                    id: u.id,
                    name: u.name,
                    email: u.email,
                    last_login_at: u.last_login_at,
                    grants: grants.remove(&u.id).unwrap_or_default(),
                })
                .collect::<Vec<_>>(),
        )
    };
    match result.await {
        Ok(users) => Json(users).into_response(),
        Err(error) => Problem::internal("listing users", &error).into_response(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GrantRequest {
    pub role: String,
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /api/v1/users/{id}/grants` `{"role", "expires_at"?}` (admins) → 201.
pub async fn grant_role(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(user_id): Path<i64>,
    body: Bytes,
) -> Response {
    let result = async {
        let request: GrantRequest = serde_json::from_slice(&body)
            .map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "Invalid body", e.to_string()))?;
        let role = Role::parse(&request.role).ok_or_else(|| {
            Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid role",
                "role must be admin, editor, viewer or auditor",
            )
        })?;
        let now = crate::clock_now();
        if request.expires_at.is_some_and(|at| at <= now) {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid expiry",
                "expires_at must be in the future",
            ));
        }
        let internal = |e: sea_orm::DbErr| Problem::internal("granting a role", &e);
        let txn = state.db.begin().await.map_err(internal)?;
        if app_user::Entity::find_by_id(user_id).one(&txn).await.map_err(internal)?.is_none() {
            return Err(Problem::new(StatusCode::NOT_FOUND, "Unknown user", format!("no user {user_id}")));
        }
        let grant = role_grant::ActiveModel {
            user_id: Set(user_id),
            role: Set(role.as_str().to_owned()),
            source: Set("admin".to_owned()),
            granted_by: Set(principal.actor()),
            granted_at: Set(now),
            expires_at: Set(request.expires_at),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(internal)?;
        let details = serde_json::json!({"role": role.as_str(), "expires_at": request.expires_at});
        let entry = AuditEntry::new(&principal.actor(), "role.granted", &format!("user:{user_id}"), details);
        audit::append(&txn, entry, now).await.map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(GrantInfo::from(grant))
    };
    match result.await {
        Ok(grant) => (StatusCode::CREATED, Json(grant)).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// `DELETE /api/v1/grants/{id}` (admins).
pub async fn revoke_grant(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let internal = |e: sea_orm::DbErr| Problem::internal("revoking a role", &e);
        let txn = state.db.begin().await.map_err(internal)?;
        let grant = role_grant::Entity::find_by_id(id).one(&txn).await.map_err(internal)?;
        let grant =
            grant.ok_or_else(|| Problem::new(StatusCode::NOT_FOUND, "Unknown grant", format!("no grant {id}")))?;
        role_grant::Entity::delete_by_id(id).exec(&txn).await.map_err(internal)?;
        let details = serde_json::json!({"role": grant.role, "source": grant.source});
        let entry = AuditEntry::new(&principal.actor(), "role.revoked", &format!("user:{}", grant.user_id), details);
        audit::append(&txn, entry, crate::clock_now()).await.map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok::<_, Problem>(())
    };
    match result.await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// `POST /auth/logout`: ends the session (if any), clears the cookie, shows "Signed out".
pub async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(value) = cookie(&headers, SESSION_COOKIE) {
        let now = crate::clock_now();
        let ended = async {
            let txn = state.db.begin().await?;
            if let Some(user_id) = sessions::end(&txn, value).await? {
                let actor = match sessions::principal_of_user(&txn, user_id, now).await? {
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
    let clear = format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, clear), (header::LOCATION, "/auth/signed-out".to_owned())])
        .into_response()
}

/// `GET /auth/signed-out`.
pub async fn signed_out() -> Html<&'static str> {
    Html(concat!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signed out · Plumbline</title>",
        "<link rel=\"stylesheet\" href=\"/pkg/plumbline.css\"></head><body><main class=\"auth-page\">",
        "<h1>Signed out</h1><p>You have signed out of Plumbline.</p><p><a href=\"/auth/login\">Sign in</a></p>",
        "</main></body></html>"
    ))
}
