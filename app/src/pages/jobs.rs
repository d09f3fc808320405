//! `/jobs` (admins): the background job queue (docs/operations.md § Jobs) — how many jobs wait,
//! run, failed or died, since when the oldest waits, the schedules with their last and next
//! slots, and the latest jobs with their errors; a failed or dead job can be retried.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{JobView, JobsView, RetryJob, get_jobs};
use crate::components::page_error::PageError;
use crate::domain::jobs::JobState;

#[component]
pub fn JobsPage() -> impl IntoView {
    let retry = ServerAction::<RetryJob>::new();
    let data = Resource::new(move || retry.version().get(), |_| get_jobs());
    view! {
        <Title text="Jobs"/>
        <section class="hero">
            <h1>"Background jobs"</h1>
            <p class="lede">
                "Work Plumbline does on its own: recomputing figures after an import, scheduled runs and "
                "clean-ups. Workers on every replica take jobs from one queue; a failed job is tried again "
                "after a pause, and one that failed on every attempt is dead until it is retried here."
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the job queue…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <JobsBody view retry/> }.into_any(),
                    Err(error) => view! { <PageError error/> }.into_any(),
                }
            })}
        </Suspense>
        <div aria-live="polite">
            {move || retry.value().get().and_then(Result::err).map(|error| view! { <PageError error/> })}
        </div>
    }
}

fn state_label(state: JobState) -> &'static str {
    match state {
        JobState::Queued => "Queued",
        JobState::Running => "Running",
        JobState::Failed => "Failed, to be retried",
        JobState::Succeeded => "Succeeded",
        JobState::Dead => "Dead",
    }
}

#[component]
fn JobsBody(view: JobsView, retry: ServerAction<RetryJob>) -> impl IntoView {
    let JobsView { states, schedules, time_zone, jobs } = view;
    view! {
        <section class="panel" aria-labelledby="queue-heading">
            <h2 id="queue-heading">"Queue"</h2>
            <dl class="counts job-states" data-testid="job-states">
                {states.into_iter().map(|s| view! {
                    <div class=format!("count job-state {}", s.state.as_str())>
                        <dt>{state_label(s.state)}</dt>
                        <dd>
                            {s.count}
                            {s.oldest.map(|at| view! { <span class="note">"oldest queued " {at}</span> })}
                        </dd>
                    </div>
                }).collect_view()}
            </dl>
        </section>
        <section class="panel" aria-labelledby="schedules-heading">
            <h2 id="schedules-heading">"Schedules"</h2>
            <p class="note">{format!("Read in the reporting time zone, {time_zone}. Each slot runs once, whichever replica queues it.")}</p>
            <div class="table-scroll" tabindex="0">
                <table class="data">
                    <caption class="visually-hidden">"Scheduled jobs"</caption>
                    <thead><tr>
                        <th scope="col">"Schedule"</th><th scope="col">"When (cron)"</th><th scope="col">"Job"</th>
                        <th scope="col">"Last slot (UTC)"</th><th scope="col">"Next slot (UTC)"</th>
                    </tr></thead>
                    <tbody>
                        {schedules.into_iter().map(|s| view! {
                            <tr>
                                <td>{s.name}</td><td><code>{s.cron}</code></td><td><code>{s.kind}</code></td>
                                <td>{s.last_slot.unwrap_or_else(|| "—".into())}</td>
                                <td>{s.next_slot.unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="panel" aria-labelledby="jobs-heading">
            <h2 id="jobs-heading">"Latest jobs"</h2>
            {jobs.is_empty().then(|| view! { <p class="empty">"No jobs yet."</p> })}
            <div class="table-scroll" tabindex="0">
                <table class="data" data-testid="jobs">
                    <caption class="visually-hidden">"Jobs needing attention first, then the latest succeeded"</caption>
                    <thead><tr>
                        <th scope="col">"#"</th><th scope="col">"Job"</th><th scope="col">"State"</th>
                        <th scope="col">"Attempts"</th><th scope="col">"Runs / ran (UTC)"</th>
                        <th scope="col">"Last error"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr></thead>
                    <tbody>
                        {jobs.into_iter().map(|job| view! { <JobRow job retry/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn JobRow(job: JobView, retry: ServerAction<RetryJob>) -> impl IntoView {
    let JobView { id, kind, state, attempts, max_attempts, run_at, finished_at, worker, last_error, schedule, .. } =
        job;
    let when = finished_at.unwrap_or(run_at);
    let origin = schedule.map(|s| format!("scheduled: {s}"));
    view! {
        <tr class=format!("job {}", state.as_str())>
            <td>{id}</td>
            <td>
                <code>{kind}</code>
                {origin.map(|o| view! { <br/><span class="note">{o}</span> })}
            </td>
            <td>
                <span class=format!("job-state-badge {}", state.as_str())>{state_label(state)}</span>
                {worker.filter(|_| state == JobState::Running).map(|w| view! { <br/><span class="note">{w}</span> })}
            </td>
            <td>{format!("{attempts} of {max_attempts}")}</td>
            <td>{when}</td>
            <td class="details">{last_error.unwrap_or_default()}</td>
            <td>
                {state.retryable().then(|| view! {
                    <ActionForm action=retry attr:class="inline-form">
                        <input type="hidden" name="id" value=id/>
                        <button type="submit">"Retry now"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
