//! Campaigns as kept in the database (docs/campaigns.md), and the daily record of where each
//! stands: the `campaign-progress` job records each running campaign's standing on the current
//! scorecards (one point per reporting day, the day's last record winning), and once a
//! deadline has passed it records the campaign's result — the standing last recorded on the
//! deadline day — with an audit event.

use std::sync::Arc;

use app::api::{BurnUpPoint, CampaignResult};
use app::domain::campaign::{CampaignGoal, CampaignScope, CampaignState, Standing, standing};
use app::domain::kpi::Period;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde_json::json;

use crate::audit::{self, AuditEntry};
use crate::entities::{campaign, campaign_point};
use crate::kpis::{Figures, LoadError, ScorecardFilter, ScorecardReport};

/// The audit trail's name for what the jobs do on their own.
pub const JOBS_ACTOR: &str = "system:jobs";

#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Load(#[from] LoadError),
    /// A stored goal, scope or result that does not parse (written by another version).
    #[error("campaign {slug} has an unreadable {field}: {error}")]
    Unreadable { slug: String, field: &'static str, error: serde_json::Error },
}

/// A campaign as read from its row.
#[derive(Debug, Clone, PartialEq)]
pub struct Campaign {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub goal: CampaignGoal,
    pub scope: CampaignScope,
    pub deadline: NaiveDate,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub result: Option<CampaignResult>,
}

impl Campaign {
    pub fn from_row(row: campaign::Model) -> Result<Campaign, CampaignError> {
        let slug = row.slug.clone();
        let unreadable = |field| {
            let slug = slug.clone();
            move |error| CampaignError::Unreadable { slug, field, error }
        };
        Ok(Campaign {
            goal: serde_json::from_str(&row.goal).map_err(unreadable("goal"))?,
            scope: serde_json::from_str(&row.scope).map_err(unreadable("scope"))?,
            result: row
                .result
                .as_deref()
                .map(serde_json::from_str::<CampaignResult>)
                .transpose()
                .map_err(unreadable("result"))?,
            id: row.id,
            slug: row.slug,
            title: row.title,
            description: row.description,
            owner: row.owner,
            deadline: row.deadline,
            created_by: row.created_by,
            created_at: row.created_at,
            cancelled_at: row.cancelled_at,
        })
    }

    pub fn state(&self, today: NaiveDate) -> CampaignState {
        CampaignState::of(self.deadline, self.cancelled_at.is_some(), today)
    }

    /// What the audit trail says about it.
    pub fn audit_details(&self) -> serde_json::Value {
        json!({
            "campaign": self.slug, "title": self.title, "owner": self.owner, "description": self.description,
            "goal": self.goal, "scope": self.scope, "deadline": self.deadline.to_string(),
        })
    }
}

/// Every campaign, newest first.
pub async fn all<C: ConnectionTrait>(db: &C) -> Result<Vec<Campaign>, CampaignError> {
    campaign::Entity::find()
        .order_by_desc(campaign::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Campaign::from_row)
        .collect()
}

pub async fn by_slug<C: ConnectionTrait>(db: &C, slug: &str) -> Result<Option<Campaign>, CampaignError> {
    campaign::Entity::find().filter(campaign::Column::Slug.eq(slug)).one(db).await?.map(Campaign::from_row).transpose()
}

/// A campaign's recorded days, oldest first.
pub async fn burn_up<C: ConnectionTrait>(db: &C, id: i64) -> Result<Vec<BurnUpPoint>, DbErr> {
    Ok(campaign_point::Entity::find()
        .filter(campaign_point::Column::CampaignId.eq(id))
        .order_by_asc(campaign_point::Column::Day)
        .all(db)
        .await?
        .into_iter()
        .map(|p| BurnUpPoint {
            day: p.day,
            met: usize::try_from(p.met).unwrap_or_default(),
            total: usize::try_from(p.total).unwrap_or_default(),
            recorded_at: p.recorded_at,
        })
        .collect())
}

/// The organisation's scorecards of the quarter holding `now`, as pages show them.
pub async fn current_scorecards(figures: &Figures, now: DateTime<Utc>) -> Result<Arc<ScorecardReport>, LoadError> {
    let quarter = Period::quarter_containing(now, figures.calendar);
    figures.scorecards(&quarter, &ScorecardFilter::default(), now).await
}

/// Records `standing` as `campaign`'s point of `day` (replacing an earlier record of that day).
pub async fn record_point<C: ConnectionTrait>(
    db: &C,
    campaign: &Campaign,
    day: NaiveDate,
    standing: &Standing,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let count = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    let point = campaign_point::ActiveModel {
        campaign_id: Set(campaign.id),
        day: Set(day),
        met: Set(count(standing.met)),
        total: Set(count(standing.total)),
        open_services: Set(json!(standing.open_services()).to_string()),
        recorded_at: Set(now),
    };
    campaign_point::Entity::insert(point)
        .on_conflict(
            OnConflict::columns([campaign_point::Column::CampaignId, campaign_point::Column::Day])
                .update_columns([
                    campaign_point::Column::Met,
                    campaign_point::Column::Total,
                    campaign_point::Column::OpenServices,
                    campaign_point::Column::RecordedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

/// The result of a campaign whose deadline has passed: the point of its deadline day, else the
/// first point after it, else `fallback` (where it stands now, recorded `today`).
async fn result_of<C: ConnectionTrait>(
    db: &C,
    campaign: &Campaign,
    fallback: &Standing,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<CampaignResult, DbErr> {
    let point = campaign_point::Entity::find()
        .filter(campaign_point::Column::CampaignId.eq(campaign.id))
        .filter(campaign_point::Column::Day.gte(campaign.deadline))
        .order_by_asc(campaign_point::Column::Day)
        .one(db)
        .await?;
    Ok(match point {
        Some(p) => CampaignResult {
            met: usize::try_from(p.met).unwrap_or_default(),
            total: usize::try_from(p.total).unwrap_or_default(),
            open: serde_json::from_str(&p.open_services).unwrap_or_default(),
            day: p.day,
            recorded_at: p.recorded_at,
        },
        None => CampaignResult {
            met: fallback.met,
            total: fallback.total,
            open: fallback.open_services(),
            day: today,
            recorded_at: now,
        },
    })
}

/// What one run of the progress job did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    pub points: usize,
    pub results: usize,
}

/// The `campaign-progress` job: today's point of every running campaign, and the result of
/// every campaign whose deadline has passed without one.
pub async fn record_progress(figures: &Figures, now: DateTime<Utc>) -> Result<Recorded, CampaignError> {
    let today = figures.calendar.day_of(now);
    let campaigns: Vec<Campaign> =
        all(&figures.db).await?.into_iter().filter(|c| c.cancelled_at.is_none() && c.result.is_none()).collect();
    if campaigns.is_empty() {
        return Ok(Recorded::default());
    }
    let cards = current_scorecards(figures, now).await?;
    let mut recorded = Recorded::default();
    for campaign in campaigns {
        let now_standing = standing(&campaign.goal, &campaign.scope, &cards.scorecards);
        if today <= campaign.deadline {
            record_point(&figures.db, &campaign, today, &now_standing, now).await?;
            recorded.points += 1;
        } else {
            let result = result_of(&figures.db, &campaign, &now_standing, today, now).await?;
            if write_result(&figures.db, &campaign, &result, now).await? {
                recorded.results += 1;
            }
        }
    }
    Ok(recorded)
}

/// Writes a campaign's result and its audit event once: false when another run wrote it first.
async fn write_result<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    campaign: &Campaign,
    result: &CampaignResult,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let txn = db.begin().await?;
    let text = serde_json::to_string(result).map_err(|e| DbErr::Custom(format!("cannot write a result: {e}")))?;
    let written = campaign::Entity::update_many()
        .col_expr(campaign::Column::Result, sea_orm::sea_query::Expr::value(text))
        .filter(campaign::Column::Id.eq(campaign.id))
        .filter(campaign::Column::Result.is_null())
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !written {
        txn.rollback().await?;
        return Ok(false);
    }
    let mut details = campaign.audit_details();
    details["result"] = json!({
        "met": result.met, "total": result.total, "open": result.open,
        "day": result.day.to_string(), "recorded_at": result.recorded_at.to_rfc3339(),
    });
    let entry = AuditEntry::new(JOBS_ACTOR, "campaign.result", &format!("campaign:{}", campaign.slug), details);
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    tracing::info!(campaign = %campaign.slug, met = result.met, total = result.total, "campaign result recorded");
    Ok(true)
}

/// Creates `row`'s campaign with its first point and audit event, in one transaction.
pub async fn insert<C: ConnectionTrait + TransactionTrait>(
    db: &C,
    row: campaign::ActiveModel,
    actor: &str,
    first: &Standing,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Campaign, CampaignError> {
    let txn = db.begin().await?;
    let campaign = Campaign::from_row(row.insert(&txn).await?)?;
    record_point(&txn, &campaign, today, first, now).await?;
    let entry =
        AuditEntry::new(actor, "campaign.created", &format!("campaign:{}", campaign.slug), campaign.audit_details());
    audit::append(&txn, entry, now).await?;
    txn.commit().await?;
    Ok(campaign)
}
