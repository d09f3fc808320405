//! `GET /api/v1/audit` lists audit events, oldest first (chain order), a page at a time;
//! `GET /api/v1/audit/verify` re-computes the whole hash chain and says where it breaks.

use std::collections::HashMap;

use app::domain::access::Principal;
use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use futures::StreamExt;
use serde_json::json;

use crate::audit::{self, AuditEntry, AuditFilter};
use crate::listing::{DEFAULT_LIMIT, MAX_LIMIT, parse_instant};
use crate::problem::Problem;
use crate::state::AppState;

const PARAMETERS: [&str; 6] = ["actor", "action", "from", "to", "after", "limit"];

fn bad_request(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "Invalid query", detail)
}

fn parse(query: &HashMap<String, String>) -> Result<(AuditFilter, u64), Problem> {
    if let Some(unknown) = query.keys().find(|k| !PARAMETERS.contains(&k.as_str())) {
        return Err(bad_request(format!("unknown parameter '{unknown}'; accepted: {}", PARAMETERS.join(", "))));
    }
    let get = |name: &str| query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    let limit = match get("limit") {
        None => DEFAULT_LIMIT,
        Some(v) => v
            .parse::<u64>()
            .ok()
            .filter(|l| (1..=MAX_LIMIT).contains(l))
            .ok_or_else(|| bad_request(format!("limit must be from 1 to {MAX_LIMIT}")))?,
    };
    let after = match get("after") {
        None => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| bad_request("after must be a seq (an integer)"))?),
    };
    let filter = AuditFilter {
        actor: get("actor").map(str::to_owned),
        action: get("action").map(str::to_owned),
        from: parse_instant("from", get("from"))?,
        to: parse_instant("to", get("to"))?,
        after,
        up_to: None,
    };
    Ok((filter, limit))
}

#[utoipa::path(get, path = "/api/v1/audit", operation_id = "list_audit_events", summary = "List audit events", tag = "audit",
    params(("actor" = Option<String>, Query, description = "Only this actor"),
        ("action" = Option<String>, Query, description = "Only this action"),
        ("from" = Option<String>, Query, description = "From this instant (RFC 3339)"),
        ("to" = Option<String>, Query, description = "Before this instant (RFC 3339)"),
        ("after" = Option<String>, Query, description = "After this sequence number (paging)"),
        ("limit" = Option<String>, Query, description = "Events per page")),
    responses((status = 200, description = "Audit events, oldest first, with the chain's head", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn list(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let (filter, limit) = parse(&query)?;
        audit::list(&state.db, &filter, limit).await.map_err(|e| Problem::internal("listing audit events", &e))
    };
    match result.await {
        Ok(page) => Json(page).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// 200 either way: the check ran. `intact` says what it found.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, description = "The hash chain re-computed: intact, or where it breaks", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn verify(State(state): State<AppState>) -> Response {
    match audit::verify(&state.db).await {
        Ok(Ok(chain)) => Json(json!({
            "intact": true,
            "count": chain.count,
            "head": {"seq": chain.head_seq, "hash": chain.head_hash},
        }))
        .into_response(),
        Ok(Err(broken)) => Json(json!({
            "intact": false,
            "broken_at": broken.seq,
            "reason": broken.reason.to_string(),
        }))
        .into_response(),
        Err(error) => Problem::internal("verifying the audit chain", &error).into_response(),
    }
}

/// The newest signed checkpoints of the chain (docs/access-and-audit.md §Checkpoints), for an
/// auditor to note; the copies that prove anything are the ones delivered outside the database.
#[utoipa::path(get, path = "/api/v1/audit/checkpoints", operation_id = "list_audit_checkpoints", summary = "List audit checkpoints", tag = "audit",
    responses((status = 200, description = "The newest checkpoints, newest first, with the signing key's id", body = Object),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn checkpoints(State(state): State<AppState>) -> Response {
    match crate::checkpoints::recent(&state.db, 50).await {
        Ok(rows) => Json(json!({
            "key_id": state.checkpoints.signer.key_id(),
            "items": rows.into_iter().map(|c| json!({
                "seq": c.seq,
                "head_hash": c.head_hash,
                "at": c.at,
                "reason": c.reason,
                "key_id": c.key_id,
                "signature": c.signature,
                "delivered": c.delivered,
            })).collect::<Vec<_>>(),
        }))
        .into_response(),
        Err(error) => Problem::internal("listing audit checkpoints", &error).into_response(),
    }
}

/// `GET /api/v1/audit/export.csv?actor=&action=&from=&to=`: every matching event up to the
/// chain's head at the start, as CSV (formula-safe cells, see [`crate::csv`]), oldest first,
/// streamed a page at a time so a long trail never sits in memory. The export is itself
/// audit-logged first, naming the filters and the last seq it covers.
#[utoipa::path(get, path = "/api/v1/audit/export.csv", tag = "audit",
    params(("actor" = Option<String>, Query, description = "Only this actor"),
        ("action" = Option<String>, Query, description = "Only this action"),
        ("from" = Option<String>, Query, description = "From this instant (RFC 3339)"),
        ("to" = Option<String>, Query, description = "Before this instant (RFC 3339)"),
        ("after" = Option<String>, Query, description = "After this sequence number (paging)")),
    responses((status = 200, description = "The events as CSV, streamed", content_type = "text/csv"), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn export(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(mut query): Query<HashMap<String, String>>,
) -> Response {
    let prepared = async {
        query.remove("limit");
        let (mut filter, _) = parse(&query)?;
        let internal = |e: sea_orm::DbErr| Problem::internal("exporting audit events", &e);
        filter.up_to = Some(audit::head(&state.db).await.map_err(internal)?.map_or(0, |head| head.seq));
        let details = json!({"filters": query, "up_to_seq": filter.up_to});
        let entry = AuditEntry::new(&principal.actor(), "audit.exported", "audit_event", details);
        audit::append(&state.db, entry, crate::clock_now()).await.map_err(internal)?;
        Ok::<_, Problem>(filter)
    };
    let filter = match prepared.await {
        Ok(filter) => filter,
        Err(problem) => return problem.into_response(),
    };
    let header_line = crate::csv::line(["seq", "at", "actor", "action", "target", "details", "prev_hash", "hash"]);
    let db = state.db.clone();
    let pages = futures::stream::unfold(Some(filter), move |filter| {
        let db = db.clone();
        async move {
            let mut filter = filter?;
            match audit::list(&db, &filter, MAX_LIMIT).await {
                Ok(page) => {
                    let chunk: String = page.items.iter().map(csv_line).collect();
                    let next = page.next.map(|after| {
                        filter.after = Some(after);
                        filter
                    });
                    Some((Ok(Bytes::from(chunk)), next))
                }
                Err(error) => {
                    // The status is sent already: cutting the download short is all that is left.
                    tracing::error!(%error, "the audit export failed midway; the download is cut short");
                    Some((Err(std::io::Error::other("the audit export failed")), None))
                }
            }
        }
    });
    let body = Body::from_stream(futures::stream::once(async move { Ok(Bytes::from(header_line)) }).chain(pages));
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"plumbline-audit.csv\""),
        ],
        body,
    )
        .into_response()
}

fn csv_line(event: &audit::AuditRecord) -> String {
    let at = event.at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let details = event.details.to_string();
    let seq = event.seq.to_string();
    let cells = [&*seq, &*at, &*event.actor, &*event.action, &*event.target, &*details];
    crate::csv::line(cells.into_iter().chain([&*event.prev_hash, &*event.hash]))
}
