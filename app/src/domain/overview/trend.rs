//! The KPIs charted over consecutive periods, and the round top of a chart's axis.

use serde::{Deserialize, Serialize};

use super::headline::{self, Direction};
use crate::domain::format::Unit;
use crate::domain::kpi::{KpiId, KpiValues, Period};

/// One KPI over consecutive periods, for a trend chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendSeries {
    pub kpi: String,
    pub label: String,
    pub unit: Unit,
    pub direction: Direction,
    /// `(period, value)`, oldest first.
    pub points: Vec<(String, Option<f64>)>,
    /// The last period is still running: its point is drawn apart and read as "so far".
    #[serde(default)]
    pub partial_last: bool,
}

/// A trend chart's axis top: 100 % for fractions, else the smallest 1, 2 or 5 × 10ⁿ at or above
/// the largest value (1 when there is none), so the axis labels read as round numbers.
pub fn axis_max(series: &TrendSeries) -> f64 {
    if series.unit == Unit::Fraction {
        return 1.0;
    }
    if series.unit == Unit::Score {
        return 5.0;
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

/// The trended KPIs over `points` (oldest first; `None` for a period without the scope);
/// `partial_last` when the last period is still running.
pub fn trend_series(points: &[(Period, Option<KpiValues>)], partial_last: bool) -> Vec<TrendSeries> {
    let specs = TRENDED.iter().filter_map(|kpi| headline::HEADLINES.iter().find(|h| h.kpi == *kpi));
    trend_series_of(specs, points, partial_last)
}

/// The series of the figures `specs` over `points`, as [`trend_series`].
pub fn trend_series_of<'a>(
    specs: impl IntoIterator<Item = &'a headline::HeadlineKpi>,
    points: &[(Period, Option<KpiValues>)],
    partial_last: bool,
) -> Vec<TrendSeries> {
    specs
        .into_iter()
        .map(|h| TrendSeries {
            kpi: h.kpi.as_str().to_owned(),
            label: h.label.to_owned(),
            unit: h.unit,
            direction: h.direction,
            points: points
                .iter()
                .map(|(period, values)| (period.to_string(), values.as_ref().and_then(h.read)))
                .collect(),
            partial_last,
        })
        .collect()
}
