//! `GET /api/v1/kpis` and `GET /api/v1/slos?period=…&scope=…`: thin handlers over
//! [`crate::kpis`]. `GET /api/v1/slos` without `period` or `scope` stays the record listing of
//! DESIGN.md §3 (see [`super::list`]); the two accept disjoint parameters.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::kpis::{self, KpiQuery, LoadError};
use crate::routes::problem::Problem;
use crate::startup::AppState;

fn parse(query: &HashMap<String, String>, accepted: &[&str]) -> Result<KpiQuery, Problem> {
    KpiQuery::parse(query, accepted, kpis::reporting_calendar(), crate::clock_now())
        .map_err(|detail| Problem::new(StatusCode::BAD_REQUEST, "Invalid query", detail))
}

fn problem(error: LoadError) -> Problem {
    match error {
        LoadError::UnknownScope(detail) => Problem::new(StatusCode::NOT_FOUND, "Unknown scope", detail),
        other => Problem::internal("computing KPIs", &other),
    }
}

pub async fn get_kpis(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let query = parse(&query, &["period", "scope", "severity"])?;
        kpis::cached_kpi_report(&state.db, &state.kpi_cache, &query, crate::clock_now()).await.map_err(problem)
    };
    match result.await {
        Ok(report) => axum::Json(report.as_ref()).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// Whether a `GET /api/v1/slos` asks for the per-SLO report rather than the record listing.
pub fn is_slo_report(query: &HashMap<String, String>) -> bool {
    query.contains_key("period") || query.contains_key("scope")
}

pub async fn slo_report(state: &AppState, query: &HashMap<String, String>) -> Response {
    let result = async {
        let query = parse(query, &["period", "scope"])?;
        kpis::slo_report(&state.db, &query, crate::clock_now()).await.map_err(problem)
    };
    match result.await {
        Ok(report) => axum::Json(report).into_response(),
        Err(problem) => problem.into_response(),
    }
}

pub async fn get_trend(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let now = crate::clock_now();
        let query = kpis::TrendQuery::parse(&query, kpis::reporting_calendar(), now)
            .map_err(|detail| Problem::new(StatusCode::BAD_REQUEST, "Invalid query", detail))?;
        kpis::trend_report(&state.db, &state.kpi_cache, &query, now).await.map_err(problem)
    };
    match result.await {
        Ok(report) => axum::Json(report).into_response(),
        Err(problem) => problem.into_response(),
    }
}
