//! `POST /api/v1/{kind}`: JSON array, NDJSON or CSV in; counts or a problem document out.

use std::collections::HashMap;

use app::domain::access::Principal;
use app::domain::ingest::adapters::{Adapter, AdapterOptions};
use app::domain::ingest::{BodyFormat, RecordKind};
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use crate::ingest::{Approvals, IngestError, IngestRequest, Ingestion, Spooled, read_whole};
use crate::listing::parse_kind;
use crate::problem::{Extensions, Problem};
use crate::state::AppState;

/// A `source` names the system records come from; it is part of their key.
pub fn parse_source(query: &HashMap<String, String>) -> Result<String, Problem> {
    let source = query.get("source").map(|s| s.trim()).filter(|s| !s.is_empty()).unwrap_or("api");
    let valid = source.len() <= 100
        && source.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(source.to_owned())
    } else {
        Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "Invalid source",
            "source must be at most 100 characters of a-z, 0-9, '.', '_' and '-'",
        ))
    }
}

/// What `POST /api/v1/{kind}` reads from its query string.
const POST_PARAMETERS: [&str; 9] =
    ["source", "dry_run", "format", "severity_map", "service_map", "column_map", "team", "time_zone", "prometheus_url"];

fn parse_dry_run(query: &HashMap<String, String>) -> Result<bool, Problem> {
    match query.get("dry_run").map(|v| v.trim().to_ascii_lowercase()).as_deref() {
        None | Some("false" | "0" | "no") => Ok(false),
        Some("true" | "1" | "yes" | "") => Ok(true),
        Some(other) => Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "Invalid dry_run",
            format!("dry_run must be true or false, got '{other}'"),
        )),
    }
}

#[utoipa::path(post, path = "/api/v1/{kind}", operation_id = "import_records", summary = "Import records of a kind", tag = "records",
    params(("kind" = String, Path, description = "A record kind (docs/ingestion.md)"),
        ("source" = Option<String>, Query, description = "Where the records come from (provenance)"),
        ("dry_run" = Option<String>, Query, description = "true: validate only, write nothing"),
        ("format" = Option<String>, Query, description = "csv, json, ndjson, or an adapter: openslo, statuspage, pagerduty")),
    request_body(description = "A JSON array, NDJSON or CSV body (or an adapter's file)", content(
        (Vec<Object> = "application/json"), (String = "application/x-ndjson"), (String = "text/csv"))),
    responses((status = 200, description = "Applied (or validated, for a dry run) as one transaction", body = crate::ingest::IngestSummary), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 413, description = "The body is over the limit", body = crate::problem::Problem),
        (status = 415, description = "Unsupported media type", body = crate::problem::Problem),
        (status = 422, description = "Row errors: nothing was written", body = crate::problem::Problem),
        (status = 503, description = "Busy: retry after the time given", body = crate::problem::Problem)))]
pub async fn post_records(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Path(kind): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match handle(state, &principal, &kind, &query, &headers, body).await {
        Ok(response) => response,
        Err(problem) => problem.into_response(),
    }
}

async fn handle(
    state: AppState,
    principal: &Principal,
    kind: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    let kind = parse_kind(kind)?;
    // A misspelt parameter must not pass unnoticed: `dryrun=true` would write for real.
    if let Some(unknown) = query.keys().find(|name| !POST_PARAMETERS.contains(&name.as_str())) {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "Invalid query",
            format!("unknown parameter '{unknown}'; accepted: {}", POST_PARAMETERS.join(", ")),
        ));
    }
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let choice = query.get("format").map(|f| f.trim().to_ascii_lowercase()).filter(|f| !f.is_empty());
    let chosen_native = match choice.as_deref() {
        None => None,
        Some(name) => match (Adapter::from_name(name), BodyFormat::from_choice(name, "")) {
            (Some(adapter), _) => return adapted(state, principal, kind, adapter, query, headers, body).await,
            (None, Some(format)) => Some(format),
            (None, None) => return Err(unknown_format(name)),
        },
    };
    if chosen_native.is_none() && is_yaml(content_type) {
        return adapted(state, principal, kind, Adapter::OpenSlo, query, headers, body).await;
    }
    let format = chosen_native.or_else(|| BodyFormat::from_content_type(content_type)).ok_or_else(|| {
        Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            format!("Content-Type '{content_type}' is not accepted; send application/json (an array), application/x-ndjson or text/csv"),
        )
    })?;
    let ingestion = &state.ingestion;
    let limit = ingestion.max_body_bytes;
    refuse_declared_oversize(headers, limit, IngestError::TooLarge { limit })?;
    let request = ingest_request(ingestion, principal, kind, query)?;
    // The whole body arrives before the import takes the database: a slow client holds nothing.
    let body = Spooled::receive(body.into_data_stream(), limit).await.map_err(Problem::from)?;
    let summary = ingestion.body(request, format, &body, crate::clock_now()).await.map_err(Problem::from)?;
    tracing::info!(kind = %kind, received = summary.received, created = summary.created, updated = summary.updated,
        unchanged = summary.unchanged, dry_run = summary.dry_run, "records ingested");
    Ok((StatusCode::OK, Json(summary)).into_response())
}

/// Refuses a body whose declared length is over `limit` from the header alone, unread.
fn refuse_declared_oversize(headers: &HeaderMap, limit: u64, refusal: IngestError) -> Result<(), Problem> {
    let declared_length =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared_length.is_some_and(|length| length > limit) {
        return Err(refusal.into());
    }
    Ok(())
}

fn ingest_request(
    ingestion: &Ingestion,
    principal: &Principal,
    kind: RecordKind,
    query: &HashMap<String, String>,
) -> Result<IngestRequest, Problem> {
    let source = parse_source(query)?;
    let request = ingestion.request(kind, &source, principal, Approvals::for_importer(principal));
    Ok(IngestRequest { dry_run: parse_dry_run(query)?, ..request })
}

fn unknown_format(name: &str) -> Problem {
    let adapters: Vec<&str> = Adapter::ALL.iter().map(|a| a.name()).collect();
    Problem::new(
        StatusCode::BAD_REQUEST,
        "Unknown format",
        format!("format '{name}' is not one of csv, json, ndjson, {}", adapters.join(", ")),
    )
}

fn is_yaml(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    matches!(essence.as_str(), "application/yaml" | "application/x-yaml" | "text/yaml" | "text/x-yaml")
}

/// `?format=openslo|statuspage|pagerduty` (or a YAML body): the whole file is read, converted
/// by the adapter, and imported on the same path as the native formats. Maps are query
/// parameters: `severity_map`, `service_map`, `column_map` (`key=value,key=value`), `team`,
/// `time_zone` and `prometheus_url`.
async fn adapted(
    state: AppState,
    principal: &Principal,
    kind: RecordKind,
    adapter: Adapter,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: Body,
) -> Result<Response, Problem> {
    if !adapter.kinds().contains(&kind) {
        let kinds: Vec<String> = adapter.kinds().iter().map(|k| format!("/api/v1/{k}")).collect();
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "Format and kind disagree",
            format!(
                "format '{}' ({}) imports {}; send it to {}",
                adapter.name(),
                adapter.label(),
                adapter.kind(),
                kinds.join(" or ")
            ),
        ));
    }
    let text = |name: &str| query.get(name).map(String::as_str).unwrap_or_default();
    let options =
        AdapterOptions::from_texts(text("severity_map"), text("service_map"), text("column_map"), text("team"))
            .and_then(|options| options.with_time_zone(text("time_zone")))
            .and_then(|options| options.with_prometheus_url(text("prometheus_url")))
            .map_err(|message| Problem::new(StatusCode::BAD_REQUEST, "Invalid adapter options", message))?;
    let ingestion = &state.ingestion;
    let limit = ingestion.adapter_limits.max_bytes.min(ingestion.max_body_bytes);
    let too_large = || {
        if limit < ingestion.max_body_bytes {
            IngestError::AdapterTooLarge { limit }
        } else {
            IngestError::TooLarge { limit }
        }
    };
    refuse_declared_oversize(headers, limit, too_large())?;
    let request = ingest_request(ingestion, principal, kind, query)?;
    let file = read_whole(body.into_data_stream(), limit).await.map_err(|error| match error {
        IngestError::TooLarge { .. } => Problem::from(too_large()),
        other => Problem::from(other),
    })?;
    let summary =
        ingestion.adapted(request, adapter, &options, file, crate::clock_now()).await.map_err(Problem::from)?;
    tracing::info!(kind = %kind, format = adapter.name(), received = summary.received, created = summary.created,
        updated = summary.updated, unchanged = summary.unchanged, dry_run = summary.dry_run, "records ingested");
    Ok((StatusCode::OK, Json(summary)).into_response())
}

impl From<IngestError> for Problem {
    fn from(error: IngestError) -> Self {
        let detail = error.to_string();
        match error {
            IngestError::Format { .. } | IngestError::Body(_) => {
                Problem::new(StatusCode::BAD_REQUEST, "Unreadable body", detail)
            }
            IngestError::TooLarge { .. } | IngestError::AdapterTooLarge { .. } => {
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "Body too large", detail)
            }
            IngestError::Busy { retry_after_secs } => {
                let mut problem = Problem::new(StatusCode::SERVICE_UNAVAILABLE, "Busy", detail);
                problem.retry_after_secs = Some(retry_after_secs);
                problem
            }
            IngestError::Forbidden(_) => Problem::new(StatusCode::FORBIDDEN, "Forbidden", detail),
            IngestError::Invalid { errors, error_count, received } => {
                let mut problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "Invalid records", detail);
                problem.extensions = Some(Box::new(Extensions {
                    errors: Some(errors),
                    error_count: Some(error_count),
                    received: Some(received),
                    reference: None,
                }));
                problem
            }
            IngestError::Database(db_error) if crate::db::is_transient(&db_error) => {
                tracing::warn!(error = %db_error, "an import met a concurrent writer; the client is asked to retry");
                let mut problem = Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Busy",
                    "another import wrote the same records at the same moment; nothing was written, send it again",
                );
                problem.retry_after_secs = Some(1);
                problem
            }
            IngestError::Database(db_error) => Problem::internal("ingest", &db_error),
        }
    }
}
