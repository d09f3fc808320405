//! `/access` (admins): every user with their teams and roles; grant a role, optionally until a
//! day, and revoke a grant made here. Plain forms: they work without JavaScript.
//!
//! `/tokens`: the viewer's API tokens (an admin's: everyone's), a form creating one and showing
//! its secret once, and revoking. Showing the secret needs the answer in the page, so this page
//! is one island.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::home::PageError;
use crate::api::{
    AccessView, GrantRole, NewTokenView, RevokeGrant, SetUserDisabled, TokenView, TokensView, UserView,
    create_api_token, get_access, get_api_tokens, revoke_api_token,
};
use crate::domain::access::Role;

#[component]
pub fn AccessPage() -> impl IntoView {
    let grant = ServerAction::<GrantRole>::new();
    let revoke = ServerAction::<RevokeGrant>::new();
    let disable = ServerAction::<SetUserDisabled>::new();
    let data = Resource::new(
        move || (grant.version().get(), revoke.version().get(), disable.version().get()),
        |_| get_access(),
    );
    let failure = move || {
        let error = grant.value().get().and_then(Result::err).or_else(|| revoke.value().get().and_then(Result::err));
        let error = error.or_else(|| disable.value().get().and_then(Result::err));
        error.map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <section class="hero">
            <h1>"Access"</h1>
            <p class="lede">
                "Who may do what. Roles come from the identity provider's groups at each sign-in; an admin can "
                "also grant a role here, optionally until a day (an auditor's engagement, say). Every grant and "
                "revocation is in the audit log. A user appears here after their first sign-in."
            </p>
        </section>
        <div aria-live="polite">{failure}</div>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the users…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(access) => view! { <UserTable access grant revoke disable/> }.into_any(),
                    Err(error) => view! { <PageError error title="Access"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UserTable(
    access: AccessView,
    grant: ServerAction<GrantRole>,
    revoke: ServerAction<RevokeGrant>,
    disable: ServerAction<SetUserDisabled>,
) -> impl IntoView {
    let AccessView { users, earliest_day } = access;
    if users.is_empty() {
        return view! { <p class="empty panel">"No one has signed in yet. (In local mode nobody signs in: you are the single local admin.)"</p> }.into_any();
    }
    view! {
        <section class="panel" aria-labelledby="users-heading">
            <h2 id="users-heading">{format!("Users ({})", users.len())}</h2>
            <div class="table-scroll" tabindex="0">
                <table class="data access-users">
                    <caption class="visually-hidden">"Users, their teams and roles"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"User"</th>
                            <th scope="col">"Teams"</th>
                            <th scope="col">"Roles"</th>
                            <th scope="col">"Grant a role"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {users.into_iter().map(|user| view! {
                            <UserRow user grant revoke disable earliest_day=earliest_day.clone()/>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn UserRow(
    user: UserView,
    grant: ServerAction<GrantRole>,
    revoke: ServerAction<RevokeGrant>,
    disable: ServerAction<SetUserDisabled>,
    earliest_day: String,
) -> impl IntoView {
    let UserView { id, name, email, last_login_at, teams, grants, is_viewer, disabled } = user;
    let who = email.clone().unwrap_or_else(|| name.clone());
    let teams = if teams.is_empty() { "—".to_owned() } else { teams.join(", ") };
    let grants = if grants.is_empty() {
        view! { <span class="note">"No role"</span> }.into_any()
    } else {
        view! {
            <ul class="grants">
                {grants.into_iter().map(|g| {
                    let until = match (&g.ends, g.expired) {
                        (Some(ends), true) => format!(" (ended: {ends})"),
                        (Some(ends), false) => format!(" ({ends})"),
                        (None, _) => String::new(),
                    };
                    let origin = if g.by_admin {
                        format!("granted by {} on {}", g.granted_by, g.granted_at)
                    } else {
                        "from the identity provider's groups".to_owned()
                    };
                    let own_admin = is_viewer && g.role == Role::Admin.as_str();
                    let label = format!("Revoke the {} role of {who}", g.role);
                    let revoke_form = (g.by_admin && !own_admin).then(|| view! {
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="id" value=g.id/>
                            <button class="button button-small" type="submit" aria-label=label>"Revoke"</button>
                        </ActionForm>
                    });
                    view! {
                        <li class:expired=g.expired data-grant=g.id>
                            <strong>{g.role.clone()}</strong>{until}<br/>
                            <span class="note">{origin}</span>
                            {revoke_form}
                        </li>
                    }
                }).collect_view()}
            </ul>
        }
        .into_any()
    };
    let role_id = format!("grant-role-{id}");
    let until_id = format!("grant-until-{id}");
    view! {
        <tr data-user=id>
            <th scope="row">
                {name.clone()}
                {email.map(|e| view! { <br/><span class="note">{e}</span> })}
                <br/><span class="note">{format!("last signed in {last_login_at}")}</span>
                {disabled.clone().map(|when| view! { <br/><strong>{format!("Disabled {when}")}</strong> })}
                {(!is_viewer).then(|| {
                    let (value, text) = if disabled.is_some() { ("false", "Enable") } else { ("true", "Disable") };
                    let label = format!("{text} {who}");
                    view! {
                        <ActionForm action=disable attr:class="inline-form">
                            <input type="hidden" name="user_id" value=id/>
                            <input type="hidden" name="disabled" value=value/>
                            <button class="button button-small" type="submit" aria-label=label>{text}</button>
                        </ActionForm>
                    }
                })}
            </th>
            <td>{teams}</td>
            <td>{grants}</td>
            <td>
                <ActionForm action=grant attr:class="readiness-form" attr:aria-label=format!("Grant a role to {who}")>
                    <input type="hidden" name="user_id" value=id/>
                    <label for=role_id.clone()>"Role"</label>
                    <select id=role_id name="role" required>
                        <option value="" selected disabled>"Choose…"</option>
                        {Role::ALL.into_iter().map(|r| view! { <option value=r.as_str()>{r.as_str()}</option> }).collect_view()}
                    </select>
                    <label for=until_id.clone()>"Last day (optional)"</label>
                    <input id=until_id name="expires_on" type="date" min=earliest_day/>
                    <button class="button" type="submit">"Grant"</button>
                </ActionForm>
            </td>
        </tr>
    }
}

#[component]
pub fn TokensPage() -> impl IntoView {
    view! { <TokensApp/> }
}

/// The list, the form and the one-time secret share state: one island.
#[island]
fn TokensApp() -> impl IntoView {
    let reload = RwSignal::new(0_u32);
    let tokens = Resource::new(move || reload.get(), |_| get_api_tokens());
    let created = RwSignal::new(None::<NewTokenView>);
    let error = RwSignal::new(None::<String>);
    view! {
        <section class="hero">
            <h1>"API tokens"</h1>
            <p class="lede">
                "Tokens let pipelines send records (" <code>"ingest"</code> ") or read KPIs and scorecards ("
                <code>"read"</code> ") with " <code>"Authorization: Bearer …"</code> ". A token never reaches "
                "further than you do, and stops working when you lose the access it was made with."
            </p>
        </section>
        <div aria-live="polite">
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </div>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading your tokens…"</p> }>
            {move || tokens.get().map(|result| match result {
                Ok(view) => view! { <TokensBody view reload created error/> }.into_any(),
                Err(error) => view! { <PageError error title="API tokens"/> }.into_any(),
            })}
        </Transition>
    }
}

#[component]
fn TokensBody(
    view: TokensView,
    reload: RwSignal<u32>,
    created: RwSignal<Option<NewTokenView>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let TokensView { tokens, all_tokens, may_read, may_ingest, own_teams } = view;
    let heading = if all_tokens { "Every token (you are an admin)" } else { "Your tokens" };
    view! {
        <section class="panel" aria-labelledby="new-token-heading">
            <h2 id="new-token-heading">"Create a token"</h2>
            {move || created.get().map(|token| view! { <CreatedSecret token/> })}
            <NewTokenForm may_read may_ingest own_teams reload created error/>
        </section>
        <section class="panel" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">{heading}</h2>
            <TokenTable tokens reload error/>
        </section>
    }
}

#[component]
fn CreatedSecret(token: NewTokenView) -> impl IntoView {
    let until = token.expires_at.map_or_else(|| "It does not expire.".to_owned(), |at| format!("It expires {at}."));
    view! {
        <div class="created-token" role="status" data-testid="created-token">
            <p>
                <strong>{format!("Token \u{201c}{}\u{201d} created.", token.name)}</strong>
                " Copy it now: it is shown only this once, and Plumbline keeps only its hash. " {until}
            </p>
            <label for="created-token-value">"Token"</label>
            <input id="created-token-value" class="secret" readonly value=token.token size="60"/>
        </div>
    }
}

#[component]
fn NewTokenForm(
    may_read: bool,
    may_ingest: bool,
    own_teams: Vec<String>,
    reload: RwSignal<u32>,
    created: RwSignal<Option<NewTokenView>>,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    if !may_read && !may_ingest {
        return view! { <p class="note">"You hold no role, so a token of yours could do nothing."</p> }.into_any();
    }
    let name = RwSignal::new(String::new());
    let read = RwSignal::new(may_read && !may_ingest);
    let ingest = RwSignal::new(may_ingest);
    let teams = RwSignal::new(String::new());
    let days = RwSignal::new("90".to_owned());
    let busy = RwSignal::new(false);
    // Until the island runs, a click would submit the bare form: keep the button disabled.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let teams_hint = if own_teams.is_empty() {
        "Optional: team slugs separated by commas; empty for every team.".to_owned()
    } else {
        format!("Optional: some of your teams ({}); empty for all of them.", own_teams.join(", "))
    };
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        busy.set(true);
        created.set(None);
        error.set(None);
        spawn_local(async move {
            let result = create_api_token(
                name.get_untracked(),
                read.get_untracked(),
                ingest.get_untracked(),
                teams.get_untracked(),
                match days.get_untracked().as_str() {
                    "never" => None,
                    chosen => Some(chosen.parse().unwrap_or(90)),
                },
            )
            .await;
            match result {
                Ok(token) => {
                    created.set(Some(token));
                    name.set(String::new());
                    reload.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="waiver-form token-form" on:submit=submit aria-label="Create a token">
            <label for="token-name">"Name"</label>
            <input id="token-name" name="name" maxlength="100" required placeholder="deploy pipeline"
                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
            <fieldset class="token-scopes">
                <legend>"Scopes"</legend>
                {may_read.then(|| view! {
                    <label><input type="checkbox" name="read" prop:checked=move || read.get()
                        on:change=move |ev| read.set(event_target_checked(&ev))/>" read"</label>
                })}
                {may_ingest.then(|| view! {
                    <label><input type="checkbox" name="ingest" prop:checked=move || ingest.get()
                        on:change=move |ev| ingest.set(event_target_checked(&ev))/>" ingest"</label>
                })}
            </fieldset>
            {may_ingest.then(|| view! {
                <label for="token-teams">"Limit ingest to teams"</label>
                <input id="token-teams" name="teams" aria-describedby="token-teams-hint"
                    prop:value=move || teams.get() on:input=move |ev| teams.set(event_target_value(&ev))/>
                <p class="note token-hint" id="token-teams-hint">{teams_hint.clone()}</p>
            })}
            <label for="token-expiry">"Expires"</label>
            <select id="token-expiry" name="expires_in_days" on:change=move |ev| days.set(event_target_value(&ev))>
                <option value="30">"in 30 days"</option>
                <option value="90" selected>"in 90 days"</option>
                <option value="365">"in a year"</option>
                <option value="never">"never"</option>
            </select>
            <div class="import-actions">
                <button class="button" type="submit" disabled=move || busy.get() || !hydrated.get()>"Create the token"</button>
            </div>
        </form>
    }
    .into_any()
}

#[component]
fn TokenTable(tokens: Vec<TokenView>, reload: RwSignal<u32>, error: RwSignal<Option<String>>) -> impl IntoView {
    if tokens.is_empty() {
        return view! { <p class="empty">"No tokens yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data api-tokens">
                <caption class="visually-hidden">"API tokens, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Scopes"</th>
                        <th scope="col">"Teams"</th>
                        <th scope="col">"Created"</th>
                        <th scope="col">"Expires"</th>
                        <th scope="col">"Last used"</th>
                        <th scope="col">"State"</th>
                    </tr>
                </thead>
                <tbody>
                    {tokens.into_iter().map(|token| view! { <TokenRow token reload error/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn TokenRow(token: TokenView, reload: RwSignal<u32>, error: RwSignal<Option<String>>) -> impl IntoView {
    let id = token.id;
    let revoke = move |_| {
        error.set(None);
        spawn_local(async move {
            match revoke_api_token(id).await {
                Ok(()) => reload.update(|n| *n += 1),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let (class, state) = match token.state.as_str() {
        "active" => ("status status-pass", "Active"),
        "expired" => ("status status-no-data", "Expired"),
        _ => ("status status-fail", "Revoked"),
    };
    let label = format!("Revoke the token {}", token.name);
    let button = (token.state == "active").then(|| {
        view! { <button class="button button-small" type="button" on:click=revoke aria-label=label>"Revoke"</button> }
    });
    view! {
        <tr data-token=id>
            <th scope="row">{token.name.clone()}<br/><code class="note">{format!("{}…", token.prefix)}</code></th>
            <td>{token.scopes.join(", ")}</td>
            <td>{token.teams.map_or_else(|| "any".to_owned(), |t| t.join(", "))}</td>
            <td>{format!("{}, {}", token.created_by, token.created_at)}</td>
            <td>{token.expires_at.unwrap_or_else(|| "never".to_owned())}</td>
            <td>{token.last_used_at.unwrap_or_else(|| "never".to_owned())}</td>
            <td><span class=class>{state}</span> " " {button}</td>
        </tr>
    }
}
