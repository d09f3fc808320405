//! The "Cost to serve" panel of the overview and team pages: one row per currency and unit
//! driver, whose change is only ever shown beside the scope's SLO met rate.

use leptos::prelude::*;

use super::figures::{PracticeSection, drill_down};
use super::trend::TrendChart;
use crate::domain::format::{format_amount, percent};
use crate::domain::overview::CostPanel;

/// A relative change with its sign: `−25.0 %`, `+3.1 %`.
fn signed_percent(change: f64) -> String {
    let sign = if change > 0.0 {
        "+"
    } else if change < 0.0 {
        "−"
    } else {
        "±"
    };
    format!("{sign}{:.1} %", change.abs() * 100.0)
}

#[component]
pub fn CostPanelView(
    cost: CostPanel,
    #[prop(into)] period: String,
    #[prop(into)] previous: String,
    #[prop(into)] scope: String,
    #[prop(into)] id_prefix: String,
    /// The section's class: a page's `panel` by default, `report-section` in the report.
    #[prop(optional, into)]
    class: Option<String>,
) -> impl IntoView {
    let CostPanel { rows, slo_met_rate, previous_slo_met_rate, partial, trends, empty } = cost;
    let costs_link = drill_down("unit_cost", &period, &scope);
    let met_link = drill_down("slo_met_rate", &period, &scope);
    let so_far = if partial { " so far" } else { "" };
    let met = format!("{}{so_far} (in {previous}: {})", percent(slo_met_rate, 1), percent(previous_slo_met_rate, 1));
    view! {
        <PracticeSection title="Cost to serve" name="cost" id_prefix=id_prefix.clone() class=class>
            {if empty {
                view! {
                    <p class="empty" data-testid="cost-empty">
                        "No costs on record. Send what each service cost per month with the units of its driver ("
                        <code>"POST /api/v1/costs"</code> ") to see its unit cost beside its reliability."
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <p class="note">
                        "Unit cost is the amount ÷ the units of its driver, kept apart per currency and driver: amounts in different currencies are never added. "
                        "A change is only shown beside the SLO met rate of the same scope: cheaper is better only when no less reliable."
                    </p>
                    {if rows.is_empty() {
                        view! { <p class="empty" data-testid="cost-none">{format!("No cost counted in {period}{so_far}.")}</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-scroll" tabindex="0">
                                <table class="data" data-testid="cost-rows">
                                    <caption class="visually-hidden">"Unit cost per currency and unit driver against the previous period, beside the SLO met rate"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Per"</th>
                                            <th scope="col" class="numeric">{format!("Unit cost{so_far}")}</th>
                                            <th scope="col" class="numeric">{format!("In {previous}")}</th>
                                            <th scope="col" class="numeric">"Change"</th>
                                            <th scope="col" class="numeric">"SLO met rate"</th>
                                            <th scope="col">"Reading"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {rows.into_iter().map(|row| {
                                            let per = format!("{} per {}", row.current.currency, row.current.unit_driver);
                                            let value = row.current.unit_cost().map_or_else(|| "—".to_owned(), format_amount);
                                            let before = row.previous_unit_cost.map_or_else(|| "—".to_owned(), format_amount);
                                            let change = row.change.map_or_else(|| "—".to_owned(), signed_percent);
                                            let detail = format!(
                                                "{} {} over {} units, {} services",
                                                row.current.currency,
                                                format_amount(row.current.amount),
                                                format_amount(row.current.units),
                                                row.current.services
                                            );
                                            let class = if row.verdict.is_warning() { "verdict warning" } else { "verdict" };
                                            view! {
                                                <tr>
                                                    <th scope="row">{per}</th>
                                                    <td class="numeric"><a href=costs_link.clone() title=detail>{value}</a></td>
                                                    <td class="numeric">{before}</td>
                                                    <td class="numeric">{change}</td>
                                                    <td class="numeric"><a href=met_link.clone()>{met.clone()}</a></td>
                                                    <td class=class>{row.verdict.in_words()}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any()
                    }}
                    <p class="note no-print"><a href=costs_link.clone()>"Every cost behind these figures →"</a></p>
                    <div class="trend-grid">
                        {trends.into_iter().enumerate().map(|(i, series)| {
                            view! { <TrendChart series id=format!("{id_prefix}-cost-trend-{i}")/> }
                        }).collect_view()}
                    </div>
                }
                .into_any()
            }}
        </PracticeSection>
    }
}
