//! SLOs met by indicator kind: `slo_met_rate` broken down by what the SLOs measure
//! (docs/kpis.md §7, "By indicator"), so a latency objective missed is not hidden among
//! availability ones met. The population is `slo_met_rate`'s, so the rows' SLOs judged and met
//! add up to its denominator and numerator.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::slo::{ratio, slo_attainment};
use super::{Period, Slo};
use crate::domain::records::Indicator;

/// The SLOs of one indicator kind in a scope and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorRow {
    pub indicator: Indicator,
    /// SLOs of this kind in the scope.
    pub slos: u64,
    /// Of them, those with an attainment to judge in the period.
    pub judged: u64,
    pub met: u64,
    /// The lowest and highest latency thresholds among them, in milliseconds (latency SLOs
    /// that name one).
    pub thresholds_ms: Option<(i64, i64)>,
}

/// One row per indicator kind the scope's SLOs have, in the kinds' order (availability,
/// latency, freshness, correctness, other). No SLOs, no rows.
pub fn slo_met_rate_by_indicator<L: Borrow<Slo>>(period: &Period, slos: &[L]) -> Vec<IndicatorRow> {
    let mut rows: BTreeMap<Indicator, IndicatorRow> = BTreeMap::new();
    for slo in slos.iter().map(Borrow::borrow) {
        let row = rows.entry(slo.indicator).or_insert_with(|| IndicatorRow {
            indicator: slo.indicator,
            slos: 0,
            judged: 0,
            met: 0,
            thresholds_ms: None,
        });
        row.slos += 1;
        if let Some(met) = slo_attainment(period, slo).met {
            row.judged += 1;
            row.met += u64::from(met);
        }
        if let Some(threshold) = slo.threshold_ms {
            row.thresholds_ms = Some(
                row.thresholds_ms
                    .map_or((threshold, threshold), |(low, high)| (low.min(threshold), high.max(threshold))),
            );
        }
    }
    rows.into_values().collect()
}

impl IndicatorRow {
    /// `met ÷ judged`; `None` when none could be judged.
    pub fn met_rate(&self) -> Option<f64> {
        ratio(self.met as usize, self.judged as usize)
    }
}

/// What an indicator kind measures, in words, with its thresholds: "latency (within 300 ms)",
/// "latency (within 200–500 ms)".
pub fn indicator_in_words(indicator: Indicator, thresholds_ms: Option<(i64, i64)>) -> String {
    match thresholds_ms {
        Some((low, high)) if low == high => format!("{indicator} (within {low} ms)"),
        Some((low, high)) => format!("{indicator} (within {low}–{high} ms)"),
        None => indicator.to_string(),
    }
}

/// What one SLO measures, in words: its indicator kind, and a latency SLO's threshold or that
/// none was given (a service page's SLO card, the SLO drill-downs).
pub fn slo_measures(indicator: Indicator, threshold_ms: Option<i64>) -> String {
    match (indicator, threshold_ms) {
        (Indicator::Latency, None) => "latency (no threshold given)".to_owned(),
        (indicator, threshold) => indicator_in_words(indicator, threshold.map(|ms| (ms, ms))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::{day, q};
    use crate::domain::kpi::scope::tests::slug;
    use crate::domain::kpi::{SloData, SloMeasurement, slo_met_rate};

    fn slo(indicator: Indicator, threshold_ms: Option<i64>, good: Option<i64>) -> Slo {
        let days = good.map(|good| SloMeasurement { day: day("2026-08-01"), good, total: 1000 });
        Slo {
            service: slug("api"),
            slug: slug("slo"),
            objective: 99.0,
            window: crate::domain::kpi::SloWindow::Rolling { days: 28 },
            budgeting: crate::domain::records::Budgeting::Occurrences,
            active: true,
            indicator,
            threshold_ms,
            data: SloData::Days(days.into_iter().collect()),
        }
    }

    #[test]
    fn each_kind_has_its_met_rate_and_the_rows_add_up_to_the_scopes() {
        let slos = [
            slo(Indicator::Latency, Some(500), Some(980)),
            slo(Indicator::Availability, None, Some(995)),
            slo(Indicator::Latency, Some(200), Some(999)),
            slo(Indicator::Latency, None, None),
            slo(Indicator::Availability, None, Some(990)),
        ];
        let rows = slo_met_rate_by_indicator(&q("2026-Q3"), &slos);
        assert_eq!(rows.len(), 2);
        let (availability, latency) = (&rows[0], &rows[1]);
        assert_eq!(
            (availability.indicator, availability.slos, availability.judged, availability.met),
            (Indicator::Availability, 2, 2, 2)
        );
        assert_eq!(availability.met_rate(), Some(1.0));
        assert_eq!(availability.thresholds_ms, None);
        assert_eq!((latency.indicator, latency.slos, latency.judged, latency.met), (Indicator::Latency, 3, 2, 1));
        assert_eq!(latency.met_rate(), Some(0.5));
        assert_eq!(latency.thresholds_ms, Some((200, 500)));
        let (met, judged) = rows.iter().fold((0, 0), |(m, j), r| (m + r.met, j + r.judged));
        assert_eq!(slo_met_rate(&q("2026-Q3"), &slos), Some(met as f64 / judged as f64));
    }

    #[test]
    fn a_kind_without_data_is_no_data_and_no_slos_is_no_rows() {
        let rows = slo_met_rate_by_indicator(&q("2026-Q3"), &[slo(Indicator::Freshness, None, None)]);
        assert_eq!((rows[0].slos, rows[0].judged, rows[0].met_rate()), (1, 0, None));
        assert!(slo_met_rate_by_indicator::<Slo>(&q("2026-Q3"), &[]).is_empty());
    }

    #[test]
    fn thresholds_are_said_in_words() {
        assert_eq!(indicator_in_words(Indicator::Latency, Some((300, 300))), "latency (within 300 ms)");
        assert_eq!(indicator_in_words(Indicator::Latency, Some((200, 500))), "latency (within 200–500 ms)");
        assert_eq!(indicator_in_words(Indicator::Availability, None), "availability");
        assert_eq!(slo_measures(Indicator::Latency, Some(300)), "latency (within 300 ms)");
        assert_eq!(slo_measures(Indicator::Latency, None), "latency (no threshold given)");
        assert_eq!(slo_measures(Indicator::Freshness, None), "freshness");
    }
}
