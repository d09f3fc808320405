//! The drill-down page's data: the records behind one KPI value as an evidence table (the KPI's
//! own columns, typed values, sortable), with links to the same records as JSON and as CSV.

use std::collections::HashMap;

use app::api::{PopulationView, PublishedFigure};
use app::domain::format::format_value;
use app::domain::kpi::{KpiId, SeverityFilter, value_in_words};
use app::domain::overview::headline::HEADLINES;
use app::domain::publication::figure_changes;
use app::error::AppError;
use app::ports::DrillDownPort;

use crate::kpis::{Figures, KpiQuery, LoadError, PopulationReport, drill_down_table};
use crate::report::publication::published_figures;

/// Most records the page lists; the JSON and CSV downloads give them all.
const MAX_ROWS: usize = 1000;

pub struct DrillDownPage {
    figures: Figures,
}

impl DrillDownPage {
    pub fn new(figures: Figures) -> Self {
        DrillDownPage { figures }
    }
}

#[async_trait::async_trait]
impl DrillDownPort for DrillDownPage {
    async fn population(
        &self,
        kpi: String,
        period: Option<String>,
        scope: Option<String>,
        severity: Option<String>,
        sort: Option<String>,
    ) -> Result<PopulationView, AppError> {
        Box::pin(population_page(&self.figures, kpi, period, scope, severity, sort)).await
    }
}

async fn population_page(
    figures: &Figures,
    kpi: String,
    period: Option<String>,
    scope: Option<String>,
    severity: Option<String>,
    sort: Option<String>,
) -> Result<PopulationView, AppError> {
    let id = KpiId::parse(&kpi).ok_or_else(|| AppError::NotFound(format!("There is no KPI '{kpi}'.")))?;
    let now = crate::clock_now();
    let params: HashMap<String, String> = [("period", period), ("scope", scope), ("severity", severity)]
        .into_iter()
        .filter_map(|(name, value)| value.map(|v| (name.to_owned(), v)))
        .collect();
    let query =
        KpiQuery::parse(&params, &["period", "scope", "severity"], figures.calendar, now).map_err(AppError::Invalid)?;
    let report = match figures.population(&query, id, now).await {
        Ok(report) => report,
        Err(LoadError::UnknownScope(detail)) => return Err(AppError::NotFound(detail)),
        Err(other) => return Err(AppError::internal("loading a KPI's population", &other)),
    };
    let (mut table, sort) = drill_down_table(&figures.db, &report, sort.as_deref())
        .await
        .map_err(|e| AppError::internal("loading the drill-down's titles", &e))?;
    table.rows.truncate(MAX_ROWS);
    let (value, breakdown) = value_in_words(id, &report.values);
    let published = published_figure(figures, &query, id, &report).await?;
    let severities: Vec<&str> = report.severity.iter().map(|s| s.as_str()).collect();
    let query_string = format!(
        "period={}&scope={}&severity={}{}",
        report.header.period,
        report.header.scope,
        severities.join(","),
        sort.map(|s| format!("&sort={}", s.param())).unwrap_or_default()
    );
    Ok(PopulationView {
        kpi: id.as_str().to_owned(),
        label: HEADLINES.iter().find(|h| h.kpi == id).map_or_else(|| id.title().to_owned(), |h| h.label.to_owned()),
        definition: id.definition().to_owned(),
        filter: report.population.filter.clone(),
        period: report.header.period.to_string(),
        scope: report.header.scope.to_string(),
        severity: severities.iter().map(|s| (*s).to_owned()).collect(),
        value,
        breakdown,
        count: report.count,
        included: report.included,
        counted: report.counted,
        table,
        sort,
        api: format!("/api/v1/kpis/{}/population?{query_string}", id.as_str()),
        csv: format!("/api/v1/kpis/{}/population.csv?{query_string}", id.as_str()),
        published,
    })
}

/// The published value of a headline KPI for a published period and scope (published with the
/// default severity filter, so only for that filter), beside what today's records give.
async fn published_figure(
    figures: &Figures,
    query: &KpiQuery,
    id: KpiId,
    report: &PopulationReport,
) -> Result<Option<PublishedFigure>, AppError> {
    let Some(headline) = HEADLINES.iter().find(|h| h.kpi == id) else { return Ok(None) };
    if query.severity != SeverityFilter::HIGH {
        return Ok(None);
    }
    let Some(frozen) = published_figures(figures, &query.period)
        .await
        .map_err(|e| AppError::internal("reading a published snapshot", &e))?
    else {
        return Ok(None);
    };
    let Some(values) = frozen.of(&query.scope) else { return Ok(None) };
    // The same comparison the period's notice makes.
    let differs = figure_changes(values, &report.values).iter().any(|c| c.kpi == id.as_str());
    Ok(Some(PublishedFigure {
        value: format_value(headline.unit, (headline.read)(values)),
        published_at: frozen.published_at.map(app::domain::format::instant).unwrap_or_default(),
        published_by: frozen.published_by.clone(),
        differs,
    }))
}
