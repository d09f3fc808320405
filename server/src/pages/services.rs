//! The services list: every active
//! service's scorecard for a period (cached for closed periods), filtered, sorted and paged by
//! the pure listing code.

use std::collections::{BTreeSet, HashMap};

use app::api::{CheckColumn, ServicesQuery, ServicesView};
use app::domain::scorecard::listing::{self, LevelFilter, ListQuery, SortKey, Standing};
use app::error::AppError;
use app::ports::ServicesPort;

use crate::kpis::{Figures, ScorecardFilter};

pub struct ServicesPage {
    figures: Figures,
}

impl ServicesPage {
    pub fn new(figures: Figures) -> Self {
        ServicesPage { figures }
    }
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn list_query(query: &ServicesQuery) -> Result<ListQuery, AppError> {
    let invalid = |what: String| AppError::Invalid(what);
    let tier = match given(&query.tier) {
        None => None,
        Some(text) => Some(
            text.parse::<u8>()
                .ok()
                .filter(|t| *t <= 3)
                .ok_or_else(|| invalid(format!("tier must be 0–3, not '{text}'")))?,
        ),
    };
    let level = match given(&query.level) {
        None => None,
        Some(text) => Some(
            LevelFilter::parse(text)
                .ok_or_else(|| invalid(format!("level must be bronze, silver, gold or none, not '{text}'")))?,
        ),
    };
    let sort = match given(&query.sort) {
        None => SortKey::default(),
        Some(text) => SortKey::parse(text).ok_or_else(|| {
            let known: Vec<&str> = SortKey::ALL.iter().map(|k| k.as_str()).collect();
            invalid(format!("sort must be one of {}, not '{text}'", known.join(", ")))
        })?,
    };
    let page = match given(&query.page) {
        None => 1,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| invalid(format!("page must be 1 or more, not '{text}'")))?,
    };
    Ok(ListQuery {
        team: given(&query.team).map(str::to_owned),
        tier,
        level,
        text: given(&query.q).map(str::to_owned),
        sort,
        descending: given(&query.desc).is_some_and(|d| d == "1" || d == "true"),
        page,
    })
}

#[async_trait::async_trait]
impl ServicesPort for ServicesPage {
    async fn services(&self, query: ServicesQuery) -> Result<ServicesView, AppError> {
        let figures = &self.figures.for_one_page();
        let now = crate::clock_now();
        let period = figures.period(query.period.as_deref(), now)?;
        let list = list_query(&query)?;
        let report = figures
            .scorecards(&period, &ScorecardFilter::default(), now)
            .await
            .map_err(|e| AppError::internal("listing services", &e))?;
        let mut page = listing::list(&report.scorecards, &list);
        // The change column: each listed service's level and score in the previous period; none
        // when that period ended before the first record (there is nothing to compare with).
        let previous = period.previous();
        let previous_has_data =
            figures.has_data(&previous).await.map_err(|e| AppError::internal("finding the first record", &e))?;
        if previous_has_data {
            let earlier = self
                .figures
                .scorecards(&previous, &ScorecardFilter::default(), now)
                .await
                .map_err(|e| AppError::internal("listing services of the previous period", &e))?;
            let by_service: HashMap<&str, Standing> = earlier
                .scorecards
                .iter()
                .map(|c| (c.service.as_str(), Standing { level: c.level, score: c.score }))
                .collect();
            for row in &mut page.rows {
                row.previous = by_service.get(row.service.as_str()).copied();
            }
        }
        let slugs: BTreeSet<&str> = report.scorecards.iter().map(|c| c.team.as_str()).collect();
        let names =
            crate::catalog::team_names(&figures.db).await.map_err(|e| AppError::internal("listing team names", &e))?;
        let mut teams: Vec<(String, String)> = slugs
            .into_iter()
            .map(|slug| (slug.to_owned(), names.get(slug).cloned().unwrap_or_else(|| slug.to_owned())))
            .collect();
        teams.sort_by_key(|(_, name)| name.to_lowercase());
        let checks = figures
            .policy
            .checks
            .iter()
            .map(|c| CheckColumn { id: c.id.as_str().to_owned(), title: c.title.clone(), level: c.level })
            .collect();
        Ok(ServicesView {
            period: period.to_string(),
            policy_version: report.policy_version.clone(),
            page,
            teams,
            previous: previous.to_string(),
            previous_has_data,
            checks,
            recomputing: figures.served_outdated(),
        })
    }
}
