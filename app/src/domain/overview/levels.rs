//! Levels by tier: how many services of each tier reached each level.

use serde::{Deserialize, Serialize};

use crate::domain::scorecard::{Level, Policy, Scorecard};

/// How many services of one tier reached each level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierLevels {
    pub tier: u8,
    pub gold: u64,
    pub silver: u64,
    pub bronze: u64,
    /// Below Bronze (or no check applies).
    pub none: u64,
    /// The highest level the policy lets this tier reach (Bronze for tier 3 by default): levels
    /// above it are not counted as missed, and the tier has no "share at Silver" below Silver.
    #[serde(default = "gold")]
    pub ceiling: Option<Level>,
}

/// Reports frozen before ceilings were recorded: every level counted as reachable.
fn gold() -> Option<Level> {
    Some(Level::Gold)
}

impl TierLevels {
    pub fn total(&self) -> u64 {
        self.gold + self.silver + self.bronze + self.none
    }

    /// The share at Silver or above; `None` without services, or when the tier cannot reach
    /// Silver at all.
    pub fn share_at_silver(&self) -> Option<f64> {
        let total = self.total();
        (total > 0 && self.ceiling >= Some(Level::Silver)).then(|| (self.gold + self.silver) as f64 / total as f64)
    }
}

/// Levels by tier 0–3 (every tier listed, even when empty), with each tier's ceiling under
/// `policy`.
pub fn level_distribution<'a>(scorecards: impl IntoIterator<Item = &'a Scorecard>, policy: &Policy) -> Vec<TierLevels> {
    let mut tiers: Vec<TierLevels> =
        (0..=3).map(|tier| TierLevels { tier, ceiling: policy.ceiling_for(tier), ..Default::default() }).collect();
    for card in scorecards {
        let Some(row) = tiers.get_mut(usize::from(card.tier)) else { continue };
        match card.level {
            Some(Level::Gold) => row.gold += 1,
            Some(Level::Silver) => row.silver += 1,
            Some(Level::Bronze) => row.bronze += 1,
            None => row.none += 1,
        }
    }
    tiers
}
