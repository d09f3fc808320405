//! The "Cost to serve" panel of the overview and team pages: the scope's unit cost per currency
//! and unit driver, and its change against the previous period shown only beside the same
//! scope's SLO met rate, so a cheaper service never reads as better on its own ("cheaper
//! without getting less reliable").

use serde::{Deserialize, Serialize};

use super::headline::Direction;
use super::trend::TrendSeries;
use crate::domain::format::{EPSILON, Unit};
use crate::domain::kpi::{Elapsed, KpiValues, Period, UnitCost};

/// Unit costs charted over time: the largest amounts of the period.
pub const COST_TRENDS_SHOWN: usize = 3;

/// How a unit cost moved against the reliability of the same scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostVerdict {
    CheaperNoLessReliable,
    CheaperLessReliable,
    SameCost,
    DearerMoreReliable,
    DearerNoMoreReliable,
    /// The previous period has no cost of this currency and driver.
    NoPreviousCost,
    /// No SLO met rate in one of the two periods: the change is not shown.
    NoReliabilityToCompare,
}

impl CostVerdict {
    pub fn in_words(self) -> &'static str {
        match self {
            CostVerdict::CheaperNoLessReliable => "Cheaper, and no less reliable",
            CostVerdict::CheaperLessReliable => "Cheaper, but less reliable",
            CostVerdict::SameCost => "Same unit cost",
            CostVerdict::DearerMoreReliable => "Dearer, and more reliable",
            CostVerdict::DearerNoMoreReliable => "Dearer, and no more reliable",
            CostVerdict::NoPreviousCost => "No cost in the previous period to compare with",
            CostVerdict::NoReliabilityToCompare => "Not compared: no SLO met rate in both periods",
        }
    }

    /// A reading a reviewer should look at twice.
    pub fn is_warning(self) -> bool {
        matches!(self, CostVerdict::CheaperLessReliable | CostVerdict::DearerNoMoreReliable)
    }
}

/// One currency and driver of the scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostRow {
    pub current: UnitCost,
    pub previous_unit_cost: Option<f64>,
    /// (now − before) ÷ before; only when the SLO met rates of both periods are known.
    pub change: Option<f64>,
    pub verdict: CostVerdict,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostPanel {
    /// The period's unit costs, the largest amount first.
    pub rows: Vec<CostRow>,
    pub slo_met_rate: Option<f64>,
    pub previous_slo_met_rate: Option<f64>,
    /// The period is still running: its figures are so far.
    pub partial: bool,
    pub trends: Vec<TrendSeries>,
    /// No cost in any period shown.
    pub empty: bool,
}

/// The panel of a period (`current`, `None` before the first record) against the previous one,
/// with `trend` (oldest first, ending with the period).
pub fn cost_panel(
    current: Option<&KpiValues>,
    previous: Option<&KpiValues>,
    elapsed: Elapsed,
    trend: &[(Period, Option<KpiValues>)],
) -> CostPanel {
    let slo_met_rate = current.and_then(|k| k.slo_met_rate);
    let previous_slo_met_rate = previous.and_then(|k| k.slo_met_rate);
    let rows: Vec<CostRow> = current
        .map(|k| k.unit_cost.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|now| {
            let before = previous
                .and_then(|p| p.unit_cost.iter().find(|b| b.same_kind(&now.currency, &now.unit_driver)))
                .and_then(UnitCost::unit_cost);
            let (change, verdict) = compare(now.unit_cost(), before, slo_met_rate, previous_slo_met_rate);
            CostRow { current: now.clone(), previous_unit_cost: before, change, verdict }
        })
        .collect();
    let trends = rows
        .iter()
        .take(COST_TRENDS_SHOWN)
        .map(|row| TrendSeries {
            kpi: "unit_cost".to_owned(),
            label: format!("Unit cost, {} per {}", row.current.currency, row.current.unit_driver),
            unit: Unit::Amount,
            direction: Direction::LowerIsBetter,
            points: trend
                .iter()
                .map(|(period, values)| {
                    let point = values.as_ref().and_then(|v| {
                        v.unit_cost
                            .iter()
                            .find(|g| g.same_kind(&row.current.currency, &row.current.unit_driver))
                            .and_then(UnitCost::unit_cost)
                    });
                    (period.to_string(), point)
                })
                .collect(),
            partial_last: elapsed.is_partial(),
        })
        .collect();
    let empty = trend.iter().filter_map(|(_, values)| values.as_ref()).all(|v| v.unit_cost.is_empty());
    CostPanel { rows, slo_met_rate, previous_slo_met_rate, partial: elapsed.is_partial(), trends, empty }
}

/// The change of a unit cost and how it reads beside the SLO met rate; no change is given
/// without both periods' met rates.
fn compare(
    now: Option<f64>,
    before: Option<f64>,
    met_now: Option<f64>,
    met_before: Option<f64>,
) -> (Option<f64>, CostVerdict) {
    let (Some(now), Some(before)) = (now, before) else { return (None, CostVerdict::NoPreviousCost) };
    let (Some(met_now), Some(met_before)) = (met_now, met_before) else {
        return (None, CostVerdict::NoReliabilityToCompare);
    };
    let change = if before.abs() > EPSILON { Some((now - before) / before) } else { None };
    let reliability = met_now - met_before;
    let verdict = if (now - before).abs() <= EPSILON * before.abs().max(1.0) {
        CostVerdict::SameCost
    } else if now < before {
        if reliability < -EPSILON { CostVerdict::CheaperLessReliable } else { CostVerdict::CheaperNoLessReliable }
    } else if reliability > EPSILON {
        CostVerdict::DearerMoreReliable
    } else {
        CostVerdict::DearerNoMoreReliable
    };
    (change, verdict)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::q;

    fn unit(currency: &str, driver: &str, amount: f64, units: f64) -> UnitCost {
        UnitCost { currency: currency.into(), unit_driver: driver.into(), amount, units, services: 1, months: 3 }
    }

    fn values(met: Option<f64>, costs: Vec<UnitCost>) -> KpiValues {
        KpiValues { slo_met_rate: met, unit_cost: costs, ..Default::default() }
    }

    #[test]
    fn a_cheaper_unit_is_read_beside_the_slo_met_rate_and_currencies_are_never_mixed() {
        let whole = Elapsed { fraction: 1.0, days: 92, of: 92 };
        let previous = values(Some(0.9), vec![unit("EUR", "request", 400.0, 1000.0), unit("USD", "order", 10.0, 10.0)]);
        let current = values(Some(0.8), vec![unit("EUR", "request", 300.0, 1000.0), unit("GBP", "order", 5.0, 10.0)]);
        let trend =
            [(q("2026-Q1"), None), (q("2026-Q2"), Some(previous.clone())), (q("2026-Q3"), Some(current.clone()))];
        let panel = cost_panel(Some(&current), Some(&previous), whole, &trend);
        assert_eq!(panel.rows.len(), 2);
        let eur = &panel.rows[0];
        assert_eq!(eur.previous_unit_cost, Some(0.4));
        assert!((eur.change.unwrap() + 0.25).abs() < 1e-12, "0.3 against 0.4 is 25 % cheaper");
        assert_eq!(eur.verdict, CostVerdict::CheaperLessReliable, "the met rate fell from 90 % to 80 %");
        assert_eq!(panel.rows[1].verdict, CostVerdict::NoPreviousCost, "GBP is not compared with USD");
        assert_eq!(panel.rows[1].change, None);
        assert_eq!(panel.trends[0].points.iter().map(|(_, v)| *v).collect::<Vec<_>>(), [None, Some(0.4), Some(0.3)]);
        assert!(!panel.empty);

        let held = values(Some(0.9), vec![unit("EUR", "request", 300.0, 1000.0)]);
        let panel = cost_panel(Some(&held), Some(&previous), whole, &trend);
        assert_eq!(panel.rows[0].verdict, CostVerdict::CheaperNoLessReliable);
        let no_slos = values(None, vec![unit("EUR", "request", 300.0, 1000.0)]);
        let panel = cost_panel(Some(&no_slos), Some(&previous), whole, &trend);
        assert_eq!(
            (panel.rows[0].verdict, panel.rows[0].change),
            (CostVerdict::NoReliabilityToCompare, None),
            "no change is shown without the SLO met rate beside it"
        );
    }

    #[test]
    fn no_costs_anywhere_is_an_empty_panel() {
        let elapsed = Elapsed { fraction: 0.5, days: 46, of: 92 };
        let trend = [(q("2026-Q3"), Some(KpiValues::default()))];
        let panel = cost_panel(Some(&KpiValues::default()), None, elapsed, &trend);
        assert!(panel.empty && panel.rows.is_empty() && panel.partial);
    }
}
