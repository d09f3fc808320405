//! `/tokens`: the viewer's API tokens (an admin's: everyone's), a form creating one and showing
//! its secret once, and revoking. Showing the secret needs the answer in the page, so this page
//! is one island.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;

use crate::api::{NewTokenView, TokenView, TokensView, create_api_token, get_api_tokens, revoke_api_token};
use crate::components::page_error::PageError;

#[component]
pub fn TokensPage() -> impl IntoView {
    view! { <Title text="API tokens"/> <TokensApp/> }
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
