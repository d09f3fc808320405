//! The records behind the team-practice KPIs: the period's toil reports and the teams expected
//! to send them; the period's mitigations and the failure modes met, with their remediation.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{PopulationRow, RecordView};
use crate::domain::kpi::incidents::incidents_mitigated_in;
use crate::domain::kpi::toil::{ToilReport, ToilStanding, toil_reports_in};
use crate::domain::kpi::{Period, ScopedInputs};
use crate::domain::records::{Automation, MitigatedBy};

impl From<&ToilReport> for RecordView {
    fn from(r: &ToilReport) -> Self {
        RecordView::ToilReport {
            team: r.team.clone(),
            period: r.span,
            period_start: r.period_start,
            hours_total: r.hours_total,
            hours_toil: r.hours_toil,
            category: r.category.clone(),
            method: r.method,
        }
    }
}

/// The population rule of the toil ratio, with the period's days.
pub(super) fn reports_filter(period: &Period) -> String {
    format!(
        "toil reports of the scope's teams counted in [{}, {}): a month by its first day, a week by its Thursday",
        period.first_day(),
        period.end_day()
    )
}

/// The population rule of toil reporting coverage.
pub(super) fn teams_filter(period: &Period) -> String {
    format!(
        "teams of the scope owning an active service; reported: a toil report counted in [{}, {})",
        period.first_day(),
        period.end_day()
    )
}

/// Each report counted in the period, with its own toil share; a week of a month its team
/// reported whole is listed, not counted.
pub(super) fn report_rows(period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    toil_reports_in(period, &inputs.toil_reports)
        .into_iter()
        .map(|(report, standing)| {
            let share = Some(report.hours_toil / report.hours_total);
            match standing {
                ToilStanding::Counted => PopulationRow::new(report, true, true).value(share),
                ToilStanding::CoveredByMonth => PopulationRow::new(report, false, false)
                    .value(share)
                    .note("the team reported this week's month as a whole: counted there"),
            }
        })
        .collect()
}

/// Each team expected to report, counted when it sent a report counted in the period.
pub(super) fn team_rows(period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    let collected = inputs.toil_history.iter().any(|r| period.contains_day(r.counted_day()));
    let mut reports: BTreeMap<&crate::domain::records::Slug, u32> = BTreeMap::new();
    for (report, standing) in toil_reports_in(period, &inputs.toil_reports) {
        if standing == ToilStanding::Counted {
            *reports.entry(&report.team).or_default() += 1;
        }
    }
    inputs
        .toil_teams
        .iter()
        .map(|team| {
            let sent = reports.get(team).copied().unwrap_or(0);
            if !collected {
                return PopulationRow::new(RecordView::Team { team: team.clone() }, false, false)
                    .note("no team reported toil in the period: not collected, no data");
            }
            let row = PopulationRow::new(RecordView::Team { team: team.clone() }, true, sent > 0)
                .value(Some(f64::from(sent)));
            if sent == 0 { row.note("no toil report counted in the period") } else { row }
        })
        .collect()
}

/// Each incident mitigated in the period, counted when automation mitigated it.
pub(super) fn mitigation_rows(period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    incidents_mitigated_in(period, &inputs.incidents)
        .into_iter()
        .map(|incident| match incident.mitigated_by {
            None => PopulationRow::new(incident, false, false).note("who mitigated it is not recorded: not judged"),
            Some(by) => PopulationRow::new(incident, true, by == MitigatedBy::Automation).note(match by {
                MitigatedBy::Automation => "mitigated by automation",
                MitigatedBy::Mixed => "mitigated by automation and people: not counted as automated",
                MitigatedBy::Human => "mitigated by people",
            }),
        })
        .collect()
}

/// Each failure mode met in the look-back, counted when its remediation is fully automated.
pub(super) fn failure_mode_rows(period: &Period, now: DateTime<Utc>, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    inputs
        .failure_modes(period, now)
        .into_iter()
        .map(|mode| {
            let counted = mode.is_fully_automated();
            let note = match mode.automation {
                None => "no remediation recorded",
                Some(Automation::None) => "remediated by hand",
                Some(Automation::Partial) => "partly automated",
                Some(Automation::Full) => "fully automated",
            };
            let incidents = f64::from(mode.incidents);
            let record = RecordView::FailureMode {
                service: mode.service,
                failure_mode: mode.failure_mode,
                incidents: mode.incidents,
                last_seen: mode.last_seen,
                automation: mode.automation,
                runbook_url: mode.runbook_url,
            };
            PopulationRow::new(record, true, counted).value(Some(incidents)).note(note)
        })
        .collect()
}

/// Each service-day of the population with its smallest headroom, counted when it kept its
/// tier's.
pub(super) fn headroom_rows(period: &Period, now: DateTime<Utc>, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    let as_of_day = period.as_of_day(now);
    crate::domain::kpi::capacity::judged_days(
        period,
        as_of_day,
        &inputs.services,
        &inputs.capacity_days,
        inputs.settings,
    )
    .into_iter()
    .map(|judged| {
        let record = RecordView::CapacityDay {
            service: judged.day.service.clone(),
            day: judged.day.day,
            resource: judged.day.resource.clone(),
            tier: judged.tier,
        };
        let note = format!("tier {} keeps {:.0} %", judged.tier, judged.required * 100.0);
        PopulationRow::new(record, true, judged.meets).value(Some(judged.day.headroom)).note(note)
    })
    .collect()
}
