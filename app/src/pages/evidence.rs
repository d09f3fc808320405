//! The Evidence page (docs/evidence-pack.md), for admins and auditors: choose an audit window, filters
//! and sample sizes, and download the pack. A plain GET form, so it works without JavaScript;
//! previous downloads come from the audit trail, where each is recorded with the pack's hash.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{AuditQuery, AuditRow, ControlTestView, ControlTestsView, get_audit_events, get_control_tests};
use crate::domain::evidence::control_tests::ControlStatus;
use crate::domain::evidence::{MAX_SAMPLE, Population};

#[component]
pub fn EvidencePage() -> impl IntoView {
    let downloads = Resource::new(|| (), |_| latest_downloads());
    // The control tests of the window in the address (the form below fills it), else of the
    // last closed quarter.
    let params = use_query_map();
    let window = move || {
        let params = params.read();
        (params.get("from"), params.get("to"))
    };
    let tests = Resource::new(window, |(from, to)| get_control_tests(from, to));
    // A refused request comes back here with its error and what was entered (see
    // server/src/routes/evidence.rs).
    let query = use_query_map();
    let error = move || query.read_untracked().get("error");
    let entered = move |name: &str| query.read_untracked().get(name).unwrap_or_default();
    let tier_entered = move |tier: u8| {
        query.read_untracked().get_all("tier").unwrap_or_default().iter().any(|t| t.trim() == tier.to_string())
    };
    view! {
        <Title text="Evidence"/>
        <section class="hero">
            <h1>"Audit evidence"</h1>
            <p class="lede">
                "A ZIP with every record of an audit window as CSV: incidents, postmortems, actions, DR "
                "tests, SLOs and their attainment, deployments, exemptions, import batches and audit "
                "events, with a manifest, SHA-256 sums and the SOC 2 / ISO 27001 control mapping. The "
                "same request over unchanged data gives the same files."
            </p>
        </section>
        <form class="panel evidence-form" method="get" action="/api/v1/evidence" aria-label="Download an evidence pack" aria-describedby="evidence-error">
            <input type="hidden" name="form" value="1"/>
            {move || error().map(|e| view! { <p class="error" role="alert" id="evidence-error">{e}</p> })}
            <fieldset>
                <legend>"Audit window (both days included)"</legend>
                <label>"From " <input type="date" name="from" required placeholder="2026-07-01" value=entered("from")/></label>
                <label>"To " <input type="date" name="to" required placeholder="2026-09-30" value=entered("to")/></label>
            </fieldset>
            <fieldset>
                <legend>"Only these (optional)"</legend>
                <label>
                    "Teams "
                    <input name="team" placeholder="slugs, comma-separated" pattern="[a-z0-9_,\\- ]*" value=entered("team")/>
                </label>
                <span class="tiers" role="group" aria-label="Tiers">
                    "Tiers: "
                    {(0..=3).map(|tier| view! {
                        <label class="inline"><input type="checkbox" name="tier" value=tier.to_string() checked=tier_entered(tier)/>" " {tier}</label>
                    }).collect_view()}
                </span>
            </fieldset>
            <details>
                <summary>"Random samples for testing (optional)"</summary>
                <p class="note">
                    "Each sample is drawn reproducibly from the seed; the method and seed are recorded "
                    "in manifest.json. Leave the seed empty to have one chosen."
                </p>
                <div class="sample-grid">
                    {Population::ALL.into_iter().map(|population| {
                        let name = format!("sample_{}", population.name());
                        view! {
                            <label>
                                {population.file()} " "
                                <input type="number" name=name.clone() min="1" max=MAX_SAMPLE.to_string() inputmode="numeric" value=entered(&name)/>
                            </label>
                        }
                    }).collect_view()}
                    <label>"Seed " <input type="number" name="seed" min="0" inputmode="numeric" value=entered("seed")/></label>
                </div>
            </details>
            <details>
                <summary>"As known at an earlier instant (optional)"</summary>
                <p class="note">
                    "The records as Plumbline knew them then, without later corrections (for instance "
                    "the instant a period was published). An instant like 2026-10-02T09:00:00Z."
                </p>
                <label>
                    "Records as known at "
                    <input name="as_known_at" placeholder="2026-10-02T09:00:00Z" value=entered("as_known_at")/>
                </label>
            </details>
            <button class="button" type="submit">"Download evidence pack"</button>
        </form>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Running the control tests…"</p> }>
            {move || Suspend::new(async move {
                match tests.await {
                    Ok(view) => view! { <ControlTests view/> }.into_any(),
                    Err(error) => view! {
                        <section class="panel"><p class="error" role="alert">{error.to_string()}</p></section>
                    }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading previous downloads…"</p> }>
            {move || Suspend::new(async move {
                match downloads.await {
                    Ok(rows) => view! { <Downloads rows/> }.into_any(),
                    Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// How many previous downloads the page lists (newest first).
const SHOWN_DOWNLOADS: usize = 50;

/// The newest downloads: the audit log pages oldest first, so read to its last page (packs are
/// downloaded a few times per audit, so this is a page or two).
async fn latest_downloads() -> Result<Vec<AuditRow>, crate::error::AppError> {
    let mut query =
        AuditQuery { action: Some("evidence.downloaded".into()), actor: None, after: None, from: None, to: None };
    let mut rows: Vec<AuditRow> = Vec::new();
    loop {
        let page = get_audit_events(query.clone()).await?;
        rows.extend(page.rows);
        let keep_from = rows.len().saturating_sub(SHOWN_DOWNLOADS);
        rows.drain(..keep_from);
        match page.next {
            Some(after) => query.after = Some(after),
            None => return Ok(rows),
        }
    }
}

/// The SHA-256 of the whole ZIP, from an event's details.
fn pack_hash(row: &AuditRow) -> String {
    serde_json::from_str::<serde_json::Value>(&row.details)
        .ok()
        .and_then(|d| d.get("pack_sha256").and_then(|h| h.as_str()).map(str::to_owned))
        .unwrap_or_default()
}

#[component]
fn Downloads(rows: Vec<AuditRow>) -> impl IntoView {
    let empty = rows.is_empty();
    view! {
        <section class="panel" aria-labelledby="downloads-heading">
            <div class="panel-title">
                <h2 id="downloads-heading">"Previous downloads"</h2>
                <a href="/audit?action=evidence.downloaded">"All in the audit log"</a>
            </div>
            {empty.then(|| view! { <p class="empty">"No pack has been downloaded yet."</p> })}
            {(!empty).then(|| view! {
                <div class="table-scroll" tabindex="0">
                    <table class="data">
                        <caption class="visually-hidden">"Evidence packs downloaded, newest first"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"When (UTC)"</th>
                                <th scope="col">"Who"</th>
                                <th scope="col">"Window"</th>
                                <th scope="col">"Pack SHA-256"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows.into_iter().rev().map(|row| {
                                let hash = pack_hash(&row);
                                view! {
                                    <tr>
                                        <td>{row.at}</td>
                                        <td>{row.actor}</td>
                                        <td>{row.target}</td>
                                        <td><code class="hash">{hash}</code></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

fn status_word(status: ControlStatus) -> (&'static str, &'static str) {
    match status {
        ControlStatus::Passed => ("Passed", "status status-pass"),
        ControlStatus::Failed => ("Failed", "status status-fail"),
        ControlStatus::NotTested => ("Not tested: nothing to test", "status status-no-data"),
    }
}

/// Each control test over the window (docs/control-tests.md), with its deviations.
#[component]
fn ControlTests(view: ControlTestsView) -> impl IntoView {
    let api = format!("/api/v1/evidence/control-tests?from={}&to={}", view.from, view.to);
    view! {
        <section class="panel" aria-labelledby="control-tests-heading" data-testid="control-tests">
            <div class="panel-title">
                <h2 id="control-tests-heading">
                    "Control tests, " {view.from.clone()} " to " {view.to.clone()} " (" {view.time_zone.clone()} ")"
                </h2>
                <a href=api rel="external">"As JSON"</a>
            </div>
            <p class="note">
                "Each control the records can test, run over the window's records: who was tested and "
                "which records deviate, and why. A test with nothing to test is not tested, never passed. "
                "Evidence packs of the same window carry them as control_tests.csv and deviations.csv."
            </p>
            <form class="filters" method="get" action="/evidence" aria-label="Test another window">
                <label>"From " <input type="date" name="from" required value=view.from.clone()/></label>
                <label>"To " <input type="date" name="to" required value=view.to.clone()/></label>
                <button type="submit">"Test this window"</button>
            </form>
            <div class="table-scroll" tabindex="0">
                <table class="data">
                    <caption class="visually-hidden">"Control tests of the window"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Test"</th>
                            <th scope="col">"Controls"</th>
                            <th scope="col" class="num">"Tested"</th>
                            <th scope="col" class="num">"Deviations"</th>
                            <th scope="col">"Result"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {view.tests.iter().map(|test| {
                            let (word, class) = status_word(test.status);
                            view! {
                                <tr data-test=test.id.clone()>
                                    <td><span title=test.definition.clone()>{test.title.clone()}</span></td>
                                    <td>{test.controls.clone()}</td>
                                    <td class="num">{test.population}</td>
                                    <td class="num">{test.deviation_count}</td>
                                    <td><span class=class>{word}</span></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {view.tests.into_iter().filter(|t| t.deviation_count > 0).map(|test| view! { <Deviations test/> }).collect_view()}
        </section>
    }
}

#[component]
fn Deviations(test: ControlTestView) -> impl IntoView {
    let total = test.deviation_count;
    let more = total.saturating_sub(test.deviations.len());
    view! {
        <details class="deviations" data-deviations=test.id.clone()>
            <summary>{format!("{}: {total} deviation{}", test.title, if total == 1 { "" } else { "s" })}</summary>
            <p class="note">{test.definition.clone()}</p>
            <ul>
                {test.deviations.into_iter().map(|d| view! {
                    <li><code>{d.external_id}</code> " (" {d.record} ", " {d.services} "): " {d.reason}</li>
                }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="note">{format!("And {more} more: every one is in the JSON and in the pack's deviations.csv.")}</p> })}
        </details>
    }
}
