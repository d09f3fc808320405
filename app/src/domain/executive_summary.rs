//! The report's executive summary (docs/reports.md): a few plain sentences generated from the
//! report's own figures — the quarter's scale, targets met and missed, the biggest movements,
//! levels and the top risks — so the first paragraph a reader sees never disagrees with the
//! tables under it.

use crate::domain::format::{count_of, format_delta, format_value};
use crate::domain::overview::{Headline, Risks, TierLevels, Verdict};

/// How far a figure moved, relative to where it was (a move from nothing counts as whole).
fn relative_move(h: &Headline) -> f64 {
    match (h.delta, h.previous) {
        (Some(delta), Some(previous)) if previous.abs() > f64::EPSILON => (delta / previous).abs(),
        (Some(delta), _) => delta.abs().min(1.0),
        _ => 0.0,
    }
}

fn movement(h: &Headline) -> String {
    format!("{} ({}, now {})", h.label, format_delta(h.unit, h.delta), format_value(h.unit, h.value))
}

/// The summary's sentences for a report of `period` compared with `previous`.
pub fn executive_summary(
    period: &str,
    previous: &str,
    active_services: u64,
    headlines: &[Headline],
    levels: &[TierLevels],
    risks: &Risks,
) -> Vec<String> {
    let mut sentences = Vec::new();
    let find = |kpi: &str| headlines.iter().find(|h| h.kpi == kpi);
    let high = find("high_sev_count").and_then(|h| h.value);
    let impact = find("customer_impact_minutes").and_then(|h| h.value);
    match (high, impact) {
        (Some(high), Some(impact)) => sentences.push(format!(
            "In {period}, {} ran under the scorecard policy; {} started, with {} of customer impact.",
            count_of(active_services, "active service", "active services"),
            count_of(high as u64, "SEV0–1 incident", "SEV0–1 incidents"),
            format_value(crate::domain::format::Unit::Minutes, Some(impact)),
        )),
        _ => sentences.push(format!("{period} has no data on record: there is nothing to summarise.")),
    }
    if high.is_none() {
        return sentences;
    }
    let targeted: Vec<&Headline> = headlines.iter().filter(|h| h.target.is_some()).collect();
    let missed: Vec<String> = targeted
        .iter()
        .filter(|h| h.meets_target() == Some(false))
        .map(|h| {
            // A running period's count is judged at its pace: say so beside the value.
            let value = match h.pace_text() {
                Some(pace) => format!("{} so far, on pace for {pace}", format_value(h.unit, h.value)),
                None => format_value(h.unit, h.value),
            };
            format!("{} ({value}, target {})", h.label, h.target_text().unwrap_or_default())
        })
        .collect();
    let unjudged: Vec<&str> =
        targeted.iter().filter(|h| h.meets_target().is_none()).map(|h| h.label.as_str()).collect();
    let met = targeted.iter().filter(|h| h.meets_target() == Some(true)).count();
    if !targeted.is_empty() {
        let verb = if met == 1 { "meets" } else { "meet" };
        let mut sentence =
            format!("{met} of {} with a target {verb} it", count_of(targeted.len() as u64, "figure", "figures"));
        if !missed.is_empty() {
            sentence.push_str(&format!("; missed: {}", missed.join("; ")));
        }
        if !unjudged.is_empty() {
            sentence.push_str(&format!("; no data for: {}", unjudged.join(", ")));
        }
        sentences.push(sentence + ".");
    }
    let biggest = |verdict: Verdict| {
        headlines
            .iter()
            .filter(|h| h.verdict == verdict && h.pace.is_none())
            .max_by(|a, b| relative_move(a).total_cmp(&relative_move(b)))
    };
    match (biggest(Verdict::Better), biggest(Verdict::Worse)) {
        (None, None) => sentences.push(format!("No headline figure moved against {previous}.")),
        (better, worse) => {
            let mut parts = Vec::new();
            if let Some(h) = better {
                parts.push(format!("the biggest improvement against {previous} is {}", movement(h)));
            }
            if let Some(h) = worse {
                parts.push(format!("the biggest deterioration is {}", movement(h)));
            }
            let mut sentence = parts.join("; ");
            if let Some(first) = sentence.get(..1) {
                sentence = first.to_uppercase() + &sentence[1..];
            }
            sentences.push(sentence + ".");
        }
    }
    let reachable: Vec<&TierLevels> = levels.iter().filter(|t| t.share_at_silver().is_some()).collect();
    let able: u64 = reachable.iter().map(|t| t.total()).sum();
    let at_silver: u64 = reachable.iter().map(|t| t.gold + t.silver).sum();
    let below: u64 = levels.iter().map(|t| t.none).sum();
    if able > 0 {
        sentences.push(format!(
            "{at_silver} of the {} whose tier can reach Silver {} at Silver or above; {} below Bronze.",
            count_of(able, "service", "services"),
            if at_silver == 1 { "is" } else { "are" },
            count_of(below, "service is", "services are"),
        ));
    }
    let mut risks_text = Vec::new();
    if risks.exhausted_total > 0 {
        risks_text.push(count_of(risks.exhausted_total as u64, "error budget exhausted", "error budgets exhausted"));
    }
    if risks.overdue_total > 0 {
        let oldest = risks.overdue_actions.iter().map(|a| a.days_overdue).max().unwrap_or_default();
        risks_text.push(format!(
            "{} (the oldest {} overdue)",
            count_of(risks.overdue_total as u64, "postmortem action overdue", "postmortem actions overdue"),
            count_of(oldest.max(0) as u64, "day", "days")
        ));
    }
    if risks.dr_gaps_total > 0 {
        risks_text.push(format!(
            "{} without a recent passing DR test",
            count_of(risks.dr_gaps_total as u64, "tier 0–1 service", "tier 0–1 services")
        ));
    }
    if risks_text.is_empty() {
        sentences.push("No exhausted error budget, overdue action or DR gap stands out.".to_owned());
    } else {
        sentences.push(format!("Top risks: {}.", risks_text.join(", ")));
    }
    sentences
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kpi::period::tests::{q, utc};
    use crate::domain::kpi::{Elapsed, KpiValues};
    use crate::domain::overview::{annotate, headlines};

    fn whole_quarter() -> Elapsed {
        q("2026-Q3").elapsed(utc("2027-01-01T00:00:00Z"))
    }

    fn figures(high: u64, met: f64, before_met: f64) -> Vec<Headline> {
        let now = KpiValues {
            high_sev_count: high,
            customer_impact_minutes: 90.0,
            slo_met_rate: Some(met),
            ..Default::default()
        };
        let before = KpiValues { high_sev_count: 4, slo_met_rate: Some(before_met), ..Default::default() };
        let mut list = headlines(Some(&now), Some(&before), whole_quarter());
        annotate(&mut list, &std::collections::BTreeMap::from([(crate::domain::kpi::KpiId::SloMetRate, 0.95)]), None);
        list
    }

    #[test]
    fn the_summary_names_scale_targets_movements_levels_and_risks() {
        let levels = vec![
            TierLevels {
                tier: 0,
                gold: 1,
                silver: 1,
                bronze: 1,
                none: 1,
                ceiling: Some(crate::domain::scorecard::Level::Gold),
            },
            TierLevels {
                tier: 3,
                bronze: 5,
                ceiling: Some(crate::domain::scorecard::Level::Bronze),
                ..Default::default()
            },
        ];
        let risks = Risks { exhausted_total: 2, ..Default::default() };
        let text = executive_summary("2026-Q3", "2026-Q2", 9, &figures(2, 0.9, 0.8), &levels, &risks).join(" ");
        assert!(text.starts_with("In 2026-Q3, 9 active services ran under the scorecard policy; 2 SEV0–1 incidents started, with 90 min of customer impact."), "{text}");
        assert!(
            text.contains("0 of 1 figure with a target meet it; missed: SLOs met (90.0\u{a0}%, target ≥ 95.0\u{a0}%)."),
            "{text}"
        );
        assert!(text.contains("The biggest improvement against 2026-Q2 is SEV0–1 incidents (−2, now 2)"), "{text}");
        assert!(
            text.contains(
                "2 of the 4 services whose tier can reach Silver are at Silver or above; 1 service is below Bronze."
            ),
            "{text}"
        );
        assert!(text.contains("Top risks: 2 error budgets exhausted."), "{text}");
    }

    #[test]
    fn a_quarter_without_data_says_so_and_nothing_else() {
        let none = headlines(None, None, whole_quarter());
        let text = executive_summary("2026-Q3", "2026-Q2", 0, &none, &[], &Risks::default());
        assert_eq!(text, ["2026-Q3 has no data on record: there is nothing to summarise."]);
    }
}
