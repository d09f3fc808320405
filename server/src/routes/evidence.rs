//! `GET /api/v1/evidence?from=&to=[&team=…][&tier=…][&sample_<population>=N][&seed=]`: the
//! audit evidence pack as a ZIP, streamed while it is built (auditors and admins only).

use app::domain::access::Principal;
use app::domain::evidence::EvidenceRequest;
use app::domain::evidence::control_tests::ControlThresholds;
use axum::Extension;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use crate::evidence::{self, EvidenceError, PackContext};
use crate::problem::Problem;
use crate::state::AppState;

/// Chunks buffered between the builder and the connection (each a page or so of compressed rows).
const CHANNEL_CHUNKS: usize = 8;

/// The parameter the Evidence page's form adds (`form=1`).
const FORM_MARK: &str = "form";

/// A 303 back to the Evidence page with the error and what was entered, so the form shows the
/// mistake beside the fields instead of a problem document.
fn back_to_form(pairs: &[(String, String)], detail: &str) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    let entered = |key: &str| matches!(key, "from" | "to" | "team" | "tier" | "seed") || key.starts_with("sample_");
    for (key, value) in pairs.iter().filter(|(k, _)| entered(k)) {
        query.append_pair(key, value);
    }
    query.append_pair("error", detail);
    (StatusCode::SEE_OTHER, [(header::LOCATION, format!("/evidence?{}", query.finish()))]).into_response()
}

#[utoipa::path(get, path = "/api/v1/evidence", operation_id = "download_evidence_pack", summary = "Download an evidence pack", tag = "evidence",
    params(("from" = Option<String>, Query, description = "First day of the audit window (required)"),
        ("to" = Option<String>, Query, description = "Last day of the audit window (required)"),
        ("team" = Option<String>, Query, description = "Only the services of this team"),
        ("tier" = Option<String>, Query, description = "Only this tier (0-3)"),
        ("seed" = Option<String>, Query, description = "Seed of the samples; sample_<population>=N (e.g. sample_incidents=25) draws N records of a population"),
        ("as_known_at" = Option<String>, Query, description = "An RFC 3339 instant: the records as they were known then (docs/as-known-at.md)")),
    responses((status = 200, description = "The evidence pack, a ZIP streamed (docs/evidence-pack.md)", content_type = "application/zip"), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn download(
    State(state): State<AppState>,
    Extension(principal): Extension<Principal>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    // The Evidence page's form marks itself: its mistakes go back to the form, not to a JSON page.
    let from_form = pairs.iter().any(|(k, v)| k == FORM_MARK && v == "1");
    let pairs: Vec<(String, String)> = pairs.into_iter().filter(|(k, _)| k != FORM_MARK).collect();
    let refuse = |detail: String| {
        if from_form {
            back_to_form(&pairs, &detail)
        } else {
            Problem::new(StatusCode::BAD_REQUEST, "Invalid evidence request", detail).into_response()
        }
    };
    let request = match EvidenceRequest::from_pairs(&pairs) {
        Ok(request) => request,
        Err(error) => return refuse(error.to_string()),
    };
    if let Some(at) = request.as_known_at {
        match crate::record_history::known_at::check(&state.db, at, crate::clock_now()).await {
            Ok(()) => {}
            Err(crate::record_history::known_at::KnownAtError::Database(error)) => {
                return Problem::internal("preparing an evidence pack", &error).into_response();
            }
            Err(refused) => return refuse(refused.to_string()),
        }
    }
    // With as_known_at, the team and tier filters read the teams and services as known then.
    let scope = match evidence::resolve_scope(&state.db, &request).await {
        Ok(scope) => scope,
        Err(EvidenceError::UnknownTeam(team)) => return refuse(format!("unknown team '{team}'")),
        Err(other) => return Problem::internal("preparing an evidence pack", &other).into_response(),
    };
    let context = PackContext {
        generated_at: crate::clock_now(),
        generated_by: principal.actor(),
        channel: "http",
        policy_version: state.figures.policy.version.clone(),
        calendar: state.figures.calendar,
        audit_head: None,
        checkpoints: state.checkpoints.clone(),
        control_thresholds: ControlThresholds::from_policy(&state.figures.policy),
    };
    let file_name = format!("plumbline-evidence-{}-{}.zip", request.from, request.to);
    let (sender, mut receiver) = mpsc::channel(CHANNEL_CHUNKS);
    tokio::spawn(async move {
        match evidence::deliver(&state.db, &request, &scope, context, &sender).await {
            Ok(summary) => tracing::info!(pack_sha256 = %summary.sha256, bytes = summary.bytes, "evidence pack sent"),
            Err(EvidenceError::Cancelled) => tracing::info!("evidence download cancelled by the client"),
            Err(error) => {
                // The status line is gone already: cut the body so the client sees a failed
                // download, never a short ZIP that looks complete.
                let app_error = app::error::AppError::internal("building an evidence pack", &error);
                let _ = sender.send(Err(std::io::Error::other(app_error.to_string()))).await;
            }
        }
    });
    let body = Body::from_stream(futures::stream::poll_fn(move |cx| receiver.poll_recv(cx)));
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

/// The public key evidence packs and audit checkpoints are signed with, as PEM, with its id in
/// `x-plumbline-key-id`. Public on purpose: an auditor fetches it (or is handed it) once and
/// checks every pack against it with `plumbline verify-pack --public-key`.
#[utoipa::path(get, path = "/api/v1/evidence/public-key", operation_id = "evidence_public_key", summary = "The evidence signing key", tag = "evidence", security(()),
    responses((status = 200, description = "The Ed25519 public key (SubjectPublicKeyInfo PEM)", content_type = "application/x-pem-file")))]
pub async fn public_key(State(state): State<AppState>) -> Response {
    let signer = &state.checkpoints.signer;
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/x-pem-file".to_owned()),
            (header::HeaderName::from_static("x-plumbline-key-id"), signer.key_id()),
        ],
        signer.public_key_pem(),
    )
        .into_response()
}

/// `GET /api/v1/evidence/control-tests?from=&to=[&team=…][&tier=…]`: each control test over the
/// window (docs/control-tests.md), as the Evidence page shows it.
#[utoipa::path(get, path = "/api/v1/evidence/control-tests", operation_id = "control_tests", summary = "Run the control tests of a window", tag = "evidence",
    params(("from" = Option<String>, Query, description = "First day of the audit window (required)"),
        ("to" = Option<String>, Query, description = "Last day of the audit window (required)"),
        ("team" = Option<String>, Query, description = "Only the services of this team"),
        ("tier" = Option<String>, Query, description = "Only this tier (0-3)")),
    responses((status = 200, description = "Each test's population, deviations and status", body = Object),
        (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn control_tests(State(state): State<AppState>, Query(pairs): Query<Vec<(String, String)>>) -> Response {
    let invalid = |detail: String| Problem::new(StatusCode::BAD_REQUEST, "Invalid control test request", detail);
    let request = match EvidenceRequest::from_pairs(&pairs) {
        Ok(request) if request.samples.is_empty() && request.seed.is_none() && request.as_known_at.is_none() => request,
        Ok(request) if request.as_known_at.is_some() => {
            let detail = "as_known_at is taken by evidence packs (GET /api/v1/evidence), whose control_tests.csv \
                          is then as known at that instant; here control tests run on the records as they are";
            return invalid(detail.to_owned()).into_response();
        }
        Ok(_) => {
            return invalid("samples and seeds belong to evidence packs, not control tests".to_owned()).into_response();
        }
        Err(error) => return invalid(error.to_string()).into_response(),
    };
    if let Some(problem) = crate::pages::evidence::window_too_long(&request) {
        return invalid(problem).into_response();
    }
    match crate::pages::evidence::control_tests_view(&state.figures, &request).await {
        Ok(view) => axum::Json(view).into_response(),
        Err(EvidenceError::UnknownTeam(team)) => invalid(format!("unknown team '{team}'")).into_response(),
        Err(error) => Problem::internal("running the control tests", &error).into_response(),
    }
}
