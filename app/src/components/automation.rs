//! The "Automation" panel of the overview and team pages: how incidents were mitigated, how
//! many recent failure modes have a fully automated remediation, and the failure modes met most
//! that are not fully automated yet, each linked to the records behind it.

use leptos::prelude::*;

use super::figures::{HeadlineGrid, PracticeSection, TrendGrid, drill_down};
use super::url::safe_link;
use crate::domain::format::instant;
use crate::domain::overview::AutomationPanel;

#[component]
pub fn AutomationPanelView(
    automation: AutomationPanel,
    #[prop(into)] period: String,
    #[prop(into)] previous: String,
    #[prop(into)] scope: String,
    #[prop(into)] id_prefix: String,
    /// The section's class: a page's `panel` by default, `report-section` in the report.
    #[prop(optional, into)]
    class: Option<String>,
) -> impl IntoView {
    let AutomationPanel { headlines, trends, breakdown, empty } = automation;
    let modes_link = drill_down("failure_modes_automated", &period, &scope);
    let mitigations_link = drill_down("automated_mitigation_share", &period, &scope);
    let m = breakdown.mitigations;
    let mitigated = format!(
        "Mitigated in this period: {} by automation, {} by automation and people, {} by people, {} not recorded.",
        m.automation, m.mixed, m.human, m.unrecorded
    );
    view! {
        <PracticeSection title="Automation" name="automation" id_prefix=id_prefix.clone() class=class>
            {if empty {
                view! {
                    <p class="empty" data-testid="automation-empty">
                        "Nothing on record yet. Send who mitigated each incident (" <code>"mitigated_by"</code>
                        " on incidents) and how each service remediates its failure modes ("
                        <code>"POST /api/v1/remediations"</code> ")."
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <HeadlineGrid headlines period=period.clone() previous=previous scope=scope.clone()/>
                    <p class="note" data-testid="automation-mitigations">
                        {mitigated} " " <a href=mitigations_link>"The incidents →"</a>
                    </p>
                    <h3>"Failure modes to automate"</h3>
                    {if breakdown.to_automate.is_empty() {
                        let text = if breakdown.modes_seen == 0 {
                            "No incident with a root cause in the 90 days before the period's end."
                        } else {
                            "Every failure mode met in the 90 days before the period's end is fully automated."
                        };
                        view! { <p class="empty">{text}</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-scroll" tabindex="0">
                                <table class="data" data-testid="failure-modes">
                                    <caption class="visually-hidden">"Failure modes met in the last 90 days without a fully automated remediation, the most incidents first"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Service"</th>
                                            <th scope="col">"Failure mode"</th>
                                            <th scope="col" class="numeric">"Incidents"</th>
                                            <th scope="col">"Last seen"</th>
                                            <th scope="col">"Automation"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {breakdown.to_automate.iter().map(|mode| {
                                            let service_link = format!("/services/{}?period={period}", mode.service);
                                            let level = mode.automation.map_or("none recorded", |a| a.as_str());
                                            let runbook = mode.runbook_url.as_deref().and_then(safe_link);
                                            view! {
                                                <tr>
                                                    <td><a href=service_link><code>{mode.service.to_string()}</code></a></td>
                                                    <td>{mode.failure_mode.clone()}</td>
                                                    <td class="numeric">{mode.incidents}</td>
                                                    <td>{instant(mode.last_seen)}</td>
                                                    <td>
                                                        {level}
                                                        {runbook.map(|href| view! { " · " <a href=href rel="noopener noreferrer">"runbook"</a> })}
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any()
                    }}
                    <p class="note">
                        {format!(
                            "{} of {} failure modes met are not fully automated. ",
                            breakdown.to_automate_total, breakdown.modes_seen
                        )}
                        <a href=modes_link>"Every failure mode →"</a>
                    </p>
                    <TrendGrid trends id_prefix=format!("{id_prefix}-automation-trend")/>
                }
                .into_any()
            }}
        </PracticeSection>
    }
}
