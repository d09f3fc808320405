//! One SLO document's fields that need more than a lookup: its window, budgeting method,
//! objective target, and the fields Plumbline does not import.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde_yaml_ng::Value as Yaml;

use super::yaml::{at, key, number, text, untagged, unused_keys};
use crate::domain::ingest::adapters::Problems;
use crate::domain::kpi::CalendarLength;

pub(super) fn unused_slo_fields(slo: &Yaml) -> BTreeSet<String> {
    let mut unused = BTreeSet::new();
    unused_keys(Some(slo), "", &["apiVersion", "kind", "metadata", "spec"], &mut unused);
    unused_keys(at(slo, "metadata"), "metadata", &["name", "displayName", "labels"], &mut unused);
    let spec = ["service", "indicator", "indicatorRef", "timeWindow", "budgetingMethod", "objectives"];
    unused_keys(at(slo, "spec"), "spec", &spec, &mut unused);
    let window = at(slo, "spec.timeWindow").and_then(|w| untagged(w).as_sequence()).and_then(|w| w.first());
    unused_keys(window, "spec.timeWindow[]", &["duration", "isRolling", "calendar"], &mut unused);
    let objectives = at(slo, "spec.objectives").and_then(|o| untagged(o).as_sequence());
    for objective in objectives.into_iter().flatten() {
        unused_keys(Some(objective), "spec.objectives[]", &["displayName", "target", "targetPercent"], &mut unused);
    }
    unused
}

/// An SLO's window as native fields: rolling days, or a calendar window's length and start.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Window {
    Rolling(i64),
    Calendar { length: String, start: Option<NaiveDate> },
}

/// What reading a calendar window left behind, for the import's notes.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct CalendarReading {
    /// `calendar.startTime`'s time of day or `calendar.timeZone`, which daily counts cannot keep.
    pub day_boundary: Option<String>,
    /// A duration in minutes read as months (`1m` as `1M`).
    pub minutes_as_months: Option<String>,
}

pub(super) fn window(slo: &Yaml, problems: &mut Problems, reading: &mut CalendarReading) -> Option<Window> {
    let field = "spec.timeWindow";
    let windows = match at(slo, field).map(untagged) {
        Some(Yaml::Sequence(windows)) => windows,
        Some(_) => {
            problems.add(field, "must be a list holding one window, e.g. [{duration: 28d, isRolling: true}]");
            return None;
        }
        None => {
            problems.add(field, "is missing: Plumbline needs a window such as 28d (rolling) or 1M (calendar)");
            return None;
        }
    };
    let Some(window) = windows.first() else {
        problems.add(field, "is empty: Plumbline needs a window such as 28d (rolling) or 1M (calendar)");
        return None;
    };
    if windows.len() > 1 {
        problems.add(field, "has several windows; OpenSLO allows one");
        return None;
    }
    let calendar = key(window, "calendar");
    let rolling = match key(window, "isRolling").map(untagged) {
        None => calendar.is_none(),
        Some(Yaml::Bool(rolling)) => *rolling,
        Some(other) => text(other).is_some_and(|t| t.eq_ignore_ascii_case("true")),
    };
    let Some(duration) = key(window, "duration").and_then(text) else {
        problems
            .add("spec.timeWindow[0].duration", if rolling { "is missing, e.g. 28d" } else { "is missing, e.g. 1M" });
        return None;
    };
    if rolling {
        if calendar.is_some() {
            problems
                .add("spec.timeWindow[0]", "is rolling and has a calendar: say isRolling: false for a calendar window");
            return None;
        }
        return duration_days(&duration)
            .map(Window::Rolling)
            .map_err(|m| problems.add("spec.timeWindow[0].duration", m))
            .ok();
    }
    let length = match calendar_length(&duration) {
        Ok((length, minutes_as_months)) => {
            if minutes_as_months {
                reading.minutes_as_months = Some(format!("{duration} → {}", length.shorthand()));
            }
            length
        }
        Err(message) => {
            problems.add("spec.timeWindow[0].duration", message);
            return None;
        }
    };
    let start_text = calendar.and_then(|c| key(c, "startTime")).and_then(text);
    let start = match start_text.as_deref() {
        None => None,
        Some(text) => match text.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()) {
            Some(day) => Some(day),
            None => {
                problems.add(
                    "spec.timeWindow[0].calendar.startTime",
                    format!("'{text}' is not a date and time such as 2022-01-01 00:00:00"),
                );
                return None;
            }
        },
    };
    let time_of_day =
        start_text.as_deref().and_then(|t| t.get(10..)).map(|t| t.trim_start_matches(['T', ' ']).trim_end_matches('Z'));
    let zone = calendar.and_then(|c| key(c, "timeZone")).and_then(text);
    let midnight = time_of_day.is_none_or(|t| t.is_empty() || t.trim_start_matches(['0', ':']).is_empty());
    if !midnight || zone.is_some() {
        let mut kept = Vec::new();
        kept.extend(start_text.clone().filter(|_| !midnight));
        kept.extend(zone);
        reading.day_boundary = Some(kept.join(" "));
    }
    Some(Window::Calendar { length: length.shorthand(), start })
}

/// A calendar window's length from an OpenSLO duration: `d`, `w`, `M`, `Q`, `Y`, or hours and
/// minutes making whole days. Minutes that make no whole days are read as months (`1m` as `1M`,
/// flagged `true`): a calendar window shorter than a day cannot be counted on daily counts, and
/// OpenSLO's own example writes `1m` for a month.
fn calendar_length(duration: &str) -> Result<(CalendarLength, bool), String> {
    match CalendarLength::parse(duration) {
        Ok(length) => return Ok((length, false)),
        Err(message) if !duration.ends_with(['h', 'm']) => return Err(message),
        Err(_) => {}
    }
    match duration_days(duration) {
        Ok(days) => CalendarLength::parse(&format!("{days}d")).map(|l| (l, false)),
        Err(_) if duration.ends_with('m') => {
            let months = format!("{}M", duration.trim_end_matches('m'));
            CalendarLength::parse(&months).map(|l| (l, true))
        }
        Err(message) => Err(message),
    }
}

/// Whole days in an OpenSLO duration shorthand (`28d`, `4w`, `672h`, `40320m`), 1–366.
pub(super) fn duration_days(duration: &str) -> Result<i64, String> {
    let not_duration = || format!("'{duration}' is not a duration such as 28d, 4w or 672h");
    let (split, unit) = duration.char_indices().last().ok_or_else(not_duration)?;
    let digits = duration.get(..split).unwrap_or_default();
    if digits.is_empty() || digits.len() > 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_duration());
    }
    let amount: i64 = digits.parse().map_err(|_| not_duration())?;
    let not_whole = || format!("'{duration}' is not a whole number of days");
    let days = match unit {
        'd' => amount,
        'w' => amount * 7,
        'h' if amount % 24 == 0 => amount / 24,
        'm' if amount % 1440 == 0 => amount / 1440,
        'h' | 'm' => return Err(not_whole()),
        'M' | 'Q' | 'Y' => {
            return Err(format!("{}: months, quarters and years vary in length; use days, e.g. 30d", not_whole()));
        }
        _ => return Err(not_duration()),
    };
    if !(1..=366).contains(&days) {
        return Err(format!("'{duration}' is {days} days; a window must be from 1 to 366 days"));
    }
    Ok(days)
}

pub(super) fn budgeting(slo: &Yaml, problems: &mut Problems) -> Option<&'static str> {
    let field = "spec.budgetingMethod";
    let Some(method) = at(slo, field).and_then(text) else {
        problems.add(field, "is missing: Occurrences, Timeslices or RatioTimeslices");
        return None;
    };
    match method.to_ascii_lowercase().as_str() {
        "occurrences" => Some("occurrences"),
        "timeslices" => Some("timeslices"),
        "ratiotimeslices" => Some("ratio_timeslices"),
        _ => {
            problems
                .add(field, format!("'{method}' is not a budgeting method (Occurrences, Timeslices, RatioTimeslices)"));
            None
        }
    }
}

/// The objective as a percentage strictly between 0 and 100.
pub(super) fn objective_percent(objective: &Yaml, path: &str, problems: &mut Problems) -> Option<f64> {
    if untagged(objective).as_mapping().is_none() {
        problems.add(path, "must be a mapping with target or targetPercent");
        return None;
    }
    let read = |name: &str, problems: &mut Problems| {
        let value = key(objective, name)?;
        let parsed = number(value);
        if parsed.is_none() {
            problems.add(format!("{path}.{name}"), "must be a number");
        }
        parsed
    };
    let percent = read("targetPercent", problems);
    // Rounded so 0.999 gives 99.9, not 99.89999999999999.
    let from_target = read("target", problems).map(|t| (t * 100.0 * 1e9).round() / 1e9);
    let (field, value) = match (percent, from_target) {
        (Some(p), Some(t)) if (p - t).abs() > 1e-9 => {
            problems.add(format!("{path}.target"), format!("{t}% disagrees with targetPercent {p}: keep one"));
            return None;
        }
        (Some(p), _) => ("targetPercent", p),
        (None, Some(t)) => ("target", t),
        (None, None) => {
            if key(objective, "target").is_none() && key(objective, "targetPercent").is_none() {
                problems.add(path, "has neither target nor targetPercent");
            }
            return None;
        }
    };
    if value > 0.0 && value < 100.0 {
        return Some(value);
    }
    let hint = if field == "target" { " (target is a fraction such as 0.999; targetPercent takes 99.9)" } else { "" };
    problems.add(format!("{path}.{field}"), format!("{value}% is not strictly between 0 and 100{hint}"));
    None
}
