//! The On-call page's port.

use serde::{Deserialize, Serialize};

use crate::api::TeamOncall;
use crate::domain::access::Principal;
use crate::error::AppError;

/// Which of a team's pages a triage change sets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TriageTarget {
    /// One page, by its row id.
    Alert(i64),
    /// Every page of `rule` fired in `period` (only the unreviewed ones when asked).
    Rule { rule: String, period: String, unreviewed_only: bool },
}

#[async_trait::async_trait]
pub trait OncallPort: Send + Sync {
    async fn team(
        &self,
        principal: Principal,
        team: String,
        period: Option<String>,
        rule: Option<String>,
        disposition: Option<String>,
    ) -> Result<TeamOncall, AppError>;

    /// Sets `disposition` on the target's pages; returns how many changed.
    async fn triage(
        &self,
        principal: Principal,
        team: String,
        target: TriageTarget,
        disposition: String,
        note: Option<String>,
    ) -> Result<u64, AppError>;
}
