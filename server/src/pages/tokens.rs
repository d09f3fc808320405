//! The API tokens page: the viewer's tokens (an admin's: everyone's), creating one (rate
//! limited per client address) and revoking.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use app::api::{NewTokenRequest, NewTokenView, TokenView, TokensView};
use app::domain::access::{Access, IngestRight, Principal};
use app::domain::format::instant as time;
use app::error::AppError;
use app::ports::TokensPort;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::auth::client_address::TrustedProxies;
use crate::auth::manage;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::tokens::{CreateTokenRequest, NewToken, TokenInfo};

pub struct TokensPage {
    db: DatabaseConnection,
    /// Token creations allowed per client address and minute (shared with the REST API).
    limiter: Arc<RateLimiter>,
    trusted_proxies: Arc<TrustedProxies>,
}

impl TokensPage {
    pub fn new(db: DatabaseConnection, limiter: Arc<RateLimiter>, trusted_proxies: Arc<TrustedProxies>) -> Self {
        TokensPage { db, limiter, trusted_proxies }
    }
}

fn token_view(info: TokenInfo, now: DateTime<Utc>) -> TokenView {
    let state = if info.revoked_at.is_some() {
        "revoked"
    } else if info.expires_at.is_some_and(|at| at <= now) {
        "expired"
    } else {
        "active"
    };
    TokenView {
        id: info.id,
        name: info.name,
        prefix: info.prefix,
        scopes: info.scopes,
        teams: info.teams,
        created_by: info.created_by,
        created_at: time(info.created_at),
        expires_at: info.expires_at.map(time),
        last_used_at: info.last_used_at.map(time),
        state: state.to_owned(),
    }
}

/// What the form asked for, as the REST API's request (one set of rules for both).
fn new_token(request: NewTokenRequest) -> Result<NewToken, AppError> {
    let scopes = [("read", request.read), ("ingest", request.ingest)]
        .into_iter()
        .filter(|(_, chosen)| *chosen)
        .map(|(scope, _)| scope.to_owned())
        .collect();
    let teams: Vec<String> =
        request.teams.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect();
    let request = CreateTokenRequest {
        name: request.name,
        scopes,
        teams: (!teams.is_empty()).then_some(teams),
        expires_in_days: request.expires_in_days,
    };
    request.into_new_token().map_err(AppError::Invalid)
}

/// The client's address, from the request being served (for the token rate limit); one shared
/// address when it is unknown, so the limit never lapses.
fn client_address(trusted_proxies: &TrustedProxies) -> IpAddr {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>();
    let peer = parts.as_ref().and_then(|p| p.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>());
    match (parts.as_ref(), peer) {
        (Some(parts), Some(peer)) => trusted_proxies.client(peer.0, &parts.headers),
        _ => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
    }
}

#[async_trait::async_trait]
impl TokensPort for TokensPage {
    async fn tokens(&self, principal: Principal) -> Result<TokensView, AppError> {
        let now = crate::clock_now();
        let tokens = manage::tokens_of(&self.db, &principal).await.map_err(AppError::from)?;
        Ok(TokensView {
            tokens: tokens.into_iter().rev().map(|t| token_view(t, now)).collect(),
            all_tokens: principal.allows(Access::Admin),
            may_read: principal.allows(Access::Read),
            may_ingest: principal.ingest_right() != IngestRight::None,
            own_teams: manage::own_teams(&principal),
        })
    }

    async fn create_token(&self, principal: Principal, request: NewTokenRequest) -> Result<NewTokenView, AppError> {
        if !self.limiter.allow(&self.db, client_address(&self.trusted_proxies), crate::clock_now()).await {
            return Err(AppError::TooMany("Too many tokens were created from this address: wait a minute.".into()));
        }
        let new = new_token(request)?;
        let created =
            manage::create_token(&self.db, &principal, new, crate::clock_now()).await.map_err(AppError::from)?;
        Ok(NewTokenView {
            name: created.info.name,
            token: created.token,
            expires_at: created.info.expires_at.map(time),
        })
    }

    async fn revoke_token(&self, principal: Principal, id: i64) -> Result<(), AppError> {
        manage::revoke_token(&self.db, &principal, id, crate::clock_now()).await.map_err(AppError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_a_token_request() {
        use std::collections::BTreeSet;

        use app::domain::access::TokenScope;
        use chrono::TimeDelta;

        let request = |read, ingest, teams: &str, days| NewTokenRequest {
            name: "ci".into(),
            read,
            ingest,
            teams: teams.into(),
            expires_in_days: days,
        };
        let token = new_token(request(true, false, "", None)).unwrap();
        assert_eq!(token.scopes, BTreeSet::from([TokenScope::Read]));
        assert_eq!((token.teams, token.expires_in), (None, None));
        let token = new_token(request(false, true, " payments , search,", Some(90))).unwrap();
        assert_eq!(token.teams, Some(BTreeSet::from(["payments".to_owned(), "search".to_owned()])));
        assert_eq!(token.expires_in, Some(TimeDelta::days(90)));
        assert!(new_token(request(true, true, "", Some(0))).is_err());
    }
}
