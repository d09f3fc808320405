//! Database-backed sessions: the cookie holds a random id, the database its SHA-256, so any
//! replica can serve a session and a database leak does not hand out live sessions. A session
//! ends at its absolute expiry, after the idle timeout, or at sign-out.

use std::collections::BTreeSet;

use app::domain::access::{Principal, PrincipalId, Role};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};

use super::{SessionPolicy, hash_secret, random_secret};
use crate::entities::{app_user, role_grant, team_membership, user_session};

/// Starts a session for a user; returns the cookie value (shown to the browser only).
pub async fn start<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let secret = random_secret();
    user_session::ActiveModel {
        token_hash: Set(hash_secret(&secret)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now.checked_add_signed(policy.absolute).unwrap_or(now)),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(secret)
}

/// The user behind a session cookie, when the session is still alive; refreshes its idle timer.
pub async fn user_of<C: ConnectionTrait>(
    db: &C,
    cookie: &str,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let Some(session) =
        user_session::Entity::find().filter(user_session::Column::TokenHash.eq(hash_secret(cookie))).one(db).await?
    else {
        return Ok(None);
    };
    if session.expires_at <= now || session.last_seen_at + policy.idle <= now {
        user_session::Entity::delete_by_id(session.id).exec(db).await?;
        return Ok(None);
    }
    // Refresh at most once a minute, not on every request.
    if now - session.last_seen_at > TimeDelta::minutes(1) {
        let user_id = session.user_id;
        let mut active: user_session::ActiveModel = session.into();
        active.last_seen_at = Set(now);
        active.update(db).await?;
        return Ok(Some(user_id));
    }
    Ok(Some(session.user_id))
}

/// Ends the session behind a cookie (if any); returns its user.
pub async fn end<C: ConnectionTrait>(db: &C, cookie: &str) -> Result<Option<i64>, DbErr> {
    let hash = hash_secret(cookie);
    let session = user_session::Entity::find().filter(user_session::Column::TokenHash.eq(hash)).one(db).await?;
    match session {
        Some(session) => {
            user_session::Entity::delete_by_id(session.id).exec(db).await?;
            Ok(Some(session.user_id))
        }
        None => Ok(None),
    }
}

/// A user with the roles of their unexpired grants and their team memberships; `None` for a
/// disabled user. Grants from the provider's groups count until `idp_lapse` after the user's
/// last sign-in, however they were stored: the provider is asked again at each sign-in.
pub async fn principal_of_user<C: ConnectionTrait>(
    db: &C,
    user_id: i64,
    now: DateTime<Utc>,
    idp_lapse: chrono::TimeDelta,
) -> Result<Option<Principal>, DbErr> {
    let Some(user) = app_user::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    if user.disabled_at.is_some() {
        return Ok(None);
    }
    let provider_current = user.last_login_at.checked_add_signed(idp_lapse).is_some_and(|until| until > now);
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user_id))
        .filter(
            Condition::any().add(role_grant::Column::ExpiresAt.is_null()).add(role_grant::Column::ExpiresAt.gt(now)),
        )
        .all(db)
        .await?;
    let roles: BTreeSet<Role> =
        grants.iter().filter(|g| g.source != "idp" || provider_current).filter_map(|g| Role::parse(&g.role)).collect();
    let teams = team_membership::Entity::find()
        .filter(team_membership::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.team_slug)
        .collect();
    Ok(Some(Principal {
        id: PrincipalId::User(user.id),
        name: user.name,
        email: user.email,
        roles,
        teams,
        token: None,
    }))
}
