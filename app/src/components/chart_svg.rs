//! What every chart shares: charts-rs draws it as SVG (the same SVG goes on the page and, through
//! `svg2pdf`, into the PDF), in a palette the stylesheet can re-colour for the dark theme, with
//! its title and text alternative written into the SVG so a screen reader names it.
//!
//! charts-rs escapes the labels and series names it writes; the title and description added here
//! are escaped by `escape_text`.

use charts_rs::{Box as Margins, Color, LineChart, Series, Symbol};

use super::escape::escape_text;

/// The font charts-rs measures labels with (Roboto); the PDF embeds it so the charts' text looks
/// as measured.
pub use charts_rs::DEFAULT_FONT_DATA as FONT;

/// The series line. `style/main.css` maps this exact colour to `var(--accent)`, so keep the two
/// in step.
pub const SERIES_COLOR: &str = "#2557D6";
/// A reference line (an objective, "exhausted"): orange, told apart from the blue series with the
/// common colour-vision deficiencies, and dashed as well.
pub const REFERENCE_COLOR: &str = "#C46A1C";
/// Axis lines and labels: readable on the light and the dark background alike (the stylesheet
/// re-colours the labels with the theme's muted text colour).
const AXIS_COLOR: &str = "#6E7079";
/// Grid lines: the light theme's border colour, mapped to `var(--border)` by the stylesheet.
/// Opaque on purpose: every transparency becomes a PDF graphics state, and svg2pdf lists several
/// in a random order, which would make the same report give different bytes.
const GRID_COLOR: &str = "#D9DEE5";

/// The y axis: evenly spaced ticks from `low` (the bottom) to `high`, with their labels written
/// here. charts-rs writes axis values with one decimal, which cannot tell 99.95 % from 99.99 %,
/// so it draws on tick positions (0, 1, 2, …) and `render` puts these labels in their place.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueAxis {
    pub low: f64,
    pub high: f64,
    /// One per tick, bottom first; at least two.
    pub labels: Vec<String>,
}

impl ValueAxis {
    /// `ticks` evenly spaced values from `low` to `high`, each written by `label`.
    pub fn new(low: f64, high: f64, ticks: usize, label: impl Fn(f64) -> String) -> ValueAxis {
        let splits = ticks.max(2) - 1;
        let labels = (0..=splits).map(|i| label(low + (high - low) * i as f64 / splits as f64)).collect();
        ValueAxis { low, high, labels }
    }

    fn splits(&self) -> usize {
        self.labels.len().max(2) - 1
    }

    /// Where a value is drawn, in tick positions; values outside the axis are drawn at its ends.
    pub fn position(&self, value: f64) -> f32 {
        let span = if self.high - self.low > 1e-12 { self.high - self.low } else { 1.0 };
        (((value - self.low) / span).clamp(0.0, 1.0) * self.splits() as f64) as f32
    }
}

/// A range widened to round ticks (1, 2 or 5 × 10ⁿ apart), so the axis reads 100 %, 0 %,
/// −100 %, −200 % rather than 100 %, −33 %, −166 %: the low and high ends and the tick count.
pub fn round_range(low: f64, high: f64) -> (f64, f64, usize) {
    let span = high - low;
    if !span.is_finite() || span <= 0.0 {
        return (low, high, 2);
    }
    let rough = span / 3.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0].iter().map(|s| s * magnitude).find(|s| *s >= rough).unwrap_or(rough);
    let (low, high) = ((low / step).floor() * step, (high / step).ceil() * step);
    let ticks = ((high - low) / step).round() as usize + 1;
    (low, high, ticks.clamp(2, 6))
}

/// What one chart shows: its series (already in tick positions), the x labels and the y axis.
pub struct Drawing {
    pub series: Vec<Series>,
    pub x_labels: Vec<String>,
    pub axis: ValueAxis,
    pub width: f32,
    pub height: f32,
    /// The colour of the second series: [`REFERENCE_COLOR`] for a reference line, or
    /// [`SERIES_COLOR`] for the dashed continuation of the first (a period still running).
    pub second_color: &'static str,
}

/// How tick labels are marked in the drawing before `render` writes them: `@3@` is tick 3.
const TICK_MARK: &str = "@{c}@";

/// A line chart with Plumbline's look: no title or legend of its own (the page's caption and the
/// PDF's label name it), a transparent background, the series in blue, a second series (a
/// reference) in orange.
fn line_chart(drawing: Drawing) -> LineChart {
    let splits = drawing.axis.splits();
    let second_color = drawing.second_color;
    let mut chart = LineChart::new(drawing.series, drawing.x_labels);
    chart.width = drawing.width;
    chart.height = drawing.height;
    chart.background_color = Color::transparent();
    chart.legend.show = Some(false);
    chart.margin = Margins { left: 4.0, top: 8.0, right: 12.0, bottom: 4.0 };
    chart.grid.stroke_color = Color::from(GRID_COLOR);
    chart.grid.stroke_dash_array = Some("2,4".to_owned());
    chart.x_axis.stroke_color = Color::from(AXIS_COLOR);
    chart.x_axis.font.color = Color::from(AXIS_COLOR);
    chart.x_axis.font.size = 12.0;
    chart.x_axis.boundary_gap = Some(false);
    chart.series.stroke_width = 2.0;
    chart.series.colors = vec![Color::from(SERIES_COLOR), Color::from(second_color)];
    for axis in &mut chart.y_axis_configs {
        axis.font.color = Color::from(AXIS_COLOR);
        axis.font.size = 12.0;
        axis.split_number = splits;
        axis.min = Some(0.0);
        axis.max = Some(splits as f32);
        axis.formatter = Some(TICK_MARK.to_owned());
        // Sized for the labels written later, not for the marks charts-rs measures.
        axis.width = Some(58.0);
    }
    chart
}

/// A dashed line: a reference across the chart, or the part of a series still moving.
pub fn dashed(mut series: Series) -> Series {
    series.stroke_dash_array = Some("6,4".to_owned());
    series
}

/// A reference line across the chart (an objective, zero): dashed, without points.
pub fn reference_series(name: &str, position: f32, points: usize) -> Series {
    let mut series = dashed((name, vec![position; points]).into());
    series.symbol = Some(Symbol::None);
    series
}

/// The chart as SVG with `role="img"`, its title and its text alternative (what a screen reader
/// says), the latter two referenced by `aria-labelledby`. A chart charts-rs cannot draw becomes an
/// empty drawing that still carries both, so the figure is never silently missing.
pub fn render(drawing: Drawing, id: &str, title: &str, description: &str) -> String {
    let labels = drawing.axis.labels.clone();
    let drawn = line_chart(drawing).svg().ok();
    let mut drawn =
        drawn.unwrap_or_else(|| "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 1\"></svg>".to_owned());
    for (tick, label) in labels.iter().enumerate() {
        drawn = drawn.replace(&TICK_MARK.replace("{c}", &tick.to_string()), &escape_text(label));
    }
    let (title_id, desc_id) = (format!("{id}-title"), format!("{id}-desc"));
    let Some(rest) = drawn.strip_prefix("<svg") else { return drawn };
    let Some(end) = rest.find('>') else { return drawn };
    let (attributes, body) = rest.split_at(end);
    format!(
        "<svg role=\"img\" aria-labelledby=\"{title_id} {desc_id}\"{attributes}><title id=\"{title_id}\">{}</title><desc \
         id=\"{desc_id}\">{}</desc>{}",
        escape_text(title),
        escape_text(description),
        &body[1..]
    )
}

/// Charts kept drawn before the memo starts over (a service page draws two per SLO, the overview
/// one per headline KPI).
const DRAWN_CAPACITY: usize = 2048;

type Drawn = std::collections::HashMap<(std::any::TypeId, u64), (Box<dyn std::any::Any + Send + Sync>, String)>;

static DRAWN: std::sync::LazyLock<std::sync::Mutex<Drawn>> = std::sync::LazyLock::new(Default::default);

/// A chart drawn once per input: pages show the same charts to every reader until the data
/// changes, and drawing (charts-rs writes every coordinate) is most of such a page's work.
/// `hash` must cover everything `draw` reads; on a hit the held input is compared in full with
/// `same`, so a hash collision draws anew rather than showing another chart.
pub fn memoized<K: Send + Sync + 'static>(
    hash: u64,
    same: impl Fn(&K) -> bool,
    key: impl FnOnce() -> K,
    draw: impl FnOnce() -> String,
) -> String {
    let slot = (std::any::TypeId::of::<K>(), hash);
    if let Ok(drawn) = DRAWN.lock()
        && let Some((held, svg)) = drawn.get(&slot)
        && held.downcast_ref::<K>().is_some_and(&same)
    {
        return svg.clone();
    }
    let svg = draw();
    if let Ok(mut drawn) = DRAWN.lock() {
        if drawn.len() >= DRAWN_CAPACITY {
            drawn.clear();
        }
        drawn.insert(slot, (Box::new(key()), svg.clone()));
    }
    svg
}

/// An id usable in `aria-labelledby`, from a title.
pub fn id_of(title: &str) -> String {
    let cleaned: String =
        title.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    format!("chart-{cleaned}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawing(name: &str, x_label: &str) -> Drawing {
        let axis = ValueAxis::new(99.9, 100.0, 3, |v| format!("{v:.2} %"));
        let series: Series = (name, vec![axis.position(99.95), axis.position(120.0)]).into();
        Drawing {
            series: vec![series],
            x_labels: vec![x_label.into(), "b".into()],
            axis,
            width: 300.0,
            height: 100.0,
            second_color: REFERENCE_COLOR,
        }
    }

    #[test]
    fn title_and_description_are_escaped_and_referenced() {
        let svg = render(drawing("s", "a"), "chart-x", "<script>\"", "a & b");
        assert!(svg.starts_with("<svg role=\"img\" aria-labelledby=\"chart-x-title chart-x-desc\" width="), "{svg}");
        assert!(svg.contains("<title id=\"chart-x-title\">&lt;script&gt;&quot;</title>"), "{svg}");
        assert!(svg.contains("<desc id=\"chart-x-desc\">a &amp; b</desc>"), "{svg}");
        assert!(!svg.contains("<script"), "{svg}");
    }

    #[test]
    fn the_axis_keeps_the_decimals_charts_rs_would_round_away() {
        let svg = render(drawing("s", "a"), "chart-x", "t", "d");
        for label in ["99.90 %", "99.95 %", "100.00 %"] {
            assert!(svg.contains(label), "{label} missing: {svg}");
        }
        assert!(!svg.contains('@'), "every tick mark is replaced: {svg}");
    }

    #[test]
    fn ranges_are_widened_to_round_ticks() {
        let (low, high, ticks) = round_range(-1.66, 1.0);
        assert_eq!((low, high, ticks), (-2.0, 1.0, 4));
        let (low, high, ticks) = round_range(0.9981, 1.0);
        assert!((low - 0.998).abs() < 1e-9 && (high - 1.0).abs() < 1e-9 && ticks == 3, "{low} {high} {ticks}");
    }

    #[test]
    fn values_outside_the_axis_are_drawn_at_its_ends() {
        let axis = ValueAxis::new(0.0, 10.0, 3, |v| v.to_string());
        assert_eq!((axis.position(-5.0), axis.position(5.0), axis.position(50.0)), (0.0, 1.0, 2.0));
    }

    #[test]
    fn series_names_and_labels_from_records_are_escaped_by_charts_rs() {
        let svg = render(drawing("<img onerror=x>", "\"><svg onload=x>"), "chart-y", "t", "d");
        assert!(!svg.contains("<img") && !svg.contains("<svg onload"), "{svg}");
    }
}
