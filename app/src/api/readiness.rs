//! The team self-assessment page: each service's readiness checklist with its answers, progress
//! and sign-offs; answering an item, and signing off someone else's answer.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::scorecard::ReadinessAnswer;
use crate::domain::scorecard::readiness::{ItemState, Progress};
use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadinessItemView {
    pub item: String,
    pub state: ItemState,
    /// Days an answer to this item stays valid (the policy may set it per item).
    pub valid_days: i64,
    /// `yes`, `no` or `n/a`.
    pub answer: Option<String>,
    pub evidence_url: Option<String>,
    pub comment: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    /// The sign-off was imported from another system, not made in Plumbline.
    pub review_imported: bool,
    /// The viewer may sign this answer off (someone else's, and the rules allow it).
    pub can_sign_off: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceReadiness {
    pub service: String,
    pub name: String,
    pub tier: u8,
    /// Days an answer stays valid for the service's tier, unless the item says otherwise;
    /// `None`: the checklist does not apply.
    pub valid_days: Option<i64>,
    pub progress: Progress,
    pub items: Vec<ReadinessItemView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamReadiness {
    pub team: String,
    pub name: String,
    pub services: Vec<ServiceReadiness>,
    /// The viewer may answer for this team's services.
    pub can_answer: bool,
    /// How answers by the viewer are signed.
    pub viewer: String,
}

#[server(endpoint = "team_readiness")]
pub async fn get_team_readiness(team: String) -> Result<TeamReadiness, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Read, "self-assessments")?;
    ports.readiness.team(principal, team).await
}

#[server(endpoint = "answer_readiness")]
pub async fn answer_readiness(
    service: String,
    item: String,
    answer: ReadinessAnswer,
    evidence_url: Option<String>,
    comment: Option<String>,
) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Ingest, "answering self-assessments")?;
    ports.readiness.answer(principal, service, item, answer, evidence_url, comment).await
}

#[server(endpoint = "sign_off_readiness")]
pub async fn sign_off_readiness(service: String, item: String) -> Result<(), AppError> {
    let (principal, ports) =
        crate::ports::enter(crate::domain::access::Access::Ingest, "signing off self-assessments")?;
    ports.readiness.sign_off(principal, service, item).await
}
