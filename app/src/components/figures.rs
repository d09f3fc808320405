//! The figures the overview, the team page and the report share: headline KPI cards with their
//! deltas and drill-down links, the level table, risk lists and trend charts.

use leptos::prelude::*;

use super::level_badge::level_badge;
use super::trend::TrendChart;
use super::url::query_string;
use crate::domain::format::count_of;
use crate::domain::overview::{Headline, Risks, TierLevels, TrendSeries, Unit, Verdict, format_delta, format_value};
use crate::domain::scorecard::Level;

/// The link to the records behind a KPI value.
pub fn drill_down(kpi: &str, period: &str, scope: &str) -> String {
    let query = query_string(&[("period", Some(period.to_owned())), ("scope", Some(scope.to_owned()))]);
    format!("/kpis/{kpi}?{query}")
}

/// The CSS class and the word for a verdict (the word carries the meaning; colour repeats it).
pub fn verdict_text(verdict: Verdict) -> (&'static str, &'static str) {
    let class = match verdict {
        Verdict::Better => "delta delta-better",
        Verdict::Worse => "delta delta-worse",
        Verdict::Unchanged => "delta delta-same",
        Verdict::NoComparison => "delta delta-none",
    };
    (class, verdict.word())
}

/// How a headline compares with the previous period, in words: "▼ −1 · better than 2026-Q3
/// (3)"; for a period still running, "so far", and a count or sum at its pace ("on pace for 2.9
/// · better than 2026-Q3 (3)"); and which side has no data when there is no comparison.
pub fn change_text(h: &Headline, previous: &str) -> String {
    let (_, word) = verdict_text(h.verdict);
    let so_far = if h.partial { "so far · " } else { "" };
    if h.verdict == Verdict::NoComparison {
        return match (h.value, h.previous) {
            (None, _) if h.partial => "no data yet in this period".to_owned(),
            (None, _) => "no data in this period".to_owned(),
            _ => format!("{so_far}no data for {previous} to compare with"),
        };
    }
    let arrow = match h.delta {
        Some(d) if d > 0.0 && h.verdict != Verdict::Unchanged => "▲ ",
        Some(d) if d < 0.0 && h.verdict != Verdict::Unchanged => "▼ ",
        _ => "",
    };
    let relation = if h.verdict == Verdict::Unchanged { "from" } else { "than" };
    let before = format!("{previous} ({})", format_value(h.unit, h.previous));
    match h.pace_text() {
        Some(pace) => format!("{so_far}on pace for {pace} · {word} {relation} {before}"),
        None => format!("{so_far}{arrow}{} · {word} {relation} {before}", format_delta(h.unit, h.delta)),
    }
}

/// The headline KPIs as cards: value (linked to its population), change and verdict.
#[component]
pub fn HeadlineGrid(
    headlines: Vec<Headline>,
    #[prop(into)] period: String,
    #[prop(into)] previous: String,
    #[prop(into)] scope: String,
) -> impl IntoView {
    view! {
        <ul class="kpi-grid" aria-label="Headline KPIs">
            {headlines.into_iter().map(|h| {
                let link = drill_down(&h.kpi, &period, &scope);
                let (class, word) = verdict_text(h.verdict);
                let change = change_text(&h, &previous);
                let value = format_value(h.unit, h.value);
                let target = h.target_sentence().map(|text| {
                    let class = match h.meets_target() {
                        Some(true) => "kpi-target target-met",
                        Some(false) => "kpi-target target-missed",
                        None => "kpi-target",
                    };
                    view! { <span class=class data-testid="kpi-target">{text}</span> }
                });
                view! {
                    <li class="kpi-card" data-kpi=h.kpi.clone()>
                        <span class="kpi-label">{h.label.clone()}</span>
                        <a class="kpi-value" href=link aria-label=format!("{}: {value}, show the records", h.label)>{value.clone()}</a>
                        <span class=class data-verdict=word>{change}</span>
                        {target}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// Services per level and tier, each count linked to the filtered services list.
#[component]
pub fn LevelTable(levels: Vec<TierLevels>, #[prop(into)] period: String) -> impl IntoView {
    let cell = move |tier: u8, level: &'static str, count: u64| {
        let link = format!("/services?period={period}&tier={tier}&level={level}");
        view! { <td class="numeric"><a href=link>{count}</a></td> }
    };
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data levels">
                <caption>"Scorecard levels by tier (services)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Tier"</th>
                        <th scope="col">{level_badge(Some(Level::Gold))}</th>
                        <th scope="col">{level_badge(Some(Level::Silver))}</th>
                        <th scope="col">{level_badge(Some(Level::Bronze))}</th>
                        <th scope="col">{level_badge(None)}</th>
                        <th scope="col">"Share at Silver or above"</th>
                    </tr>
                </thead>
                <tbody>
                    {levels.into_iter().map(|row| {
                        let share = row.share_at_silver();
                        // An SVG rect, not a styled span: the CSP allows no inline styles.
                        let width = format!("{:.1}", share.unwrap_or(0.0) * 100.0);
                        let reachable = |level: Level| row.ceiling >= Some(level);
                        let level_cell = |level: Level, name: &'static str, count: u64| {
                            if reachable(level) {
                                cell.clone()(row.tier, name, count).into_any()
                            } else {
                                view! { <td class="numeric unreachable" title="The policy has no check of this level for this tier">"cannot reach"</td> }.into_any()
                            }
                        };
                        let share_cell = if row.ceiling < Some(Level::Silver) {
                            let top = row.ceiling.map_or("no level", Level::label);
                            view! { <td class="unreachable">{format!("— (tops out at {top})")}</td> }.into_any()
                        } else {
                            view! {
                                <td>
                                    <svg class="bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
                                        <rect class="bar-track" width="100" height="8"/>
                                        <rect class="bar-fill" width=width height="8"/>
                                    </svg>
                                    {format_value(Unit::Fraction, share)}
                                </td>
                            }
                            .into_any()
                        };
                        view! {
                            <tr data-tier=row.tier>
                                <th scope="row">{format!("Tier {}", row.tier)}</th>
                                {level_cell(Level::Gold, "gold", row.gold)}
                                {level_cell(Level::Silver, "silver", row.silver)}
                                {level_cell(Level::Bronze, "bronze", row.bronze)}
                                {cell.clone()(row.tier, "none", row.none)}
                                {share_cell}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

fn more(shown: usize, total: usize) -> Option<String> {
    (total > shown).then(|| format!("{} more not shown.", total - shown))
}

/// The four risk lists, each with what to do when it is empty.
#[component]
pub fn RiskPanels(risks: Risks, #[prop(into)] period: String, #[prop(into)] scope: String) -> impl IntoView {
    let service_link = {
        let period = period.clone();
        move |service: &str| format!("/services/{service}?period={period}")
    };
    let all = |kpi: &str| drill_down(kpi, &period, &scope);
    let Risks {
        exhausted_budgets,
        exhausted_total,
        overdue_actions,
        overdue_total,
        dr_gaps,
        dr_gaps_total,
        incident_hotspots,
    } = risks;
    let budgets_more = more(exhausted_budgets.len(), exhausted_total);
    let overdue_more = more(overdue_actions.len(), overdue_total);
    let gaps_more = more(dr_gaps.len(), dr_gaps_total);
    let link = service_link.clone();
    let budget_rows = exhausted_budgets
        .into_iter()
        .map(move |b| {
            view! {
                <li>
                    <a href=link(&b.service)><code>{b.service.clone()}</code></a> " " {b.slo}
                    <span class="risk-figure">{format!("{:.0} % of budget left", b.remaining * 100.0)}</span>
                </li>
            }
        })
        .collect_view();
    let link = service_link.clone();
    let overdue_rows = overdue_actions
        .into_iter()
        .map(move |a| {
            view! {
                <li>
                    <code>{a.id}</code> " on " <a href=link(&a.service)>{a.service.clone()}</a>
                    <span class="risk-figure">{format!("{} overdue (due {})", count_of(a.days_overdue.unsigned_abs(), "day", "days"), a.due_date)}</span>
                </li>
            }
        })
        .collect_view();
    let link = service_link.clone();
    let gap_rows = dr_gaps
        .into_iter()
        .map(move |g| {
            let last = g.last_pass.map_or_else(|| "never passed".to_owned(), |d| format!("last pass {d}"));
            view! {
                <li>
                    <a href=link(&g.service)><code>{g.service.clone()}</code></a> {format!(" tier {}", g.tier)}
                    <span class="risk-figure">{format!("{last}; needs one every {} days", g.interval_days)}</span>
                </li>
            }
        })
        .collect_view();
    let link = service_link;
    let no_hotspots = incident_hotspots.is_empty();
    let hotspot_rows = incident_hotspots
        .into_iter()
        .map(move |h| {
            view! {
                <li>
                    <a href=link(&h.service)><code>{h.service.clone()}</code></a>
                    <span class="risk-figure">{format!("{} SEV0–1 incidents", h.high_sev)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="risk-grid">
            <section class="risk" aria-labelledby="risk-budgets" data-testid="risk-budgets">
                <h3 id="risk-budgets">{format!("Exhausted error budgets ({exhausted_total})")}</h3>
                {(exhausted_total == 0).then(|| view! { <p class="empty">"No SLO has used up its error budget."</p> })}
                <ol>{budget_rows}</ol>
                {budgets_more.map(|m| view! { <p class="note">{m} " " <a href=all("budget_exhausted_count")>"See all"</a></p> })}
            </section>
            <section class="risk" aria-labelledby="risk-overdue" data-testid="risk-overdue">
                <h3 id="risk-overdue">{format!("Overdue actions ({overdue_total})")}</h3>
                {(overdue_total == 0).then(|| view! { <p class="empty">"No postmortem action is overdue."</p> })}
                <ol>{overdue_rows}</ol>
                {overdue_more.map(|m| view! { <p class="note">{m} " " <a href=all("overdue_actions")>"See all"</a></p> })}
            </section>
            <section class="risk" aria-labelledby="risk-dr" data-testid="risk-dr">
                <h3 id="risk-dr">{format!("DR coverage gaps ({dr_gaps_total})")}</h3>
                {(dr_gaps_total == 0).then(|| view! { <p class="empty">"Every tier-0/1 service has a recent passing DR test."</p> })}
                <ol>{gap_rows}</ol>
                {gaps_more.map(|m| view! { <p class="note">{m} " " <a href=all("dr_coverage")>"See all"</a></p> })}
            </section>
            <section class="risk" aria-labelledby="risk-incidents" data-testid="risk-incidents">
                <h3 id="risk-incidents">"Most SEV0–1 incidents"</h3>
                {no_hotspots.then(|| view! { <p class="empty">"No SEV0–1 incident started in this period."</p> })}
                <ol>{hotspot_rows}</ol>
                <p class="note"><a href=all("high_sev_count")>"All high-severity incidents"</a></p>
            </section>
        </div>
    }
}

/// One small chart per trended KPI.
/// One practice's panel (capacity, automation, toil, cost, satisfaction): a section labelled by
/// its heading, `data-testid="{name}-panel"`, with the class its page gives (`panel`) or the
/// report's (`report-section`).
#[component]
pub fn PracticeSection(
    #[prop(into)] title: String,
    /// The practice's name, in the heading's id (`{id_prefix}-{name}-heading`) and the test id.
    name: &'static str,
    #[prop(into)] id_prefix: String,
    /// The section's class; `None` for a page's `panel`.
    class: Option<String>,
    children: Children,
) -> impl IntoView {
    let heading = format!("{id_prefix}-{name}-heading");
    let labelled_by = heading.clone();
    view! {
        <section
            class=class.unwrap_or_else(|| "panel".to_owned())
            aria-labelledby=labelled_by
            data-testid=format!("{name}-panel")
        >
            <h2 id=heading>{title}</h2>
            {children()}
        </section>
    }
}

#[component]
pub fn TrendGrid(trends: Vec<TrendSeries>, #[prop(into)] id_prefix: String) -> impl IntoView {
    view! {
        <div class="trend-grid">
            {trends.into_iter().map(|series| {
                let id = format!("{id_prefix}-{}", series.kpi.replace('_', "-"));
                view! { <TrendChart series id/> }
            }).collect_view()}
        </div>
    }
}

/// The notice on a published period whose live figures moved since publication: each changed
/// headline figure, published and now, linked to the live records behind it.
#[component]
pub fn LiveChanges(
    changes: Vec<crate::domain::publication::FigureChange>,
    #[prop(into)] period: String,
    #[prop(into)] scope: String,
) -> impl IntoView {
    if changes.is_empty() {
        return ().into_any();
    }
    view! {
        <div class="callout live-changes" role="note" data-testid="live-changes">
            <p>
                <strong>"Live figures differ from the published ones."</strong>
                " Records imported or corrected after publication changed these figures. The published "
                "values stay as they were; the linked records are today's."
            </p>
            <ul>
                {changes.into_iter().map(|c| {
                    let link = drill_down(&c.kpi, &period, &scope);
                    view! { <li data-kpi=c.kpi.clone()><a href=link>{c.sentence()}</a></li> }
                }).collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

/// Every team's services, levels and headline KPIs, each linked to its team page.
#[component]
pub fn TeamTable(teams: Vec<crate::domain::report::TeamRow>, #[prop(into)] period: String) -> impl IntoView {
    let percent = |v: Option<f64>| format_value(Unit::Fraction, v);
    view! {
        <div class="table-scroll" tabindex="0">
            <table class="data report-teams">
                <caption class="visually-hidden">"Each team's services, levels and KPIs"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Team"</th>
                        <th scope="col" class="numeric">"Services"</th>
                        <th scope="col" class="numeric"><abbr title="Gold / Silver / Bronze / below Bronze">"G / S / B / –"</abbr></th>
                        <th scope="col" class="numeric">"SLOs met"</th>
                        <th scope="col" class="numeric">"SEV0–1"</th>
                        <th scope="col" class="numeric">"MTTR (median)"</th>
                        <th scope="col" class="numeric">"Actions on time"</th>
                        <th scope="col" class="numeric">"Overdue"</th>
                        <th scope="col" class="numeric">"DR coverage"</th>
                    </tr>
                </thead>
                <tbody>
                    {teams.into_iter().map(|t| {
                        let l = t.levels.clone();
                        view! {
                            <tr data-team=t.team.clone()>
                                <th scope="row"><a href=format!("/teams/{}?period={period}", t.team)>{t.name.clone()}</a></th>
                                <td class="numeric">{t.services}</td>
                                <td class="numeric">{format!("{} / {} / {} / {}", l.gold, l.silver, l.bronze, l.none)}</td>
                                <td class="numeric">{percent(t.slo_met_rate)}</td>
                                <td class="numeric">{t.high_sev}</td>
                                <td class="numeric">{format_value(Unit::Minutes, t.mttr_median)}</td>
                                <td class="numeric">{percent(t.action_on_time_rate)}</td>
                                <td class="numeric">{t.overdue_actions}</td>
                                <td class="numeric">{percent(t.dr_coverage)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
