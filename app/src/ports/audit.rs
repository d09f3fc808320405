//! The audit log page's port.

use crate::api::{AuditQuery, AuditView};
use crate::error::AppError;

#[async_trait::async_trait]
pub trait AuditPort: Send + Sync {
    async fn events(&self, query: AuditQuery) -> Result<AuditView, AppError>;
}
