//! A drill-down as an evidence table (docs/kpis.md): per KPI the columns a reader needs, in the
//! order they read them — the record's identifier and title, then the timestamps and figures the
//! definition uses, then whether it is in the population, whether it counts, its own value and a
//! note in words. The drill-down page and its CSV download are both made from this table, so they
//! list the same records with the same columns.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use super::population::{Population, RecordView};
use super::{DurationStats, KpiId, KpiValues};
use crate::domain::format::{Unit, format_minutes, format_value, instant};

/// One typed cell: the page writes it for reading, the CSV for machines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Cell {
    Text(String),
    /// A service slug; the page links it to the service.
    Service(String),
    Instant(DateTime<Utc>),
    Day(NaiveDate),
    Minutes(f64),
    /// A fraction, read as a percentage.
    Fraction(f64),
    Days(f64),
    Number(f64),
    /// Money per unit, read by its significant digits (`0.000213`).
    Amount(f64),
    YesNo(bool),
    Missing,
}

/// A number with at most `decimals` decimals and no trailing zeros.
fn trimmed(value: f64, decimals: usize) -> String {
    let text = format!("{value:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
}

/// A record's duration to the minute (`3 h 17 min`, `2 d 4 h 5 min`), so a reader can re-perform
/// the KPI from the rows; the rounded `format_minutes` is for aggregates.
fn exact_duration(minutes: f64) -> String {
    if !minutes.is_finite() {
        return "—".to_owned();
    }
    let sign = if minutes < 0.0 { "−" } else { "" };
    let total = minutes.abs().round() as i64;
    let (days, hours, mins) = (total / 1440, total % 1440 / 60, total % 60);
    let parts: Vec<String> = [(days, "d"), (hours, "h"), (mins, "min")]
        .iter()
        .skip_while(|(n, _)| *n == 0)
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n} {unit}"))
        .collect();
    if parts.is_empty() { "0 min".to_owned() } else { format!("{sign}{}", parts.join(" ")) }
}

impl Cell {
    /// For reading: `2026-08-15 08:28 UTC`, `1 h 37 min`, `99.982 %`, `12 days`, `yes`.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(text) | Cell::Service(text) => text.clone(),
            Cell::Instant(at) => instant(*at),
            Cell::Day(day) => day.to_string(),
            Cell::Minutes(minutes) => exact_duration(*minutes),
            Cell::Fraction(value) => format!("{} %", trimmed(value * 100.0, 3)),
            Cell::Days(days) if (*days - 1.0).abs() < f64::EPSILON => "1 day".to_owned(),
            Cell::Days(days) => format!("{} days", trimmed(*days, 1)),
            Cell::Number(value) => trimmed(*value, 2),
            Cell::Amount(value) => crate::domain::format::format_amount(*value),
            Cell::YesNo(true) => "yes".to_owned(),
            Cell::YesNo(false) => "no".to_owned(),
            Cell::Missing => "—".to_owned(),
        }
    }

    /// For a CSV: RFC 3339 instants, plain numbers (minutes, days, fractions), `true`/`false`, and
    /// an empty cell for a missing value.
    pub fn csv(&self) -> String {
        match self {
            Cell::Text(text) | Cell::Service(text) => text.clone(),
            Cell::Instant(at) => at.to_rfc3339_opts(SecondsFormat::Secs, true),
            Cell::Day(day) => day.to_string(),
            Cell::Minutes(v) | Cell::Fraction(v) | Cell::Days(v) | Cell::Number(v) | Cell::Amount(v) => v.to_string(),
            Cell::YesNo(value) => value.to_string(),
            Cell::Missing => String::new(),
        }
    }

    fn number(&self) -> Option<f64> {
        match self {
            Cell::Minutes(v) | Cell::Fraction(v) | Cell::Days(v) | Cell::Number(v) | Cell::Amount(v) => Some(*v),
            _ => None,
        }
    }

    /// Ordering for a sorted column: numbers by value, instants and days in time, text by
    /// text; a missing value sorts last either way (`sort_rows` keeps it there).
    fn compare(&self, other: &Cell) -> Ordering {
        match (self, other) {
            (Cell::Missing, Cell::Missing) => Ordering::Equal,
            (Cell::Missing, _) => Ordering::Greater,
            (_, Cell::Missing) => Ordering::Less,
            (Cell::Instant(a), Cell::Instant(b)) => a.cmp(b),
            (Cell::Day(a), Cell::Day(b)) => a.cmp(b),
            (Cell::YesNo(a), Cell::YesNo(b)) => a.cmp(b),
            (a, b) => match (a.number(), b.number()) {
                (Some(x), Some(y)) => x.total_cmp(&y),
                _ => a.text().to_lowercase().cmp(&b.text().to_lowercase()),
            },
        }
    }
}

/// A column heading, and whether its values are numbers (aligned right).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Column {
    pub title: String,
    pub numeric: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRow {
    pub cells: Vec<Cell>,
    pub included: bool,
    pub counted: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopulationTable {
    pub columns: Vec<Column>,
    pub rows: Vec<TableRow>,
}

/// What the KPI data does not hold but a reader needs: titles and owners, by external id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RecordDetails {
    pub incident_titles: HashMap<String, String>,
    /// Action external id → (title, owner).
    pub actions: HashMap<String, (String, Option<String>)>,
    pub dr_scenarios: HashMap<String, String>,
}

/// A field a column shows, read from any record (a record without it gives `Missing`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Record,
    Id,
    Title,
    Owner,
    Severity,
    Services,
    Started,
    Detected,
    Acknowledged,
    Mitigated,
    Resolved,
    ImpactMinutes,
    DataLoss,
    RootCause,
    RepeatOf,
    PostmortemPublished,
    Slo,
    Indicator,
    Objective,
    Window,
    Incident,
    Due,
    Status,
    Completed,
    Performed,
    Outcome,
    RtoTarget,
    RtoAchieved,
    RpoTarget,
    RpoAchieved,
    Deployed,
    Team,
    Tier,
    Rule,
    Fired,
    Paged,
    Responder,
    Disposition,
    Schedule,
    Person,
    Starts,
    Ends,
    Span,
    PeriodStart,
    HoursTotal,
    HoursToil,
    Category,
    Method,
    MitigatedBy,
    Day,
    Resource,
    FailureMode,
    Automation,
    LastSeen,
    Month,
    Amount,
    Currency,
    UnitDriver,
    Units,
    Score,
}

impl Field {
    fn title(self) -> &'static str {
        match self {
            Field::Record => "Record",
            Field::Id => "ID",
            Field::Title => "Title",
            Field::Owner => "Owner",
            Field::Severity => "Severity",
            Field::Services => "Service",
            Field::Started => "Started",
            Field::Detected => "Detected",
            Field::Acknowledged => "Acknowledged",
            Field::Mitigated => "Mitigated",
            Field::Resolved => "Resolved",
            Field::ImpactMinutes => "Reported impact",
            Field::DataLoss => "Data lost",
            Field::RootCause => "Root cause",
            Field::RepeatOf => "Repeat of",
            Field::PostmortemPublished => "Postmortem published",
            Field::Slo => "SLO",
            Field::Indicator => "Measures",
            Field::Objective => "Objective",
            Field::Window => "Window",
            Field::Incident => "Incident",
            Field::Due => "Due",
            Field::Status => "Status",
            Field::Completed => "Completed",
            Field::Performed => "Performed",
            Field::Outcome => "Outcome",
            Field::RtoTarget => "RTO target",
            Field::RtoAchieved => "RTO achieved",
            Field::RpoTarget => "RPO target",
            Field::RpoAchieved => "RPO achieved",
            Field::Deployed => "Deployed",
            Field::Team => "Team",
            Field::Tier => "Tier",
            Field::Rule => "Rule",
            Field::Fired => "Fired",
            Field::Paged => "Paged",
            Field::Responder => "Responder",
            Field::Disposition => "Disposition",
            Field::Schedule => "Schedule",
            Field::Person => "Person",
            Field::Starts => "Starts",
            Field::Ends => "Ends",
            Field::Span => "Period",
            Field::PeriodStart => "From",
            Field::HoursTotal => "Hours worked",
            Field::HoursToil => "Hours of toil",
            Field::Category => "Category",
            Field::Method => "Method",
            Field::MitigatedBy => "Mitigated by",
            Field::Day => "Day",
            Field::Resource => "Resource",
            Field::FailureMode => "Failure mode",
            Field::Automation => "Automation",
            Field::LastSeen => "Last seen",
            Field::Month => "Month",
            Field::Amount => "Amount",
            Field::Currency => "Currency",
            Field::UnitDriver => "Unit driver",
            Field::Units => "Units",
            Field::Score => "Score",
        }
    }

    fn numeric(self) -> bool {
        matches!(
            self,
            Field::ImpactMinutes
                | Field::DataLoss
                | Field::Objective
                | Field::Window
                | Field::RtoTarget
                | Field::RtoAchieved
                | Field::RpoTarget
                | Field::RpoAchieved
                | Field::Tier
                | Field::HoursTotal
                | Field::HoursToil
                | Field::Amount
                | Field::Units
                | Field::Score
        )
    }

    fn read(self, record: &RecordView, details: &RecordDetails) -> Cell {
        let text = |t: &str| Cell::Text(t.to_owned());
        let maybe = |t: &Option<String>| t.as_deref().filter(|t| !t.trim().is_empty()).map_or(Cell::Missing, text);
        let at = |t: &Option<DateTime<Utc>>| t.map_or(Cell::Missing, Cell::Instant);
        let minutes = |m: &Option<i64>| m.map_or(Cell::Missing, |m| Cell::Minutes(m as f64));
        match (self, record) {
            (Field::Record, RecordView::Incident { .. }) => text("incident"),
            (Field::Record, RecordView::Slo { .. }) => text("SLO"),
            (Field::Record, RecordView::Action { .. }) => text("action"),
            (Field::Record, RecordView::DrTest { .. }) => text("DR test"),
            (Field::Record, RecordView::Deployment { .. }) => text("deployment"),
            (Field::Record, RecordView::Service { .. }) => text("service"),
            (Field::Record, RecordView::Alert { .. }) => text("alert"),
            (Field::Record, RecordView::Shift { .. }) => text("shift"),
            (Field::Record, RecordView::ToilReport { .. }) => text("toil report"),
            (Field::Record, RecordView::Team { .. }) => text("team"),
            (Field::Record, RecordView::FailureMode { .. }) => text("failure mode"),
            (Field::Record, RecordView::CapacityDay { .. }) => text("service-day"),
            (Field::Record, RecordView::Cost { .. }) => text("cost"),
            (Field::Record, RecordView::ScoreCount { .. }) => text("score"),
            (Field::Score, RecordView::ScoreCount { score, .. }) => Cell::Number(f64::from(*score)),
            (Field::Services, RecordView::Cost { service, .. }) => Cell::Service(service.as_str().to_owned()),
            (Field::Month, RecordView::Cost { month, .. }) => text(&month.format("%Y-%m").to_string()),
            (Field::Amount, RecordView::Cost { amount, .. }) => Cell::Number(*amount),
            (Field::Currency, RecordView::Cost { currency, .. }) => text(currency),
            (Field::UnitDriver, RecordView::Cost { unit_driver, .. }) => text(unit_driver),
            (Field::Units, RecordView::Cost { units, .. }) => Cell::Number(*units),
            (Field::Services, RecordView::CapacityDay { service, .. }) => Cell::Service(service.as_str().to_owned()),
            (Field::Tier, RecordView::CapacityDay { tier, .. }) => Cell::Number(f64::from(*tier)),
            (Field::Day, RecordView::CapacityDay { day, .. }) => Cell::Day(*day),
            (Field::Resource, RecordView::CapacityDay { resource, .. }) => text(resource),
            (Field::MitigatedBy, RecordView::Incident { mitigated_by, .. }) => {
                mitigated_by.map_or(Cell::Missing, |by| text(by.as_str()))
            }
            (Field::Services, RecordView::FailureMode { service, .. }) => Cell::Service(service.as_str().to_owned()),
            (Field::FailureMode, RecordView::FailureMode { failure_mode, .. }) => text(failure_mode),
            (Field::Automation, RecordView::FailureMode { automation, .. }) => {
                automation.map_or(Cell::Missing, |a| text(a.as_str()))
            }
            (Field::LastSeen, RecordView::FailureMode { last_seen, .. }) => Cell::Instant(*last_seen),
            (Field::Id, RecordView::Incident { id, .. })
            | (Field::Id, RecordView::Action { id, .. })
            | (Field::Id, RecordView::DrTest { id, .. })
            | (Field::Id, RecordView::Deployment { id, .. })
            | (Field::Id, RecordView::Alert { id, .. }) => text(id),
            (Field::Id, RecordView::Slo { slo, .. }) => text(slo.as_str()),
            (Field::Title, RecordView::Incident { id, .. }) => maybe(&details.incident_titles.get(id).cloned()),
            (Field::Title, RecordView::Action { id, .. }) => maybe(&details.actions.get(id).map(|a| a.0.clone())),
            (Field::Title, RecordView::DrTest { id, .. }) => maybe(&details.dr_scenarios.get(id).cloned()),
            (Field::Owner, RecordView::Action { id, .. }) => maybe(&details.actions.get(id).and_then(|a| a.1.clone())),
            (Field::Severity, RecordView::Incident { severity, .. }) => text(severity.as_str()),
            (Field::Services, RecordView::Incident { services, .. }) => match services.as_slice() {
                [one] => Cell::Service(one.as_str().to_owned()),
                [] => Cell::Missing,
                many => text(&many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")),
            },
            (Field::Services, RecordView::Slo { service, .. })
            | (Field::Services, RecordView::Action { service, .. })
            | (Field::Services, RecordView::DrTest { service, .. })
            | (Field::Services, RecordView::Deployment { service, .. })
            | (Field::Services, RecordView::Alert { service, .. })
            | (Field::Services, RecordView::Service { slug: service, .. }) => {
                Cell::Service(service.as_str().to_owned())
            }
            (Field::Started, RecordView::Incident { started_at, .. }) => Cell::Instant(*started_at),
            (Field::Detected, RecordView::Incident { detected_at, .. }) => at(detected_at),
            (Field::Acknowledged, RecordView::Incident { acknowledged_at, .. }) => at(acknowledged_at),
            (Field::Mitigated, RecordView::Incident { mitigated_at, .. }) => at(mitigated_at),
            (Field::Resolved, RecordView::Incident { resolved_at, .. }) => at(resolved_at),
            (Field::ImpactMinutes, RecordView::Incident { customer_impact_minutes, .. }) => {
                minutes(customer_impact_minutes)
            }
            (Field::DataLoss, RecordView::Incident { data_loss_minutes, .. }) => minutes(data_loss_minutes),
            (Field::RootCause, RecordView::Incident { root_cause_category, .. }) => maybe(root_cause_category),
            (Field::RepeatOf, RecordView::Incident { repeat_of, .. }) => maybe(repeat_of),
            (Field::PostmortemPublished, RecordView::Incident { postmortem_published_at, .. }) => {
                at(postmortem_published_at)
            }
            (Field::Slo, RecordView::Slo { slo, .. }) => text(slo.as_str()),
            (Field::Indicator, RecordView::Slo { indicator, threshold_ms, .. }) => {
                text(&super::slo_measures(*indicator, *threshold_ms))
            }
            (Field::Objective, RecordView::Slo { objective, .. }) => Cell::Fraction(objective / 100.0),
            (Field::Window, RecordView::Slo { calendar_window: Some(words), .. }) => text(words),
            (Field::Window, RecordView::Slo { window_days, .. }) => Cell::Days(f64::from(*window_days)),
            (Field::Incident, RecordView::Action { incident, .. })
            | (Field::Incident, RecordView::Deployment { incident, .. }) => maybe(incident),
            (Field::Due, RecordView::Action { due_date, .. }) => due_date.map_or(Cell::Missing, Cell::Day),
            (Field::Status, RecordView::Action { status, .. }) => text(&status.as_str().replace('_', " ")),
            (Field::Completed, RecordView::Action { completed_at, .. }) => at(completed_at),
            (Field::Performed, RecordView::DrTest { performed_at, .. }) => Cell::Instant(*performed_at),
            (Field::Outcome, RecordView::DrTest { outcome, .. }) => text(outcome.as_str()),
            (Field::Outcome, RecordView::Deployment { outcome, .. }) => text(&outcome.as_str().replace('_', " ")),
            (Field::RtoTarget, RecordView::DrTest { rto_target_minutes, .. }) => minutes(rto_target_minutes),
            (Field::RtoAchieved, RecordView::DrTest { rto_achieved_minutes, .. }) => minutes(rto_achieved_minutes),
            (Field::RpoTarget, RecordView::DrTest { rpo_target_minutes, .. }) => minutes(rpo_target_minutes),
            (Field::RpoAchieved, RecordView::DrTest { rpo_achieved_minutes, .. }) => minutes(rpo_achieved_minutes),
            (Field::Deployed, RecordView::Deployment { deployed_at, .. }) => Cell::Instant(*deployed_at),
            (Field::Team, RecordView::Service { team, .. })
            | (Field::Team, RecordView::Shift { team, .. })
            | (Field::Team, RecordView::ToilReport { team, .. })
            | (Field::Team, RecordView::Team { team }) => text(team.as_str()),
            (Field::Span, RecordView::ToilReport { period, .. }) => text(period.as_str()),
            (Field::PeriodStart, RecordView::ToilReport { period_start, .. }) => Cell::Day(*period_start),
            (Field::HoursTotal, RecordView::ToilReport { hours_total, .. }) => Cell::Number(*hours_total),
            (Field::HoursToil, RecordView::ToilReport { hours_toil, .. }) => Cell::Number(*hours_toil),
            (Field::Category, RecordView::ToilReport { category, .. }) => maybe(category),
            (Field::Method, RecordView::ToilReport { method, .. }) => text(&method.as_str().replace('_', " ")),
            (Field::Rule, RecordView::Alert { rule, .. }) => text(rule),
            (Field::Fired, RecordView::Alert { fired_at, .. }) => Cell::Instant(*fired_at),
            (Field::Acknowledged, RecordView::Alert { acknowledged_at, .. }) => at(acknowledged_at),
            (Field::Paged, RecordView::Alert { paged, .. }) => Cell::YesNo(*paged),
            (Field::Responder, RecordView::Alert { responder, .. }) => maybe(responder),
            (Field::Disposition, RecordView::Alert { disposition, .. }) => {
                text(&disposition.as_str().replace('_', " "))
            }
            (Field::Schedule, RecordView::Shift { schedule, .. }) => text(schedule),
            (Field::Person, RecordView::Shift { person, .. }) => text(person),
            (Field::Starts, RecordView::Shift { starts_at, .. }) => Cell::Instant(*starts_at),
            (Field::Ends, RecordView::Shift { ends_at, .. }) => Cell::Instant(*ends_at),
            (Field::Tier, RecordView::Service { tier, .. }) => Cell::Number(f64::from(*tier)),
            _ => Cell::Missing,
        }
    }
}

/// The record columns a KPI's drill-down shows, in reading order.
fn fields(kpi: KpiId) -> Vec<Field> {
    use Field::*;
    let incident = |rest: &[Field]| [&[Id, Title, Severity, Services][..], rest].concat();
    let action = vec![Id, Title, Owner, Services, Incident, Due, Status, Completed];
    let slo = vec![Services, Slo, Indicator, Objective, Window];
    let dr = |rest: &[Field]| [&[Id, Title, Services, Performed, Outcome][..], rest].concat();
    match kpi {
        KpiId::SloAttainment
        | KpiId::SloMetRate
        | KpiId::ErrorBudgetRemaining
        | KpiId::BudgetExhaustedCount
        | KpiId::BurnRate => slo,
        KpiId::SloCoverage | KpiId::DrCoverage => vec![Services, Team, Tier],
        KpiId::HighSevCount | KpiId::IncidentCount => incident(&[Started, Mitigated]),
        KpiId::CustomerImpactMinutes => incident(&[Started, Mitigated, ImpactMinutes]),
        KpiId::Mttd => incident(&[Started, Detected]),
        KpiId::Mtta => incident(&[Detected, Acknowledged]),
        KpiId::Mttr => incident(&[Detected, Mitigated]),
        KpiId::ImpactDuration => incident(&[Started, Mitigated]),
        KpiId::TimeToResolve => incident(&[Started, Resolved]),
        KpiId::RepeatIncidentRate | KpiId::RepeatsAfterActionsDone => incident(&[Started, RootCause, RepeatOf]),
        KpiId::PostmortemCoverage => incident(&[Mitigated, PostmortemPublished]),
        KpiId::ActionOnTimeRate | KpiId::OverdueActions => action,
        KpiId::DrPassRate => dr(&[]),
        KpiId::RtoCompliance => dr(&[RtoTarget, RtoAchieved]),
        KpiId::RpoCompliance => dr(&[RpoTarget, RpoAchieved]),
        KpiId::RestoresWithinRto => incident(&[Started, Mitigated]),
        KpiId::DataLossWithinRpo => incident(&[Started, DataLoss]),
        KpiId::ChangeFailureRate | KpiId::DeploymentFrequency => vec![Id, Services, Deployed, Outcome, Incident],
        KpiId::PageCount
        | KpiId::AlertPrecision
        | KpiId::AlertDispositionCoverage
        | KpiId::OffHoursPageShare
        | KpiId::SleepHoursPageShare
        | KpiId::NoisiestRules => vec![Id, Services, Rule, Fired, Paged, Disposition],
        KpiId::PageMtta => vec![Id, Services, Rule, Fired, Acknowledged, Responder],
        KpiId::PagesPerShift => vec![Record, Team, Schedule, Person, Starts, Ends, Id, Services, Rule, Fired],
        KpiId::CapacityHeadroomCompliance => vec![Services, Tier, Day, Resource],
        KpiId::AutomatedMitigationShare => incident(&[Started, Mitigated, MitigatedBy]),
        KpiId::FailureModesAutomated => vec![Services, FailureMode, Automation, LastSeen],
        KpiId::ToilRatio => vec![Team, Span, PeriodStart, HoursTotal, HoursToil, Category, Method],
        KpiId::ToilReportingCoverage => vec![Team],
        KpiId::UnitCost => vec![Currency, UnitDriver, Services, Month, Amount, Units],
        KpiId::StakeholderSatisfaction => vec![Score],
        KpiId::DataQuality => vec![Record, Id, Title, Services],
    }
}

/// How a row's own figure is read: as minutes, a fraction, days or a plain number.
type ReadValue = fn(f64) -> Cell;

/// The heading of a row's own figure for a KPI, and how to read it; `None` when rows have none.
fn row_value(kpi: KpiId) -> Option<(&'static str, ReadValue)> {
    match kpi {
        KpiId::SloAttainment | KpiId::SloMetRate => Some(("Attainment", Cell::Fraction)),
        KpiId::ErrorBudgetRemaining | KpiId::BudgetExhaustedCount => Some(("Budget left", Cell::Fraction)),
        KpiId::BurnRate => Some(("Burn rate", Cell::Number)),
        KpiId::CustomerImpactMinutes => Some(("Impact counted", Cell::Minutes)),
        KpiId::Mttd | KpiId::Mtta | KpiId::Mttr | KpiId::ImpactDuration | KpiId::TimeToResolve => {
            Some(("Duration", Cell::Minutes))
        }
        KpiId::OverdueActions => Some(("Overdue by", Cell::Days)),
        KpiId::PageMtta => Some(("To acknowledge", Cell::Minutes)),
        KpiId::RestoresWithinRto => Some(("Time to recover", Cell::Minutes)),
        KpiId::PagesPerShift => Some(("Pages", Cell::Number)),
        KpiId::FailureModesAutomated => Some(("Incidents", Cell::Number)),
        KpiId::CapacityHeadroomCompliance => Some(("Headroom", Cell::Fraction)),
        KpiId::ToilRatio => Some(("Toil share", Cell::Fraction)),
        KpiId::ToilReportingCoverage => Some(("Reports", Cell::Number)),
        KpiId::UnitCost => Some(("Unit cost", Cell::Amount)),
        KpiId::StakeholderSatisfaction => Some(("Responses", Cell::Number)),
        _ => None,
    }
}

/// A note the KPI code writes as a key, in words.
fn note_in_words(note: &str) -> String {
    match note {
        "days_1_30" => "1–30 days overdue".to_owned(),
        "days_31_90" => "31–90 days overdue".to_owned(),
        "days_over_90" => "more than 90 days overdue".to_owned(),
        "incident_timestamps" => "SEV0–1 incident: needs detected and mitigated times".to_owned(),
        "slo_data" => "active SLO: needs measurements in the period".to_owned(),
        "action_due_dates" => "action of an incident started in the period: needs a due date".to_owned(),
        other => other.to_owned(),
    }
}

/// The population as a table with the KPI's columns; rows in the population's order.
pub fn population_table(population: &Population, details: &RecordDetails) -> PopulationTable {
    let fields = fields(population.kpi);
    let value = row_value(population.kpi);
    let mut columns: Vec<Column> =
        fields.iter().map(|f| Column { title: f.title().to_owned(), numeric: f.numeric() }).collect();
    columns.push(Column { title: "In population".to_owned(), numeric: false });
    columns.push(Column { title: "Counted".to_owned(), numeric: false });
    if let Some((title, _)) = value {
        columns.push(Column { title: title.to_owned(), numeric: true });
    }
    columns.push(Column { title: "Note".to_owned(), numeric: false });
    let rows = population
        .rows
        .iter()
        .map(|row| {
            let mut cells: Vec<Cell> = fields.iter().map(|f| f.read(&row.record, details)).collect();
            cells.push(Cell::YesNo(row.included));
            cells.push(Cell::YesNo(row.counted));
            if let Some((_, read)) = value {
                cells.push(row.value.map_or(Cell::Missing, read));
            }
            cells.push(row.note.as_deref().map_or(Cell::Missing, |n| Cell::Text(note_in_words(n))));
            TableRow { cells, included: row.included, counted: row.counted }
        })
        .collect();
    PopulationTable { columns, rows }
}

/// The KPI's value for the drill-down's heading, in words, and its parts (buckets, severities,
/// statistics) when it has them. "no data" is never written as 0.
pub fn value_in_words(kpi: KpiId, values: &KpiValues) -> (String, Option<String>) {
    let fraction = |v: Option<f64>| v.map_or_else(|| "no data".to_owned(), |v| format_value(Unit::Fraction, Some(v)));
    let duration = |stats: &Option<DurationStats>| match stats {
        None => ("no data".to_owned(), None),
        Some(s) => (
            format!("median {}", format_minutes(s.median)),
            Some(format!(
                "mean {}, 90th percentile {}, {} incident{}",
                format_minutes(s.mean),
                format_minutes(s.p90),
                s.count,
                if s.count == 1 { "" } else { "s" }
            )),
        ),
    };
    let per_slo = || ("one value per SLO, in the table".to_owned(), None);
    match kpi {
        KpiId::SloAttainment | KpiId::ErrorBudgetRemaining | KpiId::BurnRate => per_slo(),
        KpiId::SloMetRate => (fraction(values.slo_met_rate), None),
        KpiId::SloCoverage => (fraction(values.slo_coverage), None),
        KpiId::RepeatIncidentRate => (fraction(values.repeat_incident_rate), None),
        KpiId::RepeatsAfterActionsDone => (fraction(values.repeats_after_actions_done), None),
        KpiId::PostmortemCoverage => (fraction(values.postmortem_coverage), None),
        KpiId::ActionOnTimeRate => (fraction(values.action_on_time_rate), None),
        KpiId::DrPassRate => (fraction(values.dr_pass_rate), None),
        KpiId::RtoCompliance => (fraction(values.rto_compliance), None),
        KpiId::RpoCompliance => (fraction(values.rpo_compliance), None),
        KpiId::DrCoverage => (fraction(values.dr_coverage), None),
        KpiId::RestoresWithinRto => (fraction(values.restores_within_rto), None),
        KpiId::DataLossWithinRpo => (fraction(values.data_loss_within_rpo), None),
        KpiId::CapacityHeadroomCompliance => (fraction(values.capacity_headroom_compliance), None),
        KpiId::AutomatedMitigationShare => (fraction(values.automated_mitigation_share), None),
        KpiId::FailureModesAutomated => (fraction(values.failure_modes_automated), None),
        KpiId::ToilRatio => (fraction(values.toil_ratio), None),
        KpiId::ToilReportingCoverage => (fraction(values.toil_reporting_coverage), None),
        KpiId::ChangeFailureRate => (fraction(values.change_failure_rate), None),
        KpiId::BudgetExhaustedCount => (values.budget_exhausted_count.to_string(), None),
        KpiId::HighSevCount => (values.high_sev_count.to_string(), None),
        KpiId::IncidentCount => {
            let total: u64 = values.incident_count.values().sum();
            let parts: Vec<String> =
                values.incident_count.iter().map(|(severity, n)| format!("{}: {n}", severity.as_str())).collect();
            (total.to_string(), (!parts.is_empty()).then(|| parts.join(", ")))
        }
        KpiId::CustomerImpactMinutes => (format_minutes(values.customer_impact_minutes), None),
        KpiId::Mttd => duration(&values.mttd),
        KpiId::Mtta => duration(&values.mtta),
        KpiId::Mttr => duration(&values.mttr),
        KpiId::ImpactDuration => duration(&values.impact_duration),
        KpiId::TimeToResolve => duration(&values.time_to_resolve),
        KpiId::OverdueActions => {
            let o = &values.overdue_actions;
            let parts = format!(
                "1–30 days: {}, 31–90 days: {}, more than 90 days: {}",
                o.days_1_30, o.days_31_90, o.days_over_90
            );
            (o.count.to_string(), Some(parts))
        }
        KpiId::DeploymentFrequency => (
            values.deployment_frequency.map_or_else(|| "no data".to_owned(), |v| format_value(Unit::PerWeek, Some(v))),
            None,
        ),
        KpiId::PageCount => (values.page_count.to_string(), None),
        KpiId::AlertPrecision => (fraction(values.alert_precision), None),
        KpiId::AlertDispositionCoverage => (fraction(values.alert_disposition_coverage), None),
        KpiId::OffHoursPageShare => (fraction(values.off_hours_page_share), None),
        KpiId::SleepHoursPageShare => (fraction(values.sleep_hours_page_share), None),
        KpiId::PageMtta => match &values.page_mtta {
            None => ("no data".to_owned(), None),
            Some(s) => (
                format!("median {}", format_minutes(s.median)),
                Some(format!(
                    "mean {}, 90th percentile {}, {} page{}",
                    format_minutes(s.mean),
                    format_minutes(s.p90),
                    s.count,
                    if s.count == 1 { "" } else { "s" }
                )),
            ),
        },
        KpiId::PagesPerShift => match &values.pages_per_shift {
            None => ("no data".to_owned(), None),
            Some(load) => (
                format!("median {}", trimmed(load.median, 1)),
                Some(format!(
                    "mean {}, 90th percentile {}, {} pages over {} shift{}",
                    trimmed(load.mean, 2),
                    trimmed(load.p90, 1),
                    load.pages,
                    load.shifts,
                    if load.shifts == 1 { "" } else { "s" }
                )),
            ),
        },
        KpiId::NoisiestRules => {
            let rules: Vec<String> = values
                .noisiest_rules
                .iter()
                .map(|r| format!("{}: {} pages, precision {}", r.rule, r.pages, fraction(r.precision)))
                .collect();
            match rules.is_empty() {
                true => ("no pages".to_owned(), None),
                false => {
                    (format!("{} rule{}", rules.len(), if rules.len() == 1 { "" } else { "s" }), Some(rules.join("; ")))
                }
            }
        }
        KpiId::UnitCost => match values.unit_cost.as_slice() {
            [] => ("no data".to_owned(), None),
            groups => {
                let per_unit = |g: &super::UnitCost| {
                    let cost = g.unit_cost().map_or_else(|| "—".to_owned(), crate::domain::format::format_amount);
                    format!("{} {cost} per {}", g.currency, g.unit_driver)
                };
                let each: Vec<String> = groups
                    .iter()
                    .map(|g| {
                        format!(
                            "{} ({} {} over {} units)",
                            per_unit(g),
                            g.currency,
                            trimmed(g.amount, 2),
                            trimmed(g.units, 2)
                        )
                    })
                    .collect();
                let heading = match groups {
                    [one] => per_unit(one),
                    many => format!("{} unit costs, one per currency and driver", many.len()),
                };
                (heading, Some(each.join("; ")))
            }
        },
        KpiId::StakeholderSatisfaction => {
            let s = &values.stakeholder_satisfaction;
            let responses = format!("{} response{}", s.responses, if s.responses == 1 { "" } else { "s" });
            match s.mean {
                Some(mean) => (format_value(Unit::Score, Some(mean)), Some(responses)),
                None if s.responses == 0 => ("no data".to_owned(), None),
                None => (
                    "withheld".to_owned(),
                    Some(format!("{responses}: fewer than the {} a mean is shown for", s.minimum)),
                ),
            }
        }
        KpiId::DataQuality => {
            let q = &values.data_quality;
            let parts = format!(
                "incident timestamps: {}, SLO data: {}, action due dates: {}",
                fraction(q.incident_timestamps),
                fraction(q.slo_data),
                fraction(q.action_due_dates)
            );
            ("three completeness rates".to_owned(), Some(parts))
        }
    }
}

/// How a table is sorted: a column, and whether descending. Parsed from `3` or `-3` (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortOrder {
    pub column: usize,
    pub descending: bool,
}

impl SortOrder {
    /// `None` for anything but a column number of the table, optionally with a leading `-`.
    pub fn parse(text: &str, columns: usize) -> Option<SortOrder> {
        let (descending, number) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let column = number.parse::<usize>().ok()?.checked_sub(1)?;
        (column < columns).then_some(SortOrder { column, descending })
    }

    /// The parameter value giving this order.
    pub fn param(self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.column + 1)
    }
}

impl PopulationTable {
    /// Sorts the rows by one column (stable: equal values keep the population's order); missing
    /// values stay last in both directions.
    pub fn sort(&mut self, order: SortOrder) {
        let column = order.column;
        self.rows.sort_by(|a, b| {
            let (x, y) = (a.cells.get(column).unwrap_or(&Cell::Missing), b.cells.get(column).unwrap_or(&Cell::Missing));
            match (x, y) {
                (Cell::Missing, _) | (_, Cell::Missing) => x.compare(y),
                _ if order.descending => y.compare(x),
                _ => x.compare(y),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::population::PopulationRow;
    use crate::domain::records::{Severity, Slug};

    fn incident(id: &str, minutes: Option<f64>) -> PopulationRow {
        let started = DateTime::parse_from_rfc3339("2026-08-15T08:28:00Z").map(|t| t.with_timezone(&Utc)).ok();
        PopulationRow {
            record: RecordView::Incident {
                id: id.to_owned(),
                severity: Severity::Sev1,
                services: vec![Slug::parse("checkout").expect("slug")],
                started_at: started.unwrap_or_default(),
                detected_at: started,
                acknowledged_at: None,
                mitigated_at: None,
                resolved_at: None,
                customer_impacting: true,
                customer_impact_minutes: None,
                data_loss_minutes: None,
                mitigated_by: None,
                root_cause_category: None,
                repeat_of: None,
                postmortem_published_at: None,
            },
            included: minutes.is_some(),
            counted: minutes.is_some(),
            value: minutes,
            note: None,
        }
    }

    fn mttr(rows: Vec<PopulationRow>) -> Population {
        Population { kpi: KpiId::Mttr, definition: "", filter: String::new(), rows }
    }

    #[test]
    fn a_duration_drill_down_reads_id_title_and_the_two_timestamps_first() {
        let details = RecordDetails {
            incident_titles: [("INC-1".to_owned(), "Checkout down".to_owned())].into(),
            ..Default::default()
        };
        let table = population_table(&mttr(vec![incident("INC-1", Some(197.311_111))]), &details);
        let titles: Vec<&str> = table.columns.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "ID",
                "Title",
                "Severity",
                "Service",
                "Detected",
                "Mitigated",
                "In population",
                "Counted",
                "Duration",
                "Note"
            ]
        );
        let texts: Vec<String> = table.rows[0].cells.iter().map(Cell::text).collect();
        assert_eq!(
            texts,
            [
                "INC-1",
                "Checkout down",
                "SEV1",
                "checkout",
                "2026-08-15 08:28 UTC",
                "—",
                "yes",
                "yes",
                "3 h 17 min",
                "—"
            ]
        );
        assert_eq!(table.rows[0].cells[8].csv(), "197.311111");
        assert_eq!(table.rows[0].cells[4].csv(), "2026-08-15T08:28:00Z");
    }

    #[test]
    fn sorting_keeps_missing_values_last_both_ways() {
        let population = mttr(vec![incident("A", Some(5.0)), incident("B", None), incident("C", Some(50.0))]);
        let mut table = population_table(&population, &RecordDetails::default());
        let ids = |t: &PopulationTable| t.rows.iter().map(|r| r.cells[0].text()).collect::<Vec<_>>();
        let duration = SortOrder::parse("9", table.columns.len()).expect("a column");
        table.sort(duration);
        assert_eq!(ids(&table), ["A", "C", "B"]);
        table.sort(SortOrder { descending: true, ..duration });
        assert_eq!(ids(&table), ["C", "A", "B"]);
        assert_eq!(SortOrder::parse("-9", 10).map(SortOrder::param).as_deref(), Some("-9"));
        assert_eq!(SortOrder::parse("0", 10), None);
        assert_eq!(SortOrder::parse("11", 10), None);
        assert_eq!(SortOrder::parse("x", 10), None);
    }

    #[test]
    fn machine_notes_are_written_in_words() {
        assert_eq!(note_in_words("days_over_90"), "more than 90 days overdue");
        assert_eq!(note_in_words("published within 7 days of mitigation"), "published within 7 days of mitigation");
        assert_eq!(Cell::Days(1.0).text(), "1 day");
        assert_eq!(Cell::Fraction(0.999_82).text(), "99.982 %");
        assert_eq!(Cell::Fraction(-1.422).text(), "-142.2 %");
        assert_eq!(Cell::Number(2.4166).text(), "2.42");
        assert_eq!(exact_duration(3010.0), "2 d 2 h 10 min");
        assert_eq!(exact_duration(120.0), "2 h");
        assert_eq!(exact_duration(0.2), "0 min");
    }
}
