//! The Access and API tokens pages' port: [`crate::auth::manage`] (shared with the REST API),
//! with the answers shaped for the pages and errors mapped to what a user may see.

use std::net::{IpAddr, SocketAddr};

use app::api::{AccessView, GrantView, NewTokenRequest, NewTokenView, TokenView, TokensView, UserView};
use app::domain::access::{Access, IngestRight, Principal, PrincipalId};
use app::domain::scorecard::waiver::{end_of_last_day, last_day_of};
use app::error::AppError;
use app::ssr::AccessSource;
use chrono::{DateTime, NaiveDate, Utc};

use crate::auth::manage::{self, ManageError};
use crate::auth::routes::CreateTokenRequest;
use crate::auth::tokens::{NewToken, TokenInfo};
use crate::minute_utc as time;
use crate::startup::AppState;

pub struct AccessService {
    state: AppState,
}

impl AccessService {
    pub fn new(state: AppState) -> Self {
        AccessService { state }
    }
}

fn app_error(error: ManageError, context: &str) -> AppError {
    match error {
        ManageError::Invalid(detail) => AppError::Invalid(detail),
        ManageError::Forbidden(detail) => AppError::Forbidden(detail),
        ManageError::NotFound(detail) => AppError::NotFound(detail),
        ManageError::Database(error) => AppError::internal(context, &error),
    }
}

/// The end of a grant whose last day is `day` (`YYYY-MM-DD`): the following midnight, UTC.
fn end_of_day(day: &str) -> Result<DateTime<Utc>, AppError> {
    NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .map(end_of_last_day)
        .map_err(|_| AppError::Invalid(format!("the last day must be a date like 2027-03-31, not '{day}'")))
}

/// When a grant ends, as the page says it: its last day when it ends at midnight (as grants
/// made on the page do), else the instant.
fn grant_end(end: DateTime<Utc>) -> String {
    if end.time() == chrono::NaiveTime::MIN {
        format!("last day {}", last_day_of(end))
    } else {
        format!("until {}", time(end))
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
fn client_address(state: &AppState) -> IpAddr {
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>();
    let peer = parts.as_ref().and_then(|p| p.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>());
    match (parts.as_ref(), peer) {
        (Some(parts), Some(peer)) => state.client_address(peer.0, &parts.headers),
        _ => IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
    }
}

#[async_trait::async_trait]
impl AccessSource for AccessService {
    async fn users(&self, admin: Principal) -> Result<AccessView, AppError> {
        let now = crate::clock_now();
        let users = manage::users(&self.state.db).await.map_err(|e| AppError::internal("listing users", &e))?;
        let users = users
            .into_iter()
            .map(|user| UserView {
                is_viewer: admin.id == PrincipalId::User(user.id),
                id: user.id,
                name: user.name,
                email: user.email,
                last_login_at: time(user.last_login_at),
                disabled: user.disabled_at.map(|at| match &user.disabled_by {
                    Some(by) => format!("{} by {by}", time(at)),
                    None => time(at),
                }),
                teams: user.teams,
                grants: user
                    .grants
                    .into_iter()
                    .map(|grant| GrantView {
                        id: grant.id,
                        role: grant.role,
                        by_admin: grant.source == "admin",
                        granted_by: grant.granted_by,
                        granted_at: time(grant.granted_at),
                        expired: grant.expires_at.is_some_and(|at| at <= now),
                        ends: grant.expires_at.map(grant_end),
                    })
                    .collect(),
            })
            .collect();
        let earliest_day = now.format("%Y-%m-%d").to_string();
        Ok(AccessView { users, earliest_day })
    }

    async fn grant(
        &self,
        admin: Principal,
        user_id: i64,
        role: String,
        expires_on: Option<String>,
    ) -> Result<(), AppError> {
        let expires_at = expires_on.as_deref().map(end_of_day).transpose()?;
        manage::grant_role(&self.state.db, &admin, user_id, &role, expires_at, crate::clock_now())
            .await
            .map(|_| ())
            .map_err(|e| app_error(e, "granting a role"))
    }

    async fn revoke_grant(&self, admin: Principal, id: i64) -> Result<(), AppError> {
        manage::revoke_grant(&self.state.db, &admin, id, crate::clock_now())
            .await
            .map_err(|e| app_error(e, "revoking a role"))
    }

    async fn set_disabled(&self, admin: Principal, user_id: i64, disabled: bool) -> Result<(), AppError> {
        manage::set_disabled(&self.state.db, &admin, user_id, disabled, crate::clock_now())
            .await
            .map_err(|e| app_error(e, "disabling or enabling a user"))
    }

    async fn tokens(&self, principal: Principal) -> Result<TokensView, AppError> {
        let now = crate::clock_now();
        let tokens =
            manage::tokens_of(&self.state.db, &principal).await.map_err(|e| app_error(e, "listing API tokens"))?;
        Ok(TokensView {
            tokens: tokens.into_iter().rev().map(|t| token_view(t, now)).collect(),
            all_tokens: principal.allows(Access::Admin),
            may_read: principal.allows(Access::Read),
            may_ingest: principal.ingest_right() != IngestRight::None,
            own_teams: manage::own_teams(&principal),
        })
    }

    async fn create_token(&self, principal: Principal, request: NewTokenRequest) -> Result<NewTokenView, AppError> {
        if !self.state.token_limiter.allow(client_address(&self.state), std::time::Instant::now()) {
            return Err(AppError::TooMany("Too many tokens were created from this address: wait a minute.".into()));
        }
        let new = new_token(request)?;
        let created = manage::create_token(&self.state.db, &principal, new, crate::clock_now())
            .await
            .map_err(|e| app_error(e, "creating an API token"))?;
        Ok(NewTokenView {
            name: created.info.name,
            token: created.token,
            expires_at: created.info.expires_at.map(time),
        })
    }

    async fn revoke_token(&self, principal: Principal, id: i64) -> Result<(), AppError> {
        manage::revoke_token(&self.state.db, &principal, id, crate::clock_now())
            .await
            .map_err(|e| app_error(e, "revoking an API token"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_lasts_through_its_last_day() {
        assert_eq!(end_of_day("2027-02-28").unwrap().to_rfc3339(), "2027-03-01T00:00:00+00:00");
        assert!(matches!(end_of_day("28/02/2027"), Err(AppError::Invalid(_))));
    }

    #[test]
    fn a_grant_ending_at_midnight_is_shown_by_its_last_day() {
        assert_eq!(grant_end(end_of_day("2027-02-28").unwrap()), "last day 2027-02-28");
        let noon = DateTime::parse_from_rfc3339("2027-03-01T12:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(grant_end(noon), "until 2027-03-01 12:00 UTC");
    }

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
