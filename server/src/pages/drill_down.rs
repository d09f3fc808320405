//! The drill-down page's data: `GET /api/v1/kpis/{kpi}/population` as a table, each record's
//! fields as columns (so every record kind shows what its KPI reads).

use std::collections::HashMap;

use app::api::{PopulationRowView, PopulationView};
use app::domain::kpi::KpiId;
use app::domain::overview::headline::HEADLINES;
use app::domain::overview::{Unit, format_value};
use app::error::AppError;
use serde_json::Value;

use app::ports::DrillDownPort;

use crate::kpis::{Figures, KpiQuery, LoadError};

/// Most records the page lists; the JSON API gives them all.
const MAX_ROWS: usize = 1000;

/// A field's value for reading: text as is, lists joined, absent as a dash.
fn cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "—".to_owned(),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Array(items)) => items.iter().map(|v| cell(Some(v))).collect::<Vec<_>>().join(", "),
        Some(other) => other.to_string(),
    }
}

/// The KPI's value as the overview shows it when it is a headline figure, and the parts of a
/// composite value (buckets, severities, statistics) as "name: value" pairs.
fn value_text(kpi: KpiId, value: &Value) -> (String, Option<String>) {
    let unit = HEADLINES.iter().find(|h| h.kpi == kpi).map(|h| h.unit);
    let parts = |map: &serde_json::Map<String, Value>, skip: &str| {
        let listed: Vec<String> = map
            .iter()
            .filter(|(k, _)| k.as_str() != skip)
            .map(|(k, v)| format!("{}: {}", k.replace('_', " "), cell(Some(v))))
            .collect();
        (!listed.is_empty()).then(|| listed.join(", "))
    };
    match (unit, value) {
        (_, Value::Null) => ("no data".to_owned(), None),
        (Some(unit), Value::Number(n)) => (format_value(unit, n.as_f64()), None),
        (Some(Unit::Minutes), Value::Object(map)) => {
            let median = map.get("median").and_then(Value::as_f64);
            (format!("median {}", format_value(Unit::Minutes, median)), parts(map, "median"))
        }
        (_, Value::Object(map)) if map.contains_key("count") => (cell(map.get("count")), parts(map, "count")),
        (_, Value::Object(map)) => (String::new(), parts(map, "")),
        _ => (cell(Some(value)), None),
    }
}

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
    ) -> Result<PopulationView, AppError> {
        Box::pin(population_page(&self.figures, kpi, period, scope, severity)).await
    }
}

async fn population_page(
    figures: &Figures,
    kpi: String,
    period: Option<String>,
    scope: Option<String>,
    severity: Option<String>,
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
    let records: Vec<Value> =
        report.population.rows.iter().take(MAX_ROWS).map(|row| serde_json::to_value(row).unwrap_or_default()).collect();
    let mut columns: Vec<String> = Vec::new();
    for record in &records {
        for key in record.as_object().into_iter().flat_map(|o| o.keys()) {
            let row_field = matches!(key.as_str(), "included" | "counted" | "value" | "note");
            if !row_field && !columns.contains(key) {
                columns.push(key.clone());
            }
        }
    }
    let rows = records
        .iter()
        .zip(&report.population.rows)
        .map(|(record, row)| PopulationRowView {
            cells: columns.iter().map(|c| cell(record.get(c))).collect(),
            service: record.get("service").or_else(|| record.get("slug")).and_then(Value::as_str).map(str::to_owned),
            included: row.included,
            counted: row.counted,
            value: row.value,
            note: row.note.clone(),
        })
        .collect();
    let (value, breakdown) = value_text(id, &report.value);
    let api = format!(
        "/api/v1/kpis/{}/population?period={}&scope={}",
        id.as_str(),
        report.header.period,
        report.header.scope
    );
    Ok(PopulationView {
        kpi: id.as_str().to_owned(),
        label: HEADLINES
            .iter()
            .find(|h| h.kpi == id)
            .map_or_else(|| id.as_str().replace('_', " "), |h| h.label.to_owned()),
        definition: id.definition().to_owned(),
        filter: report.population.filter.clone(),
        period: report.header.period.to_string(),
        scope: report.header.scope.to_string(),
        severity: report.severity.iter().map(|s| s.to_string()).collect(),
        value,
        breakdown,
        count: report.count,
        included: report.included,
        counted: report.counted,
        columns,
        rows,
        api,
    })
}
