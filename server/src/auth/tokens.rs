//! API tokens for pipelines (docs/access-and-audit.md): random, shown once, stored as a SHA-256 hash, scoped
//! (`ingest`, `read`), optionally limited to teams, expiring, revocable, with a last-used time.

use std::collections::BTreeSet;

use app::domain::access::{IngestRight, Principal, TokenScope};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};

use super::{hash_secret, random_secret};
use crate::entities::api_token;

/// Every token starts with this, so secret scanners and people can recognise one.
pub const TOKEN_PREFIX: &str = "plb_";

/// The longest expiry a token may be given (five years).
pub const MAX_EXPIRY_DAYS: i64 = 5 * 366;
/// Lifetime of a token created without one.
pub const DEFAULT_EXPIRY_DAYS: i64 = 365;

/// What to create.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub scopes: BTreeSet<TokenScope>,
    /// `None`: not limited to teams (only for creators who may write any record).
    pub teams: Option<BTreeSet<String>>,
    pub expires_in: Option<TimeDelta>,
}

/// Why a token cannot be created.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// A token as listed (never the secret).
#[derive(Debug, Clone, Serialize)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub teams: Option<Vec<String>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<api_token::Model> for TokenInfo {
    fn from(row: api_token::Model) -> Self {
        TokenInfo {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            scopes: split(&row.scopes),
            teams: row.teams.as_deref().map(split),
            created_by: row.created_by,
            created_at: row.created_at,
            expires_at: row.expires_at,
            revoked_at: row.revoked_at,
            last_used_at: row.last_used_at,
        }
    }
}

/// A created token: its details and, this once, the secret.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    pub token: String,
}

fn split(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn join<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items.into_iter().collect::<Vec<_>>().join(",")
}

/// Checks that `creator` holds everything the token would grant.
fn check_reach(creator: &Principal, token: &NewToken) -> Result<(), TokenError> {
    if creator.token.is_some() {
        return Err(TokenError::Forbidden("an API token cannot create tokens".into()));
    }
    if token.scopes.contains(&TokenScope::Read) && !creator.allows(app::domain::access::Access::Read) {
        return Err(TokenError::Forbidden("you cannot read, so you cannot create a read token".into()));
    }
    if token.scopes.contains(&TokenScope::Metrics) && !creator.allows(app::domain::access::Access::Metrics) {
        return Err(TokenError::Forbidden("only an admin creates a metrics token".into()));
    }
    if token.scopes.contains(&TokenScope::Ingest) {
        match (creator.ingest_right(), &token.teams) {
            (IngestRight::Any, _) => {}
            (IngestRight::Teams(mine), Some(asked)) if asked.is_subset(&mine) => {}
            (IngestRight::Teams(mine), _) => {
                let mine: Vec<&str> = mine.iter().map(String::as_str).collect();
                return Err(TokenError::Forbidden(format!(
                    "an ingest token you create must be limited to your teams ({})",
                    mine.join(", ")
                )));
            }
            (IngestRight::None, _) => {
                return Err(TokenError::Forbidden(
                    "you cannot write records, so you cannot create an ingest token".into(),
                ));
            }
        }
    }
    Ok(())
}

/// Creates a token on behalf of `creator` (checked to hold what it grants).
///
/// `local_mode`: the server runs without sign-in, so who created it is unknown; such a token
/// stops working once an identity provider is configured.
pub async fn create<C: ConnectionTrait>(
    db: &C,
    creator: &Principal,
    owner_user_id: Option<i64>,
    token: NewToken,
    local_mode: bool,
    now: DateTime<Utc>,
) -> Result<CreatedToken, TokenError> {
    let name = token.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(TokenError::Invalid("name must be 1 to 100 characters".into()));
    }
    if token.scopes.is_empty() {
        return Err(TokenError::Invalid("give at least one scope: ingest, read".into()));
    }
    if token.teams.as_ref().is_some_and(BTreeSet::is_empty) {
        return Err(TokenError::Invalid("teams, when given, must name at least one team".into()));
    }
    if let Some(bad) = token.teams.iter().flatten().find(|t| app::domain::records::Slug::parse(t).is_err()) {
        return Err(TokenError::Invalid(format!("{bad:?} is not a team slug")));
    }
    if token.expires_in.is_some_and(|d| d > TimeDelta::days(MAX_EXPIRY_DAYS)) {
        return Err(TokenError::Invalid(format!("a token expires within {MAX_EXPIRY_DAYS} days at most")));
    }
    // Every token expires: a year from now unless asked otherwise.
    let expires_in = token.expires_in.unwrap_or(TimeDelta::days(DEFAULT_EXPIRY_DAYS));
    check_reach(creator, &token)?;
    let secret = format!("{TOKEN_PREFIX}{}", random_secret());
    let row = api_token::ActiveModel {
        name: Set(name.to_owned()),
        prefix: Set(secret.chars().take(TOKEN_PREFIX.len() + 6).collect()),
        token_hash: Set(hash_secret(&secret)),
        scopes: Set(join(token.scopes.iter().map(|s| s.as_str()))),
        teams: Set(token.teams.as_ref().map(|t| join(t.iter().map(String::as_str)))),
        owner_user_id: Set(owner_user_id),
        created_by: Set(creator.actor()),
        created_at: Set(now),
        expires_at: Set(now.checked_add_signed(expires_in)),
        revoked_at: Set(None),
        last_used_at: Set(None),
        local_mode: Set(local_mode),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(CreatedToken { info: row.into(), token: secret })
}

/// Tokens owned by a user, or every token (`None`, for admins).
pub async fn list<C: ConnectionTrait>(db: &C, owner: Option<Option<i64>>) -> Result<Vec<TokenInfo>, DbErr> {
    let mut query = api_token::Entity::find().order_by_asc(api_token::Column::Id);
    if let Some(owner) = owner {
        query = match owner {
            Some(id) => query.filter(api_token::Column::OwnerUserId.eq(id)),
            None => query.filter(api_token::Column::OwnerUserId.is_null()),
        };
    }
    Ok(query.all(db).await?.into_iter().map(TokenInfo::from).collect())
}

pub async fn find<C: ConnectionTrait>(db: &C, id: i64) -> Result<Option<api_token::Model>, DbErr> {
    api_token::Entity::find_by_id(id).one(db).await
}

/// Marks a token revoked; `false` when it was already revoked.
pub async fn revoke<C: ConnectionTrait>(db: &C, row: api_token::Model, now: DateTime<Utc>) -> Result<bool, DbErr> {
    if row.revoked_at.is_some() {
        return Ok(false);
    }
    let mut active: api_token::ActiveModel = row.into();
    active.revoked_at = Set(Some(now));
    active.update(db).await?;
    Ok(true)
}

/// The principal a presented token stands for, when it is known, unrevoked and unexpired.
pub async fn authenticate<C: ConnectionTrait>(
    db: &C,
    presented: &str,
    now: DateTime<Utc>,
    mode: &super::AuthMode,
) -> Result<Option<Principal>, DbErr> {
    let idp_lapse = mode.idp_grant_lapse();
    if !presented.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some(row) =
        api_token::Entity::find().filter(api_token::Column::TokenHash.eq(hash_secret(presented))).one(db).await?
    else {
        return Ok(None);
    };
    // Tokens made before every token got an expiry end at the longest lifetime allowed.
    let expires_at = row.expires_at.or_else(|| row.created_at.checked_add_signed(TimeDelta::days(MAX_EXPIRY_DAYS)));
    if row.revoked_at.is_some() || expires_at.is_none_or(|at| at <= now) {
        return Ok(None);
    }
    if row.local_mode && !mode.is_local() {
        tracing::warn!(token = row.id, "a token created in local mode was presented; sign-in is configured now");
        return Ok(None);
    }
    // Record use at most once a minute: a busy pipeline should not write on every request.
    if row.last_used_at.is_none_or(|at| now - at > TimeDelta::minutes(1)) {
        let mut active: api_token::ActiveModel = row.clone().into();
        active.last_used_at = Set(Some(now));
        active.update(db).await?;
    }
    let mut scopes: BTreeSet<TokenScope> = split(&row.scopes).iter().filter_map(|s| TokenScope::parse(s)).collect();
    let mut teams: Option<BTreeSet<String>> = row.teams.as_deref().map(|t| split(t).into_iter().collect());
    // A user's token never outlives their access: it carries at most what they hold today.
    if let Some(owner) = row.owner_user_id {
        let Some(owner) = super::sessions::principal_of_user(db, owner, now, idp_lapse).await? else {
            return Ok(None);
        };
        if !owner.allows(app::domain::access::Access::Read) {
            scopes.remove(&TokenScope::Read);
        }
        if !owner.allows(app::domain::access::Access::Metrics) {
            scopes.remove(&TokenScope::Metrics);
        }
        match owner.ingest_right() {
            IngestRight::Any => {}
            IngestRight::None => {
                scopes.remove(&TokenScope::Ingest);
            }
            IngestRight::Teams(mine) => {
                let limited: BTreeSet<String> = match &teams {
                    Some(asked) => asked.intersection(&mine).cloned().collect(),
                    None => mine,
                };
                if limited.is_empty() {
                    scopes.remove(&TokenScope::Ingest);
                }
                teams = Some(limited);
            }
        }
        if scopes.is_empty() {
            return Ok(None);
        }
    }
    Ok(Some(Principal {
        id: app::domain::access::PrincipalId::Token(row.id),
        name: row.name,
        email: None,
        roles: BTreeSet::new(),
        teams: BTreeSet::new(),
        token: Some(app::domain::access::TokenGrant { scopes, teams }),
    }))
}

/// A token as asked for over the REST API (`POST /api/v1/tokens`) and, converted from its
/// form, on the tokens page: one set of rules for both.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
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
                TokenScope::parse(scope)
                    .ok_or_else(|| format!("unknown scope {scope:?}; scopes: ingest, read, metrics"))?,
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
