//! `/kpis?period=&scope=`: every pinned KPI of a period with its value in words and definition,
//! grouped by family, each linked to the records behind it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{KpiLine, KpisView, get_kpis};
use crate::components::figures::drill_down;
use crate::components::page_error::PageError;
use crate::components::period_picker::PeriodPicker;

#[component]
pub fn KpisPage() -> impl IntoView {
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let q = query.read();
        (q.get("period"), q.get("scope"))
    });
    let kpis = Resource::new(move || key.get(), |(period, scope)| get_kpis(period, scope));
    view! {
        <Title text="KPIs"/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the KPIs…"</p> }>
            {move || Suspend::new(async move {
                match kpis.await {
                    Ok(view) => view! { <KpiIndex view/> }.into_any(),
                    Err(error) => view! { <PageError error title="KPIs"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn KpiIndex(view: KpisView) -> impl IntoView {
    let KpisView { header, scope, kpis } = view;
    let period = header.period.clone();
    // Families in the order their first KPI comes.
    let mut families: Vec<(String, Vec<KpiLine>)> = Vec::new();
    for line in kpis {
        match families.iter_mut().find(|(name, _)| *name == line.family) {
            Some((_, lines)) => lines.push(line),
            None => families.push((line.family.clone(), vec![line])),
        }
    }
    view! {
        <Title text=format!("KPIs · {scope} · {period}")/>
        <section class="hero">
            <h1>{format!("KPIs · {period}")}</h1>
            <p class="lede">
                {format!("Every pinned KPI of {scope}, as {} reports it. ", "GET /api/v1/kpis")}
                "Each value links to the records behind it; the definitions are in docs/kpis.md."
            </p>
            <PeriodPicker header action="/kpis" keep=vec![("scope", scope.clone())]/>
        </section>
        {families.into_iter().map(|(family, lines)| {
            let id = format!("kpis-{}", family.to_lowercase().replace(' ', "-"));
            let labelled_by = id.clone();
            let period = period.clone();
            let scope = scope.clone();
            view! {
                <section class="panel" aria-labelledby=labelled_by>
                    <h2 id=id>{family.clone()}</h2>
                    <div class="table-scroll" tabindex="0">
                        <table class="data kpi-index">
                            <caption class="visually-hidden">{format!("{family}: value and definition")}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"KPI"</th>
                                    <th scope="col">"Value"</th>
                                    <th scope="col">"Definition"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {lines.into_iter().map(|line| {
                                    let link = drill_down(&line.kpi, &period, &scope);
                                    view! {
                                        <tr data-kpi=line.kpi.clone()>
                                            <th scope="row">{line.title} <br/><code class="note">{line.kpi.clone()}</code></th>
                                            <td>
                                                <a href=link>{line.value}</a>
                                                {line.breakdown.map(|b| view! { <br/><span class="note">{b}</span> })}
                                            </td>
                                            <td>{line.definition}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </section>
            }
        }).collect_view()}
    }
}
