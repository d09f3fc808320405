//! Builds the application from settings and binds its own listener, so tests can run the real
//! server on port 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::ports::Ports;
use app::{App, shell};
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderName, HeaderValue, Request};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::ingest::Ingestion;
use crate::kpis::Figures;
use crate::settings::ServeSettings;
use crate::state::AppState;
use crate::{pages, routes};

/// The options pages render with; `output_name` is the site's hashed base name.
pub fn leptos_options(settings: &ServeSettings, output_name: &str) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(output_name)
        .site_root(settings.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(settings.addr)
        .build()
}

/// The app's page routes, found once per process by rendering the app. While Leptos renders
/// for that, it stops resources from loading in every thread (a process-wide flag), so a page
/// served at that moment by another server in the same process (integration tests run many)
/// would wait forever; generated once, before any server listens, it cannot overlap one.
pub fn page_routes() -> Vec<AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Each page's port, over the feature handles of `state`.
fn ports(state: &AppState) -> Ports {
    // Pages serve the last computed figures while newer ones are computed; the REST API
    // answers with current figures.
    let figures = &state.figures.serving_last();
    let (ingestion, db) = (&state.ingestion, &state.db);
    Ports {
        overview: Arc::new(pages::overview::OverviewPage::new(figures.clone())),
        team: Arc::new(pages::team::TeamPage::new(figures.clone())),
        teams: Arc::new(pages::teams::TeamsPage::new(figures.clone())),
        drill_down: Arc::new(pages::drill_down::DrillDownPage::new(figures.clone())),
        kpis: Arc::new(pages::kpis::KpisPage::new(figures.clone())),
        report: Arc::new(pages::report::ReportPage::new(figures.clone(), state.checkpoints.clone())),
        reports: Arc::new(pages::reports::ReportsPage::new(figures.clone())),
        restatements: Arc::new(pages::restatements::RestatementsPage::new(figures.clone())),
        services: Arc::new(pages::services::ServicesPage::new(figures.clone())),
        service: Arc::new(pages::service::ServicePage::new(figures.clone())),
        import: Arc::new(pages::import::ImportPage::new(db.clone(), ingestion.clone())),
        readiness: Arc::new(pages::readiness::ReadinessPage::new(figures.clone(), ingestion.clone())),
        oncall: Arc::new(pages::oncall::OncallPage::new(figures.clone())),
        waivers: Arc::new(pages::waivers::WaiversPage::new(figures.clone(), ingestion.clone(), state.notifier.clone())),
        campaigns: Arc::new(pages::campaigns::CampaignsPage::new(figures.clone())),
        notifications: Arc::new(pages::notifications::NotificationsPage::new(state.notifier.clone())),
        access: Arc::new(pages::access::AccessPage::new(db.clone())),
        tokens: Arc::new(pages::tokens::TokensPage::new(
            db.clone(),
            state.token_limiter.clone(),
            state.trusted_proxies.clone(),
        )),
        audit: Arc::new(pages::audit::AuditPage::new(db.clone(), state.checkpoints.clone())),
        evidence: Arc::new(pages::evidence::EvidencePage::new(figures.clone())),
        samples: Arc::new(pages::samples::SamplesPage::new(db.clone(), figures.calendar)),
        jobs: Arc::new(pages::jobs::JobsPage::new(state.jobs.clone())),
        shifted_clock: crate::clock_shift().map(|_| crate::clock_now as fn() -> chrono::DateTime<chrono::Utc>),
    }
}

/// The quarterly report's page (and, with a `.pdf` suffix, its PDF).
const REPORT_PATH: &str = "/reports/{period}";

pub fn router(state: AppState, request_timeout: Duration) -> Router {
    let ports = ports(&state);
    // `/reports/{period}` is the HTML report and, with `.pdf`, the PDF: one axum route.
    let (report_page, route_list): (Vec<_>, Vec<_>) =
        page_routes().into_iter().partition(|route| route.path() == REPORT_PATH);
    let render_report = {
        let ports = ports.clone();
        let options = state.leptos_options.clone();
        leptos_axum::render_route_with_context::<AppState, _>(
            report_page,
            move || provide_context(ports.clone()),
            move || shell(options.clone()),
        )
    };
    let report_route = axum::routing::get(
        move |State(state): State<AppState>, Path(period): Path<String>, request: Request<axum::body::Body>| {
            let render = render_report.clone();
            async move {
                match period.strip_suffix(".pdf") {
                    Some(period) => routes::reports::pdf(&state, period).await,
                    None => render(State(state), request).await,
                }
            }
        },
    );
    let options = state.leptos_options.clone();
    let request_id = HeaderName::from_static("x-request-id");
    // Only over TLS does HSTS mean anything; a plain-http deployment must not be told to upgrade.
    let hsts = if state.session_policy.secure_cookies {
        Some(HeaderValue::from_static("max-age=31536000; includeSubDomains"))
    } else {
        None
    };
    Router::new()
        .merge(routes::api_router())
        .route(REPORT_PATH, report_route)
        .leptos_routes_with_context(
            &state,
            route_list,
            move || provide_context(ports.clone()),
            move || shell(options.clone()),
        )
        // The gate covers every route above (not the static-file fallback, which is public).
        .route_layer(axum::middleware::from_fn_with_state(state.clone(), crate::routes::middleware::authorize))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Inside the router, so each route's pattern is known.
        .layer(axum::middleware::from_fn(crate::routes::middleware::measure))
        .layer(axum::middleware::from_fn_with_state(state.clone(), crate::routes::middleware::loopback_host_only))
        .layer(axum::middleware::from_fn(crate::routes::middleware::refuse_nul_in_url))
        .layer(axum::middleware::from_fn(crate::server_fns::refuse_nul_arguments))
        .layer(axum::middleware::from_fn(crate::server_fns::error_status))
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, request_timeout))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-content-type-options"),
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("referrer-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        ))
        // Pages set their own policy with a script nonce; everything else (JSON, the sign-in
        // pages, static files) gets one that allows no script at all.
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(
                "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; \
                 frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(HeaderName::from_static("strict-transport-security"), hsts))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %request.method(), uri = %request.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    timeouts: crate::serve::ConnectionTimeouts,
    jobs: crate::jobs::Jobs,
    /// Job workers to run beside the server (`PLUMBLINE_WORKERS`).
    workers: usize,
}

impl Application {
    pub async fn build(settings: &ServeSettings, db: DatabaseConnection) -> std::io::Result<Self> {
        let listener = TcpListener::bind(settings.addr).await?;
        let mut settings = settings.clone();
        settings.addr = listener.local_addr()?;
        let policy = crate::settings::load_policy(settings.policy_file.as_deref())?;
        let ingestion = Ingestion::new(
            db.clone(),
            settings.max_body_bytes,
            settings.adapter_limits.clone(),
            policy.self_assessment_items(),
        );
        let recompute_db = crate::db::connect_background(&settings.database, &db).await;
        let figures = Figures::new(db.clone(), policy, settings.calendar)
            .spacing_recomputes(settings.recompute_spacing)
            .recomputing_through(recompute_db);
        let public_url = settings.notify.public_url.clone().unwrap_or_else(|| format!("http://{}", settings.addr));
        let notifier = crate::notify::Notifier::new(figures.clone(), settings.notify.mailer()?, public_url)?;
        let checkpoints = settings.evidence.checkpoints()?;
        let jobs = crate::jobs::builtin::standard(
            db.clone(),
            notifier.clone(),
            checkpoints.clone(),
            settings.prometheus.clone(),
            ingestion.clone(),
        );
        // After an import the current figures are recomputed in the background.
        let ingestion = {
            let jobs = jobs.clone();
            ingestion.on_applied(move |kind| {
                jobs.request(crate::jobs::builtin::WARM_FIGURES);
                // A newly named source is filled at once, not at the next hourly slot.
                if kind == app::domain::ingest::RecordKind::Slos {
                    jobs.request(crate::prometheus::PULL_PROMETHEUS);
                }
            })
        };
        let assets = Arc::new(crate::assets::Assets::load(&settings.site_root));
        let state = AppState {
            leptos_options: leptos_options(&settings, assets.name()),
            assets,
            db,
            ingestion,
            jobs: jobs.clone(),
            figures,
            auth: settings.auth.clone(),
            session_policy: settings.session_policy,
            public_origin: settings.public_origin.clone(),
            token_limiter: Arc::new(crate::auth::rate_limit::RateLimiter::new("token", 20, Duration::from_secs(60))),
            trusted_proxies: Arc::new(settings.trusted_proxies.clone()),
            alertmanager: settings.alertmanager.clone(),
            notifier,
            checkpoints,
        };
        let router = router(state, Duration::from_secs(settings.request_timeout_secs));
        Ok(Application { listener, router, timeouts: settings.connection_timeouts, jobs, workers: settings.workers })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves (and runs job workers) until `shutdown` resolves, then lets in-flight requests
    /// and running jobs finish.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let workers = self.jobs.start(self.workers, stopped);
        if self.workers > 0 {
            // The first reader after a start is not the one to compute the current figures.
            self.jobs.request(crate::jobs::builtin::WARM_FIGURES);
        }
        let result = crate::serve::serve(self.listener, self.router, self.timeouts, shutdown).await;
        let _ = stop.send(true);
        crate::jobs::wait_for(workers).await;
        result
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
