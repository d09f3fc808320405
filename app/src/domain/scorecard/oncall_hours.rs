//! The policy's `[oncall]` section: when a page counts as off hours or sleep hours.

use chrono::Weekday;
use serde::Deserialize;

use super::policy::PolicyError;
use crate::domain::kpi::PagingHours;
use crate::domain::kpi::oncall::DayTimes;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOncall {
    #[serde(default)]
    business_days: Option<Vec<String>>,
    #[serde(default)]
    business_hours: Option<String>,
    #[serde(default)]
    sleep_hours: Option<String>,
}

/// The section validated; absent keys keep [`PagingHours::default`].
pub(super) fn validate_oncall(raw: Option<RawOncall>) -> Result<PagingHours, PolicyError> {
    let mut hours = PagingHours::default();
    let Some(raw) = raw else { return Ok(hours) };
    let bad = |message: String| PolicyError::BadOncall(message);
    if let Some(days) = raw.business_days {
        let mut parsed = Vec::with_capacity(days.len());
        for day in &days {
            let weekday: Weekday = day
                .trim()
                .parse()
                .map_err(|_| bad(format!("business_days: {day:?} is not a day of the week (mon … sun)")))?;
            if !parsed.contains(&weekday) {
                parsed.push(weekday);
            }
        }
        hours.business_days = parsed;
    }
    let times = |key: &str, text: &str| {
        DayTimes::parse(text).ok_or_else(|| bad(format!("{key}: expected \"HH:MM-HH:MM\", got {text:?}")))
    };
    if let Some(text) = raw.business_hours {
        let business = times("business_hours", &text)?;
        if business.start >= business.end {
            return Err(bad(format!("business_hours: {text:?} must start before it ends, within one day")));
        }
        hours.business_hours = business;
    }
    if let Some(text) = raw.sleep_hours {
        let sleep = times("sleep_hours", &text)?;
        if sleep.start == sleep.end {
            return Err(bad(format!("sleep_hours: {text:?} is empty")));
        }
        hours.sleep_hours = sleep;
    }
    Ok(hours)
}

#[cfg(test)]
mod tests {
    use crate::domain::scorecard::policy::{Policy, PolicyError};

    fn with(section: &str) -> Result<Policy, PolicyError> {
        let default = crate::domain::scorecard::policy::DEFAULT_POLICY_TOML;
        let start = default.find("[oncall]").expect("the default policy has an [oncall] section");
        let end = default[start..].find("\n\n").map_or(default.len(), |e| start + e);
        Policy::from_toml(&format!("{}{section}{}", &default[..start], &default[end..]))
    }

    #[test]
    fn the_default_hours_are_weekdays_nine_to_six_and_sleep_ten_to_seven() {
        let policy = Policy::default_policy().unwrap();
        assert_eq!(policy.kpi.paging_hours.business_days.len(), 5);
        assert_eq!(policy.kpi.paging_hours.business_hours.to_string(), "09:00–18:00");
        assert_eq!(policy.kpi.paging_hours.sleep_hours.to_string(), "22:00–07:00");
    }

    #[test]
    fn hours_can_be_set_and_bad_ones_are_refused_with_the_reason() {
        let policy = with("[oncall]\nbusiness_days = [\"sun\", \"mon\"]\nsleep_hours = \"23:30-06:00\"").unwrap();
        assert_eq!(policy.kpi.paging_hours.business_days, [chrono::Weekday::Sun, chrono::Weekday::Mon]);
        assert_eq!(policy.kpi.paging_hours.sleep_hours.to_string(), "23:30–06:00");
        for (section, says) in [
            ("[oncall]\nbusiness_hours = \"18:00-09:00\"", "must start before it ends"),
            ("[oncall]\nbusiness_hours = \"9-5\"", "expected \"HH:MM-HH:MM\""),
            ("[oncall]\nbusiness_days = [\"someday\"]", "not a day of the week"),
            ("[oncall]\nsleep_hours = \"22:00-22:00\"", "is empty"),
        ] {
            let error = with(section).unwrap_err().to_string();
            assert!(error.contains(says), "{section}: {error}");
        }
    }
}
