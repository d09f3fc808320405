//! What every handler and page service is given: small handles per feature (figures,
//! ingestion) and the identity settings. Built once by `startup`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sea_orm::DatabaseConnection;

use crate::ingest::Ingestion;
use crate::kpis::Figures;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: DatabaseConnection,
    /// KPIs, scorecards and reports: database, cache, policy and calendar together.
    pub figures: Figures,
    /// Imports and UI writes; the only holder of SQLite's writer lock.
    pub ingestion: Ingestion,
    /// Background jobs: queued here, run by this process's workers or another's.
    pub jobs: crate::jobs::Jobs,
    pub auth: crate::auth::AuthMode,
    pub session_policy: crate::auth::SessionPolicy,
    pub public_origin: Option<String>,
    /// Token creations allowed per client address and minute.
    pub token_limiter: Arc<crate::auth::rate_limit::RateLimiter>,
    pub trusted_proxies: Arc<crate::auth::client_address::TrustedProxies>,
    /// How Alertmanager's alert labels map onto alerts (`POST /api/v1/alertmanager`).
    pub alertmanager: app::domain::ingest::alertmanager::AlertmanagerMapping,
    /// The site's content-hashed script, module and stylesheet.
    pub assets: Arc<crate::assets::Assets>,
    /// Subscriptions and the notifications the jobs send.
    pub notifier: crate::notify::Notifier,
    /// The evidence signing key, and the audit checkpoints it signs.
    pub checkpoints: crate::checkpoints::Checkpoints,
}

impl AppState {
    /// The client a request comes from (through trusted proxies), for rate limits.
    pub fn client_address(&self, peer: SocketAddr, headers: &axum::http::HeaderMap) -> std::net::IpAddr {
        self.trusted_proxies.client(peer, headers)
    }
}

impl FromRef<AppState> for crate::auth::oidc::SignInContext {
    fn from_ref(state: &AppState) -> Self {
        crate::auth::oidc::SignInContext {
            db: state.db.clone(),
            auth: state.auth.clone(),
            session_policy: state.session_policy,
            trusted_proxies: state.trusted_proxies.clone(),
        }
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
