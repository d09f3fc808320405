//! Sign-in through an OpenID Connect provider (docs/access-and-audit.md): authorization code flow with PKCE,
//! `state` and `nonce`. `/auth/login` stores the pending sign-in (state hash, nonce, PKCE
//! verifier, where to return) in the database — so any replica can finish it — and redirects to
//! the provider; `/auth/callback` takes that row exactly once, exchanges the code, verifies the
//! ID token (signature, issuer, audience, expiry, nonce; see [`super::oidc_client`]), records
//! the user with the roles and teams their groups map to, and starts a session.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::access::{RoleMapping, teams_from_groups};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, TransactionTrait,
};
use serde::Deserialize;

use super::oidc_client::{Identity, OidcClient, Refused};
use super::rate_limit::RateLimiter;
use super::{AuthMode, SessionPolicy, hash_secret, sessions};
use crate::audit::{self, AuditEntry};
use crate::entities::{app_user, login_state, role_grant, team_membership};

/// How long a started sign-in may take before its state is refused.
const LOGIN_TTL_MINUTES: i64 = 10;

/// What configures sign-in.
#[derive(Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// Where users reach Plumbline, without a trailing slash.
    pub public_url: String,
    pub groups_claim: String,
    pub roles: RoleMapping,
    pub team_prefix: String,
    /// Sign-in requests (`/auth/login` and `/auth/callback` together) allowed per client
    /// address and minute.
    pub sign_ins_per_minute: u32,
    /// How long roles from the provider's groups last after a user's last sign-in: someone
    /// removed at the provider loses them (and their tokens' rights) this long after.
    pub idp_grant_lapse: chrono::TimeDelta,
}

impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("public_url", &self.public_url)
            .field("groups_claim", &self.groups_claim)
            .field("roles", &self.roles)
            .field("team_prefix", &self.team_prefix)
            .field("sign_ins_per_minute", &self.sign_ins_per_minute)
            .field("idp_grant_lapse", &self.idp_grant_lapse)
            .finish()
    }
}

/// Discovery is redone this long after the last, so provider changes arrive without a restart.
const REDISCOVER_AFTER: Duration = Duration::from_secs(24 * 3600);
/// After a failed rediscovery, the earlier client is kept and discovery tried again this much later.
const REDISCOVERY_RETRY: Duration = Duration::from_secs(5 * 60);
/// An ID token whose signature fails fetches the provider's keys again, at most this often (a
/// stream of bad tokens cannot make Plumbline hammer the provider).
const KEY_REFRESH_MIN_INTERVAL: Duration = Duration::from_secs(60);

/// A discovered provider client and when it was discovered.
#[derive(Debug)]
struct Discovered {
    client: Arc<OidcClient>,
    at: Instant,
}

/// The configuration, the provider client (discovered on first use, so the server starts while
/// the provider is down; discovered again daily, and when the provider signs with a key the
/// client does not know, as after a key rotation) and the sign-in rate limit.
#[derive(Debug)]
pub struct OidcSettings {
    pub config: OidcConfig,
    client: tokio::sync::Mutex<Option<Discovered>>,
    /// When an unverifiable ID token last made it fetch the keys again.
    last_key_refresh: std::sync::Mutex<Option<Instant>>,
    limiter: RateLimiter,
}

impl OidcSettings {
    pub fn new(config: OidcConfig) -> Self {
        let limiter = RateLimiter::new("sign-in", config.sign_ins_per_minute, Duration::from_secs(60));
        OidcSettings {
            config,
            client: tokio::sync::Mutex::new(None),
            last_key_refresh: std::sync::Mutex::new(None),
            limiter,
        }
    }

    async fn client(&self) -> Result<Arc<OidcClient>, String> {
        let mut slot = self.client.lock().await;
        if let Some(current) = slot.as_ref().filter(|d| d.at.elapsed() < REDISCOVER_AFTER) {
            return Ok(current.client.clone());
        }
        match OidcClient::discover(&self.config).await {
            Ok(client) => {
                let client = Arc::new(client);
                *slot = Some(Discovered { client: client.clone(), at: Instant::now() });
                Ok(client)
            }
            // A day-old client still works while the provider is briefly unreachable; it is
            // tried again in a few minutes, not at every sign-in.
            Err(error) => match slot.as_mut() {
                Some(stale) => {
                    tracing::warn!(%error, "identity provider rediscovery failed; keeping the earlier metadata");
                    stale.at = Instant::now().checked_sub(REDISCOVER_AFTER - REDISCOVERY_RETRY).unwrap_or(stale.at);
                    Ok(stale.client.clone())
                }
                None => Err(error),
            },
        }
    }

    /// A client with the provider's keys fetched again, for an ID token `failed` could not
    /// verify; `None` when there is nothing newer to try.
    async fn refreshed(&self, failed: &Arc<OidcClient>) -> Option<Arc<OidcClient>> {
        let mut slot = self.client.lock().await;
        if let Some(current) = slot.as_ref()
            && !Arc::ptr_eq(&current.client, failed)
        {
            // Another sign-in refreshed it meanwhile.
            return Some(current.client.clone());
        }
        {
            let Ok(mut last) = self.last_key_refresh.lock() else {
                return None;
            };
            if last.is_some_and(|at| at.elapsed() < KEY_REFRESH_MIN_INTERVAL) {
                return None;
            }
            *last = Some(Instant::now());
        }
        match OidcClient::discover(&self.config).await {
            Ok(client) => {
                tracing::info!(issuer = %self.config.issuer, "identity provider keys fetched again");
                let client = Arc::new(client);
                *slot = Some(Discovered { client: client.clone(), at: Instant::now() });
                Some(client)
            }
            Err(error) => {
                tracing::warn!(%error, "identity provider rediscovery failed");
                None
            }
        }
    }
}

/// An HTML error page with a way back.
fn failure(status: StatusCode, title: &str, detail: &str) -> Response {
    let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} · Plumbline</title>\
         <link rel=\"stylesheet\" href=\"/pkg/plumbline.css\"></head><body><main class=\"auth-page\">\
         <h1>{title}</h1><p>{}</p><p><a href=\"/auth/login\">Try again</a></p></main></body></html>",
        escape(detail)
    );
    (status, Html(body)).into_response()
}

/// What the sign-in endpoints need of the server's state (taken from it with `FromRef`).
#[derive(Clone)]
pub struct SignInContext {
    pub db: sea_orm::DatabaseConnection,
    pub auth: AuthMode,
    pub session_policy: SessionPolicy,
    pub trusted_proxies: std::sync::Arc<super::client_address::TrustedProxies>,
}

impl SignInContext {
    /// The client a request comes from (through trusted proxies), for the rate limit.
    fn client_address(&self, peer: SocketAddr, headers: &axum::http::HeaderMap) -> std::net::IpAddr {
        self.trusted_proxies.client(peer, headers)
    }
}

fn oidc(state: &SignInContext) -> Option<&OidcSettings> {
    match &state.auth {
        AuthMode::Oidc(settings) => Some(settings),
        AuthMode::Local => None,
    }
}

/// Only a path on this site may be returned to (no `//host`, no scheme), else `/`.
pub fn safe_return_to(value: Option<&str>) -> String {
    match value {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
}

/// `GET /auth/login?return_to=/path`.
#[utoipa::path(get, path = "/auth/login", tag = "identity",
    params(("return_to" = Option<String>, Query, description = "Where to go after signing in (a local path)")),
    responses((status = 303, description = "Redirect to the identity provider (local mode: to the overview)"),
        (status = 429, description = "Too many sign-in attempts from this address")))]
pub async fn login(
    State(state): State<SignInContext>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    let Some(settings) = oidc(&state) else {
        // Local mode has nobody to sign in: everyone is the local admin.
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    };
    if !settings.limiter.allow(&state.db, state.client_address(peer, &headers), crate::clock_now()).await {
        return failure(StatusCode::TOO_MANY_REQUESTS, "Too many sign-in attempts", "Wait a minute, then try again.");
    }
    let client = match settings.client().await {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, issuer = %settings.config.issuer, "identity provider discovery failed");
            return failure(StatusCode::BAD_GATEWAY, "Sign-in unavailable", "The identity provider cannot be reached.");
        }
    };
    // Abandoned sign-ins and ended sessions are swept here rather than by a timer.
    let now = crate::clock_now();
    let swept = async {
        login_state::Entity::delete_many().filter(login_state::Column::ExpiresAt.lt(now)).exec(&state.db).await?;
        crate::entities::user_session::Entity::delete_many()
            .filter(crate::entities::user_session::Column::ExpiresAt.lt(now))
            .exec(&state.db)
            .await
    };
    if let Err(error) = swept.await {
        tracing::warn!(%error, "cannot sweep expired sign-ins and sessions");
    }
    let (url, pending) = client.start();
    let binding = login_cookie(&state.session_policy, &pending.state, LOGIN_TTL_MINUTES * 60);
    let stored = login_state::ActiveModel {
        state_hash: Set(hash_secret(&pending.state)),
        nonce: Set(pending.nonce),
        pkce_verifier: Set(pending.pkce_verifier),
        return_to: Set(safe_return_to(query.return_to.as_deref())),
        expires_at: Set(now + TimeDelta::minutes(LOGIN_TTL_MINUTES)),
        ..Default::default()
    }
    .insert(&state.db)
    .await;
    if let Err(error) = stored {
        return crate::problem::Problem::internal("starting a sign-in", &error).into_response();
    }
    (StatusCode::SEE_OTHER, [(header::SET_COOKIE, binding), (header::LOCATION, url)]).into_response()
}

/// Binds a sign-in to the browser that started it: the callback's `state` must match this
/// cookie, so nobody can make a victim's browser finish the attacker's sign-in.
/// The sign-in binding cookie. `Path=/` because the `__Host-` prefix (over https) requires it:
/// the prefix keeps a sibling subdomain from planting or overwriting the binding.
fn login_cookie(policy: &SessionPolicy, value: &str, max_age: i64) -> String {
    let secure = if policy.secure_cookies { "; Secure" } else { "" };
    format!("{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}", policy.login_cookie())
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Why a sign-in failed, for the audit trail (never secrets).
#[derive(Debug, thiserror::Error)]
enum LoginFailure {
    #[error("the identity provider answered: {0}")]
    Provider(String),
    #[error("no state in the callback")]
    Incomplete,
    #[error("no code in the callback")]
    NoCode,
    #[error("unknown or reused sign-in state")]
    State,
    #[error("the sign-in took too long and expired")]
    Expired,
    #[error("the sign-in was not started by this browser")]
    NotThisBrowser,
    #[error("the user is disabled in Plumbline")]
    Disabled,
    #[error("{0}")]
    Token(String),
    #[error(transparent)]
    Database(#[from] DbErr),
}

impl LoginFailure {
    /// Whether the callback belonged to a sign-in this browser started (its state matched the
    /// browser's binding cookie and a pending sign-in, now used up).
    fn of_a_started_sign_in(&self) -> bool {
        match self {
            LoginFailure::Incomplete | LoginFailure::State | LoginFailure::NotThisBrowser => false,
            LoginFailure::Provider(_)
            | LoginFailure::NoCode
            | LoginFailure::Expired
            | LoginFailure::Disabled
            | LoginFailure::Token(_)
            | LoginFailure::Database(_) => true,
        }
    }
}

/// The provider's `error` as an OAuth error code (RFC 6749 §4.1.2.1 allows only printable
/// ASCII), cut short; anything else is named, not copied.
fn provider_error_code(error: &str) -> String {
    let printable = !error.is_empty() && error.bytes().all(|b| (0x20..=0x7e).contains(&b) && b != b'"' && b != b'\\');
    if printable { error.chars().take(64).collect() } else { "(an error code that is not printable ASCII)".to_owned() }
}

/// `GET /auth/callback?code=…&state=…`.
#[utoipa::path(get, path = "/auth/callback", tag = "identity",
    params(("code" = Option<String>, Query, description = "The provider's authorization code"),
        ("state" = Option<String>, Query, description = "The state this browser's sign-in started with")),
    responses((status = 303, description = "Signed in: redirect to where the sign-in started"),
        (status = 400, description = "The sign-in was refused (an HTML page saying why)")))]
pub async fn callback(
    State(state): State<SignInContext>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let Some(settings) = oidc(&state) else {
        return (StatusCode::SEE_OTHER, [(header::LOCATION, "/")]).into_response();
    };
    if !settings.limiter.allow(&state.db, state.client_address(peer, &headers), crate::clock_now()).await {
        return failure(StatusCode::TOO_MANY_REQUESTS, "Too many sign-in attempts", "Wait a minute, then try again.");
    }
    let now = crate::clock_now();
    let bound = super::resolve::cookie(&headers, state.session_policy.login_cookie()).map(str::to_owned);
    let clear = login_cookie(&state.session_policy, "", 0);
    match finish(&state, settings, query, bound, now).await {
        Ok((cookie, return_to)) => {
            let max_age = state.session_policy.absolute.num_seconds();
            let set = state.session_policy.session_set_cookie(&cookie, max_age);
            let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, return_to)]).into_response();
            for cookie in [set, clear] {
                if let Ok(value) = header::HeaderValue::from_str(&cookie) {
                    response.headers_mut().append(header::SET_COOKIE, value);
                }
            }
            response
        }
        Err(LoginFailure::Database(error)) => {
            crate::problem::Problem::internal("finishing a sign-in", &error).into_response()
        }
        Err(reason) => {
            tracing::warn!(reason = ?reason.to_string(), "sign-in refused");
            // Only a refusal of a sign-in this browser really started enters the trail; anyone
            // can send a callback, and the trail must not take their text.
            if reason.of_a_started_sign_in() {
                let details = serde_json::json!({"reason": reason.to_string()});
                let entry = AuditEntry::new("anonymous", "auth.login_failed", "auth", details);
                if let Err(error) = audit::append(&state.db, entry, now).await {
                    tracing::error!(%error, "cannot audit a failed sign-in");
                }
            }
            failure(StatusCode::BAD_REQUEST, "Sign-in failed", "The sign-in could not be completed. Please try again.")
        }
    }
}

async fn finish(
    state: &SignInContext,
    settings: &OidcSettings,
    query: CallbackQuery,
    bound_state: Option<String>,
    now: DateTime<Utc>,
) -> Result<(String, String), LoginFailure> {
    let Some(returned_state) = query.state else {
        return Err(LoginFailure::Incomplete);
    };
    if bound_state.as_deref() != Some(returned_state.as_str()) {
        return Err(LoginFailure::NotThisBrowser);
    }
    // Take the pending sign-in exactly once: a replayed callback finds nothing.
    let pending = login_state::Entity::find()
        .filter(login_state::Column::StateHash.eq(hash_secret(&returned_state)))
        .one(&state.db)
        .await?
        .ok_or(LoginFailure::State)?;
    let deleted = login_state::Entity::delete_by_id(pending.id).exec(&state.db).await?;
    if deleted.rows_affected != 1 {
        return Err(LoginFailure::State);
    }
    if pending.expires_at <= now {
        return Err(LoginFailure::Expired);
    }
    if let Some(error) = query.error {
        return Err(LoginFailure::Provider(provider_error_code(&error)));
    }
    let Some(code) = query.code else {
        return Err(LoginFailure::NoCode);
    };
    let client = settings.client().await.map_err(LoginFailure::Token)?;
    let answer = client.exchange(code, pending.pkce_verifier).await.map_err(LoginFailure::Token)?;
    let identity = match client.identity(&answer, &pending.nonce) {
        // The provider may have rotated its signing keys since discovery: fetch them and retry.
        Err(Refused::Signature(reason)) => match settings.refreshed(&client).await {
            Some(fresh) => fresh.identity(&answer, &pending.nonce),
            None => Err(Refused::Signature(reason)),
        },
        verified => verified,
    }
    .map_err(|refused| LoginFailure::Token(refused.to_string()))?;

    let txn = state.db.begin().await?;
    let Some(user_id) = record_user(&txn, &settings.config, &identity, now).await? else {
        return Err(LoginFailure::Disabled);
    };
    let cookie = sessions::start(&txn, user_id, &state.session_policy, now).await?;
    let details = serde_json::json!({"name": identity.name, "email": identity.email, "groups": identity.groups});
    let actor = match &identity.email {
        Some(email) => format!("user:{user_id}:{email}"),
        None => format!("user:{user_id}"),
    };
    let entry = AuditEntry::new(&actor, "auth.login", &format!("user:{user_id}"), details);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok((cookie, pending.return_to))
}

/// Creates or updates the user and replaces their identity-provider grants and memberships
/// with what their current groups map to (grants an admin made in Plumbline stay). The
/// provider's grants last `idp_grant_lapse` from now, renewed at each sign-in. `None`: the user
/// is disabled, and nothing is changed.
async fn record_user<C: ConnectionTrait>(
    db: &C,
    config: &OidcConfig,
    identity: &Identity,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DbErr> {
    let subject = format!("{}|{}", config.issuer, identity.subject);
    let groups_json = serde_json::to_string(&identity.groups).unwrap_or_else(|_| "[]".to_owned());
    let existing = app_user::Entity::find().filter(app_user::Column::Subject.eq(&subject)).one(db).await?;
    let user_id = match existing {
        Some(user) if user.disabled_at.is_some() => return Ok(None),
        Some(user) => {
            let id = user.id;
            let mut active: app_user::ActiveModel = user.into();
            active.name = Set(identity.name.clone());
            active.email = Set(identity.email.clone());
            active.groups = Set(groups_json);
            active.last_login_at = Set(now);
            active.update(db).await?;
            id
        }
        None => {
            app_user::ActiveModel {
                subject: Set(subject),
                name: Set(identity.name.clone()),
                email: Set(identity.email.clone()),
                groups: Set(groups_json),
                created_at: Set(now),
                last_login_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?
            .id
        }
    };
    let groups = identity.groups.iter().map(String::as_str);
    let roles = config.roles.roles_for(groups.clone());
    let teams: BTreeSet<String> = teams_from_groups(&config.team_prefix, groups);
    role_grant::Entity::delete_many()
        .filter(role_grant::Column::UserId.eq(user_id))
        .filter(role_grant::Column::Source.eq("idp"))
        .exec(db)
        .await?;
    for role in roles {
        role_grant::ActiveModel {
            user_id: Set(user_id),
            role: Set(role.as_str().to_owned()),
            source: Set("idp".to_owned()),
            granted_by: Set(format!("idp:{}", config.issuer)),
            granted_at: Set(now),
            expires_at: Set(now.checked_add_signed(config.idp_grant_lapse)),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    team_membership::Entity::delete_many()
        .filter(team_membership::Column::UserId.eq(user_id))
        .filter(team_membership::Column::Source.eq("idp"))
        .exec(db)
        .await?;
    for team in teams {
        team_membership::ActiveModel {
            user_id: Set(user_id),
            team_slug: Set(team),
            source: Set("idp".to_owned()),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(Some(user_id))
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(safe_return_to(Some("/services?tier=0")), "/services?tier=0");
        for bad in
            ["//evil.example/", "https://evil.example/", "\\\\evil", "/\\evil", "relative", "/\t/evil.example", "/ /x"]
        {
            assert_eq!(safe_return_to(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_return_to(None), "/");
    }
}
