//! The period picker every figure page shows (overview, team, service): recent quarters and
//! months, the previous period, and what the figures cover.

use leptos::prelude::*;

use crate::api::PeriodHeader;
use crate::domain::publication::PeriodState;

/// A GET form (so the period is in the URL and works without JavaScript) choosing among recent
/// quarters and months.
#[component]
pub fn PeriodPicker(
    header: PeriodHeader,
    #[prop(into)] action: String,
    /// Other query fields the page keeps when the period changes (`scope` on the KPI index).
    #[prop(optional)]
    keep: Vec<(&'static str, String)>,
) -> impl IntoView {
    let selected = header.period.clone();
    let known = header.quarters.contains(&selected) || header.months.contains(&selected);
    let option = move |period: String| {
        let chosen = period == selected;
        let value = period.clone();
        view! { <option value=value selected=chosen>{period}</option> }
    };
    let quarters = header.quarters.clone().into_iter().map(option.clone()).collect_view();
    let months = header.months.clone().into_iter().map(option.clone()).collect_view();
    let other = (!known).then(|| option(header.period.clone()));
    let mut pairs = vec![("period", Some(header.previous.clone()))];
    pairs.extend(keep.iter().map(|(name, value)| (*name, Some(value.clone()))));
    let previous_link = format!("{action}?{}", super::url::query_string(&pairs));
    let status = if header.open {
        format!(
            "open, {} of {} days so far: figures still move, and counts are compared at their pace",
            header.elapsed_days, header.total_days
        )
    } else {
        match &header.state {
            PeriodState::Published { published_at, published_by, changes } if changes.is_empty() => {
                format!("closed, published {published_at} by {published_by}")
            }
            PeriodState::Published { published_at, published_by, .. } => format!(
                "closed, published {published_at} by {published_by}; live figures differ from the published ones"
            ),
            _ => "closed, draft: not published, so its figures may still change".to_owned(),
        }
    };
    view! {
        <form class="period-picker" method="get" action=action aria-label="Choose the period">
            {keep.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <label for="period-select">"Period"</label>
            <select id="period-select" name="period">
                {other}
                <optgroup label="Quarters">{quarters}</optgroup>
                <optgroup label="Months">{months}</optgroup>
            </select>
            <button class="button" type="submit">"Show"</button>
            <a href=previous_link rel="prev">{format!("← {}", header.previous)}</a>
            <span class="note" data-testid="period-span">
                {format!("{} to {} · as of {} · {status}", header.from, header.to, header.as_of)}
            </span>
            {header.recomputing.then(|| view! { <RecomputingNote/> })}
        </form>
    }
}

/// Said wherever a page shows the last computed figures while newer ones are computed.
#[component]
pub fn RecomputingNote() -> impl IntoView {
    view! {
        <span class="note recomputing" role="status" data-testid="recomputing">
            "Newer figures, with data imported since, are being computed: reload in a moment."
        </span>
    }
}
