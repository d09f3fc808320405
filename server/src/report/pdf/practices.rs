//! The report's capacity, automation, toil, cost and satisfaction sections in the PDF: each
//! section's figures as headline rows, and the cost table with the SLO met rate in every row,
//! as the report page shows them.

use app::domain::format::{format_amount, percent};
use app::domain::overview::Headline;
use app::domain::report::QuarterlyReport;

use super::{Align, Layout, MUTED, WORSE, col, headline_table, plain};

pub(super) fn practices(layout: &mut Layout, report: &QuarterlyReport) {
    if let Some(capacity) = &report.capacity {
        let empty = "No capacity measurements on record.";
        figures(layout, report, "Capacity headroom", capacity.empty, empty, &capacity.headlines);
    }
    if let Some(automation) = &report.automation {
        let empty = "No mitigations or remediations on record.";
        figures(layout, report, "Automation", automation.empty, empty, &automation.headlines);
    }
    if let Some(toil) = &report.toil {
        figures(layout, report, "Toil", toil.empty, "No toil reports on record.", &toil.headlines);
    }
    cost(layout, report);
    satisfaction(layout, report);
}

fn figures(layout: &mut Layout, report: &QuarterlyReport, title: &str, empty: bool, why: &str, rows: &[Headline]) {
    layout.heading(title);
    if empty {
        layout.paragraph(9.5, false, MUTED, why);
    } else {
        headline_table(layout, report, rows);
    }
}

fn cost(layout: &mut Layout, report: &QuarterlyReport) {
    let Some(cost) = &report.cost else { return };
    layout.heading("Cost to serve");
    if cost.empty {
        layout.paragraph(9.5, false, MUTED, "No costs on record.");
        return;
    }
    layout.paragraph(
        8.5,
        false,
        MUTED,
        "Unit cost is the amount divided by the units of its driver, kept apart per currency and driver. A change \
         is only read beside the SLO met rate of the same scope.",
    );
    let columns = [
        col("Per", 110.0, Align::Left),
        col("Unit cost", 70.0, Align::Right),
        col(&format!("In {}", report.previous), 70.0, Align::Right),
        col("Change", 50.0, Align::Right),
        col("SLO met rate", 90.0, Align::Right),
        col("Reading", 121.0, Align::Left),
    ];
    let met = format!("{} (was {})", percent(cost.slo_met_rate, 1), percent(cost.previous_slo_met_rate, 1));
    let amount = |value: Option<f64>| value.map_or_else(|| "—".to_owned(), format_amount);
    let rows: Vec<_> = cost
        .rows
        .iter()
        .map(|row| {
            let change = row.change.map_or_else(
                || "—".to_owned(),
                |c| format!("{}{:.1} %", if c < 0.0 { "−" } else { "+" }, c.abs() * 100.0),
            );
            let reading = row.verdict.in_words().to_owned();
            vec![
                plain(format!("{} per {}", row.current.currency, row.current.unit_driver)),
                plain(amount(row.current.unit_cost())),
                (amount(row.previous_unit_cost), MUTED),
                plain(change),
                plain(met.clone()),
                if row.verdict.is_warning() { (reading, WORSE) } else { plain(reading) },
            ]
        })
        .collect();
    if rows.is_empty() {
        layout.paragraph(9.5, false, MUTED, "No cost counted in this quarter.");
    } else {
        layout.table(&columns, &rows);
    }
}

fn satisfaction(layout: &mut Layout, report: &QuarterlyReport) {
    let Some(satisfaction) = &report.satisfaction else { return };
    layout.heading("Stakeholder satisfaction");
    if satisfaction.empty {
        layout.paragraph(9.5, false, MUTED, "No survey responses on record.");
        return;
    }
    headline_table(layout, report, &satisfaction.headlines);
    let current = &satisfaction.current;
    let text = if current.withheld() {
        format!(
            "{} responses: fewer than the {} a mean is shown for, so no one's answer can be read back.",
            current.responses, current.minimum
        )
    } else {
        let [one, two, three, four, five] = current.by_score;
        format!("{} responses. Scores 5 to 1: {five}, {four}, {three}, {two}, {one}.", current.responses)
    };
    layout.paragraph(8.5, false, MUTED, &text);
}
