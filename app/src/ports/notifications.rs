//! The notifications page's port.

use crate::api::{FollowState, NotificationsView};
use crate::domain::access::Principal;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait NotificationsPort: Send + Sync {
    async fn view(&self, principal: Principal) -> Result<NotificationsView, AppError>;
    async fn subscribe(
        &self,
        principal: Principal,
        team: String,
        channel: String,
        target: String,
    ) -> Result<(), AppError>;
    async fn end(&self, principal: Principal, id: i64) -> Result<(), AppError>;
    async fn follow_state(&self, principal: Principal, team: String) -> Result<FollowState, AppError>;
    async fn follow(&self, principal: Principal, team: String, follow: bool) -> Result<(), AppError>;
}
