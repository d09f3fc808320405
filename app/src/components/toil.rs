//! The "Toil" panel of the overview and team pages: the toil ratio and reporting coverage as
//! headline cards, their trends, and the period's toil by team and by category, each linked to
//! the reports behind it.

use leptos::prelude::*;

use super::figures::{HeadlineGrid, PracticeSection, TrendGrid, drill_down};
use crate::domain::format::percent;
use crate::domain::overview::ToilPanel;

/// Teams listed by toil on the organisation's panel; the drill-down has them all.
const TEAMS_SHOWN: usize = 10;

/// Hours with at most one decimal: `12`, `12.5`.
fn hours(value: f64) -> String {
    let text = format!("{value:.1}");
    text.strip_suffix(".0").map_or(text.clone(), str::to_owned)
}

#[component]
pub fn ToilPanelView(
    toil: ToilPanel,
    #[prop(into)] period: String,
    #[prop(into)] previous: String,
    #[prop(into)] scope: String,
    #[prop(into)] id_prefix: String,
    /// The section's class: a page's `panel` by default, `report-section` in the report.
    #[prop(optional, into)]
    class: Option<String>,
) -> impl IntoView {
    let ToilPanel { headlines, trends, breakdown, empty } = toil;
    let reports_link = drill_down("toil_ratio", &period, &scope);
    let teams_link = drill_down("toil_reporting_coverage", &period, &scope);
    let by_team = scope == "org";
    let team_count = breakdown.teams.len();
    let not_reporting = breakdown.not_reporting.clone();
    view! {
        <PracticeSection title="Toil" name="toil" id_prefix=id_prefix.clone() class=class>
            {if empty {
                view! {
                    <p class="empty" data-testid="toil-empty">
                        "No toil reports on record. Teams send the hours they spent on toil each week or month ("
                        <code>"POST /api/v1/toil-reports"</code> ") to see the toil ratio and who reports it."
                    </p>
                }
                .into_any()
            } else {
                view! {
                    <HeadlineGrid headlines period=period.clone() previous=previous scope=scope.clone()/>
                    {by_team.then(|| view! {
                        <h3>"Toil by team"</h3>
                        {if breakdown.teams.is_empty() {
                            view! { <p class="empty">"No team's report counts in this period."</p> }.into_any()
                        } else {
                            view! {
                                <div class="table-scroll" tabindex="0">
                                    <table class="data" data-testid="toil-teams">
                                        <caption class="visually-hidden">"Teams by the share of their hours spent on toil, most first"</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Team"</th>
                                                <th scope="col" class="numeric">"Toil"</th>
                                                <th scope="col" class="numeric">"Hours of toil"</th>
                                                <th scope="col" class="numeric">"Hours worked"</th>
                                                <th scope="col" class="numeric">"Reports"</th>
                                                <th scope="col">"Method"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {breakdown.teams.iter().take(TEAMS_SHOWN).map(|row| {
                                                let link = format!("/teams/{}?period={period}", row.team);
                                                view! {
                                                    <tr>
                                                        <td><a href=link>{row.team.clone()}</a></td>
                                                        <td class="numeric">{percent(row.hours.ratio(), 1)}</td>
                                                        <td class="numeric">{hours(row.hours.toil)}</td>
                                                        <td class="numeric">{hours(row.hours.total)}</td>
                                                        <td class="numeric">{row.hours.reports}</td>
                                                        <td>{row.methods.clone()}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                                {(team_count > TEAMS_SHOWN).then(|| view! {
                                    <p class="note">
                                        {format!("{} more teams reported: ", team_count - TEAMS_SHOWN)}
                                        <a href=reports_link.clone()>"every report →"</a>
                                    </p>
                                })}
                            }
                            .into_any()
                        }}
                    })}
                    {(!breakdown.categories.is_empty()).then(|| view! {
                        <h3>"Toil by category"</h3>
                        <ul class="toil-categories" data-testid="toil-categories">
                            {breakdown.categories.iter().map(|(category, toil)| view! {
                                <li>
                                    {category.clone().unwrap_or_else(|| "(no category given)".to_owned())}
                                    {format!(": {} h", hours(*toil))}
                                </li>
                            }).collect_view()}
                        </ul>
                    })}
                    {(!not_reporting.is_empty()).then(|| view! {
                        <p class="note" data-testid="toil-not-reporting">
                            {format!(
                                "No report counted in this period from {}: {}.",
                                crate::domain::format::count_of(not_reporting.len() as u64, "team", "teams"),
                                names(&not_reporting),
                            )}
                            " " <a href=teams_link.clone()>"Who reported →"</a>
                        </p>
                    })}
                    <p class="note"><a href=reports_link.clone()>"Every toil report of the period →"</a></p>
                    <TrendGrid trends id_prefix=format!("{id_prefix}-toil-trend")/>
                }
                .into_any()
            }}
        </PracticeSection>
    }
}

/// Up to eight team names, then how many more.
fn names(teams: &[String]) -> String {
    let named: Vec<&str> = teams.iter().take(8).map(String::as_str).collect();
    match teams.len().saturating_sub(named.len()) {
        0 => named.join(", "),
        more => format!("{} and {more} more", named.join(", ")),
    }
}
