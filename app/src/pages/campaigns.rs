//! `/campaigns` (every campaign, and for admins the form to start one) and
//! `/campaigns/{slug}` (a campaign's burn-up, teams, services still open and result).

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{
    CampaignSummary, CampaignView, CampaignsView, CreateCampaign, UpdateCampaign, get_campaign, get_campaigns,
};
use crate::components::campaigns::{BurnUpChart, met_of};
use crate::components::level_badge::level_badge;
use crate::components::page_error::PageError;
use crate::components::period_picker::RecomputingNote;
use crate::domain::campaign::{CampaignState, ServiceGoal};

fn state_class(state: CampaignState) -> &'static str {
    match state {
        CampaignState::Running => "status status-pass",
        CampaignState::Ended => "status status-no-data",
        CampaignState::Cancelled => "status status-fail",
    }
}

/// `/campaigns`.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    let create = ServerAction::<CreateCampaign>::new();
    let data = Resource::new(move || create.version().get(), |_| get_campaigns());
    view! {
        <Title text="Campaigns"/>
        <section class="hero">
            <h1>"Campaigns"</h1>
            <p class="lede">
                "A campaign is a dated goal — some checks passing, or a level reached — for a set of services. "
                "Its standing is recorded every hour; the one recorded on its deadline is its result."
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the campaigns…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <CampaignsBody view create/> }.into_any(),
                    Err(error) => view! { <PageError error title="Campaigns"/> }.into_any(),
                }
            })}
        </Suspense>
        <div aria-live="polite">
            {move || create.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </div>
    }
}

#[component]
fn CampaignsBody(view: CampaignsView, create: ServerAction<CreateCampaign>) -> impl IntoView {
    let CampaignsView { campaigns, viewer_is_admin, checks, teams, earliest_deadline, latest_deadline, recomputing } =
        view;
    let table = if campaigns.is_empty() {
        view! { <p class="empty">"No campaign yet."</p> }.into_any()
    } else {
        view! { <CampaignTable campaigns/> }.into_any()
    };
    let form = viewer_is_admin.then(move || {
        let teams_hint = format!("Teams: {}", teams.join(", "));
        view! {
            <section class="panel" aria-labelledby="new-campaign-heading">
                <h2 id="new-campaign-heading">"Start a campaign"</h2>
                <ActionForm action=create attr:class="campaign-form" attr:aria-label="Start a campaign">
                    <label for="campaign-title">"Title"</label>
                    <input id="campaign-title" name="title" required maxlength="120"/>
                    <label for="campaign-description">"Description"</label>
                    <textarea id="campaign-description" name="description" rows="3" maxlength="4000"></textarea>
                    <label for="campaign-owner">"Owner"</label>
                    <input id="campaign-owner" name="owner" required maxlength="200" placeholder="A person or team to ask"/>
                    <fieldset>
                        <legend>"Goal"</legend>
                        <label><input type="radio" name="goal_kind" value="checks" checked/> " These checks pass:"</label>
                        <div class="check-choices">
                            {checks.into_iter().map(|c| {
                                let name = format!("goal_checks[{}]", c.id);
                                view! {
                                    <label><input type="checkbox" name=name value="on"/> {format!(" {} ({})", c.title, c.level)}</label>
                                }
                            }).collect_view()}
                        </div>
                        <label><input type="radio" name="goal_kind" value="level"/> " This level or higher: "</label>
                        <select name="goal_level" aria-label="Level">
                            <option value="bronze">"Bronze"</option>
                            <option value="silver">"Silver"</option>
                            <option value="gold">"Gold"</option>
                        </select>
                    </fieldset>
                    <fieldset>
                        <legend>"Services"</legend>
                        <label for="campaign-scope-kind">"Chosen by"</label>
                        <select id="campaign-scope-kind" name="scope_kind">
                            <option value="tiers">"Tier"</option>
                            <option value="teams">"Team"</option>
                            <option value="services">"Service name"</option>
                        </select>
                        <label for="campaign-scope-values">"Tiers, teams or services (comma-separated)"</label>
                        <input id="campaign-scope-values" name="scope_values" required placeholder="0, 1"/>
                        <p class="note">{teams_hint}</p>
                    </fieldset>
                    <label for="campaign-deadline">"Deadline (its last day)"</label>
                    <input id="campaign-deadline" name="deadline" type="date" required min=earliest_deadline.to_string() max=latest_deadline.to_string()/>
                    <div class="import-actions">
                        <button class="button" type="submit">"Start the campaign"</button>
                    </div>
                </ActionForm>
            </section>
        }
    });
    view! {
        {recomputing.then(|| view! { <p><RecomputingNote/></p> })}
        <section class="panel" aria-labelledby="campaigns-heading">
            <h2 id="campaigns-heading">"All campaigns"</h2>
            {table}
        </section>
        {form}
    }
}

#[component]
fn CampaignTable(campaigns: Vec<CampaignSummary>) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data" data-testid="campaigns">
                <caption class="visually-hidden">"Campaigns, running ones first by nearest deadline"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Campaign"</th>
                        <th scope="col">"Goal"</th>
                        <th scope="col">"Services"</th>
                        <th scope="col">"Deadline"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Meeting the goal"</th>
                    </tr>
                </thead>
                <tbody>
                    {campaigns.into_iter().map(|c| {
                        let progress = match (c.met, c.total, c.state) {
                            (Some(met), Some(total), CampaignState::Ended) => format!("{} (result)", met_of(met, total)),
                            (Some(met), Some(total), _) => met_of(met, total),
                            (_, _, CampaignState::Ended) => "Result being recorded".to_owned(),
                            _ => "—".to_owned(),
                        };
                        view! {
                            <tr data-campaign=c.slug.clone()>
                                <th scope="row"><a href=format!("/campaigns/{}", c.slug)>{c.title.clone()}</a><br/><span class="note">{format!("Owner: {}", c.owner)}</span></th>
                                <td>{c.goal.clone()}</td>
                                <td>{c.scope.clone()}</td>
                                <td>{c.deadline.to_string()}</td>
                                <td><span class=state_class(c.state)>{c.state.label()}</span></td>
                                <td class="numeric" data-testid="campaign-progress">{progress}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// `/campaigns/{slug}`.
#[component]
pub fn CampaignPage() -> impl IntoView {
    let params = use_params_map();
    let update = ServerAction::<UpdateCampaign>::new();
    let slug = Memo::new(move |_| params.read().get("slug").unwrap_or_default());
    let data = Resource::new(move || (slug.get(), update.version().get()), |(slug, _)| get_campaign(slug));
    view! {
        <Title text="Campaign"/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the campaign…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <CampaignDetail view update/> }.into_any(),
                    Err(error) => view! { <PageError error title="Campaign"/> }.into_any(),
                }
            })}
        </Suspense>
        <div aria-live="polite">
            {move || update.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </div>
    }
}

#[component]
fn CampaignDetail(view: CampaignView, update: ServerAction<UpdateCampaign>) -> impl IntoView {
    let start = view.started_on;
    let headline = match (&view.result, view.state, &view.now) {
        (Some(result), _, _) => {
            let when = if result.on_deadline(view.deadline) {
                format!("recorded on the deadline, {}", crate::domain::format::instant(result.recorded_at))
            } else {
                format!(
                    "nothing was recorded on the deadline; this is the standing judged after it, {}",
                    crate::domain::format::instant(result.recorded_at)
                )
            };
            format!("Result: {} services met the goal ({when}).", met_of(result.met, result.total))
        }
        (None, CampaignState::Running, Some(now)) if now.total == 0 => {
            "No service in scope can meet the goal: none is counted.".to_owned()
        }
        (None, CampaignState::Running, Some(now)) => {
            let left = match view.days_left {
                0 => "today is the deadline".to_owned(),
                1 => "1 day left".to_owned(),
                n => format!("{n} days left"),
            };
            format!("{} services meet the goal now; {left}.", met_of(now.met, now.total))
        }
        (None, CampaignState::Ended, _) => "The deadline has passed; the result is being recorded.".to_owned(),
        (None, CampaignState::Cancelled, _) => "Cancelled.".to_owned(),
        (None, _, None) => "Where it stands is being computed.".to_owned(),
    };
    let teams = view.now.as_ref().map(|now| now.teams.clone()).unwrap_or_default();
    let services = view.now.as_ref().map(|now| now.services.clone()).unwrap_or_default();
    let open: Vec<ServiceGoal> = services.iter().filter(|s| s.reachable && !s.met).cloned().collect();
    let out_of_reach: Vec<String> = services.iter().filter(|s| !s.reachable).map(|s| s.service.clone()).collect();
    let met: Vec<ServiceGoal> = services.into_iter().filter(|s| s.met).collect();
    let since_result =
        view.result.as_ref().zip(view.now.as_ref()).filter(|(r, n)| r.met != n.met || r.total != n.total);
    let changed_since = since_result.map(|(_, now)| {
        view! {
            <p class="note" data-testid="changed-since-result">
                {format!("On today's scorecards {} services would meet it: records changed after the result was recorded.", met_of(now.met, now.total))}
            </p>
        }
    });
    let (slug, title, description, owner) =
        (view.slug.clone(), view.title.clone(), view.description.clone(), view.owner.clone());
    let deadline = view.deadline.to_string();
    let edit = (view.viewer_is_admin && view.state == CampaignState::Running).then(move || {
        view! {
            <section class="panel" aria-labelledby="edit-campaign-heading">
                <h2 id="edit-campaign-heading">"Change the campaign"</h2>
                <ActionForm action=update attr:class="campaign-form" attr:aria-label="Change the campaign">
                    <input type="hidden" name="slug" value=slug/>
                    <label for="edit-title">"Title"</label>
                    <input id="edit-title" name="title" required maxlength="120" value=title/>
                    <label for="edit-description">"Description"</label>
                    <textarea id="edit-description" name="description" rows="3" maxlength="4000">{description}</textarea>
                    <label for="edit-owner">"Owner"</label>
                    <input id="edit-owner" name="owner" required maxlength="200" value=owner/>
                    <label for="edit-deadline">"Deadline"</label>
                    <input id="edit-deadline" name="deadline" type="date" required value=deadline/>
                    <div class="import-actions">
                        <button class="button" type="submit">"Save"</button>
                        <button class="button" type="submit" name="cancel" value="yes">"Cancel the campaign"</button>
                    </div>
                </ActionForm>
            </section>
        }
    });
    view! {
        <Title text=view.title.clone()/>
        <section class="hero">
            <p class="crumbs"><a href="/campaigns">"Campaigns"</a> " / " {view.title.clone()}</p>
            <h1>{view.title.clone()} " " <span class=state_class(view.state)>{view.state.label()}</span></h1>
            <p class="lede" data-testid="campaign-headline">{headline}</p>
            {changed_since}
            <dl class="facts">
                <dt>"Goal"</dt><dd>{view.goal.clone()}</dd>
                <dt>"Services"</dt><dd>{view.scope.clone()}</dd>
                <dt>"Deadline"</dt><dd>{view.deadline.to_string()}</dd>
                <dt>"Owner"</dt><dd>{view.owner.clone()}</dd>
                <dt>"Started"</dt><dd>{format!("{} by {}", view.created_at.format("%Y-%m-%d"), view.created_by)}</dd>
            </dl>
            {(!view.description.is_empty()).then(|| view! { <p>{view.description.clone()}</p> })}
            {view.recomputing.then(|| view! { <p><RecomputingNote/></p> })}
        </section>
        <section class="panel" aria-labelledby="burn-up-heading">
            <h2 id="burn-up-heading">"Burn-up"</h2>
            <p class="note">"The last standing recorded each day since the campaign started (today's: as of now)."</p>
            <BurnUpChart points=view.burn_up.clone() start deadline=view.deadline/>
        </section>
        <section class="panel" aria-labelledby="campaign-teams-heading">
            <h2 id="campaign-teams-heading">"By team, now"</h2>
            <div class="table-scroll" tabindex="0">
                <table class="data" data-testid="campaign-teams">
                    <caption class="visually-hidden">"Services meeting the goal now, per team"</caption>
                    <thead><tr><th scope="col">"Team"</th><th scope="col">"Meeting the goal"</th></tr></thead>
                    <tbody>
                        {teams.into_iter().map(|t| view! {
                            <tr data-team=t.team.clone()>
                                <th scope="row"><a href=format!("/teams/{}", t.team)>{t.team.clone()}</a></th>
                                <td class="numeric">{met_of(t.met, t.total)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="panel" aria-labelledby="campaign-open-heading">
            <h2 id="campaign-open-heading">{format!("Still open now ({})", open.len())}</h2>
            <OpenServices services=open/>
            {(!met.is_empty()).then(|| view! {
                <p class="note" data-testid="campaign-met">{format!("Meeting the goal: {}.", met.iter().map(|s| s.service.as_str()).collect::<Vec<_>>().join(", "))}</p>
            })}
            {(!out_of_reach.is_empty()).then(|| view! {
                <p class="note" data-testid="campaign-out-of-reach">
                    {format!(
                        "Not counted: {} cannot reach the goal under the policy (no check of a level up to it applies to their tier).",
                        out_of_reach.join(", ")
                    )}
                </p>
            })}
        </section>
        {edit}
    }
}

#[component]
fn OpenServices(services: Vec<ServiceGoal>) -> impl IntoView {
    if services.is_empty() {
        return view! { <p class="empty">"No service still open."</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data" data-testid="campaign-open">
                <caption class="visually-hidden">"Services not meeting the goal, with what they must fix"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Service"</th>
                        <th scope="col">"Team"</th>
                        <th scope="col">"Tier"</th>
                        <th scope="col">"Level"</th>
                        <th scope="col">"To fix"</th>
                    </tr>
                </thead>
                <tbody>
                    {services.into_iter().map(|s| view! {
                        <tr data-service=s.service.clone()>
                            <th scope="row"><a href=format!("/services/{}", s.service)><code>{s.service.clone()}</code></a></th>
                            <td>{s.team.clone()}</td>
                            <td class="numeric">{s.tier}</td>
                            <td>{level_badge(s.level)}</td>
                            <td>
                                <ul class="open-checks">
                                    {s.open.into_iter().map(|o| view! {
                                        <li><strong>{o.title}</strong> " (" {o.status.label()} "): " {o.explanation}</li>
                                    }).collect_view()}
                                </ul>
                            </td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
