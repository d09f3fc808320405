//! The boundary of the Leptos server functions (`/api/…` but the REST API under `/api/v1/`).
//!
//! - Server functions answer every error with 500 unless the function sets a status itself.
//!   [`error_status`] gives each error its own status in one place: the error body is an
//!   [`AppError`] in JSON, and only an internal failure stays a 500. Arguments that cannot be
//!   read (missing or repeated fields) are the client's error, a 400.
//! - [`refuse_nul_arguments`]: no database stores a NUL character in text, so an argument
//!   holding one is refused before any function runs (a 400), instead of failing in a query.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// Error bodies are a short JSON document; anything larger is left alone.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Bodies of server functions are small (the gate limits them to 1 MiB).
const MAX_ARGUMENTS_BODY: usize = 1024 * 1024;

fn is_server_function(request: &Request) -> bool {
    let path = request.uri().path();
    path.starts_with("/api/") && !path.starts_with("/api/v1/")
}

pub async fn refuse_nul_arguments(request: Request, next: Next) -> Response {
    if !is_server_function(&request) || request.method() != axum::http::Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let refuse = |status: StatusCode, error: AppError| {
        let body = serde_json::to_vec(&error).unwrap_or_default();
        Response::builder()
            .status(status)
            .header(axum::http::header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap_or_default()
    };
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ARGUMENTS_BODY).await else {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, AppError::Invalid("the request is too large".to_owned()));
    };
    // `%00` in a form, `\u0000` in JSON: the two ways a NUL character is written.
    let holds_nul = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    if holds_nul(b"%00") || holds_nul(b"\\u0000") {
        let error = AppError::Invalid("text may not contain NUL characters".to_owned());
        return refuse(StatusCode::BAD_REQUEST, error);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

pub async fn error_status(request: Request, next: Next) -> Response {
    let server_function = is_server_function(&request);
    let response = next.run(request).await;
    if !server_function || response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = match error {
            // On the server a request error means its arguments could not be read.
            AppError::Request(_) => StatusCode::BAD_REQUEST,
            other => StatusCode::from_u16(other.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        };
    }
    Response::from_parts(parts, Body::from(bytes))
}
