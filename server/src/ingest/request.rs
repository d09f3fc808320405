//! What an import is asked to do, what it did, and why it was refused.

use app::domain::format::count_of;
use app::domain::ingest::{FormatError, RecordKind, RowError};
use sea_orm::DbErr;
use serde::Serialize;

/// Who sends what, and how.
#[derive(Debug, Clone)]
pub struct IngestRequest {
    pub kind: RecordKind,
    pub source: String,
    pub dry_run: bool,
    pub file_name: Option<String>,
    pub actor: String,
    /// Team slugs the writer is limited to (an editor, a team token); `None`: any record.
    pub allowed_teams: Option<std::collections::BTreeSet<String>>,
    /// The policy's readiness checklist: a self-assessment answer for any other item is a row
    /// error. `None`: not checked (demo data).
    pub readiness_items: Option<Vec<String>>,
    /// Whether the rows may carry approvals, and where those were made.
    pub approvals: Approvals,
}

impl IngestRequest {
    /// A request to write `kind` from `source` as `actor`: applied (not a dry run), limited to
    /// no team, readiness items unchecked, approvals refused. Callers change what differs.
    pub fn new(kind: RecordKind, source: &str, actor: String) -> Self {
        IngestRequest {
            kind,
            source: source.to_owned(),
            dry_run: false,
            file_name: None,
            actor,
            allowed_teams: None,
            readiness_items: None,
            approvals: Approvals::Refused,
        }
    }
}

/// Approvals in rows: an exemption's `approver`, a self-assessment's `reviewed_by`. An approval
/// is made by its approver, signed in to Plumbline; a row naming someone else as approver would
/// let anyone who may write the row forge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approvals {
    /// Rows naming an approver are refused (row errors saying where approvals are made).
    Refused,
    /// Made in Plumbline by the principal the rows name: the waiver and sign-off flows, which
    /// check who decides before writing.
    MadeHere,
    /// Made in another system and imported by an admin (or the operator's CLI): kept, counted
    /// and shown as imported, not verified in Plumbline.
    Imported,
}

impl Approvals {
    /// What a caller of the ingestion API or the import page may do: admins (people, not
    /// tokens) import approvals made elsewhere; nobody else writes approvals at all.
    pub fn for_importer(principal: &app::domain::access::Principal) -> Self {
        if principal.token.is_none() && principal.has_role(app::domain::access::Role::Admin) {
            Approvals::Imported
        } else {
            Approvals::Refused
        }
    }
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct IngestSummary {
    /// `None` for a dry run, which records nothing.
    pub batch_id: Option<i64>,
    pub received: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub dry_run: bool,
    /// What an adapter ignored or assumed, and services it created (empty for native formats).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// 400: the body is not valid for its declared format.
    #[error("the body is not valid {format}: {source}")]
    Format { format: &'static str, source: FormatError },
    /// 413: the body is larger than the configured limit.
    #[error("the body is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    /// 413: a file for an adapter is larger than the adapter limit.
    #[error(
        "files in an adapter's format (OpenSLO, Statuspage, PagerDuty) may be at most {limit} bytes \
         (PLUMBLINE_MAX_ADAPTER_MB); split the file, or convert it to CSV or NDJSON"
    )]
    AdapterTooLarge { limit: u64 },
    /// 503: every slot for parsing adapter files is taken; nothing was read.
    #[error("other files are being read right now; try again in {retry_after_secs} seconds")]
    Busy { retry_after_secs: u64 },
    /// 400: the body could not be received.
    #[error("the body could not be received: {0}")]
    Body(String),
    /// 422: some rows are invalid; nothing was written.
    #[error(
        "{} found in {}; nothing was written",
        count_of(*.error_count, "problem", "problems"),
        count_of(*.received, "row", "rows")
    )]
    Invalid { errors: Vec<RowError>, error_count: u64, received: u64 },
    /// 403: the writer is limited to teams and the records are not all theirs; nothing was written.
    #[error("{0}")]
    Forbidden(String),
    /// 500: the database failed.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
}
