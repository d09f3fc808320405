//! A team's weekly digest, from the figures the team page shows: its services' levels now (and
//! which changed since the subscription's previous digest), what the forecast dates in the next
//! 30 days, its overdue postmortem actions and the running campaigns that concern it.

use std::collections::BTreeMap;

use app::domain::campaign::{CampaignState, team_standing};
use app::domain::kpi::{Period, Scope};
use app::domain::notify::{Ahead, CampaignLine, Digest, Event, Overdue, level_changes};
use app::domain::records::Slug;
use app::domain::scorecard::Level;
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};

use super::{Notifier, NotifyError};
use crate::entities::{notification, team};

/// Days ahead the digest's forecast covers.
pub const AHEAD_DAYS: u32 = 30;

/// The digest of `team` for `week`; `None` when the team no longer exists. Level changes are
/// left for the caller (they depend on the subscription's previous digest).
pub async fn team_digest(
    notifier: &Notifier,
    team_slug: &str,
    week: &str,
    now: DateTime<Utc>,
) -> Result<Option<Digest>, NotifyError> {
    let figures = &notifier.figures;
    let Some(row) = team::Entity::find().filter(team::Column::Slug.eq(team_slug)).one(&figures.db).await? else {
        return Ok(None);
    };
    let Ok(slug) = Slug::parse(&row.slug) else { return Ok(None) };
    let scope = Scope::Team(slug);
    let quarter = Period::quarter_containing(now, figures.calendar);
    let summary = figures.summary(quarter, &scope, now).await?;
    let levels: BTreeMap<String, Option<Level>> =
        summary.scorecards.scorecards.iter().map(|c| (c.service.to_string(), c.level)).collect();
    let forecast = figures.forecast(&scope, AHEAD_DAYS, now).await?;
    let ahead = forecast.calendar().into_iter().map(|e| Ahead { day: e.event.day, headline: e.headline }).collect();
    let overdue = summary
        .risks
        .overdue_actions
        .iter()
        .map(|a| Overdue { action: a.id.clone(), service: a.service.clone(), days_overdue: a.days_overdue })
        .collect();
    let today = figures.calendar.day_of(now);
    let org_cards = crate::campaigns::current_scorecards(figures, now).await?;
    let campaigns = crate::campaigns::all(&figures.db)
        .await
        .map_err(|e| NotifyError::Delivery(format!("cannot read the campaigns: {e}")))?
        .into_iter()
        .filter(|c| c.state(today) == CampaignState::Running)
        .filter_map(|c| {
            let mine = team_standing(&c.goal, &c.scope, &org_cards.scorecards, team_slug);
            (mine.total > 0).then_some(CampaignLine {
                title: c.title,
                deadline: c.deadline,
                met: mine.met,
                total: mine.total,
            })
        })
        .collect();
    Ok(Some(Digest {
        team: row.slug.clone(),
        team_name: row.name,
        week: week.to_owned(),
        link: format!("{}/teams/{}", notifier.public_url, row.slug),
        levels,
        level_changes: None,
        ahead,
        overdue_total: summary.risks.overdue_total,
        overdue,
        campaigns,
    }))
}

/// The level changes since the subscription's previous digest; `None` for its first.
pub async fn changes_since_last(
    db: &DatabaseConnection,
    subscription: i64,
    levels: &BTreeMap<String, Option<Level>>,
) -> Result<Option<Vec<app::domain::notify::LevelChange>>, DbErr> {
    let previous = notification::Entity::find()
        .filter(notification::Column::SubscriptionId.eq(subscription))
        .filter(notification::Column::Event.eq(Event::WeeklyDigest.as_str()))
        .order_by_desc(notification::Column::Id)
        .one(db)
        .await?;
    Ok(previous
        .and_then(|n| serde_json::from_str::<Digest>(&n.payload).ok())
        .map(|before| level_changes(&before.levels, levels)))
}
