//! Waiver requests as tables and forms, shared by the service page (its requests, and a form
//! to ask for one) and the waivers page. Plain forms: they work without JavaScript.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::{DecideWaiver, RequestWaiver, ServiceWaivers, WaiverRequestView, get_service_waivers};
use crate::domain::scorecard::waiver::RequestStatus;

fn status_text(request: &WaiverRequestView) -> (&'static str, &'static str) {
    match request.status {
        RequestStatus::Pending => ("status status-no-data", "Awaiting a decision"),
        RequestStatus::Approved if request.ended => ("status status-no-data", "Approved, ended"),
        RequestStatus::Approved => ("status status-waived", "Approved"),
        RequestStatus::Rejected => ("status status-fail", "Rejected"),
    }
}

/// The first error of the page's actions, announced.
pub fn failure(
    actions: [ServerAction<DecideWaiver>; 1],
    request: Option<ServerAction<RequestWaiver>>,
) -> impl IntoView {
    move || {
        let error = request
            .and_then(|r| r.value().get().and_then(Result::err))
            .or_else(|| actions.iter().find_map(|a| a.value().get().and_then(Result::err)));
        error.map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })
    }
}

/// The service page's section: its requests, and the form to ask for a waiver.
#[component]
pub fn ServiceWaiversSection(service: String) -> impl IntoView {
    let request = ServerAction::<RequestWaiver>::new();
    let decide = ServerAction::<DecideWaiver>::new();
    let data = Resource::new(
        move || (request.version().get(), decide.version().get()),
        move |_| get_service_waivers(service.clone()),
    );
    view! {
        <section class="panel" id="waivers" aria-labelledby="waivers-heading">
            <h2 id="waivers-heading">"Waiver requests"</h2>
            <p class="note">
                "A check failing in the current quarter may be waived until a day you choose, for a reason, "
                "once an admin other than you approves it. A waived check does not block a level, never counts "
                "as passed, and fails again when the waiver ends."
            </p>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the waiver requests…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(waivers) => view! { <ServiceWaiversBody waivers request decide/> }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <div aria-live="polite">{failure([decide], Some(request))}</div>
        </section>
    }
}

#[component]
fn ServiceWaiversBody(
    waivers: ServiceWaivers,
    request: ServerAction<RequestWaiver>,
    decide: ServerAction<DecideWaiver>,
) -> impl IntoView {
    let ServiceWaivers { service, waivable, requests, earliest_day, latest_day } = waivers;
    let form = (!waivable.is_empty()).then(move || {
        view! {
            <ActionForm action=request attr:class="waiver-form" attr:aria-label="Request a waiver">
                <input type="hidden" name="service" value=service/>
                <label for="waiver-check">"Check to waive"</label>
                <select id="waiver-check" name="check" required>
                    {waivable.into_iter().map(|c| {
                        let label = format!("{} ({})", c.title, if c.status == "no_data" { "no data" } else { "failing" });
                        view! { <option value=c.id>{label}</option> }
                    }).collect_view()}
                </select>
                <label for="waiver-reason">"Reason"</label>
                <textarea id="waiver-reason" name="reason" rows="3" maxlength="2000" required></textarea>
                <label for="waiver-last-day">"Last day"</label>
                <input id="waiver-last-day" name="last_day" type="date" min=earliest_day max=latest_day required/>
                <div class="import-actions">
                    <button class="button" type="submit">"Request the waiver"</button>
                </div>
            </ActionForm>
        }
    });
    view! {
        <RequestTable requests decide show_service=false caption="Waiver requests of this service, newest first"/>
        {form}
    }
}

#[component]
pub fn RequestTable(
    requests: Vec<WaiverRequestView>,
    decide: ServerAction<DecideWaiver>,
    show_service: bool,
    caption: &'static str,
) -> impl IntoView {
    if requests.is_empty() {
        return view! { <p class="empty">"No waiver requests."</p> }.into_any();
    }
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data waiver-requests">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>
                        {show_service.then(|| view! { <th scope="col">"Service"</th> })}
                        <th scope="col">"Check"</th>
                        <th scope="col">"Reason"</th>
                        <th scope="col">"Last day"</th>
                        <th scope="col">"Requested"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Decision"</th>
                    </tr>
                </thead>
                <tbody>
                    {requests.into_iter().map(|r| view! { <RequestRow request=r decide show_service/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn RequestRow(request: WaiverRequestView, decide: ServerAction<DecideWaiver>, show_service: bool) -> impl IntoView {
    let (class, status) = status_text(&request);
    let service_link = format!("/services/{}", request.service);
    let decision = match (&request.decided_by, &request.decided_at) {
        (Some(by), Some(at)) => {
            let note = request.decision_note.clone().map(|n| view! { <br/><span class="note">{n}</span> });
            view! { {format!("{by}, {at}")}{note} }.into_any()
        }
        _ => ().into_any(),
    };
    let id = request.id;
    let note_id = format!("waiver-note-{id}");
    let what = format!("{} of {}", request.check_title, request.service);
    let forms = request.can_decide.then(move || {
        view! {
            <ActionForm action=decide attr:class="readiness-form">
                <input type="hidden" name="id" value=id/>
                <label for=note_id.clone() class="visually-hidden">{format!("Note on the waiver of {what}")}</label>
                <input id=note_id name="note" placeholder="Note (optional)"/>
                <button class="button" type="submit" name="decision" value="approve" aria-label=format!("Approve the waiver of {what}")>
                    "Approve"
                </button>
                <button class="button" type="submit" name="decision" value="reject" aria-label=format!("Reject the waiver of {what}")>
                    "Reject"
                </button>
            </ActionForm>
        }
    });
    view! {
        <tr data-request=id>
            {show_service.then(|| view! { <td><a href=service_link>{request.service.clone()}</a></td> })}
            <th scope="row">{request.check_title.clone()} <br/><code class="note">{request.check.clone()}</code></th>
            <td>{request.reason.clone()}</td>
            <td>{request.last_day.clone()}</td>
            <td>{format!("{}, {}", request.requested_by, request.requested_at)}</td>
            <td><span class=class>{status}</span></td>
            <td>{decision}{forms}</td>
        </tr>
    }
}
