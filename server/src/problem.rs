//! RFC 9457 problem documents, the one error format of the REST API.

use app::domain::ingest::RowError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An RFC 9457 problem document: every error of the REST API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    #[schema(value_type = String)]
    pub kind: &'static str,
    #[schema(value_type = String)]
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// Members beyond the standard ones, boxed to keep `Result<_, Problem>` small.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(inline)]
    pub extensions: Option<Box<Extensions>>,
    /// Sent as `Retry-After` (503 and 429 answers), not in the document.
    #[serde(skip)]
    pub retry_after_secs: Option<u64>,
}

/// What some problems add: the row errors of a refused import, or an internal error's reference.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
pub struct Extensions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<RowError>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Problem {
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        Problem {
            kind: "about:blank",
            title,
            status: status.as_u16(),
            detail: detail.into(),
            extensions: None,
            retry_after_secs: None,
        }
    }

    /// A 500 whose cause goes to the log under a reference the user can quote.
    pub fn internal(context: &str, error: &dyn std::fmt::Display) -> Self {
        let reference = match app::error::AppError::internal(context, error) {
            app::error::AppError::Internal { reference } => reference,
            other => other.to_string(),
        };
        let mut problem = Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Internal error",
            format!("Something went wrong on our side. Quote reference {reference} when reporting it."),
        );
        problem.extensions = Some(Box::new(Extensions { reference: Some(reference), ..Extensions::default() }));
        problem
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut response = (status, [(header::CONTENT_TYPE, "application/problem+json")], body).into_response();
        if let Some(seconds) = self.retry_after_secs {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        }
        response
    }
}

/// A page service's error answered on the REST API (its message is already safe to show).
impl From<app::error::AppError> for Problem {
    fn from(error: app::error::AppError) -> Self {
        use app::error::AppError;
        let detail = error.to_string();
        let mut problem = match &error {
            AppError::Internal { .. } => Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal error", detail),
            AppError::Request(_) => Problem::new(StatusCode::BAD_GATEWAY, "Request failed", detail),
            AppError::Forbidden(_) => Problem::new(StatusCode::FORBIDDEN, "Forbidden", detail),
            AppError::NotFound(_) => Problem::new(StatusCode::NOT_FOUND, "Not found", detail),
            AppError::Invalid(_) => Problem::new(StatusCode::BAD_REQUEST, "Invalid request", detail),
            AppError::TooMany(_) => Problem::new(StatusCode::TOO_MANY_REQUESTS, "Too many requests", detail),
        };
        if let AppError::Internal { reference } = error {
            problem.extensions = Some(Box::new(Extensions { reference: Some(reference), ..Extensions::default() }));
        }
        problem
    }
}
