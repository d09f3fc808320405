//! `/teams/{slug}/oncall`: the team's pages of a period and their triage. The rule table shows
//! which rules paged most and how often they were actionable; a team editor (or an admin) sets a
//! disposition on one page, or on every page of a rule at once, with an optional note. Every
//! change is an audit event, listed under "Triage history" for everyone who can read the page.
//! Plain forms: they work without JavaScript.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{TeamOncall, TriageAlert, TriagePage, TriageRule, get_team_oncall};
use crate::components::figures::drill_down;
use crate::components::oncall::services_in_words;
use crate::components::page_error::PageError;
use crate::components::url::query_string;
use crate::domain::format::percent;

/// The dispositions, in the order offered, with their words.
const DISPOSITIONS: [(&str, &str); 5] = [
    ("actionable", "Actionable"),
    ("non_actionable", "Not actionable"),
    ("duplicate", "Duplicate"),
    ("false_positive", "False positive"),
    ("unreviewed", "Unreviewed"),
];

fn disposition_words(value: &str) -> &'static str {
    DISPOSITIONS.iter().find(|(v, _)| *v == value).map_or("Unknown", |(_, words)| words)
}

#[component]
pub fn OncallPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let one = ServerAction::<TriageAlert>::new();
    let rule = ServerAction::<TriageRule>::new();
    let team = Memo::new(move |_| params.read().get("slug").unwrap_or_default());
    let filters = Memo::new(move |_| {
        let q = query.read();
        (q.get("period"), q.get("rule"), q.get("disposition"))
    });
    let data = Resource::new(
        move || (team.get(), filters.get(), one.version().get(), rule.version().get()),
        |(team, (period, rule, disposition), _, _)| get_team_oncall(team, period, rule, disposition),
    );
    let outcome = move || {
        let result = one.value().get().or_else(|| rule.value().get());
        result.map(|r| match r {
            Ok(changed) => view! {
                <p class="note" role="status" data-testid="triage-result">
                    {format!("{changed} page{} updated.", if changed == 1 { "" } else { "s" })}
                </p>
            }
            .into_any(),
            Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
        })
    };
    view! {
        <Title text="On-call"/>
        <div aria-live="polite">{outcome}</div>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the on-call page…"</p> }>
            {move || data.get().map(|result| match result {
                Ok(view) => view! { <Oncall view one rule/> }.into_any(),
                Err(error) => view! { <PageError error title="On-call"/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn Oncall(view: TeamOncall, one: ServerAction<TriageAlert>, rule: ServerAction<TriageRule>) -> impl IntoView {
    let TeamOncall {
        team,
        name,
        period,
        from,
        to,
        rules,
        pages,
        pages_total,
        rule_filter,
        disposition_filter,
        can_triage,
        history,
        on_call_now,
    } = view;
    let scope = format!("team:{team}");
    let precision_link = drill_down("alert_precision", &period, &scope);
    let back = format!("/teams/{team}?period={period}");
    let action = format!("/teams/{team}/oncall");
    let now_text = if on_call_now.is_empty() {
        "Nobody is on call now according to the shifts on record.".to_owned()
    } else {
        let people: Vec<String> =
            on_call_now.iter().map(|(schedule, person)| format!("{person} ({schedule})")).collect();
        format!("On call now: {}.", people.join(", "))
    };
    let listed = pages.len() as u64;
    view! {
        <section class="hero">
            <p class="crumbs"><a href=back>{format!("Team {name}")}</a> " / on-call"</p>
            <Title text=format!("On-call · {name} · {period}")/>
            <h1>{format!("On-call · {name} · {period}")}</h1>
            <p class="lede">
                {format!("Pages of the team's services from {from} to {to}. ")}
                "A disposition says what a page was worth: precision counts actionable pages among reviewed ones "
                <a href=precision_link>"(the records behind it)"</a> "."
            </p>
            <p class="note" data-testid="on-call-now">{now_text}</p>
            <form method="get" action=action.clone() class="filters">
                <label>"Period " <input name="period" value=period.clone() size="8"/></label>
                <label>
                    "Rule "
                    <select name="rule">
                        <option value="" selected=rule_filter.is_none()>"Every rule"</option>
                        {rules.iter().map(|r| {
                            let selected = rule_filter.as_deref() == Some(r.rule.as_str());
                            view! { <option value=r.rule.clone() selected=selected>{r.rule.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    "Disposition "
                    <select name="disposition">
                        <option value="" selected=disposition_filter.is_none()>"Any"</option>
                        {DISPOSITIONS.iter().map(|(value, words)| {
                            let selected = disposition_filter.as_deref() == Some(*value);
                            view! { <option value=*value selected=selected>{*words}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <button class="button" type="submit">"Show"</button>
            </form>
        </section>
        <RuleTable rules team=team.clone() period=period.clone() can_triage rule/>
        <section class="panel" aria-labelledby="oncall-pages-heading">
            <h2 id="oncall-pages-heading">
                {if listed < pages_total {
                    format!("Pages ({listed} latest of {pages_total})")
                } else {
                    format!("Pages ({pages_total})")
                }}
            </h2>
            {if pages.is_empty() {
                view! { <p class="empty" data-testid="no-pages">"No page matches in this period."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0">
                        <table class="data" data-testid="oncall-pages">
                            <caption class="visually-hidden">"The team's pages with their disposition"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Alert"</th>
                                    <th scope="col">"Service"</th>
                                    <th scope="col">"Rule"</th>
                                    <th scope="col">"Fired"</th>
                                    <th scope="col">"Acknowledged after"</th>
                                    <th scope="col">"Responder"</th>
                                    <th scope="col">"Disposition"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {pages.into_iter().map(|page| view! { <PageRow page team=team.clone() can_triage one/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
        <section class="panel" aria-labelledby="oncall-history-heading">
            <h2 id="oncall-history-heading">"Triage history"</h2>
            {if history.is_empty() {
                view! { <p class="empty">"No disposition has been set on this page yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="history" data-testid="triage-history">
                        {history.into_iter().map(|event| {
                            let what = match (&event.rule, &event.period) {
                                (Some(rule), Some(period)) => format!("every page of {rule} in {period}"),
                                _ => format!("{} page{}", event.alerts, if event.alerts == 1 { "" } else { "s" }),
                            };
                            view! {
                                <li>
                                    {format!("{} · {} set {} ({} changed) to {}", event.at, event.actor, what, event.alerts, event.disposition)}
                                    {event.note.map(|note| view! { <br/><span class="note">{format!("Note: {note}")}</span> })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
        </section>
    }
}

#[component]
fn RuleTable(
    rules: Vec<crate::domain::kpi::RuleNoise>,
    team: String,
    period: String,
    can_triage: bool,
    rule: ServerAction<TriageRule>,
) -> impl IntoView {
    if rules.is_empty() {
        return view! {
            <section class="panel" aria-labelledby="oncall-rules-heading">
                <h2 id="oncall-rules-heading">"Rules that paged"</h2>
                <p class="empty">"No page in this period."</p>
            </section>
        }
        .into_any();
    }
    view! {
        <section class="panel" aria-labelledby="oncall-rules-heading">
            <h2 id="oncall-rules-heading">"Rules that paged"</h2>
            <div class="table-scroll" tabindex="0">
                <table class="data" data-testid="oncall-rules">
                    <caption class="visually-hidden">"The rules that paged, noisiest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Rule"</th>
                            <th scope="col">"Services"</th>
                            <th scope="col" class="numeric">"Pages"</th>
                            <th scope="col" class="numeric">"Reviewed"</th>
                            <th scope="col" class="numeric">"Precision"</th>
                            {can_triage.then(|| view! { <th scope="col">"Set every page of the rule"</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        {rules.into_iter().map(|r| {
                            let filter = query_string(&[("period", Some(period.clone())), ("rule", Some(r.rule.clone()))]);
                            let link = format!("/teams/{team}/oncall?{filter}");
                            let form = can_triage.then(|| view! {
                                <RuleForm rule_name=r.rule.clone() team=team.clone() period=period.clone() rule/>
                            });
                            view! {
                                <tr data-rule=r.rule.clone()>
                                    <th scope="row"><a href=link>{r.rule.clone()}</a></th>
                                    <td>{services_in_words(&r.services)}</td>
                                    <td class="numeric">{r.pages}</td>
                                    <td class="numeric">{r.reviewed}</td>
                                    <td class="numeric">{percent(r.precision, 0)}</td>
                                    {form.map(|f| view! { <td>{f}</td> })}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn RuleForm(rule_name: String, team: String, period: String, rule: ServerAction<TriageRule>) -> impl IntoView {
    let id = format!("rule-{}", rule_name.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    let (select_id, note_id, all_id) = (format!("{id}-disposition"), format!("{id}-note"), format!("{id}-all"));
    view! {
        <ActionForm action=rule attr:class="triage-form">
            <input type="hidden" name="team" value=team/>
            <input type="hidden" name="rule" value=rule_name.clone()/>
            <input type="hidden" name="period" value=period/>
            <label for=select_id.clone() class="visually-hidden">{format!("{rule_name}: disposition")}</label>
            <select id=select_id name="disposition" required>
                <option value="" selected disabled>"Choose…"</option>
                {DISPOSITIONS.iter().map(|(value, words)| view! { <option value=*value>{*words}</option> }).collect_view()}
            </select>
            <label for=note_id.clone() class="visually-hidden">{format!("{rule_name}: note")}</label>
            <input id=note_id name="note" placeholder="Note (optional)" maxlength="1000"/>
            <input id=all_id.clone() type="checkbox" name="all" value="on"/>
            <label for=all_id>" also reviewed ones"</label>
            <button class="button" type="submit" aria-label=format!("Set every page of {rule_name}")>"Set"</button>
        </ActionForm>
    }
}

#[component]
fn PageRow(page: TriagePage, team: String, can_triage: bool, one: ServerAction<TriageAlert>) -> impl IntoView {
    let TriagePage { alert, key, service, rule, fired_at, acknowledged_after, responder, disposition, labels } = page;
    let words = disposition_words(&disposition);
    let marker = key.clone();
    let cell = if can_triage {
        let select_id = format!("alert-{alert}-disposition");
        let note_id = format!("alert-{alert}-note");
        let current = disposition.clone();
        let key = key.clone();
        view! {
            <ActionForm action=one attr:class="triage-form">
                <input type="hidden" name="team" value=team/>
                <input type="hidden" name="alert" value=alert.to_string()/>
                <label for=select_id.clone() class="visually-hidden">{format!("{key}: disposition")}</label>
                <select id=select_id name="disposition" required>
                    {DISPOSITIONS.iter().map(|(value, words)| {
                        let selected = current == *value;
                        view! { <option value=*value selected=selected>{*words}</option> }
                    }).collect_view()}
                </select>
                <label for=note_id.clone() class="visually-hidden">{format!("{key}: note")}</label>
                <input id=note_id name="note" placeholder="Note" maxlength="1000"/>
                <button class="button" type="submit" aria-label=format!("Save {key}")>"Save"</button>
            </ActionForm>
        }
        .into_any()
    } else {
        view! { <span>{words}</span> }.into_any()
    };
    view! {
        <tr data-alert=marker data-disposition=disposition>
            <th scope="row">
                <code>{key}</code>
                {labels.map(|labels| view! { <br/><span class="note labels">{labels}</span> })}
            </th>
            <td>{service}</td>
            <td>{rule}</td>
            <td>{fired_at}</td>
            <td>{acknowledged_after.unwrap_or_else(|| "not acknowledged".to_owned())}</td>
            <td>{responder.unwrap_or_else(|| "—".to_owned())}</td>
            <td>{cell}</td>
        </tr>
    }
}
