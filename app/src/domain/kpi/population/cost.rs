//! The records behind the unit cost: the costs of the months starting in the period.

use chrono::{DateTime, Utc};

use super::{PopulationRow, RecordView};
use crate::domain::format::format_amount;
use crate::domain::kpi::cost::Cost;
use crate::domain::kpi::{Period, ScopedInputs};

impl From<&Cost> for RecordView {
    fn from(c: &Cost) -> Self {
        RecordView::Cost {
            service: c.service.clone(),
            month: c.month,
            amount: c.amount,
            currency: c.currency.clone(),
            unit_driver: c.unit_driver.clone(),
            units: c.units,
        }
    }
}

/// The population rule of the unit cost, with the period's days.
pub(super) fn costs_filter(period: &Period, now: DateTime<Utc>) -> String {
    format!(
        "costs of the scope's services for months starting in [{}, {}) before the as-of day {}; \
         one unit cost per currency and unit driver",
        period.first_day(),
        period.end_day(),
        period.as_of_day(now)
    )
}

/// Each cost of a month starting in the period, by currency, driver, service and month, with its
/// own unit cost; a month not begun by the as-of day is listed, not counted.
pub(super) fn cost_rows(period: &Period, now: DateTime<Utc>, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    let as_of_day = period.as_of_day(now);
    let mut costs: Vec<&Cost> = inputs.costs.iter().copied().filter(|c| period.contains_day(c.month)).collect();
    costs.sort_by(|a, b| {
        (&a.currency, &a.unit_driver, &a.service, a.month).cmp(&(&b.currency, &b.unit_driver, &b.service, b.month))
    });
    costs
        .into_iter()
        .map(|cost| {
            let counted = cost.month < as_of_day;
            let row = PopulationRow::new(cost, counted, counted).value(Some(cost.unit_cost()));
            if counted {
                row.note(format!("{} {} per {}", cost.currency, format_amount(cost.unit_cost()), cost.unit_driver))
            } else {
                row.note("the month had not begun by the as-of day: not counted")
            }
        })
        .collect()
}
