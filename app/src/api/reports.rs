//! The reports index: every recent quarter with the state of its report.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Where a quarter's report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportState {
    /// The quarter is still running: its report is a draft whose figures still move.
    Open,
    /// The quarter has ended and no one has published it: a draft computed on each request.
    Draft,
    /// Published: the report is frozen as it was then.
    Published,
    /// Published, and records imported or corrected since give other headline figures.
    PublishedLiveDiffers,
}

impl ReportState {
    pub fn label(self) -> &'static str {
        match self {
            ReportState::Open => "open",
            ReportState::Draft => "draft",
            ReportState::Published => "published",
            ReportState::PublishedLiveDiffers => "published, live figures differ",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportRow {
    pub period: String,
    /// First and last day, inclusive.
    pub from: String,
    pub to: String,
    pub state: ReportState,
    /// When and by whom, for a published report.
    pub published: Option<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportsView {
    /// Newest first.
    pub quarters: Vec<ReportRow>,
}

#[server(endpoint = "reports")]
pub async fn get_reports() -> Result<ReportsView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "reports")?;
    ports.reports.reports().await
}
