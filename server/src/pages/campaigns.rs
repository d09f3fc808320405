//! The campaigns pages (and the campaigns panel of the team page): campaigns are kept by
//! `crate::campaigns`; where each stands now is judged on the scorecards pages show.

use app::api::{BurnUpPoint, CampaignChange, CampaignSummary, CampaignView, CampaignsView, GoalCheck, TeamCampaign};
use app::domain::access::{Principal, Role};
use app::domain::campaign::{
    CampaignForm, CampaignState, MAX_DEADLINE_DAYS, check_campaign, check_change, slug_of, standing, team_standing,
};
use app::error::AppError;
use app::ports::CampaignsPort;
use chrono::{DateTime, Days, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;

use crate::audit::{self, AuditEntry};
use crate::campaigns::{self, Campaign, current_scorecards};
use crate::entities::{campaign, team};
use crate::kpis::{Figures, ScorecardReport};

pub struct CampaignsPage {
    figures: Figures,
}

impl CampaignsPage {
    pub fn new(figures: Figures) -> Self {
        CampaignsPage { figures }
    }
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::internal("campaigns", &error)
}

fn is_admin(principal: &Principal) -> bool {
    principal.has_role(Role::Admin) && principal.token.is_none()
}

fn summary(campaign: &Campaign, cards: &ScorecardReport, figures: &Figures, now: DateTime<Utc>) -> CampaignSummary {
    let state = campaign.state(figures.calendar.day_of(now));
    let (met, total) = match (state, &campaign.result) {
        (_, Some(result)) => (Some(result.met), Some(result.total)),
        (CampaignState::Running, None) => {
            let now = standing(&campaign.goal, &campaign.scope, &cards.scorecards);
            (Some(now.met), Some(now.total))
        }
        _ => (None, None),
    };
    CampaignSummary {
        slug: campaign.slug.clone(),
        title: campaign.title.clone(),
        owner: campaign.owner.clone(),
        goal: campaign.goal.describe(&figures.policy),
        scope: campaign.scope.describe(),
        deadline: campaign.deadline,
        state,
        met,
        total,
    }
}

/// A slug for `title` no other campaign has.
async fn free_slug(figures: &Figures, title: &str) -> Result<String, AppError> {
    let base = slug_of(title);
    let taken: Vec<String> = campaign::Entity::find()
        .select_only()
        .column(campaign::Column::Slug)
        .filter(campaign::Column::Slug.starts_with(&base))
        .into_tuple()
        .all(&figures.db)
        .await
        .map_err(internal)?;
    let mut slug = base.clone();
    let mut n = 2;
    while taken.contains(&slug) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    Ok(slug)
}

#[async_trait::async_trait]
impl CampaignsPort for CampaignsPage {
    async fn list(&self, principal: Principal) -> Result<CampaignsView, AppError> {
        let figures = self.figures.for_one_page();
        let now = crate::clock_now();
        let today = figures.calendar.day_of(now);
        let mut all = campaigns::all(&figures.db).await.map_err(internal)?;
        let cards = current_scorecards(&figures, now).await.map_err(internal)?;
        // Running ones by nearest deadline, then the rest by latest deadline.
        all.sort_by(|a, b| {
            let (ra, rb) = (a.state(today) == CampaignState::Running, b.state(today) == CampaignState::Running);
            let soonest = (a.deadline, a.id).cmp(&(b.deadline, b.id));
            rb.cmp(&ra).then(if ra { soonest } else { soonest.reverse() })
        });
        let admin = is_admin(&principal);
        let teams: Vec<String> = if admin {
            team::Entity::find()
                .select_only()
                .column(team::Column::Slug)
                .order_by_asc(team::Column::Slug)
                .into_tuple()
                .all(&figures.db)
                .await
                .map_err(internal)?
        } else {
            Vec::new()
        };
        let checks = if admin {
            figures
                .policy
                .checks
                .iter()
                .map(|c| GoalCheck {
                    id: c.id.as_str().to_owned(),
                    title: c.title.clone(),
                    level: c.level.label().into(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(CampaignsView {
            campaigns: all.iter().map(|c| summary(c, &cards, &figures, now)).collect(),
            viewer_is_admin: admin,
            checks,
            teams,
            earliest_deadline: today,
            latest_deadline: today.checked_add_days(Days::new(MAX_DEADLINE_DAYS)).unwrap_or(today),
            recomputing: figures.served_outdated(),
        })
    }

    async fn one(&self, principal: Principal, slug: String) -> Result<CampaignView, AppError> {
        let figures = self.figures.for_one_page();
        let now = crate::clock_now();
        let today = figures.calendar.day_of(now);
        let campaign = campaigns::by_slug(&figures.db, &slug)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("There is no campaign '{slug}'.")))?;
        let cards = current_scorecards(&figures, now).await.map_err(internal)?;
        let state = campaign.state(today);
        let now_standing = standing(&campaign.goal, &campaign.scope, &cards.scorecards);
        let mut burn_up = campaigns::burn_up(&figures.db, campaign.id).await.map_err(internal)?;
        if state == CampaignState::Running {
            // Today's point is where it stands now, as the rest of the page says.
            burn_up.retain(|p| p.day < today);
            burn_up.push(BurnUpPoint {
                day: today,
                met: now_standing.met,
                total: now_standing.total,
                recorded_at: cards.as_of,
            });
        }
        Ok(CampaignView {
            goal: campaign.goal.describe(&figures.policy),
            scope: campaign.scope.describe(),
            days_left: (campaign.deadline - today).num_days(),
            started_on: figures.calendar.day_of(campaign.created_at),
            as_of: Some(cards.as_of),
            now: Some(now_standing),
            burn_up,
            viewer_is_admin: is_admin(&principal),
            recomputing: figures.served_outdated(),
            state,
            slug: campaign.slug,
            title: campaign.title,
            description: campaign.description,
            owner: campaign.owner,
            goal_definition: campaign.goal,
            scope_definition: campaign.scope,
            deadline: campaign.deadline,
            created_by: campaign.created_by,
            created_at: campaign.created_at,
            result: campaign.result,
        })
    }

    async fn of_team(&self, _principal: Principal, team: String) -> Result<Vec<TeamCampaign>, AppError> {
        let figures = self.figures.for_one_page();
        let now = crate::clock_now();
        let today = figures.calendar.day_of(now);
        let all = campaigns::all(&figures.db).await.map_err(internal)?;
        let running: Vec<&Campaign> = all.iter().filter(|c| c.state(today) == CampaignState::Running).collect();
        if running.is_empty() {
            return Ok(Vec::new());
        }
        let cards = current_scorecards(&figures, now).await.map_err(internal)?;
        let mut out: Vec<TeamCampaign> = running
            .into_iter()
            .filter_map(|c| {
                let mine = team_standing(&c.goal, &c.scope, &cards.scorecards, &team);
                (mine.total > 0).then(|| TeamCampaign {
                    slug: c.slug.clone(),
                    title: c.title.clone(),
                    goal: c.goal.describe(&figures.policy),
                    deadline: c.deadline,
                    state: CampaignState::Running,
                    met: mine.met,
                    total: mine.total,
                    open: mine.open_services(),
                })
            })
            .collect();
        out.sort_by_key(|c| c.deadline);
        Ok(out)
    }

    async fn create(&self, principal: Principal, form: CampaignForm) -> Result<String, AppError> {
        if !is_admin(&principal) {
            return Err(AppError::Forbidden("creating campaigns".into()));
        }
        let figures = &self.figures;
        let now = crate::clock_now();
        let today = figures.calendar.day_of(now);
        let draft = check_campaign(&form, &figures.policy, today).map_err(AppError::Invalid)?;
        let (teams, services) = draft.scope.named();
        for name in teams {
            if !crate::catalog::team_exists(&figures.db, name.as_str()).await.map_err(internal)? {
                return Err(AppError::Invalid(format!("There is no team '{name}'.")));
            }
        }
        for name in services {
            if !crate::catalog::service_exists(&figures.db, name.as_str()).await.map_err(internal)? {
                return Err(AppError::Invalid(format!("There is no service '{name}'.")));
            }
        }
        let cards = current_scorecards(figures, now).await.map_err(internal)?;
        let first = standing(&draft.goal, &draft.scope, &cards.scorecards);
        // Two admins starting campaigns of one title at once: the second takes the next slug.
        let mut tries = 0;
        let slug = loop {
            let slug = free_slug(figures, &draft.title).await?;
            let row = campaign::ActiveModel {
                slug: Set(slug.clone()),
                title: Set(draft.title.clone()),
                description: Set(draft.description.clone()),
                owner: Set(draft.owner.clone()),
                goal: Set(json!(draft.goal).to_string()),
                scope: Set(json!(draft.scope).to_string()),
                deadline: Set(draft.deadline),
                created_by: Set(principal.signature()),
                created_at: Set(now),
                updated_at: Set(now),
                cancelled_at: Set(None),
                result: Set(None),
                ..Default::default()
            };
            match campaigns::insert(&figures.db, row, &principal.actor(), &first, today, now).await {
                Ok(_) => break slug,
                Err(campaigns::CampaignError::Db(error))
                    if tries < 3 && matches!(error.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) =>
                {
                    tries += 1;
                }
                Err(error) => return Err(internal(error)),
            }
        };
        tracing::info!(campaign = %slug, "campaign created");
        Ok(slug)
    }

    async fn update(&self, principal: Principal, slug: String, change: CampaignChange) -> Result<(), AppError> {
        if !is_admin(&principal) {
            return Err(AppError::Forbidden("changing campaigns".into()));
        }
        let db = &self.figures.db;
        let now = crate::clock_now();
        let today = self.figures.calendar.day_of(now);
        let row = campaign::Entity::find()
            .filter(campaign::Column::Slug.eq(slug.as_str()))
            .one(db)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("There is no campaign '{slug}'.")))?;
        let before = Campaign::from_row(row.clone()).map_err(internal)?;
        if before.state(today) != CampaignState::Running {
            return Err(AppError::Invalid(format!(
                "Campaign '{slug}' is {}: it can no longer be changed.",
                before.state(today).label().to_lowercase()
            )));
        }
        let checked =
            check_change(&change.title, &change.description, &change.owner, &change.deadline, before.deadline, today)
                .map_err(AppError::Invalid)?;
        let mut active: campaign::ActiveModel = row.into();
        active.title = Set(checked.title);
        active.description = Set(checked.description);
        active.owner = Set(checked.owner);
        active.deadline = Set(checked.deadline);
        active.updated_at = Set(now);
        if change.cancel {
            active.cancelled_at = Set(Some(now));
        }
        let txn = db.begin().await.map_err(internal)?;
        let after = Campaign::from_row(active.update(&txn).await.map_err(internal)?).map_err(internal)?;
        let action = if change.cancel { "campaign.cancelled" } else { "campaign.changed" };
        let details = json!({ "campaign": slug, "before": before.audit_details(), "after": after.audit_details() });
        let entry = AuditEntry::new(&principal.actor(), action, &format!("campaign:{slug}"), details);
        audit::append(&txn, entry, now).await.map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        tracing::info!(campaign = %slug, action, "campaign changed");
        Ok(())
    }
}
