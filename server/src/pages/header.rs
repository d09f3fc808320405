//! The period header every figure page shows (overview, team, service): the period, its bounds,
//! as-of instant, whether it is still open, the versions in force and the picker's choices.

use app::api::PeriodHeader;
use app::domain::kpi::{KPI_DEFINITIONS_VERSION, Period, ReportingCalendar};
use app::domain::overview::period_choices;
use chrono::{DateTime, Utc};

/// The header of `period`, computed `as_of`, under `policy_version`.
pub fn period_header(
    period: Period,
    as_of: DateTime<Utc>,
    policy_version: &str,
    calendar: ReportingCalendar,
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
        elapsed_days: period.elapsed(as_of).days,
        total_days: period.day_count(),
        definitions_version: KPI_DEFINITIONS_VERSION.to_owned(),
        policy_version: policy_version.to_owned(),
        quarters,
        months,
    }
}
