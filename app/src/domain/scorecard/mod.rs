//! Scorecards (docs/scorecard-policy.md): a versioned policy of checks grouped into Bronze → Silver → Gold
//! with thresholds by tier, its pure evaluation per service and period, and "what to fix next".
//!
//! Decisions worth knowing:
//! - **Level**: the highest level whose checks, and those of every level below, pass, are
//!   waived or do not apply; `no_data` never clears a level. A level none of whose checks
//!   applies is not reached, so tier-3 services (judged on Bronze only) top out at Bronze.
//! - **Score**: ⌊100 × Σweight(pass) ÷ Σweight(applicable)⌋ where applicable is every status but
//!   `not_applicable`. Waived and `no_data` checks stay in the denominator and never count as
//!   passed, so an exemption unblocks a level but does not raise the score.
//! - **Empty populations**: a check whose population is empty because nothing happened (no
//!   high-severity incident mitigated, no action due) is `not_applicable`; one whose data is
//!   missing (no SLO measurements, incident without timestamps, no self-assessment) is `no_data`.
//! - **Exemptions** waive a failing or `no_data` check while `now < expires_at` (judged at
//!   `now`, not at the period's as-of instant); a passing check stays `pass`.

pub mod display;
pub mod evaluate;
pub mod listing;
pub mod policy;
pub mod readiness;
pub mod waiver;

#[cfg(test)]
mod tests;

use std::cmp::Reverse;

use serde::Serialize;

pub use evaluate::{
    ApprovalOrigin, CheckResult, CheckStatus, Exemption, ReadinessAnswer, Scorecard, SelfAssessmentAnswer,
    ServiceInputs, Waiver, evaluate_dataset, evaluate_service, level_of, score_of,
};
pub use policy::{CheckId, CheckSpec, ChecklistItem, DEFAULT_POLICY_TOML, Level, Policy, PolicyError, Threshold, Unit};

use crate::domain::records::Slug;

/// One failing (or data-less) check to fix.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FixItem {
    pub service: Slug,
    pub team: Slug,
    pub tier: u8,
    pub check: CheckId,
    pub title: String,
    pub level: Level,
    /// `fail` or `no_data`.
    pub status: CheckStatus,
    /// Levels this check keeps out of reach: Bronze 3, Silver 2, Gold 1.
    pub levels_blocked: u8,
    pub explanation: String,
}

/// "What to fix next": the failing and `no_data` checks of the given scorecards (waived and
/// not-applicable ones are left out), ordered by the levels they block (most first), then by
/// tier (tier 0 first), then by service slug and the check's position in the policy. Pass one
/// service's scorecard, a team's, or all of them.
pub fn fix_next<'a>(scorecards: impl IntoIterator<Item = &'a Scorecard>) -> Vec<FixItem> {
    let mut items: Vec<(usize, FixItem)> = scorecards
        .into_iter()
        .flat_map(|card| {
            card.checks.iter().enumerate().filter(|(_, c)| c.status.needs_fixing()).map(move |(position, c)| {
                (
                    position,
                    FixItem {
                        service: card.service.clone(),
                        team: card.team.clone(),
                        tier: card.tier,
                        check: c.id,
                        title: c.title.clone(),
                        level: c.level,
                        status: c.status,
                        levels_blocked: c.level.levels_blocked(),
                        explanation: c.explanation.clone(),
                    },
                )
            })
        })
        .collect();
    items.sort_by(|(pa, a), (pb, b)| {
        (Reverse(a.levels_blocked), a.tier, &a.service, *pa).cmp(&(Reverse(b.levels_blocked), b.tier, &b.service, *pb))
    });
    items.into_iter().map(|(_, item)| item).collect()
}
