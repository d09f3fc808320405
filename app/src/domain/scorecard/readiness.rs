//! A service's readiness checklist as the self-assessment page shows it: each item of the
//! policy's checklist with its latest answer and where it stands (unanswered, awaiting a second
//! person's sign-off, current, or expired), and the progress over all items.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{CheckId, Policy, ReadinessAnswer, Threshold};

/// One stored answer, as the page needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAnswer {
    pub item: String,
    pub answer: ReadinessAnswer,
    pub answered_by: String,
    pub answered_at: DateTime<Utc>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

/// Where one checklist item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Unanswered,
    AwaitingReview,
    Current,
    Expired,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub items: usize,
    /// Answered and signed off, not expired.
    pub current: usize,
    pub awaiting_review: usize,
    pub expired: usize,
    pub unanswered: usize,
}

impl Progress {
    /// "4 of 6 answered, 1 awaiting review, 1 expired".
    pub fn describe(&self) -> String {
        let answered = self.items - self.unanswered;
        let mut text = format!("{answered} of {} answered", self.items);
        if self.awaiting_review > 0 {
            text.push_str(&format!(", {} awaiting review", self.awaiting_review));
        }
        if self.expired > 0 {
            text.push_str(&format!(", {} expired", self.expired));
        }
        text
    }
}

/// How long an answer stays valid for a service of `tier`: the readiness check's threshold, in
/// days; `None` when the check does not apply to the tier (or the policy has no such check).
pub fn validity_days(policy: &Policy, tier: u8) -> Option<i64> {
    match policy.check(CheckId::SelfAssessmentCurrent)?.threshold_for(tier) {
        Threshold::Value(days) => Some(days as i64),
        Threshold::Required | Threshold::NotApplicable => None,
    }
}

/// The state of an answer at `now`, given how many days answers stay valid.
pub fn state_of(answer: Option<&StoredAnswer>, valid_days: i64, now: DateTime<Utc>) -> ItemState {
    let Some(answer) = answer else { return ItemState::Unanswered };
    let oldest_valid = TimeDelta::try_days(valid_days).and_then(|d| now.checked_sub_signed(d));
    if oldest_valid.is_some_and(|oldest| answer.answered_at < oldest) {
        ItemState::Expired
    } else if answer.reviewed_by.is_none() {
        ItemState::AwaitingReview
    } else {
        ItemState::Current
    }
}

/// One checklist item with its latest answer and where it stands.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChecklistRow<'a> {
    pub item: &'a str,
    pub answer: Option<&'a StoredAnswer>,
    pub state: ItemState,
    /// Days an answer to this item stays valid.
    pub valid_days: i64,
}

/// The checklist of a service of `tier`: each item that applies to the tier with its answer,
/// state and validity, in the policy's order, and the progress. Empty when the readiness check
/// does not apply to the tier.
pub fn checklist<'a>(
    policy: &'a Policy,
    tier: u8,
    answers: &'a [StoredAnswer],
    now: DateTime<Utc>,
) -> (Vec<ChecklistRow<'a>>, Progress) {
    let Some(default_days) = validity_days(policy, tier) else {
        return (Vec::new(), Progress::default());
    };
    let items = policy.checklist_for(tier);
    let mut progress = Progress { items: items.len(), ..Progress::default() };
    let rows = items
        .into_iter()
        .map(|item| {
            let answer = answers.iter().filter(|a| a.item == item.id).max_by_key(|a| a.answered_at);
            let valid_days = item.validity_days(default_days);
            let state = state_of(answer, valid_days, now);
            match state {
                ItemState::Unanswered => progress.unanswered += 1,
                ItemState::AwaitingReview => progress.awaiting_review += 1,
                ItemState::Current => progress.current += 1,
                ItemState::Expired => progress.expired += 1,
            }
            ChecklistRow { item: item.id.as_str(), answer, state, valid_days }
        })
        .collect();
    (rows, progress)
}

/// Whether `reviewer` may sign off an answer given by `answered_by` for a service of `team`:
/// someone else, who is an admin or belongs to another team (`reviewer_teams` are the teams the
/// reviewer edits).
pub fn may_sign_off(reviewer: &str, is_admin: bool, reviewer_teams: &[String], answered_by: &str, team: &str) -> bool {
    let someone_else = !reviewer.trim().eq_ignore_ascii_case(answered_by.trim());
    someone_else && (is_admin || (!reviewer_teams.is_empty() && !reviewer_teams.iter().any(|t| t == team)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::utc;

    fn answer(item: &str, at: &str, reviewed: bool) -> StoredAnswer {
        StoredAnswer {
            item: item.into(),
            answer: ReadinessAnswer::Yes,
            answered_by: "eve".into(),
            answered_at: utc(at),
            reviewed_by: reviewed.then(|| "rob".into()),
            reviewed_at: reviewed.then(|| utc(at)),
        }
    }

    #[test]
    fn items_are_unanswered_awaiting_review_current_or_expired() {
        let policy = Policy::default_policy().unwrap();
        let now = utc("2026-11-27T00:00:00Z");
        let answers = [
            answer("runbook", "2026-11-01T00:00:00Z", true),
            answer("on_call_rotation", "2026-11-02T00:00:00Z", false),
            answer("slo_alerting", "2026-01-01T00:00:00Z", true),
            // An older answer of the same item does not count: the latest does.
            answer("dependency_map", "2025-01-01T00:00:00Z", true),
            answer("dependency_map", "2026-10-01T00:00:00Z", true),
        ];
        assert_eq!(validity_days(&policy, 0), Some(180));
        let (rows, progress) = checklist(&policy, 0, &answers, now);
        let state = |item: &str| rows.iter().find(|row| row.item == item).map(|row| row.state);
        assert_eq!(state("runbook"), Some(ItemState::Current));
        assert_eq!(state("on_call_rotation"), Some(ItemState::AwaitingReview));
        assert_eq!(state("slo_alerting"), Some(ItemState::Expired));
        assert_eq!(state("dependency_map"), Some(ItemState::Current));
        assert_eq!(state("dashboards"), Some(ItemState::Unanswered));
        assert_eq!(progress, Progress { items: 9, current: 2, awaiting_review: 1, expired: 1, unanswered: 5 });
        assert_eq!(progress.describe(), "4 of 9 answered, 1 awaiting review, 1 expired");
        assert_eq!(validity_days(&policy, 3), None, "tier 3 has no readiness check");
        assert!(checklist(&policy, 3, &answers, now).0.is_empty());
    }

    #[test]
    fn a_tier_answers_its_own_items_each_valid_for_its_own_days() {
        let policy = Policy::default_policy().unwrap();
        let now = utc("2026-11-27T00:00:00Z");
        // 100 days old: past the capacity plan's 90 days, within the others' 180.
        let answers =
            [answer("capacity_plan", "2026-08-19T00:00:00Z", true), answer("runbook", "2026-08-19T00:00:00Z", true)];
        let (rows, progress) = checklist(&policy, 1, &answers, now);
        let row = |item: &str| rows.iter().find(|row| row.item == item).copied();
        assert_eq!(row("capacity_plan").map(|r| (r.state, r.valid_days)), Some((ItemState::Expired, 90)));
        assert_eq!(row("runbook").map(|r| (r.state, r.valid_days)), Some((ItemState::Current, 180)));
        assert_eq!(progress.items, 9);
        let (rows, progress) = checklist(&policy, 2, &answers, now);
        assert_eq!(progress.items, 6, "dependency map, capacity plan and DR plan are for tiers 0 and 1");
        assert!(rows.iter().all(|row| row.item != "capacity_plan"));
    }

    #[test]
    fn a_sign_off_is_by_someone_else_of_another_team_or_an_admin() {
        assert!(may_sign_off("rob", false, &["edge".into()], "eve", "payments"));
        assert!(!may_sign_off("rob", false, &["payments".into()], "eve", "payments"), "same team");
        assert!(!may_sign_off("Eve", true, &[], "eve", "payments"), "one's own answer, even as admin");
        assert!(may_sign_off("ada", true, &[], "eve", "payments"));
        assert!(!may_sign_off("vic", false, &[], "eve", "payments"), "no team, not an admin");
    }
}
