//! Waiver requests: a team asks to waive a failing check of one of its services, with a reason
//! and a last day; an admin who did not ask approves it (it then becomes an exemption, shown as
//! *waived* until it expires) or rejects it. The rules, without IO: the caller passes the
//! check's current status and today's date.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::CheckStatus;

/// The furthest a waiver may reach: a year from the request.
pub const MAX_WAIVER_DAYS: i64 = 365;
/// Characters of a reason or a decision note.
pub const MAX_REASON_CHARS: usize = 2000;

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    Pending,
    Approved,
    Rejected,
}

impl RequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Approved => "approved",
            RequestStatus::Rejected => "rejected",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [RequestStatus::Pending, RequestStatus::Approved, RequestStatus::Rejected]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// A request as typed, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRequest {
    pub reason: String,
    /// The waiver holds through `last_day` (UTC) and ends at the midnight after it.
    pub expires_at: DateTime<Utc>,
}

/// Checks a request: only a failing (or data-less) check needs a waiver; the reason says why;
/// the last day is after today and at most [`MAX_WAIVER_DAYS`] ahead.
pub fn check_request(
    reason: &str,
    last_day: &str,
    status: CheckStatus,
    today: NaiveDate,
) -> Result<CheckedRequest, String> {
    if !status.needs_fixing() {
        let status = match status {
            CheckStatus::Pass => "passing",
            CheckStatus::Waived => "already waived",
            CheckStatus::NotApplicable => "not applicable to this service",
            CheckStatus::Upcoming => "not counted yet (the policy counts it from a later date)",
            CheckStatus::Fail | CheckStatus::NoData => "failing",
        };
        return Err(format!("only a failing check needs a waiver; this one is {status}"));
    }
    let reason = checked_text(reason, "the reason")?;
    let Some(reason) = reason else {
        return Err("say why the check should be waived".to_owned());
    };
    let day = NaiveDate::parse_from_str(last_day.trim(), "%Y-%m-%d")
        .map_err(|_| format!("the last day must be a date like 2026-12-31, got '{}'", last_day.trim()))?;
    if day <= today {
        return Err(format!("the last day must be after today ({today})"));
    }
    let latest = today + TimeDelta::days(MAX_WAIVER_DAYS);
    if day > latest {
        return Err(format!("a waiver may last at most {MAX_WAIVER_DAYS} days: until {latest}"));
    }
    Ok(CheckedRequest { reason, expires_at: end_of_last_day(day) })
}

/// When something lasting through `day` (a waiver, a role grant) ends: the following
/// midnight, UTC.
pub fn end_of_last_day(day: NaiveDate) -> DateTime<Utc> {
    (day + TimeDelta::days(1)).and_time(chrono::NaiveTime::MIN).and_utc()
}

/// The last day of something ending at `end`: the day before a midnight end, else its own day.
pub fn last_day_of(end: DateTime<Utc>) -> NaiveDate {
    if end.time() == chrono::NaiveTime::MIN { end.date_naive() - TimeDelta::days(1) } else { end.date_naive() }
}

/// An optional note (a decision's), checked like a reason; `None` when blank.
pub fn check_note(note: &str) -> Result<Option<String>, String> {
    checked_text(note, "the note")
}

fn checked_text(text: &str, what: &str) -> Result<Option<String>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(format!("{what} must be at most {MAX_REASON_CHARS} characters"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r') {
        return Err(format!("{what} must not contain control characters"));
    }
    Ok(Some(text.to_owned()))
}

/// Whether `decider` may approve or reject a request by `requested_by`: an admin, and someone
/// else (a waiver takes two people, as auditors expect).
pub fn may_decide(is_admin: bool, decider: &str, requested_by: &str) -> Result<(), String> {
    if !is_admin {
        return Err("only an admin decides on waiver requests".to_owned());
    }
    if decider == requested_by {
        return Err("you asked for this waiver: another admin decides on it".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()
    }

    #[test]
    fn a_failing_check_may_be_waived_through_its_last_day() {
        let checked = check_request("  DR drill moved to January  ", "2026-12-31", CheckStatus::Fail, today());
        let checked = checked.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(checked.reason, "DR drill moved to January");
        assert_eq!(checked.expires_at.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        assert!(check_request("no data yet", "2026-11-28", CheckStatus::NoData, today()).is_ok());
    }

    #[test]
    fn only_failing_checks_with_a_reason_and_a_near_future_day_are_accepted() {
        for status in [CheckStatus::Pass, CheckStatus::Waived, CheckStatus::NotApplicable] {
            let error = check_request("why", "2026-12-31", status, today()).err().unwrap_or_default();
            assert!(error.starts_with("only a failing check"), "{error}");
        }
        let error = |reason: &str, day: &str| check_request(reason, day, CheckStatus::Fail, today()).err();
        assert!(error("   ", "2026-12-31").is_some_and(|e| e.contains("say why")));
        assert!(error("why", "2026-11-27").is_some_and(|e| e.contains("after today")));
        assert!(error("why", "31/12/2026").is_some_and(|e| e.contains("like 2026-12-31")));
        assert!(error("why", "2027-11-28").is_some_and(|e| e.contains("at most 365 days")));
        assert!(error("why", "2027-11-27").is_none(), "exactly a year is allowed");
        assert!(error(&"x".repeat(MAX_REASON_CHARS + 1), "2026-12-31").is_some_and(|e| e.contains("at most")));
        assert!(error("bell\u{7}", "2026-12-31").is_some_and(|e| e.contains("control")));
    }

    #[test]
    fn a_waiver_needs_an_admin_who_did_not_ask() {
        assert!(may_decide(true, "user:2:alice@example.test", "user:1:eve@example.test").is_ok());
        assert!(may_decide(false, "user:2:alice@example.test", "user:1:eve@example.test").is_err());
        let own = may_decide(true, "user:1:eve@example.test", "user:1:eve@example.test");
        assert!(own.is_err_and(|e| e.contains("another admin")));
    }

    #[test]
    fn statuses_read_back() {
        for status in [RequestStatus::Pending, RequestStatus::Approved, RequestStatus::Rejected] {
            assert_eq!(RequestStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(RequestStatus::parse("maybe"), None);
    }
}
