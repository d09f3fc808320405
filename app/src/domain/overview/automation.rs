//! The "Automation" panel of the overview and team pages: the share of incidents mitigated by
//! automation and of recent failure modes with a fully automated remediation, against the
//! previous period and over time, with the period's mitigations by maker and the failure modes
//! met most that are not fully automated yet.

use serde::{Deserialize, Serialize};

use super::headline::{Direction, Headline, HeadlineKpi, annotate_of, headlines_of};
use super::trend::{TrendSeries, trend_series_of};
use crate::domain::format::Unit;
use crate::domain::kpi::{Elapsed, FailureMode, KpiId, KpiValues, MitigationCounts, Period};

/// Failure modes listed as still to automate.
pub const TO_AUTOMATE_SHOWN: usize = 10;

pub const AUTOMATION_HEADLINES: [HeadlineKpi; 2] = [
    HeadlineKpi {
        kpi: KpiId::AutomatedMitigationShare,
        label: "Incidents mitigated by automation",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        accumulates: false,
        read: |k| k.automated_mitigation_share,
    },
    HeadlineKpi {
        kpi: KpiId::FailureModesAutomated,
        label: "Failure modes fully automated",
        unit: Unit::Fraction,
        direction: Direction::HigherIsBetter,
        accumulates: false,
        read: |k| k.failure_modes_automated,
    },
];

/// What the panel lists beside its figures, computed with the period's summary.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AutomationBreakdown {
    pub mitigations: MitigationCounts,
    /// Failure modes met in the look-back, as many as seen.
    pub modes_seen: u32,
    /// Those not fully automated, the most incidents first, cut at [`TO_AUTOMATE_SHOWN`].
    pub to_automate: Vec<FailureMode>,
    /// Not fully automated in all.
    pub to_automate_total: u32,
}

impl AutomationBreakdown {
    pub fn of(mitigations: MitigationCounts, modes: Vec<FailureMode>) -> Self {
        let modes_seen = modes.len() as u32;
        let open: Vec<FailureMode> = modes.into_iter().filter(|m| !m.is_fully_automated()).collect();
        let to_automate_total = open.len() as u32;
        AutomationBreakdown {
            mitigations,
            modes_seen,
            to_automate: open.into_iter().take(TO_AUTOMATE_SHOWN).collect(),
            to_automate_total,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationPanel {
    pub headlines: Vec<Headline>,
    pub trends: Vec<TrendSeries>,
    pub breakdown: AutomationBreakdown,
    /// Neither figure has a value in any period shown: the panel says what to send instead.
    pub empty: bool,
}

pub fn automation_panel(
    current: Option<&KpiValues>,
    previous: Option<&KpiValues>,
    elapsed: Elapsed,
    trend: &[(Period, Option<KpiValues>)],
    targets: &std::collections::BTreeMap<KpiId, f64>,
    breakdown: AutomationBreakdown,
) -> AutomationPanel {
    let mut headlines = headlines_of(&AUTOMATION_HEADLINES, current, previous, elapsed);
    annotate_of(&AUTOMATION_HEADLINES, &mut headlines, targets, None);
    let trends = trend_series_of(AUTOMATION_HEADLINES.iter(), trend, elapsed.is_partial());
    let empty = trend
        .iter()
        .filter_map(|(_, values)| values.as_ref())
        .all(|v| v.automated_mitigation_share.is_none() && v.failure_modes_automated.is_none());
    AutomationPanel { headlines, trends, breakdown, empty }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::q;
    use crate::domain::records::{Automation, Slug};

    fn mode(service: &str, incidents: u32, automation: Option<Automation>) -> FailureMode {
        FailureMode {
            service: Slug::parse(service).unwrap(),
            failure_mode: "disk full".into(),
            incidents,
            last_seen: "2026-09-01T00:00:00Z".parse().unwrap(),
            automation,
            runbook_url: None,
        }
    }

    #[test]
    fn the_panel_lists_what_is_left_to_automate_and_keeps_no_data_apart() {
        let modes =
            vec![mode("a", 3, Some(Automation::Full)), mode("b", 2, None), mode("c", 1, Some(Automation::Partial))];
        let breakdown = AutomationBreakdown::of(MitigationCounts::default(), modes);
        assert_eq!((breakdown.modes_seen, breakdown.to_automate_total), (3, 2));
        assert_eq!(breakdown.to_automate[0].service.as_str(), "b");
        let elapsed = Elapsed { fraction: 1.0, days: 92, of: 92 };
        let current = KpiValues { failure_modes_automated: Some(1.0 / 3.0), ..Default::default() };
        let trend = [(q("2026-Q2"), Some(KpiValues::default())), (q("2026-Q3"), Some(current.clone()))];
        let panel = automation_panel(Some(&current), None, elapsed, &trend, &Default::default(), breakdown);
        assert!(!panel.empty);
        assert_eq!(panel.headlines[0].value, None, "no mitigation recorded: no data, not 0 %");
        assert_eq!(panel.trends[1].points[0].1, None);
        let none =
            automation_panel(None, None, elapsed, &[(q("2026-Q3"), None)], &Default::default(), Default::default());
        assert!(none.empty);
    }
}
