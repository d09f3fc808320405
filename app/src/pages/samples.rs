//! Sample reviews (docs/sample-reviews.md), for auditors and admins: draw a sample of one
//! population's records in an audit window — at random from a seed, by record ids or by days —
//! and record a review of each: ready, approved or flagged, with a comment. Every draw and every
//! review is an audit event; evidence packs carry the reviews as sample_reviews.csv.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{CreateSample, ReviewSample, SampleItemView, SampleView, SamplesView, get_samples};
use crate::components::page_error::PageError;
use crate::domain::evidence::samples::{MAX_SAMPLED, ReviewStatus};

#[component]
pub fn SamplesPage() -> impl IntoView {
    let create = ServerAction::<CreateSample>::new();
    let review = ServerAction::<ReviewSample>::new();
    let data = Resource::new(move || (create.version().get(), review.version().get()), |_| get_samples());
    view! {
        <Title text="Sample reviews"/>
        <section class="hero">
            <h1>"Sample reviews"</h1>
            <p class="lede">
                "Draw a sample of an audit window's records and review each one: ready (its evidence is in "
                "place), approved, or flagged with what is wrong. Every draw and review is in the audit log, "
                "and evidence packs of the window carry them as sample_reviews.csv."
            </p>
        </section>
        <div aria-live="polite">
            {move || create.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
            {move || review.value().get().and_then(Result::err).map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
        </div>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the samples…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <SamplesBody view create review/> }.into_any(),
                    Err(error) => view! { <PageError error title="Sample reviews"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SamplesBody(
    view: SamplesView,
    create: ServerAction<CreateSample>,
    review: ServerAction<ReviewSample>,
) -> impl IntoView {
    let empty = view.samples.is_empty();
    view! {
        <section class="panel" aria-labelledby="new-sample-heading">
            <h2 id="new-sample-heading">"Draw a sample"</h2>
            <ActionForm action=create attr:class="campaign-form" attr:aria-label="Draw a sample">
                <label for="sample-population">"Population"</label>
                <select id="sample-population" name="population">
                    {view.populations.into_iter().map(|p| view! { <option value=p.clone()>{p.replace('_', " ")}</option> }).collect_view()}
                </select>
                <fieldset>
                    <legend>"Audit window (both days included)"</legend>
                    <label>"From " <input type="date" name="from" required value=view.default_from.clone()/></label>
                    <label>"To " <input type="date" name="to" required value=view.default_to.clone()/></label>
                </fieldset>
                <fieldset>
                    <legend>"Which records"</legend>
                    <label><input type="radio" name="method" value="random" checked/> " At random: "</label>
                    <label>"how many " <input type="number" name="size" min="1" max=MAX_SAMPLED.to_string() value="25" inputmode="numeric"/></label>
                    <label>"seed (empty: chosen and recorded) " <input type="number" name="seed" min="0" inputmode="numeric"/></label>
                    <label><input type="radio" name="method" value="ids"/> " These record ids: "</label>
                    <input name="ids" aria-label="Record ids, comma-separated" placeholder="e.g. 12, 57, 301"/>
                    <label><input type="radio" name="method" value="days"/> " Every record dated from "</label>
                    <input type="date" name="days_from" aria-label="First day"/>
                    <label>" to " <input type="date" name="days_to" aria-label="Last day"/></label>
                </fieldset>
                <div class="import-actions">
                    <button class="button" type="submit">"Draw the sample"</button>
                </div>
            </ActionForm>
        </section>
        {empty.then(|| view! { <section class="panel"><p class="empty">"No sample has been drawn yet."</p></section> })}
        {view.samples.into_iter().map(|sample| view! { <Sample sample review/> }).collect_view()}
    }
}

fn status_class(status: ReviewStatus) -> &'static str {
    match status {
        ReviewStatus::Pending => "status status-no-data",
        ReviewStatus::Ready => "status status-waived",
        ReviewStatus::Approved => "status status-pass",
        ReviewStatus::Flagged => "status status-fail",
    }
}

#[component]
fn Sample(sample: SampleView, review: ServerAction<ReviewSample>) -> impl IntoView {
    let heading = format!("sample-{}", sample.id);
    let labelled_by = heading.clone();
    let count = |status: ReviewStatus| sample.items.iter().filter(|i| i.status == status).count();
    let tally = format!(
        "{} records: {} approved, {} flagged, {} ready, {} pending",
        sample.items.len(),
        count(ReviewStatus::Approved),
        count(ReviewStatus::Flagged),
        count(ReviewStatus::Ready),
        count(ReviewStatus::Pending)
    );
    view! {
        <section class="panel" aria-labelledby=labelled_by data-sample=sample.id>
            <h2 id=heading>{format!("Sample {}: {} of {} to {}", sample.id, sample.population.replace('_', " "), sample.from, sample.to)}</h2>
            <p class="note">{format!("Drawn by {} at {}; {}.", sample.drawn_by, sample.drawn_at, sample.method)}</p>
            <p>{tally}</p>
            <div class="table-scroll" tabindex="0">
                <table class="data">
                    <caption class="visually-hidden">"The sampled records and their reviews"</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="num">"#"</th>
                            <th scope="col">"Record"</th>
                            <th scope="col">"Review"</th>
                            <th scope="col">"Record a review"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {sample.items.into_iter().map(|item| view! { <Item item review/> }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Item(item: SampleItemView, review: ServerAction<ReviewSample>) -> impl IntoView {
    let reviewed = item.reviewed_by.clone().map(|by| format!("{by}, {}", item.reviewed_at.clone().unwrap_or_default()));
    let label = format!("Review of {}", item.label);
    view! {
        <tr data-item=item.id>
            <td class="num">{item.position}</td>
            <td><code>{item.label.clone()}</code> " (id " {item.record_id} ")"</td>
            <td>
                <span class=status_class(item.status)>{item.status.as_str()}</span>
                {item.comment.clone().map(|c| view! { <p class="note">{c}</p> })}
                {reviewed.map(|r| view! { <p class="note">{r}</p> })}
            </td>
            <td>
                <ActionForm action=review attr:class="inline-form" attr:aria-label=label>
                    <input type="hidden" name="item" value=item.id.to_string()/>
                    <input name="comment" aria-label="Comment" maxlength="2000" placeholder="Comment (required to flag)"/>
                    // One button per outcome: the one pressed is the review (a form without
                    // script sends its value).
                    <button type="submit" name="status" value="ready">"Ready"</button>
                    <button type="submit" name="status" value="approved">"Approve"</button>
                    <button type="submit" name="status" value="flagged">"Flag"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
