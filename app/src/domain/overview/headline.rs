//! Headline KPIs: the figures the overview and the quarterly report lead with, each compared
//! with the previous period and judged better or worse by the KPI's own direction (a lower MTTR
//! is better, a lower on-time rate is worse).

use serde::{Deserialize, Serialize};

use crate::domain::format::{EPSILON, Unit};
use crate::domain::kpi::{KpiId, KpiValues};

/// Which way is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

/// The change against the previous period, judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Better,
    Worse,
    Unchanged,
    /// One of the two periods has no data.
    NoComparison,
}

/// One headline figure of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// The KPI id (what the drill-down link names).
    pub kpi: String,
    pub label: String,
    pub unit: Unit,
    pub direction: Direction,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub delta: Option<f64>,
    pub verdict: Verdict,
}

/// A headline figure: which KPI, how it is labelled, and how its number is read from the values.
pub struct HeadlineKpi {
    pub kpi: KpiId,
    pub label: &'static str,
    pub unit: Unit,
    pub direction: Direction,
    pub read: fn(&KpiValues) -> Option<f64>,
}

fn count(value: u64) -> Option<f64> {
    Some(value as f64)
}

/// The headline figures, in the order they are shown. Durations are medians: one long incident
/// should not move the quarter's headline.
pub const HEADLINES: [HeadlineKpi; 13] = [
    HeadlineKpi {
        kpi: KpiId::SloMetRate,
        label: "SLOs met",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        read: |k| k.slo_met_rate,
    },
    HeadlineKpi {
        kpi: KpiId::BudgetExhaustedCount,
        label: "Error budgets exhausted",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        read: |k| count(k.budget_exhausted_count),
    },
    HeadlineKpi {
        kpi: KpiId::SloCoverage,
        label: "SLO coverage (tier 0–1)",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        read: |k| k.slo_coverage,
    },
    HeadlineKpi {
        kpi: KpiId::HighSevCount,
        label: "SEV0–1 incidents",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        read: |k| count(k.high_sev_count),
    },
    HeadlineKpi {
        kpi: KpiId::CustomerImpactMinutes,
        label: "Customer impact",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        read: |k| Some(k.customer_impact_minutes),
    },
    HeadlineKpi {
        kpi: KpiId::Mttd,
        label: "Time to detect (median)",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        read: |k| k.mttd.map(|s| s.median),
    },
    HeadlineKpi {
        kpi: KpiId::Mttr,
        label: "Time to restore (median)",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        read: |k| k.mttr.map(|s| s.median),
    },
    HeadlineKpi {
        kpi: KpiId::RepeatIncidentRate,
        label: "Repeat incidents",
        unit: Unit::Fraction,
        direction: Direction::LowerIsBetter,
        read: |k| k.repeat_incident_rate,
    },
    HeadlineKpi {
        kpi: KpiId::PostmortemCoverage,
        label: "Postmortems on time",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        read: |k| k.postmortem_coverage,
    },
    HeadlineKpi {
        kpi: KpiId::ActionOnTimeRate,
        label: "Actions done on time",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        read: |k| k.action_on_time_rate,
    },
    HeadlineKpi {
        kpi: KpiId::OverdueActions,
        label: "Overdue actions",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        read: |k| count(k.overdue_actions.count),
    },
    HeadlineKpi {
        kpi: KpiId::DrCoverage,
        label: "DR coverage (tier 0–1)",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        read: |k| k.dr_coverage,
    },
    HeadlineKpi {
        kpi: KpiId::ChangeFailureRate,
        label: "Change failure rate",
        unit: Unit::Fraction,
        direction: Direction::LowerIsBetter,
        read: |k| k.change_failure_rate,
    },
];

/// The change from `previous` to `value` and whether it is better or worse (differences below
/// [`EPSILON`] are rounding noise, not a movement).
pub fn judge(direction: Direction, value: Option<f64>, previous: Option<f64>) -> (Option<f64>, Verdict) {
    let (Some(value), Some(previous)) = (value, previous) else {
        return (None, Verdict::NoComparison);
    };
    let delta = value - previous;
    let verdict = if delta.abs() < EPSILON {
        Verdict::Unchanged
    } else if (delta > 0.0) == (direction == Direction::HigherIsBetter) {
        Verdict::Better
    } else {
        Verdict::Worse
    };
    (Some(delta), verdict)
}

/// The headline figures of `current`, each compared with `previous` (if known).
pub fn headlines(current: &KpiValues, previous: Option<&KpiValues>) -> Vec<Headline> {
    HEADLINES
        .iter()
        .map(|h| {
            let value = (h.read)(current);
            let before = previous.and_then(h.read);
            let (delta, verdict) = judge(h.direction, value, before);
            Headline {
                kpi: h.kpi.as_str().to_owned(),
                label: h.label.to_owned(),
                unit: h.unit,
                direction: h.direction,
                value,
                previous: before,
                delta,
                verdict,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::DurationStats;

    fn stats(median: f64) -> Option<DurationStats> {
        Some(DurationStats { mean: median, median, p90: median, count: 3 })
    }

    #[test]
    fn lower_mttr_is_better_and_lower_on_time_rate_is_worse() {
        let previous = KpiValues { mttr: stats(90.0), action_on_time_rate: Some(0.8), ..Default::default() };
        let current = KpiValues { mttr: stats(60.0), action_on_time_rate: Some(0.7), ..Default::default() };
        let rows = headlines(&current, Some(&previous));
        let mttr = rows.iter().find(|h| h.kpi == "mttr").unwrap();
        assert_eq!((mttr.delta, mttr.verdict), (Some(-30.0), Verdict::Better));
        let on_time = rows.iter().find(|h| h.kpi == "action_on_time_rate").unwrap();
        assert_eq!(on_time.verdict, Verdict::Worse);
        assert!((on_time.delta.unwrap() + 0.1).abs() < 1e-12);
    }

    #[test]
    fn no_data_on_either_side_means_no_comparison_and_equal_means_unchanged() {
        let previous = KpiValues { slo_met_rate: None, high_sev_count: 4, ..Default::default() };
        let current = KpiValues { slo_met_rate: Some(0.9), high_sev_count: 4, ..Default::default() };
        let rows = headlines(&current, Some(&previous));
        let met = rows.iter().find(|h| h.kpi == "slo_met_rate").unwrap();
        assert_eq!((met.delta, met.verdict), (None, Verdict::NoComparison));
        let high = rows.iter().find(|h| h.kpi == "high_sev_count").unwrap();
        assert_eq!((high.delta, high.verdict), (Some(0.0), Verdict::Unchanged));
        assert!(headlines(&current, None).iter().all(|h| h.verdict == Verdict::NoComparison));
    }

    #[test]
    fn more_incidents_is_worse_and_more_coverage_is_better() {
        assert_eq!(judge(Direction::LowerIsBetter, Some(5.0), Some(3.0)).1, Verdict::Worse);
        assert_eq!(judge(Direction::HigherIsBetter, Some(0.9), Some(0.8)).1, Verdict::Better);
    }

    #[test]
    fn every_headline_names_a_known_kpi() {
        for h in &HEADLINES {
            assert_eq!(KpiId::parse(h.kpi.as_str()), Some(h.kpi));
        }
    }
}
