//! Campaigns (docs/campaigns.md): a dated goal — some checks passing, or a level reached — for a
//! set of services chosen by tier, team or name. This module checks what an admin enters, judges
//! one service's scorecard against a goal, and sums those judgements into a campaign's progress.
//! What was recorded on earlier days (the burn-up) is kept by the server.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::records::Slug;
use super::scorecard::{CheckId, CheckStatus, Level, Policy, Scorecard};

pub const MAX_TITLE_CHARS: usize = 120;
pub const MAX_DESCRIPTION_CHARS: usize = 4000;
pub const MAX_OWNER_CHARS: usize = 200;
/// The furthest deadline a campaign may set, in days from its creation.
pub const MAX_DEADLINE_DAYS: u64 = 731;

/// What a service must reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CampaignGoal {
    /// Every one of these checks passes (or is waived, or does not apply to the service).
    Checks { checks: Vec<CheckId> },
    /// The service's level is this one or higher.
    Level { level: Level },
}

impl CampaignGoal {
    /// "DR test within interval passes" / "Silver or higher".
    pub fn describe(&self, policy: &Policy) -> String {
        match self {
            CampaignGoal::Level { level } => format!("{} or higher", level.label()),
            CampaignGoal::Checks { checks } => {
                let titles: Vec<String> = checks
                    .iter()
                    .map(|id| policy.check(*id).map_or_else(|| id.as_str().to_owned(), |c| c.title.clone()))
                    .collect();
                format!("{} {}", titles.join(", "), if titles.len() == 1 { "passes" } else { "pass" })
            }
        }
    }
}

/// Which services a campaign concerns (the active services it selects at the time it is read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CampaignScope {
    Tiers { tiers: Vec<u8> },
    Teams { teams: Vec<Slug> },
    Services { services: Vec<Slug> },
}

impl CampaignScope {
    pub fn includes(&self, card: &Scorecard) -> bool {
        match self {
            CampaignScope::Tiers { tiers } => tiers.contains(&card.tier),
            CampaignScope::Teams { teams } => teams.contains(&card.team),
            CampaignScope::Services { services } => services.contains(&card.service),
        }
    }

    /// "tier 0", "tiers 0, 1", "team payments", "3 services: a, b, c".
    pub fn describe(&self) -> String {
        fn list(noun: &str, items: Vec<String>) -> String {
            let plural = if items.len() == 1 { "" } else { "s" };
            format!("{noun}{plural} {}", items.join(", "))
        }
        match self {
            CampaignScope::Tiers { tiers } => list("tier", tiers.iter().map(u8::to_string).collect()),
            CampaignScope::Teams { teams } => list("team", teams.iter().map(Slug::to_string).collect()),
            CampaignScope::Services { services } => list("service", services.iter().map(Slug::to_string).collect()),
        }
    }

    /// The teams and services the scope names, for the server to check they exist.
    pub fn named(&self) -> (&[Slug], &[Slug]) {
        match self {
            CampaignScope::Teams { teams } => (teams, &[]),
            CampaignScope::Services { services } => (&[], services),
            CampaignScope::Tiers { .. } => (&[], &[]),
        }
    }
}

/// What an admin enters to create a campaign, as text (absent fields are empty).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CampaignForm {
    pub title: String,
    pub description: String,
    pub owner: String,
    /// `checks` or `level`.
    pub goal_kind: String,
    /// Check ids, separated by commas or white space (for `checks`).
    pub goal_checks: String,
    /// `bronze`, `silver` or `gold` (for `level`).
    pub goal_level: String,
    /// `tiers`, `teams` or `services`.
    pub scope_kind: String,
    /// Tiers, team slugs or service slugs, separated by commas or white space.
    pub scope_values: String,
    /// `YYYY-MM-DD`: the last day of the campaign.
    pub deadline: String,
}

/// A checked campaign definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignDraft {
    pub title: String,
    pub description: String,
    pub owner: String,
    pub goal: CampaignGoal,
    pub scope: CampaignScope,
    pub deadline: NaiveDate,
}

fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c.is_whitespace()).filter(|w| !w.is_empty()).collect()
}

fn bounded(field: &str, text: &str, max: usize, required: bool) -> Result<String, String> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(format!("The {field} is required."));
    }
    if text.chars().count() > max {
        return Err(format!("The {field} must be at most {max} characters."));
    }
    Ok(text.to_owned())
}

fn no_repeats<T: Ord + Clone>(items: Vec<T>) -> Vec<T> {
    let mut seen = std::collections::BTreeSet::new();
    items.into_iter().filter(|item| seen.insert(item.clone())).collect()
}

/// Checks `form` against `policy`; `today` (the reporting day it is entered on) bounds the
/// deadline. Names of teams and services are checked to exist by the server.
pub fn check_campaign(form: &CampaignForm, policy: &Policy, today: NaiveDate) -> Result<CampaignDraft, String> {
    let title = bounded("title", &form.title, MAX_TITLE_CHARS, true)?;
    let description = bounded("description", &form.description, MAX_DESCRIPTION_CHARS, false)?;
    let owner = bounded("owner", &form.owner, MAX_OWNER_CHARS, true)?;
    let goal = match form.goal_kind.trim() {
        "checks" => {
            let mut checks = Vec::new();
            for word in words(&form.goal_checks) {
                let id = CheckId::parse(word)
                    .filter(|id| policy.check(*id).is_some())
                    .ok_or_else(|| format!("'{word}' is not a check of the policy."))?;
                checks.push(id);
            }
            if checks.is_empty() {
                return Err("Choose at least one check for the goal.".into());
            }
            CampaignGoal::Checks { checks: no_repeats(checks) }
        }
        "level" => CampaignGoal::Level {
            level: Level::parse(&form.goal_level)
                .ok_or_else(|| format!("'{}' is not a level (bronze, silver or gold).", form.goal_level.trim()))?,
        },
        other => return Err(format!("The goal must be 'checks' or 'level', not '{other}'.")),
    };
    let values = words(&form.scope_values);
    if values.is_empty() {
        return Err("Name at least one tier, team or service the campaign concerns.".into());
    }
    let scope = match form.scope_kind.trim() {
        "tiers" => {
            let tiers = values
                .iter()
                .map(|v| v.parse::<u8>().ok().filter(|t| *t <= 3).ok_or_else(|| format!("'{v}' is not a tier (0–3).")))
                .collect::<Result<Vec<u8>, String>>()?;
            CampaignScope::Tiers { tiers: no_repeats(tiers) }
        }
        "teams" | "services" => {
            let slugs = values
                .iter()
                .map(|v| Slug::parse(v).map_err(|e| format!("'{v}' is not a name: it {e}.")))
                .collect::<Result<Vec<Slug>, String>>()?;
            let slugs = no_repeats(slugs);
            if form.scope_kind.trim() == "teams" {
                CampaignScope::Teams { teams: slugs }
            } else {
                CampaignScope::Services { services: slugs }
            }
        }
        other => return Err(format!("The services must be chosen by 'tiers', 'teams' or 'services', not '{other}'.")),
    };
    let deadline = NaiveDate::parse_from_str(form.deadline.trim(), "%Y-%m-%d")
        .map_err(|_| format!("The deadline '{}' is not a date (YYYY-MM-DD).", form.deadline.trim()))?;
    let latest = today.checked_add_days(chrono::Days::new(MAX_DEADLINE_DAYS)).unwrap_or(today);
    if deadline < today || deadline > latest {
        return Err(format!("The deadline must be from {today} to {latest}."));
    }
    Ok(CampaignDraft { title, description, owner, goal, scope, deadline })
}

/// A checked change to a campaign's words and deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedChange {
    pub title: String,
    pub description: String,
    pub owner: String,
    pub deadline: NaiveDate,
}

/// Checks a change as [`check_campaign`] does; an unchanged deadline may already be past
/// `today`'s bound only when it is the one the campaign has (`current`).
pub fn check_change(
    title: &str,
    description: &str,
    owner: &str,
    deadline: &str,
    current: NaiveDate,
    today: NaiveDate,
) -> Result<CheckedChange, String> {
    let title = bounded("title", title, MAX_TITLE_CHARS, true)?;
    let description = bounded("description", description, MAX_DESCRIPTION_CHARS, false)?;
    let owner = bounded("owner", owner, MAX_OWNER_CHARS, true)?;
    let deadline = NaiveDate::parse_from_str(deadline.trim(), "%Y-%m-%d")
        .map_err(|_| format!("The deadline '{}' is not a date (YYYY-MM-DD).", deadline.trim()))?;
    let latest = today.checked_add_days(chrono::Days::new(MAX_DEADLINE_DAYS)).unwrap_or(today);
    if deadline != current && (deadline < today || deadline > latest) {
        return Err(format!("The deadline must be from {today} to {latest}."));
    }
    Ok(CheckedChange { title, description, owner, deadline })
}

/// A check a service must still fix to meet the goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenCheck {
    pub check: String,
    pub title: String,
    pub status: CheckStatus,
    pub explanation: String,
}

/// One service against a goal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceGoal {
    pub service: String,
    pub team: String,
    pub tier: u8,
    pub level: Option<Level>,
    pub met: bool,
    /// What keeps it from the goal (empty once met).
    pub open: Vec<OpenCheck>,
    /// Whether the goal can be met at all: a level goal is out of reach when a level up to it
    /// has no check that applies to the service (its tier tops out below it). Such services
    /// are listed, but not counted in the campaign's standing.
    pub reachable: bool,
}

/// Whether a check status meets a checks goal: a campaign for a check announced for later
/// (`upcoming`) judges what the check finds now.
fn meets(status: CheckStatus) -> bool {
    matches!(status, CheckStatus::Pass | CheckStatus::Waived | CheckStatus::NotApplicable)
}

/// `card` against `goal`.
pub fn judge(goal: &CampaignGoal, card: &Scorecard) -> ServiceGoal {
    let open: Vec<OpenCheck> = match goal {
        CampaignGoal::Checks { checks } => checks
            .iter()
            .filter_map(|id| match card.checks.iter().find(|c| c.id == *id) {
                Some(c) if meets(c.judged.unwrap_or(c.status)) => None,
                Some(c) => Some(OpenCheck {
                    check: c.id.as_str().to_owned(),
                    title: c.title.clone(),
                    status: c.judged.unwrap_or(c.status),
                    explanation: c.explanation.clone(),
                }),
                None => Some(OpenCheck {
                    check: id.as_str().to_owned(),
                    title: id.as_str().to_owned(),
                    status: CheckStatus::NoData,
                    explanation: "The scorecard policy no longer has this check.".to_owned(),
                }),
            })
            .collect(),
        CampaignGoal::Level { level } => card
            .checks
            .iter()
            .filter(|c| c.level <= *level && c.status.needs_fixing())
            .map(|c| OpenCheck {
                check: c.id.as_str().to_owned(),
                title: c.title.clone(),
                status: c.status,
                explanation: c.explanation.clone(),
            })
            .collect(),
    };
    let (met, reachable) = match goal {
        CampaignGoal::Checks { .. } => (open.is_empty(), true),
        // As `level_of` does: a level none of whose checks applies is never reached.
        CampaignGoal::Level { level } => (
            card.level.is_some_and(|l| l >= *level),
            Level::ALL
                .into_iter()
                .filter(|l| l <= level)
                .all(|l| card.checks.iter().any(|c| c.level == l && c.status.counts())),
        ),
    };
    ServiceGoal {
        service: card.service.to_string(),
        team: card.team.to_string(),
        tier: card.tier,
        level: card.level,
        met,
        open: if met { Vec::new() } else { open },
        reachable: met || reachable,
    }
}

/// A team's share of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamProgress {
    pub team: String,
    pub met: usize,
    pub total: usize,
}

/// Where a campaign stands on some scorecards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    /// Of the services that can meet the goal.
    pub met: usize,
    pub total: usize,
    pub teams: Vec<TeamProgress>,
    /// Services not meeting the goal first (by tier, then name), then those that do, then those
    /// that cannot.
    pub services: Vec<ServiceGoal>,
}

impl Standing {
    /// The services still open (that can meet the goal), by name.
    pub fn open_services(&self) -> Vec<String> {
        self.services.iter().filter(|s| s.reachable && !s.met).map(|s| s.service.clone()).collect()
    }
}

/// Judges every card `scope` includes against `goal`.
pub fn standing(goal: &CampaignGoal, scope: &CampaignScope, cards: &[Scorecard]) -> Standing {
    standing_of(goal, scope, cards.iter())
}

/// [`standing`] over `team`'s services only: its share of a campaign.
pub fn team_standing(goal: &CampaignGoal, scope: &CampaignScope, cards: &[Scorecard], team: &str) -> Standing {
    standing_of(goal, scope, cards.iter().filter(|c| c.team.as_str() == team))
}

fn standing_of<'a>(goal: &CampaignGoal, scope: &CampaignScope, cards: impl Iterator<Item = &'a Scorecard>) -> Standing {
    let mut services: Vec<ServiceGoal> = cards.filter(|c| scope.includes(c)).map(|c| judge(goal, c)).collect();
    services.sort_by(|a, b| (!a.reachable, a.met, a.tier, &a.service).cmp(&(!b.reachable, b.met, b.tier, &b.service)));
    let mut teams: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for s in services.iter().filter(|s| s.reachable) {
        let entry = teams.entry(s.team.as_str()).or_default();
        entry.0 += usize::from(s.met);
        entry.1 += 1;
    }
    let teams =
        teams.into_iter().map(|(team, (met, total))| TeamProgress { team: team.to_owned(), met, total }).collect();
    let met = services.iter().filter(|s| s.met).count();
    let total = services.iter().filter(|s| s.reachable).count();
    Standing { met, total, teams, services }
}

/// Where a campaign is in its life, on a reporting day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CampaignState {
    /// Before or on its deadline.
    Running,
    /// Its deadline has passed: its result is the standing recorded on the deadline.
    Ended,
    Cancelled,
}

impl CampaignState {
    pub fn of(deadline: NaiveDate, cancelled: bool, today: NaiveDate) -> CampaignState {
        if cancelled {
            CampaignState::Cancelled
        } else if today > deadline {
            CampaignState::Ended
        } else {
            CampaignState::Running
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CampaignState::Running => "Running",
            CampaignState::Ended => "Ended",
            CampaignState::Cancelled => "Cancelled",
        }
    }
}

/// The lower-case slug a title gives ("Tier-0 DR by Q1!" → "tier-0-dr-by-q1").
pub fn slug_of(title: &str) -> String {
    let mut slug = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_end_matches('-').chars().take(60).collect();
    let slug = slug.trim_end_matches('-').to_owned();
    if slug.is_empty() { "campaign".to_owned() } else { slug }
}

#[cfg(test)]
#[path = "campaign_tests.rs"]
mod tests;
