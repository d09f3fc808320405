//! A KPI over consecutive periods as a small line chart (charts-rs) with a point per period,
//! labelled axes, a title and a text alternative that lists every value (what a screen reader
//! reads). The PDF places the same drawing.

use leptos::prelude::*;

use std::hash::{Hash, Hasher};

use super::chart_svg::{Drawing, SERIES_COLOR, ValueAxis, dashed, memoized, render};
use crate::domain::overview::{Direction, TrendSeries, Unit, axis_max, format_value};

/// Drawn size in SVG units; the page scales it to its column, the PDF to its box.
pub const WIDTH: f32 = 360.0;
pub const HEIGHT: f32 = 150.0;

/// Every period's value in a sentence, and which way is better.
pub fn describe(series: &TrendSeries) -> String {
    if series.points.iter().all(|(_, v)| v.is_none()) {
        return format!("{}: no data in these periods.", series.label);
    }
    let last = series.points.len().saturating_sub(1);
    let values: Vec<String> = series
        .points
        .iter()
        .enumerate()
        .map(|(i, (period, value))| {
            let so_far = if series.partial_last && i == last { " so far" } else { "" };
            format!("{period} {}{so_far}", format_value(series.unit, *value))
        })
        .collect();
    let better = match series.direction {
        Direction::HigherIsBetter => "higher is better",
        Direction::LowerIsBetter => "lower is better",
    };
    format!("{} by period ({better}): {}.", series.label, values.join(", "))
}

/// A number with at most two decimals and no trailing zeros.
pub fn short_number(value: f64) -> String {
    let text = format!("{value:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// The y axis from 0 to a round maximum, in the unit the KPI is read in (hours for long
/// durations).
fn value_axis(series: &TrendSeries) -> ValueAxis {
    let max = axis_max(series);
    match series.unit {
        Unit::Fraction => ValueAxis::new(0.0, max, 3, |v| format!("{} %", short_number(v * 100.0))),
        Unit::Minutes if max >= 180.0 => {
            let hours = round_up(max / 60.0) * 60.0;
            ValueAxis::new(0.0, hours, 3, |v| format!("{} h", short_number(v / 60.0)))
        }
        Unit::Minutes => ValueAxis::new(0.0, max, 3, |v| format!("{} min", short_number(v))),
        Unit::Count => ValueAxis::new(0.0, max, 3, short_number),
        Unit::PerWeek => ValueAxis::new(0.0, max, 3, |v| format!("{} / wk", short_number(v))),
        Unit::PerShift => ValueAxis::new(0.0, max, 3, |v| format!("{} / shift", short_number(v))),
        Unit::Amount => ValueAxis::new(0.0, max, 3, crate::domain::format::format_amount),
        Unit::Score => ValueAxis::new(0.0, max, 6, short_number),
    }
}

/// The next of 1, 2, 5, 10, 20, … at or above `value`.
fn round_up(value: f64) -> f64 {
    if value <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|step| step * magnitude).find(|m| *m >= value).unwrap_or(value)
}

/// The chart as SVG, with `id` for its title and text alternative. A period still running is
/// drawn as a dashed step from the last whole period, apart from the solid line of whole ones.
pub fn svg(series: &TrendSeries, id: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (&series.kpi, &series.label, series.unit, series.direction, series.partial_last, id).hash(&mut hasher);
    for (period, value) in &series.points {
        (period, value.map(f64::to_bits)).hash(&mut hasher);
    }
    memoized(
        hasher.finish(),
        |(held, held_id): &(TrendSeries, String)| held == series && held_id == id,
        || (series.clone(), id.to_owned()),
        || draw(series, id),
    )
}

fn draw(series: &TrendSeries, id: &str) -> String {
    let axis = value_axis(series);
    let positions: Vec<Option<f32>> = series.points.iter().map(|(_, v)| v.map(|v| axis.position(v))).collect();
    let last = positions.len().saturating_sub(1);
    let mut whole: charts_rs::Series = (series.label.as_str(), Vec::<f32>::new()).into();
    let mut lines = Vec::new();
    if series.partial_last && !positions.is_empty() {
        whole.data = positions.iter().enumerate().map(|(i, p)| if i == last { None } else { *p }).collect();
        let mut running: charts_rs::Series = (format!("{} so far", series.label).as_str(), Vec::<f32>::new()).into();
        running.data = positions.iter().enumerate().map(|(i, p)| if i + 1 >= last { *p } else { None }).collect();
        lines.push(whole);
        lines.push(dashed(running));
    } else {
        whole.data = positions;
        lines.push(whole);
    }
    let x_labels = series.points.iter().map(|(period, _)| period.clone()).collect();
    let drawing = Drawing { series: lines, x_labels, axis, width: WIDTH, height: HEIGHT, second_color: SERIES_COLOR };
    render(drawing, id, &series.label, &describe(series))
}

#[component]
pub fn TrendChart(series: TrendSeries, #[prop(into)] id: String) -> impl IntoView {
    let drawing = svg(&series, &id);
    let latest = series.points.last().and_then(|(_, v)| *v);
    let better = match series.direction {
        Direction::HigherIsBetter => "↑ higher is better",
        Direction::LowerIsBetter => "↓ lower is better",
    };
    view! {
        <figure class="chart trend-chart">
            <div class="chart-drawing" inner_html=drawing></div>
            <figcaption class="chart-legend">
                <span class="swatch swatch-series" aria-hidden="true"></span>
                <span class="trend-label">{series.label.clone()}</span>
                <span class="trend-latest">{format!("latest {}{}", format_value(series.unit, latest), if series.partial_last { " so far" } else { "" })}</span>
                <span class="note">{better}</span>
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(unit: Unit, points: &[(&str, Option<f64>)]) -> TrendSeries {
        TrendSeries {
            kpi: "x".into(),
            label: "SEV0–1 incidents".into(),
            unit,
            direction: Direction::LowerIsBetter,
            points: points.iter().map(|(p, v)| (p.to_string(), *v)).collect(),
            partial_last: false,
        }
    }

    #[test]
    fn the_text_alternative_lists_every_period() {
        let s = series(Unit::Count, &[("2026-Q2", Some(3.0)), ("2026-Q3", None)]);
        assert_eq!(describe(&s), "SEV0–1 incidents by period (lower is better): 2026-Q2 3, 2026-Q3 —.");
        assert_eq!(describe(&series(Unit::Count, &[("2026-Q3", None)])), "SEV0–1 incidents: no data in these periods.");
    }

    #[test]
    fn a_period_still_running_is_read_and_drawn_as_so_far() {
        let mut s = series(Unit::Count, &[("2026-Q2", Some(3.0)), ("2026-Q3", Some(2.0)), ("2026-Q4", Some(1.0))]);
        s.partial_last = true;
        assert_eq!(
            describe(&s),
            "SEV0–1 incidents by period (lower is better): 2026-Q2 3, 2026-Q3 2, 2026-Q4 1 so far."
        );
        let drawing = svg(&s, "t");
        assert!(drawing.contains("stroke-dasharray=\"6,4\""), "the running period is dashed: {drawing}");
    }

    #[test]
    fn long_durations_are_charted_in_round_hours() {
        let s = series(Unit::Minutes, &[("2026-Q2", Some(500.0)), ("2026-Q3", Some(55.0))]);
        assert_eq!(value_axis(&s).labels, ["0 h", "5 h", "10 h"]);
        let short = series(Unit::Minutes, &[("2026-Q3", Some(42.0))]);
        assert_eq!(value_axis(&short).labels, ["0 min", "25 min", "50 min"]);
        let fraction = series(Unit::Fraction, &[("2026-Q3", Some(0.42))]);
        assert_eq!(value_axis(&fraction).labels, ["0 %", "50 %", "100 %"]);
    }

    #[test]
    fn a_period_without_data_is_a_gap_in_the_line() {
        let s = series(Unit::Count, &[("2026-Q1", Some(3.0)), ("2026-Q2", None), ("2026-Q3", Some(1.0))]);
        let drawing = svg(&s, "t");
        assert!(drawing.contains("2026-Q2") && drawing.contains("SEV0–1 incidents by period"), "{drawing}");
        assert_eq!(drawing.matches("<path").count(), 2, "two separate pieces of line: {drawing}");
    }
}
