//! Server functions (a public HTTP API like any other: thin, calling server-side ports) and
//! the data they return.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod access;
mod import;
mod overview;
mod readiness;
mod service;
mod waivers;
pub use access::*;
pub use import::*;
pub use overview::*;
pub use readiness::*;
pub use service::*;
pub use waivers::*;

/// The data summary under the overview: how much data there is, and whether it
/// is the generated demo organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub counts: Vec<KindCount>,
    pub demo_data: bool,
    pub last_import: Option<ImportSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub kind: String,
    pub source: String,
    pub at: String,
    pub received: u64,
}

/// Who is looking, for the page header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Viewer {
    pub name: String,
    /// The highest role held, if any.
    pub role: Option<String>,
    /// Local mode: no identity provider, the single local admin.
    pub local_mode: bool,
    /// The server's clock, when it was moved for a demo or test (`PLUMBLINE_CLOCK_AT`).
    pub shifted_clock: Option<String>,
}

#[server(endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    use crate::domain::access::{Principal, PrincipalId};
    let principal =
        use_context::<http::request::Parts>().and_then(|parts| parts.extensions.get::<Principal>().cloned());
    let shifted_clock = use_context::<crate::ssr::Ports>()
        .and_then(|ports| ports.shifted_clock)
        .map(|now| now().format("%Y-%m-%d %H:%M UTC").to_string());
    Ok(principal.map(|p| Viewer {
        name: p.name.clone(),
        role: p.primary_role().map(|r| r.as_str().to_owned()),
        local_mode: p.id == PrincipalId::Local,
        shifted_clock,
    }))
}

/// Filters of the audit log page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Show events after this sequence number (paging).
    pub after: Option<i64>,
}

/// One audit event as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub details: String,
    pub hash: String,
}

/// A page of the audit log with the chain's head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    pub rows: Vec<AuditRow>,
    pub next: Option<i64>,
    pub head_seq: i64,
    pub head_hash: String,
}

#[server(endpoint = "audit_events")]
pub async fn get_audit_events(query: AuditQuery) -> Result<AuditView, AppError> {
    crate::ssr::require(crate::domain::access::Access::Audit, "the audit log")?;
    crate::ssr::audit_source()?.events(query).await
}

#[server(endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    crate::ssr::require(crate::domain::access::Access::Read, "the data summary")?;
    crate::ssr::overview_source()?.overview().await
}

/// The services list as the URL asks for it (every field straight from the query string, so a
/// view can be linked; the server validates).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServicesQuery {
    pub period: Option<String>,
    pub team: Option<String>,
    pub tier: Option<String>,
    pub level: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub desc: Option<String>,
    pub page: Option<String>,
}

/// One page of the services list for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicesView {
    pub period: String,
    pub policy_version: String,
    pub page: crate::domain::scorecard::listing::ServicePage,
    /// Every team with an active service, for the filter.
    pub teams: Vec<String>,
}

#[server(endpoint = "services")]
pub async fn get_services(query: ServicesQuery) -> Result<ServicesView, AppError> {
    crate::ssr::require(crate::domain::access::Access::Read, "the services list")?;
    crate::ssr::services_source()?.services(query).await
}
