//! The team page's "Follow": a signed-in person with an email address subscribes their own
//! address to the team's notifications (docs/notifications.md), or stops.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::{FollowTeam, get_follow_state};

#[component]
pub fn FollowTeam(team: String) -> impl IntoView {
    let follow = ServerAction::<FollowTeam>::new();
    let data = Resource::new(move || (team.clone(), follow.version().get()), |(team, _)| get_follow_state(team));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                // Without an email address (the local admin) or access, nothing to offer.
                let Ok(state) = data.await else { return ().into_any() };
                let Some(email) = state.email.clone() else { return ().into_any() };
                let (text, button, value) = match state.following {
                    Some(_) => (format!("You get this team's weekly digest and notices at {email}."), "Stop following", "false"),
                    None => (format!("Get this team's weekly digest and notices at {email}."), "Follow", "true"),
                };
                view! {
                    <ActionForm action=follow attr:class="follow-form" attr:data-testid="follow-team">
                        <input type="hidden" name="team" value=state.team.clone()/>
                        <input type="hidden" name="follow" value=value/>
                        <span class="note">{text}</span> " "
                        <button class="button" type="submit">{button}</button>
                    </ActionForm>
                }.into_any()
            })}
        </Suspense>
    }
}
