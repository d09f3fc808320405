//! Targets for the headline KPIs, set in the policy's `[targets]` table (docs/scorecard-policy.md):
//! `slo_met_rate = 0.95`, `mttr = 60`. Whether a target is a floor or a ceiling follows the
//! KPI's direction (a higher SLO met rate is better, a lower MTTR is). Shown beside the figures
//! on the overview, the team pages and the report.

use std::collections::BTreeMap;

use super::policy::PolicyError;
use crate::domain::format::Unit;
use crate::domain::kpi::KpiId;
use crate::domain::overview::headline::HEADLINES;

/// Validates the raw `[targets]` table: headline KPIs only, fractions within [0, 1], other
/// figures not negative.
pub fn validate_targets(raw: BTreeMap<String, f64>) -> Result<BTreeMap<KpiId, f64>, PolicyError> {
    let bad = |message: String| PolicyError::BadTarget(message);
    let mut targets = BTreeMap::new();
    for (key, value) in raw {
        let Some(headline) = HEADLINES.iter().find(|h| h.kpi.as_str() == key) else {
            let known: Vec<&str> = HEADLINES.iter().map(|h| h.kpi.as_str()).collect();
            return Err(bad(format!("{key:?} is not a headline KPI; expected one of {}", known.join(", "))));
        };
        if !value.is_finite() || value < 0.0 || (headline.unit == Unit::Fraction && value > 1.0) {
            let expected = if headline.unit == Unit::Fraction { "a fraction from 0 to 1" } else { "0 or more" };
            return Err(bad(format!("{key}: {value} is not {expected}")));
        }
        targets.insert(headline.kpi, value);
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::scorecard::Policy;

    #[test]
    fn the_default_policy_sets_targets_for_the_headline_kpis() {
        let policy = Policy::default_policy().expect("default policy");
        assert_eq!(policy.targets.get(&KpiId::SloMetRate), Some(&0.95));
        assert!(policy.targets.contains_key(&KpiId::Mttr));
    }

    #[test]
    fn targets_name_headline_kpis_in_their_unit() {
        let ok = validate_targets(BTreeMap::from([("slo_met_rate".into(), 0.9), ("mttr".into(), 60.0)]));
        assert_eq!(ok.map(|t| t.len()), Ok(2));
        for (key, value, message) in [
            ("slo_met_rate", 95.0, "not a fraction from 0 to 1"),
            ("mttr", -1.0, "not 0 or more"),
            ("uptime", 0.9, "not a headline KPI"),
        ] {
            let error = validate_targets(BTreeMap::from([(key.to_owned(), value)])).expect_err(key).to_string();
            assert!(error.contains(message), "{error}");
        }
    }
}
