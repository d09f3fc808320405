//! The waivers page's port (and the waiver panel of the service page).

use crate::api::{ServiceWaivers, WaiverDecision, WaiverRequests};
use crate::domain::access::Principal;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait WaiversPort: Send + Sync {
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
    async fn decide(
        &self,
        principal: Principal,
        id: i64,
        decision: WaiverDecision,
        note: String,
    ) -> Result<(), AppError>;
}
