//! The services list (docs/scorecard-policy.md): scorecards filtered by team, tier, level and text, sorted
//! by any column, a page at a time. Pure, so 2,000 services are sliced without the database.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::movers::rank;
use super::{CheckStatus, Level, Scorecard};

/// Rows per page.
pub const PAGE_SIZE: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Most to fix first: lowest level, then lowest score, then most failing checks.
    #[default]
    Attention,
    Service,
    Team,
    Tier,
    Level,
    Score,
    Failing,
}

impl SortKey {
    pub const ALL: [SortKey; 7] = [
        SortKey::Attention,
        SortKey::Service,
        SortKey::Team,
        SortKey::Tier,
        SortKey::Level,
        SortKey::Score,
        SortKey::Failing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::Attention => "attention",
            SortKey::Service => "service",
            SortKey::Team => "team",
            SortKey::Tier => "tier",
            SortKey::Level => "level",
            SortKey::Score => "score",
            SortKey::Failing => "failing",
        }
    }

    pub fn parse(text: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }
}

/// Which level to keep: one of the levels, or below Bronze.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LevelFilter {
    Reached(Level),
    None,
}

impl LevelFilter {
    pub fn parse(text: &str) -> Option<LevelFilter> {
        match text.trim() {
            "none" => Some(LevelFilter::None),
            other => Level::parse(other).map(LevelFilter::Reached),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ListQuery {
    pub team: Option<String>,
    pub tier: Option<u8>,
    pub level: Option<LevelFilter>,
    /// Part of the service or team slug, any case.
    pub text: Option<String>,
    pub sort: SortKey,
    pub descending: bool,
    /// 1-based.
    pub page: usize,
}

/// One service in the list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceRow {
    pub service: String,
    pub team: String,
    pub tier: u8,
    pub level: Option<Level>,
    pub score: Option<u8>,
    /// Checks failing or without data (waived ones excluded).
    pub failing: usize,
    pub waived: usize,
    /// Every check's status, in the policy's order (the services × checks matrix).
    #[serde(default)]
    pub statuses: Vec<CheckStatus>,
    /// The level and score of the previous period; `None` when the service was not scored then.
    #[serde(default)]
    pub previous: Option<Standing>,
}

/// A service's level and score in one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub level: Option<Level>,
    pub score: Option<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServicePage {
    pub rows: Vec<ServiceRow>,
    /// Services matching the filters (all pages).
    pub total: usize,
    pub page: usize,
    pub pages: usize,
}

fn row(card: &Scorecard) -> ServiceRow {
    let count = |wanted: &[CheckStatus]| card.checks.iter().filter(|c| wanted.contains(&c.status)).count();
    ServiceRow {
        service: card.service.as_str().to_owned(),
        team: card.team.as_str().to_owned(),
        tier: card.tier,
        level: card.level,
        score: card.score,
        failing: count(&[CheckStatus::Fail, CheckStatus::NoData]),
        waived: count(&[CheckStatus::Waived]),
        statuses: card.checks.iter().map(|c| c.status).collect(),
        previous: None,
    }
}

fn keeps(query: &ListQuery, row: &ServiceRow) -> bool {
    let text = query.text.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_lowercase);
    query.team.as_deref().is_none_or(|team| row.team == team)
        && query.tier.is_none_or(|tier| row.tier == tier)
        && query.level.is_none_or(|level| match level {
            LevelFilter::Reached(l) => row.level == Some(l),
            LevelFilter::None => row.level.is_none(),
        })
        && text.is_none_or(|t| row.service.contains(&t) || row.team.contains(&t))
}

fn compare(sort: SortKey, a: &ServiceRow, b: &ServiceRow) -> Ordering {
    // Scores: a service with no applicable check sorts below 0.
    let score = |r: &ServiceRow| r.score.map_or(-1, i16::from);
    let primary = match sort {
        SortKey::Attention => rank(a.level)
            .cmp(&rank(b.level))
            .then(score(a).cmp(&score(b)))
            .then(b.failing.cmp(&a.failing))
            .then(a.tier.cmp(&b.tier)),
        SortKey::Service => Ordering::Equal,
        SortKey::Team => a.team.cmp(&b.team),
        SortKey::Tier => a.tier.cmp(&b.tier),
        SortKey::Level => rank(a.level).cmp(&rank(b.level)),
        SortKey::Score => score(a).cmp(&score(b)),
        SortKey::Failing => a.failing.cmp(&b.failing),
    };
    primary.then_with(|| a.service.cmp(&b.service))
}

/// Filters, sorts and slices `cards`. A page past the end gives the last page.
pub fn list(cards: &[Scorecard], query: &ListQuery) -> ServicePage {
    let mut rows: Vec<ServiceRow> = cards.iter().map(row).filter(|r| keeps(query, r)).collect();
    rows.sort_by(|a, b| {
        let order = compare(query.sort, a, b);
        if query.descending { order.reverse() } else { order }
    });
    let total = rows.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = query.page.clamp(1, pages);
    let rows = rows.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).collect();
    ServicePage { rows, total, page, pages }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::records::Slug;

    fn card(service: &str, team: &str, tier: u8, level: Option<Level>, score: Option<u8>) -> Scorecard {
        Scorecard {
            service: Slug::parse(service).expect("slug"),
            team: Slug::parse(team).expect("slug"),
            tier,
            policy_version: "1".into(),
            as_of: chrono::DateTime::UNIX_EPOCH,
            level,
            score,
            checks: Vec::new(),
        }
    }

    fn cards() -> Vec<Scorecard> {
        (0..120)
            .map(|i| {
                let level = [None, Some(Level::Bronze), Some(Level::Silver), Some(Level::Gold)][i % 4];
                card(
                    &format!("svc-{i:03}"),
                    if i % 2 == 0 { "payments" } else { "search" },
                    (i % 4) as u8,
                    level,
                    Some((i % 101) as u8),
                )
            })
            .collect()
    }

    fn services(page: &ServicePage) -> Vec<&str> {
        page.rows.iter().map(|r| r.service.as_str()).collect()
    }

    #[test]
    fn pages_of_fifty_and_a_page_past_the_end_is_the_last() {
        let all = cards();
        let first = list(&all, &ListQuery { sort: SortKey::Service, page: 1, ..ListQuery::default() });
        assert_eq!((first.total, first.pages, first.rows.len()), (120, 3, 50));
        assert_eq!(services(&first)[0], "svc-000");
        let last = list(&all, &ListQuery { sort: SortKey::Service, page: 9, ..ListQuery::default() });
        assert_eq!((last.page, last.rows.len()), (3, 20));
        assert_eq!(services(&last).last(), Some(&"svc-119"));
    }

    #[test]
    fn filters_combine() {
        let all = cards();
        let query = ListQuery {
            team: Some("payments".into()),
            level: Some(LevelFilter::Reached(Level::Silver)),
            text: Some("SVC-0".into()),
            ..ListQuery::default()
        };
        let page = list(&all, &query);
        assert!(page.rows.iter().all(|r| r.team == "payments" && r.level == Some(Level::Silver)));
        assert!(page.rows.iter().all(|r| r.service.starts_with("svc-0")));
        assert_eq!(page.total, 25, "even ids below 100 with i % 4 == 2");
        let below = list(&all, &ListQuery { level: Some(LevelFilter::None), tier: Some(0), ..ListQuery::default() });
        assert!(below.rows.iter().all(|r| r.level.is_none() && r.tier == 0));
        assert_eq!(below.total, 30);
    }

    #[test]
    fn attention_puts_the_lowest_level_and_score_first() {
        let all = vec![
            card("gold", "a", 0, Some(Level::Gold), Some(100)),
            card("none-high", "a", 0, None, Some(80)),
            card("none-low", "a", 0, None, Some(10)),
            card("bronze", "a", 0, Some(Level::Bronze), Some(5)),
        ];
        let page = list(&all, &ListQuery::default());
        assert_eq!(services(&page), ["none-low", "none-high", "bronze", "gold"]);
        let by_score = list(&all, &ListQuery { sort: SortKey::Score, descending: true, ..ListQuery::default() });
        assert_eq!(services(&by_score), ["gold", "none-high", "none-low", "bronze"]);
    }
}
