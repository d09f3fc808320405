//! `POST /api/v1/alertmanager`: Alertmanager's webhook receiver. Each notification's alerts are
//! imported as `alerts` records of source `alertmanager` on the ingestion path (validation,
//! atomicity, provenance, audit). Alerts whose service label names no known service are refused
//! one by one, logged and counted; the others are imported. Answers 200 with what was imported
//! and refused; a body Alertmanager cannot fix by resending is a 4xx, which it does not retry.

use std::collections::HashSet;

use app::domain::access::Principal;
use app::domain::ingest::RecordKind;
use app::domain::ingest::alertmanager::{Notification, RefusedAlert, convert};
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use serde::Serialize;

use crate::entities::service;
use crate::ingest::{Approvals, IngestError, IngestSummary, read_whole};
use crate::problem::Problem;
use crate::state::AppState;

/// The source alerts from Alertmanager are recorded under (part of their key).
pub const SOURCE: &str = "alertmanager";

/// Largest notification read (Alertmanager groups rarely exceed a few hundred kilobytes).
const MAX_BYTES: u64 = 8 * 1024 * 1024;

/// What a notification became.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AlertmanagerReceipt {
    /// The import of the accepted alerts (absent when every alert was refused).
    pub imported: Option<IngestSummary>,
    /// Alerts not imported, with why.
    pub refused: Vec<Refused>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Refused {
    pub fingerprint: String,
    pub rule: String,
    pub reason: String,
}

impl From<RefusedAlert> for Refused {
    fn from(alert: RefusedAlert) -> Self {
        Refused { fingerprint: alert.fingerprint, rule: alert.rule, reason: alert.reason }
    }
}

#[utoipa::path(post, path = "/api/v1/alertmanager", operation_id = "alertmanager_webhook",
    summary = "Receive Alertmanager's webhook notifications as alerts", tag = "records",
    request_body(description = "Alertmanager's webhook payload, version 4", content((Object = "application/json"))),
    responses((status = 200, description = "Imported; alerts of unknown services refused and listed", body = AlertmanagerReceipt),
        (status = 400, description = "Not a version 4 webhook payload", body = crate::problem::Problem),
        (status = 401, description = "No valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The token lacks the ingest scope", body = crate::problem::Problem),
        (status = 413, description = "The body is over the limit", body = crate::problem::Problem),
        (status = 422, description = "An alert broke a rule: nothing was written", body = crate::problem::Problem),
        (status = 503, description = "Busy: retry after the time given", body = crate::problem::Problem)))]
pub async fn receive(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match handle(&state, &principal, &headers, body).await {
        Ok(receipt) => (StatusCode::OK, Json(receipt)).into_response(),
        Err(problem) => problem.into_response(),
    }
}

async fn handle(
    state: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    body: Body,
) -> Result<AlertmanagerReceipt, Problem> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > MAX_BYTES) {
        return Err(IngestError::TooLarge { limit: MAX_BYTES }.into());
    }
    let bytes = read_whole(body.into_data_stream(), MAX_BYTES).await.map_err(Problem::from)?;
    let notification =
        Notification::parse(&bytes).map_err(|e| Problem::new(StatusCode::BAD_REQUEST, "Unreadable body", e.message))?;
    // Only the services the alerts name are looked up.
    let known: HashSet<String> = service::Entity::find()
        .select_only()
        .column(service::Column::Slug)
        .filter(service::Column::Slug.is_in(notification.services(&state.alertmanager)))
        .into_tuple()
        .all(&state.db)
        .await
        .map_err(|e| Problem::internal("reading the services an alert may name", &e))?
        .into_iter()
        .collect();
    let converted = convert(notification, &state.alertmanager, |slug| known.contains(slug));
    for refused in &converted.refused {
        tracing::warn!(fingerprint = %refused.fingerprint, rule = %refused.rule, reason = %refused.reason,
            "an Alertmanager alert was refused");
        crate::metrics::alertmanager_refused();
    }
    let refused = converted.refused.into_iter().map(Refused::from).collect();
    if converted.rows.is_empty() {
        return Ok(AlertmanagerReceipt { imported: None, refused });
    }
    let ingestion = &state.ingestion;
    let request = ingestion.request(RecordKind::Alerts, SOURCE, principal, Approvals::for_importer(principal));
    let summary = ingestion.rows(request, converted.rows, crate::clock_now()).await.map_err(Problem::from)?;
    tracing::info!(
        received = summary.received,
        created = summary.created,
        updated = summary.updated,
        unchanged = summary.unchanged,
        "alerts received from Alertmanager"
    );
    Ok(AlertmanagerReceipt { imported: Some(summary), refused })
}
