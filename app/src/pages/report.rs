//! `/reports/{period}`: the quarterly executive report, one page designed for print (see the
//! print rules in `style/main.css`), with its server-made PDF at `/reports/{period}.pdf`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::publish_report;
use crate::api::{ReportView, get_report};
use crate::components::automation::AutomationPanelView;
use crate::components::capacity::CapacityPanelView;
use crate::components::causes::CausesTable;
use crate::components::cost::CostPanelView;
use crate::components::figures::{LevelTable, LiveChanges, RiskPanels, TeamTable, TrendGrid, drill_down, verdict_text};
use crate::components::oncall::OncallPanel;
use crate::components::page_error::PageError;
use crate::components::period_picker::RecomputingNote;
use crate::components::satisfaction::SatisfactionPanelView;
use crate::components::toil::ToilPanelView;
use crate::domain::overview::{Unit, format_value};
use crate::domain::report::{MajorIncident, Publication, QuarterlyReport};

#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let period = Memo::new(move |_| params.read().get("period").unwrap_or_default());
    let report = Resource::new(move || period.get(), get_report);
    view! {
        <Title text="Quarterly report"/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Preparing the report…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(view) => view! { <Report view/> }.into_any(),
                    Err(error) => view! { <PageError error title="Quarterly report"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Prints the page; only once hydrated (the PDF link works without JavaScript).
#[island]
fn PrintButton() -> impl IntoView {
    // Runs only in the browser: a click handler is never called on the server.
    let print = move |_| {
        let _ = window().print();
    };
    view! { <button type="button" class="button" on:click=print>"Print"</button> }
}

/// Publishing an ended quarter, for admins: a box to tick first, since a published report never
/// changes. The page reloads to show the published report.
#[island]
fn PublishForm(period: String) -> impl IntoView {
    let confirmed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // Until the island runs, a click would submit the bare form: keep the button disabled.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let label = format!("Publish {period}");
    let form_label = label.clone();
    let confirm_text = format!(
        "I have reviewed these figures. Publishing freezes the report and figures of {period} for good; \
         later imports will show as differences, never as changes."
    );
    let submit = {
        let period = period.clone();
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            busy.set(true);
            error.set(None);
            let period = period.clone();
            leptos::task::spawn_local(async move {
                match publish_report(period, confirmed.get_untracked()).await {
                    Ok(()) => {
                        let _ = window().location().reload();
                    }
                    Err(e) => {
                        error.set(Some(e.to_string()));
                        busy.set(false);
                    }
                }
            });
        }
    };
    view! {
        <form class="publish-form no-print" on:submit=submit aria-label=form_label>
            <label class="confirm">
                <input type="checkbox" name="confirmed" required
                    prop:checked=move || confirmed.get()
                    on:change=move |ev| confirmed.set(event_target_checked(&ev))/>
                " " {confirm_text}
            </label>
            <button class="button" type="submit" disabled=move || !hydrated.get() || busy.get() || !confirmed.get()>
                {label}
            </button>
            <div aria-live="polite">{move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}</div>
        </form>
    }
}

#[component]
fn Report(view: ReportView) -> impl IntoView {
    let ReportView { report, publication, can_publish, recomputing } = view;
    let QuarterlyReport {
        period,
        previous,
        year_ago,
        summary,
        from,
        to,
        as_of,
        definitions_version,
        policy_version,
        active_services,
        headlines,
        trends,
        levels,
        major_incidents,
        major_incidents_total,
        risks,
        teams,
        definitions,
        oncall,
        causes,
        capacity,
        automation,
        toil,
        cost,
        satisfaction,
    } = report;
    let pdf = format!("/reports/{period}.pdf");
    let status = match publication {
        Publication::Published { published_at, published_by, content_sha256, changes } => view! {
            <p class="report-status published" data-testid="report-status">
                {format!("Published {published_at} by {published_by}: this report is frozen as it was then. Snapshot content SHA-256 ")}
                <code>{content_sha256}</code> "."
            </p>
            <LiveChanges changes period=period.clone() scope="org"/>
            <p>
                <a href=format!("/restatements/{period}")>{format!("Restatements of {period}")}</a>
                ": which records changed since publication, by whom, and whether the published figures are reproduced from the records as known then."
            </p>
        }
        .into_any(),
        Publication::Draft { generated_at, open } => {
            let why = if open {
                format!(" This quarter is still running (it ends {to}): its figures move until then, and it can be published once it has ended. Generated {generated_at}.")
            } else {
                format!(" This quarter has ended but is not published, so its figures may still change. Generated {generated_at}.")
            };
            view! {
                <p class="report-status draft" data-testid="report-status"><strong>"Draft."</strong> {why}</p>
                {can_publish.then(|| view! { <PublishForm period=period.clone()/> })}
            }
            .into_any()
        }
    };
    let scope = "org".to_owned();
    view! {
        <article class="report" aria-labelledby="report-title">
            <header class="report-header">
                <Title text=format!("Quarterly report · {period}")/>
                <h1 id="report-title">{format!("Quarterly reliability report · {period}")}</h1>
                <p class="lede">{format!("{from} to {to} · as of {as_of} · {active_services} active services")}</p>
                {status}
                {recomputing.then(|| view! { <RecomputingNote/> })}
                <p class="report-actions">
                    <a class="button" href=pdf download="">"Download PDF"</a>
                    <PrintButton/>
                    <a href=format!("/?period={period}")>"Overview of the quarter"</a>
                </p>
            </header>
            {(!summary.is_empty()).then(|| view! {
                <section class="report-section executive-summary" aria-labelledby="report-summary">
                    <h2 id="report-summary">"Executive summary"</h2>
                    <p data-testid="executive-summary">{summary.join(" ")}</p>
                </section>
            })}
            <section class="report-section" aria-labelledby="report-kpis">
                <h2 id="report-kpis">"Headline KPIs"</h2>
                <div class="table-scroll" tabindex="0">
                    <table class="data report-kpis">
                        <caption class="visually-hidden">{format!("Headline KPIs of {period} against {previous}, a year earlier and their targets")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">"KPI"</th>
                                <th scope="col" class="numeric">{period.clone()}</th>
                                <th scope="col" class="numeric">{previous.clone()}</th>
                                <th scope="col">"Change"</th>
                                <th scope="col" class="numeric">{if year_ago.is_empty() { "A year earlier".to_owned() } else { year_ago.clone() }}</th>
                                <th scope="col">"Target"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {headlines.into_iter().map(|h| {
                                let link = drill_down(&h.kpi, &period, &scope);
                                let (class, _) = verdict_text(h.verdict);
                                let change = h.short_change();
                                let target = h.target_sentence().unwrap_or_else(|| "—".to_owned());
                                view! {
                                    <tr data-kpi=h.kpi.clone()>
                                        <th scope="row">{h.label.clone()}</th>
                                        <td class="numeric"><a href=link>{format_value(h.unit, h.value)}</a></td>
                                        <td class="numeric">{format_value(h.unit, h.previous)}</td>
                                        <td><span class=class>{change}</span></td>
                                        <td class="numeric">{format_value(h.unit, h.year_ago)}</td>
                                        <td>{target}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
            <section class="report-section keep-together" aria-labelledby="report-trends">
                <h2 id="report-trends">"Trends"</h2>
                <TrendGrid trends id_prefix="report-trend"/>
            </section>
            <section class="report-section keep-together" aria-labelledby="report-levels">
                <h2 id="report-levels">"Scorecard levels"</h2>
                <LevelTable levels period=period.clone()/>
            </section>
            <section class="report-section" aria-labelledby="report-incidents">
                <h2 id="report-incidents">{format!("SEV0 and SEV1 incidents ({major_incidents_total})")}</h2>
                <MajorIncidents incidents=major_incidents total=major_incidents_total/>
            </section>
            {causes.map(|causes| view! {
                <section class="report-section" aria-labelledby="report-causes">
                    <h2 id="report-causes">"Incidents by root cause"</h2>
                    <CausesTable causes records=drill_down("repeat_incident_rate", &period, "org")/>
                </section>
            })}
            <section class="report-section" aria-labelledby="report-risks">
                <h2 id="report-risks">"Top risks"</h2>
                <RiskPanels risks period=period.clone() scope="org"/>
            </section>
            {oncall.map(|oncall| view! {
                <OncallPanel oncall period=period.clone() previous=previous.clone() scope="org" id_prefix="report" class="report-section"/>
            })}
            {capacity.map(|capacity| view! {
                <CapacityPanelView capacity period=period.clone() previous=previous.clone() scope="org" id_prefix="report" class="report-section"/>
            })}
            {automation.map(|automation| view! {
                <AutomationPanelView automation period=period.clone() previous=previous.clone() scope="org" id_prefix="report" class="report-section"/>
            })}
            {toil.map(|toil| view! {
                <ToilPanelView toil period=period.clone() previous=previous.clone() scope="org" id_prefix="report" class="report-section"/>
            })}
            {cost.map(|cost| view! {
                <CostPanelView cost period=period.clone() previous=previous.clone() scope="org" id_prefix="report" class="report-section"/>
            })}
            {satisfaction.map(|satisfaction| view! {
                <SatisfactionPanelView satisfaction period=period.clone() previous=previous.clone() scope="org" id_prefix="report" class="report-section"/>
            })}
            <section class="report-section" aria-labelledby="report-teams">
                <h2 id="report-teams">"Teams"</h2>
                <TeamTable teams period=period.clone()/>
            </section>
            <footer class="report-section report-definitions" aria-labelledby="report-definitions">
                <h2 id="report-definitions">"Definitions"</h2>
                <p class="note">
                    {format!("KPI definitions version {definitions_version} · scorecard policy {policy_version} · figures as of {as_of}. ")}
                    "Durations are medians over SEV0 and SEV1 incidents; rates are shares of the population each definition names."
                </p>
                <dl class="definition">
                    {definitions.into_iter().map(|d| view! { <dt>{d.label}</dt><dd>{d.text}</dd> }).collect_view()}
                </dl>
            </footer>
        </article>
    }
}

#[component]
fn MajorIncidents(incidents: Vec<MajorIncident>, total: usize) -> impl IntoView {
    let shown = incidents.len();
    if incidents.is_empty() {
        return view! { <p class="empty">"No SEV0 or SEV1 incident started in this quarter."</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data">
                <caption class="visually-hidden">"SEV0 and SEV1 incidents started in the quarter"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Started"</th>
                        <th scope="col">"Severity"</th>
                        <th scope="col">"Incident"</th>
                        <th scope="col">"Services"</th>
                        <th scope="col" class="numeric">"Time to restore"</th>
                        <th scope="col" class="numeric">"Impact"</th>
                        <th scope="col">"Postmortem"</th>
                    </tr>
                </thead>
                <tbody>
                    {incidents.into_iter().map(|i| view! {
                        <tr data-incident=i.id.clone()>
                            <td>{i.started_at.clone()}</td>
                            <td>{i.severity.clone()}</td>
                            <td><code>{i.id.clone()}</code> " " {i.title.clone()}</td>
                            <td>{i.services.clone()}</td>
                            <td class="numeric">{format_value(Unit::Minutes, i.time_to_restore)}</td>
                            <td class="numeric">{format_value(Unit::Minutes, i.impact_duration)}</td>
                            <td>{i.postmortem.clone().map_or_else(|| "missing".to_owned(), |d| format!("published {d}"))}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {(total > shown).then(|| view! { <p class="note">{format!("{} more not listed.", total - shown)}</p> })}
    }
    .into_any()
}
