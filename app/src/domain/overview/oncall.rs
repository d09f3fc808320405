//! The "On-call health" panel of the overview and team pages: the on-call figures compared with
//! the previous period, three of them charted over time, and the rules that paged most.

use serde::{Deserialize, Serialize};

use super::headline::{Direction, Headline, HeadlineKpi, annotate_of, headlines_of};
use super::trend::{TrendSeries, trend_series_of};
use crate::domain::format::Unit;
use crate::domain::kpi::{Elapsed, KpiId, KpiValues, Period, RuleNoise};

/// The panel's figures, in the order shown. Pages is a count that grows with the period (so a
/// running period is compared at its pace); the others are rates and medians.
pub const ONCALL_HEADLINES: [HeadlineKpi; 7] = [
    HeadlineKpi {
        kpi: KpiId::PageCount,
        label: "Pages",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        accumulates: true,
        read: |k| Some(k.page_count as f64),
    },
    HeadlineKpi {
        kpi: KpiId::AlertPrecision,
        label: "Alert precision",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        accumulates: false,
        read: |k| k.alert_precision,
    },
    HeadlineKpi {
        kpi: KpiId::AlertDispositionCoverage,
        label: "Pages reviewed",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        accumulates: false,
        read: |k| k.alert_disposition_coverage,
    },
    HeadlineKpi {
        kpi: KpiId::PagesPerShift,
        label: "Pages per shift (p90)",
        unit: Unit::PerShift,
        direction: Direction::LowerIsBetter,
        accumulates: false,
        read: |k| k.pages_per_shift.map(|s| s.p90),
    },
    HeadlineKpi {
        kpi: KpiId::OffHoursPageShare,
        label: "Off-hours pages",
        unit: Unit::Fraction,
        direction: Direction::LowerIsBetter,
        accumulates: false,
        read: |k| k.off_hours_page_share,
    },
    HeadlineKpi {
        kpi: KpiId::SleepHoursPageShare,
        label: "Sleep-hours pages",
        unit: Unit::Fraction,
        direction: Direction::LowerIsBetter,
        accumulates: false,
        read: |k| k.sleep_hours_page_share,
    },
    HeadlineKpi {
        kpi: KpiId::PageMtta,
        label: "Time to acknowledge a page (median)",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        accumulates: false,
        read: |k| k.page_mtta.map(|s| s.median),
    },
];

/// The on-call figures charted over time.
pub const ONCALL_TRENDED: [KpiId; 3] = [KpiId::AlertPrecision, KpiId::PagesPerShift, KpiId::OffHoursPageShare];

/// The panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OncallHealth {
    pub headlines: Vec<Headline>,
    pub trends: Vec<TrendSeries>,
    pub noisiest_rules: Vec<RuleNoise>,
    /// The policy's hours, in words, so "off hours" is read as meant.
    pub hours: String,
    /// No page and no shift in any period shown: the panel says how to send them instead.
    pub empty: bool,
}

/// The panel of a period (`current`, `None` before the first record) against the previous one,
/// with `trend` (oldest first, ending with the period) and the policy's targets.
pub fn oncall_health(
    current: Option<&KpiValues>,
    previous: Option<&KpiValues>,
    elapsed: Elapsed,
    trend: &[(Period, Option<KpiValues>)],
    targets: &std::collections::BTreeMap<KpiId, f64>,
    hours: String,
) -> OncallHealth {
    let mut headlines = headlines_of(&ONCALL_HEADLINES, current, previous, elapsed);
    annotate_of(&ONCALL_HEADLINES, &mut headlines, targets, None);
    let specs = ONCALL_TRENDED.iter().filter_map(|kpi| ONCALL_HEADLINES.iter().find(|h| h.kpi == *kpi));
    let trends = trend_series_of(specs, trend, elapsed.is_partial());
    let empty = trend
        .iter()
        .filter_map(|(_, values)| values.as_ref())
        .all(|v| v.page_count == 0 && v.pages_per_shift.is_none());
    OncallHealth {
        headlines,
        trends,
        noisiest_rules: current.map(|k| k.noisiest_rules.clone()).unwrap_or_default(),
        hours,
        empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::ShiftLoad;
    use crate::domain::kpi::period::tests::q;

    #[test]
    fn the_panel_compares_pages_at_their_pace_and_keeps_no_data_apart_from_zero() {
        let elapsed = Elapsed { fraction: 0.5, days: 46, of: 92 };
        let previous = KpiValues { page_count: 40, alert_precision: Some(0.5), ..Default::default() };
        let current = KpiValues {
            page_count: 15,
            alert_precision: Some(0.75),
            pages_per_shift: Some(ShiftLoad { mean: 1.0, median: 1.0, p90: 2.0, shifts: 3, pages: 3 }),
            ..Default::default()
        };
        let trend = [(q("2026-Q3"), Some(previous.clone())), (q("2026-Q4"), Some(current.clone()))];
        let panel =
            oncall_health(Some(&current), Some(&previous), elapsed, &trend, &Default::default(), "hours".into());
        let pages = &panel.headlines[0];
        assert_eq!((pages.pace, pages.verdict), (Some(30.0), super::super::Verdict::Better));
        let mtta = panel.headlines.iter().find(|h| h.kpi == "page_mtta").unwrap();
        assert_eq!((mtta.value, mtta.verdict), (None, super::super::Verdict::NoComparison));
        assert_eq!(panel.trends.len(), 3);
        assert!(panel.trends[0].partial_last);
        assert_eq!(panel.trends[1].points[1].1, Some(2.0));
        assert!(!panel.empty);
        let quiet = oncall_health(None, None, elapsed, &[(q("2026-Q4"), None)], &Default::default(), "h".into());
        assert!(quiet.empty);
    }
}
