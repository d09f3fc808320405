//! Pulling SLO measurements from Prometheus, minus the IO (docs/ingestion.md §15): which
//! reporting days a pull asks for, the query for one day, and reading Prometheus's answer.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

/// The most days one pull asks for per SLO (a long outage of the server is caught up over a
/// few runs, not in one burst of queries).
pub const MAX_DAYS_PER_PULL: u64 = 400;

/// The reporting days to pull: those after the last day pulled (or, for an SLO never pulled,
/// the `backfill_days` ending yesterday), through `yesterday`, at most [`MAX_DAYS_PER_PULL`].
/// A day is pulled once it has ended; today never is.
pub fn days_to_pull(pulled_through: Option<NaiveDate>, yesterday: NaiveDate, backfill_days: u64) -> Vec<NaiveDate> {
    let first = match pulled_through {
        Some(day) => day.succ_opt(),
        None => yesterday.checked_sub_days(chrono::Days::new(backfill_days.saturating_sub(1))),
    };
    let Some(first) = first else { return Vec::new() };
    first.iter_days().take_while(|day| *day <= yesterday).take(MAX_DAYS_PER_PULL as usize).collect()
}

/// The events a counter selector counted over one day: `increase` (which sees through counter
/// resets) over the day's exact length, summed over the selector's series, evaluated at the
/// day's end.
pub fn increase_query(selector: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    let seconds = (end - start).num_seconds().max(1);
    format!("sum(increase({selector}[{seconds}s]))")
}

/// Why one answer gives no count.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    /// Prometheus refused the query (bad syntax, unknown function): its own words.
    #[error("Prometheus refused the query: {0}")]
    Refused(String),
    /// The selector matched no series over the day: no data, never zero events.
    #[error("no data: the selector matched no series that day")]
    NoData,
    #[error("Prometheus's answer could not be read: {0}")]
    Unreadable(String),
}

/// The count in Prometheus's answer to an instant query (`/api/v1/query`) of
/// [`increase_query`]: the one sample's value, rounded to whole events (`increase`
/// extrapolates to the window's edges, so it is not always a whole number).
pub fn read_answer(body: &Value) -> Result<i64, AnswerError> {
    if body["status"] != "success" {
        let message = body["error"].as_str().unwrap_or("no reason given");
        return Err(AnswerError::Refused(shorten(message)));
    }
    let result = body["data"]["result"].as_array().ok_or_else(|| AnswerError::Unreadable("no result".into()))?;
    let Some(sample) = result.first() else { return Err(AnswerError::NoData) };
    let text = sample["value"][1].as_str().ok_or_else(|| AnswerError::Unreadable("no sample value".into()))?;
    let value: f64 = text.parse().map_err(|_| AnswerError::Unreadable(format!("value {}", shorten(text))))?;
    if !value.is_finite() || value < 0.0 {
        return Err(AnswerError::Unreadable(format!("value {}", shorten(text))));
    }
    Ok(value.round() as i64)
}

/// At most 300 characters of text from another system.
fn shorten(text: &str) -> String {
    let mut short: String = text.chars().take(300).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn day(text: &str) -> NaiveDate {
        text.parse().expect("date")
    }

    #[test]
    fn a_new_slo_backfills_and_a_pulled_one_continues_after_its_last_day() {
        let yesterday = day("2026-12-05");
        assert_eq!(days_to_pull(None, yesterday, 3), vec![day("2026-12-03"), day("2026-12-04"), day("2026-12-05")]);
        assert_eq!(days_to_pull(Some(day("2026-12-04")), yesterday, 3), vec![day("2026-12-05")]);
        assert!(days_to_pull(Some(yesterday), yesterday, 3).is_empty(), "today is never pulled");
        let long_gap = days_to_pull(Some(day("2020-01-01")), yesterday, 3);
        assert_eq!(long_gap.len(), MAX_DAYS_PER_PULL as usize);
        assert_eq!(long_gap[0], day("2020-01-02"));
    }

    #[test]
    fn a_day_is_queried_over_its_own_length() {
        let start = "2026-03-29T00:00:00+01:00".parse::<DateTime<Utc>>().expect("instant");
        let end = "2026-03-30T00:00:00+02:00".parse::<DateTime<Utc>>().expect("instant");
        assert_eq!(increase_query("up{job=\"a\"}", start, end), "sum(increase(up{job=\"a\"}[82800s]))");
    }

    #[test]
    fn answers_give_whole_events_and_no_series_is_no_data() {
        let one = json!({"status": "success", "data": {"resultType": "vector", "result": [{"metric": {}, "value": [1, "1439.6"]}]}});
        assert_eq!(read_answer(&one), Ok(1440));
        let none = json!({"status": "success", "data": {"resultType": "vector", "result": []}});
        assert_eq!(read_answer(&none), Err(AnswerError::NoData));
        let bad = json!({"status": "error", "errorType": "bad_data", "error": "parse error at char 5"});
        assert_eq!(read_answer(&bad), Err(AnswerError::Refused("parse error at char 5".into())));
        let nan = json!({"status": "success", "data": {"result": [{"value": [1, "NaN"]}]}});
        assert!(matches!(read_answer(&nan), Err(AnswerError::Unreadable(_))));
    }
}
