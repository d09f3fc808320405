//! The "Toil" panel of the overview and team pages: the toil ratio and reporting coverage against
//! the previous period, both charted over time, and the period's toil by team and by category.

use serde::{Deserialize, Serialize};

use super::headline::{Direction, Headline, HeadlineKpi, annotate_of, headlines_of};
use super::trend::{TrendSeries, trend_series_of};
use crate::domain::format::Unit;
use crate::domain::kpi::{Elapsed, KpiId, KpiValues, Period, ToilBreakdown};

/// The panel's figures, in the order shown. Both are shares, so a running period compares as
/// it stands ("so far"), never at a pace.
pub const TOIL_HEADLINES: [HeadlineKpi; 2] = [
    HeadlineKpi {
        kpi: KpiId::ToilRatio,
        label: "Toil",
        unit: Unit::Fraction,
        direction: Direction::LowerIsBetter,
        accumulates: false,
        read: |k| k.toil_ratio,
    },
    HeadlineKpi {
        kpi: KpiId::ToilReportingCoverage,
        label: "Teams reporting toil",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        accumulates: false,
        read: |k| k.toil_reporting_coverage,
    },
];

/// The panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToilPanel {
    pub headlines: Vec<Headline>,
    pub trends: Vec<TrendSeries>,
    pub breakdown: ToilBreakdown,
    /// No toil report in any period shown: the panel says how to send them instead.
    pub empty: bool,
}

/// The panel of a period (`current`, `None` before the first record) against the previous one,
/// with `trend` (oldest first, ending with the period) and the policy's targets.
pub fn toil_panel(
    current: Option<&KpiValues>,
    previous: Option<&KpiValues>,
    elapsed: Elapsed,
    trend: &[(Period, Option<KpiValues>)],
    targets: &std::collections::BTreeMap<KpiId, f64>,
    breakdown: ToilBreakdown,
) -> ToilPanel {
    let mut headlines = headlines_of(&TOIL_HEADLINES, current, previous, elapsed);
    annotate_of(&TOIL_HEADLINES, &mut headlines, targets, None);
    let trends = trend_series_of(TOIL_HEADLINES.iter(), trend, elapsed.is_partial());
    let empty = trend.iter().filter_map(|(_, values)| values.as_ref()).all(|v| v.toil_ratio.is_none());
    ToilPanel { headlines, trends, breakdown, empty }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::q;
    use crate::domain::overview::Verdict;

    #[test]
    fn less_toil_is_better_and_a_quarter_without_reports_is_no_data() {
        let elapsed = Elapsed { fraction: 0.5, days: 46, of: 92 };
        let previous = KpiValues { toil_ratio: Some(0.4), toil_reporting_coverage: Some(0.5), ..Default::default() };
        let current = KpiValues { toil_ratio: Some(0.3), toil_reporting_coverage: Some(0.5), ..Default::default() };
        let trend = [
            (q("2026-Q2"), Some(KpiValues::default())),
            (q("2026-Q3"), Some(previous.clone())),
            (q("2026-Q4"), Some(current.clone())),
        ];
        let panel =
            toil_panel(Some(&current), Some(&previous), elapsed, &trend, &Default::default(), Default::default());
        assert_eq!(panel.headlines[0].verdict, Verdict::Better);
        assert_eq!(panel.headlines[0].pace, None, "a share is never projected");
        assert!(panel.headlines[0].partial);
        assert_eq!(panel.headlines[1].verdict, Verdict::Unchanged);
        assert_eq!(panel.trends[0].points[0].1, None, "Q2 had no report: no data, not 0 %");
        assert!(!panel.empty);
        let none = toil_panel(None, None, elapsed, &[(q("2026-Q4"), None)], &Default::default(), Default::default());
        assert!(none.empty);
        assert_eq!(none.headlines[0].verdict, Verdict::NoComparison);
    }
}
