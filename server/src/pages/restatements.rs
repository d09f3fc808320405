//! The restatements page of a published period (docs/as-known-at.md §3).

use app::api::RestatementsView;
use app::domain::kpi::Period;
use app::error::AppError;
use app::ports::RestatementsPort;

use crate::kpis::Figures;
use crate::record_history::restatements::{RestatementError, restatements};

pub struct RestatementsPage {
    figures: Figures,
}

impl RestatementsPage {
    pub fn new(figures: Figures) -> Self {
        RestatementsPage { figures }
    }
}

#[async_trait::async_trait]
impl RestatementsPort for RestatementsPage {
    async fn restatements(&self, period: String) -> Result<RestatementsView, AppError> {
        let period = Period::parse(&period, self.figures.calendar)?;
        let now = crate::clock_now();
        match Box::pin(restatements(&self.figures.db, &self.figures.policy, &period, now)).await {
            Ok(view) => Ok(view),
            Err(RestatementError::NotPublished(period)) => {
                Err(AppError::NotFound(format!("{period} is not published: there is nothing to restate.")))
            }
            Err(refused @ (RestatementError::BeforeHistory { .. } | RestatementError::PublishedLater(..))) => {
                Err(AppError::Invalid(refused.to_string()))
            }
            Err(other) => Err(AppError::internal("computing restatements", &other)),
        }
    }
}
