//! The quarterly report page: the published report of a quarter, or a draft computed now.

use app::api::ReportView;
use app::domain::kpi::{Period, Scope};
use app::domain::report::Publication;
use app::error::AppError;
use app::ports::ReportPort;

use crate::kpis::Figures;
use crate::report::publication::period_state;
use crate::report::snapshots::{self, SnapshotError};
use crate::report::{self, ReportError};

pub struct ReportPage {
    figures: Figures,
    /// A checkpoint of the audit trail follows each publication.
    checkpoints: crate::checkpoints::Checkpoints,
}

impl ReportPage {
    pub fn new(figures: Figures, checkpoints: crate::checkpoints::Checkpoints) -> Self {
        ReportPage { figures, checkpoints }
    }
}

impl ReportPage {
    /// The headline figures the live data now disagrees with, for a published quarter.
    async fn live_changes(
        &self,
        period: &Period,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<app::domain::publication::FigureChange>, AppError> {
        let failed =
            |e: &dyn std::fmt::Display| AppError::internal("comparing a published report with live figures", e);
        let live = Box::pin(self.figures.summary(*period, &Scope::Org, now)).await.map_err(|e| failed(&e))?;
        let state = period_state(&self.figures, period, &Scope::Org, &live.kpis, now).await.map_err(|e| failed(&e))?;
        Ok(state.changes().to_vec())
    }
}

#[async_trait::async_trait]
impl ReportPort for ReportPage {
    async fn report(&self, period: String, admin: bool) -> Result<ReportView, AppError> {
        let now = crate::clock_now();
        let period = self.figures.period(Some(&period), now)?;
        let figures = &self.figures.for_one_page();
        let mut view = match Box::pin(report::report(figures, period, now)).await {
            Ok(view) => view,
            Err(error @ ReportError::NotAQuarter(_)) => return Err(AppError::Invalid(error.to_string())),
            Err(other) => return Err(AppError::internal("building a quarterly report", &other)),
        };
        match &mut view.publication {
            Publication::Published { changes, .. } => *changes = self.live_changes(&period, now).await?,
            Publication::Draft { open, .. } if admin && !*open => {
                // A quarter that ended before the first record has nothing to publish.
                view.can_publish = self
                    .figures
                    .has_data(&period)
                    .await
                    .map_err(|e| AppError::internal("finding the first record", &e))?;
            }
            Publication::Draft { .. } => {}
        }
        view.recomputing = figures.served_outdated();
        Ok(view)
    }

    async fn publish(&self, period: String, actor: String) -> Result<(), AppError> {
        let now = crate::clock_now();
        let period = Period::parse_begun(&period, self.figures.calendar, now)?;
        if !period.is_quarter() {
            return Err(AppError::Invalid(format!("Reports are quarterly: {period} is not a quarter.")));
        }
        match Box::pin(snapshots::publish(&self.figures, &period, &actor, now)).await {
            Ok(summary) => {
                tracing::info!(period = %summary.period, sha256 = %summary.content_sha256, %actor, "report published");
                self.checkpoints.record_after(&self.figures.db, crate::checkpoints::Reason::Snapshot).await;
                Ok(())
            }
            Err(
                error @ (SnapshotError::NotClosed(_)
                | SnapshotError::AlreadyPublished(_)
                | SnapshotError::BeforeData(_)),
            ) => Err(AppError::Invalid(error.to_string())),
            Err(other) => Err(AppError::internal("publishing a report", &other)),
        }
    }
}
