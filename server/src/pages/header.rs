//! The period header every figure page shows (overview, team, service): the period, its bounds,
//! as-of instant, whether it is still open, the versions in force and the picker's choices.

use app::api::PeriodHeader;
use app::domain::kpi::{KPI_DEFINITIONS_VERSION, KpiValues, Period, ReportingCalendar, Scope};
use app::domain::overview::period_choices;
use app::domain::publication::PeriodState;
use app::error::AppError;
use chrono::{DateTime, Utc};

use crate::kpis::Figures;
use crate::report::publication::period_state;

/// Where `period` stands, comparing the published figures of `scope` with its `live` ones.
pub async fn standing(
    figures: &Figures,
    period: &Period,
    scope: &Scope,
    live: &KpiValues,
    now: DateTime<Utc>,
) -> Result<PeriodState, AppError> {
    period_state(figures, period, scope, live, now)
        .await
        .map_err(|e| AppError::internal("reading whether the period is published", &e))
}

/// The header of `period`, computed `as_of`, under `policy_version`.
pub fn period_header(
    period: Period,
    as_of: DateTime<Utc>,
    policy_version: &str,
    calendar: ReportingCalendar,
    state: PeriodState,
    now: DateTime<Utc>,
) -> PeriodHeader {
    let (quarters, months) = period_choices(now, calendar);
    PeriodHeader {
        period: period.to_string(),
        previous: period.previous().to_string(),
        from: period.first_day().to_string(),
        to: period.end_day().pred_opt().unwrap_or(period.end_day()).to_string(),
        as_of: app::domain::format::instant(as_of),
        open: period.end() > now,
        state,
        elapsed_days: period.elapsed(as_of).days,
        total_days: period.day_count(),
        definitions_version: KPI_DEFINITIONS_VERSION.to_owned(),
        policy_version: policy_version.to_owned(),
        recomputing: false,
        quarters,
        months,
    }
}
