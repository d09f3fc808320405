//! The sample reviews page's port.

use crate::api::SamplesView;
use crate::domain::access::Principal;
use crate::domain::evidence::samples::SampleForm;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait SamplesPort: Send + Sync {
    async fn list(&self) -> Result<SamplesView, AppError>;
    /// Draws a sample as `principal` (an audit event); its id.
    async fn create(&self, principal: Principal, form: SampleForm) -> Result<i64, AppError>;
    /// Records a review as `principal` (an audit event).
    async fn review(&self, principal: Principal, item: i64, status: String, comment: String) -> Result<(), AppError>;
}
