//! The `plumbline` command line: `serve` (default), `migrate`, `demo-data`, `audit verify`,
//! `token`, `export-evidence`, `import`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use app::domain::access::RoleMapping;
use app::domain::ingest::alertmanager::AlertmanagerMapping;
use app::domain::kpi::ReportingCalendar;
use clap::{Args, Parser, Subcommand};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::auth::oidc::{OidcConfig, OidcSettings};
use crate::auth::{AuthMode, SessionPolicy};
use crate::db::DatabaseTarget;
use crate::demo::{self, Scale};
use crate::settings::{DemoMode, ServeSettings};
use crate::startup::{Application, shutdown_signal};
use crate::{db, telemetry};

#[derive(Debug, Parser)]
#[command(name = "plumbline", version, about = "Reliability scorecards, reports and audit evidence")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Generate a demo organisation and import it.
    DemoData(DemoArgs),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Create, list or revoke API tokens.
    Token(TokenArgs),
    /// Write an audit evidence pack (ZIP) for a window; both dates are included.
    ExportEvidence(Box<EvidenceArgs>),
    /// Import files (CSV, JSON, NDJSON, or OpenSLO / Statuspage / PagerDuty exports); each file
    /// is applied whole or not at all; exits non-zero when any is refused.
    Import(Box<ImportArgs>),
    /// Print the REST API's OpenAPI 3.1 description (also served at /api/v1/openapi.json).
    Openapi,
    /// Run background job workers (and the job scheduler) without the web server.
    Worker(WorkerArgs),
    /// Check an evidence pack's signatures and every file, offline (no database); exits
    /// non-zero naming what failed.
    VerifyPack(VerifyPackArgs),
}

#[derive(Debug, Clone, Args)]
struct WorkerArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Job workers to run (at least 1).
    #[arg(long, env = "PLUMBLINE_WORKERS", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    workers: u32,
    /// The scorecard policy the servers use (the figures workers compute must match theirs).
    #[arg(long, env = "PLUMBLINE_POLICY_FILE")]
    policy_file: Option<PathBuf>,
    /// First month (1–12) of the fiscal year.
    #[arg(long, env = "PLUMBLINE_FISCAL_YEAR_START_MONTH", default_value_t = 1)]
    fiscal_year_start_month: u32,
    /// Reporting time zone (IANA name): schedules are read in it.
    #[arg(long, env = "PLUMBLINE_TIME_ZONE", default_value = "UTC")]
    time_zone: String,
    #[command(flatten)]
    mail: MailArgs,
    /// The site's address, for links in notifications.
    #[arg(long, env = "PLUMBLINE_PUBLIC_URL")]
    public_url: Option<String>,
    #[command(flatten)]
    evidence_key: EvidenceKeyArgs,
    #[command(flatten)]
    prometheus: PrometheusArgs,
}

/// The key evidence packs and audit checkpoints are signed with, and where checkpoints go.
#[derive(Clone, Args)]
struct EvidenceKeyArgs {
    /// Ed25519 private key, PKCS#8 PEM (`openssl genpkey -algorithm ed25519`); unset:
    /// `signing-key.pem` in the data directory, generated on first use.
    #[arg(long, env = "PLUMBLINE_SIGNING_KEY_FILE")]
    signing_key_file: Option<PathBuf>,
    /// Directory every audit checkpoint is also written to; unset: `audit-checkpoints` in the
    /// data directory.
    #[arg(long, env = "PLUMBLINE_CHECKPOINT_DIR")]
    checkpoint_dir: Option<PathBuf>,
    /// URL every audit checkpoint is also POSTed to (JSON).
    #[arg(long, env = "PLUMBLINE_CHECKPOINT_WEBHOOK", hide_env_values = true)]
    checkpoint_webhook: Option<String>,
}

impl std::fmt::Debug for EvidenceKeyArgs {
    // The webhook URL may carry a token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceKeyArgs")
            .field("signing_key_file", &self.signing_key_file)
            .field("checkpoint_dir", &self.checkpoint_dir)
            .field("checkpoint_webhook", &self.checkpoint_webhook.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl EvidenceKeyArgs {
    fn settings(&self, data_dir: &std::path::Path) -> crate::settings::EvidenceSettings {
        crate::settings::EvidenceSettings {
            signing_key_file: self.signing_key_file.clone(),
            data_dir: data_dir.to_owned(),
            checkpoint_dir: self.checkpoint_dir.clone(),
            checkpoint_webhook: self.checkpoint_webhook.clone(),
        }
    }
}

/// The mail server notifications are sent through.
#[derive(Debug, Clone, Args)]
struct MailArgs {
    /// `smtp://host:port`, `smtp://user:pass@host:587?tls=required` or `smtps://user:pass@host:465`.
    #[arg(long, env = "PLUMBLINE_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of notification email.
    #[arg(long, env = "PLUMBLINE_MAIL_FROM", default_value = "Plumbline <plumbline@localhost>")]
    mail_from: String,
}

#[derive(Debug, Clone, Args)]
struct ImportArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Record kind (teams, services, slos, incidents, …); implied by an adapter's format.
    #[arg(long)]
    kind: Option<String>,
    /// csv, json, ndjson, openslo, statuspage or pagerduty; detected from each file when omitted.
    #[arg(long)]
    format: Option<String>,
    /// The system the records come from (part of their key).
    #[arg(long, default_value = "cli")]
    source: String,
    /// Check the files and report what would change, writing nothing.
    #[arg(long)]
    dry_run: bool,
    /// Adapters: source severity to ours, e.g. `critical=SEV0,major=SEV1` or `P1=SEV0`.
    #[arg(long, default_value = "")]
    severity_map: String,
    /// Adapters: component or service name to service slug, e.g. `Checkout API=checkout-api`.
    #[arg(long, default_value = "")]
    service_map: String,
    /// PagerDuty CSV: field to column header, e.g. `created_at=Opened On`.
    #[arg(long, default_value = "")]
    column_map: String,
    /// OpenSLO: team owning services the file names but Plumbline lacks (they are created).
    #[arg(long, default_value = "")]
    team: String,
    /// PagerDuty: IANA zone of the file's timestamps without a UTC offset, when it names none.
    #[arg(long, default_value = "")]
    file_time_zone: String,
    /// OpenSLO: the Prometheus server an SLI's ratioMetric queries are pulled from.
    #[arg(long, default_value = "")]
    prometheus_url: String,
    /// Who is importing, for the import batch and the audit trail.
    #[arg(long, env = "USER", default_value = "unknown")]
    user: String,
    #[arg(long, env = "PLUMBLINE_POLICY_FILE")]
    policy_file: Option<PathBuf>,
    /// Largest accepted file, in MiB.
    #[arg(long, env = "PLUMBLINE_MAX_BODY_MB", default_value_t = 512)]
    max_body_mb: u64,
    /// The files, each imported in its own transaction.
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Debug, Clone, Args)]
struct EvidenceArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// First day of the audit window (YYYY-MM-DD, reporting time zone).
    #[arg(long)]
    from: String,
    /// Last day of the audit window, included.
    #[arg(long)]
    to: String,
    /// Where to write the ZIP (replaced only once the pack is complete).
    #[arg(long)]
    out: PathBuf,
    /// Only these teams' services (repeatable).
    #[arg(long = "team")]
    teams: Vec<String>,
    /// Only services of these tiers (repeatable).
    #[arg(long = "tier")]
    tiers: Vec<String>,
    /// A random sample of a population, e.g. `incidents=25` (repeatable).
    #[arg(long = "sample")]
    samples: Vec<String>,
    /// Seed of the samples (chosen at random and recorded in the manifest when omitted).
    #[arg(long)]
    seed: Option<String>,
    /// Who is exporting, for the manifest and the audit trail.
    #[arg(long, env = "USER", default_value = "unknown")]
    user: String,
    #[command(flatten)]
    evidence_key: EvidenceKeyArgs,
    #[arg(long, env = "PLUMBLINE_POLICY_FILE")]
    policy_file: Option<PathBuf>,
    #[arg(long, env = "PLUMBLINE_FISCAL_YEAR_START_MONTH", default_value_t = 1)]
    fiscal_year_start_month: u32,
    #[arg(long, env = "PLUMBLINE_TIME_ZONE", default_value = "UTC")]
    time_zone: String,
}

#[derive(Debug, Clone, Args)]
struct DatabaseArgs {
    /// postgres://… or sqlite://…; unset means the embedded SQLite file in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Where the embedded SQLite file lives.
    #[arg(long, env = "PLUMBLINE_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
    /// Most database connections this process keeps (1–1000).
    #[arg(long, env = "PLUMBLINE_DB_POOL_SIZE", default_value_t = db::DEFAULT_POOL_SIZE,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    db_pool_size: u32,
}

impl DatabaseArgs {
    fn target(&self) -> DatabaseTarget {
        DatabaseTarget::from_env(self.database_url.clone(), self.data_dir.clone())
    }
}

/// Where SLO measurements may be pulled from (docs/ingestion.md §15).
#[derive(Debug, Clone, Args)]
struct PrometheusArgs {
    /// Prometheus servers SLOs may name as their source (base URLs, comma-separated); empty:
    /// nothing is pulled.
    #[arg(long, env = "PLUMBLINE_PROMETHEUS_URLS", default_value = "")]
    prometheus_urls: String,
    /// The days ending yesterday a newly defined pulled SLO is filled with.
    #[arg(long, env = "PLUMBLINE_PROMETHEUS_BACKFILL_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=400))]
    prometheus_backfill_days: u64,
}

impl PrometheusArgs {
    fn settings(&self) -> anyhow::Result<crate::prometheus::PullSettings> {
        crate::prometheus::PullSettings::parse(Some(&self.prometheus_urls), self.prometheus_backfill_days)
            .map_err(|message| anyhow::anyhow!(message))
    }
}

#[derive(Debug, Clone, Args)]
struct ServeArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// Address to listen on. Without an identity provider only loopback addresses are allowed.
    #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
    addr: SocketAddr,
    /// Folder with the built site (pkg/ with the WASM bundle and CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    site_root: PathBuf,
    /// Largest accepted ingestion body, in MiB.
    #[arg(long, env = "PLUMBLINE_MAX_BODY_MB", default_value_t = 512)]
    max_body_mb: u64,
    /// Largest file in an adapter's format (OpenSLO, Statuspage, PagerDuty), in MiB: such a
    /// file is parsed whole, up to 16 times its size in memory.
    #[arg(long, env = "PLUMBLINE_MAX_ADAPTER_MB", default_value_t = 32)]
    max_adapter_mb: u64,
    /// How many adapter files are parsed at once; more are answered 503 with Retry-After.
    #[arg(long, env = "PLUMBLINE_ADAPTER_CONCURRENCY", default_value_t = 2)]
    adapter_concurrency: usize,
    /// Load the demo organisation at startup: auto (only into an empty embedded database),
    /// if-empty (into any empty database) or off.
    #[arg(long, env = "PLUMBLINE_DEMO", value_enum, default_value = "auto")]
    demo: DemoMode,
    /// Longest a request may take, in seconds (large imports included).
    #[arg(long, env = "PLUMBLINE_REQUEST_TIMEOUT_SECS", default_value_t = 900)]
    request_timeout_secs: u64,
    /// Longest a client may take to send a request's headers, or stay idle between requests
    /// on a kept-alive connection, in seconds (slow or silent clients are disconnected).
    #[arg(long, env = "PLUMBLINE_HEADER_TIMEOUT_SECS", default_value_t = 20)]
    header_timeout_secs: u64,
    /// A scorecard policy (TOML, like app/policy/default.toml) replacing the default one.
    #[arg(long, env = "PLUMBLINE_POLICY_FILE")]
    policy_file: Option<PathBuf>,
    /// First month (1–12) of the fiscal year; quarters are fiscal quarters.
    #[arg(long, env = "PLUMBLINE_FISCAL_YEAR_START_MONTH", default_value_t = 1)]
    fiscal_year_start_month: u32,
    /// Reporting time zone (IANA name): its midnights are the day and period boundaries.
    #[arg(long, env = "PLUMBLINE_TIME_ZONE", default_value = "UTC")]
    time_zone: String,
    /// Run as if it were this instant (RFC 3339, or a date meaning its midnight UTC); the clock
    /// then advances in real time. Local mode only: for demos and tests of expiries.
    #[arg(long, env = "PLUMBLINE_CLOCK_AT")]
    clock_at: Option<String>,
    /// Reverse proxies in front of Plumbline (addresses or networks, comma-separated): behind
    /// them, rate limits count the client named in `X-Forwarded-For`.
    #[arg(long, env = "PLUMBLINE_TRUSTED_PROXIES", default_value = "")]
    trusted_proxies: String,
    /// Background job workers inside the server (0 turns them off: run `plumbline worker`).
    #[arg(long, env = "PLUMBLINE_WORKERS", default_value_t = 2,
          value_parser = clap::value_parser!(u32).range(0..=64))]
    workers: u32,
    /// Least seconds between two background recomputes of the same figures: pages are served
    /// the last figures meanwhile, and frequent imports cost one recompute per interval.
    #[arg(long, env = "PLUMBLINE_RECOMPUTE_SPACING_SECS", default_value_t = 15,
          value_parser = clap::value_parser!(u64).range(0..=3600))]
    recompute_spacing_secs: u64,
    /// The Alertmanager alert label naming the service an alert is about.
    #[arg(long, env = "PLUMBLINE_ALERTMANAGER_SERVICE_LABEL", default_value = "service")]
    alertmanager_service_label: String,
    /// `label=value`: an Alertmanager alert matching it paged a person.
    #[arg(long, env = "PLUMBLINE_ALERTMANAGER_PAGED", default_value = "severity=page")]
    alertmanager_paged: String,
    #[command(flatten)]
    prometheus: PrometheusArgs,
    #[command(flatten)]
    identity: IdentityArgs,
    #[command(flatten)]
    mail: MailArgs,
    #[command(flatten)]
    evidence_key: EvidenceKeyArgs,
}

/// Sign-in through an OpenID Connect provider; all unset means local mode.
#[derive(Debug, Clone, Args)]
struct IdentityArgs {
    /// Issuer URL of the OpenID Connect provider (discovery at ISSUER/.well-known/openid-configuration).
    #[arg(long, env = "PLUMBLINE_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    #[arg(long, env = "PLUMBLINE_OIDC_CLIENT_ID")]
    oidc_client_id: Option<String>,
    #[arg(long, env = "PLUMBLINE_OIDC_CLIENT_SECRET", hide_env_values = true)]
    oidc_client_secret: Option<String>,
    /// The URL users reach Plumbline at (the redirect URI is PUBLIC_URL/auth/callback).
    #[arg(long, env = "PLUMBLINE_PUBLIC_URL")]
    public_url: Option<String>,
    /// The ID-token claim listing the user's groups.
    #[arg(long, env = "PLUMBLINE_OIDC_GROUPS_CLAIM", default_value = "groups")]
    oidc_groups_claim: String,
    /// Groups to roles: `group:role,…` with roles admin, editor, viewer, auditor.
    #[arg(long, env = "PLUMBLINE_ROLE_GROUPS", default_value = "")]
    role_groups: String,
    /// Groups starting with this make the user a member of the team named by the rest.
    #[arg(long, env = "PLUMBLINE_TEAM_GROUP_PREFIX", default_value = "team:")]
    team_group_prefix: String,
    /// A session ends this many hours after sign-in.
    #[arg(long, env = "PLUMBLINE_SESSION_HOURS", default_value_t = 12)]
    session_hours: u32,
    /// A session ends after this many minutes without a request.
    #[arg(long, env = "PLUMBLINE_SESSION_IDLE_MINUTES", default_value_t = 60)]
    session_idle_minutes: u32,
    /// Sign-in requests allowed per client address and minute.
    #[arg(long, env = "PLUMBLINE_SIGN_IN_RATE_PER_MINUTE", default_value_t = 30)]
    sign_in_rate_per_minute: u32,
    /// Days roles from the provider's groups last after a user's last sign-in (someone removed
    /// at the provider loses them, and their tokens' rights, this long after).
    #[arg(long, env = "PLUMBLINE_OIDC_GRANT_DAYS", default_value_t = crate::auth::DEFAULT_IDP_GRANT_DAYS)]
    oidc_grant_days: i64,
}

impl IdentityArgs {
    /// The auth mode, session policy and public origin these settings describe.
    fn resolve(self) -> anyhow::Result<(AuthMode, SessionPolicy, Option<String>)> {
        let public_url = self.public_url.map(|u| u.trim().trim_end_matches('/').to_owned()).filter(|u| !u.is_empty());
        if let Some(url) = &public_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            anyhow::bail!("PLUMBLINE_PUBLIC_URL must start with http:// or https://, got {url:?}");
        }
        let origin = public_url.as_deref().map(|u| {
            let rest = u.split_once("://").map_or("", |(_, rest)| rest);
            let host = rest.split('/').next().unwrap_or_default();
            format!("{}://{host}", u.split_once("://").map_or("http", |(scheme, _)| scheme))
        });
        if self.session_hours == 0 || self.session_idle_minutes == 0 {
            anyhow::bail!("PLUMBLINE_SESSION_HOURS and PLUMBLINE_SESSION_IDLE_MINUTES must be at least 1");
        }
        let policy = SessionPolicy {
            absolute: chrono::TimeDelta::hours(i64::from(self.session_hours)),
            idle: chrono::TimeDelta::minutes(i64::from(self.session_idle_minutes)),
            secure_cookies: public_url.as_deref().is_some_and(|u| u.starts_with("https://")),
        };
        let Some(issuer) = self.oidc_issuer.filter(|i| !i.trim().is_empty()) else {
            return Ok((AuthMode::Local, policy, origin));
        };
        let missing: Vec<&str> = [
            ("PLUMBLINE_OIDC_CLIENT_ID", self.oidc_client_id.is_none()),
            ("PLUMBLINE_OIDC_CLIENT_SECRET", self.oidc_client_secret.is_none()),
            ("PLUMBLINE_PUBLIC_URL", public_url.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, absent)| absent.then_some(name))
        .collect();
        if !missing.is_empty() {
            anyhow::bail!("PLUMBLINE_OIDC_ISSUER is set, so sign-in also needs {}", missing.join(", "));
        }
        let url = public_url.as_deref().unwrap_or_default();
        if !https_or_loopback(url) {
            anyhow::bail!(
                "PLUMBLINE_PUBLIC_URL must be https:// when sign-in is configured (session cookies are Secure); \
                 plain http is accepted only for a loopback address, got {url:?}"
            );
        }
        if !https_or_loopback(issuer.trim()) {
            anyhow::bail!(
                "PLUMBLINE_OIDC_ISSUER must be https:// (its keys and tokens travel over it); plain http is \
                 accepted only for a provider on a loopback address, got {issuer:?}"
            );
        }
        if !(1..=3650).contains(&self.oidc_grant_days) {
            anyhow::bail!("PLUMBLINE_OIDC_GRANT_DAYS must be 1 to 3650, got {}", self.oidc_grant_days);
        }
        let roles = RoleMapping::parse(&self.role_groups).map_err(|e| anyhow::anyhow!("PLUMBLINE_ROLE_GROUPS: {e}"))?;
        let settings = OidcSettings::new(OidcConfig {
            issuer: issuer.trim().to_owned(),
            client_id: self.oidc_client_id.unwrap_or_default(),
            client_secret: self.oidc_client_secret.unwrap_or_default(),
            public_url: public_url.unwrap_or_default(),
            groups_claim: self.oidc_groups_claim,
            roles,
            team_prefix: self.team_group_prefix,
            sign_ins_per_minute: self.sign_in_rate_per_minute.max(1),
            idp_grant_lapse: chrono::TimeDelta::days(self.oidc_grant_days),
        });
        Ok((AuthMode::Oidc(std::sync::Arc::new(settings)), policy, origin))
    }
}

/// Whether `url` is https, or http to a loopback address (`127.0.0.0/8`, `localhost`, `[::1]`).
fn https_or_loopback(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[derive(Debug, Clone, Args)]
struct TokenArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[command(subcommand)]
    command: crate::auth::cli::TokenCommand,
}

#[derive(Debug, Clone, Args)]
struct DemoArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    #[arg(long, value_enum, default_value = "small")]
    scale: Scale,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

pub async fn run() -> ExitCode {
    telemetry::init();
    let cli = Cli::parse();
    // No subcommand means `serve`, with its flags read from the environment.
    let command = cli.command.or_else(|| Cli::parse_from(["plumbline", "serve"]).command);
    let Some(command) = command else {
        return ExitCode::FAILURE;
    };
    let result = match command {
        Command::Serve(args) => serve(*args).await,
        Command::Migrate(args) => migrate(args).await,
        Command::DemoData(args) => demo_data(args).await,
        Command::Audit(AuditCommand::Verify(args)) => audit_verify(args).await,
        Command::Token(args) => token(args).await,
        Command::ExportEvidence(args) => crate::evidence::cli::export(&args.database.target(), (*args).into()).await,
        Command::Import(args) => import(*args).await,
        Command::Openapi => print_openapi(),
        Command::Worker(args) => worker(args).await,
        Command::VerifyPack(args) => crate::verify_cli::verify_pack(&args.pack, args.public_key.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open(args: &DatabaseArgs) -> anyhow::Result<DatabaseConnection> {
    let target = args.target();
    tracing::info!(database = ?target, pool_size = args.db_pool_size, "connecting");
    let db = db::connect_with_pool(&target, args.db_pool_size)
        .await
        .with_context(|| format!("cannot connect to {target:?}"))?;
    db::migrate(&db).await.context("cannot apply migrations")?;
    Ok(db)
}

fn print_openapi() -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(crate::routes::openapi::description())?;
    println!("{json}");
    Ok(())
}

async fn migrate(args: DatabaseArgs) -> anyhow::Result<()> {
    open(&args).await?;
    println!("migrations applied");
    Ok(())
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Re-compute the audit trail's hash chain, then compare it with earlier signed checkpoints;
    /// exits non-zero, naming the seq, if it is broken, rewritten or truncated.
    Verify(AuditVerifyArgs),
}

#[derive(Debug, Clone, Args)]
struct AuditVerifyArgs {
    #[command(flatten)]
    database: DatabaseArgs,
    /// A checkpoint file (from an evidence pack, `PLUMBLINE_CHECKPOINT_DIR` or the webhook);
    /// repeatable.
    #[arg(long = "checkpoint")]
    checkpoints: Vec<PathBuf>,
    /// The public key the checkpoints must be signed with (PEM, from
    /// /api/v1/evidence/public-key); without it, each checkpoint's own key is used.
    #[arg(long)]
    public_key: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
struct VerifyPackArgs {
    /// The evidence pack (ZIP).
    pack: PathBuf,
    /// The public key the pack must be signed with (PEM, from /api/v1/evidence/public-key);
    /// without it, the pack's own signing-key.pem is used.
    #[arg(long)]
    public_key: Option<PathBuf>,
}

/// Reads only: a verifier must not migrate the database it is checking.
async fn audit_verify(args: AuditVerifyArgs) -> anyhow::Result<()> {
    let target = args.database.target();
    let db = db::connect(&target).await.with_context(|| format!("cannot connect to {target:?}"))?;
    crate::verify_cli::audit_verify(&db, &args.checkpoints, args.public_key.as_deref()).await
}

async fn token(args: TokenArgs) -> anyhow::Result<()> {
    let db = open(&args.database).await?;
    crate::auth::cli::run(&db, args.command).await
}

impl From<EvidenceArgs> for crate::evidence::cli::ExportArgs {
    fn from(args: EvidenceArgs) -> Self {
        let mut pairs = vec![("from".to_owned(), args.from), ("to".to_owned(), args.to)];
        pairs.extend(args.teams.into_iter().map(|t| ("team".to_owned(), t)));
        pairs.extend(args.tiers.into_iter().map(|t| ("tier".to_owned(), t)));
        for sample in args.samples {
            let (population, size) = sample.split_once('=').unwrap_or((sample.as_str(), ""));
            pairs.push((format!("sample_{population}"), size.to_owned()));
        }
        pairs.extend(args.seed.map(|s| ("seed".to_owned(), s)));
        crate::evidence::cli::ExportArgs {
            pairs,
            out: args.out,
            actor: format!("cli:{}", args.user),
            policy_file: args.policy_file,
            fiscal_year_start_month: args.fiscal_year_start_month,
            time_zone: args.time_zone,
            evidence: args.evidence_key.settings(&args.database.data_dir),
        }
    }
}

async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let options = app::domain::ingest::adapters::AdapterOptions::from_texts(
        &args.severity_map,
        &args.service_map,
        &args.column_map,
        &args.team,
    )
    .and_then(|options| options.with_time_zone(&args.file_time_zone))
    .and_then(|options| options.with_prometheus_url(&args.prometheus_url))
    .map_err(|message| anyhow::anyhow!("adapter options: {message}"))?;
    let policy = crate::settings::load_policy(args.policy_file.as_deref())?;
    let db = open(&args.database).await?;
    let run = crate::import_cli::ImportArgs {
        files: args.files,
        kind: args.kind,
        format: args.format,
        source: args.source,
        dry_run: args.dry_run,
        options,
        actor: format!("cli:{}", args.user),
        readiness_items: policy.self_assessment_items(),
        max_body_bytes: args.max_body_mb.saturating_mul(1024 * 1024),
    };
    crate::import_cli::run(&db, run).await
}

async fn demo_data(args: DemoArgs) -> anyhow::Result<()> {
    let db = open(&args.database).await?;
    demo::load(&db, args.scale, args.seed, true).await
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let (auth, session_policy, public_origin) = args.identity.resolve()?;
    let public_url_of_identity = public_origin.clone();
    if auth.is_local() && !args.addr.ip().is_loopback() {
        anyhow::bail!(
            "refusing to listen on {}: no identity provider is configured, so Plumbline runs in local mode, \
             which only binds to loopback (127.0.0.1 or ::1). To serve other machines, configure sign-in: \
             PLUMBLINE_OIDC_ISSUER, PLUMBLINE_OIDC_CLIENT_ID, PLUMBLINE_OIDC_CLIENT_SECRET and PLUMBLINE_PUBLIC_URL",
            args.addr
        );
    }
    if let Some(text) = &args.clock_at {
        if !auth.is_local() {
            anyhow::bail!(
                "PLUMBLINE_CLOCK_AT moves the server's clock, which is only allowed in local mode (for demos \
                 and tests): unset it, or unset the PLUMBLINE_OIDC_* variables"
            );
        }
        let at = parse_clock_at(text)?;
        crate::start_clock_at(at);
        tracing::warn!(%at, "the clock starts at PLUMBLINE_CLOCK_AT, not the real time: every page says so");
    }
    let calendar = ReportingCalendar::parse(args.fiscal_year_start_month, &args.time_zone)
        .context("invalid PLUMBLINE_FISCAL_YEAR_START_MONTH or PLUMBLINE_TIME_ZONE")?;
    let trusted_proxies = crate::auth::client_address::TrustedProxies::parse(&args.trusted_proxies)
        .map_err(|message| anyhow::anyhow!("PLUMBLINE_TRUSTED_PROXIES: {message}"))?;
    let alertmanager =
        AlertmanagerMapping::new(&args.alertmanager_service_label, &args.alertmanager_paged).map_err(|message| {
            anyhow::anyhow!("PLUMBLINE_ALERTMANAGER_SERVICE_LABEL / PLUMBLINE_ALERTMANAGER_PAGED: {message}")
        })?;
    let prometheus = args.prometheus.settings()?;
    let target = args.database.target();
    let settings = ServeSettings {
        database: target.clone(),
        addr: args.addr,
        site_root: args.site_root,
        max_body_bytes: args.max_body_mb.saturating_mul(1024 * 1024),
        adapter_limits: crate::ingest::AdapterLimits::new(
            args.max_adapter_mb.saturating_mul(1024 * 1024),
            args.adapter_concurrency,
        ),
        demo: args.demo,
        request_timeout_secs: args.request_timeout_secs,
        connection_timeouts: crate::serve::ConnectionTimeouts {
            header_read: std::time::Duration::from_secs(args.header_timeout_secs.max(1)),
        },
        policy_file: args.policy_file,
        calendar,
        auth,
        session_policy,
        public_origin,
        trusted_proxies,
        workers: args.workers as usize,
        recompute_spacing: std::time::Duration::from_secs(args.recompute_spacing_secs),
        alertmanager,
        notify: crate::settings::NotifySettings {
            smtp_url: args.mail.smtp_url,
            mail_from: args.mail.mail_from,
            public_url: public_url_of_identity,
        },
        evidence: args.evidence_key.settings(&args.database.data_dir),
        prometheus,
    };
    // A broken policy file is reported before anything else starts.
    let policy = crate::settings::load_policy(settings.policy_file.as_deref())?;
    tracing::info!(version = %policy.version, "scorecard policy loaded");
    let db = open(&args.database).await?;
    let load_demo = match settings.demo {
        DemoMode::Off => false,
        DemoMode::Auto => target.is_embedded(),
        DemoMode::IfEmpty => true,
    };
    if load_demo && is_empty(&db).await? {
        tracing::info!("empty database: loading the small demo organisation (PLUMBLINE_DEMO=off to start empty)");
        demo::load(&db, Scale::Small, 42, false).await.context("cannot load demo data")?;
    }
    let application =
        Application::build(&settings, db).await.with_context(|| format!("cannot listen on {}", settings.addr))?;
    let addr = application.local_addr()?;
    if settings.auth.is_local() {
        tracing::info!(%addr, "Plumbline is listening on http://{addr} (local mode: single local admin, loopback only)");
    } else {
        tracing::info!(%addr, "Plumbline is listening on http://{addr} (sign-in through the OpenID Connect provider)");
    }
    application.run(shutdown_signal()).await?;
    Ok(())
}

/// Job workers and the scheduler, without the web server, until Ctrl-C or SIGTERM.
async fn worker(args: WorkerArgs) -> anyhow::Result<()> {
    let calendar = ReportingCalendar::parse(args.fiscal_year_start_month, &args.time_zone)
        .context("invalid PLUMBLINE_FISCAL_YEAR_START_MONTH or PLUMBLINE_TIME_ZONE")?;
    let policy = crate::settings::load_policy(args.policy_file.as_deref())?;
    let db = open(&args.database).await?;
    // Pulled measurements are the only imports a worker makes: rows it builds itself.
    let ingestion = crate::ingest::Ingestion::new(
        db.clone(),
        u64::MAX,
        crate::ingest::AdapterLimits::new(0, 1),
        policy.self_assessment_items(),
    );
    let figures = crate::kpis::Figures::new(db.clone(), policy, calendar);
    let notify = crate::settings::NotifySettings {
        smtp_url: args.mail.smtp_url,
        mail_from: args.mail.mail_from,
        public_url: args.public_url,
    };
    let public_url = notify.public_url.clone().unwrap_or_else(|| {
        // A worker listens on no address of its own: without the site's, links in emails point
        // at the local default.
        tracing::warn!("PLUMBLINE_PUBLIC_URL is not set: notification links will point at http://127.0.0.1:3000");
        "http://127.0.0.1:3000".to_owned()
    });
    let notifier = crate::notify::Notifier::new(figures, notify.mailer()?, public_url)?;
    let checkpoints = args.evidence_key.settings(&args.database.data_dir).checkpoints()?;
    let jobs = crate::jobs::builtin::standard(db, notifier, checkpoints, args.prometheus.settings()?, ingestion);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let workers = jobs.start(args.workers as usize, stopped);
    shutdown_signal().await;
    let _ = stop.send(true);
    crate::jobs::wait_for(workers).await;
    Ok(())
}

/// `PLUMBLINE_CLOCK_AT`: an RFC 3339 instant, or a date (its midnight, UTC).
fn parse_clock_at(text: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    let text = text.trim();
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|midnight| midnight.and_utc())
        .with_context(|| format!("PLUMBLINE_CLOCK_AT must be like 2027-01-31 or 2027-01-31T09:00:00Z, not {text:?}"))
}

async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(crate::entities::import_batch::Entity::find().count(db).await? == 0)
}

#[cfg(test)]
mod tests {
    use super::{https_or_loopback, parse_clock_at};

    #[test]
    fn plain_http_is_accepted_for_loopback_addresses_only() {
        for good in ["https://plumbline.example", "http://127.0.0.1:3000", "http://localhost", "http://[::1]:8080/x"] {
            assert!(https_or_loopback(good), "{good}");
        }
        for bad in [
            "http://[2001:db8::1]:3000",
            "http://[fe80::1]",
            "http://10.0.0.1",
            "http://localhost.evil.example",
            "ftp://x",
        ] {
            assert!(!https_or_loopback(bad), "{bad}");
        }
    }

    #[test]
    fn the_clock_starts_at_an_instant_or_a_days_midnight() {
        assert_eq!(parse_clock_at("2027-01-31").unwrap().to_rfc3339(), "2027-01-31T00:00:00+00:00");
        assert_eq!(parse_clock_at("2027-01-31T09:30:00+01:00").unwrap().to_rfc3339(), "2027-01-31T08:30:00+00:00");
        assert!(parse_clock_at("next tuesday").unwrap_err().to_string().contains("PLUMBLINE_CLOCK_AT"));
    }
}
