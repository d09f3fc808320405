//! What a KPI request asks for (period, scope, severity; a trend's periods), read from its
//! query string, and the header every report carries.

use std::collections::HashMap;

use app::domain::kpi::{KPI_DEFINITIONS_VERSION, Period, ReportingCalendar, Scope, SeverityFilter};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// What a KPI request asks for.
#[derive(Debug, Clone)]
pub struct KpiQuery {
    pub period: Period,
    pub scope: Scope,
    pub severity: SeverityFilter,
}

impl KpiQuery {
    /// Reads `period` (default: the quarter containing `now`), `scope` (default `org`) and,
    /// when `accepted` lists it, `severity` (default SEV0 and SEV1). Any other parameter is an
    /// error, so a typo is not silently ignored. The error is a message for a 400.
    pub fn parse(
        query: &HashMap<String, String>,
        accepted: &[&str],
        calendar: ReportingCalendar,
        now: DateTime<Utc>,
    ) -> Result<Self, String> {
        if let Some(unknown) = query.keys().find(|k| !accepted.contains(&k.as_str())) {
            return Err(format!("unknown parameter '{unknown}'; accepted: {}", accepted.join(", ")));
        }
        let get = |name: &str| query.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let period = Period::parse_or_current(get("period"), calendar, now).map_err(|e| e.to_string())?;
        let scope = match get("scope") {
            Some(text) => Scope::parse(text).map_err(|e| e.to_string())?,
            None => Scope::Org,
        };
        let severity = match get("severity") {
            Some(text) => SeverityFilter::parse(text).ok_or_else(|| {
                format!("severity must be 'all' or a comma-separated list like SEV0,SEV1, got {text:?}")
            })?,
            None => SeverityFilter::HIGH,
        };
        Ok(KpiQuery { period, scope, severity })
    }
}

/// The period and scope a report is for.
#[derive(Debug, Clone, Serialize)]
pub struct ReportHeader {
    pub period: Period,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub as_of: DateTime<Utc>,
    pub scope: Scope,
    pub definitions_version: &'static str,
}

impl ReportHeader {
    pub(super) fn new(query: &KpiQuery, now: DateTime<Utc>) -> Self {
        let period = query.period;
        ReportHeader {
            period,
            from: period.start(),
            to: period.end(),
            as_of: period.as_of(now),
            scope: query.scope.clone(),
            definitions_version: KPI_DEFINITIONS_VERSION,
        }
    }
}

/// Most periods one trend request may span (three years of months).
pub const MAX_TREND_PERIODS: usize = 36;

/// What a trend request asks for: consecutive periods of one kind.
#[derive(Debug, Clone)]
pub struct TrendQuery {
    pub periods: Vec<Period>,
    pub scope: Scope,
    pub severity: SeverityFilter,
}

impl TrendQuery {
    /// Reads `from` and `to` (both quarters or both months, inclusive; default: the eight
    /// quarters ending with the current one), `scope` and `severity`.
    pub fn parse(
        query: &HashMap<String, String>,
        calendar: ReportingCalendar,
        now: DateTime<Utc>,
    ) -> Result<Self, String> {
        let mut rest = query.clone();
        let from = rest.remove("from");
        let to = rest.remove("to");
        let base = KpiQuery::parse(&rest, &["scope", "severity"], calendar, now)?;
        let parse = |text: &str| Period::parse(text.trim(), calendar).map_err(|e| e.to_string());
        let last = Period::parse_or_current(to.as_deref(), calendar, now).map_err(|e| e.to_string())?;
        let first = match &from {
            Some(text) => parse(text)?,
            None => (0..7).fold(last, |p, _| p.previous()),
        };
        let periods = first.through(&last);
        if periods.is_empty() {
            return Err(format!("from ({first}) and to ({last}) must be the same kind of period, from ≤ to"));
        }
        if periods.len() > MAX_TREND_PERIODS {
            return Err(format!("a trend spans at most {MAX_TREND_PERIODS} periods, asked for {}", periods.len()));
        }
        Ok(TrendQuery { periods, scope: base.scope, severity: base.severity })
    }
}
