//! The "Capacity headroom" panel of the overview and team pages.

use leptos::prelude::*;

use super::figures::{HeadlineGrid, PracticeSection, TrendGrid, drill_down};
use crate::domain::format::percent;
use crate::domain::overview::CapacityPanel;

#[component]
pub fn CapacityPanelView(
    capacity: CapacityPanel,
    #[prop(into)] period: String,
    #[prop(into)] previous: String,
    #[prop(into)] scope: String,
    #[prop(into)] id_prefix: String,
    /// The section's class: a page's `panel` by default, `report-section` in the report.
    #[prop(optional, into)]
    class: Option<String>,
) -> impl IntoView {
    let CapacityPanel { headlines, trends, breakdown, headroom, empty } = capacity;
    let [t0, t1, t2, t3] = headroom.map(|h| percent(Some(h), 0));
    let kept = format!("Headroom kept (policy): tier 0 at least {t0}, tier 1 {t1}, tier 2 {t2}, tier 3 {t3}. ");
    let services_link = drill_down("capacity_headroom_compliance", &period, &scope);
    let incidents = crate::domain::format::count_of(u64::from(breakdown.capacity_incidents), "incident", "incidents");
    view! {
        <PracticeSection title="Capacity headroom" name="capacity" id_prefix=id_prefix.clone() class=class>
            {if empty {
                view! {
                    <p class="empty" data-testid="capacity-empty">
                        "No capacity measurements on record. Send each service's daily peak use per resource ("
                        <code>"POST /api/v1/capacity-measurements"</code> ") to see whether it keeps its tier's headroom."
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <HeadlineGrid headlines period=period.clone() previous=previous scope=scope.clone()/>
                    <p class="note">
                        {kept}
                        <span data-testid="capacity-incidents">{format!("Capacity-caused incidents started in this period: {incidents}.")}</span>
                    </p>
                    {if breakdown.services.is_empty() {
                        view! { <p class="empty">"No service was measured in this period."</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-scroll" tabindex="0">
                                <table class="data" data-testid="capacity-services">
                                    <caption class="visually-hidden">"Measured services, the fewest days within their headroom first"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Service"</th>
                                            <th scope="col" class="numeric">"Tier"</th>
                                            <th scope="col" class="numeric">"Within headroom"</th>
                                            <th scope="col" class="numeric">"Days"</th>
                                            <th scope="col">"Least headroom"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {breakdown.services.iter().map(|row| {
                                            let link = format!("/services/{}?period={period}", row.service);
                                            view! {
                                                <tr>
                                                    <td><a href=link><code>{row.service.clone()}</code></a></td>
                                                    <td class="numeric">{row.tier}</td>
                                                    <td class="numeric">{percent(row.compliance(), 1)}</td>
                                                    <td class="numeric">{format!("{} of {}", row.days_meeting, row.days_with_data)}</td>
                                                    <td>{format!("{} ({} on {})", percent(Some(row.worst), 1), row.worst_resource, row.worst_day)}</td>
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
                        {format!("{} services measured. ", breakdown.services_measured)}
                        <a href=services_link>"Every measured service →"</a>
                    </p>
                    <TrendGrid trends id_prefix=format!("{id_prefix}-capacity-trend")/>
                }
                .into_any()
            }}
        </PracticeSection>
    }
}
