//! What every figure page says about its period (the overview, team pages).

use serde::{Deserialize, Serialize};

/// What every summary page says about its period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodHeader {
    pub period: String,
    pub previous: String,
    /// First and last day (inclusive), in the reporting time zone.
    pub from: String,
    pub to: String,
    pub as_of: String,
    /// The period has not ended: its figures still move.
    pub open: bool,
    /// Open, draft or published (with the headline figures live data now disagrees with).
    pub state: crate::domain::publication::PeriodState,
    /// Whole days passed at the as-of instant, and the period's days.
    pub elapsed_days: u32,
    pub total_days: u32,
    pub definitions_version: String,
    pub policy_version: String,
    /// These figures are the last computed (as of `as_of`); newer ones, with data imported
    /// since, are being computed.
    #[serde(default)]
    pub recomputing: bool,
    /// What the period picker offers, newest first.
    pub quarters: Vec<String>,
    pub months: Vec<String>,
}
