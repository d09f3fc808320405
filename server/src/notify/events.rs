//! The team notices the `team-events` job makes each morning: a waiver ending within 7 days, a
//! campaign's deadline within 14 days, a campaign's result, an error budget used up or burning
//! fast. Each once per subscription and occasion (its `dedupe_key`).

use std::collections::HashMap;

use app::domain::campaign::{CampaignState, team_standing};
use app::domain::format::instant as time;
use app::domain::notify::{CAMPAIGN_WARNING_DAYS, Event, Notice, WAIVER_WARNING_DAYS};
use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{Notifier, NotifyError};
use crate::entities::{exemption, service, subscription, team};

/// A notice for every subscription of `team`, keyed by `occasion`.
struct Pending {
    team: String,
    occasion: String,
    notice: Notice,
}

impl Notifier {
    /// Makes the notices due at `now` for every active subscription; returns how many were new.
    pub async fn team_events(&self, now: DateTime<Utc>) -> Result<usize, NotifyError> {
        let db = &self.figures.db;
        let subscriptions = subscription::Entity::find()
            .filter(subscription::Column::EndedAt.is_null())
            .filter(subscription::Column::Channel.ne(app::domain::notify::Channel::Calendar.as_str()))
            .all(db)
            .await?;
        if subscriptions.is_empty() {
            return Ok(0);
        }
        let teams: HashMap<i64, (String, String)> =
            team::Entity::find().all(db).await?.into_iter().map(|t| (t.id, (t.slug, t.name))).collect();
        let team_name = |slug: &str| {
            teams.values().find(|(s, _)| s == slug).map_or_else(|| slug.to_owned(), |(_, name)| name.clone())
        };
        let services: HashMap<i64, (String, String)> = service::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .filter_map(|s| Some((s.id, (s.slug, teams.get(&s.team_id)?.0.clone()))))
            .collect();
        let mut pending = Vec::new();

        let soon = now + TimeDelta::days(WAIVER_WARNING_DAYS);
        let ending = exemption::Entity::find()
            .filter(exemption::Column::ExpiresAt.gt(now))
            .filter(exemption::Column::ExpiresAt.lte(soon))
            .order_by_asc(exemption::Column::Id)
            .all(db)
            .await?;
        for waiver in ending {
            let Some((service, team)) = services.get(&waiver.service_id) else { continue };
            pending.push(Pending {
                team: team.clone(),
                occasion: format!("{}:{}", waiver.id, waiver.expires_at.timestamp()),
                notice: Notice {
                    event: Event::WaiverEnding,
                    team: team.clone(),
                    team_name: team_name(team),
                    title: format!("The waiver of {} on {service} ends {}", waiver.check_id, time(waiver.expires_at)),
                    lines: vec![
                        format!("Reason it was granted: {}", waiver.reason),
                        "Once it ends the check counts again: fix it, or ask for a new waiver.".to_owned(),
                    ],
                    link: format!("{}/services/{service}#waivers", self.public_url),
                },
            });
        }

        let today = self.figures.calendar.day_of(now);
        let campaigns = crate::campaigns::all(db).await.map_err(|e| NotifyError::Delivery(e.to_string()))?;
        let concerned: Vec<_> = campaigns
            .iter()
            .filter(|c| {
                let left = (c.deadline - today).num_days();
                let due_soon = c.state(today) == CampaignState::Running && (0..=CAMPAIGN_WARNING_DAYS).contains(&left);
                let recent_result = c.result.as_ref().is_some_and(|r| now - r.recorded_at <= TimeDelta::days(7));
                due_soon || recent_result
            })
            .collect();
        if !concerned.is_empty() {
            let cards = crate::campaigns::current_scorecards(&self.figures, now).await?;
            for campaign in concerned {
                let link = format!("{}/campaigns/{}", self.public_url, campaign.slug);
                for team in subscriptions.iter().map(|s| s.team.clone()).collect::<std::collections::BTreeSet<_>>() {
                    let mine = team_standing(&campaign.goal, &campaign.scope, &cards.scorecards, &team);
                    if mine.total == 0 {
                        continue;
                    }
                    let (event, title, lines) = match &campaign.result {
                        Some(result) => {
                            let open: Vec<&String> = result
                                .open
                                .iter()
                                .filter(|s| mine.services.iter().any(|own| own.service == **s))
                                .collect();
                            (
                                Event::CampaignResult,
                                format!(
                                    "Campaign \"{}\" ended: {} of all its {} services met it",
                                    campaign.title, result.met, result.total
                                ),
                                vec![if open.is_empty() {
                                    "Every one of the team's services met it.".to_owned()
                                } else {
                                    format!(
                                        "The team's services that did not: {}",
                                        open.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                                    )
                                }],
                            )
                        }
                        None => (
                            Event::CampaignDeadline,
                            format!("Campaign \"{}\" ends {}", campaign.title, campaign.deadline),
                            vec![
                                format!("Goal: {}", campaign.goal.describe(&self.figures.policy)),
                                format!("{} of the team's {} services meet it now.", mine.met, mine.total),
                                match mine.open_services() {
                                    open if open.is_empty() => "Nothing is left to do for the team.".to_owned(),
                                    open => format!("Still open: {}", open.join(", ")),
                                },
                            ],
                        ),
                    };
                    pending.push(Pending {
                        team: team.clone(),
                        occasion: campaign.id.to_string(),
                        notice: Notice {
                            event,
                            team: team.clone(),
                            team_name: team_name(&team),
                            title,
                            lines,
                            link: link.clone(),
                        },
                    });
                }
            }
        }

        let week = app::domain::notify::iso_week(today);
        let mut failed = None;
        for team in subscriptions.iter().map(|s| s.team.clone()).collect::<std::collections::BTreeSet<_>>() {
            let Ok(slug) = app::domain::records::Slug::parse(&team) else { continue };
            let scope = app::domain::kpi::Scope::Team(slug);
            let quarter = app::domain::kpi::Period::quarter_containing(now, self.figures.calendar);
            // One team's failure does not keep the others' notices (the job is retried).
            let data = match crate::kpis::load(db, &quarter, now, &scope, &self.figures.policy.kpi).await {
                Ok(data) => data,
                Err(error) => {
                    tracing::warn!(%team, %error, "cannot read a team's SLOs for its notices");
                    failed.get_or_insert(NotifyError::from(error));
                    continue;
                }
            };
            let active: std::collections::HashSet<(String, String)> =
                data.slos.iter().filter(|s| s.active).map(|s| (s.service.to_string(), s.slug.to_string())).collect();
            for status in data.slo_statuses(&quarter, now, &scope) {
                let (service, slo) = (status.service.to_string(), status.slo.to_string());
                if !active.contains(&(service.clone(), slo.clone())) {
                    continue;
                }
                let link = format!("{}/services/{service}", self.public_url);
                let objective = format!("objective {} %", status.objective);
                let burning = status.burn_rate.d1.filter(|rate| *rate > self.figures.policy.fast_burn_rate);
                let exhausted = status.error_budget_remaining.filter(|left| *left <= 0.0);
                if let Some(left) = exhausted {
                    pending.push(Pending {
                        team: team.clone(),
                        occasion: format!("{service}/{slo}:{week}"),
                        notice: Notice {
                            event: Event::BudgetExhausted,
                            team: team.clone(),
                            team_name: team_name(&team),
                            title: format!("The error budget of {service}/{slo} is used up"),
                            lines: vec![
                                format!(
                                    "Budget left over its window: {} ({objective}).",
                                    app::domain::format::percent(Some(left), 1)
                                ),
                                "Slow risky changes until it recovers.".to_owned(),
                            ],
                            link: link.clone(),
                        },
                    });
                }
                if let Some(rate) = burning {
                    pending.push(Pending {
                        team: team.clone(),
                        occasion: format!("{service}/{slo}:{today}"),
                        notice: Notice {
                            event: Event::BudgetBurning,
                            team: team.clone(),
                            team_name: team_name(&team),
                            title: format!("{service}/{slo} burns its error budget {rate:.1}× too fast"),
                            lines: vec![
                                format!(
                                    "Over the last day it burned {rate:.1} times the sustainable rate (the policy warns above {}).",
                                    self.figures.policy.fast_burn_rate
                                ),
                                format!(
                                    "Budget left: {} ({objective}).",
                                    app::domain::format::percent(status.error_budget_remaining, 1)
                                ),
                            ],
                            link,
                        },
                    });
                }
            }
        }

        let mut made = 0;
        for item in pending {
            let payload = serde_json::to_string(&item.notice).map_err(|e| NotifyError::Delivery(e.to_string()))?;
            for sub in subscriptions.iter().filter(|s| s.team == item.team) {
                let key = format!("{}:{}:{}", item.notice.event.as_str(), sub.id, item.occasion);
                let subject = app::domain::notify::render_notice(&item.notice, None).subject;
                if self.create(sub, &key, item.notice.event, &subject, payload.clone(), now).await? {
                    made += 1;
                }
            }
        }
        match failed {
            Some(error) => Err(error),
            None => Ok(made),
        }
    }
}
