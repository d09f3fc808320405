//! SLO KPIs (docs/kpis.md): per-SLO attainment, error budget remaining and burn rates, and the
//! roll-ups `slo_met_rate`, `budget_exhausted_count` and `slo_coverage`.
//!
//! Comparisons against the objective are exact: the objective (a percentage) is taken to nine
//! decimal places and every comparison is done on integers, so 999 good of 1000 meets 99.9 %
//! and 1 bad of 1000 at 99.9 % leaves exactly 0 budget (exhausted), without float rounding
//! deciding either way.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::period::Period;
use super::scope::{Service, ServiceRecord};
use super::slo_window::SloWindow;
use crate::domain::records::{Budgeting, Indicator, Slug};

/// One day of an SLO's events (or timeslices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SloMeasurement {
    pub day: NaiveDate,
    pub good: i64,
    pub total: i64,
}

/// A span of reporting-zone days, half-open: `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DayRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DayRange {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day < self.to
    }
}

/// Σgood, Σtotal and the number of days with a row, over a [`DayRange`]; with the sum of the
/// daily ratios, which ratio-timeslices SLOs are judged by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SloTotals {
    pub good: i128,
    pub total: i128,
    pub days: u32,
    /// Σ over the days with events of good ÷ total, each taken to 10⁻¹¹ (a billionth of a
    /// percent) rounded down, in those units (daily rows give it, and the server's loader has
    /// the database take it by the same rule).
    pub ratio_units: i128,
    /// Days with events (total > 0): the ratios summed.
    pub event_days: u32,
}

impl std::ops::AddAssign for SloTotals {
    fn add_assign(&mut self, other: SloTotals) {
        self.good += other.good;
        self.total += other.total;
        self.days = self.days.saturating_add(other.days);
        self.ratio_units += other.ratio_units;
        self.event_days = self.event_days.saturating_add(other.event_days);
    }
}

impl SloTotals {
    /// What is judged against the objective, as (met, out of): events for occurrences and
    /// timeslices; for ratio timeslices the sum of the daily ratios out of the days with events,
    /// so that met ÷ out of is the mean daily ratio.
    pub fn judged(&self, budgeting: Budgeting) -> (i128, i128) {
        match budgeting {
            Budgeting::RatioTimeslices => (self.ratio_units, i128::from(self.event_days) * FULL),
            Budgeting::Occurrences | Budgeting::Timeslices => (self.good, self.total),
        }
    }
}

/// One day's good ÷ total in units of 10⁻¹¹, rounded down (0 ≤ good ≤ total holds for stored
/// rows; it is clamped all the same).
fn daily_ratio_units(good: i128, total: i128) -> i128 {
    (good.clamp(0, total) * FULL) / total
}

/// What is known of an SLO's measurements.
#[derive(Debug, Clone, PartialEq)]
pub enum SloData {
    /// The daily rows (those of the period and of the window before the as-of day suffice).
    Days(Vec<SloMeasurement>),
    /// Totals summed elsewhere (by the database) over exactly the ranges [`slo_day_ranges`]
    /// names for one period and as-of instant, and the latest day with a row before that
    /// as-of day. A range not summed reads as no data.
    Summed { totals: Vec<(DayRange, SloTotals)>, as_of_day: NaiveDate, latest_day: Option<NaiveDate> },
}

impl SloData {
    /// The totals over a range of days (each day counted once).
    pub fn totals(&self, range: DayRange) -> SloTotals {
        match self {
            SloData::Days(rows) => {
                let mut days: BTreeMap<NaiveDate, (i128, i128)> = BTreeMap::new();
                for m in rows.iter().filter(|m| range.contains(m.day)) {
                    let day = days.entry(m.day).or_default();
                    day.0 += i128::from(m.good);
                    day.1 += i128::from(m.total);
                }
                let mut sums = SloTotals::default();
                for (good, total) in days.values().copied() {
                    sums.good += good;
                    sums.total += total;
                    sums.days += 1;
                    if total > 0 {
                        sums.ratio_units += daily_ratio_units(good, total);
                        sums.event_days += 1;
                    }
                }
                sums
            }
            SloData::Summed { totals, .. } => {
                totals.iter().find(|(r, _)| *r == range).map(|(_, t)| *t).unwrap_or_default()
            }
        }
    }

    /// The latest day with a row before `day`. Summed data knows it only for its as-of day.
    pub fn latest_day_before(&self, day: NaiveDate) -> Option<NaiveDate> {
        match self {
            SloData::Days(rows) => rows.iter().map(|m| m.day).filter(|d| *d < day).max(),
            SloData::Summed { as_of_day, latest_day, .. } => (*as_of_day == day).then_some(*latest_day).flatten(),
        }
    }
}

/// An SLO with what is known of its measurements.
#[derive(Debug, Clone, PartialEq)]
pub struct Slo {
    pub service: Slug,
    pub slug: Slug,
    /// Percent, strictly between 0 and 100 (99.9 means 99.9 %).
    pub objective: f64,
    /// The error budget's window.
    pub window: SloWindow,
    /// How its days are judged: events (occurrences, timeslices) or the mean daily ratio.
    pub budgeting: Budgeting,
    pub active: bool,
    /// What the SLO measures, and for latency the threshold a good event is within.
    pub indicator: Indicator,
    pub threshold_ms: Option<i64>,
    pub data: SloData,
}

impl Slo {
    fn totals(&self, range: DayRange) -> SloTotals {
        self.data.totals(range)
    }
}

/// The period's days.
pub fn period_days(period: &Period) -> DayRange {
    DayRange { from: period.first_day(), to: period.end_day() }
}

/// The period's days before the as-of day (all of them for a past period).
pub fn elapsed_days(period: &Period, now: DateTime<Utc>) -> DayRange {
    DayRange { from: period.first_day(), to: period.end_day().min(period.as_of_day(now)) }
}

/// "The last `n` days": the `n` days before the as-of day.
pub fn last_days(period: &Period, now: DateTime<Utc>, n: u32) -> DayRange {
    DayRange { from: period.last_n_days_from(n, now), to: period.as_of_day(now) }
}

/// The days an SLO's error budget counts: its window ending the day before the as-of day.
pub fn budget_window(period: &Period, now: DateTime<Utc>, window: SloWindow) -> Option<DayRange> {
    window.range_before(period.as_of_day(now))
}

/// Every range of days the SLO KPIs read for an SLO with this window: what a database has to
/// sum for [`SloData::Summed`].
pub fn slo_day_ranges(period: &Period, now: DateTime<Utc>, window: SloWindow) -> Vec<DayRange> {
    let mut ranges =
        vec![period_days(period), elapsed_days(period, now), last_days(period, now, 1), last_days(period, now, 7)];
    ranges.extend(budget_window(period, now, window));
    ranges.sort_unstable();
    ranges.dedup();
    ranges
}

impl ServiceRecord for Slo {
    fn service_slugs(&self) -> &[Slug] {
        std::slice::from_ref(&self.service)
    }
}

/// 100 % in units of a billionth of a percent.
const FULL: i128 = 100_000_000_000;

/// The objective as billionths of a percent, when strictly between 0 and 100 %.
fn objective_units(objective_percent: f64) -> Option<i128> {
    let units = (objective_percent * 1e9).round();
    if units.is_finite() && units > 0.0 && units < FULL as f64 { Some(units as i128) } else { None }
}

/// Σbad ÷ ((1 − objective) × Σtotal) as an exact fraction (numerator, denominator > 0), of
/// what the budgeting method judges ([`SloTotals::judged`]).
fn budget_spent(sums: SloTotals, budgeting: Budgeting, objective_percent: f64) -> Option<(i128, i128)> {
    let objective = objective_units(objective_percent)?;
    let (good, total) = sums.judged(budgeting);
    if total <= 0 {
        return None;
    }
    let bad = total - good;
    Some((bad * FULL, (FULL - objective) * total))
}

/// `slo_attainment` of one SLO over the period's days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SloAttainment {
    /// Σgood ÷ Σtotal (the mean daily ratio for ratio timeslices); `None` without data or
    /// when Σtotal = 0.
    pub attainment: Option<f64>,
    /// attainment ≥ objective; `None` when attainment is.
    pub met: Option<bool>,
    /// Period days that have a measurement row.
    pub days_with_data: u32,
    pub good: i128,
    pub total: i128,
}

/// Whether Σgood ÷ Σtotal reaches an objective (a percentage), compared exactly; `None` without
/// events or for an objective outside (0, 100).
pub fn meets_objective(good: i128, total: i128, objective_percent: f64) -> Option<bool> {
    match objective_units(objective_percent) {
        Some(objective) if total > 0 => Some(good * FULL >= objective * total),
        _ => None,
    }
}

pub fn slo_attainment(period: &Period, slo: &Slo) -> SloAttainment {
    let s = slo.totals(period_days(period));
    let (good, total) = s.judged(slo.budgeting);
    let attainment = (total > 0).then(|| good as f64 / total as f64);
    let met = meets_objective(good, total, slo.objective);
    SloAttainment { attainment, met, days_with_data: s.days, good: s.good, total: s.total }
}

/// `slo_met_rate`: SLOs met ÷ SLOs with data in the period (an attainment to judge).
pub fn slo_met_rate<L: Borrow<Slo>>(period: &Period, slos: &[L]) -> Option<f64> {
    let judged: Vec<bool> = slos.iter().filter_map(|slo| slo_attainment(period, slo.borrow()).met).collect();
    ratio(judged.iter().filter(|met| **met).count(), judged.len())
}

/// `error_budget_remaining` over the SLO's window: 1 − Σbad ÷ ((1 − objective) × Σtotal).
/// Negative when overspent; `None` without events in the window.
pub fn error_budget_remaining(period: &Period, now: DateTime<Utc>, slo: &Slo) -> Option<f64> {
    let s = slo.totals(budget_window(period, now, slo.window)?);
    let (spent, allowed) = budget_spent(s, slo.budgeting, slo.objective)?;
    Some((allowed - spent) as f64 / allowed as f64)
}

/// `budget_exhausted_count`: SLOs whose error budget remaining is ≤ 0.
pub fn budget_exhausted_count<L: Borrow<Slo>>(period: &Period, now: DateTime<Utc>, slos: &[L]) -> u64 {
    slos.iter().filter(|slo| error_budget_remaining(period, now, (*slo).borrow()).is_some_and(|r| r <= 0.0)).count()
        as u64
}

/// `burn_rate` over the last 1 and 7 days and the SLO's window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BurnRates {
    pub d1: Option<f64>,
    pub d7: Option<f64>,
    pub window: Option<f64>,
}

/// (Σbad ÷ Σtotal) ÷ (1 − objective) over some days; `None` without events.
fn burn_rate_over(slo: &Slo, days: Option<DayRange>) -> Option<f64> {
    let (spent, allowed) = budget_spent(slo.totals(days?), slo.budgeting, slo.objective)?;
    Some(spent as f64 / allowed as f64)
}

pub fn burn_rate(period: &Period, now: DateTime<Utc>, slo: &Slo) -> BurnRates {
    BurnRates {
        d1: burn_rate_over(slo, Some(last_days(period, now, 1))),
        d7: burn_rate_over(slo, Some(last_days(period, now, 7))),
        window: burn_rate_over(slo, budget_window(period, now, slo.window)),
    }
}

/// Whether an SLO's measurements cover at least 90 % of the period's days elapsed by the as-of
/// day (all its days for a past period). `None` when no day has elapsed yet.
pub fn slo_covers_period(period: &Period, now: DateTime<Utc>, slo: &Slo) -> Option<bool> {
    let range = elapsed_days(period, now);
    let elapsed = u32::try_from((range.to - range.from).num_days()).ok().filter(|d| *d > 0)?;
    let covered = slo.totals(range).days;
    Some(u64::from(covered) * 10 >= u64::from(elapsed) * 9)
}

/// `slo_coverage`: active tier-0/1 services with ≥ 1 SLO whose measurements cover ≥ 90 % of
/// the period's days ÷ active tier-0/1 services. For the current period "the period's days" are
/// those before the as-of day; before any has elapsed the value is `None`.
pub fn slo_coverage<S: Borrow<Service>, L: Borrow<Slo>>(
    period: &Period,
    now: DateTime<Utc>,
    services: &[S],
    slos: &[L],
) -> Option<f64> {
    if period.as_of_day(now) <= period.first_day() {
        return None;
    }
    let critical: Vec<&Service> = services.iter().map(Borrow::borrow).filter(|s| s.is_critical_and_active()).collect();
    let covered = critical
        .iter()
        .filter(|service| {
            slos.iter()
                .map(Borrow::borrow)
                .filter(|slo| slo.service == service.slug)
                .any(|slo| slo_covers_period(period, now, slo) == Some(true))
        })
        .count();
    ratio(covered, critical.len())
}

/// One row of the per-SLO report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloStatus {
    pub service: Slug,
    pub slo: Slug,
    pub objective: f64,
    pub attainment: Option<f64>,
    pub met: Option<bool>,
    pub error_budget_remaining: Option<f64>,
    pub burn_rate: BurnRates,
    pub days_with_data: u32,
}

pub fn slo_status(period: &Period, now: DateTime<Utc>, slo: &Slo) -> SloStatus {
    let attainment = slo_attainment(period, slo);
    SloStatus {
        service: slo.service.clone(),
        slo: slo.slug.clone(),
        objective: slo.objective,
        attainment: attainment.attainment,
        met: attainment.met,
        error_budget_remaining: error_budget_remaining(period, now, slo),
        burn_rate: burn_rate(period, now, slo),
        days_with_data: attainment.days_with_data,
    }
}

/// `part ÷ whole`, `None` for an empty population.
pub(crate) fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::{day, q, utc};
    use crate::domain::kpi::scope::tests::{service, slug};
    use crate::domain::kpi::slo_window::{CalendarLength, default_calendar_start};
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    fn slo(service: &str, objective: f64, days: &[(&str, i64, i64)]) -> Slo {
        Slo {
            service: slug(service),
            slug: slug("availability"),
            objective,
            window: SloWindow::Rolling { days: 28 },
            budgeting: Budgeting::Occurrences,
            active: true,
            indicator: Indicator::Availability,
            threshold_ms: None,
            data: SloData::Days(
                days.iter()
                    .map(|(d, good, total)| SloMeasurement { day: day(d), good: *good, total: *total })
                    .collect(),
            ),
        }
    }

    #[test]
    fn a_scopes_slo_statuses_are_the_narrowed_inputs_statuses() {
        use crate::domain::kpi::{Dataset, Scope, slo_statuses};
        let data = Dataset {
            services: vec![service("checkout", "payments", 0, true), service("search", "discovery", 1, true)],
            slos: vec![
                slo("checkout", 99.9, &[("2026-07-01", 999, 1000)]),
                slo("search", 99.0, &[("2026-07-01", 900, 1000)]),
            ],
            ..Dataset::default()
        };
        let (period, now) = (q("2026-Q3"), utc("2026-10-05T00:00:00Z"));
        for scope in [
            Scope::Org,
            Scope::Service(slug("checkout")),
            Scope::Team(slug("discovery")),
            Scope::Service(slug("nowhere")),
        ] {
            let narrowed = slo_statuses(&period, now, &data.scoped(&scope));
            assert_eq!(data.slo_statuses(&period, now, &scope), narrowed, "{scope}");
        }
        assert_eq!(data.slo_statuses(&period, now, &Scope::Service(slug("checkout"))).len(), 1);
    }

    /// Every day of a month with `good` of 1000.
    fn full_month(month: &str, good: i64) -> Vec<SloMeasurement> {
        let p = q(month);
        p.days().into_iter().map(|d| SloMeasurement { day: d, good, total: 1000 }).collect()
    }

    const AFTER_Q3: &str = "2027-01-01T00:00:00Z";

    #[test]
    fn attainment_sums_good_and_total_over_the_periods_days_only() {
        let s = slo(
            "api",
            99.0,
            &[("2026-06-30", 0, 1000), ("2026-07-01", 990, 1000), ("2026-09-30", 1000, 1000), ("2026-10-01", 0, 1000)],
        );
        let a = slo_attainment(&q("2026-Q3"), &s);
        assert_eq!(a.attainment, Some(0.995));
        assert_eq!(a.met, Some(true));
        assert_eq!(a.days_with_data, 2);
    }

    #[test]
    fn attainment_exactly_at_the_objective_is_met() {
        let s = slo("api", 99.9, &[("2026-07-01", 999, 1000)]);
        assert_eq!(slo_attainment(&q("2026-Q3"), &s).met, Some(true));
        let s = slo("api", 99.9, &[("2026-07-01", 998, 1000)]);
        assert_eq!(slo_attainment(&q("2026-Q3"), &s).met, Some(false));
    }

    #[test]
    fn an_slo_with_only_zero_totals_has_no_attainment_and_is_not_judged() {
        let zero = slo("api", 99.0, &[("2026-07-01", 0, 0)]);
        let a = slo_attainment(&q("2026-Q3"), &zero);
        assert_eq!((a.attainment, a.met, a.days_with_data), (None, None, 1));
        let missed = slo("api", 99.0, &[("2026-07-01", 900, 1000)]);
        let met = slo("api", 99.0, &[("2026-07-01", 1000, 1000)]);
        let none = slo("api", 99.0, &[]);
        assert_eq!(slo_met_rate(&q("2026-Q3"), &[zero.clone(), missed, met, none.clone()]), Some(0.5));
        assert_eq!(slo_met_rate(&q("2026-Q3"), &[zero, none]), None);
        assert_eq!(slo_met_rate::<Slo>(&q("2026-Q3"), &[]), None);
    }

    #[test]
    fn error_budget_uses_the_last_window_days_before_the_as_of_day() {
        // Objective 99 %: budget 1 % of events. Window 28 days before 2026-10-01 = 09-03…09-30.
        let mut s = slo("api", 99.0, &[("2026-09-02", 0, 1000), ("2026-09-03", 995, 1000), ("2026-09-30", 1000, 1000)]);
        let now = utc(AFTER_Q3);
        // Σbad = 5, allowed = 0.01 × 2000 = 20 → 1 − 5/20 = 0.75
        assert_eq!(error_budget_remaining(&q("2026-Q3"), now, &s), Some(0.75));
        s.window = SloWindow::Rolling { days: 1 };
        assert_eq!(error_budget_remaining(&q("2026-Q3"), now, &s), Some(1.0));
        s.window = SloWindow::Rolling { days: 0 };
        assert_eq!(error_budget_remaining(&q("2026-Q3"), now, &s), None);
    }

    #[test]
    fn ratio_timeslices_judge_the_mean_of_the_daily_ratios() {
        // 999 of 1000 (99.9 %), then 1 of 1 (100 %), then a day without events (no slice).
        // Occurrences: 1000 of 1001 = 99.90 %. The mean of the daily ratios: 99.95 %.
        let mut s = slo("api", 99.95, &[("2026-07-01", 999, 1000), ("2026-07-02", 1, 1), ("2026-07-03", 0, 0)]);
        assert_eq!(slo_attainment(&q("2026-Q3"), &s).met, Some(false));
        s.budgeting = Budgeting::RatioTimeslices;
        let ratio = slo_attainment(&q("2026-Q3"), &s);
        assert_eq!(ratio.attainment, Some(0.9995));
        assert_eq!(ratio.met, Some(true), "exactly the objective meets it");
        assert_eq!((ratio.good, ratio.total, ratio.days_with_data), (1000, 1001, 3), "the events are still shown");
        // The budget: 0.05 % may be lost per day on average; the mean loses exactly that.
        let now = utc("2026-07-04T12:00:00Z");
        s.window = SloWindow::Rolling { days: 3 };
        assert_eq!(error_budget_remaining(&q("2026-Q3"), now, &s), Some(0.0));
        // Without a day with events there is no ratio to judge.
        let quiet = Slo { budgeting: Budgeting::RatioTimeslices, ..slo("api", 99.0, &[("2026-07-01", 0, 0)]) };
        assert_eq!(slo_attainment(&q("2026-Q3"), &quiet).met, None);
    }

    #[test]
    fn a_calendar_window_budgets_the_window_to_date() {
        let mut s = slo(
            "api",
            99.0,
            &[("2026-08-31", 0, 1000), ("2026-09-01", 990, 1000), ("2026-09-15", 1000, 1000), ("2026-09-16", 0, 1000)],
        );
        s.window = SloWindow::Calendar { start: default_calendar_start(), length: CalendarLength::Months(1) };
        // As of 16 September: the window is 1–15 September; August's bad day and today are
        // outside it. 10 bad of 2000 with 20 allowed: half the budget left, burning at 0.5.
        let now = utc("2026-09-16T12:00:00Z");
        assert_eq!(error_budget_remaining(&q("2026-Q3"), now, &s), Some(0.5));
        assert_eq!(burn_rate(&q("2026-Q3"), now, &s).window, Some(0.5));
        // After the quarter: all of September, the 16th included, overspends it.
        let after = utc(AFTER_Q3);
        assert!(error_budget_remaining(&q("2026-Q3"), after, &s).is_some_and(|r| r < 0.0));
        assert_eq!(budget_exhausted_count(&q("2026-Q3"), after, &[s.clone()]), 1);
        // A month ending before 1 September holds only August's day.
        assert_eq!(error_budget_remaining(&q("2026-08"), after, &s), Some(-99.0));
    }

    #[test]
    fn error_budget_goes_negative_when_overspent_and_counts_as_exhausted() {
        let now = utc(AFTER_Q3);
        // 30 bad of 1000 at 99 %: allowed 10 → 1 − 30/10 = −2
        let over = slo("api", 99.0, &[("2026-09-30", 970, 1000)]);
        assert_eq!(error_budget_remaining(&q("2026-Q3"), now, &over), Some(-2.0));
        // 1 bad of 1000 at 99.9 % spends exactly all of it: 0, exhausted.
        let exact = slo("api", 99.9, &[("2026-09-30", 999, 1000)]);
        assert_eq!(error_budget_remaining(&q("2026-Q3"), now, &exact), Some(0.0));
        let healthy = slo("api", 99.0, &[("2026-09-30", 1000, 1000)]);
        let no_data = slo("api", 99.0, &[]);
        assert_eq!(budget_exhausted_count(&q("2026-Q3"), now, &[over, exact, healthy, no_data]), 2);
        assert_eq!(budget_exhausted_count::<Slo>(&q("2026-Q3"), now, &[]), 0);
    }

    #[test]
    fn burn_rates_cover_one_seven_and_window_days() {
        let now = utc(AFTER_Q3);
        let s = slo(
            "api",
            99.0,
            &[("2026-09-30", 980, 1000), ("2026-09-24", 1000, 1000), ("2026-09-23", 990, 3000), ("2026-09-01", 0, 10)],
        );
        let b = burn_rate(&q("2026-Q3"), now, &s);
        // d1: 20/1000 ÷ 0.01 = 2; d7 (09-24…09-30): 20/2000 ÷ 0.01 = 1;
        // window (09-03…09-30): 2030/5000 ÷ 0.01 = 40.6
        assert_eq!(b.d1, Some(2.0));
        assert_eq!(b.d7, Some(1.0));
        assert!((b.window.unwrap() - 40.6).abs() < 1e-9);
        let quiet = slo("api", 99.0, &[]);
        assert_eq!(burn_rate(&q("2026-Q3"), now, &quiet), BurnRates { d1: None, d7: None, window: None });
    }

    #[test]
    fn during_the_current_period_the_budget_window_ends_at_today() {
        let s = slo("api", 99.0, &[("2026-08-14", 990, 1000), ("2026-08-15", 0, 1000)]);
        let now = utc("2026-08-15T12:00:00Z");
        // Today (08-15) is not among the last days; yesterday spent the whole budget.
        assert_eq!(error_budget_remaining(&q("2026-Q3"), now, &s), Some(0.0));
        assert_eq!(burn_rate(&q("2026-Q3"), now, &s).d1, Some(1.0));
    }

    #[test]
    fn coverage_needs_measurements_on_ninety_percent_of_the_days() {
        let p = q("2026-07");
        let now = utc(AFTER_Q3);
        let services = [
            service("full", "red", 0, true),
            service("gappy", "red", 1, true),
            service("edge", "red", 1, true),
            service("bare", "red", 0, true),
            service("low-tier", "red", 2, true),
            service("retired", "red", 0, false),
        ];
        let mut full = slo("full", 99.0, &[]);
        full.data = SloData::Days(full_month("2026-07", 1000));
        // 27 of 31 days: 87 % < 90 %.
        let mut gappy = slo("gappy", 99.0, &[]);
        gappy.data = SloData::Days(full_month("2026-07", 1000).into_iter().skip(4).collect());
        // 28 of 31 days: 28 × 10 = 280 ≥ 31 × 9 = 279.
        let mut edge = slo("edge", 99.0, &[]);
        edge.data = SloData::Days(full_month("2026-07", 1000).into_iter().skip(3).collect());
        let mut low = slo("low-tier", 99.0, &[]);
        low.data = SloData::Days(full_month("2026-07", 1000));
        assert_eq!(slo_covers_period(&p, now, &gappy), Some(false));
        assert_eq!(slo_covers_period(&p, now, &edge), Some(true));
        let coverage = slo_coverage(&p, now, &services, &[full, gappy, edge, low]).unwrap();
        // full and edge of {full, gappy, edge, bare}.
        assert_eq!(coverage, 0.5);
        assert_eq!(slo_coverage::<Service, Slo>(&p, now, &[], &[]), None);
    }

    #[test]
    fn during_the_current_period_coverage_counts_the_days_elapsed() {
        let p = q("2026-07");
        let services = [service("api", "red", 0, true)];
        let s = slo("api", 99.0, &[("2026-07-01", 1, 1), ("2026-07-02", 1, 1)]);
        let now = utc("2026-07-03T08:00:00Z");
        assert_eq!(slo_coverage(&p, now, &services, std::slice::from_ref(&s)), Some(1.0));
        assert_eq!(slo_coverage(&p, utc("2026-07-01T08:00:00Z"), &services, &[s]), None);
    }

    #[test]
    fn the_slo_status_row_gathers_every_figure() {
        let s = slo("api", 99.0, &[("2026-09-30", 995, 1000)]);
        let row = slo_status(&q("2026-Q3"), utc(AFTER_Q3), &s);
        assert_eq!(row.attainment, Some(0.995));
        assert_eq!(row.met, Some(true));
        assert_eq!(row.error_budget_remaining, Some(0.5));
        assert_eq!(row.burn_rate.d1, Some(0.5));
        assert_eq!(row.days_with_data, 1);
    }

    /// Sums daily rows over `ranges` the way a database would, for the given as-of day.
    fn summed_from(rows: &[SloMeasurement], ranges: &[DayRange], as_of_day: NaiveDate) -> SloData {
        let days = SloData::Days(rows.to_vec());
        SloData::Summed {
            totals: ranges.iter().map(|r| (*r, days.totals(*r))).collect(),
            as_of_day,
            latest_day: days.latest_day_before(as_of_day),
        }
    }

    fn measurements() -> impl Strategy<Value = Vec<(u32, i64, i64)>> {
        prop::collection::vec(
            (0u32..92, 0i64..1_000_000).prop_flat_map(|(d, total)| (Just(d), 0..=total, Just(total))),
            0..40,
        )
    }

    fn build(rows: &[(u32, i64, i64)]) -> Slo {
        let start = day("2026-07-01");
        let mut seen = BTreeSet::new();
        let measurements = rows
            .iter()
            .filter(|(d, _, _)| seen.insert(*d))
            .map(|(d, good, total)| SloMeasurement {
                day: start.checked_add_days(chrono::Days::new(u64::from(*d))).unwrap(),
                good: *good,
                total: *total,
            })
            .collect();
        Slo {
            service: slug("api"),
            slug: slug("slo"),
            objective: 99.5,
            window: SloWindow::Rolling { days: 28 },
            budgeting: Budgeting::Occurrences,
            active: true,
            indicator: Indicator::Availability,
            threshold_ms: None,
            data: SloData::Days(measurements),
        }
    }

    proptest! {
        #[test]
        fn attainment_is_between_zero_and_one(rows in measurements()) {
            if let Some(a) = slo_attainment(&q("2026-Q3"), &build(&rows)).attainment {
                prop_assert!((0.0..=1.0).contains(&a));
            }
        }

        #[test]
        fn adding_a_fully_good_day_never_lowers_attainment(rows in measurements(), extra in 1i64..1_000_000) {
            let before = build(&rows);
            let free_day = (0u32..92).find(|d| !rows.iter().any(|(r, _, _)| r == d));
            if let Some(free_day) = free_day {
                let mut after = before.clone();
                if let SloData::Days(rows) = &mut after.data {
                    rows.push(SloMeasurement {
                        day: day("2026-07-01").checked_add_days(chrono::Days::new(u64::from(free_day))).unwrap(),
                        good: extra,
                        total: extra,
                    });
                }
                let a0 = slo_attainment(&q("2026-Q3"), &before).attainment.unwrap_or(0.0);
                let a1 = slo_attainment(&q("2026-Q3"), &after).attainment.unwrap();
                prop_assert!(a1 >= a0, "{a1} < {a0}");
            }
        }

        #[test]
        fn summed_totals_give_the_same_figures_as_daily_rows(
            rows in measurements(),
            window in 1u32..60,
            calendar in any::<bool>(),
            ratio in any::<bool>(),
            now_offset in 0u32..200,
        ) {
            let mut daily = build(&rows);
            daily.window = if calendar {
                SloWindow::Calendar { start: default_calendar_start(), length: CalendarLength::Days(window) }
            } else {
                SloWindow::Rolling { days: window }
            };
            if ratio {
                daily.budgeting = Budgeting::RatioTimeslices;
            }
            let period = q("2026-Q3");
            let now = utc("2026-07-01T06:00:00Z") + chrono::TimeDelta::days(i64::from(now_offset));
            let SloData::Days(days) = &daily.data else { unreachable!() };
            let ranges = slo_day_ranges(&period, now, daily.window);
            let mut summed = daily.clone();
            summed.data = summed_from(days, &ranges, period.as_of_day(now));
            prop_assert_eq!(slo_status(&period, now, &daily), slo_status(&period, now, &summed));
            prop_assert_eq!(slo_covers_period(&period, now, &daily), slo_covers_period(&period, now, &summed));
            let as_of_day = period.as_of_day(now);
            prop_assert_eq!(daily.data.latest_day_before(as_of_day), summed.data.latest_day_before(as_of_day));
        }
    }
}

/// One day of an SLO's chart: that day's attainment, and the error budget remaining over the
/// window ending with it (as [`error_budget_remaining`] computes it on that day).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct SloDay {
    pub day: NaiveDate,
    /// good ÷ total of the day; `None` without events that day.
    pub attainment: Option<f64>,
    /// 1 − Σbad ÷ ((1 − objective) × Σtotal) over the SLO's window up to and including this
    /// day; `None` without events in that window.
    pub budget_remaining: Option<f64>,
}

/// How an SLO is judged, for its chart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SloJudging {
    pub window: SloWindow,
    pub budgeting: Budgeting,
    pub objective: f64,
}

/// The daily series of `days` for an SLO's chart, from its daily `rows` (which must include the
/// window before the first day for the budget to be complete).
pub fn daily_series(rows: &[SloMeasurement], days: DayRange, judging: SloJudging) -> Vec<SloDay> {
    let data = SloData::Days(rows.to_vec());
    days.from
        .iter_days()
        .take_while(|day| *day < days.to)
        .map(|day| {
            let next = day.succ_opt().unwrap_or(day);
            let today = data.totals(DayRange { from: day, to: next });
            let attainment = (today.total > 0).then(|| today.good as f64 / today.total as f64);
            let budget_remaining = judging
                .window
                .range_before(next)
                .and_then(|window| budget_spent(data.totals(window), judging.budgeting, judging.objective))
                .map(|(spent, allowed)| (allowed - spent) as f64 / allowed as f64);
            SloDay { day, attainment, budget_remaining }
        })
        .collect()
}

#[cfg(test)]
mod series_tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 7, d).expect("day")
    }

    #[test]
    fn each_day_has_its_attainment_and_the_budget_of_the_window_ending_that_day() {
        let rows = [
            SloMeasurement { day: day(1), good: 999, total: 1000 },
            SloMeasurement { day: day(2), good: 1000, total: 1000 },
            SloMeasurement { day: day(4), good: 997, total: 1000 },
        ];
        let judging =
            SloJudging { window: SloWindow::Rolling { days: 2 }, budgeting: Budgeting::Occurrences, objective: 99.9 };
        let series = daily_series(&rows, DayRange { from: day(2), to: day(5) }, judging);
        assert_eq!(series.len(), 3);
        assert_eq!(series[0].attainment, Some(1.0));
        // Days 1–2: 1 bad of 2000 allowed 2 → half the budget left.
        assert_eq!(series[0].budget_remaining, Some(0.5));
        // Day 3 has no row: no attainment; days 2–3 have 1000 events, none bad.
        assert_eq!(series[1].attainment, None);
        assert_eq!(series[1].budget_remaining, Some(1.0));
        // Days 3–4: 3 bad of 1 allowed → overspent twice over.
        assert_eq!(series[2].attainment, Some(0.997));
        assert_eq!(series[2].budget_remaining, Some(-2.0));
    }

    #[test]
    fn no_rows_no_values() {
        let judging =
            SloJudging { window: SloWindow::Rolling { days: 30 }, budgeting: Budgeting::Occurrences, objective: 99.9 };
        let series = daily_series(&[], DayRange { from: day(1), to: day(3) }, judging);
        assert!(series.iter().all(|d| d.attainment.is_none() && d.budget_remaining.is_none()));
        assert_eq!(series.len(), 2);
    }
}
