//! The quarterly executive report (docs/reports.md): everything it shows, as one serialisable
//! document. A published quarter stores this document in its snapshot, so the HTML page and the
//! PDF of a published quarter are rendered from frozen content and never change.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::kpi::incidents::incidents_started_in;
use crate::domain::kpi::{Incident, KpiValues, Period};
use crate::domain::overview::headline::HEADLINES;
use crate::domain::overview::{Headline, Risks, TierLevels, TrendSeries};
use crate::domain::scorecard::{Level, Scorecard};

/// Most SEV0/1 incidents the report lists (the rest are counted).
pub const MAX_MAJOR_INCIDENTS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarterlyReport {
    pub period: String,
    pub previous: String,
    /// The same quarter a year earlier (the headlines' `year_ago`).
    #[serde(default)]
    pub year_ago: String,
    /// The executive summary: a few sentences generated from the figures.
    #[serde(default)]
    pub summary: Vec<String>,
    /// First and last day (inclusive), in the reporting time zone.
    pub from: String,
    pub to: String,
    pub as_of: String,
    pub definitions_version: String,
    pub policy_version: String,
    pub active_services: u64,
    pub headlines: Vec<Headline>,
    pub trends: Vec<TrendSeries>,
    pub levels: Vec<TierLevels>,
    pub major_incidents: Vec<MajorIncident>,
    pub major_incidents_total: usize,
    pub risks: Risks,
    pub teams: Vec<TeamRow>,
    /// The headline KPIs' pinned definitions, for the footnote.
    pub definitions: Vec<Definition>,
    /// The on-call section; `None` in reports published before it existed.
    #[serde(default)]
    pub oncall: Option<crate::domain::overview::OncallHealth>,
    /// The quarter's incidents by root-cause category; `None` in reports published before the
    /// breakdown existed.
    #[serde(default)]
    pub causes: Option<Vec<crate::domain::kpi::CauseRow>>,
    /// The team-practice and cost sections (docs/kpis.md §10b–§10f); `None` in reports
    /// published before they existed.
    #[serde(default)]
    pub capacity: Option<crate::domain::overview::CapacityPanel>,
    #[serde(default)]
    pub automation: Option<crate::domain::overview::AutomationPanel>,
    #[serde(default)]
    pub toil: Option<crate::domain::overview::ToilPanel>,
    #[serde(default)]
    pub cost: Option<crate::domain::overview::CostPanel>,
    #[serde(default)]
    pub satisfaction: Option<crate::domain::overview::SatisfactionPanel>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MajorIncident {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub services: String,
    pub started_at: String,
    /// Minutes from detection to mitigation (the MTTR definition).
    pub time_to_restore: Option<f64>,
    /// Minutes from start to mitigation.
    pub impact_duration: Option<f64>,
    /// When its postmortem was published, if it was.
    pub postmortem: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamRow {
    pub team: String,
    pub name: String,
    pub services: u64,
    pub levels: TierLevels,
    pub slo_met_rate: Option<f64>,
    pub high_sev: u64,
    pub mttr_median: Option<f64>,
    pub action_on_time_rate: Option<f64>,
    pub overdue_actions: u64,
    pub dr_coverage: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Definition {
    pub label: String,
    pub text: String,
}

/// Whether the report is a published snapshot or computed now from live data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Publication {
    Published {
        published_at: String,
        published_by: String,
        content_sha256: String,
        /// Headline figures the live data now disagrees with (filled per request, never frozen).
        #[serde(default)]
        changes: Vec<crate::domain::publication::FigureChange>,
    },
    Draft {
        generated_at: String,
        /// The quarter is still running, so it cannot be published yet.
        #[serde(default)]
        open: bool,
    },
}

fn minutes(from: DateTime<Utc>, to: Option<DateTime<Utc>>) -> Option<f64> {
    to.map(|to| (to - from).num_seconds() as f64 / 60.0)
}

/// The period's SEV0/1 incidents, oldest first, with their durations; `titles` by incident id.
pub fn major_incidents(
    period: &Period,
    incidents: &[&Incident],
    titles: &BTreeMap<String, String>,
) -> (Vec<MajorIncident>, usize) {
    let mut major: Vec<&Incident> =
        incidents_started_in(period, incidents).into_iter().filter(|i| i.severity.is_high()).collect();
    major.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
    let total = major.len();
    let rows = major
        .into_iter()
        .take(MAX_MAJOR_INCIDENTS)
        .map(|i| MajorIncident {
            id: i.id.clone(),
            title: titles.get(&i.id).cloned().unwrap_or_default(),
            severity: i.severity.as_str().to_owned(),
            services: i.services.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "),
            started_at: crate::domain::format::instant(i.started_at),
            time_to_restore: i.detected_at.and_then(|d| minutes(d, i.mitigated_at)),
            impact_duration: minutes(i.started_at, i.mitigated_at),
            postmortem: i.postmortem_published_at.map(|at| at.format("%Y-%m-%d").to_string()),
        })
        .collect();
    (rows, total)
}

/// One row per team (by slug order): its KPIs and its services' levels.
pub fn team_rows(
    kpis: &BTreeMap<String, KpiValues>,
    names: &BTreeMap<String, String>,
    scorecards: &[Scorecard],
) -> Vec<TeamRow> {
    kpis.iter()
        .map(|(team, values)| {
            let mut levels = TierLevels::default();
            let mut services = 0;
            for card in scorecards.iter().filter(|c| c.team.as_str() == team) {
                services += 1;
                match card.level {
                    Some(Level::Gold) => levels.gold += 1,
                    Some(Level::Silver) => levels.silver += 1,
                    Some(Level::Bronze) => levels.bronze += 1,
                    None => levels.none += 1,
                }
            }
            TeamRow {
                team: team.clone(),
                name: names.get(team).cloned().unwrap_or_else(|| team.clone()),
                services,
                levels,
                slo_met_rate: values.slo_met_rate,
                high_sev: values.high_sev_count,
                mttr_median: values.mttr.map(|s| s.median),
                action_on_time_rate: values.action_on_time_rate,
                overdue_actions: values.overdue_actions.count,
                dr_coverage: values.dr_coverage,
            }
        })
        .collect()
}

/// The pinned definitions of the headline KPIs, in their order.
pub fn definitions() -> Vec<Definition> {
    HEADLINES.iter().map(|h| Definition { label: h.label.to_owned(), text: h.kpi.definition().to_owned() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::incidents::tests::incident;
    use crate::domain::kpi::period::tests::{q, utc};
    use crate::domain::records::Severity;

    #[test]
    fn major_incidents_are_the_periods_sev0_and_sev1_oldest_first_with_durations() {
        let mut late = incident("B", Severity::Sev0, "2026-08-02T00:00:00Z");
        late.detected_at = Some(utc("2026-08-02T00:10:00Z"));
        late.mitigated_at = Some(utc("2026-08-02T01:10:00Z"));
        late.postmortem_published_at = Some(utc("2026-08-05T09:00:00Z"));
        let early = incident("A", Severity::Sev1, "2026-07-05T00:00:00Z");
        let minor = incident("C", Severity::Sev2, "2026-07-06T00:00:00Z");
        let before = incident("D", Severity::Sev0, "2026-06-30T23:59:00Z");
        let all = [&late, &early, &minor, &before];
        let titles = BTreeMap::from([("B".to_owned(), "Checkout down".to_owned())]);
        let (rows, total) = major_incidents(&q("2026-Q3"), &all, &titles);
        assert_eq!(total, 2);
        assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["A", "B"]);
        let b = &rows[1];
        assert_eq!((b.title.as_str(), b.severity.as_str(), b.services.as_str()), ("Checkout down", "SEV0", "api"));
        assert_eq!((b.time_to_restore, b.impact_duration), (Some(60.0), Some(70.0)));
        assert_eq!(b.postmortem.as_deref(), Some("2026-08-05"));
        assert_eq!((rows[0].time_to_restore, rows[0].postmortem.as_deref()), (None, None));
    }

    #[test]
    fn every_headline_has_a_definition_in_the_footnote() {
        let defs = definitions();
        assert_eq!(defs.len(), HEADLINES.len());
        assert!(defs.iter().all(|d| !d.text.is_empty()));
    }
}
