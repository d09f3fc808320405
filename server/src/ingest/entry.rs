//! The ways into an import: a streamed body, a spooled body (retried on conflict), rows made in
//! memory, and a file in an adapter's format; and how a file chooses between them.

use app::domain::ingest::adapters::{self, Adapter, AdapterOptions, KnownService};
use app::domain::ingest::{BodyFormat, Decoder, RawRow};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use sea_orm::{DatabaseConnection, EntityTrait, QuerySelect};
use sha2::{Digest, Sha256};

use super::run::{Feed, dispatch};
use super::{AdapterLimits, IngestError, IngestRequest, IngestSummary, Spooled};
use crate::entities::service;

/// Imports a request body of `format`, at most `limit` bytes.
pub async fn ingest_body<B, E>(
    db: &DatabaseConnection,
    request: IngestRequest,
    format: BodyFormat,
    body: B,
    limit: u64,
    now: DateTime<Utc>,
) -> Result<IngestSummary, IngestError>
where
    B: Stream<Item = Result<Bytes, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + Send + 'static,
{
    let feed =
        Feed::Body { body, decoder: Decoder::new(format), format, hasher: Sha256::new(), read: 0, limit, done: false };
    dispatch(db, request, feed, now).await
}

/// Tries of an import that meets a concurrent writer before the client is asked to retry.
const TRIES_ON_CONFLICT: u32 = 4;

/// Imports a body received in full (see [`Spooled`]). An attempt that meets a concurrent
/// writer (a deadlock, a serialization failure, a key another import inserted at the same
/// moment) was rolled back whole; it is tried again after a short random pause, a few times.
/// `writer_lock` is held around each attempt (SQLite's one writer).
pub async fn ingest_spooled(
    db: &DatabaseConnection,
    request: IngestRequest,
    format: BodyFormat,
    body: &Spooled,
    limit: u64,
    writer_lock: Option<&tokio::sync::Mutex<()>>,
    now: DateTime<Utc>,
) -> Result<IngestSummary, IngestError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let stream =
            body.stream().await.map_err(|error| IngestError::Body(format!("cannot read the spooled body: {error}")))?;
        let outcome = {
            let _one_writer = match writer_lock {
                Some(lock) => Some(lock.lock().await),
                None => None,
            };
            ingest_body(db, request.clone(), format, stream, limit, now).await
        };
        match outcome {
            Err(IngestError::Database(error)) if crate::db::is_transient(&error) && tries < TRIES_ON_CONFLICT => {
                tracing::info!(%error, tries, "an import met a concurrent writer; trying again");
                let pause = rand::Rng::gen_range(&mut rand::thread_rng(), 20..200u64) * u64::from(tries);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
            }
            other => return other,
        }
    }
}

/// Imports rows built in memory (demo data), through the same validation and writes.
pub async fn ingest_rows(
    db: &DatabaseConnection,
    request: IngestRequest,
    rows: Vec<RawRow>,
    now: DateTime<Utc>,
) -> Result<IngestSummary, IngestError> {
    let feed: Feed<futures::stream::Empty<Result<Bytes, std::convert::Infallible>>> =
        Feed::Rows { rows: rows.into_iter(), hasher: Sha256::new() };
    dispatch(db, request, feed, now).await
}

/// Imports a whole file in a format an adapter reads (OpenSLO, Statuspage, PagerDuty), through
/// the same validation, writes, provenance and audit events as the native formats. The records
/// are of the adapter's kind, whatever `request.kind` says.
///
/// The file must fit `limits`, and is parsed only when one of its slots is free.
pub async fn ingest_adapted(
    db: &DatabaseConnection,
    mut request: IngestRequest,
    adapter: Adapter,
    options: &AdapterOptions,
    file: Bytes,
    limits: &AdapterLimits,
    now: DateTime<Utc>,
) -> Result<IngestSummary, IngestError> {
    limits.check_size(file.len() as u64)?;
    let slot = limits.admit()?;
    if !adapter.kinds().contains(&request.kind) {
        request.kind = adapter.kind();
    }
    let kind = request.kind;
    let services: Vec<KnownService> = service::Entity::find()
        .select_only()
        .columns([service::Column::Slug, service::Column::Name])
        .into_tuple::<(String, String)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(slug, name)| KnownService { slug, name })
        .collect();
    let options = options.clone();
    let digest = hex::encode(Sha256::digest(&file));
    // Parsing a large file is CPU work: keep it off the request threads.
    let converted =
        tokio::task::spawn_blocking(move || adapters::convert_to(adapter, kind, &file, &options, &services))
            .await
            .map_err(|error| IngestError::Body(format!("the file reader stopped: {error}")))?
            .map_err(|source| IngestError::Format { format: adapter.name(), source })?;
    drop(slot);
    let feed: Feed<futures::stream::Empty<Result<Bytes, std::convert::Infallible>>> = Feed::Converted {
        rows: converted.rows.into_iter(),
        services: converted.services,
        notes: converted.notes,
        format: adapter.name(),
        digest,
    };
    dispatch(db, request, feed, now).await
}

/// How a file is read: a native body format, or an adapter. The import page and the CLI both
/// choose it with [`Reading::choose`].
#[derive(Debug, Clone, Copy)]
pub enum Reading {
    Native(BodyFormat),
    Adapted(Adapter),
}

impl Reading {
    pub fn name(self) -> &'static str {
        match self {
            Reading::Native(format) => format.name(),
            Reading::Adapted(adapter) => adapter.name(),
        }
    }

    /// The format chosen by name (`csv`, `json`, `ndjson` or an adapter's), else what the file's
    /// first bytes suggest (an adapter's format), else its name's extension.
    pub fn choose(choice: Option<&str>, head: &[u8], file_name: &str) -> Result<Reading, String> {
        if let Some(choice) = choice.map(str::trim).filter(|c| !c.is_empty()) {
            if let Some(adapter) = Adapter::from_name(choice) {
                return Ok(Reading::Adapted(adapter));
            }
            return BodyFormat::from_choice(choice, "").map(Reading::Native).ok_or_else(|| {
                format!("format '{choice}' is not one of csv, json, ndjson, openslo, statuspage, pagerduty")
            });
        }
        if let Some(adapter) = Adapter::detect(head, file_name) {
            return Ok(Reading::Adapted(adapter));
        }
        BodyFormat::from_choice("", file_name).map(Reading::Native).ok_or_else(|| {
            "choose the file's format (CSV, JSON, NDJSON, OpenSLO, Statuspage or PagerDuty): neither its name nor \
             its content says"
                .to_owned()
        })
    }
}

/// Reads a whole body of at most `limit` bytes (the adapters read a file at once).
pub async fn read_whole<B, E>(mut body: B, limit: u64) -> Result<Bytes, IngestError>
where
    B: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    let mut whole = bytes::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|error| IngestError::Body(error.to_string()))?;
        if (whole.len() + chunk.len()) as u64 > limit {
            return Err(IngestError::TooLarge { limit });
        }
        whole.extend_from_slice(&chunk);
    }
    Ok(whole.freeze())
}
