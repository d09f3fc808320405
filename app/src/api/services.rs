//! The services list: every active service's scorecard for a period, filtered, sorted, paged.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// The services list as the URL asks for it (every field straight from the query string, so a
/// view can be linked; the server validates).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServicesQuery {
    pub period: Option<String>,
    pub team: Option<String>,
    pub tier: Option<String>,
    pub level: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub desc: Option<String>,
    pub page: Option<String>,
    /// `matrix`: every check's status as a services × checks grid (the page's choice only).
    pub view: Option<String>,
}

/// One page of the services list for a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicesView {
    pub period: String,
    pub policy_version: String,
    pub page: crate::domain::scorecard::listing::ServicePage,
    /// Every team with an active service (slug, name), for the filter.
    pub teams: Vec<(String, String)>,
    /// The period the change column compares with, and whether it has any data.
    pub previous: String,
    pub previous_has_data: bool,
    /// The policy's checks, in order: the matrix's columns.
    pub checks: Vec<CheckColumn>,
    /// Outdated scorecards are shown while newer ones, with data imported since, are computed.
    #[serde(default)]
    pub recomputing: bool,
}

/// A check as a column of the services × checks matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckColumn {
    pub id: String,
    pub title: String,
    pub level: crate::domain::scorecard::Level,
}

#[server(endpoint = "services")]
pub async fn get_services(query: ServicesQuery) -> Result<ServicesView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "the services list")?;
    ports.services.services(query).await
}
