//! The quarterly report page: the published report of a quarter, or a draft computed now.

use app::api::ReportView;
use app::error::AppError;
use app::ports::ReportPort;

use crate::kpis::Figures;
use crate::report::{self, ReportError};

pub struct ReportPage {
    figures: Figures,
}

impl ReportPage {
    pub fn new(figures: Figures) -> Self {
        ReportPage { figures }
    }
}

#[async_trait::async_trait]
impl ReportPort for ReportPage {
    async fn report(&self, period: String) -> Result<ReportView, AppError> {
        let now = crate::clock_now();
        let period = self.figures.period(Some(&period), now)?;
        match Box::pin(report::report(&self.figures, period, now)).await {
            Ok(view) => Ok(view),
            Err(error @ ReportError::NotAQuarter(_)) => Err(AppError::Invalid(error.to_string())),
            Err(other) => Err(AppError::internal("building a quarterly report", &other)),
        }
    }
}
