//! The on-call checks: pages reviewed, alert precision and paging load, over the service's
//! pages of the period (and its team's shifts). A service that paged nobody has nothing to
//! judge: the checks do not apply.

use serde_json::{Value, json};

use super::{CheckStatus, Context, Outcome, pct, plural};
use crate::domain::kpi::oncall::{
    alert_disposition_coverage, alert_precision, noisiest_rules, page_count, pages_per_shift,
};
use crate::domain::scorecard::policy::{CheckId, number_json};

/// The rules that paged most, in words: "HighLatency (12 pages, 25 % actionable), DiskFull (4)".
fn noisiest(cx: &Context<'_, '_>) -> String {
    let rules = noisiest_rules(cx.period, &cx.inputs.alerts);
    let named: Vec<String> = rules
        .iter()
        .take(3)
        .map(|r| match r.precision {
            Some(p) => format!("{} ({}, {} actionable)", r.rule, plural(r.pages as usize, "page", "pages"), pct(p)),
            None => format!("{} ({}, none reviewed)", r.rule, plural(r.pages as usize, "page", "pages")),
        })
        .collect();
    named.join(", ")
}

pub(super) fn check(cx: &Context<'_, '_>, id: CheckId, t: f64, shown: &str) -> Outcome {
    let alerts = &cx.inputs.alerts;
    let pages = page_count(cx.period, alerts);
    if pages == 0 {
        return Outcome::new(CheckStatus::NotApplicable, Value::Null, "The service paged nobody this period.");
    }
    let pages_text = plural(pages as usize, "page", "pages");
    match id {
        CheckId::PagesReviewed => {
            let coverage = alert_disposition_coverage(cx.period, alerts).unwrap_or(0.0);
            Outcome::judged(
                coverage >= t,
                number_json(coverage),
                format!("{} of its {pages_text} have a disposition (needs ≥ {shown}).", pct(coverage)),
            )
        }
        CheckId::AlertPrecision => match alert_precision(cx.period, alerts) {
            None => Outcome::new(
                CheckStatus::NoData,
                Value::Null,
                format!(
                    "None of its {pages_text} has been reviewed, so precision is unknown. Noisiest: {}.",
                    noisiest(cx)
                ),
            ),
            Some(precision) => Outcome::judged(
                precision >= t,
                number_json(precision),
                format!(
                    "{} of its reviewed pages were actionable (needs ≥ {shown}). Noisiest rules: {}.",
                    pct(precision),
                    noisiest(cx)
                ),
            ),
        },
        _ => match pages_per_shift(cx.period, alerts, &cx.inputs.shifts) {
            None => Outcome::new(
                CheckStatus::NoData,
                Value::Null,
                format!("It sent {pages_text} but its team has no on-call shift on record this period."),
            ),
            Some(load) => Outcome::judged(
                load.p90 <= t,
                json!({"p90": load.p90, "median": load.median, "shifts": load.shifts}),
                format!(
                    "90th percentile of its pages per {} shift is {:.1} over {} (allowed: {shown}). Noisiest rules: {}.",
                    cx.service.team,
                    load.p90,
                    plural(load.shifts, "shift", "shifts"),
                    noisiest(cx)
                ),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::domain::kpi::period::tests::{q, utc};
    use crate::domain::kpi::scope::tests::{service, slug};
    use crate::domain::kpi::{Alert, OncallShift};
    use crate::domain::records::AlertDisposition::{self, *};
    use crate::domain::scorecard::evaluate::{CheckStatus, ServiceInputs, evaluate_service};
    use crate::domain::scorecard::policy::{CheckId, Policy};

    fn page(n: u32, rule: &str, fired: &str, disposition: AlertDisposition) -> Alert {
        Alert {
            source: "am".into(),
            external_id: format!("a{n}"),
            service: slug("checkout"),
            team: Some(slug("payments")),
            rule: rule.into(),
            fired_at: utc(fired),
            acknowledged_at: None,
            paged: true,
            responder: None,
            disposition,
        }
    }

    fn shift(starts: &str, ends: &str) -> OncallShift {
        OncallShift {
            team: slug("payments"),
            schedule: "primary".into(),
            person: "p".into(),
            starts_at: utc(starts),
            ends_at: utc(ends),
        }
    }

    fn status(alerts: &[Alert], shifts: &[OncallShift], id: CheckId) -> (CheckStatus, String) {
        let policy = Policy::default_policy().unwrap();
        let svc = service("checkout", "payments", 0, true);
        let inputs = ServiceInputs {
            alerts: alerts.iter().collect(),
            shifts: shifts.iter().collect(),
            ..ServiceInputs::default()
        };
        let card = evaluate_service(&policy, &svc, &q("2026-Q3"), utc("2026-10-15T00:00:00Z"), &inputs, &[]);
        let check = card.checks.iter().find(|c| c.id == id).unwrap();
        (check.status, check.explanation.clone())
    }

    #[test]
    fn a_noisy_rule_fails_precision_and_paging_load_and_is_named_in_the_explanation() {
        // 5 pages in one week's shift: 1 actionable of 4 reviewed; one unreviewed.
        let alerts = [
            page(1, "HighErrorRate", "2026-08-03T10:00:00Z", Actionable),
            page(2, "QueueBacklog", "2026-08-04T02:00:00Z", NonActionable),
            page(3, "QueueBacklog", "2026-08-05T02:00:00Z", FalsePositive),
            page(4, "QueueBacklog", "2026-08-06T02:00:00Z", Duplicate),
            page(5, "QueueBacklog", "2026-08-07T02:00:00Z", Unreviewed),
        ];
        let shifts = [
            shift("2026-08-03T09:00:00Z", "2026-08-10T09:00:00Z"),
            shift("2026-08-10T09:00:00Z", "2026-08-17T09:00:00Z"),
        ];
        let (precision, why) = status(&alerts, &shifts, CheckId::AlertPrecision);
        assert_eq!(precision, CheckStatus::Fail);
        assert!(why.contains("25 %") && why.contains("QueueBacklog (4 pages, 0 % actionable)"), "{why}");
        assert_eq!(status(&alerts, &shifts, CheckId::PagesReviewed).0, CheckStatus::Fail, "4 of 5 is 80 % < 90 %");
        // The first week's shift took all 5 pages, the second none: p90 of [0, 5] is 4.5 > 2.
        let (load, why) = status(&alerts, &shifts, CheckId::PagingLoad);
        assert_eq!(load, CheckStatus::Fail, "{why}");
        assert!(why.contains("is 4.5 over 2 shifts"), "{why}");
    }

    #[test]
    fn quiet_services_are_not_judged_and_unreviewed_or_unstaffed_ones_have_no_data() {
        assert_eq!(status(&[], &[], CheckId::AlertPrecision).0, CheckStatus::NotApplicable);
        assert_eq!(status(&[], &[], CheckId::PagingLoad).0, CheckStatus::NotApplicable);
        let unreviewed = [page(1, "X", "2026-08-03T10:00:00Z", Unreviewed)];
        assert_eq!(status(&unreviewed, &[], CheckId::AlertPrecision).0, CheckStatus::NoData);
        assert_eq!(status(&unreviewed, &[], CheckId::PagingLoad).0, CheckStatus::NoData, "no shifts");
        let good = [page(1, "X", "2026-08-03T10:00:00Z", Actionable)];
        let shifts = [shift("2026-08-03T09:00:00Z", "2026-08-10T09:00:00Z")];
        for id in [CheckId::AlertPrecision, CheckId::PagesReviewed, CheckId::PagingLoad] {
            assert_eq!(status(&good, &shifts, id).0, CheckStatus::Pass, "{id}");
        }
    }
}
