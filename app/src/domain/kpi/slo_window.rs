//! An SLO's error-budget window (docs/kpis.md §7): rolling, the last N days before the as-of
//! day; or calendar-aligned, the calendar window (week, month, quarter, …) holding the last day
//! counted, from its first day to that day ("the window to date").
//!
//! Calendar windows step from a start day: window k is `[start + k × length, start + (k + 1) ×
//! length)`, each computed from the start (never by adding one window to the previous), so
//! monthly windows from the 31st end on the last day of shorter months and come back to the
//! 31st after them. Windows before the start day step backwards the same way.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::slo::DayRange;

/// The most days one window may span: a year, a leap year included.
pub const MAX_WINDOW_DAYS: u32 = 366;

/// The length of a calendar-aligned window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CalendarLength {
    /// `Nd`, or `Nw` as 7N days.
    Days(u32),
    /// `NM`, or `NQ` as 3N months, or `NY` as 12N months.
    Months(u32),
}

impl CalendarLength {
    /// Reads the shorthand `<N><unit>`: `d` days, `w` weeks, `M` months, `Q` quarters, `Y`
    /// years (units are case-sensitive, as in OpenSLO). A window may span at most a year.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let split = text.len().saturating_sub(1);
        let (number, unit) = (text.get(..split).unwrap_or_default(), text.get(split..).unwrap_or_default());
        let n: u32 =
            number.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                format!("'{text}' is not a window: a whole number followed by d, w, M, Q or Y (e.g. 1M)")
            })?;
        let length = match unit {
            "d" => CalendarLength::Days(n),
            "w" => CalendarLength::Days(n.saturating_mul(7)),
            "M" => CalendarLength::Months(n),
            "Q" => CalendarLength::Months(n.saturating_mul(3)),
            "Y" => CalendarLength::Months(n.saturating_mul(12)),
            _ => return Err(format!("'{text}' has no unit Plumbline reads: d, w, M, Q or Y (e.g. 1M)")),
        };
        if length.max_days() > MAX_WINDOW_DAYS {
            return Err(format!("'{text}' is longer than a year, the longest window"));
        }
        Ok(length)
    }

    /// The shorthand that reads back as this length (`1Q`, `2w`, `30d`).
    pub fn shorthand(self) -> String {
        match self {
            CalendarLength::Days(n) if n % 7 == 0 => format!("{}w", n / 7),
            CalendarLength::Days(n) => format!("{n}d"),
            CalendarLength::Months(n) if n % 12 == 0 => format!("{}Y", n / 12),
            CalendarLength::Months(n) if n % 3 == 0 => format!("{}Q", n / 3),
            CalendarLength::Months(n) => format!("{n}M"),
        }
    }

    /// "week", "month", "quarter", "year", else "2w window".
    pub fn name(self) -> String {
        match self {
            CalendarLength::Days(7) => "week".to_owned(),
            CalendarLength::Months(1) => "month".to_owned(),
            CalendarLength::Months(3) => "quarter".to_owned(),
            CalendarLength::Months(12) => "year".to_owned(),
            other => format!("{} window", other.shorthand()),
        }
    }

    /// The most days one window of this length spans.
    pub fn max_days(self) -> u32 {
        match self {
            CalendarLength::Days(n) => n,
            // Twelve months are at most 366 days; fewer, at most 31 each.
            CalendarLength::Months(n) if n >= 12 => n.saturating_mul(366) / 12,
            CalendarLength::Months(n) => n.saturating_mul(31),
        }
    }

    /// The first day of window `k` (negative before `start`).
    fn nth_start(self, start: NaiveDate, k: i64) -> Option<NaiveDate> {
        match self {
            CalendarLength::Days(n) => {
                let offset = k.checked_mul(i64::from(n))?;
                let days = Days::new(offset.unsigned_abs());
                if offset >= 0 { start.checked_add_days(days) } else { start.checked_sub_days(days) }
            }
            CalendarLength::Months(n) => {
                let offset = k.checked_mul(i64::from(n))?;
                let months = Months::new(u32::try_from(offset.unsigned_abs()).ok()?);
                if offset >= 0 { start.checked_add_months(months) } else { start.checked_sub_months(months) }
            }
        }
    }

    /// The index of the window holding `day`.
    fn index_of(self, start: NaiveDate, day: NaiveDate) -> Option<i64> {
        let estimate = match self {
            CalendarLength::Days(n) => (day - start).num_days().div_euclid(i64::from(n)),
            CalendarLength::Months(n) => {
                let months = (i64::from(day.year()) - i64::from(start.year())) * 12 + i64::from(day.month())
                    - i64::from(start.month());
                months.div_euclid(i64::from(n))
            }
        };
        // The month estimate can be one off either way (days of the month); settle it.
        let mut k = estimate;
        while self.nth_start(start, k)? > day {
            k -= 1;
        }
        while self.nth_start(start, k + 1)? <= day {
            k += 1;
        }
        Some(k)
    }
}

/// How an SLO's error budget window is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SloWindow {
    /// The last `days` days before the as-of day.
    Rolling { days: u32 },
    /// The calendar window holding the last day counted, from its first day to that day.
    Calendar { start: NaiveDate, length: CalendarLength },
}

impl SloWindow {
    /// The days the window counts when the last day counted is the day before `to`: for a
    /// rolling window the `days` days before `to`, for a calendar one the window holding `to −
    /// 1` up to `to`. `None` for a rolling window of 0 days.
    pub fn range_before(self, to: NaiveDate) -> Option<DayRange> {
        match self {
            SloWindow::Rolling { days: 0 } => None,
            SloWindow::Rolling { days } => {
                Some(DayRange { from: to.checked_sub_days(Days::new(u64::from(days)))?, to })
            }
            SloWindow::Calendar { start, length } => {
                let last = to.pred_opt()?;
                let from = length.nth_start(start, length.index_of(start, last)?)?;
                Some(DayRange { from, to })
            }
        }
    }

    /// The most days the window spans: how far before the as-of day its rows may lie.
    pub fn max_days(self) -> u32 {
        match self {
            SloWindow::Rolling { days } => days,
            SloWindow::Calendar { length, .. } => length.max_days(),
        }
    }

    /// The window in words: "28-day rolling window", "calendar month", "calendar week, windows
    /// from 2022-01-01" (the start is named when it is not the default).
    pub fn in_words(self) -> String {
        match self {
            SloWindow::Rolling { days } => format!("{days}-day rolling window"),
            SloWindow::Calendar { start, length } if start == default_calendar_start() => {
                format!("calendar {}", length.name())
            }
            SloWindow::Calendar { start, length } => format!("calendar {}, windows from {start}", length.name()),
        }
    }

    /// "the last 28 days" / "the calendar month to date", for notes.
    pub fn span_in_words(self) -> String {
        match self {
            SloWindow::Rolling { days } => format!("the last {days} days"),
            SloWindow::Calendar { length, .. } => format!("the calendar {} to date", length.name()),
        }
    }
}

/// The start calendar windows step from when none is given: 2001-01-01 was a Monday and a 1
/// January, so weeks start on Mondays, months on the 1st, quarters in January, April, July and
/// October, years on 1 January.
pub fn default_calendar_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2001, 1, 1).unwrap_or(NaiveDate::MIN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("day")
    }

    fn calendar(start: NaiveDate, text: &str) -> SloWindow {
        SloWindow::Calendar { start, length: CalendarLength::parse(text).expect("length") }
    }

    #[test]
    fn shorthands_read_and_read_back() {
        assert_eq!(CalendarLength::parse("1w"), Ok(CalendarLength::Days(7)));
        assert_eq!(CalendarLength::parse("1Q"), Ok(CalendarLength::Months(3)));
        assert_eq!(CalendarLength::parse("1Y"), Ok(CalendarLength::Months(12)));
        for text in ["30d", "2w", "1M", "1Q", "1Y", "5M"] {
            assert_eq!(CalendarLength::parse(text).expect(text).shorthand(), text);
        }
        assert!(CalendarLength::parse("1m").is_err(), "minutes are no calendar unit");
        assert!(CalendarLength::parse("0M").is_err());
        assert!(CalendarLength::parse("M").is_err());
        assert!(CalendarLength::parse("2Y").is_err(), "longer than a year");
        assert!(CalendarLength::parse("367d").is_err());
        assert_eq!(CalendarLength::parse("1Y").map(CalendarLength::max_days), Ok(366));
    }

    #[test]
    fn a_calendar_month_counts_from_its_first_day_to_the_last_day_counted() {
        let window = calendar(default_calendar_start(), "1M");
        // As of 2026-07-15: 1–14 July.
        assert_eq!(window.range_before(d(2026, 7, 15)), Some(DayRange { from: d(2026, 7, 1), to: d(2026, 7, 15) }));
        // As of 1 August (July is whole): all of July, not a day of August.
        assert_eq!(window.range_before(d(2026, 8, 1)), Some(DayRange { from: d(2026, 7, 1), to: d(2026, 8, 1) }));
        // As of 2 August: 1 August alone.
        assert_eq!(window.range_before(d(2026, 8, 2)), Some(DayRange { from: d(2026, 8, 1), to: d(2026, 8, 2) }));
    }

    #[test]
    fn weeks_start_on_the_start_days_weekday() {
        // 2022-01-01 was a Saturday: weeks run Saturday to Friday.
        let window = calendar(d(2022, 1, 1), "1w");
        // 2026-07-15 is a Wednesday; its week began on Saturday 11 July.
        assert_eq!(window.range_before(d(2026, 7, 16)), Some(DayRange { from: d(2026, 7, 11), to: d(2026, 7, 16) }));
        // The default start: Monday weeks (Monday 13 July).
        let monday = calendar(default_calendar_start(), "1w");
        assert_eq!(monday.range_before(d(2026, 7, 16)), Some(DayRange { from: d(2026, 7, 13), to: d(2026, 7, 16) }));
    }

    #[test]
    fn quarters_and_windows_before_the_start_step_from_the_start() {
        let quarter = calendar(d(2025, 2, 1), "1Q");
        assert_eq!(quarter.range_before(d(2026, 7, 16)), Some(DayRange { from: d(2026, 5, 1), to: d(2026, 7, 16) }));
        // Before the start day, windows step backwards from it.
        assert_eq!(quarter.range_before(d(2024, 12, 2)), Some(DayRange { from: d(2024, 11, 1), to: d(2024, 12, 2) }));
    }

    #[test]
    fn months_from_the_31st_end_on_short_months_last_day_and_return_to_the_31st() {
        let window = calendar(d(2026, 1, 31), "1M");
        // Window 1 starts 28 February (31 February does not exist), window 2 on 31 March.
        assert_eq!(window.range_before(d(2026, 3, 10)), Some(DayRange { from: d(2026, 2, 28), to: d(2026, 3, 10) }));
        assert_eq!(window.range_before(d(2026, 4, 2)), Some(DayRange { from: d(2026, 3, 31), to: d(2026, 4, 2) }));
    }

    #[test]
    fn windows_read_in_words() {
        assert_eq!(calendar(default_calendar_start(), "1M").in_words(), "calendar month");
        assert_eq!(calendar(d(2022, 1, 1), "1w").in_words(), "calendar week, windows from 2022-01-01");
        assert_eq!(calendar(default_calendar_start(), "2w").span_in_words(), "the calendar 2w window to date");
        assert_eq!(SloWindow::Rolling { days: 28 }.in_words(), "28-day rolling window");
    }

    #[test]
    fn a_rolling_window_is_the_days_before() {
        let rolling = SloWindow::Rolling { days: 28 };
        assert_eq!(rolling.range_before(d(2026, 7, 29)), Some(DayRange { from: d(2026, 7, 1), to: d(2026, 7, 29) }));
        assert_eq!(SloWindow::Rolling { days: 0 }.range_before(d(2026, 7, 29)), None);
    }
}
