//! Background jobs, the pure part (docs/operations.md § Jobs): a job's states, how long a failed
//! job waits before it is tried again, and cron-like schedules read in the reporting time zone.

use chrono::{DateTime, Datelike, NaiveDateTime, TimeDelta, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for a worker (from `run_at`).
    Queued,
    /// Claimed by a worker whose lease has not run out.
    Running,
    /// Its last attempt failed; it is tried again from `run_at`.
    Failed,
    Succeeded,
    /// Failed on every attempt it was allowed; only an admin's retry runs it again.
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 5] =
        [JobState::Queued, JobState::Running, JobState::Failed, JobState::Succeeded, JobState::Dead];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Failed => "failed",
            JobState::Succeeded => "succeeded",
            JobState::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// An admin may run it again: it failed, for now or for good.
    pub fn retryable(self) -> bool {
        matches!(self, JobState::Failed | JobState::Dead)
    }
}

/// How long a job waits after its `attempt`-th failed attempt (1-based): 10 s, then four times
/// longer each time, at most an hour.
pub fn backoff(attempt: u32) -> TimeDelta {
    let seconds = 10i64.saturating_mul(4i64.saturating_pow(attempt.saturating_sub(1).min(10)));
    TimeDelta::seconds(seconds.min(3600))
}

/// How far back a schedule catches up on slots missed while no replica was running.
pub const CATCH_UP: TimeDelta = TimeDelta::days(7);

/// A cron schedule: minute, hour, day of month, month and day of week (0 or 7 is Sunday), each
/// `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a list of these. Read in a time
/// zone: a local time that occurs twice (clocks going back) is two slots; one that does not occur
/// (clocks going forward) is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron {
    text: String,
    minutes: u64,
    hours: u32,
    days: u32,
    months: u16,
    weekdays: u8,
    /// Standard cron: when both day fields are restricted, a day matching either counts.
    any_day: bool,
    any_weekday: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("schedule {text:?}: {reason}")]
pub struct CronError {
    text: String,
    reason: String,
}

impl Cron {
    pub fn parse(text: &str) -> Result<Cron, CronError> {
        let error = |reason: String| CronError { text: text.to_owned(), reason };
        let fields: Vec<&str> = text.split_whitespace().collect();
        let [minute, hour, day, month, weekday] = fields[..] else {
            return Err(error(format!("needs 5 fields (minute hour day month weekday), has {}", fields.len())));
        };
        let field = |name: &str, value: &str, min: u32, max: u32| {
            bits(value, min, max).map_err(|reason| error(format!("{name} {value:?}: {reason}")))
        };
        let mut weekdays = field("weekday", weekday, 0, 7)?;
        if weekdays & (1 << 7) != 0 {
            weekdays |= 1; // 7 is Sunday too
        }
        Ok(Cron {
            text: fields.join(" "),
            minutes: field("minute", minute, 0, 59)?,
            hours: field("hour", hour, 0, 23)? as u32,
            days: field("day", day, 1, 31)? as u32,
            months: field("month", month, 1, 12)? as u16,
            weekdays: (weekdays & 0x7f) as u8,
            any_day: day == "*",
            any_weekday: weekday == "*",
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the local minute `at` is a slot.
    pub fn matches(&self, at: NaiveDateTime) -> bool {
        let has = |set: u64, value: u32| set & (1u64 << value) != 0;
        let day = has(self.days.into(), at.day());
        let weekday = has(self.weekdays.into(), at.weekday().num_days_from_sunday());
        let day_matches = match (self.any_day, self.any_weekday) {
            (true, true) => true,
            (true, false) => weekday,
            (false, true) => day,
            (false, false) => day || weekday,
        };
        has(self.minutes, at.minute())
            && has(self.hours.into(), at.hour())
            && has(self.months.into(), at.month())
            && day_matches
    }

    /// The latest slot in `(after, until]`, read in `zone`, looking back at most [`CATCH_UP`]:
    /// what a scheduler due at `until` runs (one run for any number of missed slots).
    pub fn latest_slot(&self, after: DateTime<Utc>, until: DateTime<Utc>, zone: Tz) -> Option<DateTime<Utc>> {
        let floor = after.max(until - CATCH_UP);
        let mut minute = until.with_second(0)?.with_nanosecond(0)?;
        while minute > floor {
            if self.matches(minute.with_timezone(&zone).naive_local()) {
                return Some(minute);
            }
            minute -= TimeDelta::minutes(1);
        }
        None
    }

    /// The first slot after `after` within `horizon`, read in `zone` (for showing when a
    /// schedule runs next).
    pub fn next_slot(&self, after: DateTime<Utc>, horizon: TimeDelta, zone: Tz) -> Option<DateTime<Utc>> {
        let mut minute = after.with_second(0)?.with_nanosecond(0)? + TimeDelta::minutes(1);
        let end = after + horizon;
        while minute <= end {
            if self.matches(minute.with_timezone(&zone).naive_local()) {
                return Some(minute);
            }
            minute += TimeDelta::minutes(1);
        }
        None
    }
}

/// The values a field allows, as bits.
fn bits(field: &str, min: u32, max: u32) -> Result<u64, String> {
    let mut set = 0u64;
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => {
                let step: u32 = step.parse().map_err(|_| format!("step {step:?} is not a number"))?;
                if step == 0 {
                    return Err("a step must be at least 1".into());
                }
                (range, step)
            }
            None => (part, 1),
        };
        let number = |text: &str| -> Result<u32, String> {
            let value: u32 = text.parse().map_err(|_| format!("{text:?} is not a number"))?;
            if value < min || value > max {
                return Err(format!("{value} is outside {min}–{max}"));
            }
            Ok(value)
        };
        let (first, last) = match range {
            "*" => (min, max),
            _ => match range.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                None if step > 1 => (number(range)?, max),
                None => {
                    let value = number(range)?;
                    (value, value)
                }
            },
        };
        if first > last {
            return Err(format!("range {first}-{last} runs backwards"));
        }
        for value in (first..=last).step_by(step as usize) {
            set |= 1u64 << value;
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).expect("test instant")
    }

    #[test]
    fn fields_are_read_as_cron_reads_them() {
        let every_five = Cron::parse("*/5 * * * *").expect("valid");
        assert!(every_five.matches(utc("2026-12-04T10:15:00Z").naive_utc()));
        assert!(!every_five.matches(utc("2026-12-04T10:16:00Z").naive_utc()));
        let weekday_mornings = Cron::parse("30 6 * * 1-5").expect("valid");
        assert!(weekday_mornings.matches(utc("2026-12-04T06:30:00Z").naive_utc()), "a Friday");
        assert!(!weekday_mornings.matches(utc("2026-12-05T06:30:00Z").naive_utc()), "a Saturday");
        let sunday = Cron::parse("0 0 * * 7").expect("7 is Sunday");
        assert!(sunday.matches(utc("2026-12-06T00:00:00Z").naive_utc()));
        // Both day fields restricted: either matches (the 1st, or any Monday).
        let either = Cron::parse("0 9 1 * 1").expect("valid");
        assert!(either.matches(utc("2026-12-01T09:00:00Z").naive_utc()), "the 1st, a Tuesday");
        assert!(either.matches(utc("2026-12-07T09:00:00Z").naive_utc()), "a Monday");
        assert!(!either.matches(utc("2026-12-08T09:00:00Z").naive_utc()));
    }

    #[test]
    fn bad_schedules_are_refused_with_the_field_named() {
        for (text, fragment) in [
            ("* * * *", "5 fields"),
            ("60 * * * *", "minute"),
            ("* 5-2 * * *", "backwards"),
            ("*/0 * * * *", "step"),
            ("* * 0 * *", "day"),
            ("* * * x *", "month"),
        ] {
            let error = Cron::parse(text).expect_err(text).to_string();
            assert!(error.contains(fragment), "{text}: {error}");
        }
    }

    #[test]
    fn the_latest_slot_is_read_in_the_reporting_time_zone() {
        let daily_six = Cron::parse("0 6 * * *").expect("valid");
        let berlin: Tz = "Europe/Berlin".parse().expect("zone");
        // 06:00 in Berlin in December is 05:00 UTC.
        let slot = daily_six.latest_slot(utc("2026-12-03T12:00:00Z"), utc("2026-12-04T12:00:00Z"), berlin);
        assert_eq!(slot, Some(utc("2026-12-04T05:00:00Z")));
        // Nothing between the last slot and now: nothing to run.
        assert_eq!(daily_six.latest_slot(utc("2026-12-04T05:00:00Z"), utc("2026-12-04T12:00:00Z"), berlin), None);
        // Many missed slots run once: the latest.
        let every_minute = Cron::parse("* * * * *").expect("valid");
        assert_eq!(
            every_minute.latest_slot(utc("2026-12-04T10:00:00Z"), utc("2026-12-04T10:09:30Z"), Tz::UTC),
            Some(utc("2026-12-04T10:09:00Z"))
        );
        // Missed for longer than the catch-up window: only the window is searched.
        let yearly = Cron::parse("0 0 1 1 *").expect("valid");
        assert_eq!(yearly.latest_slot(utc("2020-01-01T00:00:00Z"), utc("2026-12-04T00:00:00Z"), Tz::UTC), None);
    }

    #[test]
    fn a_local_time_that_occurs_twice_is_two_slots() {
        let half_two = Cron::parse("30 2 * * *").expect("valid");
        let berlin: Tz = "Europe/Berlin".parse().expect("zone");
        // 2026-10-25: clocks go back from 03:00 CEST to 02:00 CET, so 02:30 happens twice.
        let first = half_two.next_slot(utc("2026-10-24T12:00:00Z"), TimeDelta::days(2), berlin);
        assert_eq!(first, Some(utc("2026-10-25T00:30:00Z")));
        let second = first.and_then(|f| half_two.next_slot(f, TimeDelta::days(2), berlin));
        assert_eq!(second, Some(utc("2026-10-25T01:30:00Z")));
        // 2026-03-29: clocks go forward at 02:00, so there is no 02:30 that day.
        let spring = half_two.next_slot(utc("2026-03-28T12:00:00Z"), TimeDelta::days(1), berlin);
        assert_eq!(spring, None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        assert_eq!(backoff(1), TimeDelta::seconds(10));
        assert_eq!(backoff(2), TimeDelta::seconds(40));
        assert_eq!(backoff(3), TimeDelta::seconds(160));
        assert_eq!(backoff(40), TimeDelta::hours(1));
    }

    #[test]
    fn states_read_back_from_their_names() {
        for state in JobState::ALL {
            assert_eq!(JobState::parse(state.as_str()), Some(state));
        }
        assert!(JobState::Dead.retryable() && JobState::Failed.retryable() && !JobState::Running.retryable());
    }
}
