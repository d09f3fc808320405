//! The import page's data: a file uploaded for a record kind, checked (dry run) or applied
//! through the same ingestion path as `POST /api/v1/{kind}`, and the history of import batches.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use crate::domain::ingest::RecordKind;
use crate::error::AppError;

/// A file to import. The browser reads it; the server decodes it as `format` (`csv`, `json`,
/// `ndjson`, or an adapter: `openslo`, `statuspage`, `pagerduty`), or, when `format` is empty,
/// as the file's content and name suggest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportUpload {
    pub kind: RecordKind,
    pub source: String,
    pub file_name: String,
    pub format: String,
    pub content: String,
    pub dry_run: bool,
    /// Adapter options, as typed (`key=value,key=value`); empty when unused.
    #[serde(default)]
    pub severity_map: String,
    #[serde(default)]
    pub service_map: String,
    #[serde(default)]
    pub column_map: String,
    #[serde(default)]
    pub team: String,
    /// PagerDuty: the zone of timestamps without an offset in a file that names none.
    #[serde(default)]
    pub time_zone: String,
    /// OpenSLO: the Prometheus server an SLI's ratioMetric queries are pulled from.
    #[serde(default)]
    pub prometheus_url: String,
}

/// One problem in a row, as the preview table lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportOutcome {
    pub dry_run: bool,
    /// Every row is valid: a dry run may be applied; an applied import was written.
    pub accepted: bool,
    pub kind: RecordKind,
    pub file_name: String,
    pub format: String,
    pub received: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub error_count: u64,
    /// The first problems found (all of them up to the ingestion's own cap).
    pub errors: Vec<RowProblem>,
    /// Why the whole file was refused (unreadable format, records of another team).
    pub refusal: Option<String>,
    /// The applied import's batch.
    pub batch_id: Option<i64>,
    /// What an adapter ignored, assumed or created.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// One import batch in the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRow {
    pub id: i64,
    pub started_at: String,
    pub actor: String,
    pub kind: String,
    pub source: String,
    pub format: String,
    pub file_name: Option<String>,
    pub sha256: String,
    pub received: i64,
    pub created: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportHistory {
    pub rows: Vec<BatchRow>,
    /// The id to continue before, when there are older batches.
    pub next: Option<i64>,
    /// Whether the caller may import (the form is offered only then).
    pub can_import: bool,
}

#[server(endpoint = "import", input = Json)]
pub async fn import_file(upload: ImportUpload) -> Result<ImportOutcome, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Ingest, "importing records")?;
    ports.import.import(principal, upload).await
}

#[server(endpoint = "import_history")]
pub async fn get_import_history(before: Option<i64>) -> Result<ImportHistory, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Read, "the import history")?;
    ports.import.history(principal, before).await
}
