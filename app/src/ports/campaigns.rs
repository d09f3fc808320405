//! The campaigns pages' port (and the campaigns panel of the team page).

use crate::api::{CampaignChange, CampaignView, CampaignsView, TeamCampaign};
use crate::domain::access::Principal;
use crate::domain::campaign::CampaignForm;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait CampaignsPort: Send + Sync {
    async fn list(&self, principal: Principal) -> Result<CampaignsView, AppError>;
    async fn one(&self, principal: Principal, slug: String) -> Result<CampaignView, AppError>;
    async fn of_team(&self, principal: Principal, team: String) -> Result<Vec<TeamCampaign>, AppError>;
    /// Creates a campaign and returns its slug.
    async fn create(&self, principal: Principal, form: CampaignForm) -> Result<String, AppError>;
    async fn update(&self, principal: Principal, slug: String, change: CampaignChange) -> Result<(), AppError>;
}
