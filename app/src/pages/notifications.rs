//! `/notifications` (admins): who gets each team's weekly digest, a form to add a subscription,
//! and the log of every notification — sent, failed and being retried, or given up.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{
    EndSubscription, NotificationView, NotificationsView, Subscribe, SubscriptionView, get_notifications,
};
use crate::components::page_error::PageError;

use crate::domain::format::instant as when;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let subscribe = ServerAction::<Subscribe>::new();
    let end = ServerAction::<EndSubscription>::new();
    let data = Resource::new(move || (subscribe.version().get(), end.version().get()), |_| get_notifications());
    view! {
        <Title text="Notifications"/>
        <section class="hero">
            <h1>"Notifications"</h1>
            <p class="lede">
                "Each Monday at 08:00 every subscribed team gets its weekly digest — level changes, what breaks in the "
                "next 30 days, overdue actions and campaign progress — by email or webhook. Failed deliveries are "
                "retried with backoff, then given up and listed here."
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the notifications…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <NotificationsBody view subscribe end/> }.into_any(),
                    Err(error) => view! { <PageError error title="Notifications"/> }.into_any(),
                }
            })}
        </Suspense>
        <div aria-live="polite">
            {move || {
                subscribe.value().get().and_then(Result::err)
                    .or_else(|| end.value().get().and_then(Result::err))
                    .map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
            }}
        </div>
    }
}

#[component]
fn NotificationsBody(
    view: NotificationsView,
    subscribe: ServerAction<Subscribe>,
    end: ServerAction<EndSubscription>,
) -> impl IntoView {
    let NotificationsView { subscriptions, log, teams, mail_configured } = view;
    let mail_note = (!mail_configured).then(|| {
        view! { <p class="note" data-testid="no-mail-server">"No mail server is configured (PLUMBLINE_SMTP_URL): email subscriptions fail until one is."</p> }
    });
    view! {
        <section class="panel" aria-labelledby="subscriptions-heading">
            <h2 id="subscriptions-heading">"Subscriptions"</h2>
            {mail_note}
            <SubscriptionTable subscriptions end/>
            <ActionForm action=subscribe attr:class="campaign-form" attr:aria-label="Add a subscription">
                <label for="subscription-team">"Team"</label>
                <select id="subscription-team" name="team">
                    <option value=crate::domain::notify::ADMIN_NOTICES>"Admins: waiver requests waiting"</option>
                    {teams.into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                </select>
                <label for="subscription-channel">"Channel"</label>
                <select id="subscription-channel" name="channel">
                    <option value="email">"Email"</option>
                    <option value="webhook">"Webhook (Slack-compatible JSON, signed)"</option>
                    <option value="calendar">"Calendar feed of the team's forecast (a private link)"</option>
                </select>
                <label for="subscription-target">"Email address or webhook URL (none for a calendar feed)"</label>
                <input id="subscription-target" name="target" maxlength="500"/>
                <div class="import-actions">
                    <button class="button" type="submit">"Subscribe"</button>
                </div>
            </ActionForm>
        </section>
        <section class="panel" aria-labelledby="log-heading">
            <h2 id="log-heading">"Log"</h2>
            <NotificationLog log/>
        </section>
    }
}

#[component]
fn SubscriptionTable(subscriptions: Vec<SubscriptionView>, end: ServerAction<EndSubscription>) -> impl IntoView {
    if subscriptions.is_empty() {
        return view! { <p class="empty">"No subscription yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data" data-testid="subscriptions">
                <caption class="visually-hidden">"Subscriptions, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Team"</th>
                        <th scope="col">"Channel"</th>
                        <th scope="col">"Sent to"</th>
                        <th scope="col">"Added"</th>
                        <th scope="col">"State"</th>
                    </tr>
                </thead>
                <tbody>
                    {subscriptions.into_iter().map(|s| {
                        let secret = s.secret.clone().map(|secret| view! {
                            <details><summary>"Signing secret"</summary><code>{secret}</code></details>
                        });
                        let feed = s.feed_url.clone().map(|url| view! {
                            <details><summary>"Private feed link"</summary><code data-testid="feed-url">{url}</code></details>
                        });
                        let state = match s.ended_at {
                            Some(at) => view! { <span class="note">{format!("Ended {}", when(at))}</span> }.into_any(),
                            None => {
                                let id = s.id;
                                let label = format!("End the subscription of {} to {}", s.team, s.target);
                                view! {
                                    <ActionForm action=end attr:class="readiness-form">
                                        <input type="hidden" name="id" value=id/>
                                        <button class="button" type="submit" aria-label=label>"End"</button>
                                    </ActionForm>
                                }.into_any()
                            }
                        };
                        view! {
                            <tr data-subscription=s.id>
                                <td>
                                    {if s.team == crate::domain::notify::ADMIN_NOTICES {
                                        view! { <span>"Admins"</span> }.into_any()
                                    } else {
                                        view! { <a href=format!("/teams/{}", s.team)>{s.team.clone()}</a> }.into_any()
                                    }}
                                </td>
                                <td>{s.channel.clone()}</td>
                                <td>{(!s.target.is_empty()).then(|| view! { <code>{s.target.clone()}</code> })}{secret}{feed}</td>
                                <td>{format!("{}, {}", s.created_by, when(s.created_at))}</td>
                                <td>{state}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn NotificationLog(log: Vec<NotificationView>) -> impl IntoView {
    if log.is_empty() {
        return view! { <p class="empty">"No notification yet."</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data" data-testid="notification-log">
                <caption class="visually-hidden">"Notifications, newest first"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Notification"</th>
                        <th scope="col">"To"</th>
                        <th scope="col">"Made"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Attempts"</th>
                    </tr>
                </thead>
                <tbody>
                    {log.into_iter().map(|n| {
                        let (class, state) = match n.status.as_str() {
                            "sent" => ("status status-pass", n.sent_at.map_or_else(|| "Sent".to_owned(), |at| format!("Sent {}", when(at)))),
                            "failed" => ("status status-no-data", "Failed, to be retried".to_owned()),
                            "given_up" => ("status status-fail", "Given up".to_owned()),
                            _ => ("status status-no-data", "Queued".to_owned()),
                        };
                        let error = n.last_error.clone().map(|e| view! { <br/><span class="note">{e}</span> });
                        view! {
                            <tr data-notification=n.id data-status=n.status.clone()>
                                <th scope="row">{n.subject.clone()}</th>
                                <td>{format!("{} ({})", n.target, n.channel)}</td>
                                <td>{when(n.created_at)}</td>
                                <td><span class=class>{state}</span>{error}</td>
                                <td class="numeric">{n.attempts}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
