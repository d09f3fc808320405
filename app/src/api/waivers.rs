//! Waiver requests: a team asks to waive one of its service's failing checks until a day; an
//! admin who did not ask approves it (it becomes an exemption: the check shows as *waived*
//! until it expires, on the service page and in reports) or rejects it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::scorecard::waiver::RequestStatus;
use crate::error::AppError;

/// One request as the pages list it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiverRequestView {
    pub id: i64,
    pub service: String,
    pub check: String,
    pub check_title: String,
    pub reason: String,
    /// The waiver's last day (it ends at the following midnight, UTC).
    pub last_day: String,
    pub requested_by: String,
    pub requested_at: String,
    pub status: RequestStatus,
    /// Approved, and its last day has passed: the check is no longer waived.
    pub ended: bool,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
    /// The viewer may approve or reject it (an admin who did not ask, while it is pending).
    pub can_decide: bool,
}

/// A check the viewer may ask to waive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaivableCheck {
    pub id: String,
    pub title: String,
    /// `fail` or `no_data`.
    pub status: String,
}

/// The waiver section of a service page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceWaivers {
    pub service: String,
    /// Failing checks of the current period without a pending request; empty when the viewer
    /// may not ask for this service.
    pub waivable: Vec<WaivableCheck>,
    pub requests: Vec<WaiverRequestView>,
    /// The earliest day a waiver may end on (tomorrow, UTC), and the latest.
    pub earliest_day: String,
    pub latest_day: String,
}

/// Every request, pending first, for the waivers page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WaiverRequests {
    pub pending: Vec<WaiverRequestView>,
    pub decided: Vec<WaiverRequestView>,
    pub viewer_is_admin: bool,
}

#[server(endpoint = "service_waivers")]
pub async fn get_service_waivers(service: String) -> Result<ServiceWaivers, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Read, "waiver requests")?;
    ports.waivers.service(principal, service).await
}

#[server(endpoint = "waiver_requests")]
pub async fn get_waiver_requests() -> Result<WaiverRequests, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Read, "waiver requests")?;
    ports.waivers.all(principal).await
}

#[server(endpoint = "request_waiver")]
pub async fn request_waiver(service: String, check: String, reason: String, last_day: String) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Ingest, "requesting a waiver")?;
    ports.waivers.request(principal, service, check, reason, last_day).await
}

/// What an admin decides on a waiver request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WaiverDecision {
    Approve,
    Reject,
}

#[server(endpoint = "decide_waiver")]
pub async fn decide_waiver(id: i64, decision: WaiverDecision, note: Option<String>) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "deciding on waiver requests")?;
    ports.waivers.decide(principal, id, decision, note.unwrap_or_default()).await
}
