//! The self-assessment page's port.

use crate::api::TeamReadiness;
use crate::domain::access::Principal;
use crate::domain::scorecard::ReadinessAnswer;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait ReadinessPort: Send + Sync {
    async fn team(&self, principal: Principal, team: String) -> Result<TeamReadiness, AppError>;
    async fn answer(
        &self,
        principal: Principal,
        service: String,
        item: String,
        answer: ReadinessAnswer,
        evidence_url: Option<String>,
        comment: Option<String>,
    ) -> Result<(), AppError>;
    async fn sign_off(&self, principal: Principal, service: String, item: String) -> Result<(), AppError>;
}
