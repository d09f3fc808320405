//! "SLOs met by indicator": the scope's SLO met rate per indicator kind (docs/kpis.md §7),
//! shared by the overview and the team page.

use leptos::prelude::*;

use crate::domain::format::percent;
use crate::domain::kpi::{IndicatorRow, indicator_in_words};

/// The table, and a link to the records behind it: `records`, the drill-down of
/// `slo_met_rate`, which lists every SLO with its attainment.
#[component]
pub fn IndicatorTable(rows: Vec<IndicatorRow>, #[prop(into)] records: String) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty" data-testid="indicators-empty">"No SLOs in this scope."</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data" data-testid="indicators">
                <caption class="visually-hidden">"SLOs by what they measure: how many there are, how many had data to judge in the period, how many met their objective, and the share met"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Indicator"</th>
                        <th scope="col" class="numeric">"SLOs"</th>
                        <th scope="col" class="numeric">"With data"</th>
                        <th scope="col" class="numeric">"Met"</th>
                        <th scope="col" class="numeric">"Met rate"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| view! {
                        <tr data-indicator=row.indicator.as_str()>
                            <th scope="row">{indicator_in_words(row.indicator, row.thresholds_ms)}</th>
                            <td class="numeric">{row.slos}</td>
                            <td class="numeric">{row.judged}</td>
                            <td class="numeric">{row.met}</td>
                            <td class="numeric">{percent(row.met_rate(), 1)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="note">
            "A latency SLO's good events are those within its threshold. "
            <a href=records>"The SLOs, with their attainment →"</a>
        </p>
    }
    .into_any()
}
