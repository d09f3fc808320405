//! The notifications page: subscriptions are made and ended through `crate::notify`; the log
//! reads the notification rows the jobs write.

use std::collections::HashMap;

use app::api::{FollowState, NotificationView, NotificationsView, SubscriptionView};
use app::domain::access::{Principal, Role};
use app::domain::notify::check_subscription;
use app::error::AppError;
use app::ports::NotificationsPort;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TransactionTrait,
};
use serde_json::json;

use crate::audit::{self, AuditEntry};
use crate::entities::{notification, subscription, team};
use crate::notify::Notifier;

/// Notifications listed on the log, newest first.
const LOGGED: u64 = 200;

pub struct NotificationsPage {
    notifier: Notifier,
}

impl NotificationsPage {
    pub fn new(notifier: Notifier) -> Self {
        NotificationsPage { notifier }
    }
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::internal("notifications", &error)
}

fn admin_only(principal: &Principal) -> Result<(), AppError> {
    if principal.has_role(Role::Admin) && principal.token.is_none() {
        Ok(())
    } else {
        Err(AppError::Forbidden("notifications".into()))
    }
}

fn subscription_details(row: &subscription::Model) -> serde_json::Value {
    // Never the secret, the unsubscribe token or a webhook's path (often a credential itself,
    // as Slack's are): the trail is readable by auditors.
    let target = match row.channel.as_str() {
        "webhook" => row.target.split('/').take(3).collect::<Vec<_>>().join("/"),
        _ => row.target.clone(),
    };
    json!({ "subscription": row.id, "team": row.team, "channel": row.channel, "target": target })
}

#[async_trait::async_trait]
impl NotificationsPort for NotificationsPage {
    async fn view(&self, principal: Principal) -> Result<NotificationsView, AppError> {
        admin_only(&principal)?;
        let db = &self.notifier.figures.db;
        let subscriptions =
            subscription::Entity::find().order_by_desc(subscription::Column::Id).all(db).await.map_err(internal)?;
        let by_id: HashMap<i64, &subscription::Model> = subscriptions.iter().map(|s| (s.id, s)).collect();
        let log = notification::Entity::find()
            .order_by_desc(notification::Column::Id)
            .paginate(db, LOGGED)
            .fetch_page(0)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|n| {
                let sub = by_id.get(&n.subscription_id);
                NotificationView {
                    id: n.id,
                    subject: n.subject,
                    team: sub.map(|s| s.team.clone()).unwrap_or_default(),
                    channel: sub.map(|s| s.channel.clone()).unwrap_or_default(),
                    target: sub.map(|s| s.target.clone()).unwrap_or_default(),
                    status: n.status,
                    attempts: n.attempts,
                    last_error: n.last_error,
                    created_at: n.created_at,
                    sent_at: n.sent_at,
                }
            })
            .collect();
        let teams: Vec<String> = team::Entity::find()
            .select_only()
            .column(team::Column::Slug)
            .order_by_asc(team::Column::Slug)
            .into_tuple()
            .all(db)
            .await
            .map_err(internal)?;
        Ok(NotificationsView {
            subscriptions: subscriptions
                .iter()
                .map(|s| SubscriptionView {
                    id: s.id,
                    team: s.team.clone(),
                    channel: s.channel.clone(),
                    target: s.target.clone(),
                    secret: s.secret.clone(),
                    feed_url: (s.channel == app::domain::notify::Channel::Calendar.as_str())
                        .then(|| format!("{}/calendar/{}.ics", self.notifier.public_url, s.unsubscribe_token)),
                    created_by: s.created_by.clone(),
                    created_at: s.created_at,
                    ended_at: s.ended_at,
                })
                .collect(),
            log,
            teams,
            mail_configured: self.notifier.mailer.is_some(),
        })
    }

    async fn subscribe(
        &self,
        principal: Principal,
        team: String,
        channel: String,
        target: String,
    ) -> Result<(), AppError> {
        admin_only(&principal)?;
        let draft = check_subscription(&team, &channel, &target).map_err(AppError::Invalid)?;
        self.create(&principal, draft).await
    }

    async fn follow_state(&self, principal: Principal, team: String) -> Result<FollowState, AppError> {
        let following = match &principal.email {
            Some(email) => self.own_subscription(&team, email).await?.map(|s| s.id),
            None => None,
        };
        Ok(FollowState { team, email: principal.email.clone(), following })
    }

    async fn follow(&self, principal: Principal, team: String, follow: bool) -> Result<(), AppError> {
        if !principal.allows(app::domain::access::Access::Read) {
            return Err(AppError::Forbidden("following teams".into()));
        }
        let email = principal
            .email
            .clone()
            .ok_or_else(|| AppError::Invalid("Following a team needs your email address; you have none.".into()))?;
        let held = self.own_subscription(&team, &email).await?;
        match (follow, held) {
            (true, Some(_)) | (false, None) => Ok(()),
            (true, None) => {
                let draft = check_subscription(&team, "email", &email).map_err(AppError::Invalid)?;
                if draft.team.is_none() {
                    return Err(AppError::Forbidden("the admins' notices".into()));
                }
                self.create(&principal, draft).await
            }
            (false, Some(row)) => self.end_row(&principal, row).await,
        }
    }

    async fn end(&self, principal: Principal, id: i64) -> Result<(), AppError> {
        admin_only(&principal)?;
        let db = &self.notifier.figures.db;
        let row = subscription::Entity::find_by_id(id)
            .one(db)
            .await
            .map_err(internal)?
            .ok_or_else(|| AppError::NotFound(format!("There is no subscription {id}.")))?;
        self.end_row(&principal, row).await
    }
}

impl NotificationsPage {
    /// The active email subscription of `email` to `team`.
    async fn own_subscription(&self, team: &str, email: &str) -> Result<Option<subscription::Model>, AppError> {
        subscription::Entity::find()
            .filter(subscription::Column::Team.eq(team))
            .filter(subscription::Column::Channel.eq("email"))
            .filter(subscription::Column::Target.eq(email))
            .filter(subscription::Column::EndedAt.is_null())
            .one(&self.notifier.figures.db)
            .await
            .map_err(internal)
    }

    async fn create(
        &self,
        principal: &Principal,
        draft: app::domain::notify::SubscriptionDraft,
    ) -> Result<(), AppError> {
        let db = &self.notifier.figures.db;
        if let Some(team) = &draft.team
            && !crate::catalog::team_exists(db, team.as_str()).await.map_err(internal)?
        {
            return Err(AppError::Invalid(format!("There is no team '{team}'.")));
        }
        let now = crate::clock_now();
        let txn = db.begin().await.map_err(internal)?;
        let row = crate::notify::subscribe(&txn, draft, &principal.signature(), now).await.map_err(internal)?;
        let entry = AuditEntry::new(
            &principal.actor(),
            "subscription.created",
            &format!("subscription:{}", row.id),
            subscription_details(&row),
        );
        audit::append(&txn, entry, now).await.map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        tracing::info!(subscription = row.id, team = %row.team, channel = %row.channel, "subscription created");
        Ok(())
    }

    async fn end_row(&self, principal: &Principal, row: subscription::Model) -> Result<(), AppError> {
        let db = &self.notifier.figures.db;
        let id = row.id;
        if row.ended_at.is_some() {
            return Err(AppError::Invalid(format!("Subscription {id} has ended already.")));
        }
        let now = crate::clock_now();
        let txn = db.begin().await.map_err(internal)?;
        let mut active: subscription::ActiveModel = row.clone().into();
        active.ended_at = Set(Some(now));
        active.update(&txn).await.map_err(internal)?;
        let entry = AuditEntry::new(
            &principal.actor(),
            "subscription.ended",
            &format!("subscription:{id}"),
            subscription_details(&row),
        );
        audit::append(&txn, entry, now).await.map_err(internal)?;
        txn.commit().await.map_err(internal)?;
        Ok(())
    }
}
