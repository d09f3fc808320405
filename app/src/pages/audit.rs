//! The audit log (docs/access-and-audit.md), for admins and auditors: every write, import, publish, role
//! change, token event and sign-in, oldest first, with the chain's head hash (compare it with
//! the one in an evidence pack to see that nothing was cut off since) and a CSV export.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{AuditQuery, AuditView, CheckpointRow, get_audit_events};
use crate::components::page_error::PageError;
use crate::components::url::query_string;

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_query_map();
    let query = move || {
        let params = params.read();
        AuditQuery {
            actor: non_empty(params.get("actor")),
            action: non_empty(params.get("action")),
            after: params.get("after").and_then(|a| a.trim().parse().ok()),
            from: non_empty(params.get("from")),
            to: non_empty(params.get("to")),
        }
    };
    let events = Resource::new(query, get_audit_events);
    view! {
        <Title text="Audit log"/>
        <section class="hero">
            <h1>"Audit log"</h1>
            <p class="lede">
                "Every write, import, snapshot, role change, token event and sign-in, in the order they "
                "happened. Each event's hash covers the one before it, so an edited or deleted event "
                "breaks the chain (" <code>"plumbline audit verify"</code> " names where)."
            </p>
        </section>
        <form class="panel filters" method="get" action="/audit">
            <label>"Actor " <input name="actor" value=move || query().actor.unwrap_or_default()/></label>
            <label>"Action " <input name="action" value=move || query().action.unwrap_or_default()
                placeholder="e.g. import.applied"/></label>
            <label>"From (UTC) " <input type="date" name="from" value=move || query().from.unwrap_or_default()/></label>
            <label>"To (UTC) " <input type="date" name="to" value=move || query().to.unwrap_or_default()/></label>
            <button type="submit">"Filter"</button>
        </form>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                match events.await {
                    Ok(view) => {
                        let checkpoints = view.checkpoints.clone();
                        let key_id = view.signing_key_id.clone();
                        view! {
                            <AuditTable view query=query()/>
                            <Checkpoints checkpoints key_id/>
                        }
                            .into_any()
                    }
                    Err(error) => view! { <PageError error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn AuditTable(view: AuditView, query: AuditQuery) -> impl IntoView {
    let filters = [
        ("actor", query.actor.clone()),
        ("action", query.action.clone()),
        ("from", query.from.clone()),
        ("to", query.to.clone()),
    ];
    // The export takes instants: the days as midnights UTC, the last day included.
    let instant = |day: &Option<String>, next: bool| {
        day.as_deref().and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).and_then(|d| {
            let d = if next { d.succ_opt()? } else { d };
            Some(format!("{d}T00:00:00Z"))
        })
    };
    let export_filters = [
        ("actor", query.actor.clone()),
        ("action", query.action.clone()),
        ("from", instant(&query.from, false)),
        ("to", instant(&query.to, true)),
    ];
    let export = format!("/api/v1/audit/export.csv?{}", query_string(&export_filters));
    let next = view.next.map(|after| {
        let mut pairs = filters.to_vec();
        pairs.push(("after", Some(after.to_string())));
        format!("/audit?{}", query_string(&pairs))
    });
    let empty = view.rows.is_empty();
    view! {
        <section class="panel" aria-labelledby="audit-heading">
            <div class="panel-title">
                <h2 id="audit-heading">"Events"</h2>
                <a class="button" href=export rel="external" download>"Export CSV"</a>
            </div>
            <p class="note" data-testid="audit-head">
                "Chain head: event " {view.head_seq} ", hash " <code class="hash">{view.head_hash}</code>
            </p>
            {empty.then(|| view! { <p class="empty">"No events match."</p> })}
            <div class="table-scroll" tabindex="0">
                <table class="data">
                    <caption class="visually-hidden">"Audit events, oldest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">"When (UTC)"</th>
                            <th scope="col">"Actor"</th>
                            <th scope="col">"Action"</th>
                            <th scope="col">"Target"</th>
                            <th scope="col">"Details"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {view.rows.into_iter().map(|row| view! {
                            <tr>
                                <td>{row.seq}</td>
                                <td>{row.at}</td>
                                <td>{row.actor}</td>
                                <td><code>{row.action}</code></td>
                                <td>{row.target}</td>
                                <td class="details">
                                    <dl class="audit-details">
                                        {row.fields.into_iter().map(|(name, value)| view! { <dt>{name}</dt><dd>{value}</dd> }).collect_view()}
                                    </dl>
                                    <details>
                                        <summary>"As recorded"</summary>
                                        <code title=row.hash>{row.details}</code>
                                    </details>
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            {next.map(|href| view! { <p><a href=href>"Next page"</a></p> })}
        </section>
    }
}

/// The signed checkpoints of the chain's head: an auditor notes one (or keeps the copy from an
/// evidence pack) and later runs `plumbline audit verify --checkpoint` against it.
#[component]
fn Checkpoints(checkpoints: Vec<CheckpointRow>, key_id: String) -> impl IntoView {
    let empty = checkpoints.is_empty();
    view! {
        <section class="panel" aria-labelledby="checkpoints-heading" data-testid="audit-checkpoints">
            <h2 id="checkpoints-heading">"Signed checkpoints"</h2>
            <p class="note">
                "Each checkpoint is the chain's head signed with Plumbline's evidence key ("
                <code>{key_id}</code> ", published at " <a href="/api/v1/evidence/public-key" rel="external">
                "/api/v1/evidence/public-key"</a> ") and delivered outside the database. Note one, or keep "
                <code>"audit_checkpoint.json"</code> " from an evidence pack: "
                <code>"plumbline audit verify --checkpoint FILE"</code>
                " later fails, naming the event, if the trail was rewritten or cut short since."
            </p>
            {empty.then(|| view! { <p class="empty">"No checkpoint yet: one is written daily, and at every evidence pack and publication."</p> })}
            <div class="table-scroll" tabindex="0">
                <table class="data">
                    <caption class="visually-hidden">"Signed checkpoints, newest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Up to event"</th>
                            <th scope="col">"Head hash"</th>
                            <th scope="col">"When (UTC)"</th>
                            <th scope="col">"Why"</th>
                            <th scope="col">"Delivered to"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {checkpoints.into_iter().map(|c| view! {
                            <tr>
                                <td>{c.seq}</td>
                                <td><code class="hash">{c.head_hash}</code></td>
                                <td>{c.at}</td>
                                <td>{c.reason.replace('_', " ")}</td>
                                <td>{c.delivered}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
