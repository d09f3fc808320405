//! The `plumbline` command line: `serve` (default), `migrate`, `demo-data`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use app::domain::kpi::ReportingCalendar;
use clap::{Args, Parser, Subcommand};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::demo::{self, Scale};
use crate::settings::{DatabaseTarget, DemoMode, ServeSettings};
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
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Generate a demo organisation and import it.
    DemoData(DemoArgs),
}

#[derive(Debug, Clone, Args)]
struct DatabaseArgs {
    /// postgres://… or sqlite://…; unset means the embedded SQLite file in the data directory.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
    /// Where the embedded SQLite file lives.
    #[arg(long, env = "PLUMBLINE_DATA_DIR", default_value = "data")]
    data_dir: PathBuf,
}

impl DatabaseArgs {
    fn target(&self) -> DatabaseTarget {
        DatabaseTarget::from_env(self.database_url.clone(), self.data_dir.clone())
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
    /// Load the demo organisation at startup: auto (only into an empty embedded database),
    /// if-empty (into any empty database) or off.
    #[arg(long, env = "PLUMBLINE_DEMO", value_enum, default_value = "auto")]
    demo: DemoMode,
    /// Longest a request may take, in seconds (large imports included).
    #[arg(long, env = "PLUMBLINE_REQUEST_TIMEOUT_SECS", default_value_t = 900)]
    request_timeout_secs: u64,
    /// A scorecard policy (TOML, like app/policy/default.toml) replacing the default one.
    #[arg(long, env = "PLUMBLINE_POLICY_FILE")]
    policy_file: Option<PathBuf>,
    /// First month (1–12) of the fiscal year; quarters are fiscal quarters.
    #[arg(long, env = "PLUMBLINE_FISCAL_YEAR_START_MONTH", default_value_t = 1)]
    fiscal_year_start_month: u32,
    /// Reporting time zone (IANA name): its midnights are the day and period boundaries.
    #[arg(long, env = "PLUMBLINE_TIME_ZONE", default_value = "UTC")]
    time_zone: String,
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
        Command::Serve(args) => serve(args).await,
        Command::Migrate(args) => migrate(args).await,
        Command::DemoData(args) => demo_data(args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open(target: &DatabaseTarget) -> anyhow::Result<DatabaseConnection> {
    tracing::info!(database = ?target, "connecting");
    let db = db::connect(target).await.with_context(|| format!("cannot connect to {target:?}"))?;
    db::migrate(&db).await.context("cannot apply migrations")?;
    Ok(db)
}

async fn migrate(args: DatabaseArgs) -> anyhow::Result<()> {
    open(&args.target()).await?;
    println!("migrations applied");
    Ok(())
}

async fn demo_data(args: DemoArgs) -> anyhow::Result<()> {
    let db = open(&args.database.target()).await?;
    demo::load(&db, args.scale, args.seed, true).await
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    if !args.addr.ip().is_loopback() {
        anyhow::bail!(
            "refusing to listen on {}: no identity provider is configured, so Plumbline runs in local mode, \
             which only binds to loopback (127.0.0.1 or ::1)",
            args.addr
        );
    }
    let calendar = ReportingCalendar::parse(args.fiscal_year_start_month, &args.time_zone)
        .context("invalid PLUMBLINE_FISCAL_YEAR_START_MONTH or PLUMBLINE_TIME_ZONE")?;
    let target = args.database.target();
    let settings = ServeSettings {
        database: target.clone(),
        addr: args.addr,
        site_root: args.site_root,
        max_body_bytes: args.max_body_mb.saturating_mul(1024 * 1024),
        demo: args.demo,
        request_timeout_secs: args.request_timeout_secs,
        policy_file: args.policy_file,
        calendar,
    };
    // A broken policy file is reported before anything else starts.
    let policy = crate::startup::load_policy(settings.policy_file.as_deref())?;
    tracing::info!(version = %policy.version, "scorecard policy loaded");
    let db = open(&target).await?;
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
    tracing::info!(%addr, "Plumbline is listening on http://{addr} (local mode: single local admin, loopback only)");
    application.run(shutdown_signal()).await?;
    Ok(())
}

async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(crate::entities::import_batch::Entity::find().count(db).await? == 0)
}
