//! The services list's port.

use crate::api::{ServicesQuery, ServicesView};
use crate::error::AppError;

#[async_trait::async_trait]
pub trait ServicesPort: Send + Sync {
    async fn services(&self, query: ServicesQuery) -> Result<ServicesView, AppError>;
}
