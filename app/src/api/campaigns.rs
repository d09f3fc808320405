//! Campaigns (docs/campaigns.md): the list with the form an admin creates one with, one
//! campaign's page (burn-up, teams, services still open, result), and the campaigns a team page
//! shows.
// The form to start a campaign has nine fields, each an argument of `create_campaign` (the
// macro's client half cannot carry a per-function allow).
#![allow(clippy::too_many_arguments)]

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::campaign::{CampaignGoal, CampaignScope, CampaignState, Standing};
use crate::error::AppError;

/// One campaign in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignSummary {
    pub slug: String,
    pub title: String,
    pub owner: String,
    /// In words: "DR test within interval passes", "Silver or higher".
    pub goal: String,
    /// In words: "tier 0", "teams payments, search".
    pub scope: String,
    pub deadline: NaiveDate,
    pub state: CampaignState,
    /// Services meeting the goal now (for an ended campaign: at its deadline), of `total`;
    /// `None` while the scorecards are first computed.
    pub met: Option<usize>,
    pub total: Option<usize>,
}

/// A check a campaign's goal may name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoalCheck {
    pub id: String,
    pub title: String,
    pub level: String,
}

/// The campaigns page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignsView {
    /// Running first (nearest deadline first), then ended and cancelled ones (latest first).
    pub campaigns: Vec<CampaignSummary>,
    pub viewer_is_admin: bool,
    pub checks: Vec<GoalCheck>,
    pub teams: Vec<String>,
    /// The range a new campaign's deadline may take.
    pub earliest_deadline: NaiveDate,
    pub latest_deadline: NaiveDate,
    pub recomputing: bool,
}

/// The standing recorded on one reporting day (its last record that day).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BurnUpPoint {
    pub day: NaiveDate,
    pub met: usize,
    pub total: usize,
    pub recorded_at: DateTime<Utc>,
}

/// What a campaign reached: the standing last recorded on its deadline day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignResult {
    pub met: usize,
    pub total: usize,
    /// The services that had not met the goal.
    pub open: Vec<String>,
    /// The day the standing was recorded on: the deadline, or, when nothing was recorded on
    /// it (no server ran that day), the first day after it.
    pub day: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

impl CampaignResult {
    pub fn on_deadline(&self, deadline: NaiveDate) -> bool {
        self.day == deadline
    }
}

/// One campaign's page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignView {
    pub slug: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub goal: String,
    pub goal_definition: CampaignGoal,
    pub scope: String,
    pub scope_definition: CampaignScope,
    pub deadline: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// The reporting day it was started on (the burn-up's first day).
    pub started_on: NaiveDate,
    pub state: CampaignState,
    /// Days from today to the deadline (0 on the deadline; negative once past).
    pub days_left: i64,
    /// Where the campaign stands on the scorecards pages show now; `None` while they are first
    /// computed.
    pub now: Option<Standing>,
    /// When `now` was judged.
    pub as_of: Option<DateTime<Utc>>,
    /// Each day's last recorded standing, from the campaign's creation on, oldest first.
    pub burn_up: Vec<BurnUpPoint>,
    pub result: Option<CampaignResult>,
    pub viewer_is_admin: bool,
    pub recomputing: bool,
}

/// A campaign concerning a team, with the team's share of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamCampaign {
    pub slug: String,
    pub title: String,
    pub goal: String,
    pub deadline: NaiveDate,
    pub state: CampaignState,
    pub met: usize,
    pub total: usize,
    /// The team's services still open.
    pub open: Vec<String>,
}

#[server(endpoint = "campaigns")]
pub async fn get_campaigns() -> Result<CampaignsView, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Read, "campaigns")?;
    ports.campaigns.list(principal).await
}

#[server(endpoint = "campaign")]
pub async fn get_campaign(slug: String) -> Result<CampaignView, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Read, "campaigns")?;
    ports.campaigns.one(principal, slug).await
}

#[server(endpoint = "team_campaigns")]
pub async fn get_team_campaigns(team: String) -> Result<Vec<TeamCampaign>, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Read, "campaigns")?;
    ports.campaigns.of_team(principal, team).await
}

/// Creates a campaign; the form's goal checks are checkboxes named `goal_checks[<check id>]`.
#[server(endpoint = "create_campaign")]
pub async fn create_campaign(
    title: String,
    description: String,
    owner: String,
    goal_kind: String,
    goal_checks: Option<BTreeMap<String, String>>,
    goal_level: Option<String>,
    scope_kind: String,
    scope_values: String,
    deadline: String,
) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "creating campaigns")?;
    let form = crate::domain::campaign::CampaignForm {
        title,
        description,
        owner,
        goal_kind,
        goal_checks: goal_checks.unwrap_or_default().into_keys().collect::<Vec<_>>().join(","),
        goal_level: goal_level.unwrap_or_default(),
        scope_kind,
        scope_values,
        deadline,
    };
    ports.campaigns.create(principal, form).await.map(|_| ())
}

/// What an admin may change on a campaign: its words and its deadline, or cancel it.
#[server(endpoint = "update_campaign")]
pub async fn update_campaign(
    slug: String,
    title: String,
    description: String,
    owner: String,
    deadline: String,
    cancel: Option<String>,
) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "changing campaigns")?;
    let change = CampaignChange { title, description, owner, deadline, cancel: cancel.is_some() };
    ports.campaigns.update(principal, slug, change).await
}

/// A change to a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignChange {
    pub title: String,
    pub description: String,
    pub owner: String,
    pub deadline: String,
    pub cancel: bool,
}
