//! Levels by tier: how many services of each tier reached each level.

use serde::{Deserialize, Serialize};

use crate::domain::scorecard::{Level, Scorecard};

/// How many services of one tier reached each level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierLevels {
    pub tier: u8,
    pub gold: u64,
    pub silver: u64,
    pub bronze: u64,
    /// Below Bronze (or no check applies).
    pub none: u64,
}

impl TierLevels {
    pub fn total(&self) -> u64 {
        self.gold + self.silver + self.bronze + self.none
    }
}

/// Levels by tier 0–3 (every tier listed, even when empty).
pub fn level_distribution<'a>(scorecards: impl IntoIterator<Item = &'a Scorecard>) -> Vec<TierLevels> {
    let mut tiers: Vec<TierLevels> = (0..=3).map(|tier| TierLevels { tier, ..Default::default() }).collect();
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
