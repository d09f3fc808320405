//! "Incidents by root cause": a period's incidents per root-cause category (docs/kpis.md),
//! shared by the team page and the quarterly report. Categories are ingested text, rendered as
//! text nodes (escaped).

use leptos::prelude::*;

use crate::domain::format::percent;
use crate::domain::kpi::{CauseRow, FollowUpCounts};

/// The table, and a link to the records behind it: `records`, the drill-down of the incidents
/// started in the period (that of `repeat_incident_rate`), which lists their root causes.
#[component]
pub fn CausesTable(causes: Vec<CauseRow>, #[prop(into)] records: String) -> impl IntoView {
    if causes.is_empty() {
        return view! { <p class="empty" data-testid="causes-empty">"No incident started in this period."</p> }
            .into_any();
    }
    let total: u64 = causes.iter().map(|row| row.incidents).sum();
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data" data-testid="causes">
                <caption class="visually-hidden">"Incidents started in the period, by root-cause category, with their share, how many were SEV0 or SEV1 and how many were repeats"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Root cause"</th>
                        <th scope="col" class="numeric">"Incidents"</th>
                        <th scope="col" class="numeric">"Share"</th>
                        <th scope="col" class="numeric">"SEV0–1"</th>
                        <th scope="col" class="numeric">"Repeats"</th>
                    </tr>
                </thead>
                <tbody>
                    {causes.iter().map(|row| {
                        let share = percent(row.share_of(&causes), 0);
                        let name = match row.category.clone() {
                            Some(category) => view! { <th scope="row">{category}</th> }.into_any(),
                            None => view! { <th scope="row"><em>"Not categorised"</em></th> }.into_any(),
                        };
                        view! {
                            <tr>
                                {name}
                                <td class="numeric">{row.incidents}</td>
                                <td class="numeric">{share}</td>
                                <td class="numeric">{row.high_sev}</td>
                                <td class="numeric">{row.repeats}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="note">
            {format!("{} of every severity started in the period. ", crate::domain::format::count_of(total, "incident", "incidents"))}
            <a href=records>"The incidents, with their root causes →"</a>
        </p>
    }
    .into_any()
}

/// The period's repeats by where the actions of the incident each repeats stood when it started,
/// and `repeats_after_actions_done` of them; `records` is that KPI's drill-down.
#[component]
pub fn RepeatFollowUps(counts: FollowUpCounts, #[prop(into)] records: String) -> impl IntoView {
    if counts.repeats() == 0 {
        return view! { <p class="empty" data-testid="follow-ups-empty">"No repeat started in this period."</p> }
            .into_any();
    }
    let rate = match counts.rate() {
        Some(rate) => format!(
            "Repeats after actions done: {} ({} of the {} whose earlier incident had actions).",
            percent(Some(rate), 0),
            counts.after_all_done,
            counts.after_all_done + counts.with_actions_open
        ),
        None => "Repeats after actions done: no data (no repeat's earlier incident had actions).".to_owned(),
    };
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data" data-testid="follow-ups">
                <caption class="visually-hidden">"Repeats started in the period, by where the actions of the incident each repeats stood when it started"</caption>
                <thead>
                    <tr>
                        <th scope="col">"The incident repeated had"</th>
                        <th scope="col" class="numeric">"Repeats"</th>
                    </tr>
                </thead>
                <tbody>
                    <tr><th scope="row">"Every action done before the repeat"</th><td class="numeric">{counts.after_all_done}</td></tr>
                    <tr><th scope="row">"Actions still open"</th><td class="numeric">{counts.with_actions_open}</td></tr>
                    <tr><th scope="row">"No action"</th><td class="numeric">{counts.without_actions}</td></tr>
                </tbody>
            </table>
        </div>
        <p class="note" data-testid="follow-ups-rate">
            {rate} " "
            <a href=records>"The repeats, with the incidents they repeat →"</a>
        </p>
    }
    .into_any()
}
