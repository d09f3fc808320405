//! `GET /api/v1/forecast` and `GET /api/v1/teams/{slug}/forecast.ics`: what breaks next, and
//! when, for a scope (docs/scorecard-policy.md §12), as JSON and as a team's calendar feed.

use std::collections::HashMap;

use app::domain::kpi::Scope;
use app::domain::records::Slug;
use app::domain::scorecard::forecast::MAX_HORIZON_DAYS;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::kpis::LoadError;
use crate::problem::Problem;
use crate::state::AppState;

/// Days ahead a forecast looks unless `horizon_days` says otherwise.
pub const DEFAULT_HORIZON_DAYS: u32 = 90;

fn bad(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "Invalid query", detail)
}

fn problem(error: LoadError) -> Problem {
    match error {
        LoadError::UnknownScope(detail) => Problem::new(StatusCode::NOT_FOUND, "Unknown scope", detail),
        other => Problem::internal("forecasting scorecards", &other),
    }
}

/// `horizon_days` (1 to [`MAX_HORIZON_DAYS`], default [`DEFAULT_HORIZON_DAYS`]) after refusing
/// parameters other than `accepted`.
fn horizon(query: &HashMap<String, String>, accepted: &[&str]) -> Result<u32, Problem> {
    if let Some(unknown) = query.keys().find(|k| !accepted.contains(&k.as_str())) {
        return Err(bad(format!("unknown parameter {unknown:?}; expected {}", accepted.join(", "))));
    }
    match query.get("horizon_days").map(|t| t.trim()).filter(|t| !t.is_empty()) {
        None => Ok(DEFAULT_HORIZON_DAYS),
        Some(text) => text.parse::<u32>().ok().filter(|d| (1..=MAX_HORIZON_DAYS).contains(d)).ok_or_else(|| {
            bad(format!("horizon_days must be a whole number from 1 to {MAX_HORIZON_DAYS}, got {text:?}"))
        }),
    }
}

/// Refuses a team or service that does not exist (a forecast of nothing would read as "all
/// clear").
async fn existing(state: &AppState, scope: &Scope) -> Result<(), Problem> {
    let db = &state.figures.db;
    let failed = |e: sea_orm::DbErr| Problem::internal("finding a scope", &e);
    let missing = match scope {
        Scope::Team(team) => (!crate::catalog::team_exists(db, team.as_str()).await.map_err(failed)?)
            .then(|| format!("there is no team '{team}'")),
        Scope::Service(service) => (!crate::catalog::service_exists(db, service.as_str()).await.map_err(failed)?)
            .then(|| format!("there is no service '{service}'")),
        _ => None,
    };
    match missing {
        Some(detail) => Err(Problem::new(StatusCode::NOT_FOUND, "Unknown scope", detail)),
        None => Ok(()),
    }
}

/// What breaks next, and when: the dated scorecard changes ahead.
#[utoipa::path(get, path = "/api/v1/forecast", tag = "scorecards",
    params(("scope" = Option<String>, Query, description = "org (default), team:<slug>, tier:<0-3> or service:<slug>"),
        ("horizon_days" = Option<u32>, Query, description = "Days ahead, 1-366 (default 90)")),
    responses((status = 200, description = "Each active service's standing now and the dated changes ahead if nothing else happens (docs/scorecard-policy.md)", body = Object),
        (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "No such team, tier or service", body = crate::problem::Problem)))]
pub async fn forecast(State(state): State<AppState>, Query(query): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let horizon = horizon(&query, &["scope", "horizon_days"])?;
        let scope = match query.get("scope").map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => Scope::Org,
            Some(text) => Scope::parse(text).map_err(|e| bad(e.to_string()))?,
        };
        existing(&state, &scope).await?;
        state.figures.forecast(&scope, horizon, crate::clock_now()).await.map_err(problem)
    };
    match result.await {
        Ok(report) => axum::Json(report.as_ref()).into_response(),
        Err(problem) => problem.into_response(),
    }
}

/// A team's forecast as an iCalendar feed.
#[utoipa::path(get, path = "/api/v1/teams/{slug}/forecast.ics", tag = "scorecards",
    params(("slug" = String, Path, description = "The team's slug"),
        ("horizon_days" = Option<u32>, Query, description = "Days ahead, 1-366 (default 90)")),
    responses((status = 200, description = "The team's changes ahead as an iCalendar feed, one all-day event each", content_type = "text/calendar"),
        (status = 400, description = "Invalid query or body", body = crate::problem::Problem),
        (status = 401, description = "Not signed in, or no valid bearer token", body = crate::problem::Problem),
        (status = 403, description = "The caller lacks the access the route needs", body = crate::problem::Problem),
        (status = 404, description = "No such team", body = crate::problem::Problem)))]
pub async fn team_calendar(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match horizon(&query, &["horizon_days"]) {
        Ok(horizon) => team_feed(&state, slug, horizon).await,
        Err(problem) => problem.into_response(),
    }
}

/// `slug`'s forecast over `horizon` days as an iCalendar feed (also served at a calendar
/// subscription's private link, `/calendar/{token}`).
pub async fn team_feed(state: &AppState, slug: String, horizon: u32) -> Response {
    let result = async {
        let team = Slug::parse(&slug)
            .map_err(|_| Problem::new(StatusCode::NOT_FOUND, "Unknown scope", format!("there is no team '{slug}'")))?;
        let scope = Scope::Team(team);
        existing(state, &scope).await?;
        let now = crate::clock_now();
        let report = state.figures.forecast(&scope, horizon, now).await.map_err(problem)?;
        let names = crate::catalog::team_names(&state.figures.db)
            .await
            .map_err(|e| Problem::internal("loading team names", &e))?;
        let name = names.get(&slug).cloned().unwrap_or_else(|| slug.clone());
        Ok::<_, Problem>(app::domain::scorecard::ical::calendar(&report, &format!("{name}: what breaks next"), now))
    };
    match result.await {
        Ok(feed) => {
            let disposition = format!("inline; filename=\"plumbline-{slug}-forecast.ics\"");
            (
                [
                    (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                feed,
            )
                .into_response()
        }
        Err(problem) => problem.into_response(),
    }
}
