//! The audit log page: events filtered by actor and action, a page at a time, with the
//! chain's head.

use app::api::{AuditQuery, AuditRow, AuditView};
use app::error::AppError;
use app::ports::AuditPort;

use crate::audit::{self, AuditFilter};

pub struct AuditPage {
    db: sea_orm::DatabaseConnection,
}

impl AuditPage {
    pub fn new(db: sea_orm::DatabaseConnection) -> Self {
        AuditPage { db }
    }
}

#[async_trait::async_trait]
impl AuditPort for AuditPage {
    async fn events(&self, query: AuditQuery) -> Result<AuditView, AppError> {
        let filter =
            AuditFilter { actor: query.actor, action: query.action, after: query.after, ..AuditFilter::default() };
        let page =
            audit::list(&self.db, &filter, 100).await.map_err(|e| AppError::internal("listing audit events", &e))?;
        let head = page.head.unwrap_or(audit::Head { seq: 0, hash: app::domain::audit::GENESIS.to_owned() });
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
                    details: e.details.to_string(),
                    hash: e.hash,
                })
                .collect(),
            next: page.next,
            head_seq: head.seq,
            head_hash: head.hash,
        })
    }
}
