//! On-call KPIs (docs/kpis.md §On-call): alert precision and disposition coverage, pages per
//! shift, off-hours and sleep-hours shares, time to acknowledge a page, and the noisiest rules.
//!
//! The population is the **pages** of a period: alerts with `paged` set (a person was notified)
//! and `fired_at` in the period. Pages per shift counts, for each shift *starting* in the period,
//! the pages of its team that the shift covers (see [`shift_of_page`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::scope::ServiceRecord;
use super::slo::ratio;
use super::stats::{DurationStats, minutes_between, percentile_of_sorted};
use crate::domain::records::{AlertDisposition, Slug};

/// The longest shift the contract accepts (docs/ingestion.md): a page can belong to a shift that
/// started this long before it, so loaders and change tracking reach back this far.
pub const MAX_SHIFT_DAYS: i64 = 31;

/// How many rules [`noisiest_rules`] lists.
pub const NOISIEST_RULES_LISTED: usize = 5;

/// An alert as the KPIs see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub source: String,
    pub external_id: String,
    pub service: Slug,
    /// The team owning `service` when the data was loaded; `None` for an unknown service.
    pub team: Option<Slug>,
    pub rule: String,
    pub fired_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub paged: bool,
    pub responder: Option<String>,
    pub disposition: AlertDisposition,
}

impl ServiceRecord for Alert {
    fn service_slugs(&self) -> &[Slug] {
        std::slice::from_ref(&self.service)
    }
}

impl Alert {
    /// Someone reviewed it: any disposition but `unreviewed`.
    pub fn is_reviewed(&self) -> bool {
        self.disposition != AlertDisposition::Unreviewed
    }

    /// Its `source/external_id`, as listed in drill-downs.
    pub fn key(&self) -> String {
        format!("{}/{}", self.source, self.external_id)
    }
}

/// A person on call for a team's schedule over `[starts_at, ends_at)`.
#[derive(Debug, Clone, PartialEq)]
pub struct OncallShift {
    pub team: Slug,
    pub schedule: String,
    pub person: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl OncallShift {
    pub fn covers(&self, instant: DateTime<Utc>) -> bool {
        self.starts_at <= instant && instant < self.ends_at
    }
}

/// A span of local time of day, `[start, end)`; it wraps past midnight when `end ≤ start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTimes {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl DayTimes {
    pub fn contains(&self, time: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= time && time < self.end
        } else {
            time >= self.start || time < self.end
        }
    }

    /// `HH:MM-HH:MM`.
    pub fn parse(text: &str) -> Option<Self> {
        let (start, end) = text.trim().split_once('-')?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
        Some(DayTimes { start: time(start)?, end: time(end)? })
    }
}

impl std::fmt::Display for DayTimes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}–{}", self.start.format("%H:%M"), self.end.format("%H:%M"))
    }
}

/// When a page disturbs: business hours (on business days) and sleep hours, in local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PagingHours {
    /// Business days, Monday first.
    pub business_days: Vec<Weekday>,
    pub business_hours: DayTimes,
    pub sleep_hours: DayTimes,
}

impl Default for PagingHours {
    /// Monday–Friday 09:00–18:00; sleep 22:00–07:00.
    fn default() -> Self {
        let at = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap_or(NaiveTime::MIN);
        PagingHours {
            business_days: vec![Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri],
            business_hours: DayTimes { start: at(9), end: at(18) },
            sleep_hours: DayTimes { start: at(22), end: at(7) },
        }
    }
}

impl PagingHours {
    /// Outside business hours at `instant` in `zone`: a non-business day, or before or after
    /// the business hours of a business day.
    pub fn is_off_hours(&self, instant: DateTime<Utc>, zone: Tz) -> bool {
        let local = instant.with_timezone(&zone);
        !(self.business_days.contains(&local.weekday()) && self.business_hours.contains(local.time()))
    }

    /// Within sleep hours at `instant` in `zone` (any day of the week).
    pub fn is_sleep_hours(&self, instant: DateTime<Utc>, zone: Tz) -> bool {
        self.sleep_hours.contains(instant.with_timezone(&zone).time())
    }
}

impl std::fmt::Display for PagingHours {
    /// `business Mon Tue Wed Thu Fri 09:00–18:00, sleep 22:00–07:00`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("business")?;
        for day in &self.business_days {
            write!(f, " {day}")?;
        }
        write!(f, " {}, sleep {}", self.business_hours, self.sleep_hours)
    }
}

impl PagingHours {
    /// For readers: "Off hours: outside Mon–Fri 09:00–18:00; sleep hours 22:00–07:00 (Europe/Berlin
    /// unless a team sets its own zone)."
    pub fn describe(&self, zone: Tz) -> String {
        let days: Vec<String> = self.business_days.iter().map(|d| d.to_string()).collect();
        format!(
            "Off hours: outside {} {}; sleep hours {} ({} time).",
            days.join(" "),
            self.business_hours,
            self.sleep_hours,
            zone.name()
        )
    }
}

/// What the hour-based KPIs need besides the records: the policy's hours and the time zones
/// teams set for themselves (the reporting zone otherwise).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OncallSettings {
    pub hours: PagingHours,
    pub team_zones: BTreeMap<Slug, Tz>,
}

impl OncallSettings {
    /// The zone a page's hours are read in: its team's own, else the reporting zone.
    pub fn zone_of(&self, alert: &Alert, period: &Period) -> Tz {
        alert.team.as_ref().and_then(|team| self.team_zones.get(team)).copied().unwrap_or(period.calendar().time_zone())
    }
}

/// The pages of a period: paged alerts with `fired_at` in it.
pub fn pages_in<'a>(period: &Period, alerts: &[&'a Alert]) -> Vec<&'a Alert> {
    let (start, end) = (period.start(), period.end());
    alerts.iter().copied().filter(|a| a.paged && start <= a.fired_at && a.fired_at < end).collect()
}

/// `page_count`: pages fired in the period.
pub fn page_count(period: &Period, alerts: &[&Alert]) -> u64 {
    pages_in(period, alerts).len() as u64
}

/// `alert_precision`: actionable pages ÷ reviewed pages (disposition other than unreviewed).
pub fn alert_precision(period: &Period, alerts: &[&Alert]) -> Option<f64> {
    let reviewed: Vec<&Alert> = pages_in(period, alerts).into_iter().filter(|a| a.is_reviewed()).collect();
    ratio(reviewed.iter().filter(|a| a.disposition == AlertDisposition::Actionable).count(), reviewed.len())
}

/// `alert_disposition_coverage`: reviewed pages ÷ pages.
pub fn alert_disposition_coverage(period: &Period, alerts: &[&Alert]) -> Option<f64> {
    let pages = pages_in(period, alerts);
    ratio(pages.iter().filter(|a| a.is_reviewed()).count(), pages.len())
}

/// `page_mtta`: acknowledged − fired over the period's pages that were acknowledged (at or after
/// they fired).
pub fn page_mtta(period: &Period, alerts: &[&Alert]) -> Option<DurationStats> {
    DurationStats::from_minutes(pages_in(period, alerts).into_iter().filter_map(time_to_acknowledge))
}

/// A page's minutes from firing to acknowledgement; `None` when not acknowledged or acknowledged
/// before it fired (a clock error, left out).
pub fn time_to_acknowledge(alert: &Alert) -> Option<f64> {
    let acknowledged = alert.acknowledged_at?;
    (acknowledged >= alert.fired_at).then(|| minutes_between(alert.fired_at, acknowledged))
}

/// `off_hours_page_share`: pages fired outside business hours (in their team's zone) ÷ pages.
pub fn off_hours_page_share(period: &Period, alerts: &[&Alert], settings: &OncallSettings) -> Option<f64> {
    let pages = pages_in(period, alerts);
    let off = pages.iter().filter(|a| settings.hours.is_off_hours(a.fired_at, settings.zone_of(a, period))).count();
    ratio(off, pages.len())
}

/// `sleep_hours_page_share`: pages fired within sleep hours (in their team's zone) ÷ pages.
pub fn sleep_hours_page_share(period: &Period, alerts: &[&Alert], settings: &OncallSettings) -> Option<f64> {
    let pages = pages_in(period, alerts);
    let asleep =
        pages.iter().filter(|a| settings.hours.is_sleep_hours(a.fired_at, settings.zone_of(a, period))).count();
    ratio(asleep, pages.len())
}

/// The shift a page belongs to: among its team's shifts covering `fired_at`, the one of its
/// responder if any, else the one that started first (then by schedule and person), so a page
/// is counted once however many schedules overlap. Shifts are half-open: a page at the very
/// instant one shift hands over belongs to the next.
pub fn shift_of_page<'a>(alert: &Alert, shifts: &[&'a OncallShift]) -> Option<&'a OncallShift> {
    let team = alert.team.as_ref()?;
    let covering = shifts.iter().copied().filter(|s| &s.team == team && s.covers(alert.fired_at));
    covering.min_by(|a, b| {
        let own = |s: &OncallShift| alert.responder.as_deref() != Some(s.person.as_str());
        (own(a), a.starts_at, &a.schedule, &a.person).cmp(&(own(b), b.starts_at, &b.schedule, &b.person))
    })
}

/// Shifts by team, so finding a page's shift looks at its own team's few shifts rather than
/// every team's (an organisation has thousands of shifts and pages in a quarter).
pub struct ShiftIndex<'a> {
    by_team: std::collections::HashMap<&'a Slug, Vec<&'a OncallShift>>,
}

impl<'a> ShiftIndex<'a> {
    pub fn new(shifts: &[&'a OncallShift]) -> Self {
        let mut by_team: std::collections::HashMap<&'a Slug, Vec<&'a OncallShift>> = Default::default();
        for shift in shifts {
            by_team.entry(&shift.team).or_default().push(shift);
        }
        ShiftIndex { by_team }
    }

    /// [`shift_of_page`] among the page's team's shifts.
    pub fn shift_of(&self, alert: &Alert) -> Option<&'a OncallShift> {
        let team_shifts = self.by_team.get(alert.team.as_ref()?)?;
        shift_of_page(alert, team_shifts)
    }
}

/// Pages per shift over the shifts starting in the period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ShiftLoad {
    pub mean: f64,
    pub median: f64,
    pub p90: f64,
    /// Shifts in the population.
    pub shifts: usize,
    /// Pages those shifts took.
    pub pages: usize,
}

/// Each shift starting in the period with the pages it took (of `alerts`, which may be fired
/// after the period: a shift's pages are counted to its end).
pub fn pages_of_shifts<'a>(
    period: &Period,
    alerts: &[&Alert],
    shifts: &[&'a OncallShift],
) -> Vec<(&'a OncallShift, usize)> {
    let (start, end) = (period.start(), period.end());
    let index = ShiftIndex::new(shifts);
    let mut taken: BTreeMap<*const OncallShift, usize> = BTreeMap::new();
    for page in alerts.iter().filter(|a| a.paged) {
        if let Some(shift) = index.shift_of(page) {
            *taken.entry(std::ptr::from_ref(shift)).or_default() += 1;
        }
    }
    shifts
        .iter()
        .copied()
        .filter(|s| start <= s.starts_at && s.starts_at < end)
        .map(|s| (s, taken.get(&std::ptr::from_ref(s)).copied().unwrap_or(0)))
        .collect()
}

/// `pages_per_shift`: mean, median and p90 of the pages each shift starting in the period took;
/// a shift without pages counts as 0. `None` without shifts.
pub fn pages_per_shift(period: &Period, alerts: &[&Alert], shifts: &[&OncallShift]) -> Option<ShiftLoad> {
    let counts: Vec<usize> = pages_of_shifts(period, alerts, shifts).into_iter().map(|(_, n)| n).collect();
    let mut sorted: Vec<f64> = counts.iter().map(|n| *n as f64).collect();
    sorted.sort_by(f64::total_cmp);
    Some(ShiftLoad {
        mean: sorted.iter().sum::<f64>() / sorted.len().max(1) as f64,
        median: percentile_of_sorted(&sorted, 0.5)?,
        p90: percentile_of_sorted(&sorted, 0.9)?,
        shifts: counts.len(),
        pages: counts.iter().sum(),
    })
}

/// One alert rule's pages in a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleNoise {
    pub rule: String,
    pub pages: u64,
    pub reviewed: u64,
    pub actionable: u64,
    /// actionable ÷ reviewed; `None` when none was reviewed.
    pub precision: Option<f64>,
    /// The services it paged for, sorted.
    pub services: Vec<Slug>,
}

/// The rules that paged most in the period (at most [`NOISIEST_RULES_LISTED`]): by pages, then
/// the lower precision first (unreviewed last), then by name.
pub fn noisiest_rules(period: &Period, alerts: &[&Alert]) -> Vec<RuleNoise> {
    let mut listed = noisiest_rules_all(period, alerts);
    listed.truncate(NOISIEST_RULES_LISTED);
    listed
}

/// Every rule that paged in the period, in [`noisiest_rules`]' order.
pub fn noisiest_rules_all(period: &Period, alerts: &[&Alert]) -> Vec<RuleNoise> {
    let mut rules: BTreeMap<&str, RuleNoise> = BTreeMap::new();
    for page in pages_in(period, alerts) {
        let entry = rules.entry(page.rule.as_str()).or_insert_with(|| RuleNoise {
            rule: page.rule.clone(),
            pages: 0,
            reviewed: 0,
            actionable: 0,
            precision: None,
            services: Vec::new(),
        });
        entry.pages += 1;
        entry.reviewed += u64::from(page.is_reviewed());
        entry.actionable += u64::from(page.disposition == AlertDisposition::Actionable);
        if !entry.services.contains(&page.service) {
            entry.services.push(page.service.clone());
        }
    }
    let mut listed: Vec<RuleNoise> = rules
        .into_values()
        .map(|mut r| {
            r.precision = (r.reviewed > 0).then(|| r.actionable as f64 / r.reviewed as f64);
            r.services.sort();
            r
        })
        .collect();
    listed.sort_by(|a, b| {
        b.pages
            .cmp(&a.pages)
            .then_with(|| a.precision.unwrap_or(f64::INFINITY).total_cmp(&b.precision.unwrap_or(f64::INFINITY)))
            .then_with(|| a.rule.cmp(&b.rule))
    });
    listed
}

#[cfg(test)]
mod tests;
