//! The jobs page's port.

use crate::api::JobsView;
use crate::domain::access::Principal;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait JobsPort: Send + Sync {
    async fn jobs(&self) -> Result<JobsView, AppError>;
    /// Queues a failed or dead job again, as `principal` (an audit event).
    async fn retry(&self, principal: Principal, id: i64) -> Result<(), AppError>;
}
