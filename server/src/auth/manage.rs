//! Managing access: users and their role grants, and API tokens. One implementation, used by the
//! REST routes ([`super::routes`]) and the Access and API tokens pages
//! ([`crate::pages::access`], [`crate::pages::tokens`]); every change is written with its audit event in one transaction.

use std::collections::{BTreeSet, HashMap};

use app::domain::access::{IngestRight, Principal, PrincipalId, Role, TokenScope};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde::Serialize;

use super::tokens::{self, CreatedToken, NewToken, TokenError, TokenInfo};
use crate::audit::{self, AuditEntry};
use crate::entities::{app_user, role_grant, team_membership};

/// Why a change to access was refused.
#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// What a page shows: the refusal as it reads, a database failure as a reference.
impl From<ManageError> for app::error::AppError {
    fn from(error: ManageError) -> Self {
        use app::error::AppError;
        match error {
            ManageError::Invalid(detail) => AppError::Invalid(detail),
            ManageError::Forbidden(detail) => AppError::Forbidden(detail),
            ManageError::NotFound(detail) => AppError::NotFound(detail),
            ManageError::Database(error) => AppError::internal("managing access", &error),
        }
    }
}

impl From<TokenError> for ManageError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::Invalid(detail) => ManageError::Invalid(detail),
            TokenError::Forbidden(detail) => ManageError::Forbidden(detail),
            TokenError::Database(error) => ManageError::Database(error),
        }
    }
}

/// A user, their teams and their grants, for admins.
#[derive(Debug, Serialize)]
pub struct UserInfo {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub last_login_at: DateTime<Utc>,
    /// When an admin disabled the user, if they are disabled.
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_by: Option<String>,
    pub teams: Vec<String>,
    pub grants: Vec<GrantInfo>,
}

#[derive(Debug, Serialize)]
pub struct GrantInfo {
    pub id: i64,
    pub role: String,
    /// `idp` (from the identity provider's groups, renewed at each sign-in) or `admin`.
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

/// Every user with their teams and grants (expired grants included: the page says so).
pub async fn users(db: &DatabaseConnection) -> Result<Vec<UserInfo>, DbErr> {
    let users = app_user::Entity::find().order_by_asc(app_user::Column::Id).all(db).await?;
    let mut grants: HashMap<i64, Vec<GrantInfo>> = HashMap::new();
    for grant in role_grant::Entity::find().order_by_asc(role_grant::Column::Id).all(db).await? {
        grants.entry(grant.user_id).or_default().push(grant.into());
    }
    let mut teams: HashMap<i64, BTreeSet<String>> = HashMap::new();
    for membership in team_membership::Entity::find().all(db).await? {
        teams.entry(membership.user_id).or_default().insert(membership.team_slug);
    }
    Ok(users
        .into_iter()
        .map(|u| UserInfo {
            teams: teams.remove(&u.id).map(|t| t.into_iter().collect()).unwrap_or_default(),
            grants: grants.remove(&u.id).unwrap_or_default(),
            id: u.id,
            name: u.name,
            email: u.email,
            last_login_at: u.last_login_at,
            disabled_at: u.disabled_at,
            disabled_by: u.disabled_by,
        })
        .collect())
}

/// Grants `role` to a user until `expires_at` (if given), on behalf of the admin `by`.
pub async fn grant_role(
    db: &DatabaseConnection,
    by: &Principal,
    user_id: i64,
    role: &str,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<GrantInfo, ManageError> {
    let role = Role::parse(role)
        .ok_or_else(|| ManageError::Invalid("role must be admin, editor, viewer or auditor".to_owned()))?;
    if expires_at.is_some_and(|at| at <= now) {
        return Err(ManageError::Invalid("the expiry must be in the future".to_owned()));
    }
    let txn = db.begin().await?;
    if app_user::Entity::find_by_id(user_id).one(&txn).await?.is_none() {
        return Err(ManageError::NotFound(format!("no user {user_id}")));
    }
    let grant = role_grant::ActiveModel {
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
        source: Set("admin".to_owned()),
        granted_by: Set(by.actor()),
        granted_at: Set(now),
        expires_at: Set(expires_at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let details = serde_json::json!({"role": role.as_str(), "expires_at": expires_at});
    audit::append(&txn, AuditEntry::new(&by.actor(), "role.granted", &format!("user:{user_id}"), details), now).await?;
    txn.commit().await?;
    Ok(grant.into())
}

/// Revokes a grant. An admin cannot revoke their own admin role, nor any admin role once they
/// no longer hold one, so admins cannot lock everyone out. (A grant from the identity provider
/// comes back at the next sign-in: the page offers revoking only grants an admin made.)
pub async fn revoke_grant(
    db: &DatabaseConnection,
    by: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), ManageError> {
    let txn = db.begin().await?;
    let grant = role_grant::Entity::find_by_id(id).one(&txn).await?;
    let grant = grant.ok_or_else(|| ManageError::NotFound(format!("no grant {id}")))?;
    if grant.role == Role::Admin.as_str() {
        if by.id == PrincipalId::User(grant.user_id) {
            return Err(ManageError::Forbidden("revoking your own admin role: ask another admin".to_owned()));
        }
        // Two admins revoking each other at once must not both succeed: the admin grants are
        // locked (Postgres; SQLite has a single writer) and the revoker must still be an admin.
        let admins = role_grant::Entity::find()
            .filter(role_grant::Column::Role.eq(Role::Admin.as_str()))
            .filter(
                Condition::any()
                    .add(role_grant::Column::ExpiresAt.is_null())
                    .add(role_grant::Column::ExpiresAt.gt(now)),
            )
            .lock_exclusive()
            .all(&txn)
            .await?;
        if let PrincipalId::User(me) = by.id
            && !admins.iter().any(|g| g.user_id == me && g.id != grant.id)
        {
            return Err(ManageError::Forbidden("revoking roles: you no longer hold the admin role".to_owned()));
        }
    }
    role_grant::Entity::delete_by_id(id).exec(&txn).await?;
    let details = serde_json::json!({"role": grant.role, "source": grant.source});
    let entry = AuditEntry::new(&by.actor(), "role.revoked", &format!("user:{}", grant.user_id), details);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Disables (`disabled`) or enables a user. Disabling ends their sessions and revokes their
/// API tokens at once, in the same transaction as its audit event; they cannot sign in until
/// an admin enables them again (their tokens stay revoked). Admins cannot disable themselves.
pub async fn set_disabled(
    db: &DatabaseConnection,
    by: &Principal,
    user_id: i64,
    disabled: bool,
    now: DateTime<Utc>,
) -> Result<(), ManageError> {
    use crate::entities::{api_token, user_session};
    if disabled && by.id == PrincipalId::User(user_id) {
        return Err(ManageError::Forbidden("disabling yourself: ask another admin".to_owned()));
    }
    let txn = db.begin().await?;
    let user = app_user::Entity::find_by_id(user_id).one(&txn).await?;
    let user = user.ok_or_else(|| ManageError::NotFound(format!("no user {user_id}")))?;
    let mut active: app_user::ActiveModel = user.into();
    active.disabled_at = Set(disabled.then_some(now));
    active.disabled_by = Set(disabled.then(|| by.actor()));
    active.update(&txn).await?;
    let (mut sessions, mut tokens) = (0, 0);
    if disabled {
        sessions = user_session::Entity::delete_many()
            .filter(user_session::Column::UserId.eq(user_id))
            .exec(&txn)
            .await?
            .rows_affected;
        tokens = api_token::Entity::update_many()
            .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
            .filter(api_token::Column::OwnerUserId.eq(user_id))
            .filter(api_token::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?
            .rows_affected;
    }
    let (action, details) = match disabled {
        true => ("user.disabled", serde_json::json!({"sessions_ended": sessions, "tokens_revoked": tokens})),
        false => ("user.enabled", serde_json::json!({})),
    };
    audit::append(&txn, AuditEntry::new(&by.actor(), action, &format!("user:{user_id}"), details), now).await?;
    txn.commit().await?;
    Ok(())
}

/// The user a principal is, for owning tokens (`None` for the local admin).
pub fn owner_of(principal: &Principal) -> Option<i64> {
    match principal.id {
        PrincipalId::User(id) => Some(id),
        _ => None,
    }
}

fn people_only(principal: &Principal) -> Result<(), ManageError> {
    if principal.token.is_some() {
        return Err(ManageError::Forbidden("API tokens cannot manage tokens".to_owned()));
    }
    Ok(())
}

/// The tokens `principal` may see: an admin every token, anyone else their own.
pub async fn tokens_of(db: &DatabaseConnection, principal: &Principal) -> Result<Vec<TokenInfo>, ManageError> {
    people_only(principal)?;
    let owner = if principal.has_role(Role::Admin) { None } else { Some(owner_of(principal)) };
    Ok(tokens::list(db, owner).await?)
}

/// Creates a token owned by `principal`. An editor's ingest token is limited to their teams
/// unless they name some.
pub async fn create_token(
    db: &DatabaseConnection,
    principal: &Principal,
    mut new: NewToken,
    now: DateTime<Utc>,
) -> Result<CreatedToken, ManageError> {
    people_only(principal)?;
    if new.teams.is_none()
        && new.scopes.contains(&TokenScope::Ingest)
        && let IngestRight::Teams(mine) = principal.ingest_right()
    {
        new.teams = Some(mine);
    }
    let txn = db.begin().await?;
    // The server's local admin is whoever reached it on this machine.
    let local_mode = principal.id == PrincipalId::Local;
    let created = tokens::create(&txn, principal, owner_of(principal), new, local_mode, now).await?;
    let details = serde_json::json!({"name": created.info.name, "scopes": created.info.scopes,
        "teams": created.info.teams, "expires_at": created.info.expires_at, "prefix": created.info.prefix});
    let entry =
        AuditEntry::new(&principal.actor(), "token.created", &format!("api_token:{}", created.info.id), details);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok(created)
}

/// Revokes a token: its owner or an admin. Someone else's token is "not found", not forbidden,
/// so its existence is not revealed.
pub async fn revoke_token(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), ManageError> {
    people_only(principal)?;
    // On SQLite a transaction that reads, then writes after another connection committed (a job
    // queued by an import a moment before) fails at once with BUSY_SNAPSHOT: try again.
    let mut tries = 0;
    loop {
        tries += 1;
        match revoke_token_once(db, principal, id, now).await {
            Err(ManageError::Database(error)) if crate::db::is_transient(&error) && tries < 3 => {
                tokio::time::sleep(std::time::Duration::from_millis(20 * tries)).await;
            }
            outcome => return outcome,
        }
    }
}

async fn revoke_token_once(
    db: &DatabaseConnection,
    principal: &Principal,
    id: i64,
    now: DateTime<Utc>,
) -> Result<(), ManageError> {
    let not_found = || ManageError::NotFound(format!("no token {id}"));
    let txn = db.begin().await?;
    let row = tokens::find(&txn, id).await?.ok_or_else(not_found)?;
    if !principal.has_role(Role::Admin) && row.owner_user_id != owner_of(principal) {
        return Err(not_found());
    }
    if tokens::revoke(&txn, row, now).await? {
        let entry =
            AuditEntry::new(&principal.actor(), "token.revoked", &format!("api_token:{id}"), serde_json::json!({}));
        audit::append(&txn, entry, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// The teams a principal could limit a token to when they hold no "any" right: their own.
pub fn own_teams(principal: &Principal) -> Vec<String> {
    match principal.ingest_right() {
        IngestRight::Teams(teams) => teams.into_iter().collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_errors_keep_their_kind() {
        assert!(matches!(ManageError::from(TokenError::Invalid("x".into())), ManageError::Invalid(_)));
        assert!(matches!(ManageError::from(TokenError::Forbidden("x".into())), ManageError::Forbidden(_)));
    }
}
