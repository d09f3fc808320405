//! `/kpis/{kpi}?period=&scope=`: the records behind a KPI value — its definition, the filter
//! applied, the value, and every record with whether it is in the population and counted.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{PopulationView, get_population};
use crate::components::page_error::PageError;
use crate::domain::kpi::{Cell, SortOrder};

#[component]
pub fn DrillDownPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let q = query.read();
        (
            params.read().get("kpi").unwrap_or_default(),
            q.get("period"),
            q.get("scope"),
            q.get("severity"),
            q.get("sort"),
        )
    });
    let population = Resource::new(
        move || key.get(),
        |(kpi, period, scope, severity, sort)| get_population(kpi, period, scope, severity, sort),
    );
    view! {
        <Title text="KPI drill-down"/>
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

/// A column heading that sorts by it: ascending first, descending when it is the ascending sort.
fn sort_link(base: &str, index: usize, sort: Option<SortOrder>) -> (String, Option<&'static str>) {
    let current = sort.filter(|s| s.column == index);
    let next = SortOrder { column: index, descending: current.is_some_and(|s| !s.descending) };
    let state = current.map(|s| if s.descending { "descending" } else { "ascending" });
    (format!("{base}&sort={}", next.param()), state)
}

/// One cell: a service links to its page, numbers align right.
fn cell_view(cell: Cell, numeric: bool, period: &str) -> AnyView {
    let class = numeric.then_some("numeric");
    match cell {
        Cell::Service(slug) => {
            let href = format!("/services/{slug}?period={period}");
            view! { <td class=class><a href=href>{slug}</a></td> }.into_any()
        }
        other => view! { <td class=class>{other.text()}</td> }.into_any(),
    }
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
        table,
        sort,
        api,
        csv,
        kpi,
        published,
    } = view;
    let back = if let Some(team) = scope.strip_prefix("team:") {
        format!("/teams/{team}?period={period}")
    } else if let Some(service) = scope.strip_prefix("service:") {
        format!("/services/{service}?period={period}")
    } else {
        format!("/?period={period}")
    };
    let shown = table.rows.len();
    let base = format!("/kpis/{kpi}?period={period}&scope={scope}&severity={}", severity.join(","));
    let numeric: Vec<bool> = table.columns.iter().map(|c| c.numeric).collect();
    let headings = table
        .columns
        .iter()
        .enumerate()
        .map(|(i, column)| {
            let (href, state) = sort_link(&base, i, sort);
            let class = column.numeric.then_some("numeric");
            let arrow = match state {
                Some("ascending") => " ↑",
                Some(_) => " ↓",
                None => "",
            };
            view! {
                <th scope="col" class=class aria-sort=state.unwrap_or("none")>
                    <a href=href>{column.title.clone()}{arrow}</a>
                </th>
            }
        })
        .collect_view();
    let period_for_rows = period.clone();
    view! {
        <section class="hero">
            <p class="crumbs"><a href=back>{format!("{scope} · {period}")}</a> " / " <code>{kpi}</code></p>
            <Title text=format!("{label} · {scope} · {period}")/>
            <h1>{label.clone()}</h1>
            <p class="kpi-figure" data-testid="kpi-value">{value}</p>
            {breakdown.map(|parts| view! { <p class="note" data-testid="kpi-breakdown">{parts}</p> })}
            {published.map(|p| {
                let class = if p.differs { "callout live-changes" } else { "note" };
                let text = if p.differs {
                    format!("Published {} by {} as {}. Records imported or corrected since give the value above; the records below are today's.", p.published_at, p.published_by, p.value)
                } else {
                    format!("Published {} by {} as {}; today's records below give the same value.", p.published_at, p.published_by, p.value)
                };
                view! { <p class=class role="note" data-testid="published-figure">{text}</p> }
            })}
            <dl class="definition">
                <dt>"Definition"</dt><dd>{definition}</dd>
                <dt>"Filter"</dt><dd data-testid="kpi-filter">{filter}</dd>
                <dt>"Scope"</dt><dd>{scope.clone()}</dd>
                <dt>"Severities (duration KPIs)"</dt><dd>{severity.join(", ")}</dd>
                <dt>"Records"</dt>
                <dd data-testid="kpi-counts">{format!("{count} listed, {included} in the population, {counted} counted")}</dd>
            </dl>
            <p class="downloads">
                <a class="button" href=csv.clone() download data-testid="population-csv">"Download CSV"</a>
                " " <a href=api.clone()>"The same records as JSON"</a>
            </p>
        </section>
        <section class="panel" aria-labelledby="records-heading">
            <h2 id="records-heading">"Records"</h2>
            {(shown == 0).then(|| view! { <p class="empty">"No records fall under this filter in this period."</p> })}
            {(shown < count).then(|| view! { <p class="note">{format!("The first {shown} of {count} are shown; the CSV and JSON downloads have them all.")}</p> })}
            <div class="table-scroll" tabindex="0" hidden=shown == 0>
                <table class="data population">
                    <caption class="visually-hidden">"Every record considered, with whether it is in the population and counted; a column heading sorts by it"</caption>
                    <thead><tr>{headings}</tr></thead>
                    <tbody>
                        {table.rows.into_iter().map(|row| {
                            let class = if row.counted { "counted" } else if row.included { "" } else { "excluded" };
                            let period = period_for_rows.clone();
                            view! {
                                <tr class=class>
                                    {row.cells.into_iter().zip(numeric.iter().copied()).map(|(cell, numeric)| cell_view(cell, numeric, &period)).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
