//! Restatements of a published period (docs/as-known-at.md §3): whether its snapshot is
//! reproduced from the records as known at publication, which records changed since, and how
//! each org figure moved. The same document answers `GET /api/v1/snapshots/{period}/restatements`.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestatementsView {
    pub period: String,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    pub content_sha256: String,
    pub published_policy_version: String,
    pub policy_version: String,
    pub published_definitions_version: String,
    pub definitions_version: String,
    /// Whether the figures recomputed from the records as known at publication equal the
    /// published ones (numbers within a relative 10⁻⁹), and for each part (org, teams, tiers,
    /// scorecards, report) that does not, the path of its first difference.
    pub reproduced: bool,
    pub differences: Vec<String>,
    /// Records changed after publication that can reach the period, oldest change first.
    pub changes: Vec<RecordChange>,
    /// Every org figure, published and now.
    pub figures: Vec<FigureMove>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordChange {
    pub table: String,
    pub record_id: i64,
    /// The record's own key where it has one (external id or slug).
    pub key: Option<String>,
    /// `created` after publication, or `corrected`.
    pub change: String,
    pub last_changed_at: DateTime<Utc>,
    /// Every import batch that wrote a version of it after publication.
    pub batches: Vec<BatchRef>,
    /// A version since publication was written on a page (alert triage), not by an import:
    /// the audit trail names who.
    pub changed_on_a_page: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRef {
    pub id: i64,
    pub actor: String,
    pub source: String,
    pub kind: String,
    pub finished_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureMove {
    pub kpi: String,
    pub published: serde_json::Value,
    pub now: serde_json::Value,
    pub changed: bool,
}

#[server(endpoint = "restatements")]
pub async fn get_restatements(period: String) -> Result<RestatementsView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "restatements")?;
    ports.restatements.restatements(period).await
}
