//! Cost to serve (docs/kpis.md §10e): what the scope's services cost per unit of the driver they
//! are divided by, from monthly `costs` records.
//!
//! Amounts are never added across currencies, nor units across drivers: a scope's unit cost is
//! one figure per (currency, unit driver), Σ amount ÷ Σ units over its services' months counted
//! in the period. A month counts in the period holding its first day, once that day is before
//! the as-of day.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::period::Period;
use super::scope::ServiceRecord;
use crate::domain::records::Slug;

/// One service's cost of one month in one currency.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    pub service: Slug,
    /// The month's first day.
    pub month: NaiveDate,
    pub amount: f64,
    pub currency: String,
    pub unit_driver: String,
    /// More than 0 (the ingestion contract refuses anything else).
    pub units: f64,
}

impl ServiceRecord for Cost {
    fn service_slugs(&self) -> &[Slug] {
        std::slice::from_ref(&self.service)
    }
}

impl Cost {
    pub fn unit_cost(&self) -> f64 {
        self.amount / self.units
    }
}

/// A scope's cost per unit in one currency and for one unit driver, over a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitCost {
    pub currency: String,
    pub unit_driver: String,
    pub amount: f64,
    pub units: f64,
    /// Services with a cost in it.
    pub services: u32,
    /// Distinct months counted.
    pub months: u32,
}

impl UnitCost {
    /// Σ amount ÷ Σ units; `None` for no units (never the case for stored costs).
    pub fn unit_cost(&self) -> Option<f64> {
        (self.units > 0.0).then(|| self.amount / self.units)
    }

    /// Whether it is in `currency` per unit of `unit_driver`: only such figures are compared.
    pub fn same_kind(&self, currency: &str, unit_driver: &str) -> bool {
        self.currency == currency && self.unit_driver == unit_driver
    }
}

/// The costs counted in `period`: months starting in it, before `as_of_day`; by month, service.
pub fn costs_in<'a, C: std::borrow::Borrow<Cost>>(
    period: &Period,
    as_of_day: NaiveDate,
    costs: &'a [C],
) -> Vec<&'a Cost> {
    let mut counted: Vec<&Cost> = costs
        .iter()
        .map(std::borrow::Borrow::borrow)
        .filter(|c| period.contains_day(c.month) && c.month < as_of_day)
        .collect();
    counted.sort_by(|a, b| (a.month, &a.service, &a.currency).cmp(&(b.month, &b.service, &b.currency)));
    counted
}

/// The scope's unit costs of the period, one per (currency, unit driver), the largest amount
/// first; empty without costs ("no data", never 0).
pub fn unit_costs<C: std::borrow::Borrow<Cost>>(period: &Period, as_of_day: NaiveDate, costs: &[C]) -> Vec<UnitCost> {
    #[derive(Default)]
    struct Sums<'a> {
        amount: f64,
        units: f64,
        services: BTreeSet<&'a Slug>,
        months: BTreeSet<NaiveDate>,
    }
    let mut groups: BTreeMap<(&str, &str), Sums> = BTreeMap::new();
    for cost in costs_in(period, as_of_day, costs) {
        let sums = groups.entry((cost.currency.as_str(), cost.unit_driver.as_str())).or_default();
        sums.amount += cost.amount;
        sums.units += cost.units;
        sums.services.insert(&cost.service);
        sums.months.insert(cost.month);
    }
    let mut rows: Vec<UnitCost> = groups
        .into_iter()
        .map(|((currency, unit_driver), sums)| UnitCost {
            currency: currency.to_owned(),
            unit_driver: unit_driver.to_owned(),
            amount: sums.amount,
            units: sums.units,
            services: sums.services.len() as u32,
            months: sums.months.len() as u32,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.amount.total_cmp(&a.amount).then_with(|| (&a.currency, &a.unit_driver).cmp(&(&b.currency, &b.unit_driver)))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::q;
    use crate::domain::kpi::scope::tests::slug;

    fn cost(service: &str, month: &str, amount: f64, currency: &str, driver: &str, units: f64) -> Cost {
        Cost {
            service: slug(service),
            month: month.parse().unwrap(),
            amount,
            currency: currency.into(),
            unit_driver: driver.into(),
            units,
        }
    }

    #[test]
    fn currencies_and_drivers_are_kept_apart_and_no_data_is_empty() {
        let costs = [
            cost("api", "2026-07-01", 300.0, "EUR", "requests", 1_000_000.0),
            cost("api", "2026-08-01", 500.0, "EUR", "requests", 1_000_000.0),
            cost("web", "2026-07-01", 200.0, "EUR", "requests", 3_000_000.0),
            cost("api", "2026-07-01", 90.0, "USD", "requests", 1_000_000.0),
            cost("shop", "2026-09-01", 60.0, "EUR", "orders", 1_200.0),
            cost("api", "2026-06-01", 9_999.0, "EUR", "requests", 1.0),
        ];
        let rows = unit_costs(&q("2026-Q3"), "2026-10-01".parse().unwrap(), &costs);
        // EUR per request: (300 + 500 + 200) ÷ 5,000,000; the USD and the orders apart.
        assert_eq!(rows.len(), 3);
        assert_eq!((rows[0].currency.as_str(), rows[0].unit_driver.as_str()), ("EUR", "requests"));
        assert_eq!(rows[0].unit_cost(), Some(1000.0 / 5_000_000.0));
        assert_eq!((rows[0].services, rows[0].months), (2, 2));
        assert_eq!((rows[1].currency.as_str(), rows[1].unit_cost()), ("USD", Some(0.00009)));
        assert_eq!((rows[2].unit_driver.as_str(), rows[2].unit_cost()), ("orders", Some(0.05)));
        assert!(unit_costs(&q("2026-Q4"), "2027-01-01".parse().unwrap(), &costs).is_empty(), "no data");
    }

    #[test]
    fn a_month_counts_once_its_first_day_is_before_the_as_of_day() {
        let costs = [
            cost("api", "2026-07-01", 300.0, "EUR", "requests", 1_000.0),
            cost("api", "2026-08-01", 900.0, "EUR", "requests", 1_000.0),
        ];
        let running = unit_costs(&q("2026-Q3"), "2026-08-01".parse().unwrap(), &costs);
        assert_eq!(running[0].unit_cost(), Some(0.3), "August is not counted on its first day");
        let later = unit_costs(&q("2026-Q3"), "2026-08-02".parse().unwrap(), &costs);
        assert_eq!(later[0].unit_cost(), Some(0.6));
    }
}
