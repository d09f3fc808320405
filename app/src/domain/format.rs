//! How figures and instants read on every page, in the report and in the PDF: one place, so
//! a percentage or a time never reads two ways.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Differences smaller than this are rounding noise, not a movement.
pub const EPSILON: f64 = 1e-9;

/// How a figure is read and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A fraction in [0, 1], shown as a percentage.
    Fraction,
    Count,
    Minutes,
    /// Deployments per week.
    PerWeek,
    /// Pages per on-call shift.
    PerShift,
    /// Money per unit of a driver (the currency and driver are in the label): read by its
    /// significant digits, as unit costs are often fractions of a cent.
    Amount,
    /// A mean score on a scale of 1 to 5.
    Score,
}

/// `value` for reading: `97.5 %`, `12`, `3.2 h`, `4.5 / wk`; "—" for no data.
pub fn format_value(unit: Unit, value: Option<f64>) -> String {
    let Some(value) = value else { return "—".to_owned() };
    match unit {
        Unit::Fraction => format!("{:.1}\u{a0}%", value * 100.0),
        Unit::Count => format!("{value:.0}"),
        Unit::Minutes => format_minutes(value),
        Unit::PerWeek => format!("{value:.1} / wk"),
        Unit::PerShift => format!("{value:.1} / shift"),
        Unit::Amount => format_amount(value),
        Unit::Score => format!("{value:.2} / 5"),
    }
}

/// A change for reading, with its sign: `+2.5 pts`, `−3`, `+12 min`.
pub fn format_delta(unit: Unit, delta: Option<f64>) -> String {
    let Some(delta) = delta else { return "no comparison".to_owned() };
    let sign = if delta > EPSILON {
        "+"
    } else if delta < -EPSILON {
        "−"
    } else {
        "±"
    };
    let size = delta.abs();
    let body = match unit {
        Unit::Fraction => format!("{:.1} pts", size * 100.0),
        Unit::Count => format!("{size:.0}"),
        Unit::Minutes => format_minutes(size),
        Unit::PerWeek => format!("{size:.1} / wk"),
        Unit::PerShift => format!("{size:.1} / shift"),
        Unit::Amount => format_amount(size),
        Unit::Score => format!("{size:.2}"),
    };
    format!("{sign}{body}")
}

/// An amount by its significant digits: `1240`, `12.35`, `0.000213`; no trailing zeros below 100.
pub fn format_amount(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let size = value.abs();
    if size >= 100.0 {
        return format!("{value:.0}");
    }
    let decimals = if size >= 1.0 || size == 0.0 { 2 } else { ((-size.log10()).ceil() as usize + 2).min(12) };
    let text = format!("{value:.decimals$}");
    if text.contains('.') { text.trim_end_matches('0').trim_end_matches('.').to_owned() } else { text }
}

/// Minutes as minutes, hours or days, whichever reads best.
pub fn format_minutes(minutes: f64) -> String {
    if minutes.abs() < 120.0 {
        format!("{minutes:.0} min")
    } else if minutes.abs() < 48.0 * 60.0 {
        format!("{:.1} h", minutes / 60.0)
    } else {
        format!("{:.1} d", minutes / 1440.0)
    }
}

/// A fraction as a percentage with `decimals` places: `99.95 %`; "—" for no data.
pub fn percent(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{:.*} %", decimals, v * 100.0))
}

/// A count with its noun, singular or plural: `1 day`, `3 days`, `0 problems`.
pub fn count_of(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// Text made safe for an HTML or XML element, or a double-quoted attribute (SVG charts, the
/// page title, notification email).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// An instant to the minute, in UTC: `2026-11-27 09:30 UTC`.
pub fn instant(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// An instant to the second, in UTC: `2026-11-27 09:30:12 UTC` (import batches, audit events).
pub fn instant_seconds(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_keep_their_significant_digits() {
        assert_eq!(format_amount(1240.7), "1241");
        assert_eq!(format_amount(12.345), "12.35");
        assert_eq!(format_amount(0.5), "0.5");
        assert_eq!(format_amount(0.000_213_4), "0.000213");
        assert_eq!(format_amount(0.0), "0");
    }

    #[test]
    fn counts_take_the_right_noun() {
        assert_eq!(count_of(1, "day", "days"), "1 day");
        assert_eq!(count_of(0, "problem", "problems"), "0 problems");
    }

    #[test]
    fn values_and_deltas_read_naturally() {
        assert_eq!(format_value(Unit::Fraction, Some(0.975)), "97.5\u{a0}%");
        assert_eq!(format_value(Unit::Minutes, Some(150.0)), "2.5 h");
        assert_eq!(format_value(Unit::Count, None), "—");
        assert_eq!(format_delta(Unit::Fraction, Some(-0.025)), "−2.5 pts");
        assert_eq!(format_delta(Unit::Count, Some(3.0)), "+3");
        assert_eq!(format_delta(Unit::Count, Some(0.0)), "±0");
        assert_eq!(format_delta(Unit::Minutes, None), "no comparison");
        assert_eq!(percent(Some(0.9995), 2), "99.95 %");
        assert_eq!(percent(None, 1), "—");
    }

    #[test]
    fn instants_read_in_utc() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T10:30:12+01:00").unwrap().with_timezone(&Utc);
        assert_eq!(instant(at), "2026-11-27 09:30 UTC");
        assert_eq!(instant_seconds(at), "2026-11-27 09:30:12 UTC");
    }
}
