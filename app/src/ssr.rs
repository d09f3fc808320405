//! Ports the server crate implements and provides as Leptos context, so pages reach the
//! database through services and repositories without this crate knowing SeaORM.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::use_context;

use crate::api::{
    AccessView, AuditQuery, AuditView, ImportHistory, ImportOutcome, ImportUpload, NewTokenRequest, NewTokenView,
    OrgOverview, Overview, PopulationView, ReportView, ServiceView, ServiceWaivers, ServicesQuery, ServicesView,
    TeamReadiness, TeamView, TokensView, WaiverRequests,
};
use crate::domain::access::{Access, Principal};
use crate::error::AppError;

#[async_trait::async_trait]
pub trait OverviewSource: Send + Sync {
    async fn overview(&self) -> Result<Overview, AppError>;
    async fn org(&self, period: Option<String>) -> Result<OrgOverview, AppError>;
    async fn team(&self, slug: String, period: Option<String>) -> Result<TeamView, AppError>;
    async fn population(
        &self,
        kpi: String,
        period: Option<String>,
        scope: Option<String>,
        severity: Option<String>,
    ) -> Result<PopulationView, AppError>;
    async fn report(&self, period: String) -> Result<ReportView, AppError>;
}

#[async_trait::async_trait]
pub trait ImportSource: Send + Sync {
    async fn import(&self, principal: Principal, upload: ImportUpload) -> Result<ImportOutcome, AppError>;
    async fn history(&self, principal: Principal, before: Option<i64>) -> Result<ImportHistory, AppError>;
}

#[async_trait::async_trait]
pub trait ReadinessSource: Send + Sync {
    async fn team(&self, principal: Principal, team: String) -> Result<TeamReadiness, AppError>;
    async fn answer(
        &self,
        principal: Principal,
        service: String,
        item: String,
        answer: String,
        evidence_url: Option<String>,
        comment: Option<String>,
    ) -> Result<(), AppError>;
    async fn sign_off(&self, principal: Principal, service: String, item: String) -> Result<(), AppError>;
}

#[async_trait::async_trait]
pub trait AuditSource: Send + Sync {
    async fn events(&self, query: AuditQuery) -> Result<AuditView, AppError>;
}

#[async_trait::async_trait]
pub trait ServicesSource: Send + Sync {
    async fn services(&self, query: ServicesQuery) -> Result<ServicesView, AppError>;
}

#[async_trait::async_trait]
pub trait ServiceSource: Send + Sync {
    async fn service(&self, slug: String, period: Option<String>) -> Result<ServiceView, AppError>;
}

#[async_trait::async_trait]
pub trait WaiverSource: Send + Sync {
    async fn service(&self, principal: Principal, service: String) -> Result<ServiceWaivers, AppError>;
    async fn all(&self, principal: Principal) -> Result<WaiverRequests, AppError>;
    async fn request(
        &self,
        principal: Principal,
        service: String,
        check: String,
        reason: String,
        last_day: String,
    ) -> Result<(), AppError>;
    async fn decide(&self, principal: Principal, id: i64, approve: bool, note: String) -> Result<(), AppError>;
}

#[async_trait::async_trait]
pub trait AccessSource: Send + Sync {
    async fn users(&self, admin: Principal) -> Result<AccessView, AppError>;
    async fn grant(
        &self,
        admin: Principal,
        user_id: i64,
        role: String,
        expires_on: Option<String>,
    ) -> Result<(), AppError>;
    async fn revoke_grant(&self, admin: Principal, id: i64) -> Result<(), AppError>;
    async fn set_disabled(&self, admin: Principal, user_id: i64, disabled: bool) -> Result<(), AppError>;
    async fn tokens(&self, principal: Principal) -> Result<TokensView, AppError>;
    async fn create_token(&self, principal: Principal, request: NewTokenRequest) -> Result<NewTokenView, AppError>;
    async fn revoke_token(&self, principal: Principal, id: i64) -> Result<(), AppError>;
}

/// Everything the pages need from the server, provided once per request as context.
#[derive(Clone)]
pub struct Ports {
    pub overview: Arc<dyn OverviewSource>,
    pub audit: Arc<dyn AuditSource>,
    pub services: Arc<dyn ServicesSource>,
    pub service: Arc<dyn ServiceSource>,
    pub import: Arc<dyn ImportSource>,
    pub readiness: Arc<dyn ReadinessSource>,
    pub waivers: Arc<dyn WaiverSource>,
    pub access: Arc<dyn AccessSource>,
    /// The server's clock when `PLUMBLINE_CLOCK_AT` moved it (local mode), for the banner.
    pub shifted_clock: Option<fn() -> chrono::DateTime<chrono::Utc>>,
}

pub fn access_source() -> Result<Arc<dyn AccessSource>, AppError> {
    use_context::<Ports>()
        .map(|ports| ports.access)
        .ok_or_else(|| AppError::internal("server functions", &"Ports missing from context"))
}

pub fn waiver_source() -> Result<Arc<dyn WaiverSource>, AppError> {
    use_context::<Ports>()
        .map(|ports| ports.waivers)
        .ok_or_else(|| AppError::internal("server functions", &"Ports missing from context"))
}

pub fn readiness_source() -> Result<Arc<dyn ReadinessSource>, AppError> {
    use_context::<Ports>()
        .map(|ports| ports.readiness)
        .ok_or_else(|| AppError::internal("server functions", &"Ports missing from context"))
}

pub fn import_source() -> Result<Arc<dyn ImportSource>, AppError> {
    use_context::<Ports>()
        .map(|ports| ports.import)
        .ok_or_else(|| AppError::internal("server functions", &"Ports missing from context"))
}

pub fn service_source() -> Result<Arc<dyn ServiceSource>, AppError> {
    use_context::<Ports>()
        .map(|ports| ports.service)
        .ok_or_else(|| AppError::internal("server functions", &"Ports missing from context"))
}

pub fn services_source() -> Result<Arc<dyn ServicesSource>, AppError> {
    use_context::<Ports>()
        .map(|ports| ports.services)
        .ok_or_else(|| AppError::internal("server functions", &"Ports missing from context"))
}

pub fn audit_source() -> Result<Arc<dyn AuditSource>, AppError> {
    use_context::<Ports>()
        .map(|ports| ports.audit)
        .ok_or_else(|| AppError::internal("server functions", &"Ports missing from context"))
}

/// The caller (resolved by the server's authorization gate), if they hold `access`. Server
/// functions check again here, not only at the gate, so a route table mistake cannot open one.
pub fn require(access: Access, what: &str) -> Result<Principal, AppError> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Principal>().cloned())
        .filter(|principal| principal.allows(access))
        .ok_or_else(|| AppError::Forbidden(what.to_owned()))
}

pub fn overview_source() -> Result<Arc<dyn OverviewSource>, AppError> {
    use_context::<Ports>()
        .map(|ports| ports.overview)
        .ok_or_else(|| AppError::internal("server functions", &"Ports missing from context"))
}

/// `result`, with an error's HTTP status set on the response (a server function answers 500
/// for any error otherwise).
pub fn with_status<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let (Err(error), Some(response)) = (&result, use_context::<leptos_axum::ResponseOptions>())
        && let Ok(status) = http::StatusCode::from_u16(error.status())
    {
        response.set_status(status);
    }
    result
}

static NEXT_REFERENCE: AtomicU64 = AtomicU64::new(0);

impl AppError {
    /// Logs `error` with its context and returns the opaque error the user sees.
    pub fn internal(context: &str, error: &dyn std::fmt::Display) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let sequence = NEXT_REFERENCE.fetch_add(1, Ordering::Relaxed);
        let reference = format!("E{:05x}{:04x}", nanos >> 12, sequence & 0xffff);
        tracing::error!(%reference, context, %error, "internal error");
        AppError::Internal { reference }
    }
}
