//! `plumbline import [--kind K] [--format F] FILE…`: files through the same ingestion path as
//! `POST /api/v1/{kind}` and the import page, each applied whole or not at all, with a progress
//! bar, a summary table and every row problem; the exit status is non-zero when any file is
//! refused.

use std::path::{Path, PathBuf};

use anyhow::Context;
use app::domain::ingest::RecordKind;
use app::domain::ingest::adapters::AdapterOptions;
use bytes::Bytes;
use futures::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use sea_orm::DatabaseConnection;

use crate::ingest::{IngestError, IngestRequest, IngestSummary, Reading, ingest_adapted, ingest_body};

/// Problems printed per refused file; the total is always given.
const LISTED_PROBLEMS: usize = 50;

pub struct ImportArgs {
    pub files: Vec<PathBuf>,
    pub kind: Option<String>,
    pub format: Option<String>,
    pub source: String,
    pub dry_run: bool,
    pub options: AdapterOptions,
    pub actor: String,
    pub readiness_items: Vec<String>,
    pub max_body_bytes: u64,
}

/// The format given, else what the file's start and name suggest.
fn reading_of(choice: Option<&str>, path: &Path) -> anyhow::Result<Reading> {
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let head = if choice.is_some() { Vec::new() } else { read_head(path)? };
    Reading::choose(choice, &head, &file_name).map_err(|message| anyhow::anyhow!("{}: {message}", path.display()))
}

fn read_head(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)
        .and_then(|file| file.take(64 * 1024).read_to_end(&mut head))
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(head)
}

/// One file's outcome, for the summary table.
struct Outcome {
    file: String,
    format: &'static str,
    kind: RecordKind,
    result: Result<IngestSummary, String>,
}

pub async fn run(db: &DatabaseConnection, args: ImportArgs) -> anyhow::Result<()> {
    if args.files.is_empty() {
        anyhow::bail!("name at least one file to import");
    }
    let mut outcomes = Vec::new();
    for path in &args.files {
        let reading = reading_of(args.format.as_deref(), path)?;
        let kind = kind_for(reading, args.kind.as_deref())?;
        let result = import_file(db, &args, path, reading, kind).await?;
        let file = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        outcomes.push(Outcome { file, format: reading.name(), kind, result });
    }
    print_summary(&outcomes, args.dry_run);
    let refused = outcomes.iter().filter(|o| o.result.is_err()).count();
    if refused > 0 {
        anyhow::bail!("{refused} of {} file(s) refused; nothing of those was written", outcomes.len());
    }
    Ok(())
}

fn kind_for(reading: Reading, kind: Option<&str>) -> anyhow::Result<RecordKind> {
    let chosen = kind
        .map(|k| {
            RecordKind::from_slug(k.trim()).with_context(|| {
                let known: Vec<&str> = RecordKind::ALL.iter().map(|k| k.slug()).collect();
                format!("--kind {k}: not one of {}", known.join(", "))
            })
        })
        .transpose()?;
    match (reading, chosen) {
        (Reading::Adapted(adapter), Some(kind)) if !adapter.kinds().contains(&kind) => {
            anyhow::bail!("{} holds {}, not {kind}", adapter.label(), adapter.kind())
        }
        (Reading::Adapted(_), Some(kind)) => Ok(kind),
        (Reading::Adapted(adapter), None) => Ok(adapter.kind()),
        (Reading::Native(_), Some(kind)) => Ok(kind),
        (Reading::Native(_), None) => anyhow::bail!("give --kind for CSV, JSON and NDJSON files"),
    }
}

/// Imports one file; `Err` of the inner result is the file's refusal, printed as it happens.
async fn import_file(
    db: &DatabaseConnection,
    args: &ImportArgs,
    path: &Path,
    reading: Reading,
    kind: RecordKind,
) -> anyhow::Result<Result<IngestSummary, String>> {
    let file = tokio::fs::File::open(path).await.with_context(|| format!("cannot open {}", path.display()))?;
    let size = file.metadata().await.map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(path, size);
    let request = IngestRequest {
        dry_run: args.dry_run,
        file_name: path.file_name().map(|n| n.to_string_lossy().chars().take(255).collect()),
        readiness_items: Some(args.readiness_items.clone()),
        // The CLI's user runs Plumbline (it opens the database itself): an operator's import.
        approvals: crate::ingest::Approvals::Imported,
        ..IngestRequest::new(kind, &args.source, args.actor.clone())
    };
    let counted = bar.clone();
    let body = file_chunks(file).map(move |chunk| {
        if let Ok(bytes) = &chunk {
            counted.inc(bytes.len() as u64);
        }
        chunk
    });
    let now = chrono::Utc::now();
    let imported = match reading {
        Reading::Native(format) => ingest_body(db, request, format, Box::pin(body), args.max_body_bytes, now).await,
        Reading::Adapted(adapter) => match crate::ingest::read_whole(Box::pin(body), args.max_body_bytes).await {
            Ok(file) => {
                bar.set_message("converting and writing");
                // The CLI reads the files its own user names: one at a time, up to the body limit.
                let limits = crate::ingest::AdapterLimits::new(args.max_body_bytes, 1);
                ingest_adapted(db, request, adapter, &args.options, file, &limits, now).await
            }
            Err(error) => Err(error),
        },
    };
    bar.finish_and_clear();
    Ok(match imported {
        Ok(summary) => Ok(summary),
        Err(IngestError::Database(error)) => return Err(error).context("the database failed"),
        Err(refusal) => {
            report_refusal(path, &refusal);
            Err(refusal.to_string())
        }
    })
}

/// The file as a stream of chunks, read as the import consumes them.
fn file_chunks(file: tokio::fs::File) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send {
    futures::stream::unfold(Some(file), |state| async move {
        use tokio::io::AsyncReadExt;
        let mut file = state?;
        let mut buffer = vec![0u8; 256 * 1024];
        match file.read(&mut buffer).await {
            Ok(0) => None,
            Ok(read) => {
                buffer.truncate(read);
                Some((Ok(Bytes::from(buffer)), Some(file)))
            }
            Err(error) => Some((Err(error), None)),
        }
    })
}

fn progress_bar(path: &Path, size: u64) -> ProgressBar {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let style = ProgressStyle::with_template("{prefix} [{bar:30}] {bytes}/{total_bytes} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    ProgressBar::new(size.max(1)).with_style(style).with_prefix(name)
}

fn report_refusal(path: &Path, refusal: &IngestError) {
    eprintln!("{}: {refusal}", path.display());
    if let IngestError::Invalid { errors, error_count, .. } = refusal {
        for error in errors.iter().take(LISTED_PROBLEMS) {
            let row = error.row.map_or_else(|| "—".to_owned(), |r| r.to_string());
            let field = error.field.as_deref().unwrap_or("—");
            eprintln!("  row {row:>6}  {field:<28} {}", error.message);
        }
        let listed = errors.len().min(LISTED_PROBLEMS) as u64;
        if *error_count > listed {
            let more = error_count - listed;
            eprintln!("  … and {more} more {}", if more == 1 { "problem" } else { "problems" });
        }
    }
}

fn print_summary(outcomes: &[Outcome], dry_run: bool) {
    println!();
    println!(
        "{:<32} {:<16} {:<10} {:>9} {:>9} {:>9} {:>9}  result",
        "file", "kind", "format", "received", "created", "updated", "unchanged"
    );
    for outcome in outcomes {
        // Long names keep their end (the distinctive part), marked as cut.
        let count = outcome.file.chars().count();
        let name = if count > 32 {
            format!("…{}", outcome.file.chars().skip(count - 31).collect::<String>())
        } else {
            outcome.file.clone()
        };
        match &outcome.result {
            Ok(summary) => {
                let result = match (dry_run, summary.batch_id) {
                    (true, _) => "checked (dry run, nothing written)".to_owned(),
                    (false, Some(batch)) => format!("applied as batch {batch}"),
                    (false, None) => "applied".to_owned(),
                };
                println!(
                    "{name:<32} {:<16} {:<10} {:>9} {:>9} {:>9} {:>9}  {result}",
                    outcome.kind.slug(),
                    outcome.format,
                    summary.received,
                    summary.created,
                    summary.updated,
                    summary.unchanged
                );
                for note in &summary.notes {
                    println!("    note: {note}");
                }
            }
            Err(_) => println!(
                "{name:<32} {:<16} {:<10} {:>9} {:>9} {:>9} {:>9}  REFUSED (see above)",
                outcome.kind.slug(),
                outcome.format,
                "—",
                "—",
                "—",
                "—"
            ),
        }
    }
}
