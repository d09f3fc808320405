//! The KPI index's port.

use crate::api::KpisView;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait KpisPort: Send + Sync {
    async fn kpis(&self, period: Option<String>, scope: Option<String>) -> Result<KpisView, AppError>;
}
