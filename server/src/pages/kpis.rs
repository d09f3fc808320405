//! The KPI index's data: every pinned KPI of a period and scope, its value in words (from the
//! same cached report as `GET /api/v1/kpis`) and definition.

use std::collections::HashMap;

use app::api::{KpiLine, KpisView};
use app::domain::kpi::{KpiId, value_in_words};
use app::error::AppError;
use app::ports::KpisPort;

use super::header::{period_header, standing};
use crate::kpis::{Figures, KpiQuery, LoadError};

pub struct KpisPage {
    figures: Figures,
}

impl KpisPage {
    pub fn new(figures: Figures) -> Self {
        KpisPage { figures }
    }
}

#[async_trait::async_trait]
impl KpisPort for KpisPage {
    async fn kpis(&self, period: Option<String>, scope: Option<String>) -> Result<KpisView, AppError> {
        let figures = &self.figures.for_one_page();
        let now = crate::clock_now();
        let params: HashMap<String, String> = [("period", period), ("scope", scope)]
            .into_iter()
            .filter_map(|(name, value)| value.filter(|v| !v.trim().is_empty()).map(|v| (name.to_owned(), v)))
            .collect();
        let query = KpiQuery::parse(&params, &["period", "scope"], figures.calendar, now).map_err(AppError::Invalid)?;
        let report = match figures.kpis(&query, now).await {
            Ok(report) => report,
            Err(LoadError::UnknownScope(detail)) => return Err(AppError::NotFound(detail)),
            Err(other) => return Err(AppError::internal("loading the KPI index", &other)),
        };
        // A period that ended before the first record has no data: never zeros.
        let before_data =
            !figures.has_data(&query.period).await.map_err(|e| AppError::internal("finding the first record", &e))?;
        let kpis = KpiId::ALL
            .into_iter()
            .map(|id| {
                let (value, breakdown) =
                    if before_data { ("no data".to_owned(), None) } else { value_in_words(id, &report.kpis) };
                KpiLine {
                    kpi: id.as_str().to_owned(),
                    title: id.title().to_owned(),
                    family: id.family().to_owned(),
                    value,
                    breakdown,
                    definition: id.definition().to_owned(),
                }
            })
            .collect();
        let state = standing(figures, &query.period, &query.scope, &report.kpis, now).await?;
        let mut header =
            period_header(query.period, report.header.as_of, &figures.policy.version, figures.calendar, state, now);
        header.recomputing = figures.served_outdated();
        Ok(KpisView { header, scope: query.scope.to_string(), kpis })
    }
}
