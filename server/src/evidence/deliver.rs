//! Delivering a pack: the request's scope resolved, the pack streamed, the download audited.

use std::collections::{BTreeMap, HashMap};

use app::domain::evidence::EvidenceRequest;
use app::domain::kpi::ReportingCalendar;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QuerySelect};
use serde_json::json;
use tokio::sync::mpsc;

use super::pack;
use crate::audit::{self, AuditEntry, Head};
use crate::entities::{service, team};

pub use pack::PackSummary;

/// Where the pack's bytes go: a channel the HTTP body or the CLI's file writer drains. A send
/// waits while the reader is behind, which keeps memory flat.
pub type ChunkSender = mpsc::Sender<Result<Bytes, std::io::Error>>;

#[derive(Debug, thiserror::Error)]
pub enum EvidenceError {
    /// 400: the filter names a team that does not exist.
    #[error("unknown team '{0}'")]
    UnknownTeam(String),
    /// The reader went away (a download cancelled): nothing to report to anyone.
    #[error("the download was cancelled")]
    Cancelled,
    /// 400 when checked before the download starts: an `as_known_at` that cannot be told.
    #[error(transparent)]
    KnownAt(#[from] crate::record_history::known_at::KnownAtError),
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error("writing the archive: {0}")]
    Io(#[from] std::io::Error),
}

/// A service as the populations name it.
#[derive(Debug, Clone)]
pub struct ServiceInfo {
    pub slug: String,
    pub team: String,
    pub tier: i16,
}

/// The services the filter selects.
#[derive(Debug, Clone)]
pub struct Scope {
    pub services: HashMap<i64, ServiceInfo>,
    /// `None`: every service (no team or tier filter).
    pub selected: Option<Vec<i64>>,
}

impl Scope {
    /// `column IN selected services`, or no condition without a filter.
    pub fn condition(&self, column: impl sea_orm::ColumnTrait) -> sea_orm::Condition {
        match &self.selected {
            None => sea_orm::Condition::all(),
            Some(ids) => sea_orm::Condition::all().add(column.is_in(ids.iter().copied())),
        }
    }
}

/// Checks the request's teams exist and lists the services it selects.
/// The services a request selects, with the slug, team and tier the pack names them by: as
/// they are now, or as known at the request's `as_known_at` (docs/as-known-at.md).
pub async fn resolve_scope(db: &DatabaseConnection, request: &EvidenceRequest) -> Result<Scope, EvidenceError> {
    let Some(at) = request.as_known_at else { return resolve_scope_in(db, request).await };
    let known = crate::record_history::known_at::begin(db, at, crate::clock_now()).await?;
    let scope = resolve_scope_in(&known, request).await;
    known.rollback().await?;
    scope
}

async fn resolve_scope_in<C: ConnectionTrait>(db: &C, request: &EvidenceRequest) -> Result<Scope, EvidenceError> {
    let teams: HashMap<i64, String> = team::Entity::find()
        .select_only()
        .columns([team::Column::Id, team::Column::Slug])
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    if let Some(unknown) = request.teams.iter().find(|slug| !teams.values().any(|t| t == *slug)) {
        return Err(EvidenceError::UnknownTeam(unknown.clone()));
    }
    let rows: Vec<(i64, String, i16, i64)> = service::Entity::find()
        .select_only()
        .columns([service::Column::Id, service::Column::Slug, service::Column::Tier, service::Column::TeamId])
        .into_tuple()
        .all(db)
        .await?;
    let services: HashMap<i64, ServiceInfo> = rows
        .into_iter()
        .map(|(id, slug, tier, team_id)| {
            (id, ServiceInfo { slug, tier, team: teams.get(&team_id).cloned().unwrap_or_default() })
        })
        .collect();
    let selected = (!request.teams.is_empty() || !request.tiers.is_empty()).then(|| {
        let mut ids: Vec<i64> = services
            .iter()
            .filter(|(_, s)| request.teams.is_empty() || request.teams.contains(&s.team))
            .filter(|(_, s)| request.tiers.is_empty() || request.tiers.contains(&s.tier))
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    });
    Ok(Scope { services, selected })
}

/// Who and what produced the pack: the manifest's generation fields and versions.
#[derive(Debug, Clone)]
pub struct PackContext {
    pub generated_at: DateTime<Utc>,
    pub generated_by: String,
    /// `http` or `cli`, for the audit trail.
    pub channel: &'static str,
    pub policy_version: String,
    pub calendar: ReportingCalendar,
    pub audit_head: Option<Head>,
    /// Signs the pack and its audit checkpoint; records the checkpoint after the download.
    pub checkpoints: crate::checkpoints::Checkpoints,
    /// The policy's days the control tests read.
    pub control_thresholds: app::domain::evidence::control_tests::ControlThresholds,
}

/// Builds the pack into `out`, records the download in the audit trail, then sends the last
/// bytes. The seed actually used is in the summary (chosen at random when samples were asked
/// for without one).
pub async fn deliver(
    db: &DatabaseConnection,
    request: &EvidenceRequest,
    scope: &Scope,
    mut context: PackContext,
    out: &ChunkSender,
) -> Result<PackSummary, EvidenceError> {
    // One consistent view of the data for the whole pack: an import landing meanwhile cannot
    // leave postmortems.csv naming an incident missing from incidents.csv.
    let snapshot = match request.as_known_at {
        // Checked by the caller before anything was sent (`record_history::known_at::check`).
        Some(at) => crate::record_history::known_at::begin(db, at, context.generated_at).await?,
        None => crate::db::begin_consistent_read(db).await?,
    };
    context.audit_head = audit::head(&snapshot).await?;
    let built = Box::pin(pack::build(&snapshot, request, scope, &context, out)).await;
    snapshot.rollback().await?;
    let (summary, last) = built?;
    let entry = AuditEntry::new(
        &context.generated_by,
        "evidence.downloaded",
        &target(request),
        details(request, &summary, &context),
    );
    audit::append(db, entry, crate::clock_now()).await?;
    out.send(Ok(last)).await.map_err(|_| EvidenceError::Cancelled)?;
    // The head now includes this download: anchored outside the database.
    context.checkpoints.record_after(db, crate::checkpoints::Reason::EvidencePack).await;
    Ok(summary)
}

/// `evidence:FROM..TO`, the audit target of a pack.
pub fn target(request: &EvidenceRequest) -> String {
    format!("evidence:{}..{}", request.from, request.to)
}

/// The audit trail's record of a download: the request and the hashes that identify the pack.
fn details(request: &EvidenceRequest, summary: &PackSummary, context: &PackContext) -> serde_json::Value {
    let samples: BTreeMap<&str, u32> = request.samples.iter().map(|(p, n)| (p.name(), *n)).collect();
    json!({
        "channel": context.channel,
        "from": request.from,
        "to": request.to,
        "teams": request.teams,
        "tiers": request.tiers,
        "samples": samples,
        "seed": summary.seed,
        "as_known_at": request.as_known_at,
        "pack_sha256": summary.sha256,
        "pack_bytes": summary.bytes,
        "manifest_sha256": summary.manifest_sha256,
        "sha256sums_sha256": summary.sums_sha256,
        "signing_key_id": summary.key_id,
        "files": summary.files,
    })
}
