//! Score history as people read it: the services that moved most since the previous period
//! (overview and team pages) and a service's level and score period by period (service page).

use leptos::prelude::*;

use super::level_badge::level_badge;
use crate::components::url::query_string;
use crate::domain::scorecard::movers::{HistoryPoint, Mover, PeriodMovers};

/// "Silver → Bronze, score 80 → 60 (−20)", or "score 80 → 60 (−20)" when the level is unchanged.
fn change_in_words(mover: &Mover) -> String {
    let level = |l: Option<crate::domain::scorecard::Level>| l.map_or("below Bronze", |l| l.label());
    let score = |s: Option<u8>| s.map_or("no score".to_owned(), |s| s.to_string());
    let points = mover.score_change.map(|d| format!(" ({d:+})").replace('-', "−")).unwrap_or_default();
    let scores = format!("score {} → {}{points}", score(mover.before.score), score(mover.after.score));
    if mover.level_change == 0 {
        scores
    } else {
        format!("{} → {}, {scores}", level(mover.before.level), level(mover.after.level))
    }
}

#[component]
fn MoverList(movers: Vec<Mover>, period: String, direction: &'static str) -> impl IntoView {
    if movers.is_empty() {
        return view! { <p class="empty">{format!("No service {direction}.")}</p> }.into_any();
    }
    view! {
        <ul class="movers" data-testid=format!("movers-{direction}")>
            {movers.into_iter().map(|mover| {
                let href = format!("/services/{}?{}", mover.service, query_string(&[("period", Some(period.clone()))]));
                let words = change_in_words(&mover);
                let checks = mover.checks.iter().map(|c| format!("{}: {} → {}", c.title, c.before.label(), c.after.label())).collect::<Vec<_>>();
                view! {
                    <li data-service=mover.service.clone()>
                        <a href=href>{mover.service.clone()}</a> " " {level_badge(mover.after.level)}
                        <span class="note">{format!(" {words}")}</span>
                        {(!checks.is_empty()).then(|| view! {
                            <ul class="changed-checks">
                                {checks.into_iter().map(|c| view! { <li>{c}</li> }).collect_view()}
                            </ul>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The services that improved and regressed most since the previous period, each with the
/// checks whose status changed.
#[component]
pub fn MoversPanel(movers: PeriodMovers) -> impl IntoView {
    let PeriodMovers { period, previous, partial, previous_has_data, pending, movers } = movers;
    let title = format!("Movers since {previous}");
    let heading_id = "movers-heading";
    let body = if pending {
        view! { <p class="note" role="status">{format!("{previous}'s scorecards are being computed: reload in a moment.")}</p> }.into_any()
    } else if !previous_has_data {
        view! { <p class="empty">{format!("No data in {previous}: there is nothing to compare with.")}</p> }.into_any()
    } else {
        view! {
            {partial.then(|| view! {
                <p class="note">{format!("{period} is still running: levels and scores so far, against {previous}'s final ones.")}</p>
            })}
            <div class="movers-grid">
                <div>
                    <h3>"Regressed"</h3>
                    <MoverList movers=movers.regressed period=period.clone() direction="regressed"/>
                </div>
                <div>
                    <h3>"Improved"</h3>
                    <MoverList movers=movers.improved period=period.clone() direction="improved"/>
                </div>
            </div>
            <p class="note">{format!("{} unchanged · {} new this period.", movers.unchanged, movers.new_services)}</p>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby=heading_id data-testid="movers">
            <h2 id=heading_id>{title}</h2>
            {body}
        </section>
    }
}

/// Width and height of the score sparkline, in SVG units.
const SPARK_WIDTH: f32 = 240.0;
const SPARK_HEIGHT: f32 = 48.0;

/// A service's score over its recent periods as a small line (gaps where it had no score), with
/// the same figures as a list for reading and for screen readers.
#[component]
pub fn HistorySparkline(history: Vec<HistoryPoint>) -> impl IntoView {
    let n = history.len().max(2) as f32;
    let x = |i: usize| 2.0 + i as f32 * (SPARK_WIDTH - 4.0) / (n - 1.0);
    let y = |score: u8| SPARK_HEIGHT - 2.0 - f32::from(score) * (SPARK_HEIGHT - 4.0) / 100.0;
    // One polyline per run of periods with a score: no data is a gap, never a zero.
    let mut runs: Vec<Vec<(f32, f32)>> = vec![Vec::new()];
    for (i, point) in history.iter().enumerate() {
        match (point.standing.and_then(|s| s.score), runs.last_mut()) {
            (Some(score), Some(run)) => run.push((x(i), y(score))),
            _ => runs.push(Vec::new()),
        }
    }
    let lines = runs
        .into_iter()
        .filter(|run| !run.is_empty())
        .map(|run| {
            let points = run.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ");
            let dots = run
                .iter()
                .map(|(x, y)| view! { <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="2"/> })
                .collect_view();
            view! { <polyline points=points fill="none"/> {dots} }
        })
        .collect_view();
    let described = history
        .iter()
        .map(|p| {
            let standing = match p.standing {
                None if p.pending => "being computed".to_owned(),
                None => "no scorecard".to_owned(),
                Some(s) => format!(
                    "{}, score {}",
                    s.level.map_or("below Bronze", |l| l.label()),
                    s.score.map_or("none".to_owned(), |s| s.to_string())
                ),
            };
            format!("{}{}: {standing}", p.period, if p.partial { " (so far)" } else { "" })
        })
        .collect::<Vec<_>>();
    let label = format!("Score by period: {}", described.join("; "));
    view! {
        <figure class="history" data-testid="history">
            <svg class="sparkline" viewBox=format!("0 0 {SPARK_WIDTH} {SPARK_HEIGHT}") width=SPARK_WIDTH.to_string() height=SPARK_HEIGHT.to_string() role="img" aria-label=label>
                {lines}
            </svg>
            <figcaption>
                <ol class="history-points">
                    {history.into_iter().map(|p| {
                        let score = p.standing.and_then(|s| s.score).map_or("–".to_owned(), |s| s.to_string());
                        let missing = if p.pending { "being computed" } else { "no scorecard" };
                        let level = p.standing.map(|s| level_badge(s.level).into_any());
                        view! {
                            <li data-period=p.period.clone()>
                                <span class="period">{p.period.clone()}{p.partial.then_some(" (so far)")}</span>
                                " " {level.unwrap_or_else(|| view! { <span class="note">{missing}</span> }.into_any())}
                                " " <span class="score">{score}</span>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </figcaption>
        </figure>
    }
}
