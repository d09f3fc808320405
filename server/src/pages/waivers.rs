//! The waivers page (and the waiver panel of the service page). A request is kept in
//! `waiver_request`; approving it writes the `exemptions` record through the ingestion path
//! (validation, provenance, import batch, audit event), so a waiver granted on the page is the
//! same record as one a pipeline sends and the scorecards, reports and evidence packs show it
//! alike. Every request and decision is also an audit event of its own.

use std::collections::HashMap;

use app::api::{ServiceWaivers, WaivableCheck, WaiverDecision, WaiverRequestView, WaiverRequests};
use app::domain::access::{IngestRight, Principal, Role};
use app::domain::format::instant as time;
use app::domain::ingest::{Cell, RawRow, RecordKind};
use app::domain::scorecard::CheckStatus;
use app::domain::scorecard::evaluate::Scorecard;
use app::domain::scorecard::waiver::{MAX_WAIVER_DAYS, RequestStatus, check_note, check_request, may_decide};
use app::error::AppError;
use app::ports::WaiversPort;
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};
use serde_json::json;

use crate::audit::{self, AuditEntry};
use crate::catalog::service_and_team;
use crate::entities::{service, waiver_request};
use crate::ingest::{Approvals, IngestRequest, Ingestion};
use crate::kpis::{Figures, ScorecardFilter};

/// Decided requests listed on the waivers page (newest first).
const DECIDED_SHOWN: u64 = 100;

pub struct WaiversPage {
    figures: Figures,
    ingestion: Ingestion,
    /// Tells the admins' notices of each new request.
    notifier: crate::notify::Notifier,
}

impl WaiversPage {
    pub fn new(figures: Figures, ingestion: Ingestion, notifier: crate::notify::Notifier) -> Self {
        WaiversPage { figures, ingestion, notifier }
    }
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::internal("waiver requests", &error)
}

/// Whether `principal` may write for `team`'s services.
fn writes_for(principal: &Principal, team: &str) -> bool {
    match principal.ingest_right() {
        IngestRight::Any => true,
        IngestRight::Teams(teams) => teams.contains(team),
        IngestRight::None => false,
    }
}

impl WaiversPage {
    /// The service's scorecard for the current quarter, as the service page shows it.
    async fn current_card(&self, slug: &str, now: DateTime<Utc>) -> Result<Option<Scorecard>, AppError> {
        let period = self.figures.period(None, now)?;
        let filter = ScorecardFilter { service: Some(slug.to_owned()), ..Default::default() };
        let report = self.figures.scorecards(&period, &filter, now).await.map_err(internal)?;
        Ok(report.scorecards.first().cloned())
    }

    fn view(&self, row: waiver_request::Model, service: &str, viewer: &Principal) -> WaiverRequestView {
        let status = RequestStatus::parse(&row.status).unwrap_or(RequestStatus::Pending);
        let title = self
            .figures
            .policy
            .checks
            .iter()
            .find(|c| c.id.as_str() == row.check_id)
            .map_or_else(|| row.check_id.clone(), |c| c.title.clone());
        let can_decide = status == RequestStatus::Pending
            && may_decide(
                viewer.has_role(Role::Admin) && viewer.token.is_none(),
                &viewer.signature(),
                &row.requested_by,
            )
            .is_ok();
        WaiverRequestView {
            id: row.id,
            service: service.to_owned(),
            check: row.check_id,
            check_title: title,
            reason: row.reason,
            last_day: app::domain::scorecard::waiver::last_day_of(row.expires_at).to_string(),
            requested_by: row.requested_by,
            requested_at: time(row.requested_at),
            ended: status == RequestStatus::Approved && row.expires_at <= crate::clock_now(),
            status,
            decided_by: row.decided_by,
            decided_at: row.decided_at.map(time),
            decision_note: row.decision_note,
            can_decide,
        }
    }

    /// Writes the approved request as an `exemptions` record, through the ingestion path.
    async fn write_exemption(
        &self,
        principal: &Principal,
        service: &str,
        row: &waiver_request::Model,
    ) -> Result<(), AppError> {
        let record = RawRow::new(1)
            .with("service", Cell::Json(json!(service)))
            .with("check", Cell::Json(json!(row.check_id)))
            .with("reason", Cell::Json(json!(row.reason)))
            .with("approver", Cell::Json(json!(principal.signature())))
            .with("expires_at", Cell::Json(json!(row.expires_at.to_rfc3339())));
        // The deciding admin, checked by the caller, is the approver the row names. The team
        // limit does not apply: an admin decides for any team.
        let request = self.ingestion.request(RecordKind::Exemptions, "ui", principal, Approvals::MadeHere);
        self.ingestion.rows(IngestRequest { allowed_teams: None, ..request }, vec![record], crate::clock_now()).await?;
        Ok(())
    }
}

/// The audit event of a request or decision.
fn event(principal: &Principal, action: &str, row: &waiver_request::Model, service: &str) -> AuditEntry {
    let details = json!({
        "request": row.id, "service": service, "check": row.check_id, "reason": row.reason,
        "expires_at": row.expires_at.to_rfc3339(), "requested_by": row.requested_by,
        "decision_note": row.decision_note,
    });
    AuditEntry::new(&principal.actor(), action, &format!("waiver_request:{}", row.id), details)
}

/// Sets a request's decision, if it is still pending; false when it was not.
async fn set_decision(
    txn: &DatabaseTransaction,
    id: i64,
    status: RequestStatus,
    decided: Option<(String, DateTime<Utc>, Option<String>)>,
    only_if: RequestStatus,
) -> Result<bool, DbErr> {
    let (by, at, note) = match decided {
        Some((by, at, note)) => (Some(by), Some(at), note),
        None => (None, None, None),
    };
    let updated = waiver_request::Entity::update_many()
        .col_expr(waiver_request::Column::Status, Expr::value(status.as_str()))
        .col_expr(waiver_request::Column::DecidedBy, Expr::value(by))
        .col_expr(waiver_request::Column::DecidedAt, Expr::value(at))
        .col_expr(waiver_request::Column::DecisionNote, Expr::value(note))
        .filter(waiver_request::Column::Id.eq(id))
        .filter(waiver_request::Column::Status.eq(only_if.as_str()))
        .exec(txn)
        .await?;
    Ok(updated.rows_affected > 0)
}

#[async_trait::async_trait]
impl WaiversPort for WaiversPage {
    async fn service(&self, principal: Principal, slug: String) -> Result<ServiceWaivers, AppError> {
        let db = &self.figures.db;
        let (model, team) = service_and_team(db, &slug).await?;
        let rows = waiver_request::Entity::find()
            .filter(waiver_request::Column::ServiceId.eq(model.id))
            .order_by_desc(waiver_request::Column::Id)
            .all(db)
            .await
            .map_err(internal)?;
        let now = crate::clock_now();
        let pending: Vec<String> =
            rows.iter().filter(|r| r.status == RequestStatus::Pending.as_str()).map(|r| r.check_id.clone()).collect();
        let waivable = if writes_for(&principal, &team) {
            let card = self.current_card(&slug, now).await?;
            card.map(|card| {
                card.checks
                    .iter()
                    .filter(|c| c.status.needs_fixing() && !pending.contains(&c.id.as_str().to_owned()))
                    .map(|c| WaivableCheck {
                        id: c.id.as_str().to_owned(),
                        title: c.title.clone(),
                        status: if c.status == CheckStatus::NoData { "no_data" } else { "fail" }.to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default()
        } else {
            Vec::new()
        };
        let today = now.date_naive();
        Ok(ServiceWaivers {
            service: slug.clone(),
            waivable,
            requests: rows.into_iter().map(|row| self.view(row, &slug, &principal)).collect(),
            earliest_day: (today + TimeDelta::days(1)).to_string(),
            latest_day: (today + TimeDelta::days(MAX_WAIVER_DAYS)).to_string(),
        })
    }

    async fn all(&self, principal: Principal) -> Result<WaiverRequests, AppError> {
        let db = &self.figures.db;
        let pending = waiver_request::Entity::find()
            .filter(waiver_request::Column::Status.eq(RequestStatus::Pending.as_str()))
            .order_by_asc(waiver_request::Column::Id)
            .all(db)
            .await
            .map_err(internal)?;
        let decided = waiver_request::Entity::find()
            .filter(waiver_request::Column::Status.ne(RequestStatus::Pending.as_str()))
            .order_by_desc(waiver_request::Column::Id)
            .paginate(db, DECIDED_SHOWN)
            .fetch_page(0)
            .await
            .map_err(internal)?;
        let ids: Vec<i64> = pending.iter().chain(&decided).map(|r| r.service_id).collect();
        let slugs: HashMap<i64, String> = service::Entity::find()
            .filter(service::Column::Id.is_in(ids))
            .all(db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|s| (s.id, s.slug))
            .collect();
        let view = |row: waiver_request::Model| {
            let slug = slugs.get(&row.service_id).cloned().unwrap_or_default();
            self.view(row, &slug, &principal)
        };
        Ok(WaiverRequests {
            pending: pending.into_iter().map(view).collect(),
            decided: decided.into_iter().map(view).collect(),
            viewer_is_admin: principal.has_role(Role::Admin) && principal.token.is_none(),
        })
    }

    async fn request(
        &self,
        principal: Principal,
        slug: String,
        check: String,
        reason: String,
        last_day: String,
    ) -> Result<(), AppError> {
        let db = &self.figures.db;
        let (model, team) = service_and_team(db, &slug).await?;
        if !writes_for(&principal, &team) {
            return Err(AppError::Forbidden(format!("requesting a waiver for {slug}: it belongs to team {team}")));
        }
        let now = crate::clock_now();
        let card = self.current_card(&slug, now).await?;
        let status = card
            .as_ref()
            .and_then(|card| card.checks.iter().find(|c| c.id.as_str() == check))
            .map(|c| c.status)
            .ok_or_else(|| AppError::Invalid(format!("'{check}' is not a check of {slug}'s scorecard")))?;
        let checked = check_request(&reason, &last_day, status, now.date_naive()).map_err(AppError::Invalid)?;
        let open = waiver_request::Entity::find()
            .filter(waiver_request::Column::ServiceId.eq(model.id))
            .filter(waiver_request::Column::CheckId.eq(check.as_str()))
            .filter(waiver_request::Column::Status.eq(RequestStatus::Pending.as_str()))
            .one(db)
            .await
            .map_err(internal)?;
        if open.is_some() {
            return Err(AppError::Invalid(format!("a waiver of '{check}' for {slug} is already awaiting a decision")));
        }
        let txn = db.begin().await.map_err(internal)?;
        let row = waiver_request::ActiveModel {
            service_id: Set(model.id),
            check_id: Set(check),
            reason: Set(checked.reason),
            expires_at: Set(checked.expires_at),
            requested_by: Set(principal.signature()),
            requested_at: Set(now),
            status: Set(RequestStatus::Pending.as_str().to_owned()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(internal)?;
        audit::append(&txn, event(&principal, "waiver.requested", &row, &slug), now).await.map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        tracing::info!(request = row.id, service = %slug, check = %row.check_id, "waiver requested");
        // The request stands whether or not the admins could be told.
        if let Err(error) =
            self.notifier.waiver_waiting(row.id, &slug, &row.check_id, &row.requested_by, &row.reason, now).await
        {
            tracing::warn!(request = row.id, %error, "cannot notify the admins of a waiver request");
        }
        Ok(())
    }

    async fn decide(
        &self,
        principal: Principal,
        id: i64,
        decision: WaiverDecision,
        note: String,
    ) -> Result<(), AppError> {
        let approve = decision == WaiverDecision::Approve;
        let db = &self.figures.db;
        let note = check_note(&note).map_err(AppError::Invalid)?;
        let row = waiver_request::Entity::find_by_id(id)
            .one(db)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("There is no waiver request {id}.")))?;
        may_decide(
            principal.has_role(Role::Admin) && principal.token.is_none(),
            &principal.signature(),
            &row.requested_by,
        )
        .map_err(AppError::Forbidden)?;
        let slug = service::Entity::find_by_id(row.service_id)
            .one(db)
            .await
            .map_err(internal)?
            .map(|s| s.slug)
            .unwrap_or_default();
        let status = if approve { RequestStatus::Approved } else { RequestStatus::Rejected };
        let now = crate::clock_now();
        // The decision and its audit event in one transaction, and only on a pending request:
        // two admins deciding at once cannot both act on it.
        let txn = db.begin().await.map_err(internal)?;
        let decided = Some((principal.signature(), now, note.clone()));
        if !set_decision(&txn, id, status, decided, RequestStatus::Pending).await.map_err(internal)? {
            txn.rollback().await.map_err(internal)?;
            return Err(AppError::Invalid(format!("waiver request {id} has been decided already")));
        }
        let decided = waiver_request::Model { decision_note: note, ..row };
        let action = if approve { "waiver.approved" } else { "waiver.rejected" };
        audit::append(&txn, event(&principal, action, &decided, &slug), now).await.map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        if approve && let Err(error) = self.write_exemption(&principal, &slug, &decided).await {
            // Not granted after all: the request waits again, and the trail says why.
            let txn = db.begin().await.map_err(internal)?;
            set_decision(&txn, id, RequestStatus::Pending, None, RequestStatus::Approved).await.map_err(internal)?;
            let reopened = event(&principal, "waiver.reopened", &decided, &slug);
            audit::append(&txn, reopened, crate::clock_now()).await.map_err(internal)?;
            txn.commit().await.map_err(internal)?;
            return Err(error);
        }
        tracing::info!(request = id, service = %slug, approve, "waiver request decided");
        Ok(())
    }
}
