//! The notifications page (admins): the teams' subscriptions — an email address or a webhook
//! URL getting the weekly digest — and the log of every notification with its delivery state.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// A subscription as the page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscriptionView {
    pub id: i64,
    pub team: String,
    /// `email` or `webhook`.
    pub channel: String,
    pub target: String,
    /// A webhook's signing secret, for the receiver to verify `X-Plumbline-Signature`.
    pub secret: Option<String>,
    /// A calendar subscription's private feed link.
    pub feed_url: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// One notification and how its delivery went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationView {
    pub id: i64,
    pub subject: String,
    pub team: String,
    pub channel: String,
    pub target: String,
    /// `queued`, `sent`, `failed` (to be retried) or `given_up`.
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotificationsView {
    pub subscriptions: Vec<SubscriptionView>,
    /// Newest first, at most 200.
    pub log: Vec<NotificationView>,
    pub teams: Vec<String>,
    /// Whether email can be sent (`PLUMBLINE_SMTP_URL` is set).
    pub mail_configured: bool,
}

#[server(endpoint = "notifications")]
pub async fn get_notifications() -> Result<NotificationsView, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "notifications")?;
    ports.notifications.view(principal).await
}

#[server(endpoint = "subscribe")]
pub async fn subscribe(team: String, channel: String, target: String) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "notifications")?;
    ports.notifications.subscribe(principal, team, channel, target).await
}

#[server(endpoint = "end_subscription")]
pub async fn end_subscription(id: i64) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Admin, "notifications")?;
    ports.notifications.end(principal, id).await
}

/// The viewer's own subscription to a team's notifications (the team page's "Follow").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowState {
    pub team: String,
    /// The viewer's email address; `None` when they have none (the local admin): no follow form.
    pub email: Option<String>,
    /// Their active subscription to the team, if any.
    pub following: Option<i64>,
}

#[server(endpoint = "follow_state")]
pub async fn get_follow_state(team: String) -> Result<FollowState, AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Person, "following teams")?;
    // A person, who may also read what the notifications tell.
    if !principal.allows(crate::domain::access::Access::Read) {
        return Err(AppError::Forbidden("following teams".into()));
    }
    ports.notifications.follow_state(principal, team).await
}

/// Subscribes (`follow` set) or unsubscribes the viewer's own address to a team's notifications.
#[server(endpoint = "follow_team")]
pub async fn follow_team(team: String, follow: bool) -> Result<(), AppError> {
    let (principal, ports) = crate::ports::enter(crate::domain::access::Access::Person, "following teams")?;
    if !principal.allows(crate::domain::access::Access::Read) {
        return Err(AppError::Forbidden("following teams".into()));
    }
    ports.notifications.follow(principal, team, follow).await
}
