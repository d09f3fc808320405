//! "What to fix next": the failing and data-less checks of some scorecards, ordered by the
//! levels they block.

use std::cmp::Reverse;

use serde::{Deserialize, Serialize};

use super::{CheckId, CheckStatus, Level, Scorecard};
use crate::domain::records::Slug;

/// One failing (or data-less) check to fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
