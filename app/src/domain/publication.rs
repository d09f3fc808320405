//! Where a period stands (docs/reports.md): still open, a draft, or published — and, once
//! published, which headline figures the live data no longer agrees with. A published figure
//! must never silently disagree with the drill-down it links to, which lists live records.

use serde::{Deserialize, Serialize};

use crate::domain::format::{EPSILON, Unit, format_value};
use crate::domain::kpi::KpiValues;
use crate::domain::overview::headline::HEADLINES;

/// A period's standing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PeriodState {
    /// Not over yet: its figures still move.
    Open,
    /// Over, and no one has published it: computed from the data as it is now.
    Draft,
    /// Frozen as published; `changes` lists the headline figures of the scope shown whose live
    /// value differs from the published one (empty: they agree).
    Published { published_at: String, published_by: String, changes: Vec<FigureChange> },
}

impl PeriodState {
    /// "open", "draft", "published", "published, live figures differ".
    pub fn label(&self) -> &'static str {
        match self {
            PeriodState::Open => "open",
            PeriodState::Draft => "draft",
            PeriodState::Published { changes, .. } if changes.is_empty() => "published",
            PeriodState::Published { .. } => "published, live figures differ",
        }
    }

    pub fn changes(&self) -> &[FigureChange] {
        match self {
            PeriodState::Published { changes, .. } => changes,
            _ => &[],
        }
    }
}

/// One headline figure whose live value moved after publication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FigureChange {
    /// The KPI id (what the drill-down link names).
    pub kpi: String,
    pub label: String,
    pub unit: Unit,
    pub published: Option<f64>,
    pub live: Option<f64>,
}

impl FigureChange {
    /// "SEV0–1 incidents: published 3, now 4".
    pub fn sentence(&self) -> String {
        format!(
            "{}: published {}, now {}",
            self.label,
            format_value(self.unit, self.published),
            format_value(self.unit, self.live)
        )
    }
}

/// The headline figures that differ between the published and the live values of one scope
/// (differences below rounding noise are not changes; a value gained or lost is).
pub fn figure_changes(published: &KpiValues, live: &KpiValues) -> Vec<FigureChange> {
    HEADLINES
        .iter()
        .filter_map(|h| {
            let (before, now) = ((h.read)(published), (h.read)(live));
            let same = match (before, now) {
                (Some(a), Some(b)) => (a - b).abs() < EPSILON,
                (None, None) => true,
                _ => false,
            };
            (!same).then(|| FigureChange {
                kpi: h.kpi.as_str().to_owned(),
                label: h.label.to_owned(),
                unit: h.unit,
                published: before,
                live: now,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_headline_figures_that_moved_are_changes() {
        let published = KpiValues { high_sev_count: 3, slo_met_rate: Some(0.9), ..Default::default() };
        let mut live = published.clone();
        assert!(figure_changes(&published, &live).is_empty());
        live.high_sev_count = 4;
        live.slo_met_rate = Some(0.9 + 1e-12);
        live.mttr = Some(crate::domain::kpi::DurationStats { count: 1, median: 30.0, p90: 30.0, mean: 30.0 });
        let changes = figure_changes(&published, &live);
        let kpis: Vec<&str> = changes.iter().map(|c| c.kpi.as_str()).collect();
        assert_eq!(kpis, ["high_sev_count", "mttr"]);
        assert_eq!(changes[0].sentence(), "SEV0–1 incidents: published 3, now 4");
        assert_eq!(changes[1].sentence(), "Time to restore (median): published —, now 30 min");
    }

    #[test]
    fn the_label_says_when_live_figures_differ() {
        let published = |changes| PeriodState::Published {
            published_at: "2026-10-02 09:00 UTC".into(),
            published_by: "local".into(),
            changes,
        };
        assert_eq!(published(vec![]).label(), "published");
        let change =
            FigureChange { kpi: "x".into(), label: "X".into(), unit: Unit::Count, published: None, live: None };
        assert_eq!(published(vec![change]).label(), "published, live figures differ");
        assert_eq!(PeriodState::Draft.label(), "draft");
    }
}
