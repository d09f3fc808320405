//! What it takes to go up a level, and the score in words: the service page's "to reach the next
//! level" panel, and the highest level a tier can reach at all (a level none of whose checks
//! applies to a tier is never reached, so tier-3 services top out at Bronze under the default
//! policy and are left out of "share at Silver or above").

use serde::{Deserialize, Serialize};

use super::{CheckResult, CheckStatus, Level, Policy, Threshold};

impl Policy {
    /// The highest level a service of `tier` can reach: every level up to it has at least one
    /// check that applies to the tier. `None` when not even Bronze can be reached.
    pub fn ceiling_for(&self, tier: u8) -> Option<Level> {
        let mut ceiling = None;
        for level in Level::ALL {
            let applies = self
                .checks
                .iter()
                .any(|c| c.level == level && !matches!(c.threshold_for(tier), Threshold::NotApplicable));
            if !applies {
                break;
            }
            ceiling = Some(level);
        }
        ceiling
    }
}

/// The next step up for one service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NextLevel {
    /// At the highest level its tier can reach (Gold, or below it when no higher check applies).
    AtCeiling { level: Option<Level>, tier: u8 },
    /// The next level, and every check (of it or below) that keeps the service from it.
    Needs { level: Level, checks: Vec<Blocker> },
}

/// A check standing between a service and its next level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Blocker {
    pub id: String,
    pub title: String,
    pub level: Level,
    pub status: CheckStatus,
    /// What was found and how to fix it.
    pub explanation: String,
}

/// The level above `level` (Bronze above none).
fn above(level: Option<Level>) -> Option<Level> {
    match level {
        None => Some(Level::Bronze),
        Some(Level::Bronze) => Some(Level::Silver),
        Some(Level::Silver) => Some(Level::Gold),
        Some(Level::Gold) => None,
    }
}

/// What `checks` (a service of `tier` at `level`) need to reach the next level under `policy`.
pub fn next_level(policy: &Policy, tier: u8, level: Option<Level>, checks: &[CheckResult]) -> NextLevel {
    let ceiling = policy.ceiling_for(tier);
    let Some(next) = above(level).filter(|next| Some(*next) <= ceiling) else {
        return NextLevel::AtCeiling { level, tier };
    };
    let checks = checks
        .iter()
        .filter(|c| c.level <= next && !c.status.clears_level())
        .map(|c| Blocker {
            id: c.id.as_str().to_owned(),
            title: c.title.clone(),
            level: c.level,
            status: c.status,
            explanation: c.explanation.clone(),
        })
        .collect();
    NextLevel::Needs { level: next, checks }
}

/// The score in words: "14 of 20 weight points pass (70 / 100). …".
pub fn score_in_words(checks: &[CheckResult]) -> String {
    let applicable: u64 = checks.iter().filter(|c| c.status.counts()).map(|c| u64::from(c.weight)).sum();
    let passed: u64 = checks.iter().filter(|c| c.status == CheckStatus::Pass).map(|c| u64::from(c.weight)).sum();
    if applicable == 0 {
        return "No check applies to this service, so it has no score.".to_owned();
    }
    format!(
        "{passed} of {applicable} weight points pass ({} / 100). Each check counts by its weight; waived and \
         no-data checks count as not passing; checks that do not apply, or count only from a later date, are \
         left out.",
        passed * 100 / applicable
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scorecard::CheckId;

    fn check(id: CheckId, level: Level, weight: u32, status: CheckStatus) -> CheckResult {
        CheckResult {
            id,
            level,
            title: id.as_str().to_owned(),
            weight,
            status,
            value: serde_json::Value::Null,
            threshold: serde_json::Value::Null,
            explanation: format!("{} explained", id.as_str()),
            waiver: None,
            judged: None,
        }
    }

    #[test]
    fn under_the_default_policy_tier_3_tops_out_at_bronze_and_tier_0_at_gold() {
        let policy = Policy::default_policy().expect("default policy");
        assert_eq!(policy.ceiling_for(0), Some(Level::Gold));
        assert_eq!(policy.ceiling_for(3), Some(Level::Bronze));
    }

    #[test]
    fn the_next_level_lists_every_check_of_it_or_below_that_does_not_clear() {
        let policy = Policy::default_policy().expect("default policy");
        let bronze = policy.checks.iter().find(|c| c.level == Level::Bronze).expect("a bronze check").id;
        let silver = policy.checks.iter().find(|c| c.level == Level::Silver).expect("a silver check").id;
        let gold = policy.checks.iter().find(|c| c.level == Level::Gold).expect("a gold check").id;
        let checks = [
            check(bronze, Level::Bronze, 3, CheckStatus::Pass),
            check(silver, Level::Silver, 2, CheckStatus::NoData),
            check(gold, Level::Gold, 1, CheckStatus::Fail),
        ];
        let NextLevel::Needs { level, checks: blockers } = next_level(&policy, 0, Some(Level::Bronze), &checks) else {
            panic!("tier 0 can go up")
        };
        assert_eq!(level, Level::Silver);
        assert_eq!(blockers.iter().map(|b| b.status).collect::<Vec<_>>(), [CheckStatus::NoData]);
        assert_eq!(
            next_level(&policy, 3, Some(Level::Bronze), &checks),
            NextLevel::AtCeiling { level: Some(Level::Bronze), tier: 3 }
        );
        assert_eq!(
            next_level(&policy, 0, Some(Level::Gold), &checks),
            NextLevel::AtCeiling { level: Some(Level::Gold), tier: 0 }
        );
    }

    #[test]
    fn the_score_is_explained_by_weight() {
        let checks = [
            check(CheckId::ActiveSlo, Level::Bronze, 3, CheckStatus::Pass),
            check(CheckId::SlosMet, Level::Silver, 2, CheckStatus::Waived),
            check(CheckId::DrTestRecent, Level::Gold, 5, CheckStatus::NotApplicable),
        ];
        assert!(score_in_words(&checks).starts_with("3 of 5 weight points pass (60 / 100)."));
        assert!(score_in_words(&[]).starts_with("No check applies"));
    }
}
