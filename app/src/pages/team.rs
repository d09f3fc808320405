//! `/teams/{slug}`: a team's services and their levels, the team's roll-up KPIs with deltas and
//! trends, its top risks, and "what to fix next" ordered by the levels each check blocks.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{FixView, TeamService, TeamView, get_team};
use crate::components::automation::AutomationPanelView;
use crate::components::campaigns::TeamCampaignsPanel;
use crate::components::capacity::CapacityPanelView;
use crate::components::causes::{CausesTable, RepeatFollowUps};
use crate::components::cost::CostPanelView;
use crate::components::figures::{HeadlineGrid, LiveChanges, RiskPanels, TrendGrid, drill_down};
use crate::components::follow::FollowTeam;
use crate::components::forecast::ForecastCalendar;
use crate::components::kept::kept_section;
use crate::components::level_badge::level_badge;
use crate::components::movers::MoversPanel;
use crate::components::oncall::OncallPanel;
use crate::components::page_error::PageError;
use crate::components::period_picker::PeriodPicker;
use crate::components::recovery::RecoveryFiguresTable;
use crate::components::satisfaction::SatisfactionPanelView;
use crate::components::slo_indicators::IndicatorTable;
use crate::components::toil::ToilPanelView;
use crate::domain::scorecard::CheckStatus;

#[component]
pub fn TeamPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| (params.read().get("slug").unwrap_or_default(), query.read().get("period")));
    let team = Resource::new(move || key.get(), |(slug, period)| get_team(slug, period));
    view! {
        <Title text="Team"/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the team…"</p> }>
            {move || Suspend::new(async move {
                match team.await {
                    Ok(view) => view! { <TeamDetail view/> }.into_any(),
                    Err(error) => view! { <PageError error title="Team"/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn TeamDetail(view: TeamView) -> impl IntoView {
    let TeamView {
        team,
        name,
        header,
        services,
        silver_reachable,
        headlines,
        fix_next,
        fix_total,
        risks,
        causes,
        indicators,
        follow_ups,
        recovery,
        trends,
        oncall,
        movers,
        forecast,
        toil,
        automation,
        capacity,
        cost,
        satisfaction,
        generation,
    } = view;
    let period = header.period.clone();
    let scope = format!("team:{team}");
    let incidents_link = drill_down("repeat_incident_rate", &period, &scope);
    let slos_link = drill_down("slo_met_rate", &period, &scope);
    let follow_ups_link = drill_down("repeats_after_actions_done", &period, &scope);
    let action = format!("/teams/{team}");
    let services_link = format!("/services?period={period}&team={team}");
    let summary = {
        let at_silver = services.iter().filter(|s| s.level >= Some(crate::domain::scorecard::Level::Silver)).count();
        let total = services.len();
        let all = crate::domain::format::count_of(total as u64, "service", "services");
        if silver_reachable == total {
            format!("{all}, {at_silver} at Silver or above.")
        } else if silver_reachable == 0 {
            format!("{all}; none of their tiers can reach Silver under the policy.")
        } else {
            let verb = if at_silver == 1 { "is" } else { "are" };
            format!(
                "{all}; {at_silver} of the {silver_reachable} whose tier can reach Silver {verb} at Silver or above."
            )
        }
    };
    // Below the hero, all but the campaigns and the forecast (each reader's) shows the team's
    // figures only: kept as HTML per generation of them.
    let to_fix = {
        let period = period.clone();
        kept_section(&format!("team-fix|{team}|{period}"), generation, move || {
            view! {
                <section class="panel" aria-labelledby="fix-heading">
                    <h2 id="fix-heading">{format!("What to fix next ({fix_total})")}</h2>
                    <FixList items=fix_next total=fix_total period=period.clone()/>
                </section>
                <section class="panel" aria-labelledby="team-services-heading">
                    <h2 id="team-services-heading">"Services"</h2>
                    <ServiceTable services period=period.clone()/>
                </section>
            }
        })
    };
    let previous = header.previous.clone();
    let team_figures = kept_section(&format!("team-figures|{team}|{period}"), generation, {
        let period = period.clone();
        move || {
            view! {
                <MoversPanel movers/>
                <section class="panel" aria-labelledby="team-kpis-heading">
                    <h2 id="team-kpis-heading">"Team KPIs"</h2>
                    <HeadlineGrid headlines period=period.clone() previous=previous.clone() scope=scope.clone()/>
                </section>
                <section class="panel" aria-labelledby="team-indicators-heading">
                    <h2 id="team-indicators-heading">"SLOs met by indicator"</h2>
                    <IndicatorTable rows=indicators records=slos_link/>
                </section>
                <section class="panel" aria-labelledby="team-risks-heading">
                    <h2 id="team-risks-heading">"Top risks"</h2>
                    <RiskPanels risks period=period.clone() scope=scope.clone()/>
                </section>
                <section class="panel" aria-labelledby="team-causes-heading">
                    <h2 id="team-causes-heading">"Incidents by root cause"</h2>
                    <CausesTable causes records=incidents_link/>
                    <h3 id="team-follow-ups-heading">"Repeats and the actions before them"</h3>
                    <RepeatFollowUps counts=follow_ups records=follow_ups_link/>
                </section>
                <section class="panel" aria-labelledby="team-recovery-heading">
                    <h2 id="team-recovery-heading">"Disaster recovery"</h2>
                    <RecoveryFiguresTable figures=recovery period=period.clone() scope=scope.clone()/>
                </section>
                <section class="panel" aria-labelledby="team-trends-heading">
                    <h2 id="team-trends-heading">"Trends"</h2>
                    <TrendGrid trends id_prefix="team-trend"/>
                </section>
                <OncallPanel oncall period=period.clone() previous=previous.clone() scope=scope.clone() id_prefix="team"/>
                <CapacityPanelView capacity period=period.clone() previous=previous.clone() scope=scope.clone() id_prefix="team"/>
                <AutomationPanelView automation period=period.clone() previous=previous.clone() scope=scope.clone() id_prefix="team"/>
                <ToilPanelView toil period=period.clone() previous=previous.clone() scope=scope.clone() id_prefix="team"/>
                <CostPanelView cost period=period.clone() previous=previous.clone() scope=scope.clone() id_prefix="team"/>
                <SatisfactionPanelView satisfaction period=period.clone() previous=previous.clone() scope=scope.clone() id_prefix="team"/>
            }
        }
    });
    view! {
        <section class="hero">
            <p class="crumbs"><a href=services_link.clone()>"Services"</a> " / " {name.clone()}</p>
            <Title text=format!("{name} · {period}")/>
            <h1>{format!("{name} · {period}")}</h1>
            <p class="lede" data-testid="team-summary">{summary}</p>
            <p><a href=format!("/teams/{team}/self-assessment")>"Readiness self-assessment →"</a> " · " <a href=format!("/teams/{team}/oncall?period={period}")>"On-call pages and triage →"</a></p>
            <FollowTeam team=team.clone()/>
            <PeriodPicker header=header.clone() action=action/>
            <LiveChanges changes=header.state.changes().to_vec() period=period.clone() scope=format!("team:{team}")/>
        </section>
        {to_fix}
        <TeamCampaignsPanel team=team.clone()/>
        <ForecastCalendar report=forecast feed=format!("/api/v1/teams/{team}/forecast.ics")/>
        {team_figures}
    }
}

#[component]
fn ServiceTable(services: Vec<TeamService>, period: String) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data">
                <caption class="visually-hidden">"The team's services with their level, score and checks to fix"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Service"</th>
                        <th scope="col">"Tier"</th>
                        <th scope="col">"Level"</th>
                        <th scope="col">"Score"</th>
                        <th scope="col">"Checks to fix"</th>
                    </tr>
                </thead>
                <tbody>
                    {services.into_iter().map(|s| {
                        let link = format!("/services/{}?period={period}", s.service);
                        view! {
                            <tr>
                                <td><a href=link><code>{s.service.clone()}</code></a></td>
                                <td class="numeric">{s.tier}</td>
                                <td>{level_badge(s.level)}</td>
                                <td class="numeric">{s.score.map_or_else(|| "—".to_owned(), |v| v.to_string())}</td>
                                <td class="numeric">{s.to_fix}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn blocked(levels: u8) -> &'static str {
    match levels {
        3 => "blocks Bronze, Silver and Gold",
        2 => "blocks Silver and Gold",
        _ => "blocks Gold",
    }
}

#[component]
fn FixList(items: Vec<FixView>, total: usize, period: String) -> impl IntoView {
    let empty = items.is_empty();
    let shown = items.len();
    view! {
        {empty.then(|| view! { <p class="empty">"Nothing to fix: every applicable check passes or is waived."</p> })}
        <ol class="fix-list">
            {items.into_iter().map(|item| {
                let link = format!("/services/{}?period={period}#checks-heading", item.service);
                let status = if item.status == CheckStatus::NoData { "no data" } else { "failing" };
                view! {
                    <li data-service=item.service.clone() data-check=item.check.clone()>
                        <strong>{item.title.clone()}</strong> " on " <a href=link><code>{item.service.clone()}</code></a>
                        {format!(" (tier {})", item.tier)}
                        <span class="fix-impact">{format!(" — {status}, {}", blocked(item.levels_blocked))}</span>
                        <p class="note">{item.explanation.clone()}</p>
                    </li>
                }
            }).collect_view()}
        </ol>
        {(total > shown).then(|| view! { <p class="note">{format!("{} more not shown.", total - shown)}</p> })}
    }
}
