//! Reporting periods (docs/kpis.md): a calendar month (`2026-07`) or a fiscal quarter
//! (`2026-Q3`), half-open, with its day boundaries in a reporting time zone.
//!
//! **Fiscal convention.** A fiscal year is named by the calendar year in which it *starts*. With
//! the default start month (January) fiscal and calendar quarters coincide. With start month
//! April, fiscal year 2026 runs April 2026 – March 2027: `2026-Q1` = April–June 2026 and
//! `2026-Q4` = January–March 2027. Months (`2026-07`) are always calendar months.
//!
//! **As-of.** The as-of instant of a period is `now` clamped into `[start, end]`: the end of a
//! past period, `now` for the current one and the start of a period that has not begun (nothing
//! can have happened in it yet). `now` is always passed in; nothing here reads the clock.

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Why a period, or the calendar it lives in, could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("expected a month like 2026-07 or a quarter like 2026-Q3, got {0:?}")]
    Malformed(String),
    #[error("{0} is outside the supported range: periods from {MIN_YEAR}-01 to {MAX_YEAR}-12")]
    OutOfRange(String),
    #[error("{0} has not begun yet (it starts on {1}): there are no figures for it")]
    NotBegun(String, NaiveDate),
    #[error("the fiscal year start month must be 1 to 12, got {0}")]
    FiscalStartMonth(u32),
    #[error("unknown time zone {0:?}; expected an IANA name such as UTC or Europe/Berlin")]
    TimeZone(String),
}

/// Where periods are anchored: the first month of the fiscal year and the reporting time zone
/// whose midnights are the day (and so period) boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReportingCalendar {
    fiscal_year_start_month: u32,
    time_zone: Tz,
}

impl Default for ReportingCalendar {
    /// Fiscal year = calendar year, days in UTC.
    fn default() -> Self {
        ReportingCalendar { fiscal_year_start_month: 1, time_zone: Tz::UTC }
    }
}

impl ReportingCalendar {
    pub fn new(fiscal_year_start_month: u32, time_zone: Tz) -> Result<Self, PeriodError> {
        if (1..=12).contains(&fiscal_year_start_month) {
            Ok(ReportingCalendar { fiscal_year_start_month, time_zone })
        } else {
            Err(PeriodError::FiscalStartMonth(fiscal_year_start_month))
        }
    }

    /// As [`ReportingCalendar::new`], with the time zone given by its IANA name.
    pub fn parse(fiscal_year_start_month: u32, time_zone: &str) -> Result<Self, PeriodError> {
        let zone: Tz = time_zone.trim().parse().map_err(|_| PeriodError::TimeZone(time_zone.to_owned()))?;
        ReportingCalendar::new(fiscal_year_start_month, zone)
    }

    pub fn fiscal_year_start_month(&self) -> u32 {
        self.fiscal_year_start_month
    }

    pub fn time_zone(&self) -> Tz {
        self.time_zone
    }

    /// The reporting-zone date of an instant.
    pub fn day_of(&self, instant: DateTime<Utc>) -> NaiveDate {
        instant.with_timezone(&self.time_zone).date_naive()
    }

    /// The first instant of a reporting-zone day. Where local midnight is skipped by a clock
    /// change, the day begins when the clock resumes; where it repeats, at its first occurrence.
    pub fn day_start(&self, day: NaiveDate) -> DateTime<Utc> {
        let midnight = day.and_time(NaiveTime::MIN);
        match self.time_zone.from_local_datetime(&midnight) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(a, b) => a.min(b).with_timezone(&Utc),
            LocalResult::None => {
                let mut probe = midnight;
                for _ in 0..(24 * 60) {
                    probe += TimeDelta::minutes(1);
                    if let Some(t) = self.time_zone.from_local_datetime(&probe).earliest() {
                        return t.with_timezone(&Utc);
                    }
                }
                Utc.from_utc_datetime(&midnight)
            }
        }
    }

    /// The first instant after a reporting-zone day (the start of the next one).
    pub fn day_end(&self, day: NaiveDate) -> DateTime<Utc> {
        self.day_start(day.succ_opt().unwrap_or(NaiveDate::MAX))
    }
}

/// A range error as it is; any other as `malformed`, which quotes the text as given.
fn keep_range(error: PeriodError, malformed: PeriodError) -> PeriodError {
    match error {
        PeriodError::OutOfRange(_) => error,
        _ => malformed,
    }
}

/// Which span of the calendar a period covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PeriodSpan {
    /// A calendar month, 1–12.
    Month { year: i32, month: u32 },
    /// A quarter 1–4 of the fiscal year named by the calendar year it starts in.
    Quarter { fiscal_year: i32, quarter: u32 },
}

/// A reporting period: half-open `[start, end)`, with day boundaries in the calendar's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    span: PeriodSpan,
    calendar: ReportingCalendar,
}

/// The years a period may lie in. Every period, its trend (eight periods back) and the days
/// after it stay well inside what both databases and the reporting time zones can represent.
pub const MIN_YEAR: i32 = 1970;
pub const MAX_YEAR: i32 = 2999;

/// How much of a period has passed: a fraction of its length, and whole days of its days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Elapsed {
    pub fraction: f64,
    pub days: u32,
    pub of: u32,
}

impl Elapsed {
    /// A period that has ended.
    pub fn whole(days: u32) -> Elapsed {
        Elapsed { fraction: 1.0, days, of: days }
    }

    /// The period is still running: its counts and sums are not yet comparable with a whole one.
    pub fn is_partial(&self) -> bool {
        self.fraction < 1.0
    }
}

impl Period {
    pub fn month(year: i32, month: u32, calendar: ReportingCalendar) -> Result<Self, PeriodError> {
        let text = || format!("{year:04}-{month:02}");
        if !(1..=12).contains(&month) {
            Err(PeriodError::Malformed(text()))
        } else if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            Err(PeriodError::OutOfRange(text()))
        } else {
            Ok(Period { span: PeriodSpan::Month { year, month }, calendar })
        }
    }

    pub fn quarter(fiscal_year: i32, quarter: u32, calendar: ReportingCalendar) -> Result<Self, PeriodError> {
        let text = || format!("{fiscal_year:04}-Q{quarter}");
        if !(1..=4).contains(&quarter) {
            Err(PeriodError::Malformed(text()))
        } else if !(MIN_YEAR..=MAX_YEAR).contains(&fiscal_year) {
            Err(PeriodError::OutOfRange(text()))
        } else {
            Ok(Period { span: PeriodSpan::Quarter { fiscal_year, quarter }, calendar })
        }
    }

    /// Parses `YYYY-MM` (a calendar month) or `YYYY-QN` (a fiscal quarter; `q` accepted).
    pub fn parse(text: &str, calendar: ReportingCalendar) -> Result<Self, PeriodError> {
        let malformed = || PeriodError::Malformed(text.to_owned());
        let trimmed = text.trim();
        let (year, rest) = trimmed.split_once('-').ok_or_else(malformed)?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(malformed());
        }
        let year: i32 = year.parse().map_err(|_| malformed())?;
        let digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
        if let Some(q) = rest.strip_prefix(['Q', 'q']) {
            if !digits(q, 1) {
                return Err(malformed());
            }
            let quarter: u32 = q.parse().map_err(|_| malformed())?;
            Period::quarter(year, quarter, calendar).map_err(|e| keep_range(e, malformed()))
        } else {
            if !digits(rest, 2) {
                return Err(malformed());
            }
            let month: u32 = rest.parse().map_err(|_| malformed())?;
            Period::month(year, month, calendar).map_err(|e| keep_range(e, malformed()))
        }
    }

    /// The period a page or API call asks for: `text` when given (blank counts as absent),
    /// otherwise the quarter containing `now` — every page's and endpoint's default.
    pub fn parse_or_current(
        text: Option<&str>,
        calendar: ReportingCalendar,
        now: DateTime<Utc>,
    ) -> Result<Self, PeriodError> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            Some(text) => Period::parse_begun(text, calendar, now),
            None => Ok(Period::quarter_containing(now, calendar)),
        }
    }

    /// A period that has begun by `now`: a future one has no figures, and a report or a
    /// comparison of it would only mislead.
    pub fn parse_begun(text: &str, calendar: ReportingCalendar, now: DateTime<Utc>) -> Result<Self, PeriodError> {
        let period = Period::parse(text, calendar)?;
        if period.start() > now {
            return Err(PeriodError::NotBegun(period.to_string(), period.first_day()));
        }
        Ok(period)
    }

    /// The calendar month holding an instant (in the reporting zone).
    pub fn month_containing(instant: DateTime<Utc>, calendar: ReportingCalendar) -> Self {
        let day = calendar.day_of(instant);
        Period { span: PeriodSpan::Month { year: day.year(), month: day.month() }, calendar }
    }

    /// The fiscal quarter holding an instant (in the reporting zone).
    pub fn quarter_containing(instant: DateTime<Utc>, calendar: ReportingCalendar) -> Self {
        let day = calendar.day_of(instant);
        let start = calendar.fiscal_year_start_month;
        let fiscal_year = if day.month() >= start { day.year() } else { day.year() - 1 };
        let months_into_year = (day.month() + 12 - start) % 12;
        Period { span: PeriodSpan::Quarter { fiscal_year, quarter: months_into_year / 3 + 1 }, calendar }
    }

    pub fn span(&self) -> PeriodSpan {
        self.span
    }

    pub fn calendar(&self) -> ReportingCalendar {
        self.calendar
    }

    pub fn is_quarter(&self) -> bool {
        matches!(self.span, PeriodSpan::Quarter { .. })
    }

    /// The first day of the period (reporting zone).
    pub fn first_day(&self) -> NaiveDate {
        let (year, month) = match self.span {
            PeriodSpan::Month { year, month } => (year, month),
            PeriodSpan::Quarter { fiscal_year, quarter } => {
                let months_from_january = (self.calendar.fiscal_year_start_month - 1) + 3 * (quarter - 1);
                (fiscal_year + (months_from_january / 12) as i32, months_from_january % 12 + 1)
            }
        };
        NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The day after the period's last day (reporting zone), i.e. the first day of the next one.
    pub fn end_day(&self) -> NaiveDate {
        self.next().first_day()
    }

    /// Whether a reporting-zone day lies in the period.
    pub fn contains_day(&self, day: NaiveDate) -> bool {
        self.first_day() <= day && day < self.end_day()
    }

    /// The first instant of the period.
    pub fn start(&self) -> DateTime<Utc> {
        self.calendar.day_start(self.first_day())
    }

    /// The first instant after the period (exclusive bound).
    pub fn end(&self) -> DateTime<Utc> {
        self.calendar.day_start(self.end_day())
    }

    /// Whether `start ≤ instant < end`.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start() <= instant && instant < self.end()
    }

    /// The period's days in the reporting zone, in order.
    pub fn days(&self) -> Vec<NaiveDate> {
        let end = self.end_day();
        self.first_day().iter_days().take_while(|d| *d < end).collect()
    }

    /// How many days the period has.
    pub fn day_count(&self) -> u32 {
        let count = (self.end_day() - self.first_day()).num_days();
        u32::try_from(count).unwrap_or(0)
    }

    pub fn previous(&self) -> Self {
        let span = match self.span {
            PeriodSpan::Month { year, month: 1 } => PeriodSpan::Month { year: year - 1, month: 12 },
            PeriodSpan::Month { year, month } => PeriodSpan::Month { year, month: month - 1 },
            PeriodSpan::Quarter { fiscal_year, quarter: 1 } => {
                PeriodSpan::Quarter { fiscal_year: fiscal_year - 1, quarter: 4 }
            }
            PeriodSpan::Quarter { fiscal_year, quarter } => PeriodSpan::Quarter { fiscal_year, quarter: quarter - 1 },
        };
        Period { span, calendar: self.calendar }
    }

    pub fn next(&self) -> Self {
        let span = match self.span {
            PeriodSpan::Month { year, month: 12 } => PeriodSpan::Month { year: year + 1, month: 1 },
            PeriodSpan::Month { year, month } => PeriodSpan::Month { year, month: month + 1 },
            PeriodSpan::Quarter { fiscal_year, quarter: 4 } => {
                PeriodSpan::Quarter { fiscal_year: fiscal_year + 1, quarter: 1 }
            }
            PeriodSpan::Quarter { fiscal_year, quarter } => PeriodSpan::Quarter { fiscal_year, quarter: quarter + 1 },
        };
        Period { span, calendar: self.calendar }
    }

    /// This period and the following ones up to and including `last` (empty when `last` comes
    /// first or is of the other kind).
    pub fn through(&self, last: &Period) -> Vec<Period> {
        let mut periods = Vec::new();
        if std::mem::discriminant(&self.span) != std::mem::discriminant(&last.span) {
            return periods;
        }
        let mut current = *self;
        while current.span <= last.span {
            periods.push(current);
            current = current.next();
        }
        periods
    }

    /// The as-of instant: the end of a past period, `now` during the period, the start of a
    /// period that has not begun.
    pub fn as_of(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now.clamp(self.start(), self.end())
    }

    /// How much of the period has passed at `now` (all of it once the period has ended).
    pub fn elapsed(&self, now: DateTime<Utc>) -> Elapsed {
        let total = (self.end() - self.start()).num_seconds().max(1) as f64;
        let passed = (self.as_of(now) - self.start()).num_seconds().max(0) as f64;
        Elapsed {
            fraction: (passed / total).clamp(0.0, 1.0),
            days: (passed / 86_400.0).floor() as u32,
            of: self.day_count(),
        }
    }

    /// The reporting-zone date of the as-of instant (for a past period, the day after its last).
    pub fn as_of_day(&self, now: DateTime<Utc>) -> NaiveDate {
        self.calendar.day_of(self.as_of(now))
    }

    /// "The last N days": the `n` days before the as-of day, oldest first.
    pub fn last_n_days(&self, n: u32, now: DateTime<Utc>) -> Vec<NaiveDate> {
        let as_of_day = self.as_of_day(now);
        (1..=u64::from(n)).rev().filter_map(|k| as_of_day.checked_sub_days(Days::new(k))).collect()
    }

    /// The first of "the last N days" (the as-of day itself when `n` is 0); with the as-of day
    /// it bounds them as the half-open day range `[first, as_of_day)`.
    pub fn last_n_days_from(&self, n: u32, now: DateTime<Utc>) -> NaiveDate {
        let as_of_day = self.as_of_day(now);
        as_of_day.checked_sub_days(Days::new(u64::from(n))).unwrap_or(NaiveDate::MIN)
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.span {
            PeriodSpan::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            PeriodSpan::Quarter { fiscal_year, quarter } => write!(f, "{fiscal_year:04}-Q{quarter}"),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    pub(crate) fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    pub(crate) fn q(text: &str) -> Period {
        Period::parse(text, ReportingCalendar::default()).unwrap()
    }

    fn berlin() -> ReportingCalendar {
        ReportingCalendar::new(1, chrono_tz::Europe::Berlin).unwrap()
    }

    #[test]
    fn quarter_three_is_july_to_september_half_open_in_utc() {
        let p = q("2026-Q3");
        assert_eq!(p.start(), utc("2026-07-01T00:00:00Z"));
        assert_eq!(p.end(), utc("2026-10-01T00:00:00Z"));
        assert_eq!(p.day_count(), 92);
        assert_eq!(p.days().first(), Some(&day("2026-07-01")));
        assert_eq!(p.days().last(), Some(&day("2026-09-30")));
        assert!(p.contains(utc("2026-07-01T00:00:00Z")));
        assert!(p.contains(utc("2026-09-30T23:59:59Z")));
        assert!(!p.contains(utc("2026-10-01T00:00:00Z")));
    }

    #[test]
    fn months_and_quarters_print_as_they_parse() {
        for text in ["2026-07", "2026-Q3", "2025-12", "2026-Q1"] {
            assert_eq!(q(text).to_string(), text);
        }
        assert_eq!(q(" 2026-q2 ").to_string(), "2026-Q2");
        assert_eq!(serde_json::to_string(&q("2026-07")).unwrap(), "\"2026-07\"");
    }

    #[test]
    fn malformed_periods_are_rejected() {
        let cal = ReportingCalendar::default();
        for bad in ["2026", "2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-7", "26-07", "2026-Q12", "", "2026-07x"] {
            assert!(Period::parse(bad, cal).is_err(), "{bad} should not parse");
        }
        for far in ["9999-Q4", "3000-01", "1969-12", "0001-Q1"] {
            let error = Period::parse(far, cal).expect_err(far).to_string();
            assert!(error.contains("supported range: periods from 1970-01 to 2999-12"), "{far}: {error}");
        }
        assert_eq!(q("2999-Q4").end(), utc("3000-01-01T00:00:00Z"));
        assert!(ReportingCalendar::new(0, Tz::UTC).is_err());
        assert!(ReportingCalendar::new(13, Tz::UTC).is_err());
    }

    #[test]
    fn previous_and_next_cross_year_boundaries() {
        assert_eq!(q("2026-Q1").previous().to_string(), "2025-Q4");
        assert_eq!(q("2025-Q4").next().to_string(), "2026-Q1");
        assert_eq!(q("2026-01").previous().to_string(), "2025-12");
        assert_eq!(q("2025-12").next().to_string(), "2026-01");
        let labels: Vec<String> = q("2025-Q3").through(&q("2026-Q2")).iter().map(|p| p.to_string()).collect();
        assert_eq!(labels, ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]);
        assert!(q("2026-Q2").through(&q("2025-Q3")).is_empty());
        assert!(q("2026-Q2").through(&q("2026-07")).is_empty());
    }

    #[test]
    fn fiscal_quarters_start_in_the_configured_month_and_are_named_by_the_starting_year() {
        let april = ReportingCalendar::new(4, Tz::UTC).unwrap();
        let q1 = Period::parse("2026-Q1", april).unwrap();
        assert_eq!(q1.start(), utc("2026-04-01T00:00:00Z"));
        assert_eq!(q1.end(), utc("2026-07-01T00:00:00Z"));
        let q4 = Period::parse("2026-Q4", april).unwrap();
        assert_eq!(q4.start(), utc("2027-01-01T00:00:00Z"));
        assert_eq!(q4.end(), utc("2027-04-01T00:00:00Z"));
        assert_eq!(q4.next().to_string(), "2027-Q1");
        assert_eq!(q4.next().start(), utc("2027-04-01T00:00:00Z"));
        // February 2027 is in fiscal 2026's last quarter; May 2026 in its first.
        assert_eq!(Period::quarter_containing(utc("2027-02-10T12:00:00Z"), april).to_string(), "2026-Q4");
        let now = utc("2027-02-10T12:00:00Z");
        assert_eq!(Period::parse_or_current(None, april, now).map(|p| p.to_string()), Ok("2026-Q4".to_owned()));
        assert_eq!(Period::parse_or_current(Some("  "), april, now).map(|p| p.to_string()), Ok("2026-Q4".to_owned()));
        assert_eq!(
            Period::parse_or_current(Some("2026-07"), april, now).map(|p| p.to_string()),
            Ok("2026-07".to_owned())
        );
        assert!(Period::parse_or_current(Some("July"), april, now).is_err());
        assert_eq!(
            Period::parse_or_current(Some("2027-Q1"), april, now).map_err(|e| e.to_string()),
            Err("2027-Q1 has not begun yet (it starts on 2027-04-01): there are no figures for it".to_owned())
        );
        assert!(Period::parse_begun("2027-02", april, now).is_ok(), "the open month has begun");
        assert_eq!(Period::quarter_containing(utc("2026-05-10T12:00:00Z"), april).to_string(), "2026-Q1");
        assert_eq!(Period::quarter_containing(utc("2026-03-31T23:59:59Z"), april).to_string(), "2025-Q4");
        // A fiscal year starting in November wraps two of its quarters into the next year.
        let november = ReportingCalendar::new(11, Tz::UTC).unwrap();
        let q2 = Period::parse("2026-Q2", november).unwrap();
        assert_eq!(q2.first_day(), day("2027-02-01"));
        assert_eq!(q2.end_day(), day("2027-05-01"));
    }

    #[test]
    fn a_berlin_quarter_starts_at_berlin_midnight() {
        let p = Period::parse("2026-Q3", berlin()).unwrap();
        assert_eq!(p.start(), utc("2026-06-30T22:00:00Z"));
        assert_eq!(p.end(), utc("2026-09-30T22:00:00Z"));
        let winter = Period::parse("2026-01", berlin()).unwrap();
        assert_eq!(winter.start(), utc("2025-12-31T23:00:00Z"));
        assert!(p.contains(utc("2026-07-01T00:30:00+02:00")));
        assert!(!p.contains(utc("2026-06-30T23:30:00+02:00")));
        assert_eq!(Period::month_containing(utc("2026-06-30T22:30:00Z"), berlin()).to_string(), "2026-07");
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_the_clock_resumes() {
        // Santiago de Chile moved its clocks from 00:00 to 01:00 on 2022-09-11.
        let cal = ReportingCalendar::new(1, chrono_tz::America::Santiago).unwrap();
        assert_eq!(cal.day_start(day("2022-09-11")), utc("2022-09-11T04:00:00Z"));
        assert_eq!(cal.day_end(day("2022-09-10")), utc("2022-09-11T04:00:00Z"));
    }

    #[test]
    fn as_of_is_the_end_of_a_past_period_and_now_for_the_current_one() {
        let p = q("2026-Q3");
        assert_eq!(p.as_of(utc("2027-01-05T10:00:00Z")), p.end());
        assert_eq!(p.as_of_day(utc("2027-01-05T10:00:00Z")), day("2026-10-01"));
        let now = utc("2026-08-15T10:00:00Z");
        assert_eq!(p.as_of(now), now);
        assert_eq!(p.as_of_day(now), day("2026-08-15"));
        assert_eq!(p.as_of(utc("2026-01-01T00:00:00Z")), p.start());
    }

    #[test]
    fn the_last_28_days_of_a_past_q3_are_september_3_to_30() {
        let p = q("2026-Q3");
        let days = p.last_n_days(28, utc("2027-01-01T00:00:00Z"));
        assert_eq!(days.len(), 28);
        assert_eq!(days[0], day("2026-09-03"));
        assert_eq!(days[27], day("2026-09-30"));
        assert_eq!(p.last_n_days_from(28, utc("2027-01-01T00:00:00Z")), day("2026-09-03"));
        assert!(p.last_n_days(0, utc("2027-01-01T00:00:00Z")).is_empty());
    }

    #[test]
    fn the_as_of_day_follows_the_reporting_zone() {
        let p = Period::parse("2026-Q3", berlin()).unwrap();
        // 22:30Z on 15 August is already 16 August in Berlin.
        let now = utc("2026-08-15T22:30:00Z");
        assert_eq!(p.as_of_day(now), day("2026-08-16"));
        assert_eq!(p.last_n_days(1, now), vec![day("2026-08-15")]);
    }
}
