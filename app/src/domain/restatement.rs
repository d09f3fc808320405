//! Comparing published figures with recomputed ones (docs/as-known-at.md §3). Figures are
//! compared as their JSON documents, numbers within a relative 10⁻⁹: a sum taken over the same
//! records in another order can differ in its last binary digit, and that is not a restatement.

use serde_json::Value;

/// Relative tolerance under which two figures are the same number.
pub const TOLERANCE: f64 = 1e-9;

/// Whether two numbers are the same figure.
pub fn same_number(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

/// The path of the first place two documents differ (`org.mttr.mean`, `scorecards[3].score`),
/// or `None` when they are the same figures.
pub fn first_difference(a: &Value, b: &Value) -> Option<String> {
    difference(a, b, String::new())
}

fn difference(a: &Value, b: &Value, path: String) -> Option<String> {
    let at = |key: &str| if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") };
    match (a, b) {
        // Counts are compared exactly; fractions within the tolerance.
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) if same_number(x, y) => None,
            _ => Some(path),
        },
        (Value::Number(x), Value::Number(y)) => (x != y).then_some(path),
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|key| match (x.get(key), y.get(key)) {
                (Some(u), Some(v)) => difference(u, v, at(key)),
                _ => Some(at(key)),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (u, v))| difference(u, v, format!("{path}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_last_binary_digit_of_a_sum_is_not_a_difference() {
        let published = json!({"dr_coverage": 0.9333333333333332, "frequency": 101.42391304347828});
        let now = json!({"dr_coverage": 0.9333333333333333, "frequency": 101.42391304347827});
        assert_eq!(first_difference(&published, &now), None);
        assert!(same_number(0.1 + 0.2, 0.3));
        assert!(!same_number(0.93, 0.94));
        assert!(!same_number(0.0, 1e-6), "near zero the tolerance is absolute 1e-9");
    }

    #[test]
    fn the_first_real_difference_is_named_by_its_path() {
        let published =
            json!({"org": {"mttr": {"mean": 60.0, "count": 1}}, "scorecards": [{"score": 90}, {"score": 80}]});
        assert_eq!(first_difference(&published, &published.clone()), None);
        let later = json!({"org": {"mttr": {"mean": 120.0, "count": 1}}, "scorecards": [{"score": 90}, {"score": 80}]});
        assert_eq!(first_difference(&published, &later).as_deref(), Some("org.mttr.mean"));
        let card = json!({"org": {"mttr": {"mean": 60.0, "count": 1}}, "scorecards": [{"score": 90}, {"score": 81}]});
        assert_eq!(first_difference(&published, &card).as_deref(), Some("scorecards[1].score"));
        let shorter = json!({"org": {"mttr": {"mean": 60.0, "count": 1}}, "scorecards": [{"score": 90}]});
        assert_eq!(first_difference(&published, &shorter).as_deref(), Some("scorecards"));
        let missing = json!({"org": {"mttr": null}, "scorecards": [{"score": 90}, {"score": 80}]});
        assert_eq!(first_difference(&published, &missing).as_deref(), Some("org.mttr"));
        assert_eq!(first_difference(&json!({"a": 1}), &json!({"a": 1, "b": 2})).as_deref(), Some("b"));
        let big = json!({"pages": 4_000_000_000_u64});
        assert_eq!(first_difference(&big, &json!({"pages": 4_000_000_001_u64})).as_deref(), Some("pages"));
    }
}
