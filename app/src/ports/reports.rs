//! The reports index's port.

use crate::api::ReportsView;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait ReportsPort: Send + Sync {
    async fn reports(&self) -> Result<ReportsView, AppError>;
}
