//! The Evidence page's port: the control tests of a window.

use crate::api::ControlTestsView;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait EvidencePort: Send + Sync {
    /// The control tests of `from`..=`to`; both omitted means the last closed quarter.
    async fn control_tests(&self, from: Option<String>, to: Option<String>) -> Result<ControlTestsView, AppError>;
}
