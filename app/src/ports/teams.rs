//! The teams index's port.

use crate::api::TeamsView;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait TeamsPort: Send + Sync {
    async fn teams(&self, period: Option<String>) -> Result<TeamsView, AppError>;
}
