//! The KPI index: every pinned KPI of a period and scope, its value in words and its definition,
//! each linked to the records behind it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PeriodHeader;
use crate::error::AppError;

/// One KPI's line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpiLine {
    pub kpi: String,
    pub title: String,
    pub family: String,
    /// The value in words ("median 42 min", "no data", "per SLO").
    pub value: String,
    /// The parts of a composite value, if any.
    pub breakdown: Option<String>,
    pub definition: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KpisView {
    pub header: PeriodHeader,
    /// `org`, `team:SLUG` or `tier:N`.
    pub scope: String,
    /// In the pinned order of docs/kpis.md.
    pub kpis: Vec<KpiLine>,
}

#[server(endpoint = "kpis")]
pub async fn get_kpis(period: Option<String>, scope: Option<String>) -> Result<KpisView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "KPIs")?;
    ports.kpis.kpis(period, scope).await
}
