//! `/teams?period=`: every team with its services' levels and a few headline figures, each team
//! linked to its page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{TeamsView, get_teams};
use crate::components::page_error::PageError;
use crate::components::period_picker::PeriodPicker;
use crate::domain::format::{Unit, format_value};

#[component]
pub fn TeamsPage() -> impl IntoView {
    let query = use_query_map();
    let period = Memo::new(move |_| query.read().get("period"));
    let teams = Resource::new(move || period.get(), get_teams);
    view! {
        <Title text="Teams"/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the teams…"</p> }>
            {move || Suspend::new(async move {
                match teams.await {
                    Ok(view) => view! { <TeamTable view/> }.into_any(),
                    Err(error) => view! { <PageError error title="Teams"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TeamTable(view: TeamsView) -> impl IntoView {
    let TeamsView { header, teams } = view;
    let period = header.period.clone();
    let empty = teams.is_empty();
    let count = |value: Option<u64>| value.map_or_else(|| "—".to_owned(), |v| v.to_string());
    view! {
        <Title text=format!("Teams · {period}")/>
        <section class="hero">
            <h1>{format!("Teams · {period}")}</h1>
            <PeriodPicker header action="/teams"/>
        </section>
        <section class="panel">
            {empty.then(|| view! { <p class="empty">"No team owns an active service yet."</p> })}
            <div class="table-scroll" tabindex="0" hidden=empty>
                <table class="data teams">
                    <caption class="visually-hidden">{format!("Teams, their services' levels and headline figures, {period}")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Team"</th>
                            <th scope="col" class="numeric">"Services"</th>
                            <th scope="col" class="numeric">"Gold"</th>
                            <th scope="col" class="numeric">"Silver"</th>
                            <th scope="col" class="numeric">"Bronze"</th>
                            <th scope="col" class="numeric">"Below Bronze"</th>
                            <th scope="col" class="numeric">"SLOs met"</th>
                            <th scope="col" class="numeric">"SEV0–1"</th>
                            <th scope="col" class="numeric">"Time to restore"</th>
                            <th scope="col" class="numeric">"Overdue actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {teams.into_iter().map(|t| {
                            let href = format!("/teams/{}?period={period}", t.slug);
                            view! {
                                <tr data-team=t.slug.clone()>
                                    <th scope="row"><a href=href>{t.name.clone()}</a></th>
                                    <td class="numeric">{t.services}</td>
                                    <td class="numeric">{t.gold}</td>
                                    <td class="numeric">{t.silver}</td>
                                    <td class="numeric">{t.bronze}</td>
                                    <td class="numeric">{t.below}</td>
                                    <td class="numeric">{format_value(Unit::Fraction, t.slo_met_rate)}</td>
                                    <td class="numeric">{count(t.high_sev_count)}</td>
                                    <td class="numeric">{format_value(Unit::Minutes, t.mttr_median)}</td>
                                    <td class="numeric">{count(t.overdue_actions)}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
