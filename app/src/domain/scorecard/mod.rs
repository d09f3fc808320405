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
pub mod forecast;
pub mod ical;
pub mod listing;
pub mod movers;
mod oncall_hours;
pub mod policy;
pub mod progress;
pub mod readiness;
pub mod targets;
pub mod waiver;

mod fix_next;
#[cfg(test)]
mod tests;

pub use evaluate::{
    ApprovalOrigin, CheckResult, CheckStatus, Exemption, ReadinessAnswer, Scorecard, SelfAssessmentAnswer,
    ServiceInputs, Waiver, evaluate_dataset, evaluate_service, level_of, score_of,
};
pub use fix_next::{FixItem, fix_next};
pub use policy::{CheckId, CheckSpec, ChecklistItem, DEFAULT_POLICY_TOML, Level, Policy, PolicyError, Threshold, Unit};
pub use progress::{Blocker, NextLevel, next_level, score_in_words};
