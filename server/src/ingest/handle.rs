//! The handle through which routes, pages and the CLI's server side import: it owns SQLite's
//! one-writer lock (nothing outside ingestion touches it), the size limits, and the one way an
//! [`IngestRequest`] is made for a signed-in caller.

use std::sync::Arc;

use app::domain::access::{IngestRight, Principal};
use app::domain::ingest::adapters::{Adapter, AdapterOptions};
use app::domain::ingest::{BodyFormat, RawRow, RecordKind};
use app::error::AppError;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;
use tokio::sync::{Mutex, MutexGuard};

use super::{AdapterLimits, Approvals, IngestError, IngestRequest, IngestSummary, Spooled};

#[derive(Clone)]
pub struct Ingestion {
    db: DatabaseConnection,
    /// SQLite has one writer at a time: imports queue here instead of failing on a busy lock.
    /// `None` on Postgres, whose row locks order concurrent imports.
    sqlite_writer: Option<Arc<Mutex<()>>>,
    /// The largest native body accepted (`PLUMBLINE_MAX_BODY_MB`).
    pub max_body_bytes: u64,
    pub adapter_limits: AdapterLimits,
    /// The policy's readiness checklist, which self-assessment rows must name.
    readiness_items: Arc<Vec<String>>,
    /// Told after every applied import (the figures are recomputed in the background).
    on_applied: Option<Arc<dyn Fn(RecordKind) + Send + Sync>>,
}

impl Ingestion {
    pub fn new(
        db: DatabaseConnection,
        max_body_bytes: u64,
        adapter_limits: AdapterLimits,
        readiness_items: Vec<String>,
    ) -> Self {
        let sqlite = db.get_database_backend() == sea_orm::DbBackend::Sqlite;
        Ingestion {
            db,
            sqlite_writer: sqlite.then(Arc::default),
            max_body_bytes,
            adapter_limits,
            readiness_items: Arc::new(readiness_items),
            on_applied: None,
        }
    }

    /// Calls `hook` with the kind after every import that changed the data (not after dry runs
    /// or refusals).
    pub fn on_applied(mut self, hook: impl Fn(RecordKind) + Send + Sync + 'static) -> Self {
        self.on_applied = Some(Arc::new(hook));
        self
    }

    /// Counts the import (`/metrics`) and, when it changed the data, tells the hook.
    fn applied(
        &self,
        kind: RecordKind,
        result: Result<IngestSummary, IngestError>,
    ) -> Result<IngestSummary, IngestError> {
        let (outcome, rows) = match &result {
            Ok(summary) if summary.dry_run => ("dry_run", summary.received),
            Ok(summary) => ("applied", summary.received),
            Err(IngestError::Invalid { received, .. }) => ("rejected", *received),
            Err(IngestError::Forbidden(_)) => ("forbidden", 0),
            Err(IngestError::Database(_)) => ("failed", 0),
            Err(_) => ("refused", 0),
        };
        crate::metrics::import(kind.slug(), outcome, rows);
        if let (Ok(summary), Some(hook)) = (&result, &self.on_applied)
            && summary.batch_id.is_some()
        {
            hook(kind);
        }
        result
    }

    /// A request to write `kind` as `principal`, limited to the teams they may write and
    /// checked against the readiness checklist. Callers change what differs (dry run, file
    /// name, a narrower team limit).
    pub fn request(
        &self,
        kind: RecordKind,
        source: &str,
        principal: &Principal,
        approvals: Approvals,
    ) -> IngestRequest {
        IngestRequest {
            allowed_teams: match principal.ingest_right() {
                IngestRight::Teams(teams) => Some(teams),
                IngestRight::Any | IngestRight::None => None,
            },
            readiness_items: Some(self.readiness_items.as_ref().clone()),
            approvals,
            ..IngestRequest::new(kind, source, principal.actor())
        }
    }

    /// The database imports write to.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The writer slot, on SQLite; held for the length of one import.
    async fn one_writer(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.sqlite_writer {
            Some(lock) => Some(lock.lock().await),
            None => None,
        }
    }

    /// A body received in full, retried when it meets a concurrent writer.
    pub async fn body(
        &self,
        request: IngestRequest,
        format: BodyFormat,
        body: &Spooled,
        now: DateTime<Utc>,
    ) -> Result<IngestSummary, IngestError> {
        let lock = self.sqlite_writer.as_deref();
        let kind = request.kind;
        self.applied(kind, super::ingest_spooled(&self.db, request, format, body, self.max_body_bytes, lock, now).await)
    }

    /// Rows made in memory (the waiver and sign-off flows).
    pub async fn rows(
        &self,
        request: IngestRequest,
        rows: Vec<RawRow>,
        now: DateTime<Utc>,
    ) -> Result<IngestSummary, IngestError> {
        let _one_writer = self.one_writer().await;
        let kind = request.kind;
        self.applied(kind, super::ingest_rows(&self.db, request, rows, now).await)
    }

    /// A whole file in an adapter's format.
    pub async fn adapted(
        &self,
        request: IngestRequest,
        adapter: Adapter,
        options: &AdapterOptions,
        file: Bytes,
        now: DateTime<Utc>,
    ) -> Result<IngestSummary, IngestError> {
        let _one_writer = self.one_writer().await;
        let kind = request.kind;
        let result = super::ingest_adapted(&self.db, request, adapter, options, file, &self.adapter_limits, now).await;
        self.applied(kind, result)
    }
}

/// What a page shows for a refused write: row errors as "field: message", refusals as they
/// read; a database failure is logged and shown as a reference.
impl From<IngestError> for AppError {
    fn from(error: IngestError) -> Self {
        match error {
            IngestError::Invalid { errors, .. } => AppError::Invalid(
                errors
                    .into_iter()
                    .map(|e| match e.field {
                        Some(field) => format!("{field}: {}", e.message),
                        None => e.message,
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            IngestError::Forbidden(reason) => AppError::Forbidden(reason),
            IngestError::Busy { .. } => AppError::TooMany(error.to_string()),
            IngestError::Format { .. }
            | IngestError::TooLarge { .. }
            | IngestError::AdapterTooLarge { .. }
            | IngestError::Body(_) => AppError::Invalid(error.to_string()),
            IngestError::Database(error) => AppError::internal("writing records", &error),
        }
    }
}
