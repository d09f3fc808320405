//! What breaks next, and when (docs/scorecard-policy.md §12): the dated days ahead on which a
//! service's checks change if nothing else happens — a DR test ageing past its interval, a
//! waiver ending, a readiness answer expiring, an action passing its overdue limit, an error
//! budget running out, a new quarter judging new records — with the level each change causes.
//!
//! "If nothing else happens" is exact: no new record arrives, except that each SLO keeps being
//! measured at its last seven days' average (so its budget burns on at that rate). On any day
//! of the horizon the forecast's standing is the scorecard of the quarter holding that day as
//! of that day's end (the next day's start) on those records ([`scorecard_on`]); the property
//! tests hold the forecast to that.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::evaluate::{CheckStatus, Exemption, Scorecard, SelfAssessmentAnswer, ServiceInputs, evaluate_service};
use super::listing::Standing;
use super::movers::{CheckChange, rank};
use super::policy::{CheckId, Policy, Threshold};
use crate::domain::kpi::{Dataset, Period, ReportingCalendar, Scope, Service, Slo, SloData, SloMeasurement};
use crate::domain::records::Slug;

/// Longest horizon a forecast looks ahead, in days.
pub const MAX_HORIZON_DAYS: u32 = 366;

/// Days of measurements an SLO's projected daily rate is averaged over.
pub const PROJECTION_DAYS: u64 = 7;

/// One SLO's measured days, and the daily rate it is projected to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct SloHistory {
    /// Real rows, oldest first.
    pub days: Vec<SloMeasurement>,
    /// The average day of the last [`PROJECTION_DAYS`] days with rows before today; `None`
    /// when none has a row (the SLO is then not projected and its data goes stale).
    pub rate: Option<(i64, i64)>,
}

impl SloHistory {
    /// `days` (any order) and their projected rate as of `today`.
    pub fn new(mut days: Vec<SloMeasurement>, today: NaiveDate) -> SloHistory {
        days.sort_by_key(|m| m.day);
        let since = today.checked_sub_days(Days::new(PROJECTION_DAYS)).unwrap_or(NaiveDate::MIN);
        let recent: Vec<&SloMeasurement> = days.iter().filter(|m| since <= m.day && m.day < today).collect();
        let rate = (!recent.is_empty()).then(|| {
            let n = recent.len() as f64;
            let total = (recent.iter().map(|m| m.total as f64).sum::<f64>() / n).round() as i64;
            let bad = (recent.iter().map(|m| (m.total - m.good) as f64).sum::<f64>() / n).round() as i64;
            ((total - bad).max(0), total)
        });
        SloHistory { days, rate }
    }

    /// The rows known before `day`: the real ones, then a projected row for every later day.
    pub fn rows_before(&self, day: NaiveDate) -> Vec<SloMeasurement> {
        let mut rows: Vec<SloMeasurement> = self.days.iter().copied().filter(|m| m.day < day).collect();
        if let (Some((good, total)), Some(last)) = (self.rate, self.days.last()) {
            let mut next = last.day.succ_opt();
            while let Some(d) = next.filter(|d| *d < day) {
                rows.push(SloMeasurement { day: d, good, total });
                next = d.succ_opt();
            }
        }
        rows
    }
}

/// The records a forecast reads: the organisation as loaded for each quarter the horizon
/// reaches, each SLO's daily history, exemptions and signed-off readiness answers.
pub struct ForecastData<'a> {
    pub policy: &'a Policy,
    pub calendar: ReportingCalendar,
    /// The quarter holding `now` first, then the following ones the horizon reaches.
    pub quarters: &'a [(Period, Dataset)],
    /// By (service, SLO).
    pub slo_days: &'a HashMap<(Slug, Slug), SloHistory>,
    pub exemptions: &'a [Exemption],
    pub answers: &'a [SelfAssessmentAnswer],
}

/// A day on which a service's scorecard changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastEvent {
    pub day: NaiveDate,
    pub before: Standing,
    pub after: Standing,
    /// Levels gained (negative: lost), as for movers.
    pub level_change: i8,
    /// The day starts a quarter: period-bound checks are judged on its records from then on.
    pub new_quarter: bool,
    /// Each check whose status changes, with what it finds that day.
    pub changes: Vec<ForecastChange>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastChange {
    #[serde(flatten)]
    pub change: CheckChange,
    /// The check's explanation on that day.
    pub explanation: String,
}

/// One service's standing now and the changes ahead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceForecast {
    pub service: String,
    pub team: String,
    pub tier: u8,
    pub now: Standing,
    pub events: Vec<ForecastEvent>,
}

impl ServiceForecast {
    /// The standing the forecast gives for `day`: after the last event on or before it.
    pub fn standing_on(&self, day: NaiveDate) -> Standing {
        self.events.iter().rfind(|e| e.day <= day).map_or(self.now, |e| e.after)
    }
}

/// The first day of every quarter in `(today, last]`.
fn quarter_starts(calendar: ReportingCalendar, today: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    let mut starts = Vec::new();
    let mut quarter = Period::quarter_containing(calendar.day_start(today), calendar).next();
    while quarter.first_day() <= last {
        starts.push(quarter.first_day());
        quarter = quarter.next();
    }
    starts
}

/// The day holding `instant` and the one before: a condition on an instant first holds at the
/// end of one of the two.
fn around(calendar: ReportingCalendar, instant: DateTime<Utc>) -> [NaiveDate; 2] {
    let day = calendar.day_of(instant);
    [day.pred_opt().unwrap_or(day), day]
}

/// Every day threshold (`Value`) a check has for `tier`.
fn days_threshold(policy: &Policy, id: CheckId, tier: u8) -> Option<i64> {
    match policy.check(id)?.threshold_for(tier) {
        Threshold::Value(days) => Some(days as i64),
        _ => None,
    }
}

/// Days on which a service's non-SLO checks can change: a later day's scorecard equals the
/// latest of these days' (quarter starts aside, which the caller adds).
fn candidate_days(data: &ForecastData<'_>, service: &Service, datasets: &[&Dataset]) -> BTreeSet<NaiveDate> {
    let (calendar, policy, tier) = (data.calendar, data.policy, service.tier.value());
    let mut days = BTreeSet::new();
    let mut add = |instant: DateTime<Utc>| days.extend(around(calendar, instant));
    let later = |instant: DateTime<Utc>, n: i64| instant.checked_add_signed(TimeDelta::days(n));
    let dr_days = days_threshold(policy, CheckId::DrTestRecent, tier);
    let overdue_days = days_threshold(policy, CheckId::NoLongOverdueActions, tier);
    let validity: BTreeSet<i64> = match days_threshold(policy, CheckId::SelfAssessmentCurrent, tier) {
        Some(default) => policy.checklist_for(tier).iter().map(|item| item.validity_days(default)).collect(),
        None => BTreeSet::new(),
    };
    for data_set in datasets {
        for test in data_set.dr_tests.iter().filter(|t| t.service == service.slug) {
            add(test.performed_at);
            if let Some(at) = dr_days.and_then(|n| later(test.performed_at, n)) {
                add(at);
            }
        }
        for action in data_set.actions.iter().filter(|a| a.service == service.slug) {
            if let Some(completed) = action.completed_at {
                add(completed);
            }
            if let Some(due) = action.due_date {
                let due = calendar.day_start(due);
                add(due);
                if let Some(at) = overdue_days.and_then(|n| later(due, n)) {
                    add(at);
                }
            }
        }
    }
    for exemption in data.exemptions.iter().filter(|e| e.service == service.slug) {
        add(exemption.expires_at);
    }
    for answer in data.answers.iter().filter(|a| a.service == service.slug) {
        add(answer.answered_at);
        add(answer.reviewed_at);
        for n in &validity {
            if let Some(at) = later(answer.answered_at, *n) {
                add(at);
            }
        }
    }
    for check in &policy.checks {
        if let Some(day) = check.counts_from {
            add(calendar.day_start(day));
        }
    }
    days
}

/// The scorecard of the quarter holding `day` as of that day's end (the next day's start), on
/// `dataset` (the organisation as loaded for that quarter) with each SLO's rows up to `day`.
pub fn scorecard_on(
    data: &ForecastData<'_>,
    service: &Service,
    quarter: &Period,
    dataset: &Dataset,
    day: NaiveDate,
) -> Scorecard {
    let scoped = dataset.scoped(&Scope::Service(service.slug.clone()));
    let answers: Vec<&SelfAssessmentAnswer> = data.answers.iter().filter(|a| a.service == service.slug).collect();
    let end = day.succ_opt().unwrap_or(day);
    let slos: Vec<Slo> = scoped
        .slos
        .iter()
        .map(|slo| {
            let rows = data
                .slo_days
                .get(&(slo.service.clone(), slo.slug.clone()))
                .map(|history| history.rows_before(end))
                .unwrap_or_default();
            Slo { data: SloData::Days(rows), ..(*slo).clone() }
        })
        .collect();
    let mut inputs = ServiceInputs::from_scoped(&scoped, answers);
    inputs.slos = slos.iter().collect();
    evaluate_service(data.policy, service, quarter, data.calendar.day_start(end), &inputs, data.exemptions)
}

fn standing(card: &Scorecard) -> Standing {
    Standing { level: card.level, score: card.score }
}

/// The changes between two scorecards of one service, or `None` when nothing changed.
fn changes(before: &Scorecard, after: &Scorecard) -> Vec<ForecastChange> {
    let earlier: HashMap<CheckId, CheckStatus> = before.checks.iter().map(|c| (c.id, c.status)).collect();
    after
        .checks
        .iter()
        .filter_map(|c| {
            let was = *earlier.get(&c.id)?;
            (was != c.status).then(|| ForecastChange {
                change: CheckChange {
                    check: c.id.as_str().to_owned(),
                    title: c.title.clone(),
                    before: was,
                    after: c.status,
                },
                explanation: c.explanation.clone(),
            })
        })
        .collect()
}

/// Forecasts each of `services` (active ones, of the data) from `now` over the next
/// `horizon_days` days, starting from `current` (each service's scorecard now, as pages show it).
pub fn forecast(
    data: &ForecastData<'_>,
    current: &[Scorecard],
    now: DateTime<Utc>,
    horizon_days: u32,
) -> Vec<ServiceForecast> {
    let calendar = data.calendar;
    let today = calendar.day_of(now);
    let last = today.checked_add_days(Days::new(u64::from(horizon_days.min(MAX_HORIZON_DAYS)))).unwrap_or(today);
    let datasets: Vec<&Dataset> = data.quarters.iter().map(|(_, d)| d).collect();
    let starts = quarter_starts(calendar, today, last);
    let mut out = Vec::with_capacity(current.len());
    for card in current {
        let Some(service) = data.quarters.first().and_then(|(_, d)| d.services.iter().find(|s| s.slug == card.service))
        else {
            continue;
        };
        // Measurements move an SLO's checks every day; otherwise only the candidate days can.
        let measured =
            data.quarters.first().is_some_and(|(_, d)| d.slos.iter().any(|s| s.service == service.slug && s.active));
        let days: Vec<NaiveDate> = if measured {
            today.iter_days().take_while(|d| *d <= last).collect()
        } else {
            let mut days = candidate_days(data, service, &datasets);
            days.extend(starts.iter().copied());
            days.into_iter().filter(|d| today <= *d && *d <= last).collect()
        };
        let mut previous = card.clone();
        let mut events = Vec::new();
        for day in days {
            let Some((quarter, dataset)) = data.quarters.iter().find(|(q, _)| q.contains_day(day)) else { continue };
            let next = scorecard_on(data, service, quarter, dataset, day);
            let changed = changes(&previous, &next);
            if !changed.is_empty() || next.level != previous.level || next.score != previous.score {
                events.push(ForecastEvent {
                    day,
                    before: standing(&previous),
                    after: standing(&next),
                    level_change: rank(next.level) - rank(previous.level),
                    new_quarter: quarter.first_day() == day,
                    changes: changed,
                });
            }
            previous = next;
        }
        out.push(ServiceForecast {
            service: card.service.to_string(),
            team: card.team.to_string(),
            tier: card.tier,
            now: standing(card),
            events,
        });
    }
    out
}

/// What a forecast assumes, in words (shown with every forecast).
pub const ASSUMPTION: &str = "If nothing else happens: no new record arrives, except that each SLO keeps being \
measured at its last seven days' average. A day's standing is the scorecard of the quarter holding it, as of that day's end.";

/// A forecast of a scope, as the API and pages give it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastReport {
    pub scope: String,
    /// Today (the forecast starts the day after) and the last day forecast.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub horizon_days: u32,
    pub assumption: String,
    pub services: Vec<ServiceForecast>,
}

/// One change of the calendar: a service's event, in day order across services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalendarEntry {
    pub service: String,
    pub team: String,
    pub headline: String,
    pub event: ForecastEvent,
}

impl ForecastReport {
    /// Every service's events in day order (then by service), each with its headline.
    pub fn calendar(&self) -> Vec<CalendarEntry> {
        let mut entries: Vec<CalendarEntry> = self
            .services
            .iter()
            .flat_map(|f| {
                f.events.iter().map(|event| CalendarEntry {
                    service: f.service.clone(),
                    team: f.team.clone(),
                    headline: headline(&f.service, event),
                    event: event.clone(),
                })
            })
            .collect();
        entries.sort_by(|a, b| a.event.day.cmp(&b.event.day).then_with(|| a.service.cmp(&b.service)));
        entries
    }
}

/// "checkout drops Silver → Bronze", "checkout rises Bronze → Silver", or, level unchanged,
/// "checkout: score 80 → 72" / "checkout: 2 checks change".
pub fn headline(service: &str, event: &ForecastEvent) -> String {
    let level = |l: Option<super::Level>| l.map_or("below Bronze", |l| l.label());
    let (before, after) = (event.before, event.after);
    match event.level_change.signum() {
        -1 => format!("{service} drops {} → {}", level(before.level), level(after.level)),
        1 => format!("{service} rises {} → {}", level(before.level), level(after.level)),
        _ => match (before.score, after.score) {
            (Some(b), Some(a)) if a != b => format!("{service}: score {b} → {a}"),
            _ => {
                let n = event.changes.len();
                format!(
                    "{service}: {n} {} change{}",
                    if n == 1 { "check" } else { "checks" },
                    if n == 1 { "s" } else { "" }
                )
            }
        },
    }
}

/// The quarters a forecast from `now` over `horizon_days` reaches, the current one first.
pub fn forecast_quarters(calendar: ReportingCalendar, now: DateTime<Utc>, horizon_days: u32) -> Vec<Period> {
    let today = calendar.day_of(now);
    let last = today.checked_add_days(Days::new(u64::from(horizon_days.min(MAX_HORIZON_DAYS)))).unwrap_or(today);
    let mut quarters = vec![Period::quarter_containing(now, calendar)];
    while let Some(next) = quarters.last().map(Period::next).filter(|q| q.first_day() <= last) {
        quarters.push(next);
    }
    quarters
}

#[cfg(test)]
#[path = "forecast_tests.rs"]
mod tests;
