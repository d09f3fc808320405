//! The overview page's port: the organisation's figures for a period, and the data summary.

use crate::api::{OrgOverview, Overview};
use crate::error::AppError;

#[async_trait::async_trait]
pub trait OverviewPort: Send + Sync {
    async fn org(&self, period: Option<String>) -> Result<OrgOverview, AppError>;
    /// How much data there is, and whether it is the demo organisation.
    async fn data_summary(&self) -> Result<Overview, AppError>;
}
