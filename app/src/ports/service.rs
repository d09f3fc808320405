//! The service page's port.

use crate::api::ServiceView;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait ServicePort: Send + Sync {
    async fn service(&self, slug: String, period: Option<String>) -> Result<ServiceView, AppError>;
}
