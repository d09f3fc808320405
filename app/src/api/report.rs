//! The quarterly executive report page (the PDF is a REST route of its own).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A quarter's executive report and whether it is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub report: crate::domain::report::QuarterlyReport,
    pub publication: crate::domain::report::Publication,
    /// The viewer is an admin and the quarter is an unpublished, ended one.
    #[serde(default)]
    pub can_publish: bool,
    /// The figures computed now (a draft's, or the live ones a published report is compared
    /// with) are outdated: newer ones, with data imported since, are being computed.
    #[serde(default)]
    pub recomputing: bool,
}

#[server(endpoint = "report")]
pub async fn get_report(period: String) -> Result<ReportView, AppError> {
    use crate::domain::access::Access;
    let (principal, ports) = crate::ports::enter(Access::Read, "reports")?;
    ports.report.report(period, principal.allows(Access::Admin)).await
}

/// Publishes an ended quarter (admins only): its report and figures are frozen for good, so the
/// caller must confirm it.
#[server(endpoint = "publish_report")]
pub async fn publish_report(period: String, confirmed: bool) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "publishing reports")?;
    if !confirmed {
        return Err(AppError::Invalid(format!(
            "Confirm that {period} should be published: a published report never changes."
        )));
    }
    ports.report.publish(period, principal.actor()).await
}
