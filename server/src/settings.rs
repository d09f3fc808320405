//! Configuration from environment variables (documented in README.md). Secrets are redacted
//! from `Debug` so settings can be logged.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the data lives: an explicit URL, or the embedded SQLite file.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Url(String),
    Embedded(PathBuf),
}

impl DatabaseTarget {
    pub fn from_env(url: Option<String>, data_dir: PathBuf) -> Self {
        match url.filter(|u| !u.trim().is_empty()) {
            Some(url) => DatabaseTarget::Url(url),
            None => DatabaseTarget::Embedded(data_dir.join("plumbline.sqlite3")),
        }
    }

    pub fn url(&self) -> String {
        match self {
            DatabaseTarget::Url(url) => url.clone(),
            DatabaseTarget::Embedded(path) => format!("sqlite://{}?mode=rwc", path.display()),
        }
    }

    pub fn is_embedded(&self) -> bool {
        matches!(self, DatabaseTarget::Embedded(_))
    }
}

impl std::fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseTarget::Url(url) => write!(f, "{}", redact_url(url)),
            DatabaseTarget::Embedded(path) => write!(f, "embedded SQLite at {}", path.display()),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return "***".into() };
    match rest.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        None => url.to_owned(),
    }
}

/// Whether to load the generated demo organisation at startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoMode {
    /// Load it into an empty embedded database only (the first-run experience).
    Auto,
    /// Load it into any empty database.
    IfEmpty,
    /// Never load it.
    Off,
}

#[derive(Debug, Clone)]
pub struct ServeSettings {
    pub database: DatabaseTarget,
    pub addr: SocketAddr,
    pub site_root: PathBuf,
    pub max_body_bytes: u64,
    /// Size of files an adapter reads, and how many are parsed at once.
    pub adapter_limits: crate::ingest::AdapterLimits,
    pub demo: DemoMode,
    pub request_timeout_secs: u64,
    /// How long a client may take to send request headers, or stay idle between requests.
    pub connection_timeouts: crate::serve::ConnectionTimeouts,
    /// A scorecard policy replacing the default one.
    pub policy_file: Option<PathBuf>,
    /// Fiscal year start and reporting time zone of every period.
    pub calendar: app::domain::kpi::ReportingCalendar,
    /// Local mode, or sign-in through an OpenID Connect provider.
    pub auth: crate::auth::AuthMode,
    pub session_policy: crate::auth::SessionPolicy,
    /// `scheme://host[:port]` the server is reached at, when configured (CSRF origin checks).
    pub public_origin: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (rate limits).
    pub trusted_proxies: crate::auth::client_address::TrustedProxies,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_appear_in_debug_output() {
        let target = DatabaseTarget::Url("postgres://app:hunter2@db:5432/plumbline".into());
        let shown = format!("{target:?}");
        assert!(!shown.contains("hunter2"));
        assert!(shown.contains("app:***@db:5432/plumbline"));
    }
}
