//! Notifications (docs/notifications.md). A team's subscriptions name an email address or a
//! webhook URL; the `weekly-digest` job makes each subscription's digest once per ISO week (the
//! notification's unique `dedupe_key`, so two replicas or a re-run cannot make a second one)
//! and queues a `deliver-notification` job per notification, which the job engine retries with
//! backoff; the notification row keeps the delivery state the admins' log shows.

mod channels;
mod digest;
mod events;

use std::sync::Arc;

use app::domain::notify::{
    ADMIN_NOTICES, Channel, Event, Notice, SubscriptionDraft, iso_week, render_digest, render_notice,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set, TransactionTrait,
};

pub use channels::{Mailer, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};

use crate::entities::{notification, subscription};
use crate::jobs::queue::{self, NewJob};
use crate::kpis::Figures;

/// The job kind that delivers one notification (payload `{"notification": id}`).
pub const DELIVER: &str = "deliver-notification";
/// Deliveries tried per notification before it is given up (and reported on the log).
pub const DELIVERY_ATTEMPTS: i32 = 5;

/// How notifications are made and sent: the figures they quote, the mail server, and the
/// address links in them point at.
#[derive(Clone)]
pub struct Notifier {
    pub figures: Figures,
    pub mailer: Option<Arc<Mailer>>,
    /// `scheme://host[:port]` of the site, for links in messages.
    pub public_url: String,
    http: reqwest::Client,
}

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error(transparent)]
    Db(#[from] DbErr),
    #[error(transparent)]
    Load(#[from] crate::kpis::LoadError),
    #[error("{0}")]
    Delivery(String),
}

/// Creates a subscription (through `db`, the caller's transaction); a webhook's signing secret
/// is generated with it.
pub async fn subscribe<C: sea_orm::ConnectionTrait>(
    db: &C,
    draft: SubscriptionDraft,
    created_by: &str,
    now: DateTime<Utc>,
) -> Result<subscription::Model, DbErr> {
    let secret = (draft.channel == Channel::Webhook).then(random_token);
    subscription::ActiveModel {
        team: Set(draft.team.map_or_else(|| ADMIN_NOTICES.to_owned(), |t| t.to_string())),
        channel: Set(draft.channel.as_str().to_owned()),
        target: Set(draft.target),
        secret: Set(secret),
        unsubscribe_token: Set(random_token()),
        created_by: Set(created_by.to_owned()),
        created_at: Set(now),
        ended_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await
}

fn random_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 24];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

impl Notifier {
    pub fn new(figures: Figures, mailer: Option<Mailer>, public_url: String) -> std::io::Result<Notifier> {
        // Never the default client: webhooks get a time limit and no redirects.
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| std::io::Error::other(format!("cannot make the webhook client: {e}")))?;
        let public_url = public_url.trim_end_matches('/').to_owned();
        Ok(Notifier { figures, mailer: mailer.map(Arc::new), public_url, http })
    }

    fn db(&self) -> &DatabaseConnection {
        &self.figures.db
    }

    pub async fn subscription_by_token(&self, token: &str) -> Result<Option<subscription::Model>, DbErr> {
        subscription::Entity::find().filter(subscription::Column::UnsubscribeToken.eq(token)).one(self.db()).await
    }

    /// Ends the subscription holding `token` (the link in its emails), with its audit event;
    /// `None` if there is none.
    pub async fn unsubscribe(&self, token: &str, now: DateTime<Utc>) -> Result<Option<subscription::Model>, DbErr> {
        let Some(found) = self.subscription_by_token(token).await? else {
            return Ok(None);
        };
        if found.ended_at.is_some() {
            return Ok(Some(found));
        }
        let txn = self.db().begin().await?;
        let mut row: subscription::ActiveModel = found.clone().into();
        row.ended_at = Set(Some(now));
        let ended = row.update(&txn).await?;
        let details = serde_json::json!({ "subscription": ended.id, "team": ended.team, "channel": ended.channel });
        let entry = crate::audit::AuditEntry::new(
            "unsubscribe-link",
            "subscription.ended",
            &format!("subscription:{}", ended.id),
            details,
        );
        crate::audit::append(&txn, entry, now).await?;
        txn.commit().await?;
        Ok(Some(ended))
    }

    /// The team of the active calendar feed holding `token`.
    pub async fn calendar_feed(&self, token: &str) -> Result<Option<String>, DbErr> {
        Ok(subscription::Entity::find()
            .filter(subscription::Column::UnsubscribeToken.eq(token))
            .filter(subscription::Column::Channel.eq(Channel::Calendar.as_str()))
            .filter(subscription::Column::EndedAt.is_null())
            .one(self.db())
            .await?
            .map(|s| s.team))
    }

    /// Every active subscription's digest of the week holding `now`, made once: returns how many
    /// notifications this run created (and queued for delivery).
    pub async fn weekly_digests(&self, now: DateTime<Utc>) -> Result<usize, NotifyError> {
        let week = iso_week(self.figures.calendar.day_of(now));
        let subscriptions = subscription::Entity::find()
            .filter(subscription::Column::EndedAt.is_null())
            .filter(subscription::Column::Team.ne(ADMIN_NOTICES))
            .filter(subscription::Column::Channel.ne(Channel::Calendar.as_str()))
            .order_by_asc(subscription::Column::Id)
            .all(self.db())
            .await?;
        let mut made = 0;
        let mut failed = None;
        let mut digests = std::collections::HashMap::new();
        for sub in subscriptions {
            let key = format!("{}:{}:{week}", Event::WeeklyDigest.as_str(), sub.id);
            if notification::Entity::find()
                .filter(notification::Column::DedupeKey.eq(&key))
                .one(self.db())
                .await?
                .is_some()
            {
                continue;
            }
            if !digests.contains_key(&sub.team) {
                // One team's failure does not keep the others' digests: it is retried with the job.
                let team_digest = match digest::team_digest(self, &sub.team, &week, now).await {
                    Ok(digest) => digest,
                    Err(error) => {
                        tracing::warn!(team = %sub.team, %error, "cannot make a team's digest");
                        failed.get_or_insert(error);
                        None
                    }
                };
                digests.insert(sub.team.clone(), team_digest);
            }
            let Some(Some(team_digest)) = digests.get(&sub.team) else { continue };
            let mut digest = team_digest.clone();
            digest.level_changes = digest::changes_since_last(self.db(), sub.id, &digest.levels).await?;
            let payload = serde_json::to_string(&digest).map_err(|e| NotifyError::Delivery(e.to_string()))?;
            let subject = render_digest(&digest, None).subject;
            if self.create(&sub, &key, Event::WeeklyDigest, &subject, payload, now).await? {
                made += 1;
            }
        }
        match failed {
            Some(error) => Err(error),
            None => Ok(made),
        }
    }

    /// Tells the admins' notices that waiver request `request` waits for a decision; returns
    /// how many notifications were made.
    pub async fn waiver_waiting(
        &self,
        request: i64,
        service: &str,
        check: &str,
        requested_by: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<usize, DbErr> {
        let subscriptions = subscription::Entity::find()
            .filter(subscription::Column::EndedAt.is_null())
            .filter(subscription::Column::Team.eq(ADMIN_NOTICES))
            .filter(subscription::Column::Channel.ne(Channel::Calendar.as_str()))
            .all(self.db())
            .await?;
        let notice = Notice {
            event: Event::WaiverWaiting,
            team: ADMIN_NOTICES.to_owned(),
            team_name: "Admins".to_owned(),
            title: format!("{requested_by} asks to waive {check} on {service}"),
            lines: vec![
                format!("Reason: {reason}"),
                "An admin other than the requester approves or rejects it on the waivers page.".to_owned(),
            ],
            link: format!("{}/waivers", self.public_url),
        };
        let payload = serde_json::to_string(&notice).map_err(|e| DbErr::Custom(e.to_string()))?;
        let subject = render_notice(&notice, None).subject;
        let mut made = 0;
        for sub in subscriptions {
            let key = format!("{}:{}:{request}", Event::WaiverWaiting.as_str(), sub.id);
            if self.create(&sub, &key, Event::WaiverWaiting, &subject, payload.clone(), now).await? {
                made += 1;
            }
        }
        Ok(made)
    }

    /// Creates a notification unless one with `key` exists, and queues its delivery; false when
    /// another run made it first.
    async fn create(
        &self,
        sub: &subscription::Model,
        key: &str,
        event: Event,
        subject: &str,
        payload: String,
        now: DateTime<Utc>,
    ) -> Result<bool, DbErr> {
        let row = notification::ActiveModel {
            dedupe_key: Set(key.to_owned()),
            subscription_id: Set(sub.id),
            event: Set(event.as_str().to_owned()),
            subject: Set(subject.to_owned()),
            payload: Set(payload),
            status: Set("queued".to_owned()),
            attempts: Set(0),
            last_error: Set(None),
            created_at: Set(now),
            sent_at: Set(None),
            ..Default::default()
        };
        // The notification and its delivery job together: never one without the other.
        let txn = self.db().begin().await?;
        let inserted = match notification::Entity::insert(row)
            .on_conflict(OnConflict::column(notification::Column::DedupeKey).do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await
        {
            Err(DbErr::RecordNotInserted) => 0,
            other => other?,
        };
        if inserted == 0 {
            txn.rollback().await?;
            return Ok(false);
        }
        let id: i64 = notification::Entity::find()
            .filter(notification::Column::DedupeKey.eq(key))
            .one(&txn)
            .await?
            .map(|n| n.id)
            .ok_or_else(|| DbErr::RecordNotFound(key.to_owned()))?;
        let job = NewJob {
            kind: DELIVER.to_owned(),
            payload: serde_json::json!({ "notification": id }),
            max_attempts: DELIVERY_ATTEMPTS,
            run_at: now,
        };
        queue::enqueue(&txn, &job, now).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Sends notification `id` once more (the `deliver-notification` job); an error makes the
    /// job engine try again later, and after the last attempt the notification is given up.
    pub async fn deliver(&self, id: i64, now: DateTime<Utc>) -> Result<(), NotifyError> {
        let Some(note) = notification::Entity::find_by_id(id).one(self.db()).await? else {
            return Ok(());
        };
        if note.status == "sent" {
            return Ok(());
        }
        let Some(sub) = subscription::Entity::find_by_id(note.subscription_id).one(self.db()).await? else {
            return Ok(());
        };
        let result = if sub.ended_at.is_some() {
            Err("the subscription has ended".to_owned())
        } else if !self.follower_may_read(&sub, now).await? {
            Err("the person who follows the team no longer has access to Plumbline".to_owned())
        } else {
            self.send(&sub, &note, now).await
        };
        let attempts = note.attempts + 1;
        let lost_access = result.as_ref().is_err_and(|e| e.contains("no longer has access"));
        let (status, error) = match &result {
            Ok(()) => ("sent", None),
            Err(_) if sub.ended_at.is_some() || lost_access => ("given_up", result.clone().err()),
            Err(_) if attempts >= DELIVERY_ATTEMPTS => ("given_up", result.clone().err()),
            Err(_) => ("failed", result.clone().err()),
        };
        notification::Entity::update_many()
            .col_expr(notification::Column::Status, Expr::value(status))
            .col_expr(notification::Column::Attempts, Expr::value(attempts))
            .col_expr(notification::Column::LastError, Expr::value(error))
            .col_expr(notification::Column::SentAt, Expr::value(result.is_ok().then_some(now)))
            .filter(notification::Column::Id.eq(id))
            .exec(self.db())
            .await?;
        match result {
            Ok(()) => {
                tracing::info!(notification = id, channel = %sub.channel, "notification sent");
                Ok(())
            }
            Err(_) if status == "given_up" => {
                tracing::warn!(notification = id, attempts, "notification given up");
                Ok(())
            }
            Err(error) => Err(NotifyError::Delivery(error)),
        }
    }

    /// A person following a team with their own address (`created_by` is the address) is still
    /// a user of Plumbline: not disabled, with a role grant that has not expired. Others' (an
    /// admin's subscriptions) are not checked.
    async fn follower_may_read(&self, sub: &subscription::Model, now: DateTime<Utc>) -> Result<bool, DbErr> {
        use crate::entities::{app_user, role_grant};
        if sub.channel != Channel::Email.as_str() || sub.created_by != sub.target {
            return Ok(true);
        }
        let Some(user) =
            app_user::Entity::find().filter(app_user::Column::Email.eq(&sub.target)).one(self.db()).await?
        else {
            // An address no user has was an admin's choice.
            return Ok(true);
        };
        if user.disabled_at.is_some() {
            return Ok(false);
        }
        let unexpired = sea_orm::Condition::any()
            .add(role_grant::Column::ExpiresAt.is_null())
            .add(role_grant::Column::ExpiresAt.gt(now));
        let grants = role_grant::Entity::find()
            .filter(role_grant::Column::UserId.eq(user.id))
            .filter(unexpired)
            .count(self.db())
            .await?;
        Ok(grants > 0)
    }

    async fn send(
        &self,
        sub: &subscription::Model,
        note: &notification::Model,
        now: DateTime<Utc>,
    ) -> Result<(), String> {
        let unreadable = |e: serde_json::Error| format!("unreadable notification: {e}");
        let render = |unsubscribe: Option<&str>| -> Result<app::domain::notify::Message, String> {
            match Event::parse(&note.event) {
                Some(Event::WeeklyDigest) => {
                    Ok(render_digest(&serde_json::from_str(&note.payload).map_err(unreadable)?, unsubscribe))
                }
                Some(_) => Ok(render_notice(&serde_json::from_str(&note.payload).map_err(unreadable)?, unsubscribe)),
                None => Err(format!("unknown event '{}'", note.event)),
            }
        };
        match Channel::parse(&sub.channel) {
            Some(Channel::Email) => {
                let mailer = self.mailer.as_ref().ok_or("no mail server is configured (PLUMBLINE_SMTP_URL)")?;
                let link = format!("{}/unsubscribe/{}", self.public_url, sub.unsubscribe_token);
                mailer.send(&sub.target, &render(Some(&link))?).await
            }
            Some(Channel::Webhook) => {
                let body = serde_json::to_vec(&render(None)?.webhook).map_err(|e| e.to_string())?;
                channels::post_webhook(&self.http, &sub.target, sub.secret.as_deref().unwrap_or_default(), body, now)
                    .await
            }
            Some(Channel::Calendar) => Err("a calendar feed is read, not sent".to_owned()),
            None => Err(format!("unknown channel '{}'", sub.channel)),
        }
    }
}
