//! Server functions (a public HTTP API like any other: thin, calling server-side ports) and
//! the data they return.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// What the home page shows until the KPI pages land: how much data there is, and whether it
/// is the generated demo organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub counts: Vec<KindCount>,
    pub demo_data: bool,
    pub last_import: Option<ImportSummary>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindCount {
    pub kind: String,
    pub label: String,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportSummary {
    pub kind: String,
    pub source: String,
    pub at: String,
    pub received: u64,
}

#[server(endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, AppError> {
    crate::ssr::overview_source()?.overview().await
}
