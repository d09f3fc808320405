//! The quarterly report page's port.

use crate::api::ReportView;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait ReportPort: Send + Sync {
    async fn report(&self, period: String) -> Result<ReportView, AppError>;
}
