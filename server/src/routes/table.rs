//! The route table: every REST route once, with the access it requires; the router is built
//! from it and the gate reads it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use app::domain::access::Access;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post};

use super::{
    alertmanager, audit, campaigns, evidence, forecast, health, history, identity, ingest, jobs, kpis, list, metrics,
    notifications, openapi, snapshots,
};
use crate::auth;
use crate::state::AppState;

/// One REST route and what it requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: Method,
    /// The axum path pattern, e.g. `/api/v1/{kind}`.
    pub path: &'static str,
    pub access: Access,
}

struct ApiRoute {
    spec: RouteSpec,
    handler: MethodRouter<AppState>,
}

fn route<H, T>(
    method: Method,
    path: &'static str,
    access: Access,
    handler: H,
    wrap: fn(H) -> MethodRouter<AppState>,
) -> ApiRoute
where
    H: Handler<T, AppState>,
    T: 'static,
{
    ApiRoute { spec: RouteSpec { method, path, access }, handler: wrap(handler) }
}

macro_rules! routes {
    ($($method:ident $path:literal $access:ident => $handler:expr),+ $(,)?) => {
        vec![$(route(
            Method::$method,
            $path,
            Access::$access,
            $handler,
            routes!(@wrap $method),
        )),+]
    };
    (@wrap GET) => { get };
    (@wrap POST) => { post };
    (@wrap DELETE) => { delete };
}

fn api_routes() -> Vec<ApiRoute> {
    routes![
        GET "/healthz" Public => health::live,
        GET "/readyz" Public => health::ready,
        GET "/metrics" Metrics => metrics::scrape,
        GET "/pkg/{file}" Public => crate::assets::serve,
        GET "/auth/login" Public => auth::oidc::login,
        GET "/auth/callback" Public => auth::oidc::callback,
        POST "/auth/logout" Public => identity::logout,
        GET "/auth/signed-out" Public => identity::signed_out,
        GET "/unsubscribe/{token}" Public => notifications::confirm_unsubscribe,
        POST "/unsubscribe/{token}" Public => notifications::unsubscribe,
        GET "/calendar/{token}" Public => notifications::calendar,
        GET "/api/v1/openapi.json" Public => openapi::document,
        GET "/api/v1/me" SignedIn => identity::me,
        GET "/api/v1/tokens" Person => identity::list_tokens,
        POST "/api/v1/tokens" Person => identity::create_token,
        DELETE "/api/v1/tokens/{id}" Person => identity::revoke_token,
        GET "/api/v1/users" Admin => identity::list_users,
        POST "/api/v1/users/{id}/grants" Admin => identity::grant_role,
        POST "/api/v1/users/{id}/disable" Admin => identity::disable_user,
        POST "/api/v1/users/{id}/enable" Admin => identity::enable_user,
        DELETE "/api/v1/grants/{id}" Admin => identity::revoke_grant,
        GET "/api/v1/kpis" Read => kpis::get_kpis,
        GET "/api/v1/kpis/trend" Read => kpis::get_trend,
        GET "/api/v1/kpis/rollups" Read => kpis::get_rollups,
        GET "/api/v1/kpis/{kpi}/population" Read => kpis::get_population,
        GET "/api/v1/kpis/{kpi}/population.csv" Read => kpis::get_population_csv,
        GET "/api/v1/scorecards" Read => kpis::get_scorecards,
        GET "/api/v1/services/{slug}/scorecard" Read => kpis::get_service_scorecard,
        GET "/api/v1/services/{slug}/history" Read => history::service_history,
        GET "/api/v1/scorecards/movers" Read => history::movers,
        GET "/api/v1/forecast" Read => forecast::forecast,
        GET "/api/v1/teams/{slug}/forecast.ics" Read => forecast::team_calendar,
        GET "/api/v1/campaigns" Read => campaigns::list_campaigns,
        POST "/api/v1/campaigns" Admin => campaigns::create_campaign,
        GET "/api/v1/campaigns/{slug}" Read => campaigns::get_campaign,
        GET "/api/v1/snapshots" Read => snapshots::list,
        POST "/api/v1/snapshots" Admin => snapshots::publish,
        GET "/api/v1/snapshots/{period}" Read => snapshots::get,
        GET "/api/v1/snapshots/{period}/restatements" Read => snapshots::restatements,
        GET "/api/v1/audit" Audit => audit::list,
        GET "/api/v1/audit/verify" Audit => audit::verify,
        GET "/api/v1/audit/export.csv" Audit => audit::export,
        GET "/api/v1/audit/checkpoints" Audit => audit::checkpoints,
        GET "/api/v1/evidence" Audit => evidence::download,
        GET "/api/v1/evidence/public-key" Public => evidence::public_key,
        GET "/api/v1/evidence/control-tests" Audit => evidence::control_tests,
        GET "/api/v1/jobs" Admin => jobs::list,
        POST "/api/v1/jobs/{id}/retry" Admin => jobs::retry,
        POST "/api/v1/alertmanager" Ingest => alertmanager::receive,
        GET "/api/v1/{kind}" Read => list::list_records,
        POST "/api/v1/{kind}" Ingest => ingest::post_records,
    ]
}

/// Every REST route with its access rule (for the gate, and for tests that must cover them all).
pub fn route_specs() -> &'static [RouteSpec] {
    static SPECS: OnceLock<Vec<RouteSpec>> = OnceLock::new();
    SPECS.get_or_init(|| api_routes().into_iter().map(|r| r.spec).collect())
}

/// Pages and server functions that need more than read access (the rest need read access).
pub const PAGE_AND_FUNCTION_ACCESS: &[(&str, Access)] = &[
    ("/audit", Access::Audit),
    ("/evidence", Access::Audit),
    ("/api/audit_events", Access::Audit),
    ("/api/control_tests", Access::Audit),
    ("/samples", Access::Audit),
    ("/api/samples", Access::Audit),
    ("/api/create_sample", Access::Audit),
    ("/api/review_sample", Access::Audit),
    ("/api/import", Access::Ingest),
    ("/api/answer_readiness", Access::Ingest),
    ("/api/sign_off_readiness", Access::Ingest),
    ("/api/triage_alert", Access::Ingest),
    ("/api/triage_rule", Access::Ingest),
    ("/api/request_waiver", Access::Ingest),
    ("/api/decide_waiver", Access::Admin),
    ("/api/publish_report", Access::Admin),
    ("/api/create_campaign", Access::Admin),
    ("/api/update_campaign", Access::Admin),
    ("/access", Access::Admin),
    ("/jobs", Access::Admin),
    ("/notifications", Access::Admin),
    ("/api/notifications", Access::Admin),
    ("/api/subscribe", Access::Admin),
    ("/api/end_subscription", Access::Admin),
    ("/api/jobs", Access::Admin),
    ("/api/retry_job", Access::Admin),
    ("/api/access_users", Access::Admin),
    ("/api/grant_role", Access::Admin),
    ("/api/revoke_grant", Access::Admin),
    ("/api/set_user_disabled", Access::Admin),
    ("/tokens", Access::Person),
    ("/api/api_tokens", Access::Person),
    ("/api/create_api_token", Access::Person),
    ("/api/revoke_api_token", Access::Person),
    ("/api/follow_state", Access::Person),
    ("/api/follow_team", Access::Person),
];

/// What a request needs, by method and matched path pattern.
pub fn access_for(method: &Method, path: &str) -> Access {
    // HEAD asks what GET would answer.
    let method = if *method == Method::HEAD { &Method::GET } else { method };
    if let Some(spec) = route_specs().iter().find(|s| s.path == path && s.method == *method) {
        return spec.access;
    }
    if let Some((_, access)) = PAGE_AND_FUNCTION_ACCESS.iter().find(|(p, _)| *p == path) {
        return *access;
    }
    if (*method == Method::GET || *method == Method::POST) && path.starts_with("/api/") && !path.starts_with("/api/v1/")
    {
        // Leptos server functions: reads, with the caller checked again inside where it matters.
        return Access::Read;
    }
    if *method == Method::GET && !path.starts_with("/api/") {
        return Access::Read;
    }
    Access::Admin
}

pub fn api_router() -> Router<AppState> {
    let mut by_path: BTreeMap<&'static str, MethodRouter<AppState>> = BTreeMap::new();
    for ApiRoute { spec, handler } in api_routes() {
        let merged = match by_path.remove(spec.path) {
            Some(existing) => existing.merge(handler),
            None => handler,
        };
        by_path.insert(spec.path, merged);
    }
    by_path.into_iter().fold(Router::new(), |router, (path, handler)| router.route(path, handler))
}
