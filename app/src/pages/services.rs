//! `/services`: every active service with its level, score and failing checks for a period,
//! filterable by team, tier, level and text, sortable by any column, fifty to a page. All in
//! the URL (a GET form and links), so any view can be shared and it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{ServicesQuery, ServicesView, get_services};
use crate::components::check_matrix::CheckMatrix;
use crate::components::level_badge::level_badge;
use crate::components::page_error::PageError;
use crate::components::period_picker::RecomputingNote;
use crate::components::url::query_string;
use crate::domain::scorecard::Level;
use crate::domain::scorecard::listing::{ServiceRow, SortKey};

/// The services list query the URL asks for.
fn query_of(params: &leptos_router::params::ParamsMap) -> ServicesQuery {
    ServicesQuery {
        period: params.get("period"),
        team: params.get("team"),
        tier: params.get("tier"),
        level: params.get("level"),
        q: params.get("q"),
        sort: params.get("sort"),
        desc: params.get("desc"),
        page: params.get("page"),
        view: params.get("view"),
    }
}

/// The link for the same view with some parameters changed.
fn href(query: &ServicesQuery, changes: &[(&str, Option<String>)]) -> String {
    let mut pairs = vec![
        ("period", query.period.clone()),
        ("team", query.team.clone()),
        ("tier", query.tier.clone()),
        ("level", query.level.clone()),
        ("q", query.q.clone()),
        ("sort", query.sort.clone()),
        ("desc", query.desc.clone()),
        ("page", query.page.clone()),
        ("view", query.view.clone()),
    ];
    for (name, value) in changes {
        if let Some(pair) = pairs.iter_mut().find(|(n, _)| n == name) {
            pair.1 = value.clone();
        }
    }
    let query = query_string(&pairs);
    if query.is_empty() { "/services".to_owned() } else { format!("/services?{query}") }
}

#[component]
pub fn ServicesPage() -> impl IntoView {
    // Read into a memo outside the Suspense, so its children create no reactive nodes.
    let params = use_query_map();
    let query = Memo::new(move |_| query_of(&params.read()));
    let services = Resource::new(move || query.get(), get_services);
    view! {
        <Title text="Services"/>
        <section class="hero">
            <h1>"Services"</h1>
            <p class="lede">
                "Every active service with its scorecard level, score and the checks it fails. "
                "Services needing the most attention come first."
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading services…"</p> }>
            {move || Suspend::new(async move {
                match services.await {
                    Ok(view) => view! {
                        {view.recomputing.then(|| view! { <p><RecomputingNote/></p> })}
                        <ServicesTable view query=query.get_untracked()/>
                    }
                    .into_any(),
                    Err(error) => view! { <PageError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The change of level and score since the previous period, in words.
fn change_text(row: &ServiceRow, previous_has_data: bool) -> String {
    let Some(before) = row.previous else {
        return if previous_has_data { "new this period" } else { "no data last period" }.to_owned();
    };
    let level = match row.level.cmp(&before.level) {
        std::cmp::Ordering::Greater => format!("↑ from {}", before.level.map_or("below Bronze", Level::label)),
        std::cmp::Ordering::Less => format!("↓ from {}", before.level.map_or("below Bronze", Level::label)),
        std::cmp::Ordering::Equal => "same level".to_owned(),
    };
    let score = match (row.score, before.score) {
        (Some(now), Some(then)) if now == then => "score unchanged".to_owned(),
        (Some(now), Some(then)) => format!("score {:+}", i16::from(now) - i16::from(then)),
        _ => "no score to compare".to_owned(),
    };
    format!("{level}, {score}")
}

#[component]
fn Filters(view: ServicesView, query: ServicesQuery) -> impl IntoView {
    let selected = |value: &Option<String>, option: &str| value.as_deref().map(str::trim) == Some(option);
    let team = query.team.clone();
    let tier = query.tier.clone();
    let level = query.level.clone();
    view! {
        <form class="panel filters" method="get" action="/services" aria-label="Filter services">
            <label>"Period " <input name="period" value=view.period.clone() size="8" placeholder="2026-Q3"/></label>
            <label>
                "Team "
                <select name="team">
                    <option value="">"All teams"</option>
                    {view.teams.iter().map(|(slug, name)| {
                        let chosen = selected(&team, slug);
                        view! { <option value=slug.clone() selected=chosen>{name.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Tier "
                <select name="tier">
                    <option value="">"All"</option>
                    {["0", "1", "2", "3"].map(|t| view! { <option value=t selected=selected(&tier, t)>{t}</option> }).collect_view()}
                </select>
            </label>
            <label>
                "Level "
                <select name="level">
                    <option value="">"All"</option>
                    {[("gold", "Gold"), ("silver", "Silver"), ("bronze", "Bronze"), ("none", "Below Bronze")]
                        .map(|(v, text)| view! { <option value=v selected=selected(&level, v)>{text}</option> })
                        .collect_view()}
                </select>
            </label>
            <label>"Search " <input name="q" value=query.q.clone().unwrap_or_default() placeholder="service or team"/></label>
            <input type="hidden" name="sort" value=query.sort.clone().unwrap_or_default()/>
            <input type="hidden" name="view" value=query.view.clone().unwrap_or_default()/>
            <button class="button" type="submit">"Apply"</button>
        </form>
    }
}

#[component]
fn ServicesTable(view: ServicesView, query: ServicesQuery) -> impl IntoView {
    let page = view.page.clone();
    let current_sort = query.sort.as_deref().and_then(SortKey::parse).unwrap_or_default();
    let descending = query.desc.as_deref().is_some_and(|d| d == "1" || d == "true");
    let header = {
        let query = query.clone();
        move |key: SortKey, label: &'static str| {
            let active = key == current_sort;
            // Clicking the active column flips the direction; another column starts ascending.
            let flip = if active && !descending { Some("1".to_owned()) } else { None };
            let link = href(&query, &[("sort", Some(key.as_str().to_owned())), ("desc", flip), ("page", None)]);
            let sort = match (active, descending) {
                (false, _) => "none",
                (true, false) => "ascending",
                (true, true) => "descending",
            };
            view! { <th scope="col" aria-sort=sort><a href=link>{label}</a></th> }
        }
    };
    let previous = (page.page > 1).then(|| href(&query, &[("page", Some((page.page - 1).to_string()))]));
    let next = (page.page < page.pages).then(|| href(&query, &[("page", Some((page.page + 1).to_string()))]));
    let empty = page.rows.is_empty();
    let period = view.period.clone();
    let matrix = query.view.as_deref() == Some("matrix");
    let names: std::collections::HashMap<String, String> = view.teams.iter().cloned().collect();
    view! {
        <Filters view=view.clone() query=query.clone()/>
        <section class="panel" aria-labelledby="services-heading">
            <div class="panel-title">
                <h2 id="services-heading">{format!("{} services · {}", page.total, view.period)}</h2>
                <span class="note">{format!("policy {}", view.policy_version)}</span>
            </div>
            {empty.then(|| view! {
                <p class="empty">
                    "No service matches. Clear the filters, or import services ("
                    <code>"POST /api/v1/services"</code> ") if there are none yet."
                </p>
            })}
            <p class="view-switch">
                {if matrix {
                    view! { <a href=href(&query, &[("view", None)])>"Show as a list"</a> " · " <strong>"Checks matrix"</strong> }.into_any()
                } else {
                    view! { <strong>"List"</strong> " · " <a href=href(&query, &[("view", Some("matrix".to_owned()))])>"Show which checks each service passes (matrix)"</a> }.into_any()
                }}
            </p>
            {if matrix {
                view! { <CheckMatrix rows=page.rows columns=view.checks.clone() period=period.clone()/> }.into_any()
            } else {
                view! {
            <div class="table-scroll" tabindex="0">
                <table class="data services">
                    <caption class="visually-hidden">"Services with their scorecard level, score, failing checks and change since the previous period"</caption>
                    <thead>
                        <tr>
                            {header(SortKey::Service, "Service")}
                            {header(SortKey::Team, "Team")}
                            {header(SortKey::Tier, "Tier")}
                            {header(SortKey::Level, "Level")}
                            {header(SortKey::Score, "Score")}
                            <th scope="col">{format!("Change since {}", view.previous)}</th>
                            {header(SortKey::Failing, "Checks to fix")}
                        </tr>
                    </thead>
                    <tbody>
                        {page.rows.into_iter().map(|row: ServiceRow| {
                            let score = row.score.map_or_else(|| "—".to_owned(), |s| s.to_string());
                            let waived = (row.waived > 0).then(|| format!(" ({} waived)", row.waived));
                            let to_fix: Vec<String> = row
                                .statuses
                                .iter()
                                .zip(view.checks.iter())
                                .filter(|(status, _)| status.needs_fixing())
                                .map(|(_, check)| check.title.clone())
                                .collect();
                            let team_name = names.get(&row.team).cloned().unwrap_or_else(|| row.team.clone());
                            let change = change_text(&row, view.previous_has_data);
                            view! {
                                <tr data-service=row.service.clone()>
                                    <td data-label="Service"><a href=format!("/services/{}?period={}", row.service, period)><code>{row.service.clone()}</code></a></td>
                                    <td data-label="Team"><a href=format!("/teams/{}?period={}", row.team, period)>{team_name}</a></td>
                                    <td data-label="Tier">{row.tier}</td>
                                    <td data-label="Level">{level_badge(row.level)}</td>
                                    <td data-label="Score" class="numeric">{score}</td>
                                    <td data-label="Change" data-testid="change">{change}</td>
                                    <td data-label="To fix" class="to-fix">
                                        <span class="count">{row.failing}{waived}</span>
                                        {(!to_fix.is_empty()).then(|| view! { <span class="check-names">{to_fix.join(", ")}</span> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
                }.into_any()
            }}
            <nav class="pager" aria-label="Pages">
                {previous.map(|link| view! { <a href=link rel="prev">"← Previous"</a> })}
                <span>{format!("Page {} of {}", page.page, page.pages)}</span>
                {next.map(|link| view! { <a href=link rel="next">"Next →"</a> })}
            </nav>
        </section>
    }
}
