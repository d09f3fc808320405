//! Capacity headroom (docs/kpis.md §10d): how often services kept the spare capacity their tier
//! calls for, from the daily peaks they report per resource (`capacity-measurements`).
//!
//! A service-day's headroom is the smallest, over the service's resources measured that day, of
//! 1 − peak_used ÷ capacity; it meets the tier's headroom when it is at least the one the policy
//! sets for the tier ([`KpiSettings::headroom_of`]). A peak above capacity is a negative headroom.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::scope::{Service, ServiceRecord};
use super::settings::KpiSettings;
use crate::domain::records::Slug;

/// One service's smallest headroom on one day, over its resources.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityDay {
    pub service: Slug,
    pub day: NaiveDate,
    pub headroom: f64,
    /// The resource that had it.
    pub resource: String,
}

impl ServiceRecord for CapacityDay {
    fn service_slugs(&self) -> &[Slug] {
        std::slice::from_ref(&self.service)
    }
}

/// One service's headroom over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServiceHeadroom {
    pub service: String,
    pub tier: u8,
    pub required: f64,
    pub days_with_data: u32,
    pub days_meeting: u32,
    /// The smallest headroom of the period, its day and resource.
    pub worst: f64,
    pub worst_day: NaiveDate,
    pub worst_resource: String,
}

impl ServiceHeadroom {
    pub fn compliance(&self) -> Option<f64> {
        (self.days_with_data > 0).then(|| f64::from(self.days_meeting) / f64::from(self.days_with_data))
    }
}

/// One service-day of the population, judged.
#[derive(Debug, Clone, PartialEq)]
pub struct JudgedDay<'a> {
    pub day: &'a CapacityDay,
    pub tier: u8,
    pub required: f64,
    pub meets: bool,
}

/// The service-days of the active services of `services` in the period, before the as-of day,
/// each judged against its tier's headroom in `settings`; by service, then day.
pub fn judged_days<'a, S: std::borrow::Borrow<Service>, D: std::borrow::Borrow<CapacityDay>>(
    period: &Period,
    as_of_day: NaiveDate,
    services: &[S],
    days: &'a [D],
    settings: &KpiSettings,
) -> Vec<JudgedDay<'a>> {
    let tiers: BTreeMap<&Slug, u8> = services
        .iter()
        .map(std::borrow::Borrow::borrow)
        .filter(|s| s.active)
        .map(|s| (&s.slug, s.tier.value()))
        .collect();
    let mut judged: Vec<JudgedDay<'a>> = days
        .iter()
        .map(std::borrow::Borrow::borrow)
        .filter(|day| period.contains_day(day.day) && day.day < as_of_day)
        .filter_map(|day| {
            let tier = tiers.get(&day.service).copied()?;
            let required = settings.headroom_of(tier);
            Some(JudgedDay { day, tier, required, meets: day.headroom >= required - 1e-12 })
        })
        .collect();
    judged.sort_by(|a, b| (&a.day.service, a.day.day).cmp(&(&b.day.service, b.day.day)));
    judged
}

/// Each active service of `services` with data in the period (days up to the as-of day), the
/// lowest compliance first.
pub fn service_headroom<S: std::borrow::Borrow<Service>, D: std::borrow::Borrow<CapacityDay>>(
    period: &Period,
    as_of_day: NaiveDate,
    services: &[S],
    days: &[D],
    settings: &KpiSettings,
) -> Vec<ServiceHeadroom> {
    let mut by_service: BTreeMap<&Slug, ServiceHeadroom> = BTreeMap::new();
    for JudgedDay { day, tier, required, meets } in judged_days(period, as_of_day, services, days, settings) {
        let entry = by_service.entry(&day.service).or_insert_with(|| ServiceHeadroom {
            service: day.service.to_string(),
            tier,
            required,
            days_with_data: 0,
            days_meeting: 0,
            worst: day.headroom,
            worst_day: day.day,
            worst_resource: day.resource.clone(),
        });
        entry.days_with_data += 1;
        if meets {
            entry.days_meeting += 1;
        }
        if day.headroom < entry.worst {
            entry.worst = day.headroom;
            entry.worst_day = day.day;
            entry.worst_resource = day.resource.clone();
        }
    }
    let mut rows: Vec<ServiceHeadroom> = by_service.into_values().collect();
    rows.sort_by(|a, b| {
        let share = |r: &ServiceHeadroom| r.compliance().unwrap_or(1.0);
        share(a).total_cmp(&share(b)).then_with(|| a.worst.total_cmp(&b.worst)).then_with(|| a.service.cmp(&b.service))
    });
    rows
}

/// Service-days meeting their tier's headroom ÷ service-days with data, over the active services
/// of the scope; `None` without data.
pub fn capacity_headroom_compliance(rows: &[ServiceHeadroom]) -> Option<f64> {
    let with_data: u32 = rows.iter().map(|r| r.days_with_data).sum();
    let meeting: u32 = rows.iter().map(|r| r.days_meeting).sum();
    (with_data > 0).then(|| f64::from(meeting) / f64::from(with_data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::q;
    use crate::domain::kpi::scope::tests::{service, slug};

    fn day(service: &str, date: &str, headroom: f64) -> CapacityDay {
        CapacityDay { service: slug(service), day: date.parse().unwrap(), headroom, resource: "cpu".into() }
    }

    #[test]
    fn service_days_are_judged_by_their_tiers_headroom_and_no_data_is_null() {
        let services =
            [service("api", "red", 0, true), service("batch", "red", 2, true), service("old", "red", 0, false)];
        let days = [
            day("api", "2026-07-01", 0.30),
            day("api", "2026-07-02", 0.29),
            day("api", "2026-07-03", 0.50),
            day("batch", "2026-07-01", 0.10),
            day("batch", "2026-07-02", -0.05),
            day("old", "2026-07-01", 0.0),
            day("api", "2026-06-30", 0.0),
        ];
        let settings = KpiSettings::default();
        let rows = service_headroom(&q("2026-Q3"), "2026-10-01".parse().unwrap(), &services, &days, &settings);
        // api: 2 of 3 days keep 30 %; batch: 1 of 2 keep 10 % (a peak over capacity is below it).
        assert_eq!(rows.len(), 2, "a retired service is left out");
        assert_eq!((rows[0].service.as_str(), rows[0].days_meeting, rows[0].days_with_data), ("batch", 1, 2));
        assert_eq!((rows[0].worst, rows[0].worst_day.to_string()), (-0.05, "2026-07-02".to_owned()));
        assert_eq!(capacity_headroom_compliance(&rows), Some(3.0 / 5.0));
        let lenient = KpiSettings { capacity_headroom: [0.25, 0.2, 0.1, 0.0], ..KpiSettings::default() };
        let api = service_headroom(&q("2026-Q3"), "2026-10-01".parse().unwrap(), &services, &days, &lenient);
        assert_eq!(api[1].days_meeting, 3, "29 % keeps a policy headroom of 25 % for tier 0");
        let running = service_headroom(&q("2026-Q3"), "2026-07-02".parse().unwrap(), &services, &days, &settings);
        assert_eq!(
            capacity_headroom_compliance(&running),
            Some(2.0 / 2.0),
            "days from the as-of day on are not counted"
        );
        assert_eq!(
            capacity_headroom_compliance(&service_headroom(
                &q("2026-Q2"),
                "2026-07-01".parse().unwrap(),
                &services,
                &[day("x", "2026-05-01", 0.5)],
                &settings
            )),
            None
        );
    }
}
