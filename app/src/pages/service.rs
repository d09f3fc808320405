//! `/services/{slug}`: one service's scorecard for a period — every check with its value, the
//! tier's threshold, its status and how to fix it — then its SLOs with daily charts, and the
//! incidents, postmortem actions, DR tests and exemptions behind the checks.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{
    ActionView, CheckView, DrTestView, ExemptionView, IncidentView, PageView, PostmortemLink, ServiceView,
    SloSourceView, SloView, get_service,
};
use crate::components::chart::{Series, SeriesChart};
use crate::components::forecast::ForecastCalendar;
use crate::components::level_badge::level_badge;
use crate::components::movers::HistorySparkline;
use crate::components::page_error::PageError;
use crate::components::period_picker::PeriodPicker;
use crate::components::recovery::RecoveryObjectives;
use crate::components::url::safe_link;
use crate::components::waiver_requests::ServiceWaiversSection;
use crate::domain::format::{Unit, format_minutes, format_value, percent};
use crate::domain::scorecard::{Level, NextLevel};

#[component]
pub fn ServicePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| (params.read().get("slug").unwrap_or_default(), query.read().get("period")));
    let service = Resource::new(move || key.get(), |(slug, period)| get_service(slug, period));
    view! {
        <Title text="Service"/>
        <Suspense fallback=|| view! { <p class="loading" aria-busy="true">"Loading the service…"</p> }>
            {move || Suspend::new(async move {
                match service.await {
                    Ok(view) => view! { <ServiceDetail view/> }.into_any(),
                    Err(error) => view! { <PageError error title="Service" back=("/services".to_owned(), "All services".to_owned())/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn minutes(value: Option<i64>) -> String {
    format_value(Unit::Minutes, value.map(|m| m as f64))
}

#[component]
fn ServiceDetail(view: ServiceView) -> impl IntoView {
    let ServiceView {
        checks, slos, incidents, actions, dr_tests, recovery, exemptions, pages, history, forecast, ..
    } = view.clone();
    let failing = checks.iter().filter(|c| c.status.needs_fixing()).count();
    let services_link = format!("/services?period={}", view.header.period);
    let team_link = format!("/teams/{}?period={}", view.team, view.header.period);
    view! {
        <section class="hero service-hero">
            <p class="crumbs"><a href=services_link>"Services"</a> " / " <code>{view.service.clone()}</code></p>
            <Title text=format!("{} · {}", view.name, view.header.period)/>
            <h1>{view.name.clone()}</h1>
            <p class="lede">
                "Team " <a href=team_link>{view.team_name.clone()}</a> " · tier " {view.tier}
                {(view.lifecycle != "active").then(|| format!(" · {}", view.lifecycle))}
            </p>
            <div class="headline">
                <div class="stat">
                    <span class="stat-label">"Level"</span>
                    {level_badge(view.level)}
                </div>
                <div class="stat">
                    <span class="stat-label">"Score"</span>
                    <span class="stat-value" data-testid="score">
                        {view.score.map_or_else(|| "—".to_owned(), |s| format!("{s} / 100"))}
                    </span>
                </div>
                <div class="stat">
                    <span class="stat-label">"Checks to fix"</span>
                    <span class="stat-value" data-testid="failing">{failing}</span>
                </div>
            </div>
            <PeriodPicker header=view.header.clone() action=format!("/services/{}", view.service)/>
            <p class="note">{format!("Scorecard policy {}", view.header.policy_version)}</p>
        </section>
        {view.next_level.clone().map(|next| view! { <NextLevelPanel next/> })}
        <section class="panel" aria-labelledby="history-heading">
            <h2 id="history-heading">"Score history"</h2>
            <HistorySparkline history/>
        </section>
        <ForecastCalendar report=forecast/>
        <Checks checks tier=view.tier score_explained=view.score_explained.clone()/>
        <Slos slos/>
        <Incidents incidents/>
        <Actions actions/>
        <RecoveryObjectives
            recovery
            dr_tests=dr_tests.clone()
            service=view.service.clone()
            period=view.header.period.to_string()
        />
        <DrTests dr_tests/>
        <Pages pages/>
        <Exemptions exemptions/>
        <ServiceWaiversSection service=view.service.clone()/>
    }
}

/// What it takes to reach the next level, or why the service is as high as its tier goes.
#[component]
fn NextLevelPanel(next: NextLevel) -> impl IntoView {
    let body = match next {
        NextLevel::AtCeiling { level: Some(Level::Gold), .. } => {
            view! { <p>"Gold is the highest level. Keep every check passing to stay there."</p> }.into_any()
        }
        NextLevel::AtCeiling { level: None, tier } => view! {
            <p>{format!("No level can be reached by a tier-{tier} service: the policy has no Bronze check for tier {tier}.")}</p>
        }
        .into_any(),
        NextLevel::AtCeiling { level: Some(level), tier } => {
            let left_out = (level < Level::Silver).then_some(
                " Its tier is left out of \u{201c}share at Silver or above\u{201d}.",
            );
            view! {
                <p>
                    {format!("This service is at {}, the highest level a tier-{tier} service can reach: the policy has no check above it for tier {tier}.", level.label())}
                    {left_out}
                </p>
            }
            .into_any()
        }
        NextLevel::Needs { level, checks } if checks.is_empty() => view! {
            <p>{format!("No check keeps this service from {}: none of its checks applies yet.", level.label())}</p>
        }
        .into_any(),
        NextLevel::Needs { level, checks } => {
            let count = crate::domain::format::count_of(checks.len() as u64, "check", "checks");
            view! {
                <p>{format!("To reach {}, fix {count}:", level.label())}</p>
                <ol class="next-level">
                    {checks.into_iter().map(|b| {
                        let class = format!("status status-{}", b.status.as_str().replace('_', "-"));
                        let href = format!("#check-{}", b.id);
                        view! {
                            <li data-check=b.id.clone()>
                                <a href=href><strong>{b.title}</strong></a> " " {level_badge(Some(b.level))} " "
                                <span class=class>{b.status.label()}</span> " — " {b.explanation}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
            .into_any()
        }
    };
    view! {
        <section class="panel" aria-labelledby="next-level-heading" data-testid="next-level">
            <h2 id="next-level-heading">"To reach the next level"</h2>
            {body}
        </section>
    }
}

#[component]
fn Checks(checks: Vec<CheckView>, tier: u8, score_explained: String) -> impl IntoView {
    let empty = checks.is_empty();
    view! {
        <section class="panel" aria-labelledby="checks-heading">
            <h2 id="checks-heading">"Scorecard checks"</h2>
            {empty.then(|| view! { <p class="empty">"No scorecard: the service is not active."</p> })}
            {(!empty).then(|| view! { <p class="note" data-testid="score-explained">{score_explained}</p> })}
            <div class="table-scroll" tabindex="0">
                <table class="data checks">
                    <caption class="visually-hidden">"Each check with its value, threshold, status and how to fix it"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Check"</th>
                            <th scope="col">"Level"</th>
                            <th scope="col" class="numeric">"Weight"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Value"</th>
                            <th scope="col">{format!("Threshold (tier {tier})")}</th>
                            <th scope="col">"What was found, how to fix"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {checks.into_iter().map(|c| {
                            let class = format!("status status-{}", c.status.as_str().replace('_', "-"));
                            // The team's own word, not a measurement: said so beside the title.
                            let attested = (c.id == "self_assessment_current")
                                .then(|| view! { " " <span class="badge badge-attested">"Self-attested"</span> });
                            view! {
                                <tr data-check=c.id.clone() id=format!("check-{}", c.id)>
                                    <th scope="row">{c.title}{attested}</th>
                                    <td data-label="Level">{level_badge(Some(c.level))}</td>
                                    <td data-label="Weight" class="numeric">{c.weight}</td>
                                    <td data-label="Status"><span class=class>{c.status.label()}</span></td>
                                    <td data-label="Value">{c.value}</td>
                                    <td data-label="Threshold">{c.threshold}</td>
                                    <td data-label="Found, fix">
                                        {c.explanation}
                                        {c.waiver.map(|w| view! { <br/><em>{w}</em> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn Slos(slos: Vec<SloView>) -> impl IntoView {
    let empty = slos.is_empty();
    view! {
        <section class="panel" aria-labelledby="slos-heading">
            <h2 id="slos-heading">"SLOs"</h2>
            {empty.then(|| view! {
                <p class="empty">"No SLO for this period. Define one with " <code>"POST /api/v1/slos"</code> "."</p>
            })}
            <div class="slo-grid">
                {slos.into_iter().map(|slo| view! { <SloCard slo/> }).collect_view()}
            </div>
        </section>
    }
}

#[component]
fn SloCard(slo: SloView) -> impl IntoView {
    let met = match slo.met {
        Some(true) => ("status status-pass", "Met"),
        Some(false) => ("status status-fail", "Missed"),
        None => ("status status-no-data", "No data"),
    };
    let attainment = Series {
        title: format!("{}: daily attainment", slo.slo),
        unit_percent: true,
        points: slo.daily.iter().map(|d| (d.day, d.attainment)).collect(),
        reference: Some((slo.objective / 100.0, format!("objective {} %", slo.objective))),
        // No floor: the worst days are what a reader looks for, so the axis always reaches them.
        floor: None,
    };
    let budget = Series {
        title: format!("{}: error budget remaining ({})", slo.slo, slo.window),
        unit_percent: true,
        points: slo.daily.iter().map(|d| (d.day, d.budget_remaining)).collect(),
        reference: Some((0.0, "exhausted".to_owned())),
        floor: None,
    };
    view! {
        <article class="slo-card" data-slo=slo.slo.clone()>
            <h3>{slo.name.clone()} " " <code>{slo.slo.clone()}</code></h3>
            <dl class="slo-facts">
                <div><dt>"Measures"</dt><dd data-testid="slo-measures">{slo.measures.clone()}</dd></div>
                <div><dt>"Objective"</dt><dd>{format!("{} %", slo.objective)}</dd></div>
                <div><dt>"Window"</dt><dd data-testid="slo-window">{slo.window.clone()}</dd></div>
                <div><dt>"Attainment"</dt><dd>{percent(slo.attainment, 3)} " " <span class=met.0>{met.1}</span></dd></div>
                <div><dt>"Budget left"</dt><dd>{percent(slo.budget_remaining, 1)}</dd></div>
                <div>
                    <dt>"Burn rate 1 d / 7 d / window"</dt>
                    <dd>{[slo.burn_d1, slo.burn_d7, slo.burn_window].map(|b| b.map_or_else(|| "—".to_owned(), |b| format!("{b:.2}"))).join(" / ")}</dd>
                </div>
                <div><dt>"Days with data"</dt><dd>{slo.days_with_data}</dd></div>
            </dl>
            {slo.source.clone().map(|source| view! { <SloSource source/> })}
            <SeriesChart series=attainment/>
            <SeriesChart series=budget/>
        </article>
    }
}

/// Where a pulled SLO's measurements come from, and what the last pull could not do (a failed
/// pull writes nothing: its days stay without data, never zeros).
#[component]
fn SloSource(source: SloSourceView) -> impl IntoView {
    let status = match (&source.attempted_at, &source.pulled_through) {
        (None, _) => "Not pulled yet: the pull runs every hour.".to_owned(),
        (Some(at), Some(day)) => format!("Pulled through {day} (last pull {at})."),
        (Some(at), None) => format!("No day pulled yet (last pull {at})."),
    };
    view! {
        <div class="slo-source" data-testid="slo-source">
            <p class="note">
                "Pulled from Prometheus " <code>{source.url}</code> ": good " <code>{source.good_query}</code>
                ", total " <code>{source.total_query}</code> ". " {status}
            </p>
            {source.problem.map(|problem| view! {
                <p class="error" role="alert" data-testid="slo-source-problem">{problem}</p>
            })}
        </div>
    }
}

/// A panel listing records in a table, or saying why there are none.
#[component]
fn RecordTable(
    id: &'static str,
    heading: String,
    #[prop(optional)] note: Option<&'static str>,
    count: usize,
    empty: &'static str,
    headers: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    let heading_id = format!("{id}-heading");
    view! {
        <section class="panel" aria-labelledby=heading_id.clone()>
            <h2 id=heading_id.clone()>{heading}</h2>
            {note.map(|note| view! { <p class="note">{note}</p> })}
            {if count == 0 {
                view! { <p class="empty">{empty}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll" tabindex="0">
                        <table class="data">
                            <thead>
                                <tr>{headers.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
                            </thead>
                            <tbody>{children()}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }}
        </section>
    }
}

/// An imported link named `label` if it is safe to follow (http or https); another value shown
/// as plain text, never as a link; `missing` when there is none.
fn link_or(url: Option<&str>, label: &'static str, missing: &'static str) -> AnyView {
    match url {
        None => view! { <span class="note">{missing}</span> }.into_any(),
        Some(url) => match safe_link(url) {
            Some(href) => {
                view! { <a href=href rel="noopener noreferrer nofollow" target="_blank">{label}</a> }.into_any()
            }
            None => view! { <span class="note">{format!("{label}: {url} (not a web link)")}</span> }.into_any(),
        },
    }
}

fn postmortem_cell(postmortem: Option<PostmortemLink>) -> AnyView {
    match postmortem {
        None => view! { <span class="note">"none"</span> }.into_any(),
        Some(p) => {
            let label = if p.status == "published" { "Published" } else { "Draft" };
            let missing = if p.status == "published" { "published, no link" } else { "draft, no link" };
            link_or(p.url.as_deref(), label, missing)
        }
    }
}

#[component]
fn Incidents(incidents: Vec<IncidentView>) -> impl IntoView {
    const HEADERS: &[&str] = &[
        "Incident",
        "Severity",
        "Started",
        "To detect",
        "To acknowledge",
        "To recover",
        "To resolve",
        "Customer impact",
        "Data lost",
        "Status",
        "Postmortem",
    ];
    view! {
        <RecordTable
            id="incidents"
            heading=format!("Incidents ({})", incidents.len())
            count=incidents.len()
            empty="No incident started in this period."
            headers=HEADERS
        >
            {incidents.into_iter().map(|i| view! {
                <tr data-incident=i.id.clone()>
                    <th scope="row"><code>{i.id.clone()}</code> " " {i.title}</th>
                    <td>{i.severity}</td>
                    <td>{i.started_at}</td>
                    <td class="numeric">{minutes(i.to_detect)}</td>
                    <td class="numeric">{minutes(i.to_acknowledge)}</td>
                    <td class="numeric">{minutes(i.to_recover)}</td>
                    <td class="numeric">{minutes(i.to_resolve)}</td>
                    <td class="numeric">{minutes(i.customer_impact_minutes)}</td>
                    <td class="numeric">{minutes(i.data_loss_minutes)}</td>
                    <td>{i.status}</td>
                    <td>{postmortem_cell(i.postmortem)}</td>
                </tr>
            }).collect_view()}
        </RecordTable>
    }
}

#[component]
fn Actions(actions: Vec<ActionView>) -> impl IntoView {
    const HEADERS: &[&str] = &["Action", "Incident", "Owner", "Due", "Status", "Completed"];
    let overdue = actions.iter().filter(|a| a.overdue_days.is_some()).count();
    view! {
        <RecordTable
            id="actions"
            heading=format!("Postmortem actions ({}, {overdue} overdue)", actions.len())
            note="Actions due in this period, and every action still open."
            count=actions.len()
            empty="No action due in this period and none open."
            headers=HEADERS
        >
            {actions.into_iter().map(|a| {
                let class = if a.overdue_days.is_some() { "overdue" } else { "" };
                view! {
                    <tr class=class data-action=a.id.clone()>
                        <th scope="row"><code>{a.id.clone()}</code> " " {a.title}</th>
                        <td>{a.incident.unwrap_or_default()}</td>
                        <td>{a.owner.unwrap_or_default()}</td>
                        <td>
                            {a.due_date.unwrap_or_else(|| "—".to_owned())}
                            {a.overdue_days.map(|d| view! { " " <strong class="status status-fail">{format!("{d} days overdue")}</strong> })}
                        </td>
                        <td>{a.status}</td>
                        <td>{a.completed_at.unwrap_or_default()}</td>
                    </tr>
                }
            }).collect_view()}
        </RecordTable>
    }
}

/// `achieved / target min` with whether the target was met, in words.
fn target_cell(target: Option<i64>, achieved: Option<i64>) -> impl IntoView {
    let verdict = match (target, achieved) {
        (Some(t), Some(a)) if a <= t => Some(("status status-pass", "met")),
        (Some(_), Some(_)) => Some(("status status-fail", "missed")),
        _ => None,
    };
    let text = format!(
        "{} of {}",
        achieved.map_or_else(|| "—".to_owned(), |a| format!("{a} min")),
        target.map_or_else(|| "no target".to_owned(), |t| format!("{t} min"))
    );
    view! { <td>{text} {verdict.map(|(class, word)| view! { " " <span class=class>{word}</span> })}</td> }
}

#[component]
fn DrTests(dr_tests: Vec<DrTestView>) -> impl IntoView {
    const HEADERS: &[&str] =
        &["Test", "Performed", "Outcome", "RTO achieved of target", "RPO achieved of target", "Evidence"];
    view! {
        <RecordTable
            id="dr"
            heading=format!("DR tests ({})", dr_tests.len())
            count=dr_tests.len()
            empty="No DR test performed in this period."
            headers=HEADERS
        >
            {dr_tests.into_iter().map(|t| view! {
                <tr data-dr-test=t.id.clone()>
                    <th scope="row"><code>{t.id.clone()}</code></th>
                    <td>{t.performed_at}</td>
                    <td>{t.outcome}</td>
                    {target_cell(t.rto_target_minutes, t.rto_achieved_minutes)}
                    {target_cell(t.rpo_target_minutes, t.rpo_achieved_minutes)}
                    <td>{link_or(t.evidence_url.as_deref(), "Evidence", "none on record")}</td>
                </tr>
            }).collect_view()}
        </RecordTable>
    }
}

#[component]
fn Pages(pages: Vec<PageView>) -> impl IntoView {
    const HEADERS: &[&str] = &["Alert", "Rule", "Fired", "Acknowledged after", "Responder", "Disposition"];
    view! {
        <RecordTable
            id="pages"
            heading=format!("Pages ({})", pages.len())
            count=pages.len()
            empty="No page in this period."
            headers=HEADERS
        >
            {pages.into_iter().map(|p| {
                let marker = p.id.clone();
                view! {
                <tr data-page=marker>
                    <th scope="row"><code>{p.id}</code></th>
                    <td>{p.rule}</td>
                    <td>{p.fired_at}</td>
                    <td>{p.to_acknowledge.map_or_else(|| "not acknowledged".to_owned(), format_minutes)}</td>
                    <td>{p.responder.unwrap_or_else(|| "—".to_owned())}</td>
                    <td>{p.disposition.replace('_', " ")}</td>
                </tr>
                }
            }).collect_view()}
        </RecordTable>
    }
}

#[component]
fn Exemptions(exemptions: Vec<ExemptionView>) -> impl IntoView {
    const HEADERS: &[&str] = &["Check", "Reason", "Approved by", "Expires"];
    view! {
        <RecordTable
            id="exemptions"
            heading="Exemptions".to_owned()
            count=exemptions.len()
            empty="No check of this service is waived."
            headers=HEADERS
        >
            {exemptions.into_iter().map(|e| view! {
                <tr data-exemption=e.check.clone()>
                    <th scope="row"><code>{e.check.clone()}</code></th>
                    <td>{e.reason}</td>
                    <td>
                        {e.approver}
                        {(!e.approved_in_plumbline)
                            .then_some(" (imported from another system, not verified in Plumbline)")}
                    </td>
                    <td>{e.expires_at} {(!e.active).then_some(" (expired)")}</td>
                </tr>
            }).collect_view()}
        </RecordTable>
    }
}
