//! The restatements page's port.

use crate::api::RestatementsView;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait RestatementsPort: Send + Sync {
    async fn restatements(&self, period: String) -> Result<RestatementsView, AppError>;
}
