//! Duration statistics (docs/kpis.md): mean, median and p90 in minutes, percentiles by linear
//! interpolation between closest ranks at position (n − 1) × q of the sorted values.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Summary of a population of durations, in minutes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DurationStats {
    pub mean: f64,
    pub median: f64,
    pub p90: f64,
    pub count: usize,
}

impl DurationStats {
    /// The statistics of a population of minute values; `None` when it is empty. Non-finite
    /// values (never produced from instants) are ignored.
    pub fn from_minutes(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        let mut sorted: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let count = sorted.len();
        let mean = sorted.iter().sum::<f64>() / count as f64;
        Some(DurationStats {
            mean,
            median: percentile_of_sorted(&sorted, 0.5)?,
            p90: percentile_of_sorted(&sorted, 0.9)?,
            count,
        })
    }
}

/// The `q`-quantile (0 ≤ q ≤ 1) of ascending values by linear interpolation at (n − 1) × q;
/// `None` for no values.
pub fn percentile_of_sorted(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = last as f64 * q.clamp(0.0, 1.0);
    let lower = position.floor() as usize;
    let upper = position.ceil() as usize;
    let (low, high) = (*sorted.get(lower)?, *sorted.get(upper)?);
    let value = low + (high - low) * (position - lower as f64);
    // Rounding must not carry the value outside its two neighbours.
    Some(if value < low {
        low
    } else if value > high {
        high
    } else {
        value
    })
}

/// `to − from` in minutes (fractional, millisecond precision).
pub fn minutes_between(from: DateTime<Utc>, to: DateTime<Utc>) -> f64 {
    (to - from).num_milliseconds() as f64 / 60_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn one_to_four_has_median_two_and_a_half_and_p90_three_point_seven() {
        let s = DurationStats::from_minutes([4.0, 1.0, 3.0, 2.0]).unwrap();
        assert_eq!(s.count, 4);
        assert!((s.mean - 2.5).abs() < 1e-12);
        assert!((s.median - 2.5).abs() < 1e-12);
        assert!((s.p90 - 3.7).abs() < 1e-12);
    }

    #[test]
    fn a_single_value_is_its_own_mean_median_and_p90() {
        let s = DurationStats::from_minutes([42.0]).unwrap();
        assert_eq!((s.mean, s.median, s.p90, s.count), (42.0, 42.0, 42.0, 1));
    }

    #[test]
    fn an_odd_population_has_its_middle_value_as_median() {
        let s = DurationStats::from_minutes([10.0, 50.0, 20.0, 40.0, 30.0]).unwrap();
        assert_eq!(s.median, 30.0);
        // position 4 × 0.9 = 3.6 → 40 + 0.6 × 10
        assert!((s.p90 - 46.0).abs() < 1e-12);
    }

    #[test]
    fn an_empty_population_has_no_statistics() {
        assert_eq!(DurationStats::from_minutes(Vec::<f64>::new()), None);
        assert_eq!(percentile_of_sorted(&[], 0.5), None);
    }

    #[test]
    fn minutes_between_keeps_seconds_as_fractions() {
        let a = DateTime::parse_from_rfc3339("2026-07-01T10:00:00Z").unwrap().with_timezone(&Utc);
        let b = DateTime::parse_from_rfc3339("2026-07-01T10:01:30Z").unwrap().with_timezone(&Utc);
        assert_eq!(minutes_between(a, b), 1.5);
    }

    proptest! {
        #[test]
        fn the_median_and_p90_lie_between_the_minimum_and_the_maximum(
            values in prop::collection::vec(0.0f64..1e6, 1..60)
        ) {
            let s = DurationStats::from_minutes(values.iter().copied()).unwrap();
            let min = values.iter().copied().fold(f64::INFINITY, f64::min);
            let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            prop_assert!(min <= s.median && s.median <= max);
            prop_assert!(min <= s.p90 && s.p90 <= max);
            prop_assert!(s.median <= s.p90);
            prop_assert_eq!(s.count, values.len());
        }
    }
}
