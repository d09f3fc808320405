//! The periods a period picker offers.

use chrono::{DateTime, Utc};

use crate::domain::kpi::{Period, ReportingCalendar};

/// The periods a picker offers, newest first: the last eight quarters and twelve months up to
/// the one containing `now`.
pub fn period_choices(now: DateTime<Utc>, calendar: ReportingCalendar) -> (Vec<String>, Vec<String>) {
    let recent = |last: Period, count: usize| {
        std::iter::successors(Some(last), |p| Some(p.previous())).take(count).map(|p| p.to_string()).collect()
    };
    (recent(Period::quarter_containing(now, calendar), 8), recent(Period::month_containing(now, calendar), 12))
}
