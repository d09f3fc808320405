//! `/teams/{slug}/self-assessment`: each of the team's services with its readiness checklist —
//! every item's answer, evidence, who answered and who signed it off, and where it stands — with
//! the progress ("4 of 6 answered, 1 awaiting review, 1 expired"). A team editor answers; someone
//! from another team, or an admin, signs answers off. Plain forms: they work without JavaScript.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{
    AnswerReadiness, ReadinessItemView, ServiceReadiness, SignOffReadiness, TeamReadiness, get_team_readiness,
};
use crate::components::page_error::PageError;
use crate::domain::scorecard::readiness::ItemState;

/// `on_call_rotation` → `On call rotation`, `slo_alerting` → `SLO alerting`.
fn label(item: &str) -> String {
    let text =
        item.split(['_', '-'])
            .map(|word| {
                if matches!(word, "slo" | "sla" | "dr" | "rto" | "rpo") { word.to_uppercase() } else { word.to_owned() }
            })
            .collect::<Vec<_>>()
            .join(" ");
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn state_text(state: ItemState) -> (&'static str, &'static str) {
    match state {
        ItemState::Unanswered => ("status status-no-data", "Unanswered"),
        ItemState::AwaitingReview => ("status status-waived", "Awaiting review"),
        ItemState::Current => ("status status-pass", "Signed off"),
        ItemState::Expired => ("status status-fail", "Expired"),
    }
}

#[component]
pub fn ReadinessPage() -> impl IntoView {
    let params = use_params_map();
    let answer = ServerAction::<AnswerReadiness>::new();
    let sign_off = ServerAction::<SignOffReadiness>::new();
    let team = Memo::new(move |_| params.read().get("slug").unwrap_or_default());
    let data = Resource::new(
        move || (team.get(), answer.version().get(), sign_off.version().get()),
        |(team, _, _)| get_team_readiness(team),
    );
    let failure = move || {
        let error = answer.value().get().and_then(Result::err).or_else(|| sign_off.value().get().and_then(Result::err));
        error.map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <Title text="Self-assessment"/>
        <Transition fallback=|| view! { <p class="loading" aria-busy="true">"Loading the self-assessment…"</p> }>
            {move || data.get().map(|result| match result {
                Ok(view) => view! { <Team view answer sign_off/> }.into_any(),
                Err(error) => view! { <PageError error title="Self-assessment"/> }.into_any(),
            })}
        </Transition>
        <div aria-live="polite">{failure}</div>
    }
}

#[component]
fn Team(
    view: TeamReadiness,
    answer: ServerAction<AnswerReadiness>,
    sign_off: ServerAction<SignOffReadiness>,
) -> impl IntoView {
    let TeamReadiness { team, name, services, can_answer, viewer } = view;
    let back = format!("/teams/{team}");
    view! {
        <section class="hero">
            <p class="crumbs"><a href=back>{format!("Team {name}")}</a> " / self-assessment"</p>
            <Title text=format!("Self-assessment · {name}")/>
            <h1>{format!("Readiness self-assessment · {name}")}</h1>
            <p class="lede">
                "Answers are self-attested: they count towards the scorecard's readiness check once someone "
                "from another team, or an admin, has signed them off, and until they expire."
            </p>
            <p class="note">
                {if can_answer {
                    format!("You answer as {viewer}.")
                } else {
                    format!("You ({viewer}) can sign off answers here; answering is for the team's editors.")
                }}
            </p>
        </section>
        {services.is_empty().then(|| view! { <p class="empty panel">"The team has no active service."</p> })}
        {services.into_iter().map(|service| view! { <Service service can_answer answer sign_off/> }).collect_view()}
    }
}

#[component]
fn Service(
    service: ServiceReadiness,
    can_answer: bool,
    answer: ServerAction<AnswerReadiness>,
    sign_off: ServerAction<SignOffReadiness>,
) -> impl IntoView {
    let ServiceReadiness { service, name, tier, valid_days, progress, items } = service;
    let heading_id = format!("readiness-{service}");
    // Attributes are rendered after children: each gets its own copy.
    let labelled_by = heading_id.clone();
    let marker = service.clone();
    let Some(days) = valid_days else {
        return view! {
            <section class="panel" aria-labelledby=labelled_by data-service=marker>
                <h2 id=heading_id>{format!("{name} · tier {tier}")}</h2>
                <p class="note">"The readiness checklist does not apply to this tier."</p>
            </section>
        }
        .into_any();
    };
    view! {
        <section class="panel" aria-labelledby=labelled_by data-service=marker>
            <div class="panel-title">
                <h2 id=heading_id>{format!("{name} · tier {tier}")}</h2>
                <span class="note" data-testid="readiness-progress">{progress.describe()}</span>
            </div>
            <p class="note">{format!("Answers stay valid for {days} days unless the item says otherwise.")}</p>
            <div class="table-scroll" tabindex="0">
                <table class="data readiness">
                    <caption class="visually-hidden">{format!("Readiness checklist of {service}")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Item"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Answer"</th>
                            <th scope="col">"Answered"</th>
                            <th scope="col">"Signed off"</th>
                            <th scope="col">"Change"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {items.into_iter().map(|item| view! { <Item service=service.clone() item default_days=days can_answer answer sign_off/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn Item(
    service: String,
    item: ReadinessItemView,
    default_days: i64,
    can_answer: bool,
    answer: ServerAction<AnswerReadiness>,
    sign_off: ServerAction<SignOffReadiness>,
) -> impl IntoView {
    let (class, status) = state_text(item.state);
    let shown_answer = item.answer.clone().unwrap_or_else(|| "—".to_owned());
    let answered = match (&item.answered_by, &item.answered_at) {
        (Some(by), Some(at)) => format!("{by}, {at}"),
        _ => "—".to_owned(),
    };
    let reviewed = match (&item.reviewed_by, &item.reviewed_at) {
        (Some(by), Some(at)) if item.review_imported => {
            format!("{by}, {at} (imported from another system, not verified in Plumbline)")
        }
        (Some(by), Some(at)) => format!("{by}, {at}"),
        _ => "—".to_owned(),
    };
    let field = |name: &str| format!("{service}-{}-{name}", item.item);
    let (answer_id, evidence_id, comment_id) = (field("answer"), field("evidence"), field("comment"));
    let current = item.answer.clone().unwrap_or_default();
    let unanswered = item.answer.is_none();
    let item_label = label(&item.item);
    let (evidence_value, comment_value) = (item.evidence_url.clone(), item.comment.clone());
    let (form_service, form_item, form_label) = (service.clone(), item.item.clone(), item_label.clone());
    let answer_form = can_answer.then(move || {
        let option = move |value: &'static str| {
            let selected = current == value;
            view! { <option value=value selected=selected>{value}</option> }
        };
        view! {
            <ActionForm action=answer attr:class="readiness-form">
                <input type="hidden" name="service" value=form_service/>
                <input type="hidden" name="item" value=form_item.clone()/>
                <label for=answer_id.clone() class="visually-hidden">{format!("{form_label}: answer")}</label>
                // No answer is chosen for the user: an unanswered item starts blank, and the
                // browser asks for a choice before sending.
                <select id=answer_id name="answer" required>
                    <option value="" selected=unanswered disabled>"Choose…"</option>
                    {option("yes")}{option("no")}{option("n/a")}
                </select>
                <label for=evidence_id.clone() class="visually-hidden">{format!("{form_label}: evidence URL")}</label>
                <input id=evidence_id name="evidence_url" type="url" placeholder="Evidence URL" value=evidence_value/>
                <label for=comment_id.clone() class="visually-hidden">{format!("{form_label}: comment")}</label>
                <input id=comment_id name="comment" placeholder="Comment (why n/a)" value=comment_value/>
                <button class="button" type="submit" aria-label=format!("Save {form_item}")>"Save"</button>
            </ActionForm>
        }
    });
    let (sign_service, sign_item) = (service.clone(), item.item.clone());
    let sign_off_form = item.can_sign_off.then(move || {
        view! {
            <ActionForm action=sign_off attr:class="readiness-form">
                <input type="hidden" name="service" value=sign_service/>
                <input type="hidden" name="item" value=sign_item.clone()/>
                <button class="button" type="submit" aria-label=format!("Sign off {sign_item}")>"Sign off"</button>
            </ActionForm>
        }
    });
    let evidence =
        item.evidence_url.clone().map(|url| view! { " · " <a href=url rel="noopener noreferrer">"evidence"</a> });
    view! {
        <tr data-item=item.item.clone()>
            <th scope="row">
                {item_label.clone()}
                {(item.valid_days != default_days).then(|| view! { <br/><span class="note">{format!("valid {} days", item.valid_days)}</span> })}
            </th>
            <td><span class=class>{status}</span></td>
            <td>{shown_answer}{evidence}{item.comment.clone().map(|c| view! { <br/><span class="note">{c}</span> })}</td>
            <td>{answered}</td>
            <td>{reviewed}</td>
            <td>{answer_form}{sign_off_form}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn items_read_as_words() {
        assert_eq!(super::label("on_call_rotation"), "On call rotation");
        assert_eq!(super::label("runbook"), "Runbook");
        assert_eq!(super::label("slo_alerting"), "SLO alerting");
    }
}
