//! The team page's port.

use crate::api::TeamView;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait TeamPort: Send + Sync {
    async fn team(&self, slug: String, period: Option<String>) -> Result<TeamView, AppError>;
}
