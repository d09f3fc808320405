//! A KPI over consecutive periods as a small SVG line chart with a point per period, labelled
//! axes, a title and a text alternative that lists every value (what a screen reader reads).

use leptos::prelude::*;

use crate::domain::overview::{Direction, TrendSeries, axis_max, format_value};

const WIDTH: f64 = 360.0;
const HEIGHT: f64 = 150.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 28.0;

/// Every period's value in a sentence, and which way is better.
pub fn describe(series: &TrendSeries) -> String {
    if series.points.iter().all(|(_, v)| v.is_none()) {
        return format!("{}: no data in these periods.", series.label);
    }
    let values: Vec<String> =
        series.points.iter().map(|(period, value)| format!("{period} {}", format_value(series.unit, *value))).collect();
    let better = match series.direction {
        Direction::HigherIsBetter => "higher is better",
        Direction::LowerIsBetter => "lower is better",
    };
    format!("{} by period ({better}): {}.", series.label, values.join(", "))
}

#[component]
pub fn TrendChart(series: TrendSeries, #[prop(into)] id: String) -> impl IntoView {
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let description = describe(&series);
    let max = axis_max(&series);
    let count = series.points.len().max(2) as f64 - 1.0;
    let x = move |i: usize| LEFT + (WIDTH - LEFT - RIGHT) * i as f64 / count;
    let y = move |v: f64| TOP + (HEIGHT - TOP - BOTTOM) * (1.0 - (v / max).clamp(0.0, 1.0));
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut dots = Vec::new();
    for (i, (_, value)) in series.points.iter().enumerate() {
        match value {
            Some(v) => {
                current.push_str(&format!("{:.1},{:.1} ", x(i), y(*v)));
                dots.push((x(i), y(*v)));
            }
            None if !current.is_empty() => lines.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    let first = series.points.first().map(|(p, _)| p.clone()).unwrap_or_default();
    let last = series.points.last().map(|(p, _)| p.clone()).unwrap_or_default();
    let latest = series.points.last().and_then(|(_, v)| *v);
    let better = match series.direction {
        Direction::HigherIsBetter => "↑ higher is better",
        Direction::LowerIsBetter => "↓ lower is better",
    };
    view! {
        <figure class="chart trend-chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-labelledby=format!("{title_id} {desc_id}")>
                <title id=title_id.clone()>{series.label.clone()}</title>
                <desc id=desc_id.clone()>{description}</desc>
                <line class="grid" x1=LEFT y1=y(max / 2.0) x2=WIDTH - RIGHT y2=y(max / 2.0)/>
                <line class="axis" x1=LEFT y1=TOP x2=LEFT y2=HEIGHT - BOTTOM/>
                <line class="axis" x1=LEFT y1=HEIGHT - BOTTOM x2=WIDTH - RIGHT y2=HEIGHT - BOTTOM/>
                <text class="tick" x=LEFT - 6.0 y=TOP + 4.0 text-anchor="end">{format_value(series.unit, Some(max))}</text>
                <text class="tick" x=LEFT - 6.0 y=HEIGHT - BOTTOM text-anchor="end">{format_value(series.unit, Some(0.0))}</text>
                <text class="tick" x=LEFT y=HEIGHT - 8.0 text-anchor="start">{first}</text>
                <text class="tick" x=WIDTH - RIGHT y=HEIGHT - 8.0 text-anchor="end">{last}</text>
                {lines.into_iter().map(|points| view! { <polyline class="series" points=points/> }).collect_view()}
                {dots.into_iter().map(|(cx, cy)| view! { <circle class="dot" cx=cx cy=cy r="3"/> }).collect_view()}
            </svg>
            <figcaption class="chart-legend">
                <span class="swatch swatch-series" aria-hidden="true"></span>
                <span class="trend-label">{series.label.clone()}</span>
                <span class="trend-latest">{format!("latest {}", format_value(series.unit, latest))}</span>
                <span class="note">{better}</span>
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::overview::Unit;

    fn series(unit: Unit, points: &[(&str, Option<f64>)]) -> TrendSeries {
        TrendSeries {
            kpi: "x".into(),
            label: "SEV0–1 incidents".into(),
            unit,
            direction: Direction::LowerIsBetter,
            points: points.iter().map(|(p, v)| (p.to_string(), *v)).collect(),
        }
    }

    #[test]
    fn the_text_alternative_lists_every_period() {
        let s = series(Unit::Count, &[("2026-Q2", Some(3.0)), ("2026-Q3", None)]);
        assert_eq!(describe(&s), "SEV0–1 incidents by period (lower is better): 2026-Q2 3, 2026-Q3 —.");
        assert_eq!(describe(&series(Unit::Count, &[("2026-Q3", None)])), "SEV0–1 incidents: no data in these periods.");
    }
}
