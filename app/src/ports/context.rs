//! How a server function reaches its port: [`enter`] checks the caller's access (again — the
//! route gate checked it first, so a route-table mistake cannot open a function) and hands out
//! the ports the server provided as context for this request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use leptos::prelude::use_context;

use super::{
    AccessPort, AuditPort, CampaignsPort, DrillDownPort, EvidencePort, ImportPort, JobsPort, KpisPort,
    NotificationsPort, OncallPort, OverviewPort, ReadinessPort, ReportPort, ReportsPort, RestatementsPort, SamplesPort,
    ServicePort, ServicesPort, TeamPort, TeamsPort, TokensPort, WaiversPort,
};
use crate::domain::access::{Access, Principal};
use crate::error::AppError;

/// Everything the pages need from the server, provided once per request as context.
#[derive(Clone)]
pub struct Ports {
    pub overview: Arc<dyn OverviewPort>,
    pub team: Arc<dyn TeamPort>,
    pub teams: Arc<dyn TeamsPort>,
    pub drill_down: Arc<dyn DrillDownPort>,
    pub kpis: Arc<dyn KpisPort>,
    pub report: Arc<dyn ReportPort>,
    pub reports: Arc<dyn ReportsPort>,
    pub restatements: Arc<dyn RestatementsPort>,
    pub services: Arc<dyn ServicesPort>,
    pub service: Arc<dyn ServicePort>,
    pub import: Arc<dyn ImportPort>,
    pub readiness: Arc<dyn ReadinessPort>,
    pub oncall: Arc<dyn OncallPort>,
    pub waivers: Arc<dyn WaiversPort>,
    pub campaigns: Arc<dyn CampaignsPort>,
    pub notifications: Arc<dyn NotificationsPort>,
    pub access: Arc<dyn AccessPort>,
    pub tokens: Arc<dyn TokensPort>,
    pub audit: Arc<dyn AuditPort>,
    pub evidence: Arc<dyn EvidencePort>,
    pub samples: Arc<dyn SamplesPort>,
    pub jobs: Arc<dyn JobsPort>,
    /// The server's clock when `PLUMBLINE_CLOCK_AT` moved it (local mode), for the banner.
    pub shifted_clock: Option<fn() -> chrono::DateTime<chrono::Utc>>,
}

/// The caller resolved by the server's authorization gate, if any.
pub fn caller() -> Option<Principal> {
    use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<Principal>().cloned())
}

/// The ports of this request, when the server provided them (the not-found fallback renders
/// pages without them).
pub fn provided() -> Option<Ports> {
    use_context::<Ports>()
}

/// The first line of every server function: the caller if they hold `access` (else
/// [`AppError::Forbidden`] naming `what`), and the ports to call.
pub fn enter(access: Access, what: &str) -> Result<(Principal, Ports), AppError> {
    let principal =
        caller().filter(|principal| principal.allows(access)).ok_or_else(|| AppError::Forbidden(what.to_owned()))?;
    let ports = provided().ok_or_else(|| AppError::internal("server functions", &"Ports missing from context"))?;
    Ok((principal, ports))
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
