//! Disaster-recovery KPIs (docs/kpis.md): pass rate, RTO and RPO compliance over the tests
//! performed in the period, and coverage of the critical services at the as-of instant.

use std::borrow::Borrow;

use chrono::{DateTime, TimeDelta, Utc};

use super::period::Period;
use super::scope::{Service, ServiceRecord};
use super::slo::ratio;
use crate::domain::records::{DrOutcome, Slug};

/// A DR test as the KPIs see it.
#[derive(Debug, Clone, PartialEq)]
pub struct DrTest {
    pub id: String,
    pub service: Slug,
    pub performed_at: DateTime<Utc>,
    pub outcome: DrOutcome,
    pub rto_target_minutes: Option<i64>,
    pub rto_achieved_minutes: Option<i64>,
    pub rpo_target_minutes: Option<i64>,
    pub rpo_achieved_minutes: Option<i64>,
}

impl ServiceRecord for DrTest {
    fn service_slugs(&self) -> &[Slug] {
        std::slice::from_ref(&self.service)
    }
}

impl DrTest {
    /// Achieved ≤ target for RTO; `None` unless both are recorded.
    pub fn met_rto(&self) -> Option<bool> {
        Some(self.rto_achieved_minutes? <= self.rto_target_minutes?)
    }

    /// Achieved ≤ target for RPO; `None` unless both are recorded.
    pub fn met_rpo(&self) -> Option<bool> {
        Some(self.rpo_achieved_minutes? <= self.rpo_target_minutes?)
    }
}

/// The tests performed in the period.
pub fn dr_tests_performed_in<'a, T: Borrow<DrTest>>(period: &Period, tests: &'a [T]) -> Vec<&'a DrTest> {
    let (start, end) = (period.start(), period.end());
    tests.iter().map(Borrow::borrow).filter(|t| start <= t.performed_at && t.performed_at < end).collect()
}

/// `dr_pass_rate`: tests with outcome pass ÷ tests performed in the period.
pub fn dr_pass_rate<T: Borrow<DrTest>>(period: &Period, tests: &[T]) -> Option<f64> {
    let population = dr_tests_performed_in(period, tests);
    ratio(population.iter().filter(|t| t.outcome == DrOutcome::Pass).count(), population.len())
}

fn compliance<T: Borrow<DrTest>>(period: &Period, tests: &[T], met: impl Fn(&DrTest) -> Option<bool>) -> Option<f64> {
    let judged: Vec<bool> = dr_tests_performed_in(period, tests).into_iter().filter_map(met).collect();
    ratio(judged.iter().filter(|m| **m).count(), judged.len())
}

/// `rto_compliance`: tests in the period with achieved RTO ≤ target ÷ tests in the period
/// that have both values.
pub fn rto_compliance<T: Borrow<DrTest>>(period: &Period, tests: &[T]) -> Option<f64> {
    compliance(period, tests, DrTest::met_rto)
}

/// `rpo_compliance`: as `rto_compliance`, for RPO.
pub fn rpo_compliance<T: Borrow<DrTest>>(period: &Period, tests: &[T]) -> Option<f64> {
    compliance(period, tests, DrTest::met_rpo)
}

/// How recent a passing DR test must be for `dr_coverage`: 90 days for tier 0, 180 for
/// tier 1; other tiers are not covered by the KPI.
pub fn dr_coverage_interval_days(tier: u8) -> Option<i64> {
    match tier {
        0 => Some(90),
        1 => Some(180),
        _ => None,
    }
}

/// Whether a service has a passing test performed in [as-of − `days`, as-of) (24-hour days).
pub fn has_passing_test_within<T: Borrow<DrTest>>(
    service: &Slug,
    tests: &[T],
    as_of: DateTime<Utc>,
    days: i64,
) -> bool {
    let from = as_of.checked_sub_signed(TimeDelta::days(days)).unwrap_or(DateTime::<Utc>::MIN_UTC);
    tests.iter().map(Borrow::borrow).any(|t| {
        t.service == *service && t.outcome == DrOutcome::Pass && from <= t.performed_at && t.performed_at < as_of
    })
}

/// `dr_coverage`: active tier-0/1 services with a passing test performed in [as-of − interval,
/// as-of) ÷ active tier-0/1 services. `tests` may hold tests of any period.
pub fn dr_coverage<S: Borrow<Service>, T: Borrow<DrTest>>(
    period: &Period,
    now: DateTime<Utc>,
    services: &[S],
    tests: &[T],
) -> Option<f64> {
    let as_of = period.as_of(now);
    let critical: Vec<&Service> = services.iter().map(Borrow::borrow).filter(|s| s.is_critical_and_active()).collect();
    let covered = critical
        .iter()
        .filter(|s| {
            dr_coverage_interval_days(s.tier.value())
                .is_some_and(|days| has_passing_test_within(&s.slug, tests, as_of, days))
        })
        .count();
    ratio(covered, critical.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::{q, utc};
    use crate::domain::kpi::scope::tests::{service, slug};

    fn test(service: &str, at: &str, outcome: DrOutcome) -> DrTest {
        DrTest {
            id: format!("{service}-{at}"),
            service: slug(service),
            performed_at: utc(at),
            outcome,
            rto_target_minutes: None,
            rto_achieved_minutes: None,
            rpo_target_minutes: None,
            rpo_achieved_minutes: None,
        }
    }

    fn with_objectives(mut t: DrTest, rto: Option<(i64, i64)>, rpo: Option<(i64, i64)>) -> DrTest {
        (t.rto_target_minutes, t.rto_achieved_minutes) = (rto.map(|r| r.0), rto.map(|r| r.1));
        (t.rpo_target_minutes, t.rpo_achieved_minutes) = (rpo.map(|r| r.0), rpo.map(|r| r.1));
        t
    }

    #[test]
    fn pass_rate_counts_tests_performed_in_the_period() {
        let tests = [
            test("api", "2026-07-01T00:00:00Z", DrOutcome::Pass),
            test("api", "2026-08-01T00:00:00Z", DrOutcome::Partial),
            test("api", "2026-09-01T00:00:00Z", DrOutcome::Fail),
            test("api", "2026-09-30T23:59:59Z", DrOutcome::Pass),
            test("api", "2026-10-01T00:00:00Z", DrOutcome::Fail),
        ];
        assert_eq!(dr_pass_rate(&q("2026-Q3"), &tests), Some(0.5));
        assert_eq!(dr_pass_rate::<DrTest>(&q("2026-Q3"), &[]), None);
    }

    #[test]
    fn tests_without_rto_values_are_left_out_of_rto_compliance() {
        let tests = [
            with_objectives(test("api", "2026-07-01T00:00:00Z", DrOutcome::Pass), Some((60, 60)), Some((5, 10))),
            with_objectives(test("api", "2026-07-02T00:00:00Z", DrOutcome::Pass), Some((60, 61)), None),
            with_objectives(test("api", "2026-07-03T00:00:00Z", DrOutcome::Pass), None, Some((5, 5))),
            DrTest { rto_target_minutes: Some(30), ..test("api", "2026-07-04T00:00:00Z", DrOutcome::Fail) },
            test("api", "2026-07-05T00:00:00Z", DrOutcome::Pass),
        ];
        // RTO judged on the first two: 60 ≤ 60 yes, 61 ≤ 60 no.
        assert_eq!(rto_compliance(&q("2026-Q3"), &tests), Some(0.5));
        // RPO judged on the first and third: 10 ≤ 5 no, 5 ≤ 5 yes.
        assert_eq!(rpo_compliance(&q("2026-Q3"), &tests), Some(0.5));
        assert_eq!(rto_compliance(&q("2026-Q3"), &tests[2..]), None);
    }

    #[test]
    fn dr_coverage_needs_a_recent_enough_pass_by_tier() {
        // Past Q3: as-of 2026-10-01T00:00Z; 90 days earlier is 2026-07-03T00:00Z, 180 is 2026-04-04.
        let now = utc("2027-01-01T00:00:00Z");
        let services = [
            service("t0-edge", "red", 0, true),
            service("t0-stale", "red", 0, true),
            service("t1-old-pass", "red", 1, true),
            service("t1-failed", "red", 1, true),
            service("t2", "red", 2, true),
            service("retired", "red", 0, false),
        ];
        let tests = [
            test("t0-edge", "2026-07-03T00:00:00Z", DrOutcome::Pass),
            test("t0-stale", "2026-07-02T23:59:59Z", DrOutcome::Pass),
            test("t0-stale", "2026-10-01T00:00:00Z", DrOutcome::Pass),
            test("t1-old-pass", "2026-04-04T00:00:00Z", DrOutcome::Pass),
            test("t1-failed", "2026-09-01T00:00:00Z", DrOutcome::Fail),
        ];
        assert_eq!(dr_coverage(&q("2026-Q3"), now, &services, &tests), Some(0.5));
        assert_eq!(dr_coverage::<Service, DrTest>(&q("2026-Q3"), now, &[], &[]), None);
    }
}
