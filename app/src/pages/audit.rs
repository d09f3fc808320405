//! The audit log (docs/access-and-audit.md), for admins and auditors: every write, import, publish, role
//! change, token event and sign-in, oldest first, with the chain's head hash (compare it with
//! the one in an evidence pack to see that nothing was cut off since) and a CSV export.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{AuditQuery, AuditView, get_audit_events};
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
                    Ok(view) => view! { <AuditTable view query=query()/> }.into_any(),
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
