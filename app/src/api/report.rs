//! The quarterly executive report page (the PDF is a REST route of its own).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A quarter's executive report and whether it is published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub report: crate::domain::report::QuarterlyReport,
    pub publication: crate::domain::report::Publication,
}

#[server(endpoint = "report")]
pub async fn get_report(period: String) -> Result<ReportView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "reports")?;
    ports.report.report(period).await
}
