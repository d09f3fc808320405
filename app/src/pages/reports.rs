//! `/reports`: every recent quarter, whether its report is open, a draft or published, with
//! links to the report and its PDF.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{ReportState, ReportsView, get_reports};
use crate::components::page_error::PageError;

#[component]
pub fn ReportsPage() -> impl IntoView {
    let reports = Resource::new(|| (), |_| get_reports());
    view! {
        <Title text="Quarterly reports"/>
        <section class="hero">
            <h1>"Quarterly reports"</h1>
            <p class="lede">
                "One report per quarter. " <strong>"Published"</strong> ": frozen as it was published (\u{201c}live figures differ\u{201d}: records imported or corrected since give other figures; the report shows which). "
                <strong>"Draft"</strong> ": the quarter has ended but no one has published it; computed from the "
                "figures as they are now. " <strong>"Open"</strong> ": the quarter is still running."
            </p>
        </section>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the reports…"</p> }>
            {move || Suspend::new(async move {
                match reports.await {
                    Ok(view) => view! { <ReportTable view/> }.into_any(),
                    Err(error) => view! { <PageError error title="Quarterly reports"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ReportTable(view: ReportsView) -> impl IntoView {
    view! {
        <section class="panel">
            <div class="table-scroll" tabindex="0">
                <table class="data reports">
                    <caption class="visually-hidden">"Quarterly reports, newest first"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Quarter"</th>
                            <th scope="col">"Days"</th>
                            <th scope="col">"State"</th>
                            <th scope="col">"Published"</th>
                            <th scope="col">"PDF"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {view.quarters.into_iter().map(|row| {
                            let href = format!("/reports/{}", row.period);
                            let pdf = format!("/reports/{}.pdf", row.period);
                            let class = match row.state {
                                ReportState::Published => "status status-pass",
                                ReportState::PublishedLiveDiffers => "status status-waived",
                                ReportState::Draft => "status status-no-data",
                                ReportState::Open => "status status-waived",
                            };
                            view! {
                                <tr data-period=row.period.clone()>
                                    <th scope="row"><a href=href>{row.period.clone()}</a></th>
                                    <td>{format!("{} to {}", row.from, row.to)}</td>
                                    <td><span class=class>{row.state.label()}</span></td>
                                    <td>{row.published.map_or_else(|| "—".to_owned(), |(at, by)| format!("{at} by {by}"))}</td>
                                    <td><a href=pdf>{format!("{}.pdf", row.period)}</a></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
