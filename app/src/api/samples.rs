//! The sample reviews page (docs/sample-reviews.md): samples of a population's records drawn for
//! an audit, and each sampled record's review.
#![allow(clippy::too_many_arguments)] // a server function takes its form's fields one by one

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::evidence::samples::ReviewStatus;
use crate::error::AppError;

/// A sampled record and its review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleItemView {
    pub id: i64,
    /// 1-based, in draw order.
    pub position: i32,
    pub record_id: i64,
    /// Its external id (or what names it) when it was drawn.
    pub label: String,
    pub status: ReviewStatus,
    pub comment: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleView {
    pub id: i64,
    pub population: String,
    pub from: String,
    pub to: String,
    /// How the records were chosen, in words (with the seed of a random draw).
    pub method: String,
    pub drawn_by: String,
    pub drawn_at: String,
    pub items: Vec<SampleItemView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SamplesView {
    /// Newest first.
    pub samples: Vec<SampleView>,
    /// The populations a sample can be drawn from.
    pub populations: Vec<String>,
    /// The window the form proposes: the last closed quarter.
    pub default_from: String,
    pub default_to: String,
}

#[server(endpoint = "samples")]
pub async fn get_samples() -> Result<SamplesView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Audit, "sample reviews")?;
    ports.samples.list().await
}

/// Draws a sample; returns its id.
#[server(endpoint = "create_sample")]
pub async fn create_sample(
    population: String,
    from: String,
    to: String,
    method: String,
    size: Option<String>,
    seed: Option<String>,
    ids: Option<String>,
    days_from: Option<String>,
    days_to: Option<String>,
) -> Result<i64, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Audit, "drawing samples")?;
    let form = crate::domain::evidence::samples::SampleForm {
        population,
        from,
        to,
        method,
        size: size.unwrap_or_default(),
        seed: seed.unwrap_or_default(),
        ids: ids.unwrap_or_default(),
        days_from: days_from.unwrap_or_default(),
        days_to: days_to.unwrap_or_default(),
    };
    ports.samples.create(principal, form).await
}

/// Records the review of a sampled record: `ready`, `approved` or `flagged` (with a comment).
#[server(endpoint = "review_sample")]
pub async fn review_sample(item: i64, status: String, comment: Option<String>) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Audit, "reviewing samples")?;
    ports.samples.review(principal, item, status, comment.unwrap_or_default()).await
}
