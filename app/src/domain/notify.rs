//! Notifications (docs/notifications.md): what a subscription may name, and the weekly team
//! digest — its content and how it reads as email (plain text and HTML) and as a
//! Slack-compatible webhook body. Pure: the server gathers the figures and delivers.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::format::escape_html as html;
use super::records::Slug;
use super::scorecard::Level;

/// How a notification is delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Webhook,
    /// A private iCalendar feed of the team's forecast, at a link holding the subscription's
    /// token (calendar apps cannot send a bearer token); nothing is sent.
    Calendar,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Webhook => "webhook",
            Channel::Calendar => "calendar",
        }
    }

    pub fn parse(text: &str) -> Option<Channel> {
        [Channel::Email, Channel::Webhook, Channel::Calendar].into_iter().find(|c| c.as_str() == text.trim())
    }
}

/// What a notification tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// Monday morning, per team: level changes, what breaks in 30 days, overdue actions,
    /// campaign progress.
    WeeklyDigest,
    /// A waiver of one of the team's checks ends within [`WAIVER_WARNING_DAYS`] days.
    WaiverEnding,
    /// A campaign concerning the team reaches its deadline within [`CAMPAIGN_WARNING_DAYS`] days.
    CampaignDeadline,
    /// A campaign concerning the team has its result.
    CampaignResult,
    /// A waiver request waits for an admin's decision (to the admins' notices).
    WaiverWaiting,
    /// An SLO of the team's has used up its error budget (told at most once a week per SLO).
    BudgetExhausted,
    /// An SLO of the team's burned its budget faster than the policy's `fast_burn_rate` over the
    /// last day (told at most once a day per SLO).
    BudgetBurning,
}

/// Days ahead a waiver's end is announced.
pub const WAIVER_WARNING_DAYS: i64 = 7;
/// Days ahead a campaign's deadline is announced.
pub const CAMPAIGN_WARNING_DAYS: i64 = 14;

impl Event {
    pub fn as_str(self) -> &'static str {
        match self {
            Event::WeeklyDigest => "weekly_digest",
            Event::WaiverEnding => "waiver_ending",
            Event::CampaignDeadline => "campaign_deadline",
            Event::CampaignResult => "campaign_result",
            Event::WaiverWaiting => "waiver_waiting",
            Event::BudgetExhausted => "budget_exhausted",
            Event::BudgetBurning => "budget_burning",
        }
    }

    pub fn parse(text: &str) -> Option<Event> {
        [
            Event::WeeklyDigest,
            Event::WaiverEnding,
            Event::CampaignDeadline,
            Event::CampaignResult,
            Event::WaiverWaiting,
            Event::BudgetExhausted,
            Event::BudgetBurning,
        ]
        .into_iter()
        .find(|e| e.as_str() == text)
    }
}

/// A notice of one event to a team: a title and a few lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notice {
    pub event: Event,
    pub team: String,
    pub team_name: String,
    pub title: String,
    pub lines: Vec<String>,
    /// Where to act, absolute.
    pub link: String,
}

/// A notice as email and webhook, escaped as [`render_digest`] does.
pub fn render_notice(notice: &Notice, unsubscribe: Option<&str>) -> Message {
    let subject = format!("{} · {}", notice.team_name, notice.title);
    let mut text = format!("{subject}\n\n");
    let mut body = format!("<h1>{}</h1>\n<ul>\n", html(&subject));
    for line in &notice.lines {
        text.push_str(&format!("- {line}\n"));
        body.push_str(&format!("<li>{}</li>\n", html(line)));
    }
    body.push_str("</ul>\n");
    text.push_str(&format!("\nDetails: {}\n", notice.link));
    body.push_str(&format!("<p><a href=\"{0}\">Details</a></p>\n", html(&notice.link)));
    if let Some(link) = unsubscribe {
        text.push_str(&format!("Stop these emails: {link}\n"));
        body.push_str(&format!("<p style=\"font-size:small\"><a href=\"{0}\">Stop these emails</a></p>\n", html(link)));
    }
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family:sans-serif\">\n{body}</body></html>\n",
        html(&subject)
    );
    let items: Vec<String> = notice.lines.iter().map(|l| format!("• {}", mrkdwn(l))).collect();
    let webhook = serde_json::json!({
        "text": format!("{} — <{}|details>", mrkdwn(&subject), notice.link),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": format!("*{}*\n{}", mrkdwn(&subject), items.join("\n"))}}],
        "plumbline": {"event": notice.event.as_str(), "team": notice.team, "notice": notice},
    });
    Message { subject, text, html, webhook }
}

/// A checked subscription: a team's notifications to an email address or a webhook URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionDraft {
    /// `None`: the admins' notices, of no one team ([`ADMIN_NOTICES`]).
    pub team: Option<Slug>,
    pub channel: Channel,
    pub target: String,
}

/// What a subscription to the admins' notices (a waiver request waiting for a decision) names
/// instead of a team.
pub const ADMIN_NOTICES: &str = "*";

/// Checks what an admin enters for a subscription (the server checks the team exists).
pub fn check_subscription(team: &str, channel: &str, target: &str) -> Result<SubscriptionDraft, String> {
    let team = match team.trim() {
        ADMIN_NOTICES => None,
        team => Some(Slug::parse(team).map_err(|e| format!("The team must be a team's name: it {e}."))?),
    };
    let channel =
        Channel::parse(channel).ok_or_else(|| format!("'{channel}' is not a channel (email, webhook or calendar)."))?;
    let target = target.trim();
    if target.len() > 500 {
        return Err("The address must be at most 500 characters.".into());
    }
    match channel {
        Channel::Email => {
            let (local, domain) = target.split_once('@').unwrap_or_default();
            let plain = |s: &str| {
                !s.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control() || "<>,;\"".contains(c))
            };
            if !plain(local) || !plain(domain) || domain.contains('@') {
                return Err(format!("'{target}' is not an email address."));
            }
        }
        Channel::Webhook => {
            let scheme_ok = target.starts_with("https://") || target.starts_with("http://");
            if !scheme_ok || target.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(format!("'{target}' is not an http(s) URL."));
            }
        }
        Channel::Calendar if team.is_none() => {
            return Err("A calendar feed is a team's forecast: choose a team.".into());
        }
        // Its address is the link Plumbline makes.
        Channel::Calendar => return Ok(SubscriptionDraft { team, channel, target: String::new() }),
    }
    Ok(SubscriptionDraft { team, channel, target: target.to_owned() })
}

/// The ISO week a day is in, as `2026-W49`: one digest per team per week.
pub fn iso_week(day: NaiveDate) -> String {
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// A service whose level changed since the last digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelChange {
    pub service: String,
    pub before: Option<Level>,
    pub after: Option<Level>,
}

/// A dated change ahead (from the forecast).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ahead {
    pub day: NaiveDate,
    pub headline: String,
}

/// An overdue postmortem action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overdue {
    pub action: String,
    pub service: String,
    pub days_overdue: i64,
}

/// A running campaign's share for the team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignLine {
    pub title: String,
    pub deadline: NaiveDate,
    pub met: usize,
    pub total: usize,
}

/// A team's weekly digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    pub team: String,
    pub team_name: String,
    /// `2026-W49`.
    pub week: String,
    /// The team's page, absolute.
    pub link: String,
    /// Each service's level now (kept, so next week's digest can say what changed).
    pub levels: BTreeMap<String, Option<Level>>,
    /// `None` for the first digest: nothing to compare with.
    pub level_changes: Option<Vec<LevelChange>>,
    pub ahead: Vec<Ahead>,
    /// The worst first, at most [`LISTED`]; `overdue_total` counts them all.
    pub overdue: Vec<Overdue>,
    pub overdue_total: usize,
    pub campaigns: Vec<CampaignLine>,
}

/// Entries listed per section.
pub const LISTED: usize = 10;

/// The level changes between two digests' levels (services new or gone are not changes).
pub fn level_changes(
    before: &BTreeMap<String, Option<Level>>,
    now: &BTreeMap<String, Option<Level>>,
) -> Vec<LevelChange> {
    now.iter()
        .filter_map(|(service, after)| {
            let was = before.get(service)?;
            (was != after).then(|| LevelChange { service: service.clone(), before: *was, after: *after })
        })
        .collect()
}

fn level(level: Option<Level>) -> &'static str {
    level.map_or("below Bronze", Level::label)
}

/// Escapes text for Slack's mrkdwn (`&`, `<`, `>`), so names cannot become links or mentions.
fn mrkdwn(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A digest's sections as (heading, lines); the same words in every format.
fn sections(digest: &Digest) -> Vec<(String, Vec<String>)> {
    let changes = match &digest.level_changes {
        None => vec!["This is the first digest: next week's will say which levels changed.".to_owned()],
        Some(changes) if changes.is_empty() => vec!["No service changed level.".to_owned()],
        Some(changes) => {
            changes.iter().map(|c| format!("{}: {} → {}", c.service, level(c.before), level(c.after))).collect()
        }
    };
    let ahead = if digest.ahead.is_empty() {
        vec!["Nothing changes in the next 30 days if nothing else happens.".to_owned()]
    } else {
        let mut lines: Vec<String> =
            digest.ahead.iter().take(LISTED).map(|a| format!("{}: {}", a.day, a.headline)).collect();
        if digest.ahead.len() > LISTED {
            lines.push(format!("… and {} more on the team's page.", digest.ahead.len() - LISTED));
        }
        lines
    };
    let mut overdue: Vec<String> = digest
        .overdue
        .iter()
        .take(LISTED)
        .map(|o| format!("{} ({}): {} days overdue", o.action, o.service, o.days_overdue))
        .collect();
    if digest.overdue_total > overdue.len() {
        overdue.push(format!("… and {} more.", digest.overdue_total - overdue.len()));
    }
    if overdue.is_empty() {
        overdue.push("No postmortem action is overdue.".to_owned());
    }
    let campaigns = if digest.campaigns.is_empty() {
        vec!["No running campaign concerns the team.".to_owned()]
    } else {
        digest
            .campaigns
            .iter()
            .map(|c| format!("{}: {} of {} services meet it, deadline {}", c.title, c.met, c.total, c.deadline))
            .collect()
    };
    vec![
        ("Level changes since last week".to_owned(), changes),
        ("What breaks in the next 30 days".to_owned(), ahead),
        (format!("Overdue postmortem actions ({})", digest.overdue_total), overdue),
        ("Campaigns".to_owned(), campaigns),
    ]
}

/// A notification as sent: email subject and both bodies, and the webhook's JSON body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub subject: String,
    pub text: String,
    pub html: String,
    pub webhook: serde_json::Value,
}

/// `unsubscribe` is the absolute link that ends the subscription (email only).
pub fn render_digest(digest: &Digest, unsubscribe: Option<&str>) -> Message {
    let subject = format!("{} · weekly reliability digest · {}", digest.team_name, digest.week);
    let parts = sections(digest);
    let mut text = format!("{subject}\n\n");
    let mut body = format!("<h1>{}</h1>\n", html(&subject));
    for (heading, lines) in &parts {
        text.push_str(&format!("{heading}\n"));
        body.push_str(&format!("<h2>{}</h2>\n<ul>\n", html(heading)));
        for line in lines {
            text.push_str(&format!("- {line}\n"));
            body.push_str(&format!("<li>{}</li>\n", html(line)));
        }
        text.push('\n');
        body.push_str("</ul>\n");
    }
    text.push_str(&format!("The team's page: {}\n", digest.link));
    body.push_str(&format!("<p><a href=\"{0}\">The team's page</a></p>\n", html(&digest.link)));
    if let Some(link) = unsubscribe {
        text.push_str(&format!("Stop these emails: {link}\n"));
        body.push_str(&format!("<p style=\"font-size:small\"><a href=\"{0}\">Stop these emails</a></p>\n", html(link)));
    }
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n<body style=\"font-family:sans-serif\">\n{body}</body></html>\n",
        html(&subject)
    );
    let blocks: Vec<serde_json::Value> = parts
        .iter()
        .map(|(heading, lines)| {
            let items: Vec<String> = lines.iter().map(|l| format!("• {}", mrkdwn(l))).collect();
            serde_json::json!({"type": "section", "text": {"type": "mrkdwn", "text": format!("*{}*\n{}", mrkdwn(heading), items.join("\n"))}})
        })
        .collect();
    let webhook = serde_json::json!({
        "text": format!("{} — <{}|the team's page>", mrkdwn(&subject), digest.link),
        "blocks": blocks,
        "plumbline": {"event": Event::WeeklyDigest.as_str(), "team": digest.team, "week": digest.week, "digest": digest},
    });
    Message { subject, text, html, webhook }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
