use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{OrgOverview, Overview, get_org_overview, get_overview};
use crate::components::automation::AutomationPanelView;
use crate::components::capacity::CapacityPanelView;
use crate::components::cost::CostPanelView;
use crate::components::figures::{HeadlineGrid, LevelTable, LiveChanges, RiskPanels, TeamTable, TrendGrid, drill_down};
use crate::components::kept::kept_section;
use crate::components::movers::MoversPanel;
use crate::components::oncall::OncallPanel;
use crate::components::page_error::PageError;
use crate::components::period_picker::PeriodPicker;
use crate::components::satisfaction::SatisfactionPanelView;
use crate::components::slo_indicators::IndicatorTable;
use crate::components::toil::ToilPanelView;

#[component]
pub fn OverviewPage() -> impl IntoView {
    let query = use_query_map();
    let period = Memo::new(move |_| query.read().get("period"));
    let org = Resource::new(move || period.get(), get_org_overview);
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <Title text="Reliability overview"/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the overview…"</p> }>
            {move || Suspend::new(async move {
                match org.await {
                    Ok(org) => view! { <OrgSummary org/> }.into_any(),
                    Err(error) => view! { <PageError error title="Reliability overview"/> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the data summary…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(overview) => view! { <DataSummary overview/> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
        <IngestHelp/>
    }
}

#[component]
fn OrgSummary(org: OrgOverview) -> impl IntoView {
    let OrgOverview {
        header,
        active_services,
        headlines,
        levels,
        risks,
        indicators,
        trends,
        teams,
        oncall,
        toil,
        automation,
        capacity,
        cost,
        satisfaction,
        movers,
        generation,
    } = org;
    let period = header.period.clone();
    let empty = active_services == 0;
    let previous = header.previous.clone();
    let versions = format!("Policy {} · KPI definitions v{}", header.policy_version, header.definitions_version);
    // Everything under the hero shows the period's figures only: kept as HTML per generation.
    let figures = kept_section(&format!("overview|{period}"), generation, move || {
        view! {
            {empty.then(|| view! {
                <section class="panel">
                    <p class="empty" data-testid="no-services">
                        "No services yet, so there is nothing to score. Import teams and services first "
                        "(see “Sending data” below), then incidents, SLOs, DR tests and actions."
                    </p>
                </section>
            })}
            <section class="panel" aria-labelledby="headline-heading">
                <h2 id="headline-heading">"Headline KPIs"</h2>
                <HeadlineGrid headlines period=period.clone() previous=previous.clone() scope="org"/>
            </section>
            <section class="panel" aria-labelledby="indicators-heading">
                <h2 id="indicators-heading">"SLOs met by indicator"</h2>
                <IndicatorTable rows=indicators records=drill_down("slo_met_rate", &period, "org")/>
            </section>
            <section class="panel" aria-labelledby="risks-heading">
                <h2 id="risks-heading">"Top risks"</h2>
                <RiskPanels risks period=period.clone() scope="org"/>
            </section>
            <section class="panel" aria-labelledby="levels-heading">
                <h2 id="levels-heading">"Levels"</h2>
                <LevelTable levels period=period.clone()/>
                <p class="note">{versions}</p>
            </section>
            <MoversPanel movers/>
            <section class="panel" aria-labelledby="teams-heading">
                <h2 id="teams-heading">"Teams"</h2>
                <TeamTable teams period=period.clone()/>
                <p class="note"><a href=format!("/teams?period={period}")>"Every team with its level mix →"</a></p>
            </section>
            <section class="panel" aria-labelledby="trends-heading">
                <h2 id="trends-heading">{format!("Trends, {} periods", trends.first().map_or(0, |t| t.points.len()))}</h2>
                <TrendGrid trends id_prefix="org-trend"/>
            </section>
            <OncallPanel oncall period=period.clone() previous=previous.clone() scope="org" id_prefix="org"/>
            <CapacityPanelView capacity period=period.clone() previous=previous.clone() scope="org" id_prefix="org"/>
            <AutomationPanelView automation period=period.clone() previous=previous.clone() scope="org" id_prefix="org"/>
            <ToilPanelView toil period=period.clone() previous=previous.clone() scope="org" id_prefix="org"/>
            <CostPanelView cost period=period.clone() previous=previous.clone() scope="org" id_prefix="org"/>
            <SatisfactionPanelView satisfaction period=period.clone() previous=previous.clone() scope="org" id_prefix="org"/>
        }
    });
    view! {
        <section class="hero">
            <Title text=format!("Reliability overview · {}", header.period)/>
            <h1>{format!("Reliability overview · {}", header.period)}</h1>
            <p class="lede">
                {format!("{active_services} active services. Each figure links to the records behind it; ")}
                "deltas compare with " {header.previous.clone()} "."
            </p>
            <PeriodPicker header=header.clone() action="/"/>
            <LiveChanges changes=header.state.changes().to_vec() period=header.period.clone() scope="org"/>
            {header.period.contains("-Q").then(|| {
                let html = format!("/reports/{}", header.period);
                let pdf = format!("/reports/{}.pdf", header.period);
                view! {
                    <p class="note">
                        "Quarterly executive report: " <a href=html>{format!("{} (web, printable)", header.period)}</a>
                        " · " <a href=pdf>"PDF"</a>
                    </p>
                }
            })}
        </section>
        {figures}
    }
}

#[component]
fn DataSummary(overview: Overview) -> impl IntoView {
    let empty = overview.counts.iter().all(|c| c.count == 0);
    let last_import = overview.last_import.clone();
    view! {
        <section class="panel" aria-labelledby="data-heading">
            <div class="panel-title">
                <h2 id="data-heading">"Data on record"</h2>
                {overview.demo_data.then(|| view! {
                    <span class="badge badge-demo" data-testid="demo-badge">"Demo data"</span>
                })}
            </div>
            {overview.demo_data.then(|| view! {
                <p class="note">
                    "This is a generated demo organisation, not real data. Start the server with "
                    <code>"PLUMBLINE_DEMO=off"</code> " on an empty database to begin without it."
                </p>
            })}
            {empty.then(|| view! {
                <p class="empty" data-testid="empty-state">
                    "No data yet. Send records to the ingestion API (see below) or run "
                    <code>"plumbline demo-data"</code> " to load a demo organisation."
                </p>
            })}
            <dl class="counts">
                {overview.counts.into_iter().map(|c| view! {
                    <div class="count">
                        <dt>{c.label}</dt>
                        <dd data-kind=c.kind data-count=c.count>{group_thousands(c.count)}</dd>
                    </div>
                }).collect_view()}
            </dl>
            {last_import.map(|i| view! {
                <p class="note">
                    "Last import: " {group_thousands(i.received)} " " {i.kind} " from " <code>{i.source}</code> " at " {i.at} "."
                </p>
            })}
            {overview.recounting.then(|| view! {
                <p class="note recomputing" role="status" data-testid="recounting">
                    "These counts are from before the latest imports, which are being counted: reload in a moment."
                </p>
            })}
        </section>
    }
}

/// How to send data; a disclosure that only works once the page has hydrated.
#[island]
fn IngestHelp() -> impl IntoView {
    let (open, set_open) = signal(false);
    view! {
        <section class="panel">
            <h2>"Sending data"</h2>
            <button
                type="button"
                class="button"
                aria-controls="ingest-help"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| set_open.update(|o| *o = !*o)
            >
                {move || if open.get() { "Hide the API example" } else { "Show the API example" }}
            </button>
            <div id="ingest-help" hidden=move || !open.get()>
                <p>
                    "Every record kind is accepted at " <code>"POST /api/v1/{kind}"</code>
                    " as a JSON array, NDJSON or CSV with a header row:"
                </p>
                <pre><code>"curl -H 'Content-Type: text/csv' --data-binary @teams.csv \\\n  http://127.0.0.1:3000/api/v1/teams?source=hr"</code></pre>
                <p>
                    "Kinds: teams, services, slos, slo-measurements, incidents, postmortems, actions, "
                    "dr-tests, deployments, exemptions, self-assessments, alerts, oncall-shifts. Add "
                    <code>"?dry_run=true"</code> " to validate without writing."
                </p>
            </div>
        </section>
    }
}

/// `43144` → `43,144`, so large counts read at a glance.
fn group_thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::group_thousands(0), "0");
        assert_eq!(super::group_thousands(999), "999");
        assert_eq!(super::group_thousands(43_144), "43,144");
        assert_eq!(super::group_thousands(4_146_810), "4,146,810");
    }
}
