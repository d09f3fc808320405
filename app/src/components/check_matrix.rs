//! The services × checks matrix: which checks each listed service passes, fails, has no data
//! for, has waived, or is not judged on. The word is always there (a symbol for sighted
//! readers, the status for screen readers); colour repeats it.

use leptos::prelude::*;

use super::level_badge::level_badge;
use crate::api::CheckColumn;
use crate::domain::scorecard::CheckStatus;
use crate::domain::scorecard::listing::ServiceRow;

fn symbol(status: CheckStatus) -> &'static str {
    match status {
        CheckStatus::Pass => "✓",
        CheckStatus::Fail => "✗",
        CheckStatus::NoData => "?",
        CheckStatus::Waived => "W",
        CheckStatus::NotApplicable => "–",
        CheckStatus::Upcoming => "U",
    }
}

#[component]
pub fn CheckMatrix(rows: Vec<ServiceRow>, columns: Vec<CheckColumn>, #[prop(into)] period: String) -> impl IntoView {
    let legend = [
        CheckStatus::Pass,
        CheckStatus::Fail,
        CheckStatus::NoData,
        CheckStatus::Waived,
        CheckStatus::NotApplicable,
        CheckStatus::Upcoming,
    ]
    .map(|s| format!("{} {}", symbol(s), s.label()))
    .join(" · ");
    let titles: Vec<String> = columns.iter().map(|c| c.title.clone()).collect();
    view! {
        <p class="note" data-testid="matrix-legend">{legend}</p>
        <div class="table-scroll" tabindex="0">
            <table class="data check-matrix">
                <caption class="visually-hidden">"Each listed service (rows) against each scorecard check (columns)"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Service"</th>
                        {columns.into_iter().map(|c| view! {
                            <th scope="col" class="check-column" data-check=c.id.clone()>
                                <span class="vertical">{c.title}</span> " " {level_badge(Some(c.level))}
                            </th>
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|row| {
                        let link = format!("/services/{}?period={period}", row.service);
                        let titles = titles.clone();
                        view! {
                            <tr data-service=row.service.clone()>
                                <th scope="row"><a href=link><code>{row.service.clone()}</code></a></th>
                                {row.statuses.into_iter().zip(titles).map(|(status, title)| {
                                    let class = format!("matrix-cell status-{}", status.as_str().replace('_', "-"));
                                    view! {
                                        <td class=class title=format!("{title}: {}", status.label())>
                                            <span aria-hidden="true">{symbol(status)}</span>
                                            <span class="visually-hidden">{status.label()}</span>
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
