//! `GET /api/v1/services/{slug}/history` and `GET /api/v1/scorecards/movers`: a service's level
//! and score period by period, and the services that moved most since the previous period
//! (docs/scorecard-policy.md §9). Thin handlers over [`crate::kpis::Figures`].

use std::collections::HashMap;

use app::domain::kpi::Period;
use app::domain::scorecard::movers::history_periods;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::kpis::{KpiQuery, LoadError};
use crate::problem::Problem;
use crate::state::AppState;

/// Movers listed each way unless `limit` says otherwise, and the most it may say.
const DEFAULT_MOVERS: usize = 10;
const MAX_MOVERS: usize = 100;

fn bad(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "Invalid query", detail)
}

fn problem(error: LoadError) -> Problem {
    match error {
        LoadError::UnknownScope(detail) => Problem::new(StatusCode::NOT_FOUND, "Unknown scope", detail),
        other => Problem::internal("computing score history", &other),
    }
}

/// Rejects parameters the route does not know, so a typo is not silently ignored.
fn only(query: &HashMap<String, String>, accepted: &[&str]) -> Result<(), Problem> {
    match query.keys().find(|k| !accepted.contains(&k.as_str())) {
        Some(unknown) => Err(bad(format!("unknown parameter {unknown:?}; expected {}", accepted.join(", ")))),
        None => Ok(()),
    }
}

/// A service's level and score, period by period.
#[utoipa::path(get, path = "/api/v1/services/{slug}/history", tag = "scorecards",
    params(("slug" = String, Path, description = "The service's slug"),
        ("from" = Option<String>, Query, description = "First period, a month (2026-01) or quarter (2026-Q1); default: 7 periods before `to`"),
        ("to" = Option<String>, Query, description = "Last period, of the same kind as `from`; default: the current one")),
    responses((status = 200, description = "The service's level and score in each period, at most 24 (`standing` null where it had no scorecard; `partial` for a period still running)", body = Object),
        (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "No such service", body = crate::problem::Problem)))]
pub async fn service_history(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        only(&query, &["from", "to"])?;
        let (figures, now) = (&state.figures, crate::clock_now());
        let period = |name: &str| -> Result<Option<Period>, Problem> {
            query
                .get(name)
                .map(|text| text.trim())
                .filter(|text| !text.is_empty())
                .map(|text| Period::parse_begun(text, figures.calendar, now).map_err(|e| bad(format!("{name}: {e}"))))
                .transpose()
        };
        let periods = history_periods(period("from")?, period("to")?, figures.calendar, now).map_err(bad)?;
        if !crate::catalog::service_exists(&figures.db, &slug)
            .await
            .map_err(|e| Problem::internal("finding a service", &e))?
        {
            return Err(Problem::new(StatusCode::NOT_FOUND, "Unknown service", format!("no service '{slug}'")));
        }
        let points = figures.history(&slug, &periods, now).await.map_err(problem)?;
        Ok(json!({ "service": slug, "periods": points }))
    };
    match result.await {
        Ok(body) => axum::Json(body).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// The services that moved most since the previous period.
#[utoipa::path(get, path = "/api/v1/scorecards/movers", tag = "scorecards",
    params(("period" = Option<String>, Query, description = "A month (2026-07) or fiscal quarter (2026-Q3); default: the current quarter"),
        ("scope" = Option<String>, Query, description = "org (default), team:<slug> or tier:<0-3>"),
        ("limit" = Option<u32>, Query, description = "Services listed each way, 1-100 (default 10)")),
    responses((status = 200, description = "The services that improved and regressed most since the previous period, with the checks that changed", body = Object),
        (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "No such team or tier", body = crate::problem::Problem)))]
pub async fn movers(State(state): State<AppState>, Query(mut query): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let limit = match query.remove("limit") {
            None => DEFAULT_MOVERS,
            Some(text) => text
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_MOVERS).contains(n))
                .ok_or_else(|| bad(format!("limit must be a whole number from 1 to {MAX_MOVERS}, got {text:?}")))?,
        };
        let now = crate::clock_now();
        let parsed = KpiQuery::parse(&query, &["period", "scope"], state.figures.calendar, now).map_err(bad)?;
        if matches!(parsed.scope, app::domain::kpi::Scope::Service(_)) {
            return Err(bad("movers compare the services of a scope: use org, team:<slug> or tier:<0-3>"));
        }
        state.figures.movers(&parsed.period, &parsed.scope, limit, now).await.map_err(problem)
    };
    match result.await {
        Ok(movers) => axum::Json(movers).into_response(),
        Err(problem) => problem.into_response(),
    }
}
