//! The audit log page: events, filtered and paged, with the chain's head.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Filters of the audit log page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Show events after this sequence number (paging).
    pub after: Option<i64>,
    /// First and last day (UTC, both included), `YYYY-MM-DD`.
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
}

/// One audit event as the page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    /// The details as stored (JSON), and the same for reading.
    pub details: String,
    pub fields: Vec<(String, String)>,
    pub hash: String,
}

/// A signed checkpoint of the chain's head, as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointRow {
    pub seq: i64,
    pub head_hash: String,
    pub at: String,
    /// `daily`, `evidence_pack` or `snapshot`.
    pub reason: String,
    /// Where its copies went outside the database.
    pub delivered: String,
}

/// A page of the audit log with the chain's head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditView {
    pub rows: Vec<AuditRow>,
    pub next: Option<i64>,
    pub head_seq: i64,
    pub head_hash: String,
    /// The newest checkpoints, newest first.
    pub checkpoints: Vec<CheckpointRow>,
    /// The id of the key checkpoints and evidence packs are signed with.
    pub signing_key_id: String,
}

#[server(endpoint = "audit_events")]
pub async fn get_audit_events(query: AuditQuery) -> Result<AuditView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Audit, "the audit log")?;
    ports.audit.events(query).await
}
