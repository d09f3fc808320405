//! Headline KPIs: the figures the overview and the quarterly report lead with, each compared
//! with the previous period and judged better or worse by the KPI's own direction (a lower MTTR
//! is better, a lower on-time rate is worse).

use serde::{Deserialize, Serialize};

use crate::domain::format::{EPSILON, Unit, format_delta, format_value};
use crate::domain::kpi::{Elapsed, KpiId, KpiValues};

/// Which way is good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    /// A count or sum of a period still running, projected over the whole period at its pace so
    /// far: what `delta` and `verdict` compare, since a part of a period always counts less than
    /// a whole one. `None` for other figures and for whole periods.
    #[serde(default)]
    pub pace: Option<f64>,
    /// The period is still running: the value is "so far".
    #[serde(default)]
    pub partial: bool,
    /// The policy's target (a floor or a ceiling, by `direction`), if it sets one.
    #[serde(default)]
    pub target: Option<f64>,
    /// The same period a year earlier (quarters), if known.
    #[serde(default)]
    pub year_ago: Option<f64>,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::Unchanged => "unchanged",
            Verdict::NoComparison => "no comparison",
        }
    }
}

impl Headline {
    /// Whether the figure meets its target: `None` without a target or a value (a running
    /// period's counts and sums are judged at their pace).
    pub fn meets_target(&self) -> Option<bool> {
        let value = self.pace.or(self.value)?;
        let target = self.target?;
        Some(match self.direction {
            Direction::HigherIsBetter => value >= target - EPSILON,
            Direction::LowerIsBetter => value <= target + EPSILON,
        })
    }

    /// "≥ 95.0 %", "≤ 60 min".
    pub fn target_text(&self) -> Option<String> {
        let sign = match self.direction {
            Direction::HigherIsBetter => "≥",
            Direction::LowerIsBetter => "≤",
        };
        self.target.map(|t| format!("{sign} {}", format_value(self.unit, Some(t))))
    }

    /// "target ≥ 95.0 %, met" / "target ≤ 60 min, missed" / "target ≤ 60 min, no data".
    pub fn target_sentence(&self) -> Option<String> {
        let target = self.target_text()?;
        let verdict = match self.meets_target() {
            Some(true) => "met",
            Some(false) => "missed",
            None => "no data",
        };
        Some(format!("target {target}, {verdict}"))
    }

    /// The pace in words: a count to one decimal (2.9 is not 3, and the verdict compares 2.9).
    pub fn pace_text(&self) -> Option<String> {
        self.pace.map(|pace| match self.unit {
            Unit::Count => format!("{pace:.1}"),
            unit => format_value(unit, Some(pace)),
        })
    }

    /// The change in a table cell: "−1 · better", "so far · on pace for 2.9 · better",
    /// "no comparison".
    pub fn short_change(&self) -> String {
        let word = self.verdict.word();
        let so_far = if self.partial { "so far · " } else { "" };
        match (self.verdict, self.pace) {
            (Verdict::NoComparison, _) => format!("{so_far}{word}"),
            (_, Some(_)) => format!("{so_far}on pace for {} · {word}", self.pace_text().unwrap_or_default()),
            _ => format!("{so_far}{} · {word}", format_delta(self.unit, self.delta)),
        }
    }
}

/// A headline figure: which KPI, how it is labelled, and how its number is read from the values.
pub struct HeadlineKpi {
    pub kpi: KpiId,
    pub label: &'static str,
    pub unit: Unit,
    pub direction: Direction,
    /// Grows with the time that passes (a count of events, a sum of minutes), so a partial period
    /// is compared at its pace, not as is.
    pub accumulates: bool,
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
        accumulates: false,
        read: |k| k.slo_met_rate,
    },
    HeadlineKpi {
        kpi: KpiId::BudgetExhaustedCount,
        label: "Error budgets exhausted",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        accumulates: false,
        read: |k| count(k.budget_exhausted_count),
    },
    HeadlineKpi {
        kpi: KpiId::SloCoverage,
        label: "SLO coverage (tier 0–1)",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        accumulates: false,
        read: |k| k.slo_coverage,
    },
    HeadlineKpi {
        kpi: KpiId::HighSevCount,
        label: "SEV0–1 incidents",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        accumulates: true,
        read: |k| count(k.high_sev_count),
    },
    HeadlineKpi {
        kpi: KpiId::CustomerImpactMinutes,
        label: "Customer impact",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        accumulates: true,
        read: |k| Some(k.customer_impact_minutes),
    },
    HeadlineKpi {
        kpi: KpiId::Mttd,
        label: "Time to detect (median)",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        accumulates: false,
        read: |k| k.mttd.map(|s| s.median),
    },
    HeadlineKpi {
        kpi: KpiId::Mttr,
        label: "Time to restore (median)",
        unit: Unit::Minutes,
        direction: Direction::LowerIsBetter,
        accumulates: false,
        read: |k| k.mttr.map(|s| s.median),
    },
    HeadlineKpi {
        kpi: KpiId::RepeatIncidentRate,
        label: "Repeat incidents",
        unit: Unit::Fraction,
        direction: Direction::LowerIsBetter,
        accumulates: false,
        read: |k| k.repeat_incident_rate,
    },
    HeadlineKpi {
        kpi: KpiId::PostmortemCoverage,
        label: "Postmortems on time",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        accumulates: false,
        read: |k| k.postmortem_coverage,
    },
    HeadlineKpi {
        kpi: KpiId::ActionOnTimeRate,
        label: "Actions done on time",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        accumulates: false,
        read: |k| k.action_on_time_rate,
    },
    HeadlineKpi {
        kpi: KpiId::OverdueActions,
        label: "Overdue actions",
        unit: Unit::Count,
        direction: Direction::LowerIsBetter,
        accumulates: false,
        read: |k| count(k.overdue_actions.count),
    },
    HeadlineKpi {
        kpi: KpiId::DrCoverage,
        label: "DR coverage (tier 0–1)",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        accumulates: false,
        read: |k| k.dr_coverage,
    },
    HeadlineKpi {
        kpi: KpiId::ChangeFailureRate,
        label: "Change failure rate",
        unit: Unit::Fraction,
        direction: Direction::LowerIsBetter,
        accumulates: false,
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

/// Adds the policy's `targets` and the values of the same period a year earlier.
pub fn annotate(
    headlines: &mut [Headline],
    targets: &std::collections::BTreeMap<KpiId, f64>,
    year_ago: Option<&KpiValues>,
) {
    annotate_of(&HEADLINES, headlines, targets, year_ago);
}

/// As [`annotate`], for figures made by [`headlines_of`] with `specs`.
pub fn annotate_of(
    specs: &[HeadlineKpi],
    headlines: &mut [Headline],
    targets: &std::collections::BTreeMap<KpiId, f64>,
    year_ago: Option<&KpiValues>,
) {
    for (headline, spec) in headlines.iter_mut().zip(specs.iter()) {
        headline.target = targets.get(&spec.kpi).copied();
        headline.year_ago = year_ago.and_then(spec.read);
    }
}

/// The headline figures of `current` (a period `elapsed` far; `None` when it has no data at
/// all), each compared with the whole `previous` period (if known): counts and sums of a partial
/// period at their pace.
pub fn headlines(current: Option<&KpiValues>, previous: Option<&KpiValues>, elapsed: Elapsed) -> Vec<Headline> {
    headlines_of(&HEADLINES, current, previous, elapsed)
}

/// As [`headlines`], for another set of figures (the on-call panel's).
pub fn headlines_of(
    specs: &[HeadlineKpi],
    current: Option<&KpiValues>,
    previous: Option<&KpiValues>,
    elapsed: Elapsed,
) -> Vec<Headline> {
    specs
        .iter()
        .map(|h| {
            let value = current.and_then(h.read);
            let before = previous.and_then(h.read);
            let pace = (h.accumulates && elapsed.is_partial())
                .then(|| value.filter(|_| elapsed.fraction > 0.0).map(|v| v / elapsed.fraction))
                .flatten();
            let compared = if h.accumulates && elapsed.is_partial() { pace } else { value };
            let (delta, verdict) = judge(h.direction, compared, before);
            Headline {
                kpi: h.kpi.as_str().to_owned(),
                label: h.label.to_owned(),
                unit: h.unit,
                direction: h.direction,
                value,
                previous: before,
                delta,
                verdict,
                pace,
                partial: elapsed.is_partial(),
                target: None,
                year_ago: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::DurationStats;

    const WHOLE: Elapsed = Elapsed { fraction: 1.0, days: 92, of: 92 };

    #[test]
    fn a_partial_period_compares_counts_at_their_pace_and_rates_as_they_are() {
        // 2026-Q4 on 2026-12-04: 64 of 92 days, 2 SEV0–1 so far against 3 in the whole Q3.
        let elapsed = Elapsed { fraction: 64.0 / 92.0, days: 64, of: 92 };
        let previous = KpiValues { high_sev_count: 3, slo_met_rate: Some(0.8), ..Default::default() };
        let current = KpiValues { high_sev_count: 2, slo_met_rate: Some(0.7), ..Default::default() };
        let rows = headlines(Some(&current), Some(&previous), elapsed);
        let high = rows.iter().find(|h| h.kpi == "high_sev_count").unwrap();
        assert!(high.partial);
        assert!((high.pace.unwrap() - 2.875).abs() < 1e-9, "{high:?}");
        assert_eq!(high.verdict, Verdict::Better, "2.9 at this pace against 3");
        let met = rows.iter().find(|h| h.kpi == "slo_met_rate").unwrap();
        assert_eq!((met.pace, met.verdict), (None, Verdict::Worse));
        // Three so far is already worse than the whole of Q3 at this pace (4.3).
        let more = KpiValues { high_sev_count: 3, ..Default::default() };
        let rows = headlines(Some(&more), Some(&previous), elapsed);
        assert_eq!(rows.iter().find(|h| h.kpi == "high_sev_count").unwrap().verdict, Verdict::Worse);
    }

    fn stats(median: f64) -> Option<DurationStats> {
        Some(DurationStats { mean: median, median, p90: median, count: 3 })
    }

    #[test]
    fn lower_mttr_is_better_and_lower_on_time_rate_is_worse() {
        let previous = KpiValues { mttr: stats(90.0), action_on_time_rate: Some(0.8), ..Default::default() };
        let current = KpiValues { mttr: stats(60.0), action_on_time_rate: Some(0.7), ..Default::default() };
        let rows = headlines(Some(&current), Some(&previous), WHOLE);
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
        let rows = headlines(Some(&current), Some(&previous), WHOLE);
        let met = rows.iter().find(|h| h.kpi == "slo_met_rate").unwrap();
        assert_eq!((met.delta, met.verdict), (None, Verdict::NoComparison));
        let high = rows.iter().find(|h| h.kpi == "high_sev_count").unwrap();
        assert_eq!((high.delta, high.verdict), (Some(0.0), Verdict::Unchanged));
        assert!(headlines(Some(&current), None, WHOLE).iter().all(|h| h.verdict == Verdict::NoComparison));
        // A period before any record: no value at all, not zeros.
        assert!(headlines(None, Some(&previous), WHOLE).iter().all(|h| h.value.is_none()));
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
