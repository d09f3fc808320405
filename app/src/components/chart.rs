//! A small line chart drawn as SVG by the view itself (so every label is escaped like any other
//! text), with a title and a text alternative for screen readers, and a legend.

use chrono::NaiveDate;
use leptos::prelude::*;

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

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 170.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 30.0;

fn format_value(series: &Series, value: f64) -> String {
    if series.unit_percent { format!("{:.2} %", value * 100.0) } else { format!("{value:.2}") }
}

/// An id usable in `aria-labelledby`, from the title.
fn id_of(title: &str) -> String {
    let cleaned: String =
        title.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("chart-{cleaned}")
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
        text.push_str(&format!("; {below} days below {name}"));
    }
    if missing > 0 {
        text.push_str(&format!("; {missing} days without data"));
    }
    text.push('.');
    text
}

#[component]
pub fn SeriesChart(series: Series) -> impl IntoView {
    let id = id_of(&series.title);
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    let description = describe(&series);
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
    let count = series.points.len().max(2) as f64 - 1.0;
    let x = move |i: usize| LEFT + (WIDTH - LEFT - RIGHT) * i as f64 / count;
    let y = move |v: f64| TOP + (HEIGHT - TOP - BOTTOM) * (high - v.max(low)) / (high - low);
    // Consecutive days with data form one line; a day without data breaks it.
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, (_, value)) in series.points.iter().enumerate() {
        match value {
            Some(v) => current.push_str(&format!("{:.1},{:.1} ", x(i), y(*v))),
            None if !current.is_empty() => lines.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    let first_day = series.points.first().map(|(d, _)| d.to_string()).unwrap_or_default();
    let last_day = series.points.last().map(|(d, _)| d.to_string()).unwrap_or_default();
    let reference = series.reference.clone();
    let top_label = format_value(&series, high);
    let bottom_label = format_value(&series, low);
    let legend_reference = reference.as_ref().map(|(_, name)| name.clone());
    view! {
        <figure class="chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {HEIGHT}")
                role="img"
                aria-labelledby=format!("{title_id} {desc_id}")
            >
                <title id=title_id.clone()>{series.title.clone()}</title>
                <desc id=desc_id.clone()>{description}</desc>
                <line class="axis" x1=LEFT y1=TOP x2=LEFT y2=HEIGHT - BOTTOM/>
                <line class="axis" x1=LEFT y1=HEIGHT - BOTTOM x2=WIDTH - RIGHT y2=HEIGHT - BOTTOM/>
                <text class="tick" x=LEFT - 6.0 y=TOP + 4.0 text-anchor="end">{top_label}</text>
                <text class="tick" x=LEFT - 6.0 y=HEIGHT - BOTTOM text-anchor="end">{bottom_label}</text>
                <text class="tick" x=LEFT y=HEIGHT - 10.0 text-anchor="start">{first_day}</text>
                <text class="tick" x=WIDTH - RIGHT y=HEIGHT - 10.0 text-anchor="end">{last_day}</text>
                {reference.map(|(value, _)| view! {
                    <line class="reference" x1=LEFT y1=y(value) x2=WIDTH - RIGHT y2=y(value)/>
                })}
                {lines.into_iter().map(|points| view! { <polyline class="series" points=points/> }).collect_view()}
            </svg>
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
             2026-07-02; 1 days below objective 99.9 %; 1 days without data."
        );
        assert_eq!(id_of(&series.title), "chart-api-availability--daily-attainment");
    }
}
