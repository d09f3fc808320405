//! The reports index: the recent quarters the period picker offers, each with whether its report
//! is open, a draft or published (and when, by whom).

use std::collections::HashMap;

use app::api::{ReportRow, ReportState, ReportsView};
use app::domain::format::instant;
use app::domain::kpi::{Period, Scope, SeverityFilter};
use app::domain::overview::period_choices;
use app::error::AppError;
use app::ports::ReportsPort;
use chrono::{DateTime, Utc};

use crate::kpis::Figures;
use crate::report::publication::period_state;
use crate::report::snapshots;

pub struct ReportsPage {
    figures: Figures,
}

impl ReportsPage {
    pub fn new(figures: Figures) -> Self {
        ReportsPage { figures }
    }

    /// Whether today's records give other org headline figures than the published ones.
    async fn live_differs(&self, period: &Period, now: DateTime<Utc>) -> Result<bool, AppError> {
        let failed = |e: &dyn std::fmt::Display| AppError::internal("comparing a published quarter", e);
        let live = Box::pin(self.figures.rollups(period, SeverityFilter::HIGH, now)).await.map_err(|e| failed(&e))?;
        let state = period_state(&self.figures, period, &Scope::Org, &live.org, now).await.map_err(|e| failed(&e))?;
        Ok(!state.changes().is_empty())
    }
}

#[async_trait::async_trait]
impl ReportsPort for ReportsPage {
    async fn reports(&self) -> Result<ReportsView, AppError> {
        let now = crate::clock_now();
        let published: HashMap<String, snapshots::SnapshotSummary> = snapshots::list(&self.figures.db)
            .await
            .map_err(|e| AppError::internal("listing published reports", &e))?
            .into_iter()
            .map(|s| (s.period.clone(), s))
            .collect();
        let (quarters, _) = period_choices(now, self.figures.calendar);
        let mut rows = Vec::new();
        for period in quarters.iter().filter_map(|text| Period::parse(text, self.figures.calendar).ok()) {
            let snapshot = published.get(&period.to_string());
            let state = match snapshot {
                Some(_) if self.live_differs(&period, now).await? => ReportState::PublishedLiveDiffers,
                Some(_) => ReportState::Published,
                None if period.end() > now => ReportState::Open,
                None => ReportState::Draft,
            };
            rows.push(ReportRow {
                period: period.to_string(),
                from: period.first_day().to_string(),
                to: period.end_day().pred_opt().unwrap_or(period.end_day()).to_string(),
                state,
                published: snapshot.map(|s| (instant(s.published_at), s.published_by.clone())),
            });
        }
        let quarters = rows;
        Ok(ReportsView { quarters })
    }
}
