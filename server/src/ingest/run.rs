//! Running one import: rows read and validated ahead on a task of their own, written in one
//! transaction with the import batch, its audit event and a data-version bump.

use app::domain::ingest::{BodyFormat, Cell, DecodedRow, Decoder, RawRow, RecordKind, RowError, unknown_fields};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, Set, TransactionTrait,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::kinds;
use super::ownership;
use super::pipeline::{ParsedRow, Pipeline, parse_row};
use super::refs::Ctx;
use super::spec::KindSpec;
use super::{IngestError, IngestRequest, IngestSummary};
use crate::audit::{self, AuditEntry};
use crate::entities::import_batch;

/// Where rows come from: a request body being decoded, or rows made in memory.
pub(super) enum Feed<B> {
    Body {
        body: B,
        decoder: Decoder,
        format: BodyFormat,
        hasher: Sha256,
        read: u64,
        limit: u64,
        done: bool,
    },
    Rows {
        rows: std::vec::IntoIter<RawRow>,
        hasher: Sha256,
    },
    /// A whole file an adapter has converted: its rows, the services to create first, what the
    /// adapter noted, and the file's own digest (provenance names the file as sent).
    Converted {
        rows: std::vec::IntoIter<DecodedRow>,
        services: Vec<RawRow>,
        notes: Vec<String>,
        format: &'static str,
        digest: String,
    },
}

impl<B, E> Feed<B>
where
    B: Stream<Item = Result<Bytes, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    /// Appends the next rows to `out`; false once the input is exhausted.
    async fn next_rows(&mut self, out: &mut Vec<DecodedRow>) -> Result<bool, IngestError> {
        match self {
            Feed::Body { body, decoder, format, hasher, read, limit, done } => {
                if *done {
                    return Ok(false);
                }
                let format_error = |source| IngestError::Format { format: format.name(), source };
                match body.next().await {
                    Some(Ok(chunk)) => {
                        *read += chunk.len() as u64;
                        if *read > *limit {
                            return Err(IngestError::TooLarge { limit: *limit });
                        }
                        hasher.update(&chunk);
                        decoder.push(&chunk, out).map_err(format_error)?;
                        Ok(true)
                    }
                    Some(Err(error)) => Err(IngestError::Body(error.to_string())),
                    None => {
                        *done = true;
                        decoder.finish(out).map_err(format_error)?;
                        Ok(true)
                    }
                }
            }
            Feed::Rows { rows, hasher } => {
                out.extend(rows.by_ref().take(1000).map(|row| {
                    // Hash the rows as NDJSON would carry them, so the digest is reproducible.
                    let object: serde_json::Map<String, serde_json::Value> = row
                        .cells
                        .iter()
                        .map(|(name, cell)| {
                            let value = match cell {
                                Cell::Json(value) => value.clone(),
                                Cell::Text(text) => serde_json::Value::String(text.clone()),
                            };
                            (name.clone(), value)
                        })
                        .collect();
                    hasher.update(serde_json::Value::Object(object).to_string().as_bytes());
                    hasher.update(b"\n");
                    Ok(row)
                }));
                Ok(!out.is_empty())
            }
            Feed::Converted { rows, .. } => {
                out.extend(rows.by_ref().take(1000));
                Ok(!out.is_empty())
            }
        }
    }

    /// The services an adapter asks to create before its records, taken once.
    fn take_services(&mut self) -> Vec<RawRow> {
        match self {
            Feed::Converted { services, .. } => std::mem::take(services),
            Feed::Body { .. } | Feed::Rows { .. } => Vec::new(),
        }
    }

    fn take_notes(&mut self) -> Vec<String> {
        match self {
            Feed::Converted { notes, .. } => std::mem::take(notes),
            Feed::Body { .. } | Feed::Rows { .. } => Vec::new(),
        }
    }

    fn columns(&self) -> Option<Vec<String>> {
        match self {
            Feed::Body { decoder, .. } => decoder.columns().map(<[String]>::to_vec),
            Feed::Rows { .. } | Feed::Converted { .. } => None,
        }
    }

    fn format_name(&self) -> &'static str {
        match self {
            Feed::Body { format, .. } => format.name(),
            Feed::Rows { .. } => "rows",
            Feed::Converted { format, .. } => format,
        }
    }

    fn digest(&self) -> String {
        match self {
            Feed::Body { hasher, .. } | Feed::Rows { hasher, .. } => hex::encode(hasher.clone().finalize()),
            Feed::Converted { digest, .. } => digest.clone(),
        }
    }
}

pub(super) async fn dispatch<B, E>(
    db: &DatabaseConnection,
    request: IngestRequest,
    feed: Feed<B>,
    now: DateTime<Utc>,
) -> Result<IngestSummary, IngestError>
where
    B: Stream<Item = Result<Bytes, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    match request.kind {
        RecordKind::Teams => run::<kinds::Teams, B, E>(db, request, feed, now).await,
        RecordKind::Services => run::<kinds::Services, B, E>(db, request, feed, now).await,
        RecordKind::Slos => run::<kinds::Slos, B, E>(db, request, feed, now).await,
        RecordKind::SloMeasurements => run::<kinds::SloMeasurements, B, E>(db, request, feed, now).await,
        RecordKind::Incidents => run::<kinds::Incidents, B, E>(db, request, feed, now).await,
        RecordKind::Postmortems => run::<kinds::Postmortems, B, E>(db, request, feed, now).await,
        RecordKind::Actions => run::<kinds::Actions, B, E>(db, request, feed, now).await,
        RecordKind::DrTests => run::<kinds::DrTests, B, E>(db, request, feed, now).await,
        RecordKind::Deployments => run::<kinds::Deployments, B, E>(db, request, feed, now).await,
        RecordKind::Exemptions => run::<kinds::Exemptions, B, E>(db, request, feed, now).await,
        RecordKind::SelfAssessments => run::<kinds::SelfAssessments, B, E>(db, request, feed, now).await,
        RecordKind::Alerts => run::<super::oncall::Alerts, B, E>(db, request, feed, now).await,
        RecordKind::OncallShifts => run::<super::oncall::OncallShifts, B, E>(db, request, feed, now).await,
        RecordKind::ToilReports => run::<super::toil::ToilReports, B, E>(db, request, feed, now).await,
        RecordKind::CapacityMeasurements => {
            run::<super::capacity::CapacityMeasurements, B, E>(db, request, feed, now).await
        }
        RecordKind::Remediations => run::<super::remediations::Remediations, B, E>(db, request, feed, now).await,
        RecordKind::Costs => run::<super::costs::Costs, B, E>(db, request, feed, now).await,
        RecordKind::SurveyResponses => run::<super::surveys::SurveyResponses, B, E>(db, request, feed, now).await,
    }
}

async fn run<S, B, E>(
    db: &DatabaseConnection,
    request: IngestRequest,
    feed: Feed<B>,
    now: DateTime<Utc>,
) -> Result<IngestSummary, IngestError>
where
    S: KindSpec,
    B: Stream<Item = Result<Bytes, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let txn = db.begin().await?;
    let batch = import_batch::ActiveModel {
        kind: Set(request.kind.slug().to_owned()),
        source: Set(request.source.clone()),
        format: Set(feed.format_name().to_owned()),
        file_name: Set(request.file_name.clone()),
        actor: Set(request.actor.clone()),
        sha256: Set(String::new()),
        received: Set(0),
        created: Set(0),
        updated: Set(0),
        unchanged: Set(0),
        rejected: Set(0),
        status: Set("running".to_owned()),
        started_at: Set(now),
        finished_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;

    let mut feed = feed;
    let mut notes = feed.take_notes();
    let mut pipeline = Pipeline::<S>::new(Ctx::new(request.source.clone(), batch.id, now), db.get_database_backend());
    pipeline.ctx.allowed_teams = request.allowed_teams.clone();
    pipeline.ctx.readiness_items = request.readiness_items.clone();
    pipeline.ctx.approvals = request.approvals;
    let services = feed.take_services();
    if !services.is_empty() {
        match create_services(&txn, &request, batch.id, now, services, &mut pipeline).await {
            Ok(Some(note)) => {
                // New services change the catalog every period reads.
                pipeline.ctx.reach = crate::kpis::changes::Reach::Everything;
                notes.push(note);
            }
            Ok(None) => {}
            Err(error) => {
                txn.rollback().await?;
                if let IngestError::Forbidden(reason) = &error {
                    audit_forbidden(db, &request, reason, now).await?;
                }
                return Err(error);
            }
        }
    }
    let (mut parsed, reader) = spawn_reader::<S, B, E>(feed, request.kind);
    let outcome = write_parsed(&txn, &mut parsed, &mut pipeline).await;
    drop(parsed);
    let feed = match (outcome, reader.await) {
        (Ok(()), Ok(feed)) => feed,
        (Err(error), _) => {
            txn.rollback().await?;
            return Err(error);
        }
        (Ok(()), Err(join_error)) => {
            txn.rollback().await?;
            return Err(IngestError::Body(format!("the body reader stopped: {join_error}")));
        }
    };
    let sha256 = feed.digest();
    let counts = pipeline.counts;

    if pipeline.error_count > 0 {
        txn.rollback().await?;
        if !request.dry_run {
            record_rejected(db, &request, feed.format_name(), &sha256, &pipeline, now).await?;
        }
        return Err(IngestError::Invalid {
            errors: pipeline.errors,
            error_count: pipeline.error_count,
            received: pipeline.received,
        });
    }
    if let Some(allowed) = &request.allowed_teams
        && let Some(reason) =
            ownership::check(&txn, request.kind, batch.id, allowed, &pipeline.ctx.foreign_teams).await?
    {
        txn.rollback().await?;
        audit_forbidden(db, &request, &reason, now).await?;
        return Err(IngestError::Forbidden(reason));
    }
    let summary = IngestSummary {
        batch_id: (!request.dry_run).then_some(batch.id),
        received: pipeline.received,
        created: counts.created,
        updated: counts.updated,
        unchanged: counts.unchanged,
        dry_run: request.dry_run,
        notes,
    };
    if request.dry_run {
        txn.rollback().await?;
        return Ok(summary);
    }
    let mut batch: import_batch::ActiveModel = batch.into();
    batch.sha256 = Set(sha256);
    batch.received = Set(count(summary.received));
    batch.created = Set(count(summary.created));
    batch.updated = Set(count(summary.updated));
    batch.unchanged = Set(count(summary.unchanged));
    batch.status = Set("applied".to_owned());
    batch.finished_at = Set(Some(now));
    let batch = batch.update(&txn).await?;
    // Exemptions are records of kind `exemptions`: this event (with that kind) is their audit
    // trail too, so there is no separate exemption event.
    let details = batch_details(
        &batch,
        json!({"created": batch.created, "updated": batch.updated, "unchanged": batch.unchanged}),
    );
    let entry = AuditEntry::new(&request.actor, "import.applied", &format!("import_batch:{}", batch.id), details);
    audit::append(&txn, entry, now).await?;
    // Last before committing: the version's row lock is held for the shortest time.
    crate::db::bump_data_version(&txn).await?;
    crate::kpis::changes::record(&txn, pipeline.ctx.reach).await?;
    txn.commit().await?;
    Ok(summary)
}

/// Writes the services an adapter found missing (OpenSLO with a team given) in the request's
/// transaction, before its records: their problems become the request's problems, and a
/// writer limited to teams may only create services of those teams. Returns a note for the
/// summary.
async fn create_services<S: KindSpec>(
    txn: &DatabaseTransaction,
    request: &IngestRequest,
    batch_id: i64,
    now: DateTime<Utc>,
    rows: Vec<RawRow>,
    records: &mut Pipeline<S>,
) -> Result<Option<String>, IngestError> {
    let mut services =
        Pipeline::<kinds::Services>::new(Ctx::new(request.source.clone(), batch_id, now), txn.get_database_backend());
    services.ctx.allowed_teams = request.allowed_teams.clone();
    let slugs: Vec<String> = rows
        .iter()
        .filter_map(|row| row.cells.iter().find(|(name, _)| name == "slug"))
        .map(|(_, cell)| match cell {
            Cell::Text(text) => text.clone(),
            Cell::Json(serde_json::Value::String(text)) => text.clone(),
            Cell::Json(other) => other.to_string(),
        })
        .collect();
    for row in rows {
        services.push(txn, parse_row::<<kinds::Services as KindSpec>::Input>(Ok(row))).await?;
    }
    services.flush(txn).await?;
    for error in services.errors {
        let message = format!("service to create: {}", error.message);
        records.error(RowError { message, ..error });
    }
    if services.error_count > 0 {
        return Ok(None);
    }
    if let Some(allowed) = &request.allowed_teams
        && let Some(reason) =
            ownership::check(txn, RecordKind::Services, batch_id, allowed, &services.ctx.foreign_teams).await?
    {
        return Err(IngestError::Forbidden(reason));
    }
    let created = services.counts.created;
    Ok((created > 0).then(|| format!("created {created} service(s) missing from Plumbline: {}", slugs.join(", "))))
}

/// A refused import leaves an event, though nothing of it is kept.
async fn audit_forbidden(
    db: &DatabaseConnection,
    request: &IngestRequest,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let details = json!({"kind": request.kind.slug(), "source": request.source, "reason": reason});
    let entry = AuditEntry::new(&request.actor, "import.forbidden", request.kind.slug(), details);
    audit::append(db, entry, now).await.map(|_| ())
}

/// What an import event records about its batch; `counts` adds the outcome's own figures.
fn batch_details(batch: &import_batch::Model, counts: serde_json::Value) -> serde_json::Value {
    let mut details = json!({
        "batch_id": batch.id,
        "kind": batch.kind,
        "source": batch.source,
        "format": batch.format,
        "file_name": batch.file_name,
        "sha256": batch.sha256,
        "received": batch.received,
    });
    if let (Some(details), serde_json::Value::Object(counts)) = (details.as_object_mut(), counts) {
        details.extend(counts);
    }
    details
}

fn count(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// What the reading task hands to the writing one.
enum Parsed<I> {
    /// Problems with the CSV header as a whole.
    Header(Vec<RowError>),
    Rows(Vec<ParsedRow<I>>),
}

/// Rows parsed per message to the writer, and messages parsed ahead of it: the reader keeps
/// up to ~32k rows ready while the writer waits on the database, in bounded memory.
const READ_BATCH_ROWS: usize = 1000;
const READ_AHEAD_BATCHES: usize = 32;

type ParsedReceiver<I> = mpsc::Receiver<Result<Parsed<I>, IngestError>>;

/// Receives, decodes and parses the body on its own task, so that parsing the next rows
/// overlaps writing the previous ones. The bounded channel keeps memory constant.
fn spawn_reader<S, B, E>(mut feed: Feed<B>, kind: RecordKind) -> (ParsedReceiver<S::Input>, JoinHandle<Feed<B>>)
where
    S: KindSpec,
    B: Stream<Item = Result<Bytes, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let (sender, receiver) = mpsc::channel(READ_AHEAD_BATCHES);
    let reader = tokio::spawn(async move {
        let mut rows = Vec::new();
        let mut batch: Vec<ParsedRow<S::Input>> = Vec::with_capacity(READ_BATCH_ROWS);
        let mut unknown_columns: Option<std::collections::HashSet<String>> = None;
        loop {
            let more = match feed.next_rows(&mut rows).await {
                Ok(more) => more,
                Err(error) => {
                    let _ = sender.send(Err(error)).await;
                    break;
                }
            };
            if unknown_columns.is_none()
                && let Some(columns) = feed.columns()
            {
                let unknown = unknown_fields(kind, columns.iter().map(String::as_str));
                let errors: Vec<RowError> = unknown
                    .iter()
                    .map(|name| RowError {
                        row: None,
                        field: Some(name.clone()),
                        message: format!("unknown column '{name}'; accepted: {}", kind.fields().join(", ")),
                    })
                    .collect();
                if !errors.is_empty() && sender.send(Ok(Parsed::Header(errors))).await.is_err() {
                    break;
                }
                unknown_columns = Some(unknown.into_iter().collect());
            }
            batch.extend(rows.drain(..).map(|mut row| {
                // Unknown columns were reported once for the header; don't repeat them per row.
                if let (Ok(raw), Some(unknown)) = (&mut row, &unknown_columns)
                    && !unknown.is_empty()
                {
                    raw.cells.retain(|(name, _)| !unknown.contains(name));
                }
                parse_row::<S::Input>(row)
            }));
            if batch.len() >= READ_BATCH_ROWS || (!more && !batch.is_empty()) {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(READ_BATCH_ROWS));
                // A closed channel means the writer stopped (an error): stop reading too.
                if sender.send(Ok(Parsed::Rows(full))).await.is_err() {
                    break;
                }
            }
            if !more {
                break;
            }
        }
        feed
    });
    (receiver, reader)
}

async fn write_parsed<S: KindSpec>(
    txn: &DatabaseTransaction,
    parsed: &mut ParsedReceiver<S::Input>,
    pipeline: &mut Pipeline<S>,
) -> Result<(), IngestError> {
    while let Some(message) = parsed.recv().await {
        match message? {
            Parsed::Header(errors) => errors.into_iter().for_each(|error| pipeline.error(error)),
            Parsed::Rows(rows) => {
                for row in rows {
                    pipeline.push(txn, row).await?;
                }
            }
        }
    }
    pipeline.flush(txn).await?;
    Ok(())
}

/// Rejected batches are kept too, with their audit event: auditors ask what was sent and
/// refused, not only what landed.
async fn record_rejected<S: KindSpec>(
    db: &DatabaseConnection,
    request: &IngestRequest,
    format: &str,
    sha256: &str,
    pipeline: &Pipeline<S>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let txn = db.begin().await?;
    let batch = import_batch::ActiveModel {
        kind: Set(request.kind.slug().to_owned()),
        source: Set(request.source.clone()),
        format: Set(format.to_owned()),
        file_name: Set(request.file_name.clone()),
        actor: Set(request.actor.clone()),
        sha256: Set(sha256.to_owned()),
        received: Set(count(pipeline.received)),
        created: Set(0),
        updated: Set(0),
        unchanged: Set(0),
        rejected: Set(count(pipeline.rejected_rows)),
        status: Set("rejected".to_owned()),
        started_at: Set(now),
        finished_at: Set(Some(now)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let details = batch_details(&batch, json!({"rejected": batch.rejected, "error_count": pipeline.error_count}));
    let entry = AuditEntry::new(&request.actor, "import.rejected", &format!("import_batch:{}", batch.id), details);
    audit::append(&txn, entry, now).await?;
    txn.commit().await
}
