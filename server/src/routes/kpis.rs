//! `GET /api/v1/kpis` and `GET /api/v1/slos?period=…&scope=…`: thin handlers over
//! [`crate::kpis`]. `GET /api/v1/slos` without `period` or `scope` stays the record listing of
//! docs/ingestion.md (see [`super::list`]); the two accept disjoint parameters.

use std::collections::HashMap;

use app::domain::kpi::KpiId;
use app::domain::scorecard::Level;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::DatabaseTransaction;

use crate::kpis::{self, KpiQuery, LoadError};
use crate::problem::Problem;
use crate::record_history::known_at;
use crate::state::AppState;

fn parse(state: &AppState, query: &HashMap<String, String>, accepted: &[&str]) -> Result<KpiQuery, Problem> {
    KpiQuery::parse(query, accepted, state.figures.calendar, crate::clock_now())
        .map_err(|detail| Problem::new(StatusCode::BAD_REQUEST, "Invalid query", detail))
}

/// Takes `as_known_at` out of a query: `None` when absent, else the instant, checked.
async fn known_at(
    state: &AppState,
    query: &mut HashMap<String, String>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, Problem> {
    let Some(text) = query.remove("as_known_at").filter(|t| !t.trim().is_empty()) else { return Ok(None) };
    let bad = |detail: String| Problem::new(StatusCode::BAD_REQUEST, "Invalid query", detail);
    let at = known_at::parse(&text).map_err(bad)?;
    match known_at::check(&state.db, at, crate::clock_now()).await {
        Ok(()) => Ok(Some(at)),
        Err(known_at::KnownAtError::Database(error)) => Err(Problem::internal("reading the record history", &error)),
        Err(refused) => Err(bad(refused.to_string())),
    }
}

/// A transaction reading the records as known at `at`; [`end_known_at`] rolls it back.
async fn begin_known_at(state: &AppState, at: chrono::DateTime<chrono::Utc>) -> Result<DatabaseTransaction, Problem> {
    known_at::begin(&state.db, at, crate::clock_now())
        .await
        .map_err(|e| Problem::internal("reading the records as known at an instant", &e))
}

async fn end_known_at<T>(txn: DatabaseTransaction, result: Result<T, LoadError>) -> Result<T, Problem> {
    txn.rollback().await.map_err(|e| Problem::internal("reading the records as known at an instant", &e))?;
    result.map_err(problem)
}

/// A report with the instant its records were known at added.
fn with_known_at<T: serde::Serialize>(report: &T, at: chrono::DateTime<chrono::Utc>) -> Response {
    let mut value = serde_json::to_value(report).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("as_known_at".into(), serde_json::json!(at));
    }
    axum::Json(value).into_response()
}

fn problem(error: LoadError) -> Problem {
    match error {
        LoadError::UnknownScope(detail) => Problem::new(StatusCode::NOT_FOUND, "Unknown scope", detail),
        other => Problem::internal("computing KPIs", &other),
    }
}

#[utoipa::path(get, path = "/api/v1/kpis", operation_id = "get_kpis", summary = "KPIs of a period and scope", tag = "kpis",
    params(("period" = Option<String>, Query, description = "A month (2026-07) or fiscal quarter (2026-Q3); default: the current quarter"),
        ("scope" = Option<String>, Query, description = "org (default), team:<slug>, tier:<0-3> or service:<slug>"),
        ("severity" = Option<String>, Query, description = "all, or a comma-separated list like SEV0,SEV1 (default)"),
        ("as_known_at" = Option<String>, Query, description = "An RFC 3339 instant: computed from the records as they were known then (docs/as-known-at.md)")),
    responses((status = 200, description = "Every KPI of the period and scope (docs/kpis.md)", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "No such team, tier or service", body = crate::problem::Problem)))]
pub async fn get_kpis(State(state): State<AppState>, Query(mut query): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let at = known_at(&state, &mut query).await?;
        let query = parse(&state, &query, &["period", "scope", "severity"])?;
        let now = crate::clock_now();
        match at {
            None => {
                state.figures.kpis(&query, now).await.map(|r| axum::Json(r.as_ref()).into_response()).map_err(problem)
            }
            Some(at) => {
                let settings = &state.figures.policy.kpi;
                // What Plumbline would have answered then: the records and the clock of `at`.
                let txn = begin_known_at(&state, at).await?;
                let result = kpis::kpi_report(&txn, &query, at, settings).await;
                let report = end_known_at(txn, result).await?;
                Ok(with_known_at(&report, at))
            }
        }
    };
    result.await.unwrap_or_else(|problem: Problem| problem.into_response())
}

/// `GET /api/v1/kpis/rollups?period=&severity=`.
#[utoipa::path(get, path = "/api/v1/kpis/rollups", tag = "kpis",
    params(("period" = Option<String>, Query, description = "A month (2026-07) or fiscal quarter (2026-Q3); default: the current quarter"),
        ("severity" = Option<String>, Query, description = "all, or a comma-separated list like SEV0,SEV1 (default)")),
    responses((status = 200, description = "The KPIs of every team and tier", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn get_rollups(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let query = parse(&state, &query, &["period", "severity"])?;
        let now = crate::clock_now();
        state.figures.rollups(&query.period, query.severity, now).await.map_err(problem)
    };
    match result.await {
        Ok(report) => axum::Json(report.as_ref()).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// `GET /api/v1/kpis/{kpi}/population?period=&scope=&severity=`.
#[utoipa::path(get, path = "/api/v1/kpis/{kpi}/population", tag = "kpis",
    params(("kpi" = String, Path, description = "A KPI id (docs/kpis.md)"), ("period" = Option<String>, Query, description = "A month (2026-07) or fiscal quarter (2026-Q3); default: the current quarter"),
        ("scope" = Option<String>, Query, description = "org (default), team:<slug>, tier:<0-3> or service:<slug>"),
        ("severity" = Option<String>, Query, description = "all, or a comma-separated list like SEV0,SEV1 (default)"),
        ("as_known_at" = Option<String>, Query, description = "An RFC 3339 instant: the records as they were known then (docs/as-known-at.md)")),
    responses((status = 200, description = "The KPI's value and every record behind it, each marked in the population and counted or not", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "No such KPI or scope", body = crate::problem::Problem)))]
pub async fn get_population(
    State(state): State<AppState>,
    Path(kpi): Path<String>,
    Query(mut query): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let id = known_kpi(&kpi)?;
        let at = known_at(&state, &mut query).await?;
        let query = parse(&state, &query, &["period", "scope", "severity"])?;
        let (now, settings) = (crate::clock_now(), &state.figures.policy.kpi);
        match at {
            None => kpis::population_report(&state.db, &query, id, now, settings)
                .await
                .map(|report| axum::Json(report).into_response())
                .map_err(problem),
            Some(at) => {
                let txn = begin_known_at(&state, at).await?;
                let result = kpis::population_report(&txn, &query, id, at, settings).await;
                let report = end_known_at(txn, result).await?;
                Ok(with_known_at(&report, at))
            }
        }
    };
    result.await.unwrap_or_else(|problem: Problem| problem.into_response())
}

/// `GET /api/v1/kpis/{kpi}/population.csv?period=&scope=&severity=&sort=`: the drill-down's
/// table as CSV — every record, the KPI's columns, machine-readable values (RFC 3339 instants,
/// minutes, fractions), sorted like the page when `sort` names a column.
#[utoipa::path(get, path = "/api/v1/kpis/{kpi}/population.csv", tag = "kpis",
    params(("kpi" = String, Path, description = "A KPI id (docs/kpis.md)"), ("period" = Option<String>, Query, description = "A month (2026-07) or fiscal quarter (2026-Q3); default: the current quarter"),
        ("scope" = Option<String>, Query, description = "org (default), team:<slug>, tier:<0-3> or service:<slug>"),
        ("severity" = Option<String>, Query, description = "all, or a comma-separated list like SEV0,SEV1 (default)"),
        ("sort" = Option<String>, Query, description = "A column number from 1, with a leading - for descending"),
        ("as_known_at" = Option<String>, Query, description = "An RFC 3339 instant: the records as they were known then (docs/as-known-at.md)")),
    responses((status = 200, description = "The records behind the KPI value, one per line", content_type = "text/csv"), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "No such KPI or scope", body = crate::problem::Problem)))]
pub async fn get_population_csv(
    State(state): State<AppState>,
    Path(kpi): Path<String>,
    Query(mut query): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let id = known_kpi(&kpi)?;
        let sort = query.remove("sort");
        let at = known_at(&state, &mut query).await?;
        let query = parse(&state, &query, &["period", "scope", "severity"])?;
        let titles_failed = |e: sea_orm::DbErr| Problem::internal("loading the drill-down's titles", &e);
        let table = match at {
            None => {
                let report = state.figures.population(&query, id, crate::clock_now()).await.map_err(problem)?;
                kpis::drill_down_table(&state.db, &report, sort.as_deref()).await.map_err(titles_failed)?.0
            }
            Some(at) => {
                let settings = &state.figures.policy.kpi;
                let txn = begin_known_at(&state, at).await?;
                let result = match kpis::population_report(&txn, &query, id, at, settings).await {
                    Ok(report) => kpis::drill_down_table(&txn, &report, sort.as_deref()).await.map_err(LoadError::from),
                    Err(error) => Err(error),
                };
                end_known_at(txn, result).await?.0
            }
        };
        let report_header = (query.period, query.scope.clone());
        let filename = format!("plumbline-{}-{}-{}.csv", id.as_str(), report_header.0, report_header.1)
            .replace(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_'), "-");
        Ok::<_, Problem>((table, filename))
    };
    let (table, filename) = match result.await {
        Ok(done) => done,
        Err(problem) => return problem.into_response(),
    };
    let mut body = crate::csv::line(table.columns.iter().map(|c| c.title.as_str()));
    for row in &table.rows {
        let cells: Vec<String> = row.cells.iter().map(|c| c.csv()).collect();
        body.push_str(&crate::csv::line(cells.iter().map(String::as_str)));
    }
    let disposition = format!("attachment; filename=\"{filename}\"");
    (
        StatusCode::OK,
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

fn known_kpi(kpi: &str) -> Result<KpiId, Problem> {
    KpiId::parse(kpi).ok_or_else(|| {
        let known: Vec<&str> = KpiId::ALL.iter().map(|k| k.as_str()).collect();
        let detail = format!("there is no KPI {kpi:?}; known: {}", known.join(", "));
        Problem::new(StatusCode::NOT_FOUND, "Unknown KPI", detail)
    })
}

/// Whether a `GET /api/v1/slos` asks for the per-SLO report rather than the record listing.
pub fn is_slo_report(query: &HashMap<String, String>) -> bool {
    query.contains_key("period") || query.contains_key("scope")
}

pub async fn slo_report(state: &AppState, query: &HashMap<String, String>) -> Response {
    let result = async {
        let query = parse(state, query, &["period", "scope"])?;
        state.figures.slos(&query, crate::clock_now()).await.map_err(problem)
    };
    match result.await {
        Ok(report) => axum::Json(report).into_response(),
        Err(problem) => problem.into_response(),
    }
}

#[utoipa::path(get, path = "/api/v1/kpis/trend", operation_id = "get_kpi_trend", summary = "KPIs over consecutive periods", tag = "kpis",
    params(("from" = Option<String>, Query, description = "First period (default: seven periods before to)"),
        ("to" = Option<String>, Query, description = "Last period (default: the current quarter)"),
        ("scope" = Option<String>, Query, description = "org (default), team:<slug>, tier:<0-3> or service:<slug>"),
        ("severity" = Option<String>, Query, description = "all, or a comma-separated list like SEV0,SEV1 (default)")),
    responses((status = 200, description = "The KPIs of each period from `from` to `to`", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn get_trend(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let now = crate::clock_now();
        let query = kpis::TrendQuery::parse(&query, state.figures.calendar, now)
            .map_err(|detail| Problem::new(StatusCode::BAD_REQUEST, "Invalid query", detail))?;
        state.figures.trend(&query, now).await.map_err(problem)
    };
    match result.await {
        Ok(report) => axum::Json(report).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// `GET /api/v1/scorecards?period=&team=&tier=&level=`.
#[utoipa::path(get, path = "/api/v1/scorecards", tag = "scorecards",
    params(("period" = Option<String>, Query, description = "A month (2026-07) or fiscal quarter (2026-Q3); default: the current quarter"),
        ("team" = Option<String>, Query, description = "Only the services of this team"),
        ("tier" = Option<String>, Query, description = "Only this tier (0-3)"),
        ("level" = Option<String>, Query, description = "Only this level: bronze, silver, gold or none")),
    responses((status = 200, description = "Every active service's scorecard (docs/scorecard-policy.md)", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem)))]
pub async fn get_scorecards(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Response {
    scorecards(&state, query, None).await
}

/// `GET /api/v1/services/{slug}/scorecard?period=`.
#[utoipa::path(get, path = "/api/v1/services/{slug}/scorecard", tag = "scorecards",
    params(("slug" = String, Path, description = "The service's slug"), ("period" = Option<String>, Query, description = "A month (2026-07) or fiscal quarter (2026-Q3); default: the current quarter")),
    responses((status = 200, description = "The service's scorecard with every check explained", body = Object), (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "No such active service", body = crate::problem::Problem)))]
pub async fn get_service_scorecard(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    scorecards(&state, query, Some(slug)).await
}

async fn scorecards(state: &AppState, mut query: HashMap<String, String>, service: Option<String>) -> Response {
    let result = async {
        let bad = |detail: String| Problem::new(StatusCode::BAD_REQUEST, "Invalid query", detail);
        let mut filter = kpis::ScorecardFilter { service: service.clone(), ..Default::default() };
        if service.is_none() {
            filter.team = query.remove("team").filter(|t| !t.trim().is_empty());
            if let Some(tier) = query.remove("tier") {
                filter.tier = Some(
                    tier.trim()
                        .parse::<u8>()
                        .ok()
                        .filter(|t| *t <= 3)
                        .ok_or_else(|| bad(format!("tier must be 0–3, got {tier:?}")))?,
                );
            }
            if let Some(level) = query.remove("level") {
                filter.level = Some(match level.trim() {
                    "none" => None,
                    text => Some(
                        Level::parse(text)
                            .ok_or_else(|| bad(format!("level must be bronze, silver, gold or none, got {level:?}")))?,
                    ),
                });
            }
        }
        let now = crate::clock_now();
        let parsed = KpiQuery::parse(&query, &["period"], state.figures.calendar, now).map_err(bad)?;
        let report = state.figures.scorecards(&parsed.period, &filter, now).await.map_err(problem)?;
        if let Some(slug) = service
            && report.scorecards.is_empty()
        {
            return Err(Problem::new(StatusCode::NOT_FOUND, "Unknown service", format!("no active service '{slug}'")));
        }
        Ok(report)
    };
    match result.await {
        Ok(report) => axum::Json(report.as_ref()).into_response(),
        Err(problem) => problem.into_response(),
    }
}
