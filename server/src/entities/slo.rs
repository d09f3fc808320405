use app::domain::kpi::{CalendarLength, SloWindow, default_calendar_start};
use app::domain::records::Budgeting;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "slo")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub service_id: i64,
    pub slug: String,
    pub name: String,
    pub indicator: String,
    pub objective: f64,
    /// For a calendar window, the most days one window spans (migration 33).
    pub window_days: i32,
    /// `timeslices` for ratio timeslices too: see `mean_of_daily_ratios`.
    pub budgeting: String,
    pub threshold_ms: Option<i64>,
    /// Its Prometheus source (`prometheus.rs`): all three or none.
    pub prometheus_url: Option<String>,
    pub good_query: Option<String>,
    pub total_query: Option<String>,
    /// A calendar window's length (`1M`), and the day its windows step from; null when rolling.
    pub calendar_window: Option<String>,
    pub calendar_start: Option<Date>,
    /// Budgeting by ratio timeslices (stored beside `budgeting`, whose CHECK predates it).
    pub mean_of_daily_ratios: bool,
    pub import_batch_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// How an SLO's window and budgeting method are stored (migration 33), both ways.
impl Model {
    /// The window its columns describe; `None` when they are corrupt.
    pub fn window(&self) -> Option<SloWindow> {
        window_of(self.window_days, self.calendar_window.as_deref(), self.calendar_start)
    }

    /// The budgeting method its columns describe; `None` when corrupt.
    pub fn budgeting_method(&self) -> Option<Budgeting> {
        match Budgeting::parse(&self.budgeting)? {
            Budgeting::Timeslices if self.mean_of_daily_ratios => Some(Budgeting::RatioTimeslices),
            method => Some(method),
        }
    }
}

/// The window stored as `window_days`, `calendar_window` and `calendar_start`.
pub fn window_of(window_days: i32, calendar_window: Option<&str>, calendar_start: Option<Date>) -> Option<SloWindow> {
    match calendar_window {
        None => u32::try_from(window_days).ok().map(|days| SloWindow::Rolling { days }),
        Some(length) => Some(SloWindow::Calendar {
            start: calendar_start.unwrap_or_else(default_calendar_start),
            length: CalendarLength::parse(length).ok()?,
        }),
    }
}

/// The columns that store a window: `window_days`, `calendar_window`, `calendar_start`.
pub fn window_columns(window: SloWindow) -> (i32, Option<String>, Option<Date>) {
    let days = i32::try_from(window.max_days()).unwrap_or(i32::MAX);
    match window {
        SloWindow::Rolling { .. } => (days, None, None),
        SloWindow::Calendar { start, length } => (days, Some(length.shorthand()), Some(start)),
    }
}

/// The columns that store a budgeting method: `budgeting`, `mean_of_daily_ratios`.
pub fn budgeting_columns(method: Budgeting) -> (String, bool) {
    match method {
        Budgeting::RatioTimeslices => (Budgeting::Timeslices.as_str().to_owned(), true),
        other => (other.as_str().to_owned(), false),
    }
}
