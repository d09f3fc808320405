//! The drill-down page's port: the records behind one KPI value.

use crate::api::PopulationView;
use crate::error::AppError;

#[async_trait::async_trait]
pub trait DrillDownPort: Send + Sync {
    async fn population(
        &self,
        kpi: String,
        period: Option<String>,
        scope: Option<String>,
        severity: Option<String>,
        sort: Option<String>,
    ) -> Result<PopulationView, AppError>;
}
