//! The quarterly report as a PDF, written directly with `pdf-writer`: A4 pages, the standard
//! Helvetica fonts, the pages' charts-rs charts placed as vectors (`svg2pdf`), tables that never
//! split a row and repeat their header on a new page, a chart never split across pages. Nothing
//! in the file depends on the clock or on randomness, so the same report always gives the same
//! bytes.

use std::io::Write;

use app::api::ReportView;
use app::components::{chart_svg, trend};
use app::domain::overview::{TrendSeries, Unit, Verdict, format_value};
use app::domain::report::{Publication, QuarterlyReport};
use app::domain::scorecard::Level;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::pdf_text::{encode, fit, width, wrap};

mod practices;

const PAGE_WIDTH: f32 = 595.28;
const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 42.0;
const BOTTOM: f32 = 54.0;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

type Rgb = (f32, f32, f32);
const INK: Rgb = (0.11, 0.12, 0.14);
const MUTED: Rgb = (0.35, 0.39, 0.45);
const RULE: Rgb = (0.80, 0.82, 0.86);
/// Better and worse: blue and orange, told apart with the common colour-vision deficiencies,
/// and always written out in words too.
const BETTER: Rgb = (0.11, 0.27, 0.68);
const WORSE: Rgb = (0.54, 0.23, 0.0);

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
}

struct Column {
    title: String,
    width: f32,
    align: Align,
}

fn col(title: &str, width: f32, align: Align) -> Column {
    Column { title: title.to_owned(), width, align }
}

/// Pages being laid out, top to bottom.
struct Layout {
    pages: Vec<Content>,
    y: f32,
    charts: Vec<PlacedChart>,
}

impl Layout {
    fn new() -> Self {
        Layout { pages: vec![Content::new()], y: PAGE_HEIGHT - MARGIN, charts: Vec::new() }
    }

    fn page(&mut self) -> &mut Content {
        if self.pages.is_empty() {
            self.pages.push(Content::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(Content::new());
        self.y = PAGE_HEIGHT - MARGIN;
    }

    /// Starts a new page unless `height` points still fit on this one.
    fn ensure(&mut self, height: f32) -> bool {
        if self.y - height < BOTTOM {
            self.new_page();
            return true;
        }
        false
    }

    fn text_at(&mut self, x: f32, y: f32, size: f32, bold: bool, color: Rgb, text: &str) {
        let page = self.page();
        page.begin_text();
        page.set_fill_rgb(color.0, color.1, color.2);
        page.set_font(if bold { BOLD } else { REGULAR }, size);
        page.next_line(x, y);
        page.show(Str(&encode(text)));
        page.end_text();
    }

    fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, color: Rgb, text: &str) {
        let x = right - width(text, size, bold);
        self.text_at(x, y, size, bold, color, text);
    }

    fn line(&mut self, from: (f32, f32), to: (f32, f32), color: Rgb, line_width: f32) {
        let page = self.page();
        page.set_stroke_rgb(color.0, color.1, color.2);
        page.set_line_width(line_width);
        page.move_to(from.0, from.1);
        page.line_to(to.0, to.1);
        page.stroke();
    }

    /// A paragraph wrapped to the content width.
    fn paragraph(&mut self, size: f32, bold: bool, color: Rgb, text: &str) {
        let leading = size * 1.35;
        for line in wrap(text, CONTENT_WIDTH, size, bold) {
            self.ensure(leading);
            self.y -= leading;
            self.text_at(MARGIN, self.y + size * 0.3, size, bold, color, &line);
        }
    }

    fn heading(&mut self, text: &str) {
        // Keep a heading with at least the first lines of what follows it.
        self.ensure(60.0);
        self.y -= 22.0;
        self.text_at(MARGIN, self.y, 13.0, true, INK, text);
        self.y -= 6.0;
    }

    /// A table: rows are never split; a new page repeats the header.
    fn table(&mut self, columns: &[Column], rows: &[Vec<(String, Rgb)>]) {
        const SIZE: f32 = 8.5;
        const ROW: f32 = 14.0;
        // Between the lines of a wrapped cell.
        const LINE: f32 = 10.5;
        let header = |layout: &mut Layout| {
            layout.y -= ROW;
            let mut x = MARGIN;
            for c in columns {
                let title = fit(&c.title, c.width - 4.0, SIZE, true);
                match c.align {
                    Align::Left => layout.text_at(x, layout.y + 4.0, SIZE, true, MUTED, &title),
                    Align::Right => layout.text_right(x + c.width - 4.0, layout.y + 4.0, SIZE, true, MUTED, &title),
                }
                x += c.width;
            }
            layout.line((MARGIN, layout.y), (MARGIN + CONTENT_WIDTH, layout.y), RULE, 0.8);
        };
        let titled = columns.iter().any(|c| !c.title.is_empty());
        self.ensure(ROW * 3.0);
        if titled {
            header(self);
        }
        for row in rows {
            // Cells wrap within their column: a row is as tall as its longest cell.
            let cells: Vec<Vec<String>> =
                columns.iter().zip(row).map(|(c, (text, _))| wrap(text, c.width - 4.0, SIZE, false)).collect();
            let lines = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = ROW + (lines - 1) as f32 * LINE;
            if self.ensure(height) && titled {
                header(self);
            }
            self.y -= height;
            let mut x = MARGIN;
            for ((c, (_, color)), cell) in columns.iter().zip(row).zip(&cells) {
                for (i, text) in cell.iter().enumerate() {
                    let y = self.y + 4.0 + (lines - 1 - i) as f32 * LINE;
                    match c.align {
                        Align::Left => self.text_at(x, y, SIZE, false, *color, text),
                        Align::Right => self.text_right(x + c.width - 4.0, y, SIZE, false, *color, text),
                    }
                }
                x += c.width;
            }
            self.line((MARGIN, self.y), (MARGIN + CONTENT_WIDTH, self.y), RULE, 0.3);
        }
    }

    /// A trend chart in the box with top-left corner `(x, top)`: its label and latest value as
    /// text, then the same charts-rs drawing the pages show, placed as a vector XObject.
    fn chart(&mut self, x: f32, top: f32, w: f32, series: &TrendSeries) {
        self.text_at(x, top - 9.0, 8.5, true, INK, &fit(&series.label, w, 8.5, true));
        let latest = series.points.last().and_then(|(_, v)| *v);
        let so_far = if series.partial_last { " so far" } else { "" };
        self.text_at(
            x,
            top - 19.0,
            7.0,
            false,
            MUTED,
            &format!("latest {}{so_far}", format_value(series.unit, latest)),
        );
        let height = w * trend::HEIGHT / trend::WIDTH;
        let name = format!("C{}", self.charts.len());
        let page = self.pages.len().saturating_sub(1);
        let content = self.page();
        content.save_state();
        content.transform([w, 0.0, 0.0, height, x, top - 24.0 - height]);
        content.x_object(Name(name.as_bytes()));
        content.restore_state();
        self.charts.push(PlacedChart { page, name, svg: trend::svg(series, &series.kpi) });
    }
}

/// A chart drawn on a page, to be converted and listed in that page's resources.
struct PlacedChart {
    page: usize,
    name: String,
    svg: String,
}

/// Converts each chart's SVG to a PDF XObject numbered from `next`; returns the XObject of each
/// chart, or `None` for one that could not be converted (the page keeps its label and value).
fn convert_charts(pdf: &mut Pdf, charts: &[PlacedChart], next: &mut Ref) -> Vec<Option<Ref>> {
    let mut options = svg2pdf::usvg::Options::default();
    options.fontdb_mut().load_font_data(chart_svg::FONT.to_vec());
    charts
        .iter()
        .map(|chart| {
            let tree = svg2pdf::usvg::Tree::from_str(&chart.svg, &options)
                .map_err(|e| tracing::warn!(error = %e, "a report chart could not be read"))
                .ok()?;
            let (chunk, root) = svg2pdf::to_chunk(&tree, svg2pdf::ConversionOptions::default())
                .map_err(|e| tracing::warn!(error = %e, "a report chart could not be converted"))
                .ok()?;
            let mut numbers = std::collections::HashMap::new();
            let chunk = chunk.renumber(|old| *numbers.entry(old).or_insert_with(|| next.bump()));
            pdf.extend(&chunk);
            numbers.get(&root).copied()
        })
        .collect()
}

fn plain(text: impl Into<String>) -> (String, Rgb) {
    (text.into(), INK)
}

fn percent(value: Option<f64>) -> String {
    format_value(Unit::Fraction, value)
}

fn minutes(value: Option<f64>) -> String {
    format_value(Unit::Minutes, value)
}

fn title_block(layout: &mut Layout, report: &QuarterlyReport, publication: &Publication) {
    layout.y -= 20.0;
    layout.text_at(MARGIN, layout.y, 20.0, true, INK, &format!("Quarterly reliability report · {}", report.period));
    layout.y -= 18.0;
    let span = format!(
        "{} to {} · as of {} · {} active services",
        report.from, report.to, report.as_of, report.active_services
    );
    layout.text_at(MARGIN, layout.y, 10.0, false, MUTED, &span);
    match publication {
        Publication::Published { published_at, published_by, content_sha256, .. } => {
            let text =
                format!("Published {published_at} by {published_by}. Snapshot content SHA-256 {content_sha256}.");
            layout.paragraph(8.5, false, MUTED, &text);
        }
        Publication::Draft { generated_at, .. } => {
            let text = format!(
                "DRAFT: this quarter is not published, so its figures may still change. Generated {generated_at}."
            );
            layout.paragraph(9.0, true, WORSE, &text);
        }
    }
}

fn headlines(layout: &mut Layout, report: &QuarterlyReport) {
    if !report.summary.is_empty() {
        layout.heading("Executive summary");
        layout.paragraph(9.5, false, INK, &report.summary.join(" "));
    }
    layout.heading("Headline KPIs");
    headline_table(layout, report, &report.headlines);
}

fn headline_table(layout: &mut Layout, report: &QuarterlyReport, figures: &[app::domain::overview::Headline]) {
    let year_ago = if report.year_ago.is_empty() { "A year earlier" } else { report.year_ago.as_str() };
    let columns = [
        col("KPI", 132.0, Align::Left),
        col(&report.period, 56.0, Align::Right),
        col(&report.previous, 56.0, Align::Right),
        col("Change", 118.0, Align::Left),
        col(year_ago, 56.0, Align::Right),
        col("Target", 93.0, Align::Left),
    ];
    let rows: Vec<Vec<(String, Rgb)>> = figures
        .iter()
        .map(|h| {
            let color = match h.verdict {
                Verdict::Better => BETTER,
                Verdict::Worse => WORSE,
                Verdict::Unchanged | Verdict::NoComparison => MUTED,
            };
            let change = h.short_change();
            let target = match (h.target_sentence(), h.meets_target()) {
                (Some(text), Some(false)) => (text, WORSE),
                (Some(text), _) => (text, MUTED),
                (None, _) => ("—".to_owned(), MUTED),
            };
            vec![
                plain(h.label.clone()),
                plain(format_value(h.unit, h.value)),
                (format_value(h.unit, h.previous), MUTED),
                (change, color),
                (format_value(h.unit, h.year_ago), MUTED),
                target,
            ]
        })
        .collect();
    layout.table(&columns, &rows);
}

/// The on-call section: its figures like the headlines', then the noisiest rules.
fn oncall(layout: &mut Layout, report: &QuarterlyReport) {
    let Some(oncall) = &report.oncall else { return };
    layout.heading("On-call health");
    if oncall.empty {
        layout.paragraph(9.5, false, MUTED, "No pages or on-call shifts on record.");
        return;
    }
    headline_table(layout, report, &oncall.headlines);
    layout.paragraph(8.5, false, MUTED, &oncall.hours);
    let columns = [
        col("Noisiest alert rules", 200.0, Align::Left),
        col("Services", 151.0, Align::Left),
        col("Pages", 50.0, Align::Right),
        col("Reviewed", 55.0, Align::Right),
        col("Precision", 55.0, Align::Right),
    ];
    let rows: Vec<Vec<(String, Rgb)>> = oncall
        .noisiest_rules
        .iter()
        .map(|r| {
            vec![
                plain(r.rule.clone()),
                (app::components::oncall::services_in_words(&r.services), MUTED),
                plain(r.pages.to_string()),
                plain(r.reviewed.to_string()),
                plain(percent(r.precision)),
            ]
        })
        .collect();
    if !rows.is_empty() {
        layout.table(&columns, &rows);
    }
}

fn trends(layout: &mut Layout, report: &QuarterlyReport) {
    let periods = report.trends.first().map_or(0, |t| t.points.len());
    layout.heading(&format!("Trends over {periods} periods"));
    let (w, gap) = (165.0, 8.0);
    let h = 24.0 + w * trend::HEIGHT / trend::WIDTH + 6.0;
    for row in report.trends.chunks(3) {
        layout.ensure(h + 6.0);
        let top = layout.y - 4.0;
        for (i, series) in row.iter().enumerate() {
            layout.chart(MARGIN + i as f32 * (w + gap), top, w, series);
        }
        layout.y -= h + 6.0;
    }
}

fn levels(layout: &mut Layout, report: &QuarterlyReport) {
    layout.heading("Scorecard levels by tier");
    let columns = [
        col("Tier", 91.0, Align::Left),
        col("Gold", 84.0, Align::Right),
        col("Silver", 84.0, Align::Right),
        col("Bronze", 84.0, Align::Right),
        col("Below Bronze", 84.0, Align::Right),
        col("Services", 84.0, Align::Right),
    ];
    let rows: Vec<Vec<(String, Rgb)>> = report
        .levels
        .iter()
        .map(|l| {
            // A level the tier cannot reach is not a zero.
            let count = |level: Level, n: u64| {
                if l.ceiling >= Some(level) { plain(n.to_string()) } else { ("cannot reach".to_owned(), MUTED) }
            };
            vec![
                plain(format!("Tier {}", l.tier)),
                count(Level::Gold, l.gold),
                count(Level::Silver, l.silver),
                count(Level::Bronze, l.bronze),
                plain(l.none.to_string()),
                plain(l.total().to_string()),
            ]
        })
        .collect();
    layout.table(&columns, &rows);
}

fn incidents(layout: &mut Layout, report: &QuarterlyReport) {
    layout.heading(&format!("SEV0 and SEV1 incidents ({})", report.major_incidents_total));
    if report.major_incidents.is_empty() {
        layout.paragraph(9.0, false, MUTED, "No SEV0 or SEV1 incident started in this quarter.");
        return;
    }
    let columns = [
        col("Started", 72.0, Align::Left),
        col("Sev", 30.0, Align::Left),
        col("Incident", 70.0, Align::Left),
        col("Title", 150.0, Align::Left),
        col("Services", 85.0, Align::Left),
        col("Restore", 48.0, Align::Right),
        col("Postmortem", 56.0, Align::Right),
    ];
    let rows: Vec<Vec<(String, Rgb)>> = report
        .major_incidents
        .iter()
        .map(|i| {
            vec![
                plain(i.started_at.get(..16).unwrap_or(&i.started_at).to_owned()),
                plain(i.severity.clone()),
                plain(i.id.clone()),
                plain(i.title.clone()),
                plain(i.services.clone()),
                plain(minutes(i.time_to_restore)),
                match &i.postmortem {
                    Some(day) => plain(day.clone()),
                    None => ("missing".to_owned(), WORSE),
                },
            ]
        })
        .collect();
    layout.table(&columns, &rows);
    if report.major_incidents_total > report.major_incidents.len() {
        let more = report.major_incidents_total - report.major_incidents.len();
        layout.paragraph(8.0, false, MUTED, &format!("{more} more not listed; the drill-down lists them all."));
    }
}

fn causes(layout: &mut Layout, report: &QuarterlyReport) {
    // Reports published before the breakdown existed have none.
    let Some(causes) = &report.causes else { return };
    layout.heading("Incidents by root cause");
    if causes.is_empty() {
        layout.paragraph(9.0, false, MUTED, "No incident started in this quarter.");
        return;
    }
    let total: u64 = causes.iter().map(|row| row.incidents).sum();
    let columns = [
        col("Root cause", 180.0, Align::Left),
        col("Incidents", 60.0, Align::Right),
        col("Share", 50.0, Align::Right),
        col("SEV0–1", 50.0, Align::Right),
        col("Repeats", 50.0, Align::Right),
    ];
    let rows: Vec<Vec<(String, Rgb)>> = causes
        .iter()
        .map(|row| {
            vec![
                match &row.category {
                    Some(category) => plain(category.clone()),
                    None => ("Not categorised".to_owned(), MUTED),
                },
                plain(row.incidents.to_string()),
                plain(app::domain::format::percent(row.share_of(causes), 0)),
                plain(row.high_sev.to_string()),
                plain(row.repeats.to_string()),
            ]
        })
        .collect();
    layout.table(&columns, &rows);
    let all = app::domain::format::count_of(total, "incident", "incidents");
    layout.paragraph(8.0, false, MUTED, &format!("{all} of every severity started in the quarter."));
}

fn risks(layout: &mut Layout, report: &QuarterlyReport) {
    let r = &report.risks;
    layout.heading("Top risks");
    let two = [col("", 255.0, Align::Left), col("", 256.0, Align::Left)];
    let mut rows: Vec<Vec<(String, Rgb)>> = Vec::new();
    rows.push(vec![
        (format!("Exhausted error budgets ({})", r.exhausted_total), INK),
        (format!("Overdue actions ({})", r.overdue_total), INK),
    ]);
    let budgets: Vec<String> = r
        .exhausted_budgets
        .iter()
        .map(|b| format!("{} / {}: {:.0} % of budget left", b.service, b.slo, b.remaining * 100.0))
        .collect();
    let overdue: Vec<String> = r
        .overdue_actions
        .iter()
        .map(|a| format!("{} on {}: {} days overdue", a.id, a.service, a.days_overdue))
        .collect();
    push_pairs(&mut rows, &budgets, &overdue, "none");
    rows.push(vec![
        (format!("DR coverage gaps ({})", r.dr_gaps_total), INK),
        ("Most SEV0–1 incidents".to_owned(), INK),
    ]);
    let gaps: Vec<String> = r
        .dr_gaps
        .iter()
        .map(|g| {
            let last = g.last_pass.as_deref().map_or_else(|| "never passed".to_owned(), |d| format!("last pass {d}"));
            format!("{} (tier {}): {last}", g.service, g.tier)
        })
        .collect();
    let hot: Vec<String> = r.incident_hotspots.iter().map(|h| format!("{}: {}", h.service, h.high_sev)).collect();
    push_pairs(&mut rows, &gaps, &hot, "none");
    layout.table(&two, &rows);
}

fn push_pairs(rows: &mut Vec<Vec<(String, Rgb)>>, left: &[String], right: &[String], empty: &str) {
    let count = left.len().max(right.len()).max(1);
    for i in 0..count {
        let cell = |list: &[String]| match list.get(i) {
            Some(text) => (format!("  {text}"), MUTED),
            None if i == 0 => (format!("  {empty}"), MUTED),
            None => (String::new(), MUTED),
        };
        rows.push(vec![cell(left), cell(right)]);
    }
}

fn teams(layout: &mut Layout, report: &QuarterlyReport) {
    layout.heading("Teams");
    let columns = [
        col("Team", 110.0, Align::Left),
        col("Services", 44.0, Align::Right),
        col("G / S / B / –", 66.0, Align::Right),
        col("SLOs met", 50.0, Align::Right),
        col("SEV0–1", 40.0, Align::Right),
        col("MTTR", 50.0, Align::Right),
        col("On time", 50.0, Align::Right),
        col("Overdue", 45.0, Align::Right),
        col("DR cov.", 56.0, Align::Right),
    ];
    let rows: Vec<Vec<(String, Rgb)>> = report
        .teams
        .iter()
        .map(|t| {
            let l = &t.levels;
            vec![
                plain(t.name.clone()),
                plain(t.services.to_string()),
                plain(format!("{} / {} / {} / {}", l.gold, l.silver, l.bronze, l.none)),
                plain(percent(t.slo_met_rate)),
                plain(t.high_sev.to_string()),
                plain(minutes(t.mttr_median)),
                plain(percent(t.action_on_time_rate)),
                plain(t.overdue_actions.to_string()),
                plain(percent(t.dr_coverage)),
            ]
        })
        .collect();
    layout.table(&columns, &rows);
}

fn footnote(layout: &mut Layout, report: &QuarterlyReport) {
    layout.heading("Definitions");
    let versions = format!(
        "KPI definitions version {} · scorecard policy {} · figures as of {}. Durations are medians over \
         SEV0 and SEV1 incidents; rates are shares of the population each definition names.",
        report.definitions_version, report.policy_version, report.as_of
    );
    layout.paragraph(8.0, false, MUTED, &versions);
    for d in &report.definitions {
        layout.paragraph(7.5, false, MUTED, &format!("{}: {}", d.label, d.text));
    }
}

fn footers(layout: &mut Layout, report: &QuarterlyReport) {
    let total = layout.pages.len();
    for (index, page) in layout.pages.iter_mut().enumerate() {
        let left = format!("Plumbline · quarterly reliability report {}", report.period);
        let right = format!("page {} of {total}", index + 1);
        for (x, text) in [(MARGIN, left), (PAGE_WIDTH - MARGIN - width(&right, 7.5, false), right)] {
            page.begin_text();
            page.set_fill_rgb(MUTED.0, MUTED.1, MUTED.2);
            page.set_font(REGULAR, 7.5);
            page.next_line(x, 28.0);
            page.show(Str(&encode(&text)));
            page.end_text();
        }
    }
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// The report as PDF bytes.
pub fn render(view: &ReportView) -> Vec<u8> {
    let report = &view.report;
    let mut layout = Layout::new();
    title_block(&mut layout, report, &view.publication);
    headlines(&mut layout, report);
    trends(&mut layout, report);
    levels(&mut layout, report);
    incidents(&mut layout, report);
    causes(&mut layout, report);
    risks(&mut layout, report);
    oncall(&mut layout, report);
    practices::practices(&mut layout, report);
    teams(&mut layout, report);
    footnote(&mut layout, report);
    footers(&mut layout, report);

    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 10;
    let page_ids: Vec<Ref> = (0..layout.pages.len()).map(|i| Ref::new(first_page + 2 * i as i32)).collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(page_ids.len() as i32);
    pdf.type1_font(regular).base_font(Name(b"Helvetica")).encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold).base_font(Name(b"Helvetica-Bold")).encoding_predefined(Name(b"WinAnsiEncoding"));
    let title = format!("Quarterly reliability report {}", report.period);
    pdf.document_info(info).title(TextStr(&title)).producer(TextStr("Plumbline")).creator(TextStr("Plumbline"));
    let mut next = Ref::new(first_page + 2 * page_ids.len() as i32);
    let charts = convert_charts(&mut pdf, &layout.charts, &mut next);
    for (index, (content, id)) in layout.pages.into_iter().zip(&page_ids).enumerate() {
        let content_id = Ref::new(id.get() + 1);
        let mut page = pdf.page(*id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        resources.fonts().pair(REGULAR, regular).pair(BOLD, bold);
        let placed = layout.charts.iter().zip(&charts).filter(|(chart, _)| chart.page == index);
        let mut objects = resources.x_objects();
        for (chart, object) in placed {
            if let Some(object) = object {
                objects.pair(Name(chart.name.as_bytes()), *object);
            }
        }
        objects.finish();
        resources.finish();
        page.finish();
        let compressed = deflate(&content.finish());
        pdf.stream(content_id, &compressed).filter(Filter::FlateDecode);
    }
    pdf.finish()
}
