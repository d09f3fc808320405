//! The service page's recovery objectives: the RTO and RPO the service declares, how its real
//! incidents of the period kept them (the KPIs, linked to their records) and how its DR tests'
//! achieved values compare with them.

use leptos::prelude::*;

use super::figures::drill_down;
use crate::api::{DrTestView, RecoveryView};
use crate::domain::format::{Unit, format_value};
use crate::domain::kpi::{KpiId, RecoveryFigures};

/// Of the tests with an achieved value, how many were within `target`: `(within, judged)`.
fn tests_within(target: i64, achieved: impl Iterator<Item = Option<i64>>) -> (usize, usize) {
    achieved.flatten().fold((0, 0), |(within, judged), a| (within + usize::from(a <= target), judged + 1))
}

fn tests_in_words((within, judged): (usize, usize)) -> String {
    match judged {
        0 => "none with an achieved value".to_owned(),
        _ => format!("{within} of {judged} within"),
    }
}

/// One objective's row: its target, the incidents' KPI (linked) and the DR tests.
fn objective_row(
    label: &'static str,
    key: &'static str,
    kpi: &'static str,
    target: Option<i64>,
    value: Option<f64>,
    tests: (usize, usize),
    link: String,
) -> impl IntoView {
    let Some(target) = target else {
        return view! {
            <tr data-objective=key>
                <th scope="row">{label}</th>
                <td>"not declared"</td>
                <td>"—"</td>
                <td>"—"</td>
            </tr>
        }
        .into_any();
    };
    let incidents = match value {
        Some(v) => format!("{} within", format_value(Unit::Fraction, Some(v))),
        None => "no data".to_owned(),
    };
    view! {
        <tr data-objective=key>
            <th scope="row">{label}</th>
            <td class="numeric">{format!("{target} min")}</td>
            <td><a href=link data-kpi=kpi>{incidents}</a></td>
            <td>{tests_in_words(tests)}</td>
        </tr>
    }
    .into_any()
}

#[component]
pub fn RecoveryObjectives(
    recovery: RecoveryView,
    dr_tests: Vec<DrTestView>,
    service: String,
    period: String,
) -> impl IntoView {
    let declared = recovery.rto_target_minutes.is_some() || recovery.rpo_target_minutes.is_some();
    let scope = format!("service:{service}");
    let rto_tests = recovery
        .rto_target_minutes
        .map(|t| tests_within(t, dr_tests.iter().map(|d| d.rto_achieved_minutes)))
        .unwrap_or_default();
    let rpo_tests = recovery
        .rpo_target_minutes
        .map(|t| tests_within(t, dr_tests.iter().map(|d| d.rpo_achieved_minutes)))
        .unwrap_or_default();
    view! {
        <section class="panel" aria-labelledby="recovery-heading" data-testid="recovery">
            <h2 id="recovery-heading">"Recovery objectives"</h2>
            {if declared {
                view! {
                    <p class="note">
                        "SEV0–1 incidents started in this period: restored (mitigated) within the RTO from their "
                        "start, or still open past it; data lost within the RPO where it was reported. DR tests "
                        "of the period: their achieved values against the service's objectives."
                    </p>
                    <div class="table-scroll" tabindex="0">
                        <table class="data">
                            <thead>
                                <tr>
                                    <th scope="col">"Objective"</th>
                                    <th scope="col">"Target"</th>
                                    <th scope="col">"Incidents"</th>
                                    <th scope="col">"DR tests"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {objective_row(
                                    "Recovery time (RTO)",
                                    "rto",
                                    "restores_within_rto",
                                    recovery.rto_target_minutes,
                                    recovery.restores_within_rto,
                                    rto_tests,
                                    drill_down("restores_within_rto", &period, &scope),
                                )}
                                {objective_row(
                                    "Recovery point (RPO)",
                                    "rpo",
                                    "data_loss_within_rpo",
                                    recovery.rpo_target_minutes,
                                    recovery.data_loss_within_rpo,
                                    rpo_tests,
                                    drill_down("data_loss_within_rpo", &period, &scope),
                                )}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <p class="empty">
                        "No recovery objectives declared. Import the service with rto_target_minutes and "
                        "rpo_target_minutes to hold its incidents and DR tests to them."
                    </p>
                }
                .into_any()
            }}
        </section>
    }
}

/// What each of a scope's recovery figures says, in words.
fn figure_meaning(kpi: KpiId) -> &'static str {
    match kpi {
        KpiId::DrPassRate => "DR tests performed in the period that passed",
        KpiId::RtoCompliance => "DR tests that recovered within their own RTO target",
        KpiId::RpoCompliance => "DR tests that lost no more than their own RPO target",
        KpiId::DrCoverage => "Tier 0–1 services with a recent passing DR test",
        KpiId::RestoresWithinRto => "SEV0–1 incidents restored within their service's RTO",
        KpiId::DataLossWithinRpo => "SEV0–1 incidents reporting data loss within their service's RPO",
        _ => "",
    }
}

/// A scope's DR tests and real incidents against the recovery objectives, each linked to the
/// records behind it; "no data" is never written as 0 %.
#[component]
pub fn RecoveryFiguresTable(figures: RecoveryFigures, period: String, scope: String) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data" data-testid="recovery-figures">
                <caption class="visually-hidden">"Disaster-recovery figures of the period"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Figure"</th>
                        <th scope="col">"What it counts"</th>
                        <th scope="col" class="numeric">"Value"</th>
                    </tr>
                </thead>
                <tbody>
                    {figures.rows().into_iter().map(|(kpi, value)| {
                        let text = value.map_or_else(|| "no data".to_owned(), |v| format_value(Unit::Fraction, Some(v)));
                        view! {
                            <tr data-kpi=kpi.as_str()>
                                <th scope="row">{kpi.title()}</th>
                                <td>{figure_meaning(kpi)}</td>
                                <td class="numeric"><a href=drill_down(kpi.as_str(), &period, &scope)>{text}</a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dr_tests_without_an_achieved_value_are_not_judged() {
        assert_eq!(tests_within(60, [Some(45), Some(60), Some(61), None].into_iter()), (2, 3));
        assert_eq!(tests_in_words(tests_within(60, [None].into_iter())), "none with an achieved value");
        assert_eq!(tests_in_words((2, 3)), "2 of 3 within");
    }
}
