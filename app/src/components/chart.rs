//! A daily series (an SLO's attainment, its error budget) as a line chart drawn by charts-rs, with
//! a reference line, a title and a text alternative for screen readers, and a legend.

use charts_rs::Symbol;
use chrono::NaiveDate;
use leptos::prelude::*;

use crate::domain::format::count_of;

use std::hash::{Hash, Hasher};

use super::chart_svg::{Drawing, REFERENCE_COLOR, ValueAxis, id_of, memoized, reference_series, render, round_range};

/// One daily series to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub title: String,
    /// Values are fractions shown as percentages.
    pub unit_percent: bool,
    pub points: Vec<(NaiveDate, Option<f64>)>,
    /// A horizontal line to compare with (an objective, zero), and its name.
    pub reference: Option<(f64, String)>,
    /// The lowest value the axis shows even when the data stays above it; values below it are
    /// drawn at it (the text alternative still gives the true lowest value).
    pub floor: Option<f64>,
}

/// Drawn size in SVG units; the page scales it to its column.
const WIDTH: f32 = 600.0;
const HEIGHT: f32 = 170.0;

fn format_value(series: &Series, value: f64) -> String {
    if series.unit_percent { format!("{:.2} %", value * 100.0) } else { format!("{value:.2}") }
}

/// What the chart shows, in a sentence.
pub fn describe(series: &Series) -> String {
    let (Some((first, _)), Some((last, _))) = (series.points.first(), series.points.last()) else {
        return "No days to show yet.".to_owned();
    };
    let known: Vec<(NaiveDate, f64)> = series.points.iter().filter_map(|(d, v)| v.map(|v| (*d, v))).collect();
    let missing = series.points.len() - known.len();
    let Some(lowest) = known.iter().copied().min_by(|a, b| a.1.total_cmp(&b.1)) else {
        return format!("No data from {first} to {last}.");
    };
    let latest = known.last().map_or(lowest, |l| *l);
    let mut text = format!(
        "Daily values from {first} to {last}: latest {} on {}, lowest {} on {}",
        format_value(series, latest.1),
        latest.0,
        format_value(series, lowest.1),
        lowest.0
    );
    if let Some((reference, name)) = &series.reference {
        let below = known.iter().filter(|(_, v)| v < reference).count();
        text.push_str(&format!("; {} below {name}", count_of(below as u64, "day", "days")));
    }
    if missing > 0 {
        text.push_str(&format!("; {} without data", count_of(missing as u64, "day", "days")));
    }
    text.push('.');
    text
}

/// The y axis range: the data and the reference line, never below the floor, percentages up to
/// 100 %, and never empty.
fn value_range(series: &Series) -> (f64, f64) {
    let values = series.points.iter().filter_map(|(_, v)| *v);
    let (mut low, mut high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if let Some((reference, _)) = &series.reference {
        low = low.min(*reference);
        high = high.max(*reference);
    }
    if !low.is_finite() {
        (low, high) = (0.0, 1.0);
    }
    if let Some(floor) = series.floor {
        low = low.max(floor).min(high);
    }
    if series.unit_percent {
        high = high.max(1.0);
    }
    if high - low < 1e-9 {
        low -= 0.5;
        high += 0.5;
    }
    (low, high)
}

/// A percentage axis label with as many decimals as the axis span needs (99.95 % on an SLO
/// chart, 50 % on a budget chart).
fn percent_label(value: f64, span: f64) -> String {
    let decimals = match span * 100.0 {
        s if s >= 10.0 => 0,
        s if s >= 1.0 => 1,
        s if s >= 0.1 => 2,
        _ => 3,
    };
    format!("{:.*} %", decimals, value * 100.0)
}

/// The chart as SVG, with `id` for its title and text alternative. A day without data breaks the
/// line; values below the floor are drawn at it. The same series is drawn once: pages of
/// popular services show the same charts to every reader until the data changes, and drawing
/// (charts-rs writes every coordinate) is most of such a page's work.
pub fn svg(series: &Series, id: &str) -> String {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (&series.title, series.unit_percent, id).hash(&mut hasher);
    for (day, value) in &series.points {
        (day, value.map(f64::to_bits)).hash(&mut hasher);
    }
    series.reference.as_ref().map(|(at, name)| (at.to_bits(), name)).hash(&mut hasher);
    series.floor.map(f64::to_bits).hash(&mut hasher);
    memoized(
        hasher.finish(),
        |(held, held_id): &(Series, String)| held == series && held_id == id,
        || (series.clone(), id.to_owned()),
        || draw(series, id),
    )
}

fn draw(series: &Series, id: &str) -> String {
    let (low, high) = value_range(series);
    let (low, high, ticks) = round_range(low, high);
    let step = (high - low) / (ticks.max(2) - 1) as f64;
    let axis = if series.unit_percent {
        ValueAxis::new(low, high, ticks, |v| percent_label(v, step * 2.0))
    } else {
        ValueAxis::new(low, high, ticks, |v| format!("{v:.2}"))
    };
    let mut drawn: charts_rs::Series = (series.title.as_str(), Vec::<f32>::new()).into();
    drawn.data = series.points.iter().map(|(_, v)| v.map(|v| axis.position(v))).collect();
    drawn.symbol = Some(Symbol::Circle(1.5, None));
    let mut lines = vec![drawn];
    if let Some((reference, name)) = &series.reference {
        lines.push(reference_series(name, axis.position(*reference), series.points.len()));
    }
    let x_labels = series.points.iter().map(|(day, _)| day.to_string()).collect();
    let drawing =
        Drawing { series: lines, x_labels, axis, width: WIDTH, height: HEIGHT, second_color: REFERENCE_COLOR };
    render(drawing, id, &series.title, &describe(series))
}

#[component]
pub fn SeriesChart(series: Series) -> impl IntoView {
    let drawing = svg(&series, &id_of(&series.title));
    let legend_reference = series.reference.as_ref().map(|(_, name)| name.clone());
    view! {
        <figure class="chart">
            <div class="chart-drawing" inner_html=drawing></div>
            <figcaption class="chart-legend">
                <span class="swatch swatch-series" aria-hidden="true"></span>
                {series.title}
                {legend_reference.map(|name| view! {
                    " " <span class="swatch swatch-reference" aria-hidden="true"></span> {name}
                })}
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 7, d).expect("day")
    }

    #[test]
    fn a_chart_drawn_again_is_the_same_and_a_changed_series_is_drawn_anew() {
        let mut series = Series {
            title: "memo: daily attainment".into(),
            unit_percent: true,
            points: vec![(day(1), Some(0.9995)), (day(2), Some(0.998))],
            reference: Some((0.999, "objective 99.9 %".into())),
            floor: None,
        };
        let first = svg(&series, "chart-memo");
        assert_eq!(svg(&series, "chart-memo"), first);
        assert_eq!(svg(&series, "chart-memo"), draw(&series, "chart-memo"));
        series.points[1].1 = Some(0.5);
        let changed = svg(&series, "chart-memo");
        assert_ne!(changed, first);
        assert_eq!(changed, draw(&series, "chart-memo"));
        assert_ne!(svg(&series, "chart-other"), changed, "the id is part of the drawing");
    }

    #[test]
    fn the_text_alternative_gives_latest_lowest_and_days_below_the_reference() {
        let series = Series {
            title: "api-availability: daily attainment".into(),
            unit_percent: true,
            points: vec![(day(1), Some(0.9995)), (day(2), Some(0.998)), (day(3), None), (day(4), Some(0.9991))],
            reference: Some((0.999, "objective 99.9 %".into())),
            floor: None,
        };
        assert_eq!(
            describe(&series),
            "Daily values from 2026-07-01 to 2026-07-04: latest 99.91 % on 2026-07-04, lowest 99.80 % on \
             2026-07-02; 1 day below objective 99.9 %; 1 day without data."
        );
        assert_eq!(id_of(&series.title), "chart-api-availability--daily-attainment");
        assert_eq!(percent_label(0.9995, 0.0005), "99.950 %");
        assert_eq!(percent_label(0.9995, 0.005), "99.95 %");
        assert_eq!(percent_label(-0.5, 2.0), "-50 %");
    }
}
