//! What the org overview, the team page and the quarterly report show, computed purely from
//! KPI values, scorecards and loaded populations: headline figures with their deltas, the level
//! distribution by tier, top risks and trend series.

pub mod headline;
pub mod risks;

use serde::{Deserialize, Serialize};

pub use crate::domain::format::{Unit, format_delta, format_value};
pub use headline::{Direction, Headline, HeadlineKpi, Verdict, headlines};
pub use risks::{BudgetRisk, DrGap, IncidentHotspot, OverdueRisk, Risks, top_risks};

use chrono::{DateTime, Utc};

use crate::domain::kpi::{KpiId, KpiValues, Period, ReportingCalendar};
use crate::domain::scorecard::{Level, Scorecard};

/// How many services of one tier reached each level.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TierLevels {
    pub tier: u8,
    pub gold: u64,
    pub silver: u64,
    pub bronze: u64,
    /// Below Bronze (or no check applies).
    pub none: u64,
}

impl TierLevels {
    pub fn total(&self) -> u64 {
        self.gold + self.silver + self.bronze + self.none
    }
}

/// Levels by tier 0–3 (every tier listed, even when empty).
pub fn level_distribution<'a>(scorecards: impl IntoIterator<Item = &'a Scorecard>) -> Vec<TierLevels> {
    let mut tiers: Vec<TierLevels> = (0..=3).map(|tier| TierLevels { tier, ..Default::default() }).collect();
    for card in scorecards {
        let Some(row) = tiers.get_mut(usize::from(card.tier)) else { continue };
        match card.level {
            Some(Level::Gold) => row.gold += 1,
            Some(Level::Silver) => row.silver += 1,
            Some(Level::Bronze) => row.bronze += 1,
            None => row.none += 1,
        }
    }
    tiers
}

/// One KPI over consecutive periods, for a trend chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendSeries {
    pub kpi: String,
    pub label: String,
    pub unit: Unit,
    pub direction: Direction,
    /// `(period, value)`, oldest first.
    pub points: Vec<(String, Option<f64>)>,
}

/// A trend chart's axis top: 100 % for fractions, else the smallest 1, 2 or 5 × 10ⁿ at or above
/// the largest value (1 when there is none), so the axis labels read as round numbers.
pub fn axis_max(series: &TrendSeries) -> f64 {
    if series.unit == Unit::Fraction {
        return 1.0;
    }
    let high = series.points.iter().filter_map(|(_, v)| *v).fold(0.0_f64, f64::max);
    if high <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(high.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|step| step * magnitude).find(|m| *m >= high).unwrap_or(high)
}

/// The KPIs charted over time, out of the headline figures.
pub const TRENDED: [KpiId; 6] = [
    KpiId::SloMetRate,
    KpiId::HighSevCount,
    KpiId::Mttr,
    KpiId::ActionOnTimeRate,
    KpiId::DrCoverage,
    KpiId::ChangeFailureRate,
];

/// The trended KPIs over `points` (oldest first; `None` for a period without the scope).
pub fn trend_series(points: &[(Period, Option<KpiValues>)]) -> Vec<TrendSeries> {
    TRENDED
        .iter()
        .filter_map(|kpi| headline::HEADLINES.iter().find(|h| h.kpi == *kpi))
        .map(|h| TrendSeries {
            kpi: h.kpi.as_str().to_owned(),
            label: h.label.to_owned(),
            unit: h.unit,
            direction: h.direction,
            points: points
                .iter()
                .map(|(period, values)| (period.to_string(), values.as_ref().and_then(h.read)))
                .collect(),
        })
        .collect()
}

/// The periods a picker offers, newest first: the last eight quarters and twelve months up to
/// the one containing `now`.
pub fn period_choices(now: DateTime<Utc>, calendar: ReportingCalendar) -> (Vec<String>, Vec<String>) {
    let recent = |last: Period, count: usize| {
        std::iter::successors(Some(last), |p| Some(p.previous())).take(count).map(|p| p.to_string()).collect()
    };
    (recent(Period::quarter_containing(now, calendar), 8), recent(Period::month_containing(now, calendar), 12))
}

#[cfg(test)]
mod tests;
