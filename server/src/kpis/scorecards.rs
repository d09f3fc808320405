//! Scorecards (docs/scorecard-policy.md) for a period: the period's populations for the whole
//! organisation, evaluated service by service against the policy in force.

use app::domain::kpi::{Dataset, Period, Scope};
use app::domain::records::Slug;
use app::domain::scorecard::{
    ApprovalOrigin, CheckId, Exemption, FixItem, Level, Policy, ReadinessAnswer, Scorecard, SelfAssessmentAnswer,
    evaluate_dataset, fix_next,
};
use chrono::{DateTime, Utc};
use sea_orm::ConnectionTrait;
use sea_orm::EntityTrait;

use crate::entities::{exemption, self_assessment, service};
use serde::Serialize;

use super::LoadError;
use super::load;

/// Which scorecards to list; every filter is optional.
#[derive(Debug, Clone, Default)]
pub struct ScorecardFilter {
    pub team: Option<String>,
    pub tier: Option<u8>,
    /// `Some(None)` asks for services below Bronze.
    pub level: Option<Option<Level>>,
    pub service: Option<String>,
}

impl ScorecardFilter {
    /// The services `scope` selects.
    pub fn of_scope(scope: &app::domain::kpi::Scope) -> ScorecardFilter {
        use app::domain::kpi::Scope;
        match scope {
            Scope::Org => ScorecardFilter::default(),
            Scope::Team(team) => ScorecardFilter { team: Some(team.to_string()), ..Default::default() },
            Scope::Tier(tier) => ScorecardFilter { tier: Some(*tier), ..Default::default() },
            Scope::Service(service) => ScorecardFilter { service: Some(service.to_string()), ..Default::default() },
        }
    }

    pub fn is_empty(&self) -> bool {
        self.team.is_none() && self.tier.is_none() && self.level.is_none() && self.service.is_none()
    }

    pub(crate) fn keeps(&self, card: &Scorecard) -> bool {
        self.team.as_deref().is_none_or(|team| card.team.as_str() == team)
            && self.tier.is_none_or(|tier| card.tier == tier)
            && self.level.is_none_or(|level| card.level == level)
            && self.service.as_deref().is_none_or(|service| card.service.as_str() == service)
    }
}

/// `GET /api/v1/scorecards` and `GET /api/v1/services/{slug}/scorecard`.
#[derive(Debug, Clone, Serialize)]
pub struct ScorecardReport {
    pub period: Period,
    pub as_of: DateTime<Utc>,
    pub policy_version: String,
    pub scorecards: Vec<Scorecard>,
    /// The failing checks of the listed services, most blocking first.
    pub fix_next: Vec<FixItem>,
}

impl ScorecardReport {
    /// The scorecards `filter` keeps, with their own "what to fix next".
    pub fn narrowed(&self, filter: &ScorecardFilter) -> ScorecardReport {
        let scorecards: Vec<Scorecard> = self.scorecards.iter().filter(|c| filter.keeps(c)).cloned().collect();
        ScorecardReport {
            period: self.period,
            as_of: self.as_of,
            policy_version: self.policy_version.clone(),
            fix_next: fix_next(&scorecards),
            scorecards,
        }
    }
}

/// Scores every active service for `period`, then keeps those `filter` selects. Stored
/// exemptions waive their check while unexpired; signed-off self-assessment answers count.
pub async fn scorecard_report<C: ConnectionTrait>(
    db: &C,
    policy: &Policy,
    period: &Period,
    filter: &ScorecardFilter,
    now: DateTime<Utc>,
) -> Result<ScorecardReport, LoadError> {
    let data = load::load(db, period, now, &Scope::Org, &policy.kpi).await?;
    scorecards_of(db, &data, policy, period, filter, now).await
}

/// As [`scorecard_report`], over an already loaded organisation.
pub async fn scorecards_of<C: ConnectionTrait>(
    db: &C,
    data: &Dataset,
    policy: &Policy,
    period: &Period,
    filter: &ScorecardFilter,
    now: DateTime<Utc>,
) -> Result<ScorecardReport, LoadError> {
    let exemptions = exemptions(db).await?;
    let answers = self_assessment_answers(db).await?;
    // Retired services are no longer run: they get no scorecard.
    let active: std::collections::HashSet<&Slug> = data.services.iter().filter(|s| s.active).map(|s| &s.slug).collect();
    let scorecards: Vec<Scorecard> = evaluate_dataset(policy, data, period, now, &exemptions, &answers)
        .into_iter()
        .filter(|card| active.contains(&card.service))
        .filter(|card| filter.keeps(card))
        .collect();
    let fix_next = fix_next(&scorecards);
    Ok(ScorecardReport {
        period: *period,
        as_of: period.as_of(now),
        policy_version: policy.version.clone(),
        scorecards,
        fix_next,
    })
}

/// Every signed-off self-assessment answer, as the evaluator's type: an answer counts only once
/// someone other than its author has reviewed it.
pub(super) async fn self_assessment_answers<C: ConnectionTrait>(
    db: &C,
) -> Result<Vec<SelfAssessmentAnswer>, LoadError> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let rows: Vec<(self_assessment::Model, Option<service::Model>)> = self_assessment::Entity::find()
        .filter(self_assessment::Column::ReviewedBy.is_not_null())
        .find_also_related(service::Entity)
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(row, service)| {
            let answer = ReadinessAnswer::parse(&row.answer);
            let slug = service.and_then(|s| Slug::parse(&s.slug).ok());
            if answer.is_none() || slug.is_none() {
                tracing::warn!(answer = row.id, "skipping a self-assessment answer that cannot be read");
            }
            Some(SelfAssessmentAnswer {
                service: slug?,
                item: row.item,
                answer: answer?,
                answered_at: row.answered_at,
                reviewed_at: row.reviewed_at?,
            })
        })
        .collect())
}

/// Every stored exemption, as the evaluator's type (it decides which are still in force).
pub(super) async fn exemptions<C: ConnectionTrait>(db: &C) -> Result<Vec<Exemption>, LoadError> {
    let rows: Vec<(exemption::Model, Option<service::Model>)> =
        exemption::Entity::find().find_also_related(service::Entity).all(db).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(row, service)| {
            let check = CheckId::parse(&row.check_id);
            let slug = service.and_then(|s| Slug::parse(&s.slug).ok());
            if check.is_none() || slug.is_none() {
                tracing::warn!(exemption = row.id, check = %row.check_id, "skipping an exemption the policy cannot use");
            }
            Some(Exemption {
                service: slug?,
                check: check?,
                reason: row.reason,
                approver: row.approver,
                expires_at: row.expires_at,
                approval: ApprovalOrigin::parse(row.approval_origin.as_deref()),
            })
        })
        .collect())
}
