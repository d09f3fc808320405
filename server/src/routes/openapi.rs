//! `GET /api/v1/openapi.json`: the REST API described as OpenAPI 3.1, generated from the
//! handlers' `#[utoipa::path]` attributes and the request and response types. A test checks
//! that every route of [`super::route_specs`] is in it; CI lints it with Redocly's linter.

use axum::Json;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Plumbline REST API",
        description = "Reliability records in, KPIs, scorecards, snapshots, audit trail and evidence out. \
            Errors are RFC 9457 problem documents. Sign in with the browser (session cookie) or send \
            an API token as `Authorization: Bearer plb_…`.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    servers((url = "/", description = "This Plumbline")),
    paths(
        super::health::live,
        super::health::ready,
        super::metrics::scrape,
        crate::assets::serve,
        crate::auth::oidc::login,
        crate::auth::oidc::callback,
        super::identity::logout,
        super::identity::signed_out,
        super::notifications::confirm_unsubscribe,
        super::notifications::unsubscribe,
        super::notifications::calendar,
        super::identity::me,
        super::identity::list_tokens,
        super::identity::create_token,
        super::identity::revoke_token,
        super::identity::list_users,
        super::identity::grant_role,
        super::identity::disable_user,
        super::identity::enable_user,
        super::identity::revoke_grant,
        super::kpis::get_kpis,
        super::kpis::get_trend,
        super::kpis::get_rollups,
        super::kpis::get_population,
        super::kpis::get_population_csv,
        super::kpis::get_scorecards,
        super::kpis::get_service_scorecard,
        super::history::service_history,
        super::history::movers,
        super::forecast::forecast,
        super::forecast::team_calendar,
        super::campaigns::list_campaigns,
        super::campaigns::get_campaign,
        super::campaigns::create_campaign,
        super::snapshots::list,
        super::snapshots::publish,
        super::snapshots::get,
        super::snapshots::restatements,
        super::audit::list,
        super::audit::verify,
        super::audit::export,
        super::audit::checkpoints,
        super::evidence::download,
        super::evidence::public_key,
        super::evidence::control_tests,
        super::jobs::list,
        super::jobs::retry,
        super::list::list_records,
        super::ingest::post_records,
        super::alertmanager::receive,
        document,
    ),
    tags(
        (name = "records", description = "Import and list records (docs/ingestion.md, docs/data-model.md)"),
        (name = "kpis", description = "KPIs of a period and scope (docs/kpis.md)"),
        (name = "scorecards", description = "Scorecards under the policy in force (docs/scorecard-policy.md)"),
        (name = "campaigns", description = "Dated goals for sets of services (docs/campaigns.md)"),
        (name = "notifications", description = "Notification subscriptions (docs/notifications.md)"),
        (name = "snapshots", description = "Published periods (docs/reports.md)"),
        (name = "audit", description = "The audit trail"),
        (name = "evidence", description = "Audit evidence packs (docs/evidence-pack.md)"),
        (name = "jobs", description = "Background jobs (docs/operations.md)"),
        (name = "operations", description = "Metrics for monitoring, and the site's files (docs/operations.md)"),
        (name = "identity", description = "Sign-in, tokens, users and roles (docs/access-and-audit.md)"),
        (name = "health", description = "Liveness and readiness"),
    ),
    modifiers(&Security)
)]
pub struct ApiDoc;

/// The two ways to authenticate, and both required by default (health and sign-in routes are
/// public; see docs/access-and-audit.md for which access each route needs).
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("plb_…").build()),
        );
        components.add_security_scheme(
            "session",
            // `__Host-plumbline_session` over https.
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
        openapi.security = Some(vec![
            utoipa::openapi::security::SecurityRequirement::new("token", Vec::<String>::new()),
            utoipa::openapi::security::SecurityRequirement::new("session", Vec::<String>::new()),
        ]);
    }
}

/// The document, built once.
pub fn description() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: std::sync::OnceLock<utoipa::openapi::OpenApi> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(ApiDoc::openapi)
}

#[utoipa::path(get, path = "/api/v1/openapi.json", operation_id = "get_openapi", summary = "This OpenAPI description", tag = "health", security(()),
    responses((status = 200, description = "This description", body = Object)))]
pub async fn document() -> Json<&'static utoipa::openapi::OpenApi> {
    Json(description())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_route_of_the_route_table_is_described() {
        let document = super::description();
        let missing: Vec<String> = super::super::route_specs()
            .iter()
            .filter(|spec| {
                let Some(item) = document.paths.paths.get(spec.path) else { return true };
                let operation = match spec.method.as_str() {
                    "GET" => &item.get,
                    "POST" => &item.post,
                    "DELETE" => &item.delete,
                    _ => return true,
                };
                operation.is_none()
            })
            .map(|spec| format!("{} {}", spec.method, spec.path))
            .collect();
        assert!(missing.is_empty(), "routes missing from the OpenAPI description: {missing:?}");
    }

    #[test]
    fn the_description_is_openapi_3_1() {
        let json = serde_json::to_value(super::description()).unwrap_or_default();
        assert_eq!(json["openapi"], "3.1.0");
    }
}
