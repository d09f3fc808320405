//! The audit log page: events filtered by actor and action, a page at a time, with the
//! chain's head.

use app::api::{AuditQuery, AuditRow, AuditView, CheckpointRow};
use app::error::AppError;
use app::ports::AuditPort;

use crate::audit::{self, AuditFilter};

pub struct AuditPage {
    db: sea_orm::DatabaseConnection,
    checkpoints: crate::checkpoints::Checkpoints,
}

/// Checkpoints the page lists.
const CHECKPOINTS_SHOWN: u64 = 10;

impl AuditPage {
    pub fn new(db: sea_orm::DatabaseConnection, checkpoints: crate::checkpoints::Checkpoints) -> Self {
        AuditPage { db, checkpoints }
    }
}

#[async_trait::async_trait]
impl AuditPort for AuditPage {
    async fn events(&self, query: AuditQuery) -> Result<AuditView, AppError> {
        let day = |name: &str, text: Option<&str>| -> Result<Option<chrono::NaiveDate>, AppError> {
            text.map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| {
                    chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                        .map_err(|_| AppError::Invalid(format!("{name} must be a day like 2026-07-01, not '{t}'")))
                })
                .transpose()
        };
        let (from, to) = (day("From", query.from.as_deref())?, day("To", query.to.as_deref())?);
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(AppError::Invalid(format!("The window ends ({to}) before it starts ({from}).")));
        }
        let midnight = |d: chrono::NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
        let filter = AuditFilter {
            actor: query.actor,
            action: query.action,
            after: query.after,
            from: from.and_then(midnight),
            // The last day is included: up to the next midnight.
            to: to.and_then(|d| d.succ_opt()).and_then(midnight),
            ..AuditFilter::default()
        };
        let page =
            audit::list(&self.db, &filter, 100).await.map_err(|e| AppError::internal("listing audit events", &e))?;
        let head = page.head.unwrap_or(audit::Head { seq: 0, hash: app::domain::audit::GENESIS.to_owned() });
        let checkpoints = crate::checkpoints::recent(&self.db, CHECKPOINTS_SHOWN)
            .await
            .map_err(|e| AppError::internal("listing audit checkpoints", &e))?
            .into_iter()
            .map(|c| CheckpointRow {
                seq: c.seq,
                head_hash: c.head_hash,
                at: app::domain::format::instant_seconds(c.at),
                reason: c.reason,
                delivered: c.delivered,
            })
            .collect();
        Ok(AuditView {
            rows: page
                .items
                .into_iter()
                .map(|e| AuditRow {
                    seq: e.seq,
                    at: app::domain::format::instant_seconds(e.at),
                    actor: e.actor,
                    action: e.action,
                    target: e.target,
                    fields: app::domain::audit::details_in_words(&e.details),
                    details: e.details.to_string(),
                    hash: e.hash,
                })
                .collect(),
            next: page.next,
            head_seq: head.seq,
            head_hash: head.hash,
            checkpoints,
            signing_key_id: self.checkpoints.signer.key_id(),
        })
    }
}
