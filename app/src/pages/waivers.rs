//! `/waivers`: every waiver request, pending first, with Approve and Reject for an admin who
//! did not ask.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{DecideWaiver, WaiverRequests, get_waiver_requests};
use crate::components::page_error::PageError;
use crate::components::waiver_requests::{RequestTable, failure};

/// `/waivers`: every request, pending first.
#[component]
pub fn WaiversPage() -> impl IntoView {
    let decide = ServerAction::<DecideWaiver>::new();
    let data = Resource::new(move || decide.version().get(), |_| get_waiver_requests());
    view! {
        <Title text="Waivers"/>
        <section class="hero">
            <h1>"Waiver requests"</h1>
            <p class="lede">
                "Teams ask to waive a failing check until a day, for a reason; an admin other than the "
                "requester approves or rejects. Approved waivers show as waived on the service page and in "
                "reports until they end."
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the waiver requests…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(WaiverRequests { pending, decided, viewer_is_admin }) => view! {
                        <section class="panel" aria-labelledby="pending-heading">
                            <h2 id="pending-heading">{format!("Awaiting a decision ({})", pending.len())}</h2>
                            {(!viewer_is_admin).then(|| view! { <p class="note">"Only an admin decides on waiver requests."</p> })}
                            <RequestTable requests=pending decide show_service=true caption="Waiver requests awaiting a decision, oldest first"/>
                        </section>
                        <section class="panel" aria-labelledby="decided-heading">
                            <h2 id="decided-heading">"Decided"</h2>
                            <RequestTable requests=decided decide show_service=true caption="Decided waiver requests, newest first"/>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <PageError error/> }.into_any(),
                }
            })}
        </Suspense>
        <div aria-live="polite">{failure([decide], None)}</div>
    }
}
