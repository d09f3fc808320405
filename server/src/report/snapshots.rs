//! Publishing a period (docs/reports.md): its org, team and tier KPIs and every scorecard frozen
//! as one JSON document, stored as the exact bytes served later, with their SHA-256. Later
//! imports never change a published snapshot (the database refuses updates and deletes).

use std::collections::BTreeMap;

use app::domain::kpi::{KPI_DEFINITIONS_VERSION, KpiValues, Period, Scope, SeverityFilter, compute_kpis};
use app::domain::scorecard::{Policy, Scorecard};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use sea_orm::{ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::{self, AuditEntry};
use crate::entities::scorecard_snapshot;
use crate::kpis::{Figures, KpiCache, LoadError, ScorecardFilter, load, scorecard_report};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// 422: only a period that has ended can be frozen.
    #[error("{0} has not ended yet; only a past period can be published")]
    NotClosed(Period),
    /// 409: a published snapshot is never replaced.
    #[error("{0} is already published")]
    AlreadyPublished(Period),
    /// 422: a period that ended before the first record has nothing to publish ("no data" is
    /// never frozen as zeros).
    #[error("{0} ended before the first record on file: there is nothing to publish")]
    BeforeData(Period),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// The frozen document. Maps are ordered so the same data always gives the same bytes.
#[derive(Serialize)]
struct Content {
    period: Period,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    as_of: DateTime<Utc>,
    definitions_version: &'static str,
    policy_version: String,
    /// The data version every figure below was computed from (imports committed before it).
    data_version: i64,
    /// The audit trail's head when the computation started.
    audit_head: Option<audit::Head>,
    org: KpiValues,
    teams: BTreeMap<String, KpiValues>,
    tiers: BTreeMap<String, KpiValues>,
    scorecards: Vec<Scorecard>,
    /// The quarterly report as published (quarters only), rendered from here ever after.
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<app::domain::report::QuarterlyReport>,
}

/// What the publish and list calls return about a snapshot.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SnapshotSummary {
    pub period: String,
    pub policy_version: String,
    pub definitions_version: String,
    pub content_sha256: String,
    pub published_by: String,
    pub published_at: DateTime<Utc>,
}

impl From<scorecard_snapshot::Model> for SnapshotSummary {
    fn from(row: scorecard_snapshot::Model) -> Self {
        SnapshotSummary {
            period: row.period,
            policy_version: row.policy_version,
            definitions_version: row.definitions_version,
            content_sha256: row.content_sha256,
            published_by: row.published_by,
            published_at: row.published_at,
        }
    }
}

pub async fn publish(
    figures: &Figures,
    period: &Period,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<SnapshotSummary, SnapshotError> {
    let (db, policy) = (&figures.db, figures.policy.as_ref());
    if period.end() > now {
        return Err(SnapshotError::NotClosed(*period));
    }
    if find(db, period).await?.is_some() {
        return Err(SnapshotError::AlreadyPublished(*period));
    }
    let first = crate::kpis::first_record::first_record(db).await?;
    if first.is_none_or(|first| first >= period.end()) {
        return Err(SnapshotError::BeforeData(*period));
    }
    // Every part is computed in one read transaction, so an import landing meanwhile cannot
    // make the org figures, scorecards and report disagree; the snapshot names the data version
    // and audit head that transaction saw.
    let read = crate::db::begin_consistent_read(db).await?;
    let data_version = crate::db::data_version(&read).await?;
    let audit_head = audit::head(&read).await?;
    // A cache of its own: a shared entry may have been computed while an import landed. Nothing
    // is stored from inside the read-only transaction.
    let own_cache = KpiCache::within_transaction(policy);
    let content = Box::pin(compute(&read, &own_cache, policy, period, now, data_version, audit_head)).await;
    read.rollback().await?;
    let content = content?;
    let text = serde_json::to_string(&content).map_err(|e| DbErr::Custom(format!("cannot encode snapshot: {e}")))?;
    // The snapshot and its audit event are committed together or not at all.
    let txn = db.begin().await?;
    let row = scorecard_snapshot::ActiveModel {
        period: Set(period.to_string()),
        policy_version: Set(policy.version.clone()),
        definitions_version: Set(KPI_DEFINITIONS_VERSION.to_owned()),
        content_sha256: Set(hex::encode(Sha256::digest(text.as_bytes()))),
        content: Set(text),
        published_by: Set(actor.to_owned()),
        published_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await
    .map_err(|error| match error.sql_err() {
        // Another admin published the same period a moment earlier.
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => SnapshotError::AlreadyPublished(*period),
        _ => SnapshotError::Database(error),
    })?;
    let details = serde_json::json!({
        "period": row.period,
        "content_sha256": row.content_sha256,
        "policy_version": row.policy_version,
        "definitions_version": row.definitions_version,
    });
    let entry = AuditEntry::new(actor, "snapshot.published", &format!("snapshot:{}", row.period), details);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok(row.into())
}

/// The parts of a snapshot's document that are figures (not its data version or audit head),
/// computed from the records `db` reads (the restatements compare them with the published ones).
pub const FIGURE_PARTS: [&str; 5] = ["org", "teams", "tiers", "scorecards", "report"];

/// A snapshot's document as `publish` would compute it from the records `db` reads at `now`.
pub(crate) async fn recompute<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    period: &Period,
    now: DateTime<Utc>,
) -> Result<serde_json::Value, SnapshotError> {
    let own_cache = KpiCache::within_transaction(policy);
    let content = Box::pin(compute(db, &own_cache, policy, period, now, 0, None)).await?;
    serde_json::to_value(&content).map_err(|e| DbErr::Custom(format!("cannot encode snapshot: {e}")).into())
}

/// The snapshot's document, every part from the data as it is at `data_version`.
async fn compute<C: ConnectionTrait>(
    db: &C,
    cache: &KpiCache,
    policy: &Policy,
    period: &Period,
    now: DateTime<Utc>,
    data_version: i64,
    audit_head: Option<audit::Head>,
) -> Result<Content, SnapshotError> {
    let data = load(db, period, now, &Scope::Org, &policy.kpi).await?;
    let kpis = |scope: Scope| compute_kpis(period, now, &data.scoped(&scope), SeverityFilter::HIGH);
    let team_slugs: std::collections::BTreeSet<_> = data.services.iter().map(|s| s.team.clone()).collect();
    Ok(Content {
        period: *period,
        from: period.start(),
        to: period.end(),
        as_of: period.as_of(now),
        definitions_version: KPI_DEFINITIONS_VERSION,
        policy_version: policy.version.clone(),
        data_version,
        audit_head,
        org: kpis(Scope::Org),
        teams: team_slugs.into_iter().map(|team| (team.to_string(), kpis(Scope::Team(team)))).collect(),
        tiers: (0..=3u8).map(|tier| (tier.to_string(), kpis(Scope::Tier(tier)))).collect(),
        scorecards: scorecard_report(db, policy, period, &ScorecardFilter::default(), now).await?.scorecards,
        report: if period.is_quarter() {
            Some(Box::pin(super::build(db, cache, policy, *period, now)).await?.as_ref().clone())
        } else {
            None
        },
    })
}

pub async fn find<C: ConnectionTrait>(db: &C, period: &Period) -> Result<Option<scorecard_snapshot::Model>, DbErr> {
    scorecard_snapshot::Entity::find().filter(scorecard_snapshot::Column::Period.eq(period.to_string())).one(db).await
}

/// The content hash of a period's snapshot, if it is published (without reading the content).
pub async fn find_hash<C: ConnectionTrait>(db: &C, period: &Period) -> Result<Option<String>, DbErr> {
    use sea_orm::QuerySelect;
    scorecard_snapshot::Entity::find()
        .select_only()
        .column(scorecard_snapshot::Column::ContentSha256)
        .filter(scorecard_snapshot::Column::Period.eq(period.to_string()))
        .into_tuple()
        .one(db)
        .await
}

pub async fn list<C: ConnectionTrait>(db: &C) -> Result<Vec<SnapshotSummary>, DbErr> {
    let rows = scorecard_snapshot::Entity::find().order_by_asc(scorecard_snapshot::Column::Period).all(db).await?;
    Ok(rows.into_iter().map(SnapshotSummary::from).collect())
}
