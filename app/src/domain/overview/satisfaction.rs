//! The "Stakeholder satisfaction" panel of the overview and team pages: the mean score against
//! the previous period and over time, the responses per score, and, below the policy's minimum
//! of responses, only how many there were.

use serde::{Deserialize, Serialize};

use super::headline::{Direction, Headline, HeadlineKpi, annotate_of, headlines_of};
use super::trend::{TrendSeries, trend_series_of};
use crate::domain::format::Unit;
use crate::domain::kpi::{Elapsed, KpiId, KpiValues, Period, Satisfaction};

pub const SATISFACTION_HEADLINES: [HeadlineKpi; 1] = [HeadlineKpi {
    kpi: KpiId::StakeholderSatisfaction,
    label: "Stakeholder satisfaction",
    unit: Unit::Score,
    direction: Direction::HigherIsBetter,
    accumulates: false,
    read: |k| k.stakeholder_satisfaction.mean,
}];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SatisfactionPanel {
    pub headlines: Vec<Headline>,
    pub trends: Vec<TrendSeries>,
    /// The period's responses (the counts per score are zero when withheld).
    pub current: Satisfaction,
    /// No response in any period shown.
    pub empty: bool,
}

pub fn satisfaction_panel(
    current: Option<&KpiValues>,
    previous: Option<&KpiValues>,
    elapsed: Elapsed,
    trend: &[(Period, Option<KpiValues>)],
    targets: &std::collections::BTreeMap<KpiId, f64>,
) -> SatisfactionPanel {
    let mut headlines = headlines_of(&SATISFACTION_HEADLINES, current, previous, elapsed);
    annotate_of(&SATISFACTION_HEADLINES, &mut headlines, targets, None);
    let trends = trend_series_of(SATISFACTION_HEADLINES.iter(), trend, elapsed.is_partial());
    let empty =
        trend.iter().filter_map(|(_, values)| values.as_ref()).all(|v| v.stakeholder_satisfaction.responses == 0);
    let current = current.map(|k| k.stakeholder_satisfaction.clone()).unwrap_or_default();
    SatisfactionPanel { headlines, trends, current, empty }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::q;
    use crate::domain::overview::Verdict;

    fn values(responses: u32, mean: Option<f64>) -> KpiValues {
        let stakeholder_satisfaction = Satisfaction { responses, minimum: 5, mean, by_score: [0; 5] };
        KpiValues { stakeholder_satisfaction, ..Default::default() }
    }

    #[test]
    fn a_withheld_mean_is_no_data_never_a_fall() {
        let whole = Elapsed { fraction: 1.0, days: 92, of: 92 };
        let previous = values(8, Some(4.0));
        let withheld = values(3, None);
        let trend = [(q("2026-Q2"), Some(previous.clone())), (q("2026-Q3"), Some(withheld.clone()))];
        let panel = satisfaction_panel(Some(&withheld), Some(&previous), whole, &trend, &Default::default());
        assert_eq!(panel.headlines[0].verdict, Verdict::NoComparison);
        assert!(panel.current.withheld() && !panel.empty);
        let better = values(6, Some(4.5));
        let panel = satisfaction_panel(Some(&better), Some(&previous), whole, &trend, &Default::default());
        assert_eq!(panel.headlines[0].verdict, Verdict::Better);
    }
}
