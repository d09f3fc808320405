//! RFC 9457 problem documents, the one error format of the REST API.

use app::domain::ingest::RowError;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::ingest::IngestError;

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
