//! `/access` (admins): every user with their teams and roles; grant a role, optionally until a
//! day, and revoke a grant made here; disable and enable users. Plain forms: they work without
//! JavaScript.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{AccessView, GrantRole, RevokeGrant, SetUserDisabled, UserView, get_access};
use crate::components::page_error::PageError;
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
        <Title text="Access"/>
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
                    let own_admin = is_viewer && g.role == Role::Admin;
                    let label = format!("Revoke the {} role of {who}", g.role.as_str());
                    let revoke_form = (g.by_admin && !own_admin).then(|| view! {
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="id" value=g.id/>
                            <button class="button button-small" type="submit" aria-label=label>"Revoke"</button>
                        </ActionForm>
                    });
                    view! {
                        <li class:expired=g.expired data-grant=g.id>
                            <strong>{g.role.as_str()}</strong>{until}<br/>
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
