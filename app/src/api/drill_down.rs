//! The drill-down page: the records behind one KPI value, as a table.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::kpi::{PopulationTable, SortOrder};
use crate::error::AppError;

/// The records behind one KPI value (the drill-down page), as a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationView {
    pub kpi: String,
    pub label: String,
    pub definition: String,
    /// The population rule with the period's bounds filled in.
    pub filter: String,
    pub period: String,
    pub scope: String,
    /// The duration KPIs' severity filter.
    pub severity: Vec<String>,
    /// The value as `GET /api/v1/kpis` reports it, for reading.
    pub value: String,
    /// The parts of a composite value ("days 1 30: 2, …"), if any.
    pub breakdown: Option<String>,
    pub count: usize,
    pub included: usize,
    pub counted: usize,
    /// The listed records (at most the page's limit of the sorted population) with the KPI's
    /// columns.
    pub table: PopulationTable,
    /// The column the table is sorted by, if any.
    pub sort: Option<SortOrder>,
    /// The JSON API call giving every record.
    pub api: String,
    /// The CSV download of every record, in this order and with these columns.
    pub csv: String,
    /// For a published period: the published figure, and whether today's records still give it.
    #[serde(default)]
    pub published: Option<PublishedFigure>,
}

/// A drill-down's figure as it was published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PublishedFigure {
    /// "3", "97.5 %".
    pub value: String,
    pub published_at: String,
    pub published_by: String,
    /// Today's records give another value than the published one.
    pub differs: bool,
}

#[server(endpoint = "population")]
pub async fn get_population(
    kpi: String,
    period: Option<String>,
    scope: Option<String>,
    severity: Option<String>,
    sort: Option<String>,
) -> Result<PopulationView, AppError> {
    let (_, ports) = crate::ports::enter(crate::domain::access::Access::Read, "KPI drill-downs")?;
    ports.drill_down.population(kpi, period, scope, severity, sort).await
}
