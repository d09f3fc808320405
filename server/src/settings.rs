//! Configuration from environment variables (documented in README.md). Secrets are redacted
//! from `Debug` so settings can be logged.

use std::net::SocketAddr;
use std::path::PathBuf;

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
    pub database: crate::db::DatabaseTarget,
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
    /// Background job workers in this process (0: none; `plumbline worker` runs them elsewhere).
    pub workers: usize,
    /// Least time between two background recomputes of the same figures.
    pub recompute_spacing: std::time::Duration,
    /// How Alertmanager's alert labels map onto alerts.
    pub alertmanager: app::domain::ingest::alertmanager::AlertmanagerMapping,
    /// The mail server and the links of notifications.
    pub notify: NotifySettings,
    /// The key packs and audit checkpoints are signed with, and where checkpoints go.
    pub evidence: EvidenceSettings,
    /// Which Prometheus servers SLO measurements may be pulled from.
    pub prometheus: crate::prometheus::PullSettings,
}

/// The evidence signing key and the audit checkpoints' destinations (docs/evidence-pack.md).
#[derive(Clone, Default)]
pub struct EvidenceSettings {
    /// `PLUMBLINE_SIGNING_KEY_FILE`: an Ed25519 private key (PKCS#8 PEM).
    pub signing_key_file: Option<PathBuf>,
    /// The data directory: where a generated key is kept, and checkpoints by default.
    pub data_dir: PathBuf,
    /// `PLUMBLINE_CHECKPOINT_DIR`.
    pub checkpoint_dir: Option<PathBuf>,
    /// `PLUMBLINE_CHECKPOINT_WEBHOOK` (may carry a token: never logged).
    pub checkpoint_webhook: Option<String>,
}

impl std::fmt::Debug for EvidenceSettings {
    // The webhook URL may carry a token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceSettings")
            .field("signing_key_file", &self.signing_key_file)
            .field("data_dir", &self.data_dir)
            .field("checkpoint_dir", &self.checkpoint_dir)
            .field("checkpoint_webhook", &self.checkpoint_webhook.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// Checkpoints go here unless `PLUMBLINE_CHECKPOINT_DIR` says otherwise.
pub const DEFAULT_CHECKPOINT_DIR: &str = "audit-checkpoints";

impl EvidenceSettings {
    /// Loads (or generates) the signing key; the checkpoints' signer and destinations.
    pub fn checkpoints(&self) -> std::io::Result<crate::checkpoints::Checkpoints> {
        let signer = crate::signing::PackSigner::load_or_create(self.signing_key_file.as_deref(), &self.data_dir)
            .map_err(|e| std::io::Error::other(format!("the evidence signing key: {e}")))?;
        let directory = self.checkpoint_dir.clone().unwrap_or_else(|| self.data_dir.join(DEFAULT_CHECKPOINT_DIR));
        Ok(crate::checkpoints::Checkpoints::new(
            std::sync::Arc::new(signer),
            Some(directory),
            self.checkpoint_webhook.clone(),
        ))
    }
}

/// Where notification email goes out, and the site address its links use.
#[derive(Debug, Clone, Default)]
pub struct NotifySettings {
    /// `PLUMBLINE_SMTP_URL`; without it, email subscriptions fail (and say why on the log).
    pub smtp_url: Option<String>,
    pub mail_from: String,
    /// `PLUMBLINE_PUBLIC_URL`, or the address the server listens on.
    pub public_url: Option<String>,
}

impl NotifySettings {
    /// The mail server, when one is configured.
    pub fn mailer(&self) -> std::io::Result<Option<crate::notify::Mailer>> {
        self.smtp_url
            .as_deref()
            .map(|url| crate::notify::Mailer::new(url, &self.mail_from).map_err(std::io::Error::other))
            .transpose()
    }
}

/// The admin-supplied policy file, or the default policy shipped in `app/policy/default.toml`.
pub fn load_policy(file: Option<&std::path::Path>) -> std::io::Result<app::domain::scorecard::Policy> {
    use app::domain::scorecard::Policy;
    let policy = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot read policy file {}: {e}", path.display()))
            })?;
            Policy::from_toml(&text)
                .map_err(|e| std::io::Error::other(format!("invalid policy file {}: {e}", path.display())))?
        }
        None => Policy::default_policy().map_err(|e| std::io::Error::other(format!("invalid default policy: {e}")))?,
    };
    Ok(policy)
}
