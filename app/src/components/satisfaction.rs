//! The "Stakeholder satisfaction" panel of the overview and team pages.

use leptos::prelude::*;

use super::figures::{HeadlineGrid, PracticeSection, TrendGrid, drill_down};
use crate::domain::overview::SatisfactionPanel;

#[component]
pub fn SatisfactionPanelView(
    satisfaction: SatisfactionPanel,
    #[prop(into)] period: String,
    #[prop(into)] previous: String,
    #[prop(into)] scope: String,
    #[prop(into)] id_prefix: String,
    /// The section's class: a page's `panel` by default, `report-section` in the report.
    #[prop(optional, into)]
    class: Option<String>,
) -> impl IntoView {
    let SatisfactionPanel { headlines, trends, current, empty } = satisfaction;
    let scores_link = drill_down("stakeholder_satisfaction", &period, &scope);
    let count = crate::domain::format::count_of(u64::from(current.responses), "response", "responses");
    view! {
        <PracticeSection title="Stakeholder satisfaction" name="satisfaction" id_prefix=id_prefix.clone() class=class>
            {if empty {
                view! {
                    <p class="empty" data-testid="satisfaction-empty">
                        "No survey responses on record. Send each stakeholder's score of 1 to 5, with a hash of who answered ("
                        <code>"POST /api/v1/survey-responses"</code> "), to see how the people served rate the service they get."
                    </p>
                }
                .into_any()
            } else if current.withheld() {
                view! {
                    <HeadlineGrid headlines period=period.clone() previous=previous scope=scope.clone()/>
                    <p class="note" data-testid="satisfaction-withheld">
                        {format!(
                            "{count} in {period}: fewer than the {} the policy asks for before a mean is shown, so that no one's answer can be read back to them.",
                            current.minimum
                        )}
                    </p>
                    <TrendGrid trends id_prefix=format!("{id_prefix}-satisfaction-trend")/>
                }
                .into_any()
            } else {
                let most = current.by_score.iter().copied().max().unwrap_or(0).max(1);
                view! {
                    <HeadlineGrid headlines period=period.clone() previous=previous scope=scope.clone()/>
                    <div class="table-scroll" tabindex="0">
                        <table class="data" data-testid="satisfaction-scores">
                            <caption>{format!("Responses per score, {count} in {period}")}</caption>
                            <thead>
                                <tr>
                                    <th scope="col" class="numeric">"Score"</th>
                                    <th scope="col" class="numeric">"Responses"</th>
                                    <th scope="col">"Share"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {current.by_score.iter().zip(1_u8..=5).rev().map(|(n, score)| {
                                    // An SVG bar: the content security policy allows no inline styles.
                                    let width = format!("{:.1}", f64::from(*n) / f64::from(most) * 100.0);
                                    let share = crate::domain::format::percent(Some(f64::from(*n) / f64::from(current.responses.max(1))), 0);
                                    view! {
                                        <tr>
                                            <th scope="row" class="numeric">{score}</th>
                                            <td class="numeric">{*n}</td>
                                            <td>
                                                <svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
                                                    <rect class="bar-track" width="100" height="8"/>
                                                    <rect class="bar-fill" width=width height="8"/>
                                                </svg>
                                                {share}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <p class="note no-print">
                        {format!("A mean is shown from {} responses. ", current.minimum)}
                        <a href=scores_link>"The responses per score →"</a>
                    </p>
                    <TrendGrid trends id_prefix=format!("{id_prefix}-satisfaction-trend")/>
                }
                .into_any()
            }}
        </PracticeSection>
    }
}
