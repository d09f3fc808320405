//! Who a request comes from: an API token (`Authorization: Bearer plb_…`), else the session
//! cookie (identity-provider mode) or the local admin (local mode).

use app::domain::access::Principal;
use axum::http::{HeaderMap, header};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use super::{AuthMode, SessionPolicy, sessions, tokens};

/// The outcome of looking at a request's credentials.
#[derive(Debug)]
pub enum Caller {
    Anonymous,
    /// Carried by the browser without the page asking (cookie, or local mode): cross-site
    /// requests must be refused for these.
    Ambient(Principal),
    /// Presented explicitly (an API token).
    Explicit(Principal),
    /// A bearer token that is malformed, unknown, revoked or expired.
    BadToken,
}

/// The value of one cookie in the `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
        .filter(|v| !v.is_empty())
}

pub async fn caller(
    db: &DatabaseConnection,
    mode: &AuthMode,
    sessions_policy: &SessionPolicy,
    headers: &HeaderMap,
    now: DateTime<Utc>,
) -> Result<Caller, DbErr> {
    if let Some(value) = headers.get(header::AUTHORIZATION) {
        let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim);
        return Ok(match token {
            Some(token) => match tokens::authenticate(db, token, now, mode).await? {
                Some(principal) => Caller::Explicit(principal),
                None => Caller::BadToken,
            },
            None => Caller::BadToken,
        });
    }
    match mode {
        AuthMode::Local => Ok(Caller::Ambient(Principal::local_admin())),
        AuthMode::Oidc(_) => {
            let Some(cookie) = cookie(headers, sessions_policy.session_cookie()) else {
                return Ok(Caller::Anonymous);
            };
            let Some(user_id) = sessions::user_of(db, cookie, sessions_policy, now).await? else {
                return Ok(Caller::Anonymous);
            };
            Ok(match sessions::principal_of_user(db, user_id, now, mode.idp_grant_lapse()).await? {
                Some(principal) => Caller::Ambient(principal),
                None => Caller::Anonymous,
            })
        }
    }
}
