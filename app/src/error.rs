//! The one error type server functions return to the browser: safe to show, never raw
//! database text. Internal failures carry only an opaque reference that is also in the log.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Something failed on the server; the details are in its log under `reference`.
    #[error("Something went wrong on our side. Quote reference {reference} when reporting it.")]
    Internal { reference: String },
    /// The request itself could not be carried (network, encoding).
    #[error("The request failed: {0}")]
    Request(String),
    /// The caller may not do this (checked on the server).
    #[error("You do not have access to {0}.")]
    Forbidden(String),
    /// There is no such thing (a service, a team); the message names it.
    #[error("{0}")]
    NotFound(String),
    /// The request asked for something malformed; the message says what.
    #[error("{0}")]
    Invalid(String),
    /// Too many requests of this kind from the client: wait, then try again.
    #[error("{0}")]
    TooMany(String),
}

impl AppError {
    /// The HTTP status a page showing this error answers with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Internal { .. } => 500,
            AppError::Request(_) => 502,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid(_) => 400,
            AppError::TooMany(_) => 429,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::Request(value.to_string())
    }
}

/// A period the caller asked for that cannot be read is their error.
impl From<crate::domain::kpi::PeriodError> for AppError {
    fn from(error: crate::domain::kpi::PeriodError) -> Self {
        AppError::Invalid(error.to_string())
    }
}
