//! The quarterly report page's port.

use crate::api::ReportView;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait ReportPort: Send + Sync {
    /// The report of `period`; `admin`: whether the viewer may publish it.
    async fn report(&self, period: String, admin: bool) -> Result<ReportView, AppError>;
    /// Publishes the ended quarter `period` as `actor` (an audit event).
    async fn publish(&self, period: String, actor: String) -> Result<(), AppError>;
}
