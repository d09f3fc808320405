//! Loading the demo organisation: its batches through the ingestion path, with progress and a summary.

use std::time::{Duration, Instant};

use app::domain::ingest::RecordKind;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;

use super::batches::Batches;
use super::support::Window;
use crate::ingest::{IngestError, IngestRequest, IngestSummary, ingest_rows};

/// The import `source` of every demo record, which is also how pages know to label it.
pub const DEMO_SOURCE: &str = "demo";

/// Who the demo import batches are recorded as.
const DEMO_ACTOR: &str = "demo-data";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    Small,
    Large,
    /// Five times the large organisation: 500 teams, 10,000 services.
    Xlarge,
}

impl Scale {
    fn name(self) -> &'static str {
        match self {
            Scale::Small => "small",
            Scale::Large => "large",
            Scale::Xlarge => "xlarge",
        }
    }
}

/// Generates the organisation for `scale` from `seed` and imports it, kind by kind, batch by
/// batch (each batch is one atomic import recorded with source [`DEMO_SOURCE`]). With
/// `show_progress`, draws a progress bar per kind and prints a summary table at the end.
pub async fn load(db: &DatabaseConnection, scale: Scale, seed: u64, show_progress: bool) -> anyhow::Result<()> {
    // The server's clock (moved by PLUMBLINE_CLOCK_AT in a demo), so "today" has data.
    let now = crate::clock_now();
    let started = Instant::now();
    let batches = Batches::new(scale, seed, now.date_naive());
    let window = *batches.window();
    let estimates: Vec<(RecordKind, u64)> =
        RecordKind::ALL.iter().map(|&kind| (kind, batches.estimate(kind))).collect();
    let mut tally = Tally::new(show_progress);
    for (kind, rows) in batches {
        let estimate = estimates.iter().find(|(k, _)| *k == kind).map_or(0, |(_, estimate)| *estimate);
        tally.begin(kind, estimate);
        let request = IngestRequest {
            // Demo data stands for records imported from the teams' other tools.
            approvals: crate::ingest::Approvals::Imported,
            ..IngestRequest::new(kind, DEMO_SOURCE, DEMO_ACTOR.to_owned())
        };
        let summary = ingest_rows(db, request, rows, now).await.map_err(|error| import_error(kind, error))?;
        tally.add(kind, &summary);
    }
    tally.finish_bar();
    let elapsed = started.elapsed();
    let total: u64 = tally.counts.iter().map(|(_, counts)| counts.rows).sum();
    let breakdown: Vec<String> = tally.counts.iter().map(|(kind, counts)| format!("{kind}={}", counts.rows)).collect();
    tracing::info!(
        scale = scale.name(),
        seed,
        first_day = %window.first,
        last_day = %window.last(),
        rows = total,
        elapsed_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        "demo data loaded: {}",
        breakdown.join(" ")
    );
    if show_progress {
        print_summary(scale, seed, &window, &tally.counts, elapsed);
    }
    Ok(())
}

/// An anyhow error naming the kind, with the first few row problems when rows were refused
/// (which would be a bug in the generator).
fn import_error(kind: RecordKind, error: IngestError) -> anyhow::Error {
    match error {
        IngestError::Invalid { errors, error_count, received } => {
            let first: Vec<String> = errors
                .iter()
                .take(5)
                .map(|e| {
                    let row = e.row.map_or_else(|| "-".to_owned(), |row| row.to_string());
                    let field = e.field.as_deref().unwrap_or("-");
                    format!("row {row}, {field}: {}", e.message)
                })
                .collect();
            anyhow::anyhow!(
                "the generated {kind} were refused ({} in {}; this batch was not written): {}",
                app::domain::format::count_of(error_count, "problem", "problems"),
                app::domain::format::count_of(received, "row", "rows"),
                first.join("; ")
            )
        }
        other => anyhow::anyhow!("cannot import the generated {kind}: {other}"),
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    batches: u64,
    rows: u64,
    created: u64,
    updated: u64,
    unchanged: u64,
}

/// Row counts per kind, and the progress bar of the kind being imported.
struct Tally {
    show: bool,
    bar: Option<(RecordKind, ProgressBar)>,
    counts: Vec<(RecordKind, Counts)>,
}

impl Tally {
    fn new(show: bool) -> Self {
        Tally { show, bar: None, counts: Vec::new() }
    }

    /// Starts a bar for `kind` unless it is the kind already under way.
    fn begin(&mut self, kind: RecordKind, estimate: u64) {
        if self.bar.as_ref().is_some_and(|(current, _)| *current == kind) {
            return;
        }
        self.finish_bar();
        self.bar = Some((kind, progress_bar(kind, estimate, self.show)));
    }

    fn add(&mut self, kind: RecordKind, summary: &IngestSummary) {
        if let Some((_, bar)) = &self.bar {
            bar.inc(summary.received);
        }
        let index = match self.counts.iter().position(|(k, _)| *k == kind) {
            Some(index) => index,
            None => {
                self.counts.push((kind, Counts::default()));
                self.counts.len() - 1
            }
        };
        let counts = &mut self.counts[index].1;
        counts.batches += 1;
        counts.rows += summary.received;
        counts.created += summary.created;
        counts.updated += summary.updated;
        counts.unchanged += summary.unchanged;
    }

    fn finish_bar(&mut self) {
        if let Some((_, bar)) = self.bar.take() {
            // The estimate was only an estimate: end the bar at what was imported.
            bar.set_length(bar.position());
            bar.finish();
        }
    }
}

fn progress_bar(kind: RecordKind, estimate: u64, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template(
        "{prefix:>16} [{bar:32.cyan/blue}] {human_pos:>9}/{human_len:<9} rows {per_sec:>14} {elapsed:>4}",
    )
    .map(|style| style.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    ProgressBar::new(estimate.max(1)).with_style(style).with_prefix(kind.slug())
}

fn print_summary(scale: Scale, seed: u64, window: &Window, counts: &[(RecordKind, Counts)], elapsed: Duration) {
    println!();
    println!(
        "Demo organisation loaded (scale {}, seed {seed}, {} to {}, source '{DEMO_SOURCE}'):",
        scale.name(),
        window.first,
        window.last()
    );
    println!("  {:<18}{:>9}{:>12}{:>10}{:>10}{:>11}", "kind", "batches", "rows", "created", "updated", "unchanged");
    for (kind, c) in counts {
        println!(
            "  {:<18}{:>9}{:>12}{:>10}{:>10}{:>11}",
            kind.slug(),
            c.batches,
            c.rows,
            c.created,
            c.updated,
            c.unchanged
        );
    }
    let total: u64 = counts.iter().map(|(_, c)| c.rows).sum();
    println!("  {:<18}{:>9}{:>12}", "total", "", total);
    println!("  in {:.1} s", elapsed.as_secs_f64());
}
