//! The teams index: every team with its level mix and a few headline figures for a period.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::PeriodHeader;
use crate::error::AppError;

/// One team's line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamRow {
    pub slug: String,
    pub name: String,
    /// Active services, and how many are at Gold, Silver, Bronze and below Bronze.
    pub services: u64,
    pub gold: u64,
    pub silver: u64,
    pub bronze: u64,
    pub below: u64,
    /// `None`: no data in the period (never 0).
    pub slo_met_rate: Option<f64>,
    pub high_sev_count: Option<u64>,
    pub mttr_median: Option<f64>,
    pub overdue_actions: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamsView {
    pub header: PeriodHeader,
    /// By name.
    pub teams: Vec<TeamRow>,
}

#[server(endpoint = "teams")]
pub async fn get_teams(period: Option<String>) -> Result<TeamsView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "teams")?;
    ports.teams.teams(period).await
}
