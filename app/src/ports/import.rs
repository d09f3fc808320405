//! The import page's port: uploads and the import history.

use crate::api::{ImportHistory, ImportOutcome, ImportUpload};
use crate::domain::access::Principal;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait ImportPort: Send + Sync {
    async fn import(&self, principal: Principal, upload: ImportUpload) -> Result<ImportOutcome, AppError>;
    async fn history(&self, principal: Principal, before: Option<i64>) -> Result<ImportHistory, AppError>;
}
