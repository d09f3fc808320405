//! The "On-call health" panel of the overview and team pages: the on-call figures as headline
//! cards, their trends, and the rules that paged most, each linked to the pages behind it.

use leptos::prelude::*;

use super::figures::{HeadlineGrid, TrendGrid, drill_down};
use crate::domain::format::percent;
use crate::domain::overview::OncallHealth;

/// Up to three services, then how many more: a rule shared by thirty services stays one line.
pub fn services_in_words(services: &[crate::domain::records::Slug]) -> String {
    let named: Vec<&str> = services.iter().take(3).map(|s| s.as_str()).collect();
    match services.len().saturating_sub(named.len()) {
        0 => named.join(", "),
        more => format!("{} and {more} more", named.join(", ")),
    }
}

#[component]
pub fn OncallPanel(
    oncall: OncallHealth,
    #[prop(into)] period: String,
    #[prop(into)] previous: String,
    #[prop(into)] scope: String,
    #[prop(into)] id_prefix: String,
    /// The section's class: a page's `panel` by default, `report-section` in the report.
    #[prop(optional, into)]
    class: Option<String>,
) -> impl IntoView {
    let class = class.unwrap_or_else(|| "panel".to_owned());
    let OncallHealth { headlines, trends, noisiest_rules, hours, empty } = oncall;
    let heading = format!("{id_prefix}-oncall-heading");
    // Attributes are rendered after children: the section gets its own copy.
    let labelled_by = heading.clone();
    let pages_link = drill_down("noisiest_rules", &period, &scope);
    view! {
        <section class=class aria-labelledby=labelled_by data-testid="oncall-health">
            <h2 id=heading>"On-call health"</h2>
            {if empty {
                view! {
                    <p class="empty" data-testid="oncall-empty">
                        "No pages or on-call shifts on record. Send alerts (" <code>"POST /api/v1/alerts"</code>
                        ", or Alertmanager's webhook to " <code>"/api/v1/alertmanager"</code> ") and shifts ("
                        <code>"POST /api/v1/oncall-shifts"</code> ") to see paging load and alert precision."
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <HeadlineGrid headlines period=period.clone() previous=previous scope=scope.clone()/>
                    <p class="note">{hours}</p>
                    <h3>"Noisiest alert rules"</h3>
                    {if noisiest_rules.is_empty() {
                        view! { <p class="empty">"No pages in this period."</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-scroll" tabindex="0">
                                <table class="data" data-testid="noisiest-rules">
                                    <caption class="visually-hidden">"The alert rules that paged most, with their precision"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Rule"</th>
                                            <th scope="col">"Services"</th>
                                            <th scope="col" class="numeric">"Pages"</th>
                                            <th scope="col" class="numeric">"Reviewed"</th>
                                            <th scope="col" class="numeric">"Precision"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {noisiest_rules.into_iter().map(|rule| view! {
                                            <tr>
                                                <td>{rule.rule}</td>
                                                <td>{services_in_words(&rule.services)}</td>
                                                <td class="numeric">{rule.pages}</td>
                                                <td class="numeric">{rule.reviewed}</td>
                                                <td class="numeric">{percent(rule.precision, 0)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <p class="note"><a href=pages_link>"Every page of the period →"</a></p>
                        }
                        .into_any()
                    }}
                    <TrendGrid trends id_prefix=format!("{id_prefix}-oncall-trend")/>
                }
                .into_any()
            }}
        </section>
    }
}
