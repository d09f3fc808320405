//! Incidents by root-cause category: what a team page and the quarterly report break a
//! period's incidents down by (docs/kpis.md §"Incidents by root cause"). Its population is that
//! of `repeat_incident_rate` (incidents started in the period, every severity), and a category
//! is the incident's `root_cause_category` trimmed, compared exactly as the repeat rule compares
//! it, so the repeats counted per category add up to the rate's numerator.

use std::borrow::Borrow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::incidents::{incidents_started_in, root_cause};
use super::{Incident, Period, RepeatIndex};

/// One root-cause category's incidents in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CauseRow {
    /// The category as ingested (trimmed); `None` for incidents without one.
    pub category: Option<String>,
    pub incidents: u64,
    /// Of them, SEV0 and SEV1.
    pub high_sev: u64,
    /// Of them, repeats (an explicit `repeat_of`, or the 90-day rule).
    pub repeats: u64,
}

impl CauseRow {
    /// This category's share of the breakdown's incidents (`rows`, every category).
    pub fn share_of(&self, rows: &[CauseRow]) -> Option<f64> {
        let total: u64 = rows.iter().map(|row| row.incidents).sum();
        (total > 0).then(|| self.incidents as f64 / total as f64)
    }
}

/// The incidents started in `period`, by root-cause category: the most frequent first (ties by
/// name), incidents without a category last. Empty when no incident started in the period.
pub fn root_cause_breakdown<I: Borrow<Incident>>(
    period: &Period,
    incidents: &[I],
    repeats: &RepeatIndex,
) -> Vec<CauseRow> {
    let mut by_category: BTreeMap<Option<&str>, CauseRow> = BTreeMap::new();
    for incident in incidents_started_in(period, incidents) {
        let category = root_cause(incident);
        let row = by_category.entry(category).or_insert_with(|| CauseRow {
            category: category.map(str::to_owned),
            incidents: 0,
            high_sev: 0,
            repeats: 0,
        });
        row.incidents += 1;
        row.high_sev += u64::from(incident.severity.is_high());
        row.repeats += u64::from(repeats.is_repeat(incident));
    }
    let mut rows: Vec<CauseRow> = by_category.into_values().collect();
    rows.sort_by(|a, b| {
        (a.category.is_none(), std::cmp::Reverse(a.incidents), &a.category).cmp(&(
            b.category.is_none(),
            std::cmp::Reverse(b.incidents),
            &b.category,
        ))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::incidents::tests::incident;
    use crate::domain::kpi::period::tests::q;
    use crate::domain::kpi::repeat_incident_rate;
    use crate::domain::records::Severity;

    fn caused(id: &str, severity: Severity, started: &str, cause: Option<&str>) -> Incident {
        Incident { root_cause_category: cause.map(str::to_owned), ..incident(id, severity, started) }
    }

    fn row(category: Option<&str>, incidents: u64, high_sev: u64, repeats: u64) -> CauseRow {
        CauseRow { category: category.map(str::to_owned), incidents, high_sev, repeats }
    }

    #[test]
    fn incidents_of_the_period_are_counted_by_trimmed_category_most_frequent_first() {
        let incidents = [
            // Before the period: not counted, but what the July deploy incident repeats.
            caused("a", Severity::Sev2, "2026-06-20T00:00:00Z", Some("deploy")),
            caused("b", Severity::Sev1, "2026-07-10T00:00:00Z", Some(" deploy ")),
            caused("c", Severity::Sev3, "2026-08-01T00:00:00Z", Some("capacity")),
            caused("d", Severity::Sev0, "2026-08-02T00:00:00Z", Some("config")),
            caused("e", Severity::Sev3, "2026-08-03T00:00:00Z", None),
            caused("f", Severity::Sev3, "2026-08-04T00:00:00Z", Some("  ")),
            caused("g", Severity::Sev2, "2026-09-01T00:00:00Z", Some("config")),
            // After the period.
            caused("h", Severity::Sev1, "2026-10-01T00:00:00Z", Some("capacity")),
        ];
        let index = RepeatIndex::new(&incidents);
        let rows = root_cause_breakdown(&q("2026-Q3"), &incidents, &index);
        assert_eq!(
            rows,
            [
                row(Some("config"), 2, 1, 1),
                row(Some("capacity"), 1, 0, 0),
                row(Some("deploy"), 1, 1, 1),
                row(None, 2, 0, 0),
            ]
        );
        assert_eq!(rows[0].share_of(&rows), Some(2.0 / 6.0));
        // The repeats per category add up to the repeat rate's numerator.
        let started = rows.iter().map(|r| r.incidents).sum::<u64>() as f64;
        let repeats = rows.iter().map(|r| r.repeats).sum::<u64>() as f64;
        assert_eq!(repeat_incident_rate(&q("2026-Q3"), &incidents, &incidents), Some(repeats / started));
    }

    #[test]
    fn a_period_without_incidents_has_no_rows() {
        let incidents = [caused("a", Severity::Sev1, "2026-06-20T00:00:00Z", Some("deploy"))];
        assert!(root_cause_breakdown(&q("2026-Q3"), &incidents, &RepeatIndex::new(&incidents)).is_empty());
    }
}
