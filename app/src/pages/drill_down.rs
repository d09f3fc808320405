//! `/kpis/{kpi}?period=&scope=`: the records behind a KPI value — its definition, the filter
//! applied, the value, and every record with whether it is in the population and counted.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{PopulationView, get_population};
use crate::components::page_error::PageError;

#[component]
pub fn DrillDownPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let q = query.read();
        (params.read().get("kpi").unwrap_or_default(), q.get("period"), q.get("scope"), q.get("severity"))
    });
    let population =
        Resource::new(move || key.get(), |(kpi, period, scope, severity)| get_population(kpi, period, scope, severity));
    view! {
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the records…"</p> }>
            {move || Suspend::new(async move {
                match population.await {
                    Ok(view) => view! { <Population view/> }.into_any(),
                    Err(error) => view! { <PageError error title="KPI drill-down"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

#[component]
fn Population(view: PopulationView) -> impl IntoView {
    let PopulationView {
        label,
        definition,
        filter,
        period,
        scope,
        severity,
        value,
        breakdown,
        count,
        included,
        counted,
        columns,
        rows,
        api,
        kpi,
    } = view;
    let back = if let Some(team) = scope.strip_prefix("team:") {
        format!("/teams/{team}?period={period}")
    } else if let Some(service) = scope.strip_prefix("service:") {
        format!("/services/{service}?period={period}")
    } else {
        format!("/?period={period}")
    };
    let shown = rows.len();
    let period_for_rows = period.clone();
    view! {
        <section class="hero">
            <p class="crumbs"><a href=back>{format!("{scope} · {period}")}</a> " / " <code>{kpi}</code></p>
            <h1>{label}</h1>
            <p class="kpi-figure" data-testid="kpi-value">{value}</p>
            {breakdown.map(|parts| view! { <p class="note" data-testid="kpi-breakdown">{parts}</p> })}
            <dl class="definition">
                <dt>"Definition"</dt><dd>{definition}</dd>
                <dt>"Filter"</dt><dd data-testid="kpi-filter">{filter}</dd>
                <dt>"Scope"</dt><dd>{scope.clone()}</dd>
                <dt>"Severities (duration KPIs)"</dt><dd>{severity.join(", ")}</dd>
                <dt>"Records"</dt>
                <dd data-testid="kpi-counts">{format!("{count} listed, {included} in the population, {counted} counted")}</dd>
            </dl>
            <p class="note">"The same list as JSON: " <a href=api.clone()><code>{api.clone()}</code></a></p>
        </section>
        <section class="panel" aria-labelledby="records-heading">
            <h2 id="records-heading">"Records"</h2>
            {(shown == 0).then(|| view! { <p class="empty">"No records fall under this filter in this period."</p> })}
            {(shown < count).then(|| view! { <p class="note">{format!("The first {shown} of {count} are shown; the JSON link above has them all.")}</p> })}
            <div class="table-scroll" tabindex="0" hidden=shown == 0>
                <table class="data population">
                    <caption class="visually-hidden">"Every record considered, with whether it is in the population and counted"</caption>
                    <thead>
                        <tr>
                            {columns.iter().map(|c| view! { <th scope="col">{c.replace('_', " ")}</th> }).collect_view()}
                            <th scope="col">"In population"</th>
                            <th scope="col">"Counted"</th>
                            <th scope="col">"Value"</th>
                            <th scope="col">"Note"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {rows.into_iter().map(|row| {
                            let service = row.service.clone();
                            let period = period_for_rows.clone();
                            let class = if row.counted { "counted" } else if row.included { "" } else { "excluded" };
                            view! {
                                <tr class=class>
                                    {row.cells.into_iter().enumerate().map(|(i, text)| {
                                        let link = (i == 0).then(|| service.clone()).flatten()
                                            .filter(|s| *s == text)
                                            .map(|s| format!("/services/{s}?period={period}"));
                                        match link {
                                            Some(href) => view! { <td><a href=href>{text}</a></td> }.into_any(),
                                            None => view! { <td>{text}</td> }.into_any(),
                                        }
                                    }).collect_view()}
                                    <td>{yes_no(row.included)}</td>
                                    <td>{yes_no(row.counted)}</td>
                                    <td class="numeric">{row.value.map_or_else(|| "—".to_owned(), |v| format!("{v:.4}").trim_end_matches('0').trim_end_matches('.').to_owned())}</td>
                                    <td>{row.note.unwrap_or_default()}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
