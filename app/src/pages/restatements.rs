//! `/restatements/{period}`: what changed since a period was published (docs/as-known-at.md
//! §3) — whether the snapshot is reproduced from the records as known at publication, every
//! record changed since with the batches and people that changed it, and each org figure
//! published and now.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{FigureMove, RecordChange, RestatementsView, get_restatements};
use crate::components::page_error::PageError;
use crate::domain::format::instant;

#[component]
pub fn RestatementsPage() -> impl IntoView {
    let params = use_params_map();
    let period = Memo::new(move |_| params.read().get("period").unwrap_or_default());
    let data = Resource::new(move || period.get(), get_restatements);
    view! {
        <Title text="Restatements"/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Recomputing the published figures…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Restatements view/> }.into_any(),
                    Err(error) => view! { <PageError error title="Restatements"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Restatements(view: RestatementsView) -> impl IntoView {
    let period = view.period.clone();
    let reproduction = if view.reproduced {
        "Reproduced: recomputed from the records as known at publication, every published figure — org, teams, tiers, scorecards and report — comes out the same.".to_owned()
    } else {
        format!(
            "Not reproduced: recomputed from the records as known at publication, these figures differ (the first difference of each part): {}. Policy then {}, now {}; KPI definitions then {}, now {}.",
            view.differences.join(", "),
            view.published_policy_version,
            view.policy_version,
            view.published_definitions_version,
            view.definitions_version
        )
    };
    let status_class = if view.reproduced { "status status-pass" } else { "status status-fail" };
    let moved: Vec<FigureMove> = view.figures.iter().filter(|f| f.changed).cloned().collect();
    let unchanged = view.figures.len() - moved.len();
    view! {
        <Title text=format!("Restatements · {period}")/>
        <section class="hero">
            <h1>{format!("Restatements of {period}")}</h1>
            <p class="lede">
                {format!("Published {} by {}; snapshot SHA-256 ", instant(view.published_at), view.published_by)}
                <code>{view.content_sha256.clone()}</code>
                ". The published snapshot never changes; this page says what changed in the records since, and what the figures are now. "
                <a href=format!("/reports/{period}")>"The published report"</a> " · "
                <a href=format!("/api/v1/snapshots/{period}/restatements")>"as JSON"</a>
            </p>
        </section>
        <section class="panel" aria-labelledby="reproduction">
            <h2 id="reproduction">"Reproduction"</h2>
            <p data-testid="reproduction"><span class=status_class>{if view.reproduced { "reproduced" } else { "not reproduced" }}</span> " " {reproduction}</p>
        </section>
        <section class="panel" aria-labelledby="changes">
            <h2 id="changes">{format!("Records changed since publication ({})", view.changes.len())}</h2>
            {if view.changes.is_empty() {
                view! { <p>{format!("No record that can reach {period} has changed since it was published.")}</p> }.into_any()
            } else {
                view! { <ChangeTable changes=view.changes.clone()/> }.into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="figures">
            <h2 id="figures">"Org figures, published and now"</h2>
            {if moved.is_empty() {
                view! { <p>"No org figure has moved since publication."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0">
                        <table class="data" data-testid="moved-figures">
                            <caption class="visually-hidden">"Org figures that moved since publication"</caption>
                            <thead><tr><th scope="col">"KPI"</th><th scope="col">"Published"</th><th scope="col">"Now"</th></tr></thead>
                            <tbody>
                                {moved.into_iter().map(|f| view! {
                                    <tr data-kpi=f.kpi.clone()>
                                        <th scope="row"><a href=format!("/kpis/{}?period={period}", f.kpi)>{f.kpi.clone()}</a></th>
                                        <td>{figure_text(&f.published)}</td>
                                        <td>{figure_text(&f.now)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            <p class="muted">{format!("{unchanged} other org figures are as published.")}</p>
        </section>
    }
}

#[component]
fn ChangeTable(changes: Vec<RecordChange>) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data" data-testid="changes">
                <caption class="visually-hidden">"Records changed since publication, oldest change first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Record"</th>
                        <th scope="col">"Change"</th>
                        <th scope="col">"Last changed"</th>
                        <th scope="col">"Changed by, since publication"</th>
                    </tr>
                </thead>
                <tbody>
                    {changes.into_iter().map(|change| {
                        let record = match &change.key {
                            Some(key) => format!("{} {key}", change.table),
                            None => format!("{} #{}", change.table, change.record_id),
                        };
                        let mut batches: Vec<String> = change.batches.iter().map(|b| {
                            let at = b.finished_at.map(instant).unwrap_or_else(|| "—".to_owned());
                            format!("#{} {} by {} ({}) at {at}", b.id, b.kind, b.actor, b.source)
                        }).collect();
                        if change.changed_on_a_page {
                            batches.push("changed on a page (alert triage): see the audit log".to_owned());
                        }
                        view! {
                            <tr>
                                <th scope="row">{record}</th>
                                <td>{change.change.clone()}</td>
                                <td>{instant(change.last_changed_at)}</td>
                                <td>{batches.join("; ")}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A figure's JSON for reading: "no data" for null, numbers to four places, statistics by
/// their mean and count, maps as `key: value` pairs.
pub fn figure_text(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "no data".to_owned(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 => format!("{f:.0}"),
            Some(f) => format!("{f:.4}").trim_end_matches('0').to_owned(),
            None => n.to_string(),
        },
        Value::Object(map) if map.contains_key("mean") && map.contains_key("count") => {
            format!("mean {} (n = {})", figure_text(&map["mean"]), figure_text(&map["count"]))
        }
        Value::Object(map) => {
            map.iter().map(|(k, v)| format!("{k}: {}", figure_text(v))).collect::<Vec<_>>().join(", ")
        }
        Value::Array(items) => items.iter().map(figure_text).collect::<Vec<_>>().join(", "),
        Value::String(text) => text.clone(),
        Value::Bool(flag) => flag.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::figure_text;
    use serde_json::json;

    #[test]
    fn figures_read_as_people_write_them() {
        assert_eq!(figure_text(&json!(null)), "no data");
        assert_eq!(figure_text(&json!(3)), "3");
        assert_eq!(figure_text(&json!(0.975)), "0.975");
        assert_eq!(figure_text(&json!({"mean": 60.0, "median": 60.0, "p90": 60.0, "count": 1})), "mean 60 (n = 1)");
        assert_eq!(figure_text(&json!({"SEV0": 1, "SEV1": 2})), "SEV0: 1, SEV1: 2");
    }
}
