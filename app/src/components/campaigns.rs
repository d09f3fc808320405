//! Campaign pieces shared by the campaign pages and the team page: the burn-up chart and the
//! team's campaigns panel.

use chrono::NaiveDate;
use leptos::prelude::*;

use crate::api::{BurnUpPoint, get_team_campaigns};

const WIDTH: f32 = 480.0;
const HEIGHT: f32 = 160.0;
const PAD: f32 = 24.0;

/// Services meeting the goal per recorded day, from the campaign's creation to its deadline
/// (the right edge), with the goal — every service — as a dashed line. Days without a record
/// are gaps between points, never zeros.
#[component]
pub fn BurnUpChart(points: Vec<BurnUpPoint>, start: NaiveDate, deadline: NaiveDate) -> impl IntoView {
    let span = (deadline - start).num_days().max(1) as f32;
    // The scale fits every recorded day; the goal line is the latest day's total.
    let goal = points.last().map_or(0, |p| p.total);
    let total = points.iter().map(|p| p.total).max().unwrap_or(0).max(1) as f32;
    let x = |day: NaiveDate| PAD + ((day - start).num_days() as f32).clamp(0.0, span) * (WIDTH - 2.0 * PAD) / span;
    let y = |met: usize| HEIGHT - PAD - met as f32 * (HEIGHT - 2.0 * PAD) / total;
    let line = points.iter().map(|p| format!("{:.1},{:.1}", x(p.day), y(p.met))).collect::<Vec<_>>().join(" ");
    let dots = points
        .iter()
        .map(|p| view! { <circle cx=format!("{:.1}", x(p.day)) cy=format!("{:.1}", y(p.met)) r="3"/> })
        .collect_view();
    let label = format!(
        "Services meeting the goal by day, from {start} to the deadline {deadline}: {}",
        points.iter().map(|p| format!("{} {} of {}", p.day, p.met, p.total)).collect::<Vec<_>>().join("; ")
    );
    let goal_y = format!("{:.1}", y(goal));
    view! {
        <figure class="burn-up" data-testid="burn-up">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label>
                <line class="axis" x1=PAD.to_string() y1=(HEIGHT - PAD).to_string() x2=(WIDTH - PAD).to_string() y2=(HEIGHT - PAD).to_string()/>
                <line class="goal" x1=PAD.to_string() y1=goal_y.clone() x2=(WIDTH - PAD).to_string() y2=goal_y stroke-dasharray="6,4"/>
                <line class="deadline" x1=(WIDTH - PAD).to_string() y1=PAD.to_string() x2=(WIDTH - PAD).to_string() y2=(HEIGHT - PAD).to_string() stroke-dasharray="2,3"/>
                <polyline points=line fill="none"/>
                {dots}
                <text x=PAD.to_string() y=(HEIGHT - 6.0).to_string()>{start.to_string()}</text>
                <text x=(WIDTH - PAD).to_string() y=(HEIGHT - 6.0).to_string() text-anchor="end">{format!("deadline {deadline}")}</text>
                <text x=PAD.to_string() y=(PAD - 8.0).to_string()>{format!("goal: {goal}")}</text>
            </svg>
            <figcaption>
                <table class="data compact">
                    <caption class="visually-hidden">"Services meeting the goal, per recorded day"</caption>
                    <thead><tr><th scope="col">"Day"</th><th scope="col">"Meeting the goal"</th></tr></thead>
                    <tbody>
                        {points.into_iter().rev().take(14).map(|p| view! {
                            <tr data-day=p.day.to_string()>
                                <td>{p.day.to_string()}</td>
                                <td class="numeric">{format!("{} of {}", p.met, p.total)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </figcaption>
        </figure>
    }
}

/// "3 of 5".
pub fn met_of(met: usize, total: usize) -> String {
    format!("{met} of {total}")
}

/// The team page's panel: the running campaigns that concern the team's services, with the
/// team's share and its services still open.
#[component]
pub fn TeamCampaignsPanel(team: String) -> impl IntoView {
    let data = Resource::new(move || team.clone(), get_team_campaigns);
    view! {
        <section class="panel" aria-labelledby="team-campaigns-heading" data-testid="team-campaigns">
            <h2 id="team-campaigns-heading">"Campaigns"</h2>
            <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the campaigns…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(campaigns) if campaigns.is_empty() => view! {
                            <p class="empty">"No running campaign concerns this team's services. " <a href="/campaigns">"All campaigns →"</a></p>
                        }.into_any(),
                        Ok(campaigns) => view! {
                            <ul class="campaign-list">
                                {campaigns.into_iter().map(|c| {
                                    let open = (!c.open.is_empty()).then(|| view! {
                                        <span class="note">{format!(" Still open: {}.", c.open.join(", "))}</span>
                                    });
                                    view! {
                                        <li data-campaign=c.slug.clone()>
                                            <a href=format!("/campaigns/{}", c.slug)>{c.title.clone()}</a>
                                            {format!(" — {} by {}: ", c.goal, c.deadline)}
                                            <strong>{met_of(c.met, c.total)}</strong>
                                            " of the team's services meet it."
                                            {open}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <p class="error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}
