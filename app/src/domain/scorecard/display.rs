//! Check values and thresholds as text for pages: the JSON the API returns, made readable.

use serde_json::Value;

use super::policy::{Unit, format_in_unit};

/// `0.8` → `0.8`, `true` → `yes`, `{"met": 2, "missed": ["a"]}` → `met 2 · missed a`; `null`
/// and empty lists → `—`.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "—".to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(n) => n.as_f64().map_or_else(|| n.to_string(), number),
        Value::String(text) => text.clone(),
        Value::Array(items) if items.is_empty() => "—".to_owned(),
        Value::Array(items) => items.iter().map(describe).collect::<Vec<_>>().join(", "),
        Value::Object(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(k, v)| format!("{} {}", k.replace('_', " "), describe(v)))
                .collect();
            if parts.is_empty() { "—".to_owned() } else { parts.join(" · ") }
        }
    }
}

/// A threshold: `true` means the check must simply hold; `null` that it does not apply.
pub fn describe_threshold(threshold: &Value) -> String {
    match threshold {
        Value::Null => "n/a".to_owned(),
        Value::Bool(true) => "required".to_owned(),
        other => describe(other),
    }
}

/// A check's value in the check's unit: `41.2 %`, `12 days`, `95 min`; in a composite value,
/// the figure in the unit (`lowest −533.1 %`) and day counts as days (`oldest data 1 day old`).
pub fn describe_in(unit: Unit, value: &Value) -> String {
    match value {
        Value::Number(n) if unit != Unit::Flag => n.as_f64().map_or_else(|| n.to_string(), |v| format_in_unit(unit, v)),
        Value::Object(fields) => {
            let days = |v: &Value| v.as_f64().map_or_else(|| describe(v), |d| format_in_unit(Unit::Days, d));
            let parts: Vec<String> = fields
                .iter()
                .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
                .map(|(key, v)| match key.as_str() {
                    "lowest" if unit != Unit::Flag => format!("lowest {}", describe_in(unit, v)),
                    "max_days_overdue" => format!("longest overdue {}", days(v)),
                    "days_since_passing_test" => format!("last passing test {} ago", days(v)),
                    "oldest_age_days" => format!("oldest data {} old", days(v)),
                    other => format!("{} {}", other.replace('_', " "), describe(v)),
                })
                .collect();
            if parts.is_empty() { "—".to_owned() } else { parts.join(" · ") }
        }
        other => describe(other),
    }
}

/// A threshold in the check's unit: `needs 90 %`-style figures (`90 %`, `30 days`), `required`
/// for a plain requirement, and `does not apply` for the service's tier.
pub fn describe_threshold_in(unit: Unit, threshold: &Value) -> String {
    match threshold {
        Value::Null => "does not apply to this tier".to_owned(),
        Value::Bool(true) => "required".to_owned(),
        Value::Number(n) if unit != Unit::Flag => n.as_f64().map_or_else(|| n.to_string(), |v| format_in_unit(unit, v)),
        other => describe(other),
    }
}

/// At most three decimals, without trailing zeros.
fn number(value: f64) -> String {
    let text = format!("{value:.3}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_read_as_text() {
        assert_eq!(describe(&json!(0.8)), "0.8");
        assert_eq!(describe(&json!(2)), "2");
        assert_eq!(describe(&json!(0.12345)), "0.123");
        assert_eq!(describe(&json!(true)), "yes");
        assert_eq!(describe(&json!(null)), "—");
        assert_eq!(
            describe(&json!({"met": 2, "missed": ["api", "web"], "without_data": []})),
            "met 2 · missed api, web"
        );
        assert_eq!(describe_threshold(&json!(true)), "required");
        assert_eq!(describe_threshold(&json!(null)), "n/a");
        assert_eq!(describe_threshold(&json!(30)), "30");
    }

    #[test]
    fn values_and_thresholds_read_in_the_checks_unit() {
        assert_eq!(describe_in(Unit::Fraction, &json!(0.412)), "41.2 %");
        assert_eq!(describe_threshold_in(Unit::Fraction, &json!(0.9)), "90 %");
        assert_eq!(
            describe_in(Unit::Fraction, &json!({"lowest": -5.331, "below": ["api"]})),
            "below api · lowest -533.1 %"
        );
        assert_eq!(describe_in(Unit::Days, &json!({"oldest_age_days": 1, "stale_slos": []})), "oldest data 1 day old");
        assert_eq!(describe_threshold_in(Unit::Days, &json!(30)), "30 days");
        assert_eq!(describe_threshold_in(Unit::Minutes, &json!(null)), "does not apply to this tier");
    }
}
