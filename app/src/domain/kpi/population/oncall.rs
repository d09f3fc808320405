//! The records behind the on-call KPIs: the period's alerts (pages and the notifications that
//! paged nobody) and, for pages per shift, the shifts with the pages each took.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::{PopulationRow, RecordView, instant};
use crate::domain::kpi::oncall::{Alert, OncallShift, ShiftIndex, pages_of_shifts, time_to_acknowledge};
use crate::domain::kpi::{KpiId, Period, ScopedInputs};
use crate::domain::records::AlertDisposition;

impl From<&Alert> for RecordView {
    fn from(a: &Alert) -> Self {
        RecordView::Alert {
            id: a.key(),
            service: a.service.clone(),
            rule: a.rule.clone(),
            fired_at: a.fired_at,
            acknowledged_at: a.acknowledged_at,
            paged: a.paged,
            responder: a.responder.clone(),
            disposition: a.disposition,
        }
    }
}

impl From<&OncallShift> for RecordView {
    fn from(s: &OncallShift) -> Self {
        RecordView::Shift {
            team: s.team.clone(),
            schedule: s.schedule.clone(),
            person: s.person.clone(),
            starts_at: s.starts_at,
            ends_at: s.ends_at,
        }
    }
}

/// The population rule of the page-based KPIs, with the period's bounds.
pub(super) fn pages_filter(period: &Period) -> String {
    format!("alerts with paged set and fired_at in [{}, {})", instant(period.start()), instant(period.end()))
}

/// The population rule of pages per shift.
pub(super) fn shifts_filter(period: &Period) -> String {
    format!(
        "on-call shifts of the scope's teams with starts_at in [{}, {}); their pages to ends_at",
        instant(period.start()),
        instant(period.end())
    )
}

/// The period's alerts in firing order, each judged as `kpi` judges it.
pub(super) fn page_rows(kpi: KpiId, period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    sorted_alerts_in(period, inputs)
        .into_iter()
        .map(|alert| {
            if !alert.paged {
                return PopulationRow::new(alert, false, false).note("notified nobody: not a page");
            }
            let local = |at: DateTime<Utc>| {
                let zone = inputs.oncall.zone_of(alert, period);
                format!("{} {}", at.with_timezone(&zone).format("%a %H:%M"), zone.name())
            };
            match kpi {
                KpiId::AlertPrecision if !alert.is_reviewed() => {
                    PopulationRow::new(alert, false, false).note("unreviewed: not judged")
                }
                KpiId::AlertPrecision => {
                    PopulationRow::new(alert, true, alert.disposition == AlertDisposition::Actionable)
                        .note(alert.disposition.as_str().replace('_', " "))
                }
                KpiId::AlertDispositionCoverage => PopulationRow::new(alert, true, alert.is_reviewed()),
                KpiId::OffHoursPageShare => {
                    let off = inputs.oncall.hours.is_off_hours(alert.fired_at, inputs.oncall.zone_of(alert, period));
                    PopulationRow::new(alert, true, off).note(local(alert.fired_at))
                }
                KpiId::SleepHoursPageShare => {
                    let zone = inputs.oncall.zone_of(alert, period);
                    let asleep = inputs.oncall.hours.is_sleep_hours(alert.fired_at, zone);
                    PopulationRow::new(alert, true, asleep).note(local(alert.fired_at))
                }
                KpiId::PageMtta => match time_to_acknowledge(alert) {
                    Some(minutes) => PopulationRow::new(alert, true, true).value(Some(minutes)),
                    None => PopulationRow::new(alert, false, false).note("not acknowledged (or before it fired)"),
                },
                _ => PopulationRow::new(alert, true, true),
            }
        })
        .collect()
}

/// The scope's alerts fired in the period, in firing order.
fn sorted_alerts_in<'a>(period: &Period, inputs: &ScopedInputs<'a>) -> Vec<&'a Alert> {
    let (start, end) = (period.start(), period.end());
    let mut alerts: Vec<&Alert> =
        inputs.alerts.iter().copied().filter(|a| start <= a.fired_at && a.fired_at < end).collect();
    alerts.sort_by(|a, b| (a.fired_at, &a.source, &a.external_id).cmp(&(b.fired_at, &b.source, &b.external_id)));
    alerts
}

/// Each shift starting in the period with its pages, then the period's pages no such shift
/// took (and why).
pub(super) fn shift_rows(period: &Period, inputs: &ScopedInputs<'_>) -> Vec<PopulationRow> {
    let mut rows: Vec<PopulationRow> = pages_of_shifts(period, &inputs.alerts, &inputs.shifts)
        .into_iter()
        .map(|(shift, pages)| PopulationRow::new(shift, true, true).value(Some(pages as f64)))
        .collect();
    let (start, end) = (period.start(), period.end());
    let counted: HashSet<*const OncallShift> = inputs
        .shifts
        .iter()
        .filter(|s| start <= s.starts_at && s.starts_at < end)
        .map(|s| std::ptr::from_ref(*s))
        .collect();
    let index = ShiftIndex::new(&inputs.shifts);
    for alert in sorted_alerts_in(period, inputs).into_iter().filter(|a| a.paged) {
        let note = match index.shift_of(alert) {
            Some(shift) if counted.contains(&std::ptr::from_ref(shift)) => continue,
            Some(shift) => {
                format!("taken by {}'s shift from {}, before the period", shift.person, instant(shift.starts_at))
            }
            None => "no shift of its team covers it".to_owned(),
        };
        rows.push(PopulationRow::new(alert, false, false).note(note));
    }
    rows
}
