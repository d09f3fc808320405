//! "What breaks next": the dated changes ahead of a team's or a service's scorecards, if nothing
//! else happens, each with the level it causes and the checks behind it.

use leptos::prelude::*;

use crate::domain::scorecard::forecast::ForecastReport;

/// Changes listed before the calendar says how many more there are.
const MAX_SHOWN: usize = 40;

#[component]
pub fn ForecastCalendar(
    /// `None` while the first forecast is computed.
    report: Option<ForecastReport>,
    /// The iCalendar feed of the same forecast, when there is one (team pages).
    #[prop(optional)]
    feed: Option<String>,
) -> impl IntoView {
    let Some(report) = report else {
        return view! {
            <section class="panel" aria-labelledby="forecast-heading" data-testid="forecast">
                <h2 id="forecast-heading">"What breaks next"</h2>
                <p class="note" role="status">"The forecast is being computed: reload in a moment."</p>
            </section>
        }
        .into_any();
    };
    let entries = report.calendar();
    let total = entries.len();
    let note = format!("{} to {}. {}", report.from, report.to, report.assumption);
    let list = if entries.is_empty() {
        view! {
            <p class="empty" data-testid="forecast-empty">
                {format!("No check changes in the next {} days if nothing else happens.", report.horizon_days)}
            </p>
        }
        .into_any()
    } else {
        view! {
            <ol class="forecast">
                {entries.into_iter().take(MAX_SHOWN).map(|entry| {
                    let direction = match entry.event.level_change.signum() { -1 => "drop", 1 => "rise", _ => "same" };
                    let href = format!("/services/{}", entry.service);
                    let day = entry.event.day.to_string();
                    view! {
                        <li class=format!("forecast-{direction}") data-day=day.clone() data-service=entry.service.clone()>
                            <time datetime=day.clone()>{day.clone()}</time> " "
                            <a href=href><strong>{entry.headline.clone()}</strong></a>
                            {entry.event.new_quarter.then(|| view! { <span class="note">" (a new quarter starts)"</span> })}
                            <ul class="changed-checks">
                                {entry.event.changes.into_iter().map(|c| view! {
                                    <li data-check=c.change.check.clone()>
                                        {format!("{}: {} → {}. {}", c.change.title, c.change.before.label(), c.change.after.label(), c.explanation)}
                                    </li>
                                }).collect_view()}
                            </ul>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {(total > MAX_SHOWN).then(|| view! { <p class="note">{format!("{} more changes: see the API or the calendar feed.", total - MAX_SHOWN)}</p> })}
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="forecast-heading" data-testid="forecast">
            <h2 id="forecast-heading">"What breaks next"</h2>
            <p class="note">{note}</p>
            {list}
            {feed.map(|href| view! { <p class="note"><a href=href>"Calendar feed (iCalendar)"</a></p> })}
        </section>
    }
    .into_any()
}
