//! The records behind the toil KPIs: the period's toil reports, and the teams expected to send
//! them.

use std::collections::BTreeMap;

use super::{PopulationRow, RecordView};
use crate::domain::kpi::toil::{ToilReport, ToilStanding, toil_reports_in};
use crate::domain::kpi::{Period, ScopedInputs};

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
            let row = PopulationRow::new(RecordView::Team { team: team.clone() }, true, sent > 0)
                .value(Some(f64::from(sent)));
            if sent == 0 { row.note("no toil report counted in the period") } else { row }
        })
        .collect()
}
